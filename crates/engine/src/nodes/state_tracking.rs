//! `|stateDuration(lambda)` and `|stateCount(lambda)`: while the condition holds, how long
//! (in units, as a float) or for how many points (int) it has held; -1 when it does not
//! (mirrors state_tracking.go).

use kapa_expr::{FieldsTagsScope, LambdaState};
use kapa_models::{FieldValue, Fields, Tags};
use kapa_pipeline::nodes::StateSpec;

use crate::message::{Batch, GroupMap, PointMsg};
use crate::node::{Emit, Node, TaskCtx};

#[derive(Default)]
struct Tracker {
    /// Start of the current run (stateDuration).
    start: Option<i64>,
    /// Length of the current run (stateCount).
    count: i64,
}

pub(crate) struct StateNode {
    spec: StateSpec,
    counting: bool,
    groups: GroupMap<(LambdaState, Tracker)>,
}

impl StateNode {
    pub(crate) fn duration(spec: StateSpec) -> Self {
        StateNode {
            spec,
            counting: false,
            groups: Default::default(),
        }
    }

    pub(crate) fn count(spec: StateSpec) -> Self {
        StateNode {
            spec,
            counting: true,
            groups: Default::default(),
        }
    }

    fn track(
        spec: &StateSpec,
        counting: bool,
        st: &mut (LambdaState, Tracker),
        fields: &Fields,
        tags: &Tags,
        t: i64,
    ) -> Result<FieldValue, String> {
        let scope = FieldsTagsScope {
            fields,
            tags,
            time: t,
        };
        let pass = spec
            .lambda
            .eval_bool(&scope, &mut st.0)
            .map_err(|e| e.to_string())?;
        let tr = &mut st.1;
        if !pass {
            *tr = Tracker::default();
            return Ok(FieldValue::Int(-1));
        }
        if counting {
            tr.count += 1;
            Ok(FieldValue::Int(tr.count))
        } else {
            let start = *tr.start.get_or_insert(t);
            Ok(FieldValue::Float((t - start) as f64 / spec.unit as f64))
        }
    }
}

impl Node for StateNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let spec = &self.spec;
        let st = self
            .groups
            .entry(msg.group.id.clone())
            .or_insert_with(|| (spec.lambda.new_state(), Tracker::default()));
        let p = msg.point;
        let v = Self::track(spec, self.counting, st, &p.fields, &p.tags, p.time)?;
        let mut q = p.clone();
        q.fields.insert(spec.as_.as_str(), v);
        Ok(Emit::Point {
            point: Some(q),
            group: None,
        })
    }

    fn batch(&mut self, _ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        let spec = &self.spec;
        let st = self
            .groups
            .entry(b.group.id.clone())
            .or_insert_with(|| (spec.lambda.new_state(), Tracker::default()));
        let mut out = b.clone();
        for p in &mut out.points {
            let v = Self::track(spec, self.counting, st, &p.fields, &p.tags, p.time)?;
            p.fields.insert(spec.as_.as_str(), v);
        }
        Ok(Emit::Batch(out))
    }

    fn delete_group(
        &mut self,
        _ctx: &TaskCtx,
        group: &crate::message::Group,
    ) -> Result<Emit, String> {
        self.groups.remove(&group.id);
        Ok(Emit::Same)
    }

    fn cardinality(&self) -> usize {
        self.groups.len()
    }
}
