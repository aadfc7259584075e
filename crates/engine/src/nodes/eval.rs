//! `|eval(lambdas...)`: computes fields or tags; later expressions see earlier results
//! (mirrors eval.go).
//!
//! Kapacitor evaluates with one variable scope per point: before each expression it binds
//! the names that expression references to the point's fields or tags (a name the point
//! lacks keeps an earlier result, if any), then binds the result under its `as` name. The
//! output fields are then built from that scope. [`Vars`] reproduces that scope exactly.

use kapa_expr::{ExprError, LambdaState, Scope, Value};
use kapa_models::{FieldValue, Fields, Tags};
use kapa_pipeline::nodes::EvalSpec;
use smol_str::SmolStr;

use crate::message::{Batch, Group, GroupMap, PointMsg};
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct EvalNode {
    spec: EvalSpec,
    /// The names each expression references, in expression order.
    refs: Vec<Vec<String>>,
    states: GroupMap<Vec<LambdaState>>,
    /// Reused between points to avoid allocating a scope each time.
    vars: Vars,
}

impl EvalNode {
    pub(crate) fn new(spec: EvalSpec) -> Self {
        let refs = spec.lambdas.iter().map(|l| l.references()).collect();
        EvalNode {
            spec,
            refs,
            states: Default::default(),
            vars: Vars::default(),
        }
    }
}

/// The variable scope of one evaluation.
#[derive(Default)]
struct Vars {
    values: Vec<(SmolStr, Value)>,
    time: i64,
}

impl Vars {
    fn get(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    fn set(&mut self, name: &str, value: Value) {
        match self.values.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value,
            None => self.values.push((SmolStr::new(name), value)),
        }
    }

    /// Binds the references of one expression, as Kapacitor's `fillScope`.
    fn fill(&mut self, refs: &[String], fields: &Fields, tags: &Tags) -> Result<(), String> {
        for r in refs {
            if r == "time" {
                continue;
            }
            match (fields.get(r), tags.get(r)) {
                (Some(_), Some(_)) => {
                    return Err(ExprError::FieldTagConflict(SmolStr::new(r)).to_string());
                }
                (Some(f), None) => self.set(r, Value::from(f)),
                (None, Some(t)) => self.set(r, Value::String(t.clone())),
                (None, None) => {
                    if self.get(r).is_none() {
                        self.set(r, Value::Missing);
                    }
                }
            }
        }
        Ok(())
    }
}

impl Scope for Vars {
    fn lookup(&self, name: &str) -> Result<Value, ExprError> {
        if let Some(v) = self.get(name) {
            return Ok(v.clone());
        }
        Ok(if name == "time" {
            Value::Time(self.time)
        } else {
            Value::Missing
        })
    }

    fn time(&self) -> i64 {
        self.time
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

/// The Go type name Kapacitor prints (`%T`) in its tag-type error.
fn go_type(v: &Value) -> &'static str {
    match v {
        Value::Float(_) => "float64",
        Value::Int(_) => "int64",
        Value::String(_) => "string",
        Value::Bool(_) => "bool",
        Value::Regex(_) => "*regexp.Regexp",
        Value::Time(_) => "time.Time",
        Value::Duration(_) => "time.Duration",
        Value::Missing => "*ast.Missing",
    }
}

/// Evaluates every expression on one point's fields and tags, replacing them with the
/// output fields and tags.
fn eval_point(
    spec: &EvalSpec,
    refs: &[Vec<String>],
    vars: &mut Vars,
    states: &mut [LambdaState],
    fields: &mut Fields,
    tags: &mut Tags,
    time: i64,
) -> Result<(), String> {
    vars.values.clear();
    vars.time = time;
    for (i, (lambda, st)) in spec.lambdas.iter().zip(states.iter_mut()).enumerate() {
        vars.fill(&refs[i], fields, tags)?;
        let v = lambda.eval(vars, st).map_err(|e| e.to_string())?;
        let name = spec
            .as_
            .get(i)
            .ok_or("must provide one name per expression via the 'As' property")?;
        vars.set(name, v);
    }
    for tag in &spec.tags {
        match vars.get(tag) {
            Some(Value::String(s)) => tags.insert(tag.as_str(), s.clone()),
            Some(other) => {
                return Err(format!(
                    "result of a tag expression must be of type string, got {}",
                    go_type(other)
                ));
            }
            None => return Err(format!("name {tag:?} is undefined")),
        }
    }
    let result = |name: &str| -> Result<FieldValue, String> {
        match vars.get(name) {
            Some(v) => to_field(v.clone()),
            None => Err(format!("name {name:?} is undefined")),
        }
    };
    let mut out = Fields::with_capacity(if spec.keep {
        fields.len() + spec.as_.len()
    } else {
        spec.as_.len()
    });
    if spec.keep && !spec.keep_list.is_empty() {
        for k in &spec.keep_list {
            match (vars.get(k), fields.get(k)) {
                (Some(v), _) if !matches!(v, Value::Missing) => {
                    out.insert(k.as_str(), to_field(v.clone())?)
                }
                (_, Some(f)) => out.insert(k.as_str(), f.clone()),
                _ => return Err(format!("cannot keep field {k:?}, field does not exist")),
            }
        }
    } else if spec.keep {
        // Every result is kept, tag results included (they overwrite a field of that name).
        out = fields.clone();
        for name in &spec.as_ {
            out.insert(name.as_str(), result(name)?);
        }
    } else {
        for name in &spec.as_ {
            if !spec.tags.iter().any(|t| t == name) {
                out.insert(name.as_str(), result(name)?);
            }
        }
    }
    *fields = out;
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
        eval_point(
            spec,
            &self.refs,
            &mut self.vars,
            states,
            &mut work.fields,
            &mut work.tags,
            work.time,
        )?;
        Ok(Emit::Point {
            point: Some(work),
            group: None,
        })
    }

    fn batch(&mut self, ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        let spec = &self.spec;
        let states = self
            .states
            .entry(b.group.id.clone())
            .or_insert_with(|| spec.lambdas.iter().map(|l| l.new_state()).collect());
        let mut out = b.clone_empty();
        out.points.reserve(b.points.len());
        for p in &b.points {
            let mut p = p.clone();
            // As Kapacitor, a point that fails is dropped from the batch; the rest goes on.
            match eval_point(
                spec,
                &self.refs,
                &mut self.vars,
                states,
                &mut p.fields,
                &mut p.tags,
                p.time,
            ) {
                Ok(()) => out.points.push(p),
                Err(e) => {
                    tracing::debug!(task = %ctx.task, err = %e, "dropping a batch point eval failed on")
                }
            }
        }
        Ok(Emit::Batch(out))
    }

    fn delete_group(&mut self, _ctx: &TaskCtx, group: &Group) -> Result<Emit, String> {
        self.states.remove(&group.id);
        Ok(Emit::Same)
    }

    fn cardinality(&self) -> usize {
        self.states.len()
    }
}
