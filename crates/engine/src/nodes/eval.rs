//! `|eval(lambdas...)`: computes fields or tags; later expressions see earlier results
//! (mirrors eval.go).

use kapa_expr::{FieldsTagsScope, LambdaState, Value};
use kapa_models::{FieldValue, Fields, Tags};
use kapa_pipeline::nodes::EvalSpec;

use crate::message::{Batch, GroupMap, PointMsg};
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct EvalNode {
    spec: EvalSpec,
    states: GroupMap<Vec<LambdaState>>,
}

impl EvalNode {
    pub(crate) fn new(spec: EvalSpec) -> Self {
        EvalNode { spec, states: Default::default() }
    }
}

/// Converts an expression result to a field value as Kapacitor stores it.
pub(crate) fn to_field(v: Value) -> Result<FieldValue, String> {
    Ok(match v {
        Value::Float(f) => FieldValue::Float(f),
        Value::Int(i) => FieldValue::Int(i),
        Value::String(s) => FieldValue::String(s),
        Value::Bool(b) => FieldValue::Bool(b),
        Value::Duration(d) => FieldValue::Int(d),
        Value::Time(t) => FieldValue::Int(t),
        other => return Err(format!("unsupported result type {}", other.type_name())),
    })
}

/// Evaluates every expression on one point's fields and tags, in place.
fn eval_point(spec: &EvalSpec, states: &mut [LambdaState], fields: &mut Fields, tags: &mut Tags, time: i64) -> Result<(), String> {
    for (i, (lambda, st)) in spec.lambdas.iter().zip(states.iter_mut()).enumerate() {
        let v = {
            let scope = FieldsTagsScope { fields, tags, time };
            lambda.eval(&scope, st).map_err(|e| e.to_string())?
        };
        let name = spec.as_.get(i).ok_or("must provide one name per expression via the 'As' property")?;
        if spec.tags.iter().any(|t| t == name) {
            match v {
                Value::String(s) => tags.insert(name.as_str(), s),
                other => return Err(format!("cannot convert {} to string for tag {name}", other.type_name())),
            }
        } else {
            fields.insert(name.as_str(), to_field(v)?);
        }
    }
    let kept = if spec.keep {
        if spec.keep_list.is_empty() {
            return Ok(());
        }
        let mut kept = Fields::with_capacity(spec.keep_list.len());
        for k in &spec.keep_list {
            match fields.get(k) {
                Some(v) => kept.insert(k.as_str(), v.clone()),
                None => return Err(format!("cannot keep field {k:?}, field does not exist")),
            }
        }
        kept
    } else {
        let mut only = Fields::with_capacity(spec.as_.len());
        for name in &spec.as_ {
            if spec.tags.iter().any(|t| t == name) {
                continue;
            }
            if let Some(v) = fields.get(name) {
                only.insert(name.as_str(), v.clone());
            }
        }
        only
    };
    *fields = kept;
    Ok(())
}

impl Node for EvalNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let spec = &self.spec;
        let states = self
            .states
            .entry(msg.group.id.clone())
            .or_insert_with(|| spec.lambdas.iter().map(|l| l.new_state()).collect());
        let mut work = msg.point.clone();
        eval_point(spec, states, &mut work.fields, &mut work.tags, work.time)?;
        Ok(Emit::Point { point: Some(work), group: None })
    }

    fn batch(&mut self, _ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        let spec = &self.spec;
        let states = self
            .states
            .entry(b.group.id.clone())
            .or_insert_with(|| spec.lambdas.iter().map(|l| l.new_state()).collect());
        let mut out = b.clone();
        for p in &mut out.points {
            eval_point(spec, states, &mut p.fields, &mut p.tags, p.time)?;
        }
        Ok(Emit::Batch(out))
    }

    fn cardinality(&self) -> usize {
        self.states.len()
    }
}
