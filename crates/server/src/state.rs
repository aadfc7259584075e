//! What the HTTP handlers share.

use std::sync::Arc;

use kapa_engine::TaskMaster;

use crate::http::IngressStats;
use crate::logging::LevelHandle;
use crate::tasks::TaskService;

/// This server's identity, as `/debug/vars` and alert templates report it.
#[derive(Debug, Clone, Default)]
pub struct Identity {
    /// Content of `data_dir/cluster.id`.
    pub cluster_id: String,
    /// Content of `data_dir/server.id`.
    pub server_id: String,
    /// The configured hostname.
    pub hostname: String,
}

/// Shared state of the API.
#[derive(Debug)]
pub struct AppState {
    /// Task definitions and their lifecycle.
    pub tasks: Arc<TaskService>,
    /// The running engine.
    pub engine: Arc<TaskMaster>,
    /// Alert topics and handlers (the engine's alert sink).
    pub alerts: Arc<kapa_alert::AlertService>,
    /// Points received per db/rp/measurement.
    pub ingress: IngressStats,
    /// Identity.
    pub identity: Identity,
    /// `default-retention-policy`.
    pub default_rp: String,
    /// Run-time log level.
    pub log_level: LevelHandle,
    /// Tasks defined by the `[load] dir`, which the API must not change.
    pub loaded_tasks: crate::load::LoadedTasks,
    /// Recordings.
    pub recordings: Arc<crate::recording::RecordingService>,
    /// Replays.
    pub replays: Arc<crate::replay::ReplayService>,
}
