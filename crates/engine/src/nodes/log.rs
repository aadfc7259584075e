//! `|log()`: logs each point passing through (mirrors log.go).

use kapa_pipeline::nodes::LogSpec;

use crate::message::PointMsg;
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct LogNode {
    spec: LogSpec,
    name: String,
}

impl LogNode {
    pub(crate) fn new(spec: LogSpec, name: String) -> Self {
        LogNode { spec, name }
    }
}

impl Node for LogNode {
    fn point(&mut self, ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let p = msg.point;
        let row = super::point_to_row(p);
        let json = serde_json::to_string(&row).unwrap_or_default();
        let (task, node, prefix, group) = (&ctx.task, &self.name, &self.spec.prefix, msg.group.id.as_str());
        match self.spec.level.as_str() {
            "DEBUG" => tracing::debug!(task = %task, node = %node, prefix = %prefix, group = %group, point = %json, "point"),
            "WARN" => tracing::warn!(task = %task, node = %node, prefix = %prefix, group = %group, point = %json, "point"),
            "ERROR" => tracing::error!(task = %task, node = %node, prefix = %prefix, group = %group, point = %json, "point"),
            _ => tracing::info!(task = %task, node = %node, prefix = %prefix, group = %group, point = %json, "point"),
        }
        Ok(Emit::Same)
    }
}
