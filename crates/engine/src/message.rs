//! Messages flowing through a task: points with their group.

use std::sync::Arc;

use kapa_models::{GroupId, Point};
use smol_str::SmolStr;

/// The dimensions a group was built from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dimensions {
    /// Tag names, in groupBy order.
    pub tags: Vec<SmolStr>,
    /// Whether the measurement is part of the group.
    pub by_name: bool,
}

/// A group: its id and dimensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The group id (`nil` for ungrouped data).
    pub id: GroupId,
    /// The dimensions.
    pub dims: Arc<Dimensions>,
}

impl Group {
    /// The group of ungrouped data.
    pub fn nil() -> Self {
        Group {
            id: GroupId::nil(),
            dims: Arc::new(Dimensions::default()),
        }
    }
}

/// A point on its way through a task, borrowed from the write batch where possible.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PointMsg<'a> {
    pub point: &'a Point,
    pub group: &'a Group,
    pub db: &'a str,
    pub rp: &'a str,
}

/// A message on an edge: a point or a whole batch.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Msg<'a> {
    /// One point.
    Point(&'a PointMsg<'a>),
    /// One batch.
    Batch(&'a Batch),
    /// A barrier: data of the group up to this time is complete.
    Barrier(&'a Barrier),
    /// The group is gone: nodes drop its state.
    DeleteGroup(&'a Group),
}

/// A barrier message (mirrors Kapacitor's `BarrierMessage`).
#[derive(Debug, Clone, PartialEq)]
pub struct Barrier {
    /// The group it closes.
    pub group: Group,
    /// Everything of the group before this time has been seen.
    pub time: i64,
}

/// Maps keyed by group: seeded foldhash, much cheaper than SipHash per point and still
/// safe against crafted tag values.
pub(crate) type GroupMap<V> =
    std::collections::HashMap<kapa_models::GroupId, V, foldhash::fast::RandomState>;

/// One point of a batch: its own time, fields and (full) tags.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchPoint {
    /// Time in ns.
    pub time: i64,
    /// Fields.
    pub fields: kapa_models::Fields,
    /// Tags of the point (the group tags plus any others it had).
    pub tags: kapa_models::Tags,
}

/// A batch of points of one group, as a window or a batch query produces it.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch {
    /// Measurement name.
    pub name: SmolStr,
    /// The group.
    pub group: Group,
    /// The group's tags (dimension tag values only).
    pub tags: kapa_models::Tags,
    /// The batch's upper time bound (window end, query stop).
    pub tmax: i64,
    /// The points, in time order.
    pub points: crate::batch_points::BatchPoints,
}

impl Batch {
    /// The same batch without its points.
    pub(crate) fn clone_empty(&self) -> Batch {
        Batch {
            name: self.name.clone(),
            group: self.group.clone(),
            tags: self.tags.clone(),
            tmax: self.tmax,
            points: Default::default(),
        }
    }
}
