//! Write taps: observers of the points written to a task master (stream recordings).

use kapa_models::Point;

/// Sees every batch of points written to the task master, before the tasks do.
///
/// Taps run on the write path, so they must be quick; a recording appends to a buffer.
pub trait WriteTap: Send + Sync + std::fmt::Debug {
    /// Called with the points of one write to `db`/`rp`.
    fn on_write(&self, db: &str, rp: &str, points: &[Point]);
}
