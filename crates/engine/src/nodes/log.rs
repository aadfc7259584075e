//! `|log()`: logs each point or batch passing through (mirrors log.go and Kapacitor's
//! `LogPointData`/`LogBatchData`): a point is one `point` line; a batch is a `begin batch`
//! line, one `batch point` line per point, and an `end batch` line.
//!
//! Kapacitor writes tags, fields and dimensions as keys of their own (`tag_host=a
//! field_value=1 dimension_0=host`); our log lines carry them as single `tag`, `field` and
//! `dimension` values holding the same `key=value` text.

use std::fmt::Write;

use kapa_models::time::format_rfc3339;
use kapa_models::{Fields, Tags};
use kapa_pipeline::nodes::LogSpec;

use crate::message::{Batch, PointMsg};
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct LogNode {
    spec: LogSpec,
    name: String,
}

fn tag_text(tags: &Tags) -> String {
    let mut out = String::new();
    for (k, v) in tags.iter() {
        if !out.is_empty() {
            out.push(' ');
        }
        let _ = write!(out, "{k}={v}");
    }
    out
}

fn field_text(fields: &Fields) -> String {
    let mut out = String::new();
    for (k, v) in fields.iter() {
        if !out.is_empty() {
            out.push(' ');
        }
        let _ = write!(out, "{k}={v}");
    }
    out
}

/// Emits one event at the node's level; the fields are the same whatever the level.
macro_rules! log_at {
    ($level:expr, $($rest:tt)*) => {
        match $level {
            "DEBUG" => tracing::debug!($($rest)*),
            "WARN" => tracing::warn!($($rest)*),
            "ERROR" => tracing::error!($($rest)*),
            _ => tracing::info!($($rest)*),
        }
    };
}

impl LogNode {
    pub(crate) fn new(spec: LogSpec, name: String) -> Self {
        LogNode { spec, name }
    }
}

impl Node for LogNode {
    fn point(&mut self, ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let p = msg.point;
        let dims: Vec<&str> = msg.group.dims.tags.iter().map(|d| d.as_str()).collect();
        log_at!(
            self.spec.level.as_str(),
            task = %ctx.task,
            node = %self.name,
            prefix = %self.spec.prefix,
            name = %p.name,
            db = %msg.db,
            rp = %msg.rp,
            group = %msg.group.id,
            dimension = %dims.join(","),
            tag = %tag_text(&p.tags),
            field = %field_text(&p.fields),
            time = %format_rfc3339(p.time),
            "point"
        );
        Ok(Emit::Same)
    }

    fn batch(&mut self, ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        let level = self.spec.level.as_str();
        let (task, node, prefix) = (&ctx.task, &self.name, &self.spec.prefix);
        let (tags, tmax) = (tag_text(&b.tags), format_rfc3339(b.tmax));
        log_at!(level, task = %task, node = %node, prefix = %prefix, name = %b.name, group = %b.group.id,
            tag = %tags, time = %tmax, "begin batch");
        for p in &b.points {
            log_at!(level, task = %task, node = %node, prefix = %prefix, name = %b.name, group = %b.group.id,
                tag = %tag_text(&p.tags), field = %field_text(&p.fields), time = %format_rfc3339(p.time),
                "batch point");
        }
        log_at!(level, task = %task, node = %node, prefix = %prefix, name = %b.name, group = %b.group.id,
            tag = %tags, time = %tmax, "end batch");
        Ok(Emit::Same)
    }
}
