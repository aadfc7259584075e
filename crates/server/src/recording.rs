//! Recordings (Kapacitor's `services/replay` recording half): stream recordings tap the
//! live writes for a task's DBRPs and measurements into `<replay dir>/<id>.srpl`; the
//! metadata (`id, type, size, date, error, status, progress`) lives in redb.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use kapa_engine::{TaskMaster, WriteTap};
use kapa_models::Point;
use kapa_storage::{JsonTable, RecordingRecord};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::ApiError;
use crate::srpl::SrplWriter;
use crate::tasks::{Link, TaskService, format_time, valid_id};

/// `running`.
pub const RUNNING: &str = "running";
/// `finished`.
pub const FINISHED: &str = "finished";
/// `failed`.
pub const FAILED: &str = "failed";

/// Fields of a recording in list answers.
const ALL_FIELDS: &[&str] = &[
    "link", "id", "type", "size", "date", "error", "status", "progress",
];

/// A recording as the API shows it (field order of Kapacitor's `client.Recording`).
#[derive(Debug, Clone, Serialize)]
pub struct RecordingView {
    /// Self link.
    pub link: Link,
    /// Id.
    pub id: String,
    /// `stream` or `batch`.
    #[serde(rename = "type")]
    pub rec_type: String,
    /// Bytes on disk.
    pub size: i64,
    /// RFC 3339 time of the last change.
    pub date: String,
    /// Why it failed.
    pub error: String,
    /// `running`, `finished` or `failed`.
    pub status: String,
    /// 0 to 1.
    pub progress: f64,
}

/// `POST /recordings/stream`.
#[derive(Debug, Clone, Deserialize)]
pub struct StreamOptions {
    /// Recording id; random when empty.
    #[serde(default)]
    pub id: String,
    /// The task whose DBRPs and measurements are recorded.
    #[serde(default)]
    pub task: String,
    /// RFC 3339 end of the recording.
    #[serde(default)]
    pub stop: String,
}

/// `POST /recordings/batch`.
#[derive(Debug, Clone, Deserialize)]
pub struct BatchOptions {
    /// Recording id; random when empty.
    #[serde(default)]
    pub id: String,
    /// The batch task whose queries are run.
    #[serde(default)]
    pub task: String,
    /// RFC 3339 start of the range.
    #[serde(default)]
    pub start: String,
    /// RFC 3339 end of the range.
    #[serde(default)]
    pub stop: String,
}

/// `POST /recordings/query`.
#[derive(Debug, Clone, Deserialize)]
pub struct QueryOptions {
    /// Recording id; random when empty.
    #[serde(default)]
    pub id: String,
    /// The InfluxQL query.
    #[serde(default)]
    pub query: String,
    /// `stream` or `batch`: the kind of recording to save.
    #[serde(rename = "type", default)]
    pub rec_type: String,
    /// Named `[[influxdb]]` cluster; the default one when empty.
    #[serde(default)]
    pub cluster: String,
}

/// List parameters shared by recordings, replays and templates.
#[derive(Debug, Clone, Default)]
pub struct ListParams {
    /// Shell glob on ids; empty matches all.
    pub pattern: String,
    /// Fields to return; empty means all.
    pub fields: Vec<String>,
    /// Skip this many matches.
    pub offset: usize,
    /// Return at most this many; negative means no limit.
    pub limit: i64,
}

/// Picks the listed items by pattern, offset and limit and keeps the asked fields.
pub fn select<V: Serialize>(
    what: &str,
    items: Vec<(String, V)>,
    params: &ListParams,
    all_fields: &[&str],
) -> Result<Vec<BTreeMap<String, Value>>, ApiError> {
    let mut fields: Vec<String> = if params.fields.is_empty() {
        all_fields.iter().map(|f| f.to_string()).collect()
    } else {
        let mut f = params.fields.clone();
        f.extend(["id".to_string(), "link".to_string()]);
        f
    };
    fields.sort();
    fields.dedup();
    if let Some(bad) = fields.iter().find(|f| !all_fields.contains(&f.as_str())) {
        return Err(ApiError::bad_request(format!("unsupported field {bad:?}")));
    }
    let matcher = if params.pattern.is_empty() {
        None
    } else {
        Some(glob::Pattern::new(&params.pattern).map_err(|_| {
            ApiError::bad_request(format!(
                "failed to list {what} with pattern {:?}: syntax error in pattern",
                params.pattern
            ))
        })?)
    };
    let glob_opts = glob::MatchOptions {
        require_literal_separator: true,
        ..Default::default()
    };
    let limit = usize::try_from(params.limit).unwrap_or(usize::MAX);
    let mut out = Vec::new();
    for (_, item) in items
        .into_iter()
        .filter(|(id, _)| {
            matcher
                .as_ref()
                .is_none_or(|m| m.matches_with(id, glob_opts))
        })
        .skip(params.offset)
        .take(limit)
    {
        let view = serde_json::to_value(item).unwrap_or(Value::Null);
        let mut entry = BTreeMap::new();
        for f in &fields {
            entry.insert(
                f.clone(),
                view.get(f.as_str()).cloned().unwrap_or(Value::Null),
            );
        }
        out.push(entry);
    }
    Ok(out)
}

fn store_err(e: kapa_storage::StorageError) -> ApiError {
    ApiError::internal(e.to_string())
}

/// Parses an RFC 3339 time from a request body.
pub fn parse_time(s: &str, what: &str) -> Result<i64, ApiError> {
    kapa_models::time::parse_rfc3339(s)
        .map_err(|_| ApiError::bad_request(format!("invalid {what} time {s:?}")))
}

/// Chooses the id of a new recording or replay.
pub fn new_id(given: &str, what: &str) -> Result<String, ApiError> {
    if given.is_empty() {
        return Ok(uuid::Uuid::new_v4().to_string());
    }
    if !valid_id(given) {
        return Err(ApiError::bad_request(format!(
            "{what} ID must contain only letters, numbers, '-', '.' and '_'. {given:?}"
        )));
    }
    Ok(given.to_string())
}

/// Copies matching writes into a recording file.
#[derive(Debug)]
struct StreamTap {
    dbrps: Vec<(String, String)>,
    measurements: Option<Vec<String>>,
    out: Mutex<Option<SrplWriter>>,
    error: Mutex<Option<String>>,
}

impl StreamTap {
    fn wants(&self, p: &Point) -> bool {
        self.measurements
            .as_ref()
            .is_none_or(|m| m.iter().any(|m| m.as_str() == p.name.as_str()))
    }
}

impl WriteTap for StreamTap {
    fn on_write(&self, db: &str, rp: &str, points: &[Point]) {
        if !self.dbrps.iter().any(|(d, r)| d == db && r == rp) {
            return;
        }
        let mut out = self.out.lock();
        let Some(w) = out.as_mut() else { return };
        for p in points.iter().filter(|p| self.wants(p)) {
            if let Err(e) = w.write(db, rp, p) {
                *self.error.lock() = Some(format!("writing recording: {e}"));
                if let Some(w) = out.take() {
                    w.abandon();
                }
                return;
            }
        }
    }
}

/// Recordings: metadata in redb, data files in the replay dir.
#[derive(Debug)]
pub struct RecordingService {
    store: JsonTable<RecordingRecord>,
    dir: PathBuf,
    engine: Arc<TaskMaster>,
    tasks: Arc<TaskService>,
}

impl RecordingService {
    /// A service writing into `dir`.
    pub fn new(
        store: JsonTable<RecordingRecord>,
        dir: impl AsRef<Path>,
        engine: Arc<TaskMaster>,
        tasks: Arc<TaskService>,
    ) -> Self {
        RecordingService {
            store,
            dir: dir.as_ref().to_path_buf(),
            engine,
            tasks,
        }
    }

    /// Recordings left `running` by a previous process can never finish: mark them failed.
    pub fn fail_interrupted(&self) {
        if let Ok(list) = self.store.list() {
            for mut r in list.into_iter().filter(|r| r.status == RUNNING) {
                r.status = FAILED.into();
                r.error = "recording interrupted: the server stopped".into();
                let _ = self.store.put(&r.id.clone(), &r);
            }
        }
    }

    /// Registers the `.srpl` files in the replay dir that have no metadata (recordings
    /// copied from a Kapacitor's replay dir, whose metadata stayed in its BoltDB): the
    /// file name is the id.
    pub fn adopt_files(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let Some(name) = path.file_name().and_then(|s| s.to_str()) else {
                continue;
            };
            // `<id>.srpl`, `<id>.brpl` (a ZIP), or a fixture's `<id>.0.brpl` (plain text,
            // with its `<id>.1.brpl`... read along).
            let (id, rec_type) = if let Some(id) = name.strip_suffix(".srpl") {
                (id, "stream")
            } else if let Some(id) = name
                .strip_suffix(".0.brpl")
                .filter(|_| !crate::brpl::is_zip(&path))
            {
                (id, "batch")
            } else if let Some(id) = name
                .strip_suffix(".brpl")
                .filter(|_| crate::brpl::is_zip(&path))
            {
                (id, "batch")
            } else {
                continue;
            };
            if !valid_id(id) || matches!(self.store.get(id), Ok(Some(_))) {
                continue;
            }
            let meta = entry.metadata().ok();
            let date = meta
                .as_ref()
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
                .unwrap_or_else(|| self.engine.clock().now());
            let rec = RecordingRecord {
                id: id.to_string(),
                rec_type: rec_type.into(),
                data_path: path.display().to_string(),
                size: meta
                    .map(|m| i64::try_from(m.len()).unwrap_or(i64::MAX))
                    .unwrap_or(0),
                date,
                error: String::new(),
                status: FINISHED.into(),
                progress: 1.0,
            };
            match self.store.put(id, &rec) {
                Ok(()) => {
                    tracing::info!(service = "replay", recording = %id, "registered recording file found in the replay dir")
                }
                Err(e) => {
                    tracing::error!(service = "replay", recording = %id, err = %e, "failed to register recording file")
                }
            }
        }
    }

    /// The metadata of one recording.
    pub fn record(&self, id: &str) -> Result<RecordingRecord, ApiError> {
        self.store
            .get(id)
            .map_err(store_err)?
            .ok_or_else(|| ApiError::not_found("no recording exists"))
    }

    /// `GET /recordings/{id}`.
    pub fn get(&self, id: &str) -> Result<RecordingView, ApiError> {
        Ok(view(&self.record(id)?))
    }

    /// `GET /recordings`.
    pub fn list(&self, params: &ListParams) -> Result<Vec<BTreeMap<String, Value>>, ApiError> {
        let items = self
            .store
            .list()
            .map_err(store_err)?
            .iter()
            .map(|r| (r.id.clone(), view(r)))
            .collect();
        select("recordings", items, params, ALL_FIELDS)
    }

    /// `DELETE /recordings/{id}`: the metadata and the file; absent ones are no error.
    pub fn delete(&self, id: &str) -> Result<(), ApiError> {
        if let Some(r) = self.store.get(id).map_err(store_err)? {
            self.store.delete(id).map_err(store_err)?;
            if let Err(e) = std::fs::remove_file(&r.data_path)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                return Err(ApiError::internal(format!(
                    "failed to delete recording data: {e}"
                )));
            }
        }
        Ok(())
    }

    /// `POST /recordings/stream`: starts recording now; finishes in the background at `stop`.
    pub fn record_stream(self: &Arc<Self>, opts: StreamOptions) -> Result<RecordingView, ApiError> {
        let id = new_id(&opts.id, "recording")?;
        if self.store.get(&id).map_err(store_err)?.is_some() {
            return Err(ApiError::bad_request(format!(
                "recording {id} already exists"
            )));
        }
        let def = self.tasks.task_def(&opts.task)?;
        if def.task_type != kapa_pipeline::TaskType::Stream {
            return Err(ApiError::bad_request(format!(
                "task {} is not a stream task",
                def.id
            )));
        }
        let stop = parse_time(&opts.stop, "stop")?;
        let measurements = TaskMaster::task_measurements(&def)
            .map_err(|e| ApiError::bad_request(e.to_string()))?;
        let path = self.dir.join(format!("{id}.srpl"));
        let writer = SrplWriter::create(&path)
            .map_err(|e| ApiError::internal(format!("failed to create recording file: {e}")))?;
        let now = self.engine.clock().now();
        let rec = RecordingRecord {
            id: id.clone(),
            rec_type: "stream".into(),
            data_path: path.display().to_string(),
            size: 0,
            date: now,
            error: String::new(),
            status: RUNNING.into(),
            progress: 0.0,
        };
        self.store.put(&id, &rec).map_err(store_err)?;
        let tap = Arc::new(StreamTap {
            dbrps: def
                .dbrps
                .iter()
                .map(|d| (d.db.clone(), d.rp.clone()))
                .collect(),
            measurements,
            out: Mutex::new(Some(writer)),
            error: Mutex::new(None),
        });
        let tap_id = self.engine.add_tap(tap.clone());
        let svc = self.clone();
        let spawned = std::thread::Builder::new()
            .name("kapa-record".into())
            .spawn(move || svc.finish_stream(rec, tap, tap_id, stop));
        if let Err(e) = spawned {
            self.engine.remove_tap(tap_id);
            return Err(ApiError::internal(format!(
                "failed to start recording: {e}"
            )));
        }
        self.get(&id)
    }

    /// The `[[influxdb]]` clusters, or Kapacitor-style error when none is configured.
    pub(crate) fn clusters(&self) -> Result<Arc<kapa_influxdb::Clusters>, ApiError> {
        self.engine
            .influxdb()
            .ok_or_else(|| ApiError::bad_request("InfluxDB is not configured"))
    }

    /// Saves a running record, then runs `work` in the background; its result (the file
    /// size) finishes the record.
    fn start_background(
        self: &Arc<Self>,
        id: &str,
        rec_type: &str,
        ext: &str,
        work: impl FnOnce(&Path) -> Result<u64, String> + Send + 'static,
    ) -> Result<RecordingView, ApiError> {
        if self.store.get(id).map_err(store_err)?.is_some() {
            return Err(ApiError::bad_request(format!(
                "recording {id} already exists"
            )));
        }
        let path = self.dir.join(format!("{id}.{ext}"));
        let rec = RecordingRecord {
            id: id.to_string(),
            rec_type: rec_type.into(),
            data_path: path.display().to_string(),
            size: 0,
            date: self.engine.clock().now(),
            error: String::new(),
            status: RUNNING.into(),
            progress: 0.0,
        };
        self.store.put(id, &rec).map_err(store_err)?;
        let svc = self.clone();
        let spawned = std::thread::Builder::new()
            .name("kapa-record".into())
            .spawn(move || {
                let result = work(&path);
                svc.finish(rec, result);
            });
        if let Err(e) = spawned {
            let _ = self.store.delete(id);
            return Err(ApiError::internal(format!(
                "failed to start recording: {e}"
            )));
        }
        self.get(id)
    }

    fn finish(&self, mut rec: RecordingRecord, result: Result<u64, String>) {
        if !matches!(self.store.get(&rec.id), Ok(Some(_))) {
            let _ = std::fs::remove_file(&rec.data_path);
            return;
        }
        rec.date = self.engine.clock().now();
        match result {
            Ok(size) => {
                rec.status = FINISHED.into();
                rec.size = i64::try_from(size).unwrap_or(i64::MAX);
                rec.progress = 1.0;
            }
            Err(e) => {
                tracing::error!(service = "replay", recording = %rec.id, err = %e, "recording failed");
                rec.status = FAILED.into();
                rec.error = e;
            }
        }
        if let Err(e) = self.store.put(&rec.id.clone(), &rec) {
            tracing::error!(service = "replay", recording = %rec.id, err = %e, "failed to save recording");
        }
    }

    /// `POST /recordings/batch`: runs the task's queries over `[start, stop]`.
    pub fn record_batch(self: &Arc<Self>, opts: BatchOptions) -> Result<RecordingView, ApiError> {
        let id = new_id(&opts.id, "recording")?;
        let def = self.tasks.task_def(&opts.task)?;
        if def.task_type != kapa_pipeline::TaskType::Batch {
            return Err(ApiError::bad_request(format!(
                "task {} is not a batch task",
                def.id
            )));
        }
        let start = parse_time(&opts.start, "start")?;
        let stop = parse_time(&opts.stop, "stop")?;
        if start > stop {
            return Err(ApiError::bad_request("start time must be before stop time"));
        }
        let clusters = self.clusters()?;
        self.start_background(&id, "batch", "brpl", move |path| {
            let sources = crate::recording_batch::query_task(&def, &clusters, start, stop)?;
            crate::brpl::write(path, &sources)
        })
    }

    /// `POST /recordings/query`: runs one query and saves it as a stream or batch recording.
    pub fn record_query(self: &Arc<Self>, opts: QueryOptions) -> Result<RecordingView, ApiError> {
        let id = new_id(&opts.id, "recording")?;
        let stream = match opts.rec_type.as_str() {
            "stream" => true,
            "batch" => false,
            _ => return Err(ApiError::bad_request("invalid JSON")),
        };
        if opts.query.is_empty() {
            return Err(ApiError::bad_request("must provide a query"));
        }
        let dbrp = if stream {
            Some(crate::recording_batch::query_dbrp(&opts.query).map_err(ApiError::bad_request)?)
        } else {
            None
        };
        let clusters = self.clusters()?;
        let (rec_type, ext) = if stream {
            ("stream", "srpl")
        } else {
            ("batch", "brpl")
        };
        self.start_background(&id, rec_type, ext, move |path| {
            let batches =
                crate::recording_batch::query_once(&clusters, &opts.cluster, &opts.query)?;
            match dbrp {
                None => crate::brpl::write(path, &[batches]),
                Some((db, rp)) => {
                    let mut points: Vec<Point> = batches
                        .iter()
                        .flat_map(crate::recording_batch::batch_points)
                        .collect();
                    points.sort_by_key(|p| p.time);
                    let io = |e: std::io::Error| format!("writing recording: {e}");
                    let mut w = SrplWriter::create(path).map_err(io)?;
                    for p in &points {
                        w.write(&db, &rp, p).map_err(io)?;
                    }
                    w.finish().map_err(io)
                }
            }
        })
    }

    /// Waits for the stop time (wall clock), then closes the file and the metadata.
    fn finish_stream(&self, rec: RecordingRecord, tap: Arc<StreamTap>, tap_id: u64, stop: i64) {
        let start = rec.date;
        let mut saved_at = start;
        loop {
            let now = self.engine.clock().now();
            if now >= stop {
                break;
            }
            // Deleted while running: stop early.
            if !matches!(self.store.get(&rec.id), Ok(Some(_))) {
                break;
            }
            // The elapsed share of the duration, saved twice a second for pollers.
            if now - saved_at >= 500_000_000 && stop > start {
                saved_at = now;
                let mut running = rec.clone();
                running.progress = (now - start) as f64 / (stop - start) as f64;
                let _ = self.store.put(&rec.id.clone(), &running);
            }
            let left = Duration::from_nanos(u64::try_from(stop - now).unwrap_or(0));
            std::thread::sleep(left.min(Duration::from_millis(100)));
        }
        self.engine.remove_tap(tap_id);
        let writer = tap.out.lock().take();
        let error = tap.error.lock().take();
        let result = match (writer, error) {
            (_, Some(e)) => Err(e),
            (Some(w), None) => w
                .finish()
                .map_err(|e| format!("failed to finish recording: {e}")),
            (None, None) => Err("recording stopped".to_string()),
        };
        self.finish(rec, result);
    }
}

/// The API view of a recording.
pub fn view(r: &RecordingRecord) -> RecordingView {
    RecordingView {
        link: Link {
            rel: "self",
            href: format!("{}/recordings/{}", crate::http::BASE, r.id),
        },
        id: r.id.clone(),
        rec_type: r.rec_type.clone(),
        size: r.size,
        date: format_time(r.date),
        error: r.error.clone(),
        status: r.status.clone(),
        progress: r.progress,
    }
}
