//! A buffered writer with its own thread: points queue up to a bounded number and are
//! written in order; while InfluxDB is down (connection errors, 5xx, 429) the oldest batch
//! is retried with backoff instead of being dropped. Only when the queue is full are the
//! oldest points dropped, counted and logged.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kapa_models::{Point, Precision};
use parking_lot::{Condvar, Mutex};

use crate::client::WriteTarget;
use crate::cluster::Cluster;

/// Counters of a writer.
#[derive(Debug, Default)]
pub struct WriterStats {
    /// Points InfluxDB accepted.
    pub points_written: AtomicU64,
    /// Failed write requests (each retry of a transient failure counts once).
    pub write_errors: AtomicU64,
    /// Points dropped: queue full, or rejected by InfluxDB (4xx).
    pub points_dropped: AtomicU64,
}

/// Tuning of a writer.
#[derive(Debug, Clone)]
pub struct WriterOptions {
    /// Most points queued before the oldest are dropped.
    pub max_queued_points: usize,
    /// First wait after a transient failure.
    pub initial_backoff: Duration,
    /// Longest wait between retries.
    pub max_backoff: Duration,
    /// A statement run (and retried) before the first write (`CREATE DATABASE ...`).
    pub setup: Option<(String, String)>,
    /// Name used in logs (task/node).
    pub name: String,
}

impl Default for WriterOptions {
    fn default() -> Self {
        WriterOptions {
            max_queued_points: 100_000,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(30),
            setup: None,
            name: String::new(),
        }
    }
}

struct Queue {
    batches: VecDeque<(WriteTarget, Vec<Point>)>,
    points: usize,
    closing: Option<Instant>,
    /// Whether the writer thread is in the middle of writing a batch.
    busy: bool,
}

struct Shared {
    q: Mutex<Queue>,
    cv: Condvar,
    stats: Arc<WriterStats>,
}

/// The writer handle; dropping it without [`BufferedWriter::close`] stops it at once.
pub struct BufferedWriter {
    shared: Arc<Shared>,
    thread: Option<std::thread::JoinHandle<()>>,
    max: usize,
    name: String,
}

impl std::fmt::Debug for BufferedWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BufferedWriter")
            .field("name", &self.name)
            .finish()
    }
}

impl BufferedWriter {
    /// Starts a writer to `cluster`.
    pub fn start(cluster: Arc<Cluster>, opts: WriterOptions) -> BufferedWriter {
        let shared = Arc::new(Shared {
            q: Mutex::new(Queue {
                batches: VecDeque::new(),
                points: 0,
                closing: None,
                busy: false,
            }),
            cv: Condvar::new(),
            stats: Arc::new(WriterStats::default()),
        });
        let max = opts.max_queued_points.max(1);
        let name = opts.name.clone();
        let s = shared.clone();
        let thread = std::thread::Builder::new()
            .name("kapa-influx-writer".into())
            .spawn(move || run(s, cluster, opts))
            .map_err(|e| tracing::error!(err = %e, "cannot start the InfluxDB writer thread"))
            .ok();
        BufferedWriter {
            shared,
            thread,
            max,
            name,
        }
    }

    /// The counters.
    pub fn stats(&self) -> Arc<WriterStats> {
        self.shared.stats.clone()
    }

    /// Points waiting to be written.
    pub fn queued_points(&self) -> usize {
        self.shared.q.lock().points
    }

    /// Queues points; never blocks. When the queue is full the oldest queued points go.
    pub fn push(&self, target: WriteTarget, points: Vec<Point>) {
        if points.is_empty() {
            return;
        }
        let mut q = self.shared.q.lock();
        q.points += points.len();
        q.batches.push_back((target, points));
        let mut dropped = 0usize;
        // The batch being written (front, while busy) is kept.
        let keep = usize::from(q.busy);
        while q.points > self.max && q.batches.len() > keep + 1 {
            let Some((_, old)) = q.batches.remove(keep) else {
                break;
            };
            q.points -= old.len();
            dropped += old.len();
        }
        drop(q);
        if dropped > 0 {
            self.shared
                .stats
                .points_dropped
                .fetch_add(dropped as u64, Ordering::Relaxed);
            tracing::warn!(writer = %self.name, dropped, "InfluxDB write queue full: oldest points dropped");
        }
        self.shared.cv.notify_all();
    }

    /// Writes what is queued, retrying for at most `grace`, then stops the thread.
    pub fn close(mut self, grace: Duration) {
        self.shared.q.lock().closing = Some(Instant::now() + grace);
        self.shared.cv.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Waits until the queue is empty or `timeout` passes; true when empty.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut q = self.shared.q.lock();
        while q.points > 0 || q.busy {
            if self.shared.cv.wait_until(&mut q, deadline).timed_out() {
                return q.points == 0 && !q.busy;
            }
        }
        true
    }
}

impl Drop for BufferedWriter {
    fn drop(&mut self) {
        if let Some(t) = self.thread.take() {
            self.shared.q.lock().closing = Some(Instant::now());
            self.shared.cv.notify_all();
            let _ = t.join();
        }
    }
}

/// Sleeps up to `d`, waking early when the writer is told to close; false when the close
/// deadline has passed.
fn backoff(s: &Shared, d: Duration) -> bool {
    let mut q = s.q.lock();
    let until = Instant::now() + d;
    let until = match q.closing {
        Some(c) => until.min(c),
        None => until,
    };
    let _ = s.cv.wait_until(&mut q, until);
    q.closing.is_none_or(|c| Instant::now() < c)
}

fn run(s: Arc<Shared>, cluster: Arc<Cluster>, opts: WriterOptions) {
    let mut setup = opts.setup.clone();
    let mut body = String::new();
    loop {
        let (target, points) = {
            let mut q = s.q.lock();
            loop {
                if let Some(front) = q.batches.pop_front() {
                    q.busy = true;
                    break front;
                }
                if q.closing.is_some() {
                    return;
                }
                s.cv.wait(&mut q);
            }
        };
        let mut wait = opts.initial_backoff;
        let mut gave_up = false;
        // The setup statement (CREATE DATABASE) must succeed before the first write.
        while let Some((db, stmt)) = &setup {
            match cluster.execute(db, stmt) {
                Ok(_) => setup = None,
                Err(e) => {
                    tracing::warn!(writer = %opts.name, err = %e, "InfluxDB setup statement failed; retrying");
                    if !backoff(&s, wait) {
                        gave_up = true;
                        break;
                    }
                    wait = (wait * 2).min(opts.max_backoff);
                }
            }
        }
        let precision = Precision::parse(if target.precision.is_empty() {
            "ns"
        } else {
            &target.precision
        })
        .unwrap_or(Precision::Nanosecond);
        body.clear();
        kapa_lineproto::format_points(&points, precision, &mut body);
        while !gave_up {
            match cluster.write(&target, body.as_bytes()) {
                Ok(()) => {
                    s.stats
                        .points_written
                        .fetch_add(points.len() as u64, Ordering::Relaxed);
                    break;
                }
                Err(e) if e.is_transient() => {
                    s.stats.write_errors.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(writer = %opts.name, err = %e, retry_in = ?wait, "InfluxDB write failed; retrying");
                    if !backoff(&s, wait) {
                        gave_up = true;
                        break;
                    }
                    wait = (wait * 2).min(opts.max_backoff);
                }
                Err(e) => {
                    s.stats.write_errors.fetch_add(1, Ordering::Relaxed);
                    s.stats
                        .points_dropped
                        .fetch_add(points.len() as u64, Ordering::Relaxed);
                    tracing::error!(writer = %opts.name, err = %e, points = points.len(), "InfluxDB rejected the write; points dropped");
                    break;
                }
            }
        }
        let mut q = s.q.lock();
        q.points -= points.len();
        q.busy = false;
        if gave_up {
            let lost = q.points + points.len();
            q.batches.clear();
            q.points = 0;
            s.stats
                .points_dropped
                .fetch_add(lost as u64, Ordering::Relaxed);
            tracing::error!(writer = %opts.name, points = lost, "InfluxDB unreachable at shutdown; queued points lost");
            s.cv.notify_all();
            return;
        }
        s.cv.notify_all();
    }
}
