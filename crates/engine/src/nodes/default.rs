//! `|default()`: sets fields and tags that are missing (mirrors default.go).

use kapa_pipeline::nodes::DefaultSpec;

use crate::message::PointMsg;
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
}

impl Node for DefaultNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let p = msg.point;
        let missing_field = self.spec.fields.iter().any(|(k, _)| !p.fields.contains(k));
        let missing_tag = self.spec.tags.iter().any(|(k, _)| !p.tags.contains(k));
        if !missing_field && !missing_tag {
            return Ok(Emit::Same);
        }
        let mut q = p.clone();
        for (k, v) in &self.spec.fields {
            if !q.fields.contains(k) {
                q.fields.insert(k.as_str(), v.clone());
                self.fields_defaulted += 1;
            }
        }
        for (k, v) in &self.spec.tags {
            if !q.tags.contains(k) {
                q.tags.insert(k.as_str(), v.into());
                self.tags_defaulted += 1;
            }
        }
        Ok(Emit::Point { point: Some(q), group: None })
    }

    fn stats(&self, out: &mut Vec<(&'static str, Stat)>) {
        out.push(("fields_defaulted", Stat::Int(self.fields_defaulted)));
        out.push(("tags_defaulted", Stat::Int(self.tags_defaulted)));
    }
}
