//! `|where(lambda)`: keeps points for which the predicate holds (mirrors where.go).



use kapa_expr::LambdaState;
use kapa_pipeline::nodes::WhereSpec;

use crate::message::PointMsg;
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct WhereNode {
    spec: WhereSpec,
    states: crate::message::GroupMap<LambdaState>,
}

impl WhereNode {
    pub(crate) fn new(spec: WhereSpec) -> Self {
        WhereNode { spec, states: Default::default() }
    }
}

impl Node for WhereNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let lambda = &self.spec.lambda;
        let st = self
            .states
            .entry(msg.group.id.clone())
            .or_insert_with(|| lambda.new_state());
        if lambda.eval_bool(msg.point, st).map_err(|e| e.to_string())? {
            Ok(Emit::Same)
        } else {
            Ok(Emit::Drop)
        }
    }

    fn cardinality(&self) -> usize {
        self.states.len()
    }
}
