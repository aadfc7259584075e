//! The InfluxQL function nodes (`|mean('f')`, `|top(...)`...): reduce batches, or points
//! that share a time on a stream (mirrors influxql.go).

use kapa_pipeline::nodes::InfluxQlSpec;

use crate::message::{Batch, PointMsg};
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct InfluxQlNode {
    spec: InfluxQlSpec,
}

impl InfluxQlNode {
    pub(crate) fn new(spec: InfluxQlSpec) -> Self {
        InfluxQlNode { spec }
    }
}

impl Node for InfluxQlNode {
    fn point(&mut self, _ctx: &TaskCtx, _msg: &PointMsg<'_>) -> Result<Emit, String> {
        Err(format!("{} is not implemented yet", self.spec.method))
    }

    fn batch(&mut self, _ctx: &TaskCtx, _batch: &Batch) -> Result<Emit, String> {
        Err(format!("{} is not implemented yet", self.spec.method))
    }
}
