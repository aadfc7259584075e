//! Durable topic event states: the store the service writes through, and the background
//! writer that keeps disk commits off the engine's path.
//!
//! Publishing an event only records the new state in a pending set (one entry per topic and
//! event id, later states replace earlier ones) and wakes the writer thread. The writer
//! commits everything pending in one redb transaction. A commit with immediate durability
//! costs an fsync (milliseconds), far more than evaluating an alert, so committing inline
//! would cap alert throughput at the disk's fsync rate; coalescing keeps the pending set
//! bounded by the number of distinct events and the commit rate bounded by the disk.

use std::collections::HashMap;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kapa_storage::{EventStateRecord, TopicStateOp, TopicStateStore};
use parking_lot::{Condvar, Mutex};

/// Where the service keeps topic event states across restarts.
pub trait StateStore: Send + Sync + std::fmt::Debug + 'static {
    /// Every stored state with its topic.
    fn load(&self) -> Result<Vec<(String, EventStateRecord)>, String>;
    /// Applies the changes, in order, atomically.
    fn apply(&self, ops: &[TopicStateOp]) -> Result<(), String>;
}

impl StateStore for TopicStateStore {
    fn load(&self) -> Result<Vec<(String, EventStateRecord)>, String> {
        self.list_all().map_err(|e| e.to_string())
    }
    fn apply(&self, ops: &[TopicStateOp]) -> Result<(), String> {
        TopicStateStore::apply(self, ops).map_err(|e| e.to_string())
    }
}

#[derive(Debug, Default)]
struct Pending {
    ops: Vec<TopicStateOp>,
    /// Position in `ops` of the pending put of each (topic, id).
    puts: HashMap<(String, String), usize>,
    /// Changes accepted so far.
    queued: u64,
    /// Changes committed (or given up on) so far.
    written: u64,
    /// Commits that failed.
    failures: u64,
    stop: bool,
}

impl Pending {
    fn put(&mut self, topic: &str, state: EventStateRecord) {
        self.queued += 1;
        let key = (topic.to_string(), state.id.clone());
        if let Some(&i) = self.puts.get(&key)
            && let Some(TopicStateOp::Put { state: s, .. }) = self.ops.get_mut(i)
        {
            *s = state;
            return;
        }
        self.puts.insert(key, self.ops.len());
        self.ops.push(TopicStateOp::Put {
            topic: topic.to_string(),
            state,
        });
    }

    fn delete_topic(&mut self, topic: &str) {
        self.queued += 1;
        self.ops
            .retain(|op| !matches!(op, TopicStateOp::Put { topic: t, .. } if t == topic));
        self.ops.push(TopicStateOp::DeleteTopic(topic.to_string()));
        self.puts = self
            .ops
            .iter()
            .enumerate()
            .filter_map(|(i, op)| match op {
                TopicStateOp::Put { topic, state } => Some(((topic.clone(), state.id.clone()), i)),
                TopicStateOp::DeleteTopic(_) => None,
            })
            .collect();
    }
}

#[derive(Debug, Default)]
struct Shared {
    pending: Mutex<Pending>,
    /// Wakes the writer when there is work or it must stop.
    work: Condvar,
    /// Wakes flushers after a commit.
    done: Condvar,
}

/// The writer thread and its pending set; dropping it writes what is pending and stops.
#[derive(Debug)]
pub(crate) struct StateWriter {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl StateWriter {
    /// Starts the writer thread over `store`.
    pub(crate) fn spawn(store: Arc<dyn StateStore>) -> std::io::Result<Self> {
        let shared = Arc::new(Shared::default());
        let s = shared.clone();
        let thread = std::thread::Builder::new()
            .name("alert-state-writer".into())
            .spawn(move || run(&s, store.as_ref()))?;
        Ok(StateWriter {
            shared,
            thread: Some(thread),
        })
    }

    /// Records the new state of an event; never waits for the disk.
    pub(crate) fn put(&self, topic: &str, state: EventStateRecord) {
        self.shared.pending.lock().put(topic, state);
        self.shared.work.notify_one();
    }

    /// Removes every state of a topic (after the puts already recorded).
    pub(crate) fn delete_topic(&self, topic: &str) {
        self.shared.pending.lock().delete_topic(topic);
        self.shared.work.notify_one();
    }

    /// Waits until everything recorded before the call is committed; false on timeout.
    pub(crate) fn flush(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut p = self.shared.pending.lock();
        let target = p.queued;
        while p.written < target {
            if self.shared.done.wait_until(&mut p, deadline).timed_out() {
                return p.written >= target;
            }
        }
        true
    }

    /// Commits that failed since start.
    pub(crate) fn failures(&self) -> u64 {
        self.shared.pending.lock().failures
    }
}

impl Drop for StateWriter {
    fn drop(&mut self) {
        self.shared.pending.lock().stop = true;
        self.shared.work.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(shared: &Shared, store: &dyn StateStore) {
    loop {
        let (ops, target) = {
            let mut p = shared.pending.lock();
            while p.ops.is_empty() && !p.stop {
                shared.work.wait(&mut p);
            }
            if p.ops.is_empty() {
                return;
            }
            p.puts.clear();
            (std::mem::take(&mut p.ops), p.queued)
        };
        let result = store.apply(&ops);
        let mut p = shared.pending.lock();
        if let Err(e) = result {
            // The in-memory state stays right; only a restart would miss these changes.
            p.failures += 1;
            tracing::error!(service = "alert", err = %e, changes = ops.len(), "failed to store alert event states");
        }
        p.written = target;
        shared.done.notify_all();
    }
}
