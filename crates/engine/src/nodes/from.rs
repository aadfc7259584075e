//! `|from()`: filters by db, rp, measurement and where, then sets the group (mirrors from.go).

use std::sync::Arc;

use kapa_expr::LambdaState;
use kapa_models::GroupId;
use kapa_pipeline::nodes::FromSpec;
use smol_str::SmolStr;

use crate::message::{Dimensions, Group, PointMsg};
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct FromNode {
    spec: FromSpec,
    states: Vec<LambdaState>,
    dims: Arc<Dimensions>,
    grouped: bool,
}

impl FromNode {
    pub(crate) fn new(spec: FromSpec) -> Self {
        let states = spec.where_.iter().map(|l| l.new_state()).collect();
        let dims = Arc::new(Dimensions {
            tags: spec.group_by.iter().map(SmolStr::new).collect(),
            by_name: spec.group_by_measurement,
        });
        let grouped = spec.group_by_star || !spec.group_by.is_empty() || spec.group_by_measurement;
        FromNode { spec, states, dims, grouped }
    }
}

impl Node for FromNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let p = msg.point;
        if (!self.spec.database.is_empty() && self.spec.database != msg.db)
            || (!self.spec.retention_policy.is_empty() && self.spec.retention_policy != msg.rp)
            || (!self.spec.measurement.is_empty() && self.spec.measurement != p.name)
        {
            return Ok(Emit::Drop);
        }
        for (l, st) in self.spec.where_.iter().zip(self.states.iter_mut()) {
            if !l.eval_bool(p, st).map_err(|e| e.to_string())? {
                return Ok(Emit::Drop);
            }
        }
        let mut point = None;
        if self.spec.truncate > 0 || self.spec.round > 0 {
            let mut q = p.clone();
            if self.spec.truncate > 0 {
                q.time -= q.time.rem_euclid(self.spec.truncate);
            } else {
                let r = self.spec.round;
                let rem = q.time.rem_euclid(r);
                q.time = if rem * 2 >= r { q.time - rem + r } else { q.time - rem };
            }
            point = Some(q);
        }
        let group = if self.grouped {
            let dims = if self.spec.group_by_star {
                Arc::new(Dimensions { tags: p.tags.keys().cloned().collect(), by_name: self.dims.by_name })
            } else {
                self.dims.clone()
            };
            Some(Group { id: GroupId::build(&p.name, &p.tags, &dims.tags, dims.by_name), dims })
        } else {
            None
        };
        if point.is_none() && group.is_none() {
            return Ok(Emit::Same);
        }
        Ok(Emit::Point { point, group })
    }
}
