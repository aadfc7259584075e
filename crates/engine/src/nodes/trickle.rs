//! `|trickle()`: turns each batch into a stream of its points (mirrors trickle.go).

use kapa_models::Point;

use crate::message::{Batch, PointMsg};
use crate::node::{Emit, Node, Out, TaskCtx};

pub(crate) struct TrickleNode;

impl Node for TrickleNode {
    fn point(&mut self, _ctx: &TaskCtx, _msg: &PointMsg<'_>) -> Result<Emit, String> {
        Ok(Emit::Same)
    }

    fn batch(&mut self, _ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        let out = b
            .points
            .iter()
            .map(|p| Out::Point {
                point: Point {
                    name: b.name.clone(),
                    tags: p.tags.clone(),
                    fields: p.fields.clone(),
                    time: p.time,
                },
                group: b.group.clone(),
            })
            .collect();
        Ok(Emit::Many(out))
    }
}
