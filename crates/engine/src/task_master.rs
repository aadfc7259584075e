//! The task master: starts and stops tasks, routes writes, and answers stats queries.

use std::collections::HashMap;
use std::sync::Arc;

use kapa_models::time::Clock;
use kapa_models::{Point, SeriesResult};
use kapa_pipeline::{Dbrp, NodeKind, Pipeline, TaskType, VarValue};
use parking_lot::{Mutex, RwLock};
use smol_str::SmolStr;

use crate::alert_event::AlertSink;
use crate::exec::{ExecutingTask, TaskHandle};
use crate::node::TaskCtx;
use crate::router::{Route, Router};
use crate::tap::WriteTap;
use crate::{EngineError, nodes};

/// Identity of this server, as alert templates see it (`.ServerInfo`).
#[derive(Debug, Clone, Default)]
pub struct ServerInfo {
    /// `hostname` from the config.
    pub hostname: String,
    /// Content of `cluster.id`.
    pub cluster_id: String,
    /// Content of `server.id`.
    pub server_id: String,
}

/// What the engine is built with.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// The clock (wall clock in the daemon, a manual clock in tests and replays).
    pub clock: Arc<dyn Clock>,
    /// Where alert events go.
    pub alerts: Arc<dyn AlertSink>,
    /// This server's identity.
    pub server: ServerInfo,
    /// Prefix of anonymous alert topics (`main` for the live task master).
    pub topic_prefix: String,
}

/// A task as stored: what is needed to run it.
#[derive(Debug, Clone)]
pub struct TaskDef {
    /// Task id.
    pub id: String,
    /// Stream or batch.
    pub task_type: TaskType,
    /// Databases and retention policies the task reads.
    pub dbrps: Vec<Dbrp>,
    /// The TICKscript.
    pub script: String,
    /// Values for the script's vars.
    pub vars: HashMap<String, VarValue>,
}

struct Entry {
    handle: TaskHandle,
    /// Whether a node of the task needs wall-clock ticks.
    ticking: bool,
    dbrps: Vec<Dbrp>,
    measurements: Option<Vec<SmolStr>>,
    /// The task writes back through kapacitorLoopback.
    loopback: bool,
}

/// Runs tasks and routes points to them.
#[derive(Debug)]
pub struct TaskMaster {
    cfg: EngineConfig,
    tasks: RwLock<HashMap<String, Entry>>,
    router: RwLock<Arc<Router>>,
    /// Points from kapacitorLoopback nodes waiting to be written.
    loopback: Arc<Mutex<Vec<(String, String, Point)>>>,
    /// Engine-wide idle-group expiry in ns (0 = off, Kapacitor's behaviour).
    group_expiry: std::sync::atomic::AtomicI64,
    /// Recording taps; `tapping` lets writes skip the lock when there is none.
    taps: RwLock<Vec<(u64, Arc<dyn WriteTap>)>>,
    tapping: std::sync::atomic::AtomicBool,
    next_tap: std::sync::atomic::AtomicU64,
    /// The `[[influxdb]]` clusters (batch queries, influxDBOut).
    influxdb: RwLock<Option<Arc<kapa_influxdb::Clusters>>>,
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry").field("dbrps", &self.dbrps).finish()
    }
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Router")
    }
}

/// The measurements a stream task reads: `None` when any `from` reads every measurement.
fn measurements(p: &Pipeline) -> Option<Vec<SmolStr>> {
    let mut out: Vec<SmolStr> = Vec::new();
    for n in &p.nodes {
        if let NodeKind::From(f) = &n.kind {
            if f.measurement.is_empty() {
                return None;
            }
            out.push(SmolStr::new(&f.measurement));
        }
    }
    out.sort();
    out.dedup();
    Some(out)
}

impl TaskMaster {
    /// A task master with no task.
    pub fn new(cfg: EngineConfig) -> Arc<TaskMaster> {
        Arc::new(TaskMaster {
            cfg,
            tasks: RwLock::new(HashMap::new()),
            router: RwLock::new(Arc::new(Router::default())),
            loopback: Arc::new(Mutex::new(Vec::new())),
            group_expiry: std::sync::atomic::AtomicI64::new(0),
            taps: RwLock::new(Vec::new()),
            tapping: std::sync::atomic::AtomicBool::new(false),
            next_tap: std::sync::atomic::AtomicU64::new(0),
            influxdb: RwLock::new(None),
        })
    }

    /// Compiles a task without starting it; returns the static DOT graph.
    pub fn validate(&self, def: &TaskDef) -> Result<String, EngineError> {
        let p = kapa_pipeline::compile(&def.script, def.task_type, &def.vars)?;
        nodes::check(&p)?;
        Ok(kapa_pipeline::dot(&p, &def.id))
    }

    /// Starts a task, replacing a running task with the same id.
    pub fn start_task(&self, def: &TaskDef) -> Result<(), EngineError> {
        let pipeline = kapa_pipeline::compile(&def.script, def.task_type, &def.vars)?;
        nodes::check(&pipeline)?;
        for n in &pipeline.nodes {
            if let NodeKind::Loopback(l) = &n.kind
                && let Some(d) = def
                    .dbrps
                    .iter()
                    .find(|d| d.db == l.database && d.rp == l.retention_policy)
            {
                return Err(EngineError::Node(format!(
                    "loop detected on dbrp: {{{} {}}}",
                    d.db, d.rp
                )));
            }
        }
        let ctx = TaskCtx {
            task: def.id.clone(),
            clock: self.cfg.clock.clone(),
            loopback: self.loopback.clone(),
            group_expiry: self.group_expiry.load(std::sync::atomic::Ordering::Relaxed),
            alerts: self.cfg.alerts.clone(),
            server: self.cfg.server.clone(),
            influxdb: self.influxdb.read().clone(),
        };
        let topic_prefix = format!("{}:{}", self.cfg.topic_prefix, def.id);
        let runtimes = nodes::create(&pipeline, &ctx, &topic_prefix, &self.cfg.clock)?;
        let measurements = match pipeline.task_type {
            TaskType::Stream => measurements(&pipeline),
            TaskType::Batch => Some(Vec::new()),
        };
        let loopback = pipeline
            .nodes
            .iter()
            .any(|n| matches!(n.kind, NodeKind::Loopback(_)));
        let exec = ExecutingTask::new(def.id.clone(), pipeline, runtimes, ctx);
        let entry = Entry {
            loopback,
            ticking: exec.wants_ticks(),
            handle: Arc::new(Mutex::new(exec)),
            dbrps: def.dbrps.clone(),
            measurements,
        };
        let old = self.tasks.write().insert(def.id.clone(), entry);
        if let Some(old) = old {
            old.handle.lock().stop();
        }
        self.rebuild_router();
        Ok(())
    }

    /// Stops a task; false when it was not running.
    pub fn stop_task(&self, id: &str) -> bool {
        let old = self.tasks.write().remove(id);
        match old {
            Some(e) => {
                self.rebuild_router();
                e.handle.lock().stop();
                true
            }
            None => false,
        }
    }

    fn rebuild_router(&self) {
        let tasks = self.tasks.read();
        let router = Router::build(tasks.values().map(|e| Route {
            task: &e.handle,
            dbrps: &e.dbrps,
            measurements: e.measurements.as_deref(),
            loopback: e.loopback,
        }));
        *self.router.write() = Arc::new(router);
    }

    /// True while the task runs.
    pub fn is_executing(&self, id: &str) -> bool {
        self.tasks.read().contains_key(id)
    }

    /// Ids of the running tasks.
    pub fn executing_ids(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.tasks.read().keys().cloned().collect();
        ids.sort();
        ids
    }

    /// The type of a running task.
    pub fn task_type(&self, id: &str) -> Option<TaskType> {
        self.with_task(id, |t| t.pipeline.task_type)
    }

    /// Number of running tasks.
    pub fn executing_tasks(&self) -> usize {
        self.tasks.read().len()
    }

    /// Processes written points; returns once every task has processed them.
    pub fn write_points(&self, db: &str, rp: &str, points: &[Point]) {
        if self.tapping.load(std::sync::atomic::Ordering::Relaxed) {
            for (_, tap) in self.taps.read().iter() {
                tap.on_write(db, rp, points);
            }
        }
        let router = self.router.read().clone();
        router.dispatch(db, rp, points);
        self.drain_loopback();
    }

    /// Writes the points kapacitorLoopback nodes queued; bounded so that tasks looping into
    /// each other cannot spin forever.
    fn drain_loopback(&self) {
        for _ in 0..16 {
            let queued = std::mem::take(&mut *self.loopback.lock());
            if queued.is_empty() {
                return;
            }
            let router = self.router.read().clone();
            for (db, rp, p) in queued {
                router.dispatch(&db, &rp, std::slice::from_ref(&p));
            }
        }
        let dropped = std::mem::take(&mut *self.loopback.lock()).len();
        if dropped > 0 {
            tracing::warn!(
                dropped,
                "kapacitorLoopback points dropped: tasks write back into each other in a loop"
            );
        }
    }

    fn with_task<T>(&self, id: &str, f: impl FnOnce(&mut ExecutingTask) -> T) -> Option<T> {
        let handle = self.tasks.read().get(id).map(|e| e.handle.clone())?;
        let mut guard = handle.lock();
        Some(f(&mut guard))
    }

    /// The DOT graph of a running task with live statistics.
    pub fn task_dot(&self, id: &str, labels: bool) -> Option<String> {
        self.with_task(id, |t| t.dot(labels))
    }

    /// The execution statistics of a running task.
    pub fn task_stats(&self, id: &str) -> Option<serde_json::Value> {
        self.with_task(id, |t| t.stats_json())
    }

    /// The latest result of a task's httpOut endpoint.
    pub fn http_out(&self, task_id: &str, endpoint: &str) -> Option<SeriesResult> {
        self.with_task(task_id, |t| t.http_out(endpoint)).flatten()
    }

    /// Sets the engine-wide idle-group expiry (ns; 0 turns it off) for tasks started afterwards.
    pub fn set_group_idle_expiry(&self, ns: i64) {
        self.group_expiry
            .store(ns.max(0), std::sync::atomic::Ordering::Relaxed);
    }

    /// Ticks every task that has time-driven nodes (barrier, stats, deadman) with the
    /// clock's current time.
    pub fn tick(&self) {
        let now = self.cfg.clock.now();
        let handles: Vec<TaskHandle> = self
            .tasks
            .read()
            .values()
            .filter(|e| e.ticking)
            .map(|e| e.handle.clone())
            .collect();
        for h in handles {
            h.lock().tick(now);
        }
        self.drain_loopback();
    }

    /// Starts a thread that calls `tick` every `every` until the task master is dropped.
    pub fn start_ticker(self: &Arc<Self>, every: std::time::Duration) {
        let weak = Arc::downgrade(self);
        let spawned = std::thread::Builder::new()
            .name("kapa-ticker".into())
            .spawn(move || {
                while let Some(tm) = weak.upgrade() {
                    tm.tick();
                    drop(tm);
                    std::thread::sleep(every);
                }
            });
        if let Err(e) = spawned {
            tracing::error!(err = %e, "cannot start the engine ticker; barrier and stats nodes will not fire");
        }
    }

    /// Adds a write tap; returns its id for `remove_tap`.
    pub fn add_tap(&self, tap: Arc<dyn WriteTap>) -> u64 {
        let id = self
            .next_tap
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut taps = self.taps.write();
        taps.push((id, tap));
        self.tapping
            .store(true, std::sync::atomic::Ordering::Relaxed);
        id
    }

    /// Removes a write tap; writes that return after this no longer reach it.
    pub fn remove_tap(&self, id: u64) {
        let mut taps = self.taps.write();
        taps.retain(|(i, _)| *i != id);
        self.tapping
            .store(!taps.is_empty(), std::sync::atomic::Ordering::Relaxed);
    }

    /// The measurements a stream task reads (`None`: every measurement), as its
    /// recordings filter them.
    pub fn task_measurements(def: &TaskDef) -> Result<Option<Vec<String>>, EngineError> {
        let p = kapa_pipeline::compile(&def.script, def.task_type, &def.vars)?;
        Ok(measurements(&p).map(|m| m.into_iter().map(|s| s.to_string()).collect()))
    }

    /// Sets the InfluxDB clusters used by tasks started afterwards.
    pub fn set_influxdb(&self, clusters: Arc<kapa_influxdb::Clusters>) {
        *self.influxdb.write() = Some(clusters);
    }

    /// The InfluxDB clusters, when configured.
    pub fn influxdb(&self) -> Option<Arc<kapa_influxdb::Clusters>> {
        self.influxdb.read().clone()
    }

    /// The query nodes of every running batch task.
    pub fn batch_sources(&self) -> Vec<crate::BatchSource> {
        let handles: Vec<TaskHandle> = self
            .tasks
            .read()
            .values()
            .filter(|e| e.measurements.as_ref().is_some_and(|m| m.is_empty()))
            .map(|e| e.handle.clone())
            .collect();
        let mut out = Vec::new();
        for h in handles {
            let t = h.lock();
            if t.pipeline.task_type != TaskType::Batch {
                continue;
            }
            for n in &t.pipeline.nodes {
                if let NodeKind::Query(spec) = &n.kind
                    && let Ok(query) = nodes::query::build_query(spec)
                {
                    out.push(crate::BatchSource {
                        task: t.id.clone(),
                        node: n.id,
                        node_name: n.name.clone(),
                        spec: (**spec).clone(),
                        query,
                        handle: h.clone(),
                    });
                }
            }
        }
        out
    }

    /// Runs batches through a batch source's node, then writes what kapacitorLoopback
    /// nodes queued.
    pub fn deliver_batches(&self, src: &crate::BatchSource, batches: &[crate::Batch]) {
        src.handle.lock().inject(src.node, batches);
        self.drain_loopback();
    }

    /// The clock the engine runs on.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.cfg.clock
    }
}

#[cfg(test)]
mod batch_tests;
#[cfg(test)]
mod tests;
