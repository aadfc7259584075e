//! `|default()`: sets fields and tags that are missing (mirrors default.go).

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
        DefaultNode { spec, fields_defaulted: 0, tags_defaulted: 0 }
    }

    fn needed(&self, fields: &Fields, tags: &Tags) -> bool {
        self.spec.fields.iter().any(|(k, _)| !fields.contains(k)) || self.spec.tags.iter().any(|(k, _)| !tags.contains(k))
    }

    fn apply(&mut self, fields: &mut Fields, tags: &mut Tags) {
        for (k, v) in &self.spec.fields {
            if !fields.contains(k) {
                fields.insert(k.as_str(), v.clone());
                self.fields_defaulted += 1;
            }
        }
        for (k, v) in &self.spec.tags {
            if !tags.contains(k) {
                tags.insert(k.as_str(), v.into());
                self.tags_defaulted += 1;
            }
        }
    }
}

impl Node for DefaultNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        if !self.needed(&msg.point.fields, &msg.point.tags) {
            return Ok(Emit::Same);
        }
        let mut q = msg.point.clone();
        self.apply(&mut q.fields, &mut q.tags);
        Ok(Emit::Point { point: Some(q), group: None })
    }

    fn batch(&mut self, _ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        let mut out = b.clone();
        for (k, v) in &self.spec.tags {
            if !out.tags.contains(k) {
                out.tags.insert(k.as_str(), v.into());
            }
        }
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
