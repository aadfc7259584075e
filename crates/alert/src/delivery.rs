//! Delivery of events to one handler: a bounded queue drained by the handler's own
//! thread, with retries of transient failures. Publishing only appends to the queue, so
//! a slow or dead endpoint never holds up the task that raised the alert.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kapa_engine::AlertEvent;
use parking_lot::{Condvar, Mutex};
use serde::Serialize;

use crate::handlers::{Deliver, Failure};

/// How transient failures are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per event, the first included; 1 means no retry.
    pub max_attempts: u32,
    /// Wait before the first retry; doubled for each following one.
    pub initial_backoff: Duration,
    /// Longest wait between two attempts computed by the doubling.
    pub max_backoff: Duration,
    /// No retry starts later than this after the first attempt.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// 10 attempts, waits 0.5s, 1s, 2s ... capped at 30s, at most 5 minutes per event.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 10,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_elapsed: Duration::from_secs(300),
        }
    }
}

/// Queue and retry settings shared by every handler of a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryConfig {
    /// Events waiting per handler; when full the oldest is dropped.
    pub queue_capacity: usize,
    /// Retries of transient failures.
    pub retry: RetryPolicy,
}

impl Default for DeliveryConfig {
    /// Kapacitor's `[alert] topic-buffer-length` default (5000) and the default retries.
    fn default() -> Self {
        DeliveryConfig {
            queue_capacity: 5000,
            retry: RetryPolicy::default(),
        }
    }
}

/// Counters of one handler, as `/debug/vars` reports them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HandlerStats {
    /// Topic the handler belongs to.
    pub topic: String,
    /// Position of the handler in its topic.
    pub index: usize,
    /// Handler kind (`log`, `post`, `tcp`, `exec`).
    pub kind: String,
    /// Events delivered.
    pub sent: u64,
    /// Events given up on (permanent failure or retries exhausted).
    pub failed: u64,
    /// Retry attempts made.
    pub retried: u64,
    /// Events dropped because the queue was full.
    pub dropped: u64,
    /// Events waiting now.
    pub queue_length: usize,
}

#[derive(Debug, Default)]
struct QueueState {
    events: VecDeque<Arc<AlertEvent>>,
    /// The thread is delivering an event it has taken off the queue.
    busy: bool,
    /// No more events will come; the thread exits once the queue is empty.
    closed: bool,
    /// The thread sleeps on `wake`: only then does a push need to wake it.
    waiting: bool,
}

/// Times the delivery thread yields, finding its queue empty, before it sleeps: under a
/// steady stream of events it then never sleeps, and publishing costs no wake-up call.
const YIELDS_BEFORE_SLEEP: u32 = 64;

#[derive(Debug, Default)]
struct Counters {
    sent: AtomicU64,
    failed: AtomicU64,
    retried: AtomicU64,
    dropped: AtomicU64,
}

#[derive(Debug)]
struct Shared {
    topic: String,
    index: usize,
    kind: &'static str,
    capacity: usize,
    state: Mutex<QueueState>,
    /// Signals new events (or closing) to the thread.
    wake: Condvar,
    /// Signals that the queue is empty and nothing is in flight.
    idle: Condvar,
    counters: Counters,
}

/// One handler's queue and delivery thread. Dropping it closes the queue: events
/// already queued are still delivered, then the thread ends.
#[derive(Debug)]
pub(crate) struct Worker {
    shared: Arc<Shared>,
}

impl Worker {
    /// Starts the delivery thread of `handler`.
    pub(crate) fn spawn(
        topic: &str,
        index: usize,
        handler: Box<dyn Deliver>,
        cfg: &DeliveryConfig,
    ) -> std::io::Result<Worker> {
        let shared = Arc::new(Shared {
            topic: topic.to_string(),
            index,
            kind: handler.kind(),
            capacity: cfg.queue_capacity.max(1),
            state: Mutex::new(QueueState::default()),
            wake: Condvar::new(),
            idle: Condvar::new(),
            counters: Counters::default(),
        });
        let thread_shared = shared.clone();
        let retry = cfg.retry;
        std::thread::Builder::new()
            .name(format!("alert-{}", handler.kind()))
            .spawn(move || run(&thread_shared, handler, retry))?;
        Ok(Worker { shared })
    }

    /// Queues an event; never waits for delivery.
    pub(crate) fn push(&self, event: Arc<AlertEvent>) {
        let s = &self.shared;
        let (dropped, waiting) = {
            let mut st = s.state.lock();
            let dropped = if st.events.len() >= s.capacity {
                st.events.pop_front()
            } else {
                None
            };
            st.events.push_back(event);
            (dropped, st.waiting)
        };
        if waiting {
            s.wake.notify_one();
        }
        if let Some(old) = dropped {
            let total = s.counters.dropped.fetch_add(1, Ordering::Relaxed) + 1;
            tracing::warn!(
                service = "alert",
                topic = %s.topic,
                handler = s.kind,
                event_id = %old.data.id,
                dropped_total = total,
                capacity = s.capacity,
                "handler queue full, dropped the oldest event"
            );
        }
    }

    /// The handler's counters.
    pub(crate) fn stats(&self) -> HandlerStats {
        let s = &self.shared;
        let queue_length = s.state.lock().events.len();
        HandlerStats {
            topic: s.topic.clone(),
            index: s.index,
            kind: s.kind.to_string(),
            sent: s.counters.sent.load(Ordering::Relaxed),
            failed: s.counters.failed.load(Ordering::Relaxed),
            retried: s.counters.retried.load(Ordering::Relaxed),
            dropped: s.counters.dropped.load(Ordering::Relaxed),
            queue_length,
        }
    }

    /// Waits until the queue is empty and no event is in flight; false on timeout.
    pub(crate) fn wait_idle(&self, deadline: Instant) -> bool {
        let s = &self.shared;
        let mut st = s.state.lock();
        while st.busy || !st.events.is_empty() {
            if s.idle.wait_until(&mut st, deadline).timed_out() {
                return !st.busy && st.events.is_empty();
            }
        }
        true
    }
}

impl Worker {
    /// Takes no more events; the thread ends once the queue is delivered.
    pub(crate) fn close(&self) {
        self.shared.state.lock().closed = true;
        self.shared.wake.notify_one();
    }

    /// Closed, with everything delivered.
    pub(crate) fn finished(&self) -> bool {
        let st = self.shared.state.lock();
        st.closed && !st.busy && st.events.is_empty()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.close();
    }
}

fn run(s: &Shared, mut handler: Box<dyn Deliver>, retry: RetryPolicy) {
    loop {
        let event = {
            let mut st = s.state.lock();
            st.busy = false;
            let mut yields = 0;
            loop {
                if let Some(e) = st.events.pop_front() {
                    st.busy = true;
                    break e;
                }
                s.idle.notify_all();
                if st.closed {
                    return;
                }
                if yields < YIELDS_BEFORE_SLEEP {
                    yields += 1;
                    parking_lot::MutexGuard::unlocked(&mut st, std::thread::yield_now);
                    continue;
                }
                st.waiting = true;
                s.wake.wait(&mut st);
                st.waiting = false;
            }
        };
        deliver(s, handler.as_mut(), &event, retry);
    }
}

/// Delivers one event, retrying transient failures by `retry`.
fn deliver(s: &Shared, handler: &mut dyn Deliver, event: &AlertEvent, retry: RetryPolicy) {
    let start = Instant::now();
    let mut backoff = retry.initial_backoff;
    let mut attempt = 1u32;
    loop {
        match handler.deliver(event) {
            Ok(()) => {
                s.counters.sent.fetch_add(1, Ordering::Relaxed);
                return;
            }
            Err(Failure::Permanent(reason)) => {
                s.counters.failed.fetch_add(1, Ordering::Relaxed);
                tracing::error!(
                    service = "alert",
                    topic = %s.topic,
                    handler = s.kind,
                    event_id = %event.data.id,
                    err = %reason,
                    "failed to deliver alert event; not retried"
                );
                return;
            }
            Err(Failure::Transient {
                reason,
                retry_after,
            }) => {
                // A server's Retry-After is honoured even past the doubling cap.
                let wait = retry_after.unwrap_or(backoff);
                let give_up =
                    attempt >= retry.max_attempts || start.elapsed() + wait > retry.max_elapsed;
                if give_up {
                    s.counters.failed.fetch_add(1, Ordering::Relaxed);
                    tracing::error!(
                        service = "alert",
                        topic = %s.topic,
                        handler = s.kind,
                        event_id = %event.data.id,
                        attempts = attempt,
                        err = %reason,
                        "failed to deliver alert event; giving up"
                    );
                    return;
                }
                s.counters.retried.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(
                    service = "alert",
                    topic = %s.topic,
                    handler = s.kind,
                    event_id = %event.data.id,
                    attempt,
                    retry_in = ?wait,
                    err = %reason,
                    "failed to deliver alert event; will retry"
                );
                std::thread::sleep(wait);
                backoff = (backoff * 2).min(retry.max_backoff);
                attempt += 1;
            }
        }
    }
}
