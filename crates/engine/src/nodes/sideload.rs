//! `|sideload()`: sets fields and tags from values looked up, per point, in the files its
//! order templates name (mirrors sideload.go); the files are cached per source.

mod source;
mod yaml;

use std::collections::BTreeMap;
use std::sync::Arc;

use gotmpl::Value as TV;
use kapa_models::{FieldValue, Fields, Tags};
use kapa_pipeline::nodes::SideloadSpec;
use serde_json::Value;

use crate::message::{Batch, PointMsg};
use crate::node::{Emit, Node, TaskCtx};
use crate::template::{GoTemplate, TemplateKind};

pub use source::reload_sources;

pub(crate) struct SideloadNode {
    spec: SideloadSpec,
    source: Arc<source::Source>,
    order: Vec<(String, GoTemplate)>,
    name: String,
}

impl SideloadNode {
    /// Opens the source (reading it now, so a bad source fails the task start).
    pub(crate) fn new(spec: SideloadSpec, name: String) -> Result<Self, String> {
        let source = source::open(&spec.source, &spec.http_user, &spec.http_password)?;
        let order = spec
            .order
            .iter()
            .map(|o| {
                Ok((
                    o.clone(),
                    GoTemplate::parse("order", o, TemplateKind::Text)?,
                ))
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(SideloadNode {
            spec,
            source,
            order,
            name,
        })
    }

    /// Sets the loaded fields and tags; an order template that fails leaves them unchanged.
    fn apply(&self, ctx: &TaskCtx, fields: &mut Fields, tags: &mut Tags) {
        let data: BTreeMap<Arc<str>, TV> = tags
            .iter()
            .map(|(k, v)| (Arc::from(k.as_str()), TV::String(Arc::from(v.as_str()))))
            .collect();
        let data = TV::Map(Arc::new(data));
        let mut paths = Vec::with_capacity(self.order.len());
        for (raw, t) in &self.order {
            match t.render(&data) {
                Ok(p) => paths.push(p),
                Err(e) => {
                    tracing::error!(task = %ctx.task, node = %self.name, err = %e, order = %raw, "failed to evaluate order template");
                    return;
                }
            }
        }
        for (key, dflt) in &self.spec.fields {
            let v = match self.source.lookup(&paths, key) {
                None | Some(Value::Null) => dflt.clone(),
                Some(v) => convert(&v, dflt).unwrap_or_else(|e| {
                    tracing::error!(task = %ctx.task, node = %self.name, err = %e, key = %key, expected = go_type(dflt), got = json_go_type(&v), "failed to load key");
                    dflt.clone()
                }),
            };
            fields.insert(key.as_str(), v);
        }
        for (key, dflt) in &self.spec.tags {
            let default = FieldValue::String(dflt.as_str().into());
            let v = match self.source.lookup(&paths, key) {
                None | Some(Value::Null) => dflt.clone(),
                Some(v) => match convert(&v, &default) {
                    Ok(FieldValue::String(s)) => s.to_string(),
                    Ok(_) => dflt.clone(),
                    Err(e) => {
                        tracing::error!(task = %ctx.task, node = %self.name, err = %e, key = %key, expected = "string", got = json_go_type(&v), "failed to load key");
                        dflt.clone()
                    }
                },
            };
            tags.insert(key.as_str(), v.into());
        }
    }
}

fn go_type(v: &FieldValue) -> &'static str {
    match v {
        FieldValue::Float(_) => "float64",
        FieldValue::Int(_) => "int64",
        FieldValue::UInt(_) => "uint64",
        FieldValue::String(_) => "string",
        FieldValue::Bool(_) => "bool",
    }
}

/// Go's name of a decoded JSON value's type (numbers decode as float64).
fn json_go_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "<nil>",
        Value::Bool(_) => "bool",
        Value::Number(_) => "float64",
        Value::String(_) => "string",
        Value::Array(_) => "[]interface {}",
        Value::Object(_) => "map[string]interface {}",
    }
}

/// Converts a loaded value to the type of the default (Kapacitor's `convertType`); every
/// number is a float64 as Go decodes it.
fn convert(src: &Value, dflt: &FieldValue) -> Result<FieldValue, String> {
    let fail = || {
        format!(
            "cannot convert value of type {} to type {}",
            json_go_type(src),
            go_type(dflt)
        )
    };
    match (dflt, src) {
        (FieldValue::Int(_), Value::Number(n)) => {
            let f = n.as_f64().ok_or_else(fail)?;
            let i = f as i64;
            if i as f64 == f { Ok(FieldValue::Int(i)) } else { Err(fail()) }
        }
        (FieldValue::Int(_), Value::String(s)) => s
            .parse::<i64>()
            .map(FieldValue::Int)
            .map_err(|_| format!("cannot convert string to int64: strconv.Atoi: parsing {s:?}: invalid syntax")),
        (FieldValue::Float(_), Value::Number(n)) => n.as_f64().map(FieldValue::Float).ok_or_else(fail),
        (FieldValue::Float(_), Value::String(s)) => s
            .parse::<f64>()
            .map(FieldValue::Float)
            .map_err(|_| format!("cannot convert string to float64: strconv.ParseFloat: parsing {s:?}: invalid syntax")),
        (FieldValue::Bool(_), Value::Bool(b)) => Ok(FieldValue::Bool(*b)),
        (FieldValue::Bool(_), Value::String(s)) => match s.as_str() {
            "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(FieldValue::Bool(true)),
            "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(FieldValue::Bool(false)),
            _ => Err(format!("cannot convert string to bool: strconv.ParseBool: parsing {s:?}: invalid syntax")),
        },
        (FieldValue::String(_), Value::Number(n)) => {
            let f = n.as_f64().ok_or_else(fail)?;
            Ok(FieldValue::String(format!("{f}").into()))
        }
        (FieldValue::String(_), Value::Bool(b)) => Ok(FieldValue::String(b.to_string().into())),
        (FieldValue::String(_), Value::String(s)) => Ok(FieldValue::String(s.as_str().into())),
        _ => Err(fail()),
    }
}

impl Node for SideloadNode {
    fn point(&mut self, ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let mut p = msg.point.clone();
        self.apply(ctx, &mut p.fields, &mut p.tags);
        Ok(Emit::Point {
            point: Some(p),
            group: None,
        })
    }

    fn batch(&mut self, ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        let mut out = b.clone();
        for p in &mut out.points {
            self.apply(ctx, &mut p.fields, &mut p.tags);
        }
        Ok(Emit::Batch(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_as_kapacitor() {
        let f = FieldValue::Float(0.0);
        let i = FieldValue::Int(0);
        let s = FieldValue::String("".into());
        let b = FieldValue::Bool(false);
        assert_eq!(
            convert(&serde_json::json!(42), &i).unwrap(),
            FieldValue::Int(42)
        );
        assert!(convert(&serde_json::json!(4.5), &i).is_err());
        assert_eq!(
            convert(&serde_json::json!("7"), &i).unwrap(),
            FieldValue::Int(7)
        );
        assert_eq!(
            convert(&serde_json::json!(2), &f).unwrap(),
            FieldValue::Float(2.0)
        );
        assert_eq!(
            convert(&serde_json::json!("3.5"), &f).unwrap(),
            FieldValue::Float(3.5)
        );
        assert_eq!(
            convert(&serde_json::json!(56), &s).unwrap(),
            FieldValue::String("56".into())
        );
        assert_eq!(
            convert(&serde_json::json!(0.25), &s).unwrap(),
            FieldValue::String("0.25".into())
        );
        assert_eq!(
            convert(&serde_json::json!(true), &s).unwrap(),
            FieldValue::String("true".into())
        );
        assert_eq!(
            convert(&serde_json::json!("T"), &b).unwrap(),
            FieldValue::Bool(true)
        );
        assert_eq!(
            convert(&serde_json::json!(1), &b).unwrap_err(),
            "cannot convert value of type float64 to type bool"
        );
        assert_eq!(
            convert(&serde_json::json!([1]), &f).unwrap_err(),
            "cannot convert value of type []interface {} to type float64"
        );
    }
}
