//! `|delete()`: removes fields and tags (mirrors delete.go).

use kapa_models::{Fields, Tags};
use kapa_pipeline::nodes::DeleteSpec;

use crate::message::{Batch, PointMsg};
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

    fn apply(&mut self, fields: &mut Fields, tags: &mut Tags) {
        for k in &self.spec.fields {
            if fields.remove(k).is_some() {
                self.fields_deleted += 1;
            }
        }
        for k in &self.spec.tags {
            if tags.remove(k).is_some() {
                self.tags_deleted += 1;
            }
        }
    }
}

impl Node for DeleteNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let p = msg.point;
        let has = self.spec.fields.iter().any(|k| p.fields.contains(k)) || self.spec.tags.iter().any(|k| p.tags.contains(k));
        if !has {
            return Ok(Emit::Same);
        }
        let mut q = p.clone();
        self.apply(&mut q.fields, &mut q.tags);
        Ok(Emit::Point { point: Some(q), group: None })
    }

    fn batch(&mut self, _ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        let mut out = b.clone();
        for k in &self.spec.tags {
            out.tags.remove(k);
        }
        for p in &mut out.points {
            self.apply(&mut p.fields, &mut p.tags);
        }
        Ok(Emit::Batch(out))
    }

    fn stats(&self, out: &mut Vec<(&'static str, Stat)>) {
        out.push(("fields_deleted", Stat::Int(self.fields_deleted)));
        out.push(("tags_deleted", Stat::Int(self.tags_deleted)));
    }
}
