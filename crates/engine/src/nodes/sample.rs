//! `|sample(n | d)`: keeps every n-th point or batch per group (the first included), or those
//! whose time falls on a multiple of d (mirrors sample.go).

use kapa_models::GroupId;
use kapa_pipeline::nodes::SampleSpec;

use crate::message::{Batch, GroupMap, PointMsg};
use crate::node::{Emit, Node, TaskCtx};
use crate::time::truncate;

pub(crate) struct SampleNode {
    spec: SampleSpec,
    counts: GroupMap<i64>,
}

impl SampleNode {
    pub(crate) fn new(spec: SampleSpec) -> Self {
        SampleNode {
            spec,
            counts: Default::default(),
        }
    }

    fn keep(&mut self, group: &GroupId, t: i64) -> bool {
        if self.spec.duration > 0 {
            return truncate(t, self.spec.duration) == t;
        }
        let count = self.counts.entry(group.clone()).or_insert(0);
        let keep = *count % self.spec.n == 0;
        *count += 1;
        keep
    }
}

impl Node for SampleNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        Ok(if self.keep(&msg.group.id, msg.point.time) {
            Emit::Same
        } else {
            Emit::Drop
        })
    }

    fn batch(&mut self, _ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        Ok(if self.keep(&b.group.id, b.tmax) {
            Emit::Same
        } else {
            Emit::Drop
        })
    }

    fn delete_group(
        &mut self,
        _ctx: &TaskCtx,
        group: &crate::message::Group,
    ) -> Result<Emit, String> {
        self.counts.remove(&group.id);
        Ok(Emit::Same)
    }

    fn cardinality(&self) -> usize {
        self.counts.len()
    }
}
