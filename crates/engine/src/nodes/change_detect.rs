//! `|changeDetect('field'...)`: passes a point only when one of the fields differs from the
//! previous point of its group; the first point passes (mirrors change_detect.go).

use kapa_models::{FieldValue, Fields};
use kapa_pipeline::nodes::ChangeDetectSpec;

use crate::message::{Batch, GroupMap, PointMsg};
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct ChangeDetectNode {
    spec: ChangeDetectSpec,
    previous: GroupMap<Vec<Option<FieldValue>>>,
}

impl ChangeDetectNode {
    pub(crate) fn new(spec: ChangeDetectSpec) -> Self {
        ChangeDetectNode {
            spec,
            previous: Default::default(),
        }
    }

    fn values(&self, fields: &Fields) -> Vec<Option<FieldValue>> {
        self.spec
            .fields
            .iter()
            .map(|f| fields.get(f).cloned())
            .collect()
    }
}

/// A field the current point lacks does not count as a change.
fn changed(prev: Option<&Vec<Option<FieldValue>>>, curr: &[Option<FieldValue>]) -> bool {
    match prev {
        None => curr.iter().any(Option::is_some),
        Some(p) => p.iter().zip(curr).any(|(a, b)| b.is_some() && a != b),
    }
}

impl Node for ChangeDetectNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let curr = self.values(&msg.point.fields);
        if !changed(self.previous.get(&msg.group.id), &curr) {
            return Ok(Emit::Drop);
        }
        self.previous.insert(msg.group.id.clone(), curr);
        Ok(Emit::Same)
    }

    fn batch(&mut self, _ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        let mut out = b.clone_empty();
        for p in &b.points {
            let curr = self.values(&p.fields);
            if changed(self.previous.get(&b.group.id), &curr) {
                self.previous.insert(b.group.id.clone(), curr);
                out.points.push(p.clone());
            }
        }
        Ok(Emit::Batch(out))
    }

    fn delete_group(
        &mut self,
        _ctx: &TaskCtx,
        group: &crate::message::Group,
    ) -> Result<Emit, String> {
        self.previous.remove(&group.id);
        Ok(Emit::Same)
    }

    fn cardinality(&self) -> usize {
        self.previous.len()
    }
}
