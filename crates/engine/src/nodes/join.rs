//! `|join()` runtime (mirrors join.go). Not implemented yet: the engine refuses tasks that use it.

use kapa_pipeline::nodes::JoinSpec;

use crate::message::PointMsg;
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct JoinNode {
    #[allow(dead_code)]
    spec: JoinSpec,
}

impl JoinNode {
    pub(crate) fn new(spec: JoinSpec) -> Self {
        JoinNode { spec }
    }
}

impl Node for JoinNode {
    fn point(&mut self, _ctx: &TaskCtx, _msg: &PointMsg<'_>) -> Result<Emit, String> {
        Err("the join node is not implemented yet".into())
    }
}
