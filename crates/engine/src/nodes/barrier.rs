//! `|barrier()`: per group, emits a barrier after `.idle(d)` without data or every
//! `.period(d)`, on the wall clock; with `.delete(true)` the group is then deleted
//! downstream. Data older than the last barrier of its group is dropped (mirrors barrier.go).

use kapa_pipeline::nodes::BarrierSpec;

use crate::message::{Barrier, Batch, Group, GroupMap, PointMsg};
use crate::node::{Emit, Node, Out, TaskCtx};

struct GroupTimer {
    group: Group,
    /// Wall time of the last data (idle) or of the last barrier (period).
    last_activity: i64,
    /// Time of the last barrier emitted; older data is dropped.
    last_barrier: i64,
}

pub(crate) struct BarrierNode {
    spec: BarrierSpec,
    groups: GroupMap<GroupTimer>,
}

impl BarrierNode {
    pub(crate) fn new(spec: BarrierSpec) -> Self {
        BarrierNode {
            spec,
            groups: Default::default(),
        }
    }

    /// Records activity; false when the data is older than the group's last barrier.
    fn seen(&mut self, ctx: &TaskCtx, group: &Group, t: i64) -> bool {
        let now = ctx.clock.now();
        let idle = self.spec.idle > 0;
        let g = self
            .groups
            .entry(group.id.clone())
            .or_insert_with(|| GroupTimer {
                group: group.clone(),
                last_activity: now,
                last_barrier: i64::MIN,
            });
        if t < g.last_barrier {
            return false;
        }
        if idle {
            g.last_activity = now;
        }
        true
    }
}

impl Node for BarrierNode {
    fn point(&mut self, ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        Ok(if self.seen(ctx, msg.group, msg.point.time) {
            Emit::Same
        } else {
            Emit::Drop
        })
    }

    fn batch(&mut self, ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        Ok(if self.seen(ctx, &b.group, b.tmax) {
            Emit::Same
        } else {
            Emit::Drop
        })
    }

    fn wants_ticks(&self) -> bool {
        true
    }

    fn tick(&mut self, _ctx: &TaskCtx, now: i64) -> Result<Emit, String> {
        let wait = if self.spec.idle > 0 {
            self.spec.idle
        } else {
            self.spec.period
        };
        let mut out = Vec::new();
        let mut deleted = Vec::new();
        for (id, g) in self.groups.iter_mut() {
            if now - g.last_activity < wait {
                continue;
            }
            g.last_activity = now;
            g.last_barrier = now;
            out.push(Out::Barrier(Barrier {
                group: g.group.clone(),
                time: now,
            }));
            if self.spec.delete {
                out.push(Out::DeleteGroup(g.group.clone()));
                deleted.push(id.clone());
            }
        }
        for id in deleted {
            self.groups.remove(&id);
        }
        Ok(if out.is_empty() {
            Emit::Drop
        } else {
            Emit::Many(out)
        })
    }

    fn delete_group(&mut self, _ctx: &TaskCtx, group: &Group) -> Result<Emit, String> {
        self.groups.remove(&group.id);
        Ok(Emit::Same)
    }

    fn cardinality(&self) -> usize {
        self.groups.len()
    }
}
