//! The stream engine: routing points to tasks by (db, rp, measurement), executing task
//! pipelines as push-based calls through the DAG, per-node statistics, live DOT, and the
//! alert event model that alert handlers consume.
#![warn(missing_docs)]

mod alert_event;
mod batch_points;
mod batch_source;
mod exec;
mod influxql;
mod message;
mod node;
mod nodes;
mod router;
/// Batch query schedules (`.every`, `.align`, `.cron`).
pub mod schedule;
mod tap;
mod task_master;
mod template;
mod time;
mod window_buffer;

pub use alert_event::{AlertData, AlertEvent, AlertSink, Level, NullAlertSink, RestoredEvent};
pub use batch_points::BatchPoints;
pub use batch_source::{BatchSource, to_batches};
pub use message::{Batch, BatchPoint, Dimensions, Group};
/// Builds a query node's InfluxQL from its properties (define-time checks, `record batch`).
pub use nodes::query::build_query;
/// Reloads every sideload source in use (`POST /kapacitor/v1/sideload/reload`, SIGHUP).
pub use nodes::sideload::reload_sources as reload_sideload_sources;
pub use tap::WriteTap;
pub use task_master::{EngineConfig, ServerInfo, TaskDef, TaskMaster};
pub use template::{GoTemplate, TemplateKind};

/// Errors raised when a task cannot be validated or started.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The script does not compile into a pipeline.
    #[error("{0}")]
    Pipeline(#[from] kapa_pipeline::PipelineError),
    /// The pipeline is valid but a node could not be created (bad template, handler...).
    #[error("{0}")]
    Node(String),
}
