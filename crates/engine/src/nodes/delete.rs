//! `|delete()`: removes fields and tags (mirrors delete.go).

use kapa_pipeline::nodes::DeleteSpec;

use crate::message::PointMsg;
use crate::node::{Emit, Node, Stat, TaskCtx};

pub(crate) struct DeleteNode {
    spec: DeleteSpec,
    fields_deleted: i64,
    tags_deleted: i64,
}

impl DeleteNode {
    pub(crate) fn new(spec: DeleteSpec) -> Self {
        DeleteNode { spec, fields_deleted: 0, tags_deleted: 0 }
    }
}

impl Node for DeleteNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let p = msg.point;
        let has_field = self.spec.fields.iter().any(|k| p.fields.contains(k));
        let has_tag = self.spec.tags.iter().any(|k| p.tags.contains(k));
        if !has_field && !has_tag {
            return Ok(Emit::Same);
        }
        let mut q = p.clone();
        for k in &self.spec.fields {
            if q.fields.remove(k).is_some() {
                self.fields_deleted += 1;
            }
        }
        for k in &self.spec.tags {
            if q.tags.remove(k).is_some() {
                self.tags_deleted += 1;
            }
        }
        Ok(Emit::Point { point: Some(q), group: None })
    }

    fn stats(&self, out: &mut Vec<(&'static str, Stat)>) {
        out.push(("fields_deleted", Stat::Int(self.fields_deleted)));
        out.push(("tags_deleted", Stat::Int(self.tags_deleted)));
    }
}
