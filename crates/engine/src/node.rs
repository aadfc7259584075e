//! The node runtime interface and its statistics.

use std::sync::Arc;

use kapa_models::Point;

use crate::alert_event::AlertSink;
use crate::message::{Barrier, Batch, Group, PointMsg};
use crate::task_master::ServerInfo;

/// What a node hands to its children after processing a point.
pub(crate) enum Emit {
    /// Nothing.
    Drop,
    /// The input, unchanged.
    Same,
    /// A new point and/or a new group (`None` keeps the input's).
    Point {
        point: Option<Point>,
        group: Option<Group>,
    },
    /// A new batch.
    Batch(Batch),
    /// Several messages, in order.
    Many(Vec<Out>),
}

/// One message a node emits among several.
pub(crate) enum Out {
    /// A point with its group.
    Point { point: Point, group: Group },
    /// A batch.
    Batch(Batch),
    /// A barrier.
    Barrier(Barrier),
    /// A group deletion.
    DeleteGroup(Group),
}

/// What every node may use while processing.
pub(crate) struct TaskCtx {
    pub task: String,
    pub clock: Arc<dyn kapa_models::time::Clock>,
    /// Engine-wide idle-group expiry in ns (0 = off): groups without data for this long are
    /// closed with a barrier and deleted, as `barrier().idle(d).delete(TRUE)` would.
    pub group_expiry: i64,
    /// Points written back by kapacitorLoopback nodes, dispatched after the current write.
    pub loopback: Arc<parking_lot::Mutex<Vec<(String, String, Point)>>>,
    pub alerts: Arc<dyn AlertSink>,
    pub server: ServerInfo,
    /// The `[[influxdb]]` clusters (influxDBOut), when configured.
    pub influxdb: Option<Arc<kapa_influxdb::Clusters>>,
}

/// A node statistic value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Stat {
    Int(i64),
}

/// A node runtime. Mirrors a Kapacitor node's receiver for stream points.
pub(crate) trait Node: Send {
    /// Processes one point.
    fn point(&mut self, ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String>;
    /// Processes one batch.
    fn batch(&mut self, _ctx: &TaskCtx, _batch: &Batch) -> Result<Emit, String> {
        Err("this node does not accept batches".into())
    }
    /// Handles a barrier; by default it is passed on.
    fn barrier(&mut self, _ctx: &TaskCtx, _b: &Barrier) -> Result<Emit, String> {
        Ok(Emit::Same)
    }
    /// Drops the state of a deleted group; the deletion is passed on.
    fn delete_group(&mut self, _ctx: &TaskCtx, _group: &Group) -> Result<Emit, String> {
        Ok(Emit::Same)
    }
    /// True when the node needs wall-clock ticks (barrier, stats).
    fn wants_ticks(&self) -> bool {
        false
    }
    /// Called on every engine tick with the current time, for nodes that want ticks.
    fn tick(&mut self, _ctx: &TaskCtx, _now: i64) -> Result<Emit, String> {
        Ok(Emit::Drop)
    }
    /// The node whose per-group statistics this node reads (stats nodes).
    fn observes(&self) -> Option<usize> {
        None
    }
    /// Receives the observed node's per-group emitted counts before a tick.
    fn observed_stats(&mut self, _stats: Vec<(Group, kapa_models::Tags, u64)>) {}
    /// Processes a point from the parent at position `parent` (nodes with several parents,
    /// such as join and union, override this).
    fn point_from(
        &mut self,
        ctx: &TaskCtx,
        _parent: usize,
        msg: &PointMsg<'_>,
    ) -> Result<Emit, String> {
        self.point(ctx, msg)
    }
    /// Processes a batch from the parent at position `parent`.
    fn batch_from(&mut self, ctx: &TaskCtx, _parent: usize, batch: &Batch) -> Result<Emit, String> {
        self.batch(ctx, batch)
    }
    /// Node-specific statistics, appended as (name, value).
    fn stats(&self, _out: &mut Vec<(&'static str, Stat)>) {}
    /// Number of groups with state in this node.
    fn cardinality(&self) -> usize {
        0
    }
    /// The latest httpOut result, for httpOut nodes.
    fn http_out(&self) -> Option<(&str, kapa_models::SeriesResult)> {
        None
    }
    /// Called when the task stops.
    fn stop(&mut self, _ctx: &TaskCtx) {}
    /// A source node's run failed (batch queries); `connect` when InfluxDB was unreachable.
    fn source_error(&mut self, _connect: bool) {}
}
