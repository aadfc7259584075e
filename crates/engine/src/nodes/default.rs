//! `|default()`: sets fields that are missing and tags that are missing or empty (mirrors
//! default.go).

use kapa_models::{Fields, Tags};
use kapa_pipeline::nodes::DefaultSpec;

use crate::message::{Batch, PointMsg};
use crate::node::{Emit, Node, Stat, TaskCtx};

pub(crate) struct DefaultNode {
    spec: DefaultSpec,
    fields_defaulted: i64,
    tags_defaulted: i64,
}

impl DefaultNode {
    pub(crate) fn new(spec: DefaultSpec) -> Self {
        DefaultNode {
            spec,
            fields_defaulted: 0,
            tags_defaulted: 0,
        }
    }

    fn needed(&self, fields: &Fields, tags: &Tags) -> bool {
        self.spec.fields.iter().any(|(k, _)| !fields.contains(k))
            || self.spec.tags.iter().any(|(k, _)| tag_unset(tags, k))
    }

    fn apply(&mut self, fields: &mut Fields, tags: &mut Tags) {
        for (k, v) in &self.spec.fields {
            if !fields.contains(k) {
                fields.insert(k.as_str(), v.clone());
                self.fields_defaulted += 1;
            }
        }
        self.apply_tags(tags);
    }

    fn apply_tags(&mut self, tags: &mut Tags) {
        for (k, v) in &self.spec.tags {
            if tag_unset(tags, k) {
                tags.insert(k.as_str(), v.into());
                self.tags_defaulted += 1;
            }
        }
    }
}

/// Kapacitor reads a missing tag as "", so an empty tag gets the default too.
fn tag_unset(tags: &Tags, key: &str) -> bool {
    tags.get(key).is_none_or(|v| v.is_empty())
}

impl Node for DefaultNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        if !self.needed(&msg.point.fields, &msg.point.tags) {
            return Ok(Emit::Same);
        }
        let mut q = msg.point.clone();
        self.apply(&mut q.fields, &mut q.tags);
        Ok(Emit::Point {
            point: Some(q),
            group: None,
        })
    }

    fn batch(&mut self, _ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        let mut out = b.clone();
        // Kapacitor defaults the batch's own tags with an empty field set, so every default
        // field counts once per batch in `fields_defaulted`.
        self.fields_defaulted += self.spec.fields.len() as i64;
        self.apply_tags(&mut out.tags);
        for p in &mut out.points {
            self.apply(&mut p.fields, &mut p.tags);
        }
        Ok(Emit::Batch(out))
    }

    fn stats(&self, out: &mut Vec<(&'static str, Stat)>) {
        out.push(("fields_defaulted", Stat::Int(self.fields_defaulted)));
        out.push(("tags_defaulted", Stat::Int(self.tags_defaulted)));
    }
}
