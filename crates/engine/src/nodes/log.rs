//! `|log()`: logs each point or batch passing through (mirrors log.go).

use kapa_models::Row;
use kapa_pipeline::nodes::LogSpec;

use crate::message::{Batch, PointMsg};
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct LogNode {
    spec: LogSpec,
    name: String,
}

impl LogNode {
    pub(crate) fn new(spec: LogSpec, name: String) -> Self {
        LogNode { spec, name }
    }

    fn log(&self, ctx: &TaskCtx, group: &str, what: &str, row: &Row) {
        let json = serde_json::to_string(row).unwrap_or_default();
        let (task, node, prefix) = (&ctx.task, &self.name, &self.spec.prefix);
        match self.spec.level.as_str() {
            "DEBUG" => tracing::debug!(task = %task, node = %node, prefix = %prefix, group = %group, data = %json, "{what}"),
            "WARN" => tracing::warn!(task = %task, node = %node, prefix = %prefix, group = %group, data = %json, "{what}"),
            "ERROR" => tracing::error!(task = %task, node = %node, prefix = %prefix, group = %group, data = %json, "{what}"),
            _ => tracing::info!(task = %task, node = %node, prefix = %prefix, group = %group, data = %json, "{what}"),
        }
    }
}

impl Node for LogNode {
    fn point(&mut self, ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        self.log(ctx, msg.group.id.as_str(), "point", &super::point_to_row(msg.point));
        Ok(Emit::Same)
    }

    fn batch(&mut self, ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        self.log(ctx, b.group.id.as_str(), "batch", &super::batch_to_row(b));
        Ok(Emit::Same)
    }
}
