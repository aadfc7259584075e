//! The `stream` root: passes every point of the task's DBRPs on (mirrors stream.go).

use crate::message::PointMsg;
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct StreamNode;

impl Node for StreamNode {
    fn point(&mut self, _ctx: &TaskCtx, _msg: &PointMsg<'_>) -> Result<Emit, String> {
        Ok(Emit::Same)
    }
}
