//! `|combine()` runtime (mirrors combine.go). Not implemented yet: the engine refuses tasks that use it.

use kapa_pipeline::nodes::CombineSpec;

use crate::message::PointMsg;
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct CombineNode {
    #[allow(dead_code)]
    spec: CombineSpec,
}

impl CombineNode {
    pub(crate) fn new(spec: CombineSpec) -> Self {
        CombineNode { spec }
    }
}

impl Node for CombineNode {
    fn point(&mut self, _ctx: &TaskCtx, _msg: &PointMsg<'_>) -> Result<Emit, String> {
        Err("the combine node is not implemented yet".into())
    }
}
