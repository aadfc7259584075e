//! `|kapacitorLoopback()`: queues points to be written back into the task master once the
//! current write has been processed, so a loop between tasks cannot deadlock
//! (mirrors kapacitor_loopback.go).

use kapa_models::Point;
use kapa_pipeline::nodes::LoopbackSpec;

use crate::message::{Batch, PointMsg};
use crate::node::{Emit, Node, Stat, TaskCtx};

pub(crate) struct LoopbackNode {
    spec: LoopbackSpec,
    points_written: i64,
}

impl LoopbackNode {
    pub(crate) fn new(spec: LoopbackSpec) -> Self {
        LoopbackNode {
            spec,
            points_written: 0,
        }
    }

    fn send(&mut self, ctx: &TaskCtx, mut p: Point) {
        if !self.spec.measurement.is_empty() {
            p.name = self.spec.measurement.as_str().into();
        }
        for (k, v) in &self.spec.tags {
            p.tags.insert(k.as_str(), v.as_str().into());
        }
        ctx.loopback.lock().push((
            self.spec.database.clone(),
            self.spec.retention_policy.clone(),
            p,
        ));
        self.points_written += 1;
    }
}

impl Node for LoopbackNode {
    fn point(&mut self, ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        self.send(ctx, msg.point.clone());
        Ok(Emit::Drop)
    }

    fn batch(&mut self, ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        for bp in &b.points {
            let p = Point {
                name: b.name.clone(),
                tags: bp.tags.clone(),
                fields: bp.fields.clone(),
                time: bp.time,
            };
            self.send(ctx, p);
        }
        Ok(Emit::Drop)
    }

    fn stats(&self, out: &mut Vec<(&'static str, Stat)>) {
        out.push(("points_written", Stat::Int(self.points_written)));
    }
}
