//! Replays (Kapacitor's `services/replay` replay half): a recording is run through a task
//! in an isolated task master (its own clock, its own alert topic prefix `<replay id>:`),
//! so live tasks and their httpOut endpoints never see the data. Alert handlers declared
//! by the task's alert nodes do receive the replay's alerts, as in Kapacitor.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kapa_engine::{AlertSink, EngineConfig, ServerInfo, TaskDef, TaskMaster};
use kapa_models::time::{Clock, ManualClock, SystemClock};
use kapa_storage::{JsonTable, ReplayRecord};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::http::ApiError;
use crate::recording::{FAILED, FINISHED, ListParams, RUNNING, RecordingService, new_id, select};
use crate::tasks::{Link, TaskService, format_time};

/// Fields of a replay in list answers.
const ALL_FIELDS: &[&str] = &[
    "link",
    "id",
    "task",
    "recording",
    "recording-time",
    "clock",
    "date",
    "error",
    "status",
    "progress",
    "stats",
];

/// A replay as the API shows it (field order of Kapacitor's `client.Replay`).
#[derive(Debug, Clone, Serialize)]
pub struct ReplayView {
    /// Self link.
    pub link: Link,
    /// Id.
    pub id: String,
    /// Task replayed to.
    pub task: String,
    /// Recording replayed.
    pub recording: String,
    /// Whether recorded times were kept.
    #[serde(rename = "recording-time")]
    pub recording_time: bool,
    /// `fast` or `real`.
    pub clock: String,
    /// RFC 3339 time of the last change.
    pub date: String,
    /// Why it failed.
    pub error: String,
    /// `running`, `finished` or `failed`.
    pub status: String,
    /// 0 to 1.
    pub progress: f64,
    /// The task's statistics at the end of the replay.
    pub stats: Value,
}

/// `POST /replays`.
#[derive(Debug, Clone, Deserialize)]
pub struct ReplayOptions {
    /// Replay id; random when empty.
    #[serde(default)]
    pub id: String,
    /// Task to replay to.
    #[serde(default)]
    pub task: String,
    /// Recording to replay.
    #[serde(default)]
    pub recording: String,
    /// Keep the recorded times instead of moving them to now.
    #[serde(rename = "recording-time", default)]
    pub recording_time: bool,
    /// `fast` (default) or `real`.
    #[serde(default)]
    pub clock: String,
}

/// `POST /replays/batch`: the task's queries over a range, replayed without a recording.
#[derive(Debug, Clone, Deserialize)]
pub struct LiveBatchOptions {
    /// Replay id; random when empty.
    #[serde(default)]
    pub id: String,
    /// Batch task.
    #[serde(default)]
    pub task: String,
    /// RFC 3339 start.
    #[serde(default)]
    pub start: String,
    /// RFC 3339 stop.
    #[serde(default)]
    pub stop: String,
    /// Keep the queried times.
    #[serde(rename = "recording-time", default)]
    pub recording_time: bool,
    /// `fast` or `real`.
    #[serde(default)]
    pub clock: String,
}

/// `POST /replays/query`: one query's result replayed without a recording.
#[derive(Debug, Clone, Deserialize)]
pub struct LiveQueryOptions {
    /// Replay id; random when empty.
    #[serde(default)]
    pub id: String,
    /// Task (stream: the result's points; batch: its first query node).
    #[serde(default)]
    pub task: String,
    /// The InfluxQL query.
    #[serde(default)]
    pub query: String,
    /// Named cluster; the default when empty.
    #[serde(default)]
    pub cluster: String,
    /// Keep the queried times.
    #[serde(rename = "recording-time", default)]
    pub recording_time: bool,
    /// `fast` or `real`.
    #[serde(default)]
    pub clock: String,
}

/// What a replay runs.
enum Input {
    /// A recording file.
    File { path: String, batch: bool },
    /// The task's queries over a range.
    Range { start: i64, stop: i64 },
    /// One query.
    Query { query: String, cluster: String },
}

/// How far a running replay has got: units done of a total (file bytes, batches or points).
#[derive(Debug, Default)]
pub struct Progress {
    done: AtomicU64,
    total: AtomicU64,
}

impl Progress {
    /// The share done, 0 to 1 (0 while the total is unknown).
    pub fn fraction(&self) -> f64 {
        let total = self.total.load(Ordering::Relaxed);
        if total == 0 {
            return 0.0;
        }
        (self.done.load(Ordering::Relaxed) as f64 / total as f64).min(1.0)
    }

    fn start(&self, total: u64) {
        self.done.store(0, Ordering::Relaxed);
        self.total.store(total, Ordering::Relaxed);
    }

    fn step(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
}

/// How a recording is run through a task.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Keep the recorded times (`-rec-time`).
    pub recording_time: bool,
    /// Wait for the recorded gaps between points (`-real-clock`).
    pub real_clock: bool,
    /// The replay's zero time (ns): the first point is moved here unless `recording_time`.
    pub zero: i64,
    /// Where the run reports how far it has got.
    pub progress: Arc<Progress>,
}

/// Runs a stream recording through a task master that runs the replayed task.
///
/// Time is taken from the points: for each point `wait = time + (zero - first time)`; the
/// engine clock is set to `wait` (the fast clock) or the call sleeps until the wall clock
/// reaches it (the real clock). Unless `recording_time`, the point's time becomes `wait`.
/// Returns the number of points replayed.
pub fn run_stream(
    tm: &TaskMaster,
    clock: &ManualClock,
    path: &Path,
    opts: RunOptions,
) -> Result<u64, String> {
    let mut diff: Option<i64> = None;
    let mut count = 0u64;
    let wall_start = Instant::now();
    // Progress is points replayed of the recording's points, counted on another thread
    // so the replay starts at once (0 until the count is known).
    opts.progress.start(0);
    let (counted, progress) = (path.to_path_buf(), opts.progress.clone());
    let _ = std::thread::Builder::new()
        .name("kapa-replay-count".into())
        .spawn(move || {
            if let Ok(n) = crate::srpl::count_points(&counted) {
                progress.total.store(n, Ordering::Relaxed);
            }
        });
    crate::srpl::read::<String>(path, |db, rp, points| {
        let Some(first) = points.first() else {
            return Ok(());
        };
        let d = *diff.get_or_insert(opts.zero - first.time);
        count += points.len() as u64;
        if opts.real_clock {
            for p in points.iter_mut() {
                let wait = p.time + d;
                let due = Duration::from_nanos(u64::try_from(wait - opts.zero).unwrap_or(0));
                if let Some(left) = due.checked_sub(wall_start.elapsed()) {
                    std::thread::sleep(left);
                }
                if !opts.recording_time {
                    p.time = wait;
                }
                clock.set(wait);
                tm.write_points(db, rp, std::slice::from_ref(p));
                tm.tick();
                opts.progress.step();
            }
            return Ok(());
        }
        let mut last = first.time;
        for p in points.iter_mut() {
            last = p.time;
            if !opts.recording_time {
                p.time += d;
            }
        }
        clock.set(last + d);
        tm.write_points(db, rp, points);
        tm.tick();
        opts.progress
            .done
            .fetch_add(points.len() as u64, Ordering::Relaxed);
        Ok(())
    })?;
    Ok(count)
}

/// Runs a batch recording through a batch task: recorded source `i` feeds the task's
/// `i`-th query node. As in Kapacitor each source is moved so that its first point is at
/// `zero` (unless `recording_time`), a batch's `tmax` becomes the later of its recorded
/// `tmax` and its last point, and an empty batch keeps the previous `tmax`. Batches of all
/// sources are delivered in `tmax` order. Returns the number of points replayed.
pub fn run_batches(
    tm: &TaskMaster,
    clock: &ManualClock,
    path: &Path,
    opts: RunOptions,
) -> Result<u64, String> {
    replay_batches(tm, clock, crate::brpl::read(path)?, opts)
}

/// Runs batches (one list per query node) through a batch task, as [`run_batches`].
pub fn replay_batches(
    tm: &TaskMaster,
    clock: &ManualClock,
    sources: Vec<Vec<kapa_engine::Batch>>,
    opts: RunOptions,
) -> Result<u64, String> {
    let nodes = tm.batch_sources();
    if sources.len() > nodes.len() {
        return Err(format!(
            "the recording has {} batch sources, the task has {} query nodes",
            sources.len(),
            nodes.len()
        ));
    }
    let mut queue: Vec<(i64, usize, kapa_engine::Batch)> = Vec::new();
    for (i, batches) in sources.into_iter().enumerate() {
        let first = batches
            .iter()
            .find_map(|b| b.points.first().map(|p| p.time));
        let diff = first.map(|f| opts.zero - f).unwrap_or(0);
        let mut prev_tmax = opts.zero;
        for mut b in batches {
            if b.points.is_empty() {
                b.tmax = prev_tmax;
            } else {
                let shift = if opts.recording_time { 0 } else { diff };
                for p in &mut b.points {
                    p.time += shift;
                }
                b.tmax += shift;
                let last = b.points.last().map(|p| p.time).unwrap_or(b.tmax);
                b.tmax = b.tmax.max(last);
            }
            prev_tmax = b.tmax;
            // The wait is measured on the shifted time even with the recorded times kept.
            let wait = if opts.recording_time {
                b.tmax + diff
            } else {
                b.tmax
            };
            queue.push((wait, i, b));
        }
    }
    queue.sort_by_key(|(wait, i, _)| (*wait, *i));
    opts.progress.start(queue.len() as u64);
    let wall_start = Instant::now();
    let mut count = 0u64;
    for (wait, i, b) in queue {
        if opts.real_clock {
            let due = Duration::from_nanos(u64::try_from(wait - opts.zero).unwrap_or(0));
            if let Some(left) = due.checked_sub(wall_start.elapsed()) {
                std::thread::sleep(left);
            }
        }
        count += b.points.len() as u64;
        clock.set(wait);
        tm.deliver_batches(&nodes[i], std::slice::from_ref(&b));
        tm.tick();
        opts.progress.step();
    }
    Ok(count)
}

fn parse_clock(clock: &str) -> Result<bool, ApiError> {
    match clock {
        "" | "fast" => Ok(false),
        "real" => Ok(true),
        _ => Err(ApiError::bad_request("invalid JSON")),
    }
}

fn store_err(e: kapa_storage::StorageError) -> ApiError {
    ApiError::internal(e.to_string())
}

/// Replays: metadata in redb, each replay run on its own thread.
#[derive(Debug)]
pub struct ReplayService {
    store: JsonTable<ReplayRecord>,
    recordings: Arc<RecordingService>,
    tasks: Arc<TaskService>,
    alerts: Arc<kapa_alert::AlertService>,
    server: ServerInfo,
    /// The engines of the replays now running, for `GET /tasks/{id}?replay-id=`.
    running: parking_lot::Mutex<std::collections::HashMap<String, Arc<TaskMaster>>>,
    /// How far the running replays have got.
    progress: parking_lot::Mutex<std::collections::HashMap<String, Arc<Progress>>>,
}

impl ReplayService {
    /// A service replaying into tasks with the given alert service.
    pub fn new(
        store: JsonTable<ReplayRecord>,
        recordings: Arc<RecordingService>,
        tasks: Arc<TaskService>,
        alerts: Arc<kapa_alert::AlertService>,
        server: ServerInfo,
    ) -> Self {
        ReplayService {
            store,
            recordings,
            tasks,
            alerts,
            server,
            running: parking_lot::Mutex::new(std::collections::HashMap::new()),
            progress: parking_lot::Mutex::new(std::collections::HashMap::new()),
        }
    }

    /// The engine of a running replay.
    pub fn engine_of(&self, replay_id: &str) -> Option<Arc<TaskMaster>> {
        self.running.lock().get(replay_id).cloned()
    }

    /// Replays left `running` by a previous process: mark them failed.
    pub fn fail_interrupted(&self) {
        if let Ok(list) = self.store.list() {
            for mut r in list.into_iter().filter(|r| r.status == RUNNING) {
                r.status = FAILED.into();
                r.error = "replay interrupted: the server stopped".into();
                let _ = self.store.put(&r.id.clone(), &r);
            }
        }
    }

    /// `GET /replays/{id}`.
    pub fn get(&self, id: &str) -> Result<ReplayView, ApiError> {
        let r = self
            .store
            .get(id)
            .map_err(store_err)?
            .ok_or_else(|| ApiError::not_found("no replay exists"))?;
        Ok(view(&self.live(r)))
    }

    /// A stored replay with the progress of its run, while it runs.
    fn live(&self, mut r: ReplayRecord) -> ReplayRecord {
        if r.status == RUNNING
            && let Some(p) = self.progress.lock().get(&r.id)
        {
            r.progress = p.fraction();
        }
        r
    }

    /// `GET /replays`.
    pub fn list(&self, params: &ListParams) -> Result<Vec<BTreeMap<String, Value>>, ApiError> {
        let items = self
            .store
            .list()
            .map_err(store_err)?
            .into_iter()
            .map(|r| (r.id.clone(), view(&self.live(r))))
            .collect();
        select("replays", items, params, ALL_FIELDS)
    }

    /// `DELETE /replays/{id}`; absent ones are no error.
    pub fn delete(&self, id: &str) -> Result<(), ApiError> {
        self.store.delete(id).map_err(store_err)?;
        Ok(())
    }

    /// `POST /replays/batch`.
    pub fn create_batch(self: &Arc<Self>, opts: LiveBatchOptions) -> Result<ReplayView, ApiError> {
        let id = new_id(&opts.id, "replay")?;
        let real_clock = parse_clock(&opts.clock)?;
        let def = self.tasks.task_def(&opts.task)?;
        if def.task_type != kapa_pipeline::TaskType::Batch {
            return Err(ApiError::bad_request(format!(
                "task {} is not a batch task",
                def.id
            )));
        }
        let start = crate::recording::parse_time(&opts.start, "start")?;
        let stop = crate::recording::parse_time(&opts.stop, "stop")?;
        self.recordings.clusters()?;
        self.launch(
            id,
            def,
            String::new(),
            opts.recording_time,
            real_clock,
            Input::Range { start, stop },
        )
    }

    /// `POST /replays/query`.
    pub fn create_query(self: &Arc<Self>, opts: LiveQueryOptions) -> Result<ReplayView, ApiError> {
        let id = new_id(&opts.id, "replay")?;
        let real_clock = parse_clock(&opts.clock)?;
        let def = self.tasks.task_def(&opts.task)?;
        if opts.query.is_empty() {
            return Err(ApiError::bad_request("must provide a query"));
        }
        kapa_influxdb::influxql::Query::parse(&opts.query)
            .map_err(|e| ApiError::bad_request(format!("invalid query: {e}")))?;
        self.recordings.clusters()?;
        let input = Input::Query {
            query: opts.query,
            cluster: opts.cluster,
        };
        self.launch(
            id,
            def,
            String::new(),
            opts.recording_time,
            real_clock,
            input,
        )
    }

    /// `POST /replays`: starts the replay in the background.
    pub fn create(self: &Arc<Self>, opts: ReplayOptions) -> Result<ReplayView, ApiError> {
        let id = new_id(&opts.id, "replay")?;
        let real_clock = parse_clock(&opts.clock)?;
        let def = self.tasks.task_def(&opts.task)?;
        let recording = self.recordings.record(&opts.recording)?;
        if recording.status != FINISHED {
            return Err(ApiError::bad_request(format!(
                "recording {} is {}, only finished recordings can be replayed",
                recording.id, recording.status
            )));
        }
        if recording.rec_type != def.task_type.as_str() {
            return Err(ApiError::bad_request(format!(
                "recording {} is a {} recording, task {} is a {} task",
                recording.id,
                recording.rec_type,
                def.id,
                def.task_type.as_str()
            )));
        }
        let input = Input::File {
            path: recording.data_path.clone(),
            batch: recording.rec_type == "batch",
        };
        self.launch(
            id,
            def,
            recording.id,
            opts.recording_time,
            real_clock,
            input,
        )
    }

    fn launch(
        self: &Arc<Self>,
        id: String,
        def: TaskDef,
        recording: String,
        recording_time: bool,
        real_clock: bool,
        input: Input,
    ) -> Result<ReplayView, ApiError> {
        if self.store.get(&id).map_err(store_err)?.is_some() {
            return Err(ApiError::bad_request(format!("replay {id} already exists")));
        }
        let zero = SystemClock.now();
        let rec = ReplayRecord {
            id: id.clone(),
            task: def.id.clone(),
            recording,
            recording_time,
            clock: if real_clock { "real" } else { "fast" }.into(),
            date: zero,
            error: String::new(),
            status: RUNNING.into(),
            progress: 0.0,
            stats: serde_json::json!({}),
        };
        self.store.put(&id, &rec).map_err(store_err)?;
        let progress = Arc::new(Progress::default());
        self.progress.lock().insert(id.clone(), progress.clone());
        let run = RunOptions {
            recording_time,
            real_clock,
            zero,
            progress,
        };
        let clock = Arc::new(ManualClock::new(zero));
        let tm = self.engine(&id, clock.clone());
        tm.start_task(&def).map_err(|e| {
            let _ = self.store.delete(&id);
            ApiError::bad_request(format!("failed to start task {}: {e}", def.id))
        })?;
        // Registered before the answer, so `?replay-id=` finds it at once.
        self.running.lock().insert(id.clone(), tm.clone());
        let svc = self.clone();
        let spawned = std::thread::Builder::new()
            .name("kapa-replay".into())
            .spawn(move || svc.run(rec, def, input, run, tm, clock));
        if let Err(e) = spawned {
            self.running.lock().remove(&id);
            self.progress.lock().remove(&id);
            let _ = self.store.delete(&id);
            return Err(ApiError::internal(format!("failed to start replay: {e}")));
        }
        self.get(&id)
    }

    /// Runs the replay's input through the task.
    fn feed(
        &self,
        tm: &TaskMaster,
        clock: &ManualClock,
        def: &TaskDef,
        input: Input,
        opts: RunOptions,
    ) -> Result<u64, String> {
        let clusters = || self.recordings.clusters().map_err(|e| e.message);
        match input {
            Input::File { path, batch: true } => run_batches(tm, clock, Path::new(&path), opts),
            Input::File { path, batch: false } => run_stream(tm, clock, Path::new(&path), opts),
            Input::Range { start, stop } => {
                let sources = crate::recording_batch::query_task(def, &*clusters()?, start, stop)?;
                replay_batches(tm, clock, sources, opts)
            }
            Input::Query { query, cluster } => {
                let batches = crate::recording_batch::query_once(&*clusters()?, &cluster, &query)?;
                if def.task_type == kapa_pipeline::TaskType::Batch {
                    return replay_batches(tm, clock, vec![batches], opts);
                }
                let (db, rp) = crate::recording_batch::query_dbrp(&query)?;
                let mut points: Vec<kapa_models::Point> = batches
                    .iter()
                    .flat_map(crate::recording_batch::batch_points)
                    .collect();
                points.sort_by_key(|p| p.time);
                let Some(first) = points.first().map(|p| p.time) else {
                    return Ok(0);
                };
                let diff = opts.zero - first;
                let n = points.len() as u64;
                opts.progress.start(n);
                for mut p in points {
                    let wait = p.time + diff;
                    if !opts.recording_time {
                        p.time = wait;
                    }
                    clock.set(wait);
                    tm.write_points(&db, &rp, std::slice::from_ref(&p));
                    tm.tick();
                    opts.progress.step();
                }
                Ok(n)
            }
        }
    }

    /// The isolated task master a replay runs in.
    fn engine(&self, replay_id: &str, clock: Arc<ManualClock>) -> Arc<TaskMaster> {
        TaskMaster::new(EngineConfig {
            clock,
            alerts: self.alerts.clone() as Arc<dyn AlertSink>,
            server: self.server.clone(),
            topic_prefix: replay_id.to_string(),
        })
    }

    fn run(
        &self,
        mut rec: ReplayRecord,
        def: TaskDef,
        input: Input,
        opts: RunOptions,
        tm: Arc<TaskMaster>,
        clock: Arc<ManualClock>,
    ) {
        let result = self.feed(&tm, &clock, &def, input, opts);
        if let Some(stats) = tm.task_stats(&def.id) {
            rec.stats = stats;
        }
        self.running.lock().remove(&rec.id);
        self.progress.lock().remove(&rec.id);
        tm.stop_task(&def.id);
        // The replay's anonymous topics go with it; handlers have their events queued.
        self.alerts
            .delete_topics_with_prefix(&format!("{}:", rec.id));
        rec.date = SystemClock.now();
        match result {
            Ok(n) => {
                tracing::info!(service = "replay", replay = %rec.id, task = %def.id, points = n, "replay finished");
                rec.status = FINISHED.into();
                rec.progress = 1.0;
            }
            Err(e) => {
                tracing::error!(service = "replay", replay = %rec.id, err = %e, "replay failed");
                rec.status = FAILED.into();
                rec.error = e;
            }
        }
        // A replay deleted while it ran stays deleted.
        if matches!(self.store.get(&rec.id), Ok(Some(_)))
            && let Err(e) = self.store.put(&rec.id.clone(), &rec)
        {
            tracing::error!(service = "replay", replay = %rec.id, err = %e, "failed to save replay");
        }
    }
}

/// The API view of a replay.
pub fn view(r: &ReplayRecord) -> ReplayView {
    ReplayView {
        link: Link {
            rel: "self",
            href: format!("{}/replays/{}", crate::http::BASE, r.id),
        },
        id: r.id.clone(),
        task: r.task.clone(),
        recording: r.recording.clone(),
        recording_time: r.recording_time,
        clock: r.clock.clone(),
        date: format_time(r.date),
        error: r.error.clone(),
        status: r.status.clone(),
        progress: r.progress,
        stats: if r.stats.is_object() {
            r.stats.clone()
        } else {
            serde_json::json!({})
        },
    }
}
