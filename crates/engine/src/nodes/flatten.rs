//! `|flatten()` runtime (mirrors flatten.go). Not implemented yet: the engine refuses tasks that use it.

use kapa_pipeline::nodes::FlattenSpec;

use crate::message::PointMsg;
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct FlattenNode {
    #[allow(dead_code)]
    spec: FlattenSpec,
}

impl FlattenNode {
    pub(crate) fn new(spec: FlattenSpec) -> Self {
        FlattenNode { spec }
    }
}

impl Node for FlattenNode {
    fn point(&mut self, _ctx: &TaskCtx, _msg: &PointMsg<'_>) -> Result<Emit, String> {
        Err("the flatten node is not implemented yet".into())
    }
}
