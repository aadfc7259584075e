//! `|delete()`: removes fields and tags; deleting a group-by tag of a point regroups it
//! without that dimension (mirrors delete.go).

use std::sync::Arc;

use kapa_models::{Fields, GroupId, Tags};
use kapa_pipeline::nodes::DeleteSpec;

use crate::message::{Batch, Dimensions, Group, PointMsg};
use crate::node::{Emit, Node, Stat, TaskCtx};

pub(crate) struct DeleteNode {
    spec: DeleteSpec,
    fields_deleted: i64,
    tags_deleted: i64,
}

impl DeleteNode {
    pub(crate) fn new(spec: DeleteSpec) -> Self {
        DeleteNode {
            spec,
            fields_deleted: 0,
            tags_deleted: 0,
        }
    }

    fn apply(&mut self, fields: &mut Fields, tags: &mut Tags) {
        for k in &self.spec.fields {
            if fields.remove(k).is_some() {
                self.fields_deleted += 1;
            }
        }
        self.apply_tags(tags);
    }

    fn apply_tags(&mut self, tags: &mut Tags) {
        for k in &self.spec.tags {
            if tags.remove(k).is_some() {
                self.tags_deleted += 1;
            }
        }
    }

    fn deletes_dimension(&self, dims: &Dimensions) -> bool {
        dims.tags
            .iter()
            .any(|d| self.spec.tags.iter().any(|t| t == d.as_str()))
    }
}

impl Node for DeleteNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let p = msg.point;
        let regroup = self.deletes_dimension(&msg.group.dims);
        let has = self.spec.fields.iter().any(|k| p.fields.contains(k))
            || self.spec.tags.iter().any(|k| p.tags.contains(k));
        if !has && !regroup {
            return Ok(Emit::Same);
        }
        let mut q = p.clone();
        self.apply(&mut q.fields, &mut q.tags);
        let group = regroup.then(|| {
            let dims = Arc::new(Dimensions {
                tags: msg
                    .group
                    .dims
                    .tags
                    .iter()
                    .filter(|d| !self.spec.tags.iter().any(|t| t == d.as_str()))
                    .cloned()
                    .collect(),
                by_name: msg.group.dims.by_name,
            });
            Group {
                id: GroupId::build(&q.name, &q.tags, &dims.tags, dims.by_name),
                dims,
            }
        });
        Ok(Emit::Point {
            point: Some(q),
            group,
        })
    }

    fn batch(&mut self, _ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        // Kapacitor deletes from the batch's own tags too (counted) but keeps its group.
        let mut out = b.clone();
        self.apply_tags(&mut out.tags);
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
