//! `|from()`: filters by db, rp, measurement and where, then sets the group (mirrors from.go).

use std::sync::Arc;

use kapa_expr::LambdaState;
use kapa_models::GroupId;
use kapa_pipeline::nodes::FromSpec;
use smol_str::SmolStr;

use crate::message::{Barrier, Dimensions, Group, GroupMap, PointMsg};
use crate::node::{Emit, Node, Out, TaskCtx};
use crate::time::truncate;

pub(crate) struct FromNode {
    spec: FromSpec,
    states: Vec<LambdaState>,
    /// Kapacitor sorts the group-by tags, so the group id does not depend on their order.
    dims: Arc<Dimensions>,
    grouped: bool,
    /// Engine-wide idle expiry (0 = off) and when each group last had data (wall clock).
    expiry: i64,
    seen: GroupMap<(Group, i64)>,
}

impl FromNode {
    pub(crate) fn new(spec: FromSpec, expiry: i64) -> Self {
        let states = spec.where_.iter().map(|l| l.new_state()).collect();
        let mut tags: Vec<SmolStr> = spec.group_by.iter().map(SmolStr::new).collect();
        tags.sort();
        tags.dedup();
        let dims = Arc::new(Dimensions {
            tags,
            by_name: spec.group_by_measurement,
        });
        let grouped = spec.group_by_star || !spec.group_by.is_empty() || spec.group_by_measurement;
        FromNode {
            spec,
            states,
            dims,
            grouped,
            expiry,
            seen: Default::default(),
        }
    }
}

/// `t.Round(d)` as Go computes it: to the nearest multiple of `d` since Go's zero time,
/// halves rounded up.
fn go_round(t: i64, d: i64) -> i64 {
    if d <= 0 {
        return t;
    }
    let down = truncate(t, d);
    if (t - down) as i128 * 2 >= d as i128 {
        down + d
    } else {
        down
    }
}

impl FromNode {
    fn filter(&mut self, ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let p = msg.point;
        if (!self.spec.database.is_empty() && self.spec.database != msg.db)
            || (!self.spec.retention_policy.is_empty() && self.spec.retention_policy != msg.rp)
            || (!self.spec.measurement.is_empty() && self.spec.measurement != p.name)
        {
            return Ok(Emit::Drop);
        }
        for (l, st) in self.spec.where_.iter().zip(self.states.iter_mut()) {
            match l.eval_bool(p, st) {
                Ok(true) => {}
                Ok(false) => return Ok(Emit::Drop),
                // Kapacitor logs a failing where and drops the point without counting an error.
                Err(e) => {
                    tracing::error!(task = %ctx.task, err = %e, "failed to evaluate WHERE expression");
                    return Ok(Emit::Drop);
                }
            }
        }
        let mut point = None;
        if self.spec.truncate > 0 || self.spec.round > 0 {
            let mut q = p.clone();
            if self.spec.truncate > 0 {
                q.time = truncate(q.time, self.spec.truncate);
            }
            if self.spec.round > 0 {
                q.time = go_round(q.time, self.spec.round);
            }
            point = Some(q);
        }
        let group = if self.grouped {
            let dims = if self.spec.group_by_star {
                Arc::new(Dimensions {
                    tags: p.tags.keys().cloned().collect(),
                    by_name: self.dims.by_name,
                })
            } else {
                self.dims.clone()
            };
            Some(Group {
                id: GroupId::build(&p.name, &p.tags, &dims.tags, dims.by_name),
                dims,
            })
        } else {
            None
        };
        if point.is_none() && group.is_none() {
            return Ok(Emit::Same);
        }
        Ok(Emit::Point { point, group })
    }
}

impl Node for FromNode {
    fn point(&mut self, ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let emit = self.filter(ctx, msg)?;
        if self.expiry > 0 {
            let group = match &emit {
                Emit::Drop => return Ok(emit),
                Emit::Point { group: Some(g), .. } => g.clone(),
                _ => msg.group.clone(),
            };
            let now = ctx.clock.now();
            match self.seen.get_mut(&group.id) {
                Some(e) => e.1 = now,
                None => {
                    self.seen.insert(group.id.clone(), (group, now));
                }
            }
        }
        Ok(emit)
    }

    fn wants_ticks(&self) -> bool {
        self.expiry > 0
    }

    fn tick(&mut self, _ctx: &TaskCtx, now: i64) -> Result<Emit, String> {
        let expired: Vec<GroupId> = self
            .seen
            .iter()
            .filter(|(_, (_, t))| now - *t >= self.expiry)
            .map(|(id, _)| id.clone())
            .collect();
        let mut out = Vec::with_capacity(expired.len() * 2);
        for id in expired {
            if let Some((group, _)) = self.seen.remove(&id) {
                out.push(Out::Barrier(Barrier {
                    group: group.clone(),
                    time: now,
                }));
                out.push(Out::DeleteGroup(group));
            }
        }
        Ok(if out.is_empty() {
            Emit::Drop
        } else {
            Emit::Many(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    #[test]
    fn rounds_like_go() {
        assert_eq!(go_round(14 * S, 10 * S), 10 * S);
        assert_eq!(go_round(15 * S, 10 * S), 20 * S);
        assert_eq!(go_round(-5 * S, 10 * S), 0);
        assert_eq!(go_round(-6 * S, 10 * S), -10 * S);
        // Weeks round relative to Go's zero time (a Monday), not to 1970 (a Thursday).
        let week = 7 * 86_400 * S;
        assert_eq!(go_round(0, week), -3 * 86_400 * S);
    }
}
