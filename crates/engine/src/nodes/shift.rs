//! `|shift(d)`: moves points and batches in time (mirrors shift.go).

use kapa_pipeline::nodes::ShiftSpec;

use crate::message::{Batch, PointMsg};
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct ShiftNode {
    spec: ShiftSpec,
}

impl ShiftNode {
    pub(crate) fn new(spec: ShiftSpec) -> Self {
        ShiftNode { spec }
    }
}

impl Node for ShiftNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let mut q = msg.point.clone();
        q.time += self.spec.shift;
        Ok(Emit::Point {
            point: Some(q),
            group: None,
        })
    }

    fn batch(&mut self, _ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        let mut out = b.clone();
        out.tmax += self.spec.shift;
        for p in &mut out.points {
            p.time += self.spec.shift;
        }
        Ok(Emit::Batch(out))
    }
}
