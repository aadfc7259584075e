//! Records of task templates, recordings and replays (Kapacitor's `task_store` templates,
//! `recording_store` and `replay_store`).

use serde::{Deserialize, Serialize};

/// Table of templates.
pub(crate) const TEMPLATES: &str = "templates";
/// Table of recordings.
pub(crate) const RECORDINGS: &str = "recordings";
/// Table of replays.
pub(crate) const REPLAYS: &str = "replays";

/// A task template as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateRecord {
    /// Unique id.
    pub id: String,
    /// `stream` or `batch`.
    pub task_type: String,
    /// The TICKscript as given.
    pub script: String,
    /// Creation time, ns since the epoch.
    pub created: i64,
    /// Last modification time, ns since the epoch.
    pub modified: i64,
}

/// A recording's metadata; the data lives in `<replay dir>/<id>.srpl|.brpl`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordingRecord {
    /// Unique id.
    pub id: String,
    /// `stream` or `batch`.
    pub rec_type: String,
    /// Path of the data file.
    pub data_path: String,
    /// Size of the data file in bytes.
    pub size: i64,
    /// Last change, ns since the epoch.
    pub date: i64,
    /// Why it failed; empty otherwise.
    #[serde(default)]
    pub error: String,
    /// `running`, `finished` or `failed`.
    pub status: String,
    /// 0 to 1.
    pub progress: f64,
}

/// A replay's metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayRecord {
    /// Unique id.
    pub id: String,
    /// The task replayed to.
    pub task: String,
    /// The recording replayed (empty for live replays).
    pub recording: String,
    /// Whether the recorded times were kept.
    pub recording_time: bool,
    /// `fast` or `real`.
    pub clock: String,
    /// Last change, ns since the epoch.
    pub date: i64,
    /// Why it failed; empty otherwise.
    #[serde(default)]
    pub error: String,
    /// `running`, `finished` or `failed`.
    pub status: String,
    /// 0 to 1.
    pub progress: f64,
    /// The task's execution statistics at the end of the replay.
    #[serde(default)]
    pub stats: serde_json::Value,
}
