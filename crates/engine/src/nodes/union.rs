//! `|union(nodes...)` runtime (mirrors union.go): the messages of every parent, in time
//! order across parents, optionally renamed.
//!
//! Each parent's messages are queued; once every parent has sent something, messages up to
//! the low-water mark (the oldest time any parent is known to be at) are emitted.

use std::collections::VecDeque;

use kapa_models::{GroupId, Point};
use kapa_pipeline::nodes::UnionSpec;
use smol_str::SmolStr;

use super::join::ZERO;
use crate::message::{Barrier, Batch, Group, PointMsg};
use crate::node::{Emit, Node, Out, TaskCtx};

enum Item {
    Point { point: Point, group: Group },
    Batch(Batch),
    Barrier(Barrier),
}

impl Item {
    fn time(&self) -> i64 {
        match self {
            Item::Point { point, .. } => point.time,
            Item::Batch(b) => b.tmax,
            Item::Barrier(b) => b.time,
        }
    }

    fn into_out(self) -> Out {
        match self {
            Item::Point { point, group } => Out::Point { point, group },
            Item::Batch(b) => Out::Batch(b),
            Item::Barrier(b) => Out::Barrier(b),
        }
    }
}

pub(crate) struct UnionNode {
    rename: SmolStr,
    sources: Vec<VecDeque<Item>>,
    low_marks: Vec<i64>,
}

impl UnionNode {
    /// A union of `parents` parents: nothing is emitted before each has sent something.
    pub(crate) fn with_parents(spec: UnionSpec, parents: usize) -> Self {
        UnionNode {
            rename: SmolStr::new(&spec.rename),
            sources: (0..parents).map(|_| VecDeque::new()).collect(),
            low_marks: vec![ZERO; parents],
        }
    }

    fn queue(&mut self, src: usize, item: Item) -> Emit {
        if src >= self.sources.len() {
            self.sources.resize_with(src + 1, VecDeque::new);
            self.low_marks.resize(src + 1, ZERO);
        }
        self.sources[src].push_back(item);
        self.emit_ready()
    }

    fn emit_ready(&mut self) -> Emit {
        let mut out = Vec::new();
        let mut emitted = true;
        while emitted {
            emitted = false;
            let mut mark = ZERO;
            let mut valid = 0;
            for (queue, low) in self.sources.iter().zip(self.low_marks.iter_mut()) {
                if let Some(front) = queue.front() {
                    let t = front.time();
                    if mark == ZERO || t < mark {
                        mark = t;
                    }
                    *low = t;
                }
                // A parent with nothing queued holds the mark at the last time it was at.
                if *low != ZERO {
                    valid += 1;
                    if mark == ZERO || *low < mark {
                        mark = *low;
                    }
                }
            }
            if valid != self.sources.len() {
                break;
            }
            // Kapacitor links the node `union` is called on as the last parent: at equal
            // times, the argument nodes' messages go first.
            let n = self.sources.len();
            for i in (1..n).chain(0..n.min(1)) {
                let queue = &mut self.sources[i];
                while queue.front().is_some_and(|m| m.time() <= mark) {
                    if let Some(m) = queue.pop_front() {
                        out.push(m.into_out());
                        emitted = true;
                    }
                }
            }
        }
        if out.is_empty() {
            Emit::Drop
        } else {
            Emit::Many(out)
        }
    }

    fn renamed(&self, group: &Group, tags: &kapa_models::Tags) -> Option<(SmolStr, Group)> {
        if self.rename.is_empty() {
            return None;
        }
        // The measurement is part of the group id only when grouping by measurement.
        let group = if group.dims.by_name {
            let id = GroupId::build(&self.rename, tags, &group.dims.tags, true);
            Group {
                id,
                dims: group.dims.clone(),
            }
        } else {
            group.clone()
        };
        Some((self.rename.clone(), group))
    }
}

impl Node for UnionNode {
    fn point(&mut self, ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        self.point_from(ctx, 0, msg)
    }

    fn point_from(
        &mut self,
        _ctx: &TaskCtx,
        parent: usize,
        msg: &PointMsg<'_>,
    ) -> Result<Emit, String> {
        let mut point = msg.point.clone();
        let mut group = msg.group.clone();
        if let Some((name, g)) = self.renamed(&group, &point.tags) {
            point.name = name;
            group = g;
        }
        Ok(self.queue(parent, Item::Point { point, group }))
    }

    fn batch(&mut self, ctx: &TaskCtx, batch: &Batch) -> Result<Emit, String> {
        self.batch_from(ctx, 0, batch)
    }

    fn batch_from(&mut self, _ctx: &TaskCtx, parent: usize, batch: &Batch) -> Result<Emit, String> {
        let mut b = batch.clone();
        if let Some((name, g)) = self.renamed(&b.group, &b.tags) {
            b.name = name;
            b.group = g;
        }
        Ok(self.queue(parent, Item::Batch(b)))
    }

    fn barrier(&mut self, ctx: &TaskCtx, b: &Barrier) -> Result<Emit, String> {
        self.barrier_from(ctx, 0, b)
    }

    fn barrier_from(&mut self, _ctx: &TaskCtx, parent: usize, b: &Barrier) -> Result<Emit, String> {
        // A barrier is ordered with its parent's messages and moves that parent's mark
        // (union.go queues it like a point).
        Ok(self.queue(parent, Item::Barrier(b.clone())))
    }
}
