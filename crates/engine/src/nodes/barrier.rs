//! `|barrier()`: per group, emits a barrier after `.idle(d)` without data or every
//! `.period(d)`, timed on the wall clock; with `.delete(true)` the group is then deleted
//! downstream. Data older than the last barrier of its group is dropped (mirrors barrier.go).
//!
//! As in Kapacitor, an idle barrier carries the time of the group's last data plus the idle
//! duration (so replayed or late data is closed in its own time), and fires again every idle
//! duration while the group stays quiet; a periodic barrier carries the wall time.

use kapa_pipeline::nodes::BarrierSpec;

use crate::message::{Barrier, Batch, Group, GroupMap, PointMsg};
use crate::node::{Emit, Node, Out, TaskCtx};

struct GroupTimer {
    group: Group,
    /// Wall time the timer was last (re)started: by data (idle) or by the last barrier.
    last_activity: i64,
    /// Data time of the last point or barrier (idle barriers are timed from it).
    last_time: i64,
    /// Time of the last barrier emitted; older data is dropped.
    last_barrier: i64,
}

/// At most this many barriers per group and tick (a clock jump must not loop for long).
const MAX_BARRIERS_PER_TICK: usize = 1000;

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
                last_time: t,
                last_barrier: i64::MIN,
            });
        if t < g.last_barrier {
            return false;
        }
        if idle {
            g.last_activity = now;
            g.last_time = t;
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

    fn barrier(&mut self, ctx: &TaskCtx, b: &Barrier) -> Result<Emit, String> {
        // An upstream barrier is data too: it restarts the idle timer (barrier.go).
        let passes = match self.groups.get(&b.group.id) {
            Some(g) => b.time >= g.last_barrier,
            None => true,
        };
        if passes
            && self.spec.idle > 0
            && let Some(g) = self.groups.get_mut(&b.group.id)
        {
            g.last_activity = ctx.clock.now();
            g.last_time = b.time;
            g.last_barrier = b.time;
        }
        Ok(if passes { Emit::Same } else { Emit::Drop })
    }

    fn tick(&mut self, _ctx: &TaskCtx, now: i64) -> Result<Emit, String> {
        let idle = self.spec.idle > 0;
        let wait = if idle {
            self.spec.idle
        } else {
            self.spec.period
        };
        if wait <= 0 {
            return Ok(Emit::Drop);
        }
        let mut out = Vec::new();
        let mut deleted = Vec::new();
        for (id, g) in self.groups.iter_mut() {
            let mut fired = 0;
            while now - g.last_activity >= wait {
                // The timer restarts where it fired, as Go's timer.Reset after each firing.
                g.last_activity += wait;
                let time = if idle {
                    g.last_time += wait;
                    g.last_time
                } else {
                    g.last_activity
                };
                g.last_barrier = time;
                out.push(Out::Barrier(Barrier {
                    group: g.group.clone(),
                    time,
                }));
                fired += 1;
                if self.spec.delete {
                    out.push(Out::DeleteGroup(g.group.clone()));
                    deleted.push(id.clone());
                    break;
                }
                if fired == MAX_BARRIERS_PER_TICK {
                    g.last_activity = now;
                    break;
                }
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
