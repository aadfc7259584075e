//! Runs the queries of batch tasks on their schedules and hands the results to the engine.
//!
//! One scheduler thread keeps the next run time of every query node of the running batch
//! tasks (re-read from the engine every second, so started and stopped tasks are picked up)
//! and queues due runs to a small pool of worker threads. At most
//! [`MAX_CONCURRENT_QUERIES`] queries run at once, so many tasks sharing a schedule queue
//! up instead of all hitting InfluxDB at the same instant, and a node whose previous run
//! is still going skips its turn (logged, never piled up). The queried range comes from the
//! scheduled time, not from when a worker gets to it, so a delayed run queries the same data.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kapa_engine::schedule::{Schedule, run_range};
use kapa_engine::{BatchSource, TaskMaster, to_batches};
use kapa_influxdb::{Clusters, InfluxError};
use parking_lot::{Condvar, Mutex};

/// Queries running at the same time, across all batch tasks.
pub const MAX_CONCURRENT_QUERIES: usize = 4;

/// How often the list of query nodes is re-read from the engine.
const REFRESH: i64 = 1_000_000_000;

struct Entry {
    src: BatchSource,
    schedule: Schedule,
    next: Option<i64>,
    running: Arc<AtomicBool>,
}

struct Job {
    src: BatchSource,
    at: i64,
    running: Arc<AtomicBool>,
}

#[derive(Default)]
struct State {
    stop: bool,
    jobs: VecDeque<Job>,
}

struct Shared {
    state: Mutex<State>,
    /// Wakes the scheduler (stop) and the workers (jobs, stop).
    cv: Condvar,
}

/// The running scheduler; [`BatchScheduler::stop`] ends its threads.
pub struct BatchScheduler {
    shared: Arc<Shared>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for BatchScheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BatchScheduler")
    }
}

impl BatchScheduler {
    /// Starts the scheduler and its workers.
    pub fn start(engine: Arc<TaskMaster>, clusters: Arc<Clusters>) -> BatchScheduler {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            cv: Condvar::new(),
        });
        let mut threads = Vec::new();
        for i in 0..MAX_CONCURRENT_QUERIES {
            let (s, e, c) = (shared.clone(), engine.clone(), clusters.clone());
            match std::thread::Builder::new()
                .name(format!("kapa-batch-{i}"))
                .spawn(move || worker(&s, &e, &c))
            {
                Ok(t) => threads.push(t),
                Err(e) => {
                    tracing::error!(service = "batch", err = %e, "cannot start a batch query worker")
                }
            }
        }
        let s = shared.clone();
        match std::thread::Builder::new()
            .name("kapa-batch-scheduler".into())
            .spawn(move || schedule_loop(&s, &engine))
        {
            Ok(t) => threads.push(t),
            Err(e) => {
                tracing::error!(service = "batch", err = %e, "cannot start the batch scheduler; batch tasks will not run")
            }
        }
        BatchScheduler { shared, threads }
    }

    /// Stops scheduling; running queries finish, queued ones are dropped.
    pub fn stop(mut self) {
        {
            let mut st = self.shared.state.lock();
            st.stop = true;
            st.jobs.clear();
        }
        self.shared.cv.notify_all();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn schedule_loop(shared: &Shared, engine: &TaskMaster) {
    let clock = engine.clock().clone();
    let mut entries: Vec<Entry> = Vec::new();
    let mut next_refresh = i64::MIN;
    loop {
        let now = clock.now();
        if now >= next_refresh {
            refresh(&mut entries, engine.batch_sources(), now);
            next_refresh = now + REFRESH;
        }
        let mut due = Vec::new();
        for e in &mut entries {
            let Some(at) = e.next else { continue };
            if at > now {
                continue;
            }
            if e.running.swap(true, Ordering::AcqRel) {
                tracing::warn!(
                    service = "batch", task = %e.src.task, node = %e.src.node_name,
                    "previous query still running; this run is skipped"
                );
            } else {
                due.push(Job {
                    src: e.src.clone(),
                    at,
                    running: e.running.clone(),
                });
            }
            // After a long pause (suspend, clock jump) resume from now, not run every
            // missed slot.
            let mut next = e.schedule.next(at);
            while let Some(n) = next
                && n <= now
            {
                next = e.schedule.next(n);
            }
            e.next = next;
        }
        let wake = entries
            .iter()
            .filter_map(|e| e.next)
            .min()
            .unwrap_or(i64::MAX)
            .min(next_refresh);
        let mut st = shared.state.lock();
        if st.stop {
            return;
        }
        if !due.is_empty() {
            st.jobs.extend(due);
            shared.cv.notify_all();
        }
        let wait = u64::try_from(wake.saturating_sub(clock.now())).unwrap_or(0);
        let _ = shared.cv.wait_for(
            &mut st,
            Duration::from_nanos(wait.clamp(1_000_000, 1_000_000_000)),
        );
        if st.stop {
            return;
        }
    }
}

/// Keeps the entries of nodes still running, adds new ones, forgets stopped ones.
fn refresh(entries: &mut Vec<Entry>, sources: Vec<BatchSource>, now: i64) {
    entries.retain(|e| sources.iter().any(|s| s.same_as(&e.src)));
    for src in sources {
        if entries.iter().any(|e| e.src.same_as(&src)) {
            continue;
        }
        match Schedule::from_spec(&src.spec) {
            Ok(schedule) => {
                let next = schedule.first(now);
                entries.push(Entry {
                    src,
                    schedule,
                    next,
                    running: Arc::new(AtomicBool::new(false)),
                });
            }
            Err(e) => {
                tracing::error!(service = "batch", task = %src.task, node = %src.node_name, err = %e, "invalid schedule")
            }
        }
    }
}

fn worker(shared: &Shared, engine: &TaskMaster, clusters: &Clusters) {
    loop {
        let job = {
            let mut st = shared.state.lock();
            loop {
                if st.stop {
                    return;
                }
                if let Some(j) = st.jobs.pop_front() {
                    break j;
                }
                shared.cv.wait(&mut st);
            }
        };
        run(&job, engine, clusters);
        job.running.store(false, Ordering::Release);
    }
}

/// One run: query the range of the scheduled time and deliver the batches.
fn run(job: &Job, engine: &TaskMaster, clusters: &Clusters) {
    let src = &job.src;
    if !src.is_live() {
        return;
    }
    let Some(cluster) = clusters.get(&src.spec.cluster) else {
        src.failed(false);
        tracing::error!(
            service = "batch", task = %src.task, node = %src.node_name,
            err = %Clusters::unknown(&src.spec.cluster),
            "InfluxDB not configured, cannot query InfluxDB for batch query"
        );
        return;
    };
    let (start, stop) = run_range(&src.spec, job.at);
    let mut q = src.query.clone();
    q.set_range(start, stop);
    let text = q.to_string();
    tracing::debug!(service = "batch", task = %src.task, node = %src.node_name, query = %text, "starting batch query");
    match cluster.query(&text) {
        Ok(results) => {
            let batches = to_batches(
                results,
                stop,
                q.is_grouped_by_time(),
                src.spec.group_by_measurement,
            );
            engine.deliver_batches(src, &batches);
        }
        Err(e) => {
            src.failed(matches!(e, InfluxError::Unavailable(_)));
            tracing::error!(
                service = "batch", task = %src.task, node = %src.node_name, query = %text, err = %e,
                "error executing query"
            );
        }
    }
}
