//! `|union()` runtime (mirrors union.go). Not implemented yet: the engine refuses tasks that use it.

use kapa_pipeline::nodes::UnionSpec;

use crate::message::PointMsg;
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct UnionNode {
    #[allow(dead_code)]
    spec: UnionSpec,
}

impl UnionNode {
    pub(crate) fn new(spec: UnionSpec) -> Self {
        UnionNode { spec }
    }
}

impl Node for UnionNode {
    fn point(&mut self, _ctx: &TaskCtx, _msg: &PointMsg<'_>) -> Result<Emit, String> {
        Err("the union node is not implemented yet".into())
    }
}
