//! The vars a template declares (`var x = 5`, `var crit lambda`), in the API's JSON form
//! `{name: {type, value, description}}`, and the placeholder values a template is checked
//! with (Kapacitor evaluates templates with missing vars ignored).

use std::collections::HashMap;

use kapa_pipeline::VarValue;
use kapa_tick::ast::{ExprKind, Program, Statement, VarType};
use serde_json::{Map, Value, json};

fn type_name(t: VarType) -> &'static str {
    match t {
        VarType::Int => "int",
        VarType::Float => "float",
        VarType::Bool => "bool",
        VarType::String => "string",
        VarType::Regex => "regex",
        VarType::Duration => "duration",
        VarType::Lambda => "lambda",
        VarType::List => "list",
        VarType::Star => "star",
    }
}

/// The literal value of a var declaration, as `(type, value)`; `None` for nodes and
/// computed values, which are not template vars.
fn literal(kind: &ExprKind, known: &Map<String, Value>) -> Option<(&'static str, Value)> {
    Some(match kind {
        ExprKind::Int(i) => ("int", json!(i)),
        ExprKind::Float(f) => ("float", json!(f)),
        ExprKind::Bool(b) => ("bool", json!(b)),
        ExprKind::String { value, .. } => ("string", json!(value)),
        ExprKind::Duration { ns, .. } => ("duration", json!(ns)),
        ExprKind::Regex(r) => ("regex", json!(r)),
        ExprKind::Star => ("star", Value::Null),
        ExprKind::Lambda(body) => ("lambda", json!(kapa_tick::format_expr(body))),
        ExprKind::List(items) => {
            let mut out = Vec::new();
            for i in items {
                let (t, v) = literal(&i.kind, known)?;
                out.push(json!({"type": t, "value": v, "description": ""}));
            }
            ("list", Value::Array(out))
        }
        ExprKind::Ident(name) => {
            let v = known.get(name)?;
            let t = match v.get("type")?.as_str()? {
                "int" => "int",
                "float" => "float",
                "bool" => "bool",
                "string" => "string",
                "duration" => "duration",
                "regex" => "regex",
                "star" => "star",
                "lambda" => "lambda",
                "list" => "list",
                _ => return None,
            };
            (t, v.get("value").cloned().unwrap_or(Value::Null))
        }
        _ => return None,
    })
}

/// The template vars of a program; a declared-only var has a `null` value (required).
pub fn template_vars(program: &Program) -> Value {
    let mut out = Map::new();
    for s in &program.statements {
        let (name, ty, value, comment) = match s {
            Statement::Var {
                name,
                value,
                comment,
                ..
            } => match literal(&value.kind, &out) {
                Some((t, v)) => (name, t, v, comment),
                None => continue,
            },
            Statement::TypeDecl {
                name, ty, comment, ..
            } => (name, type_name(*ty), Value::Null, comment),
            _ => continue,
        };
        out.insert(
            name.clone(),
            json!({"type": ty, "value": value, "description": comment.clone().unwrap_or_default()}),
        );
    }
    Value::Object(out)
}

/// Values for declared-only vars, so that a template can be compiled and checked.
pub fn placeholders(program: &Program) -> HashMap<String, VarValue> {
    let mut out = HashMap::new();
    for s in &program.statements {
        if let Statement::TypeDecl { name, ty, .. } = s {
            let v = match ty {
                VarType::Int => VarValue::Int(1),
                VarType::Float => VarValue::Float(1.0),
                VarType::Bool => VarValue::Bool(false),
                VarType::String => VarValue::String(String::new()),
                VarType::Regex => VarValue::Regex(".*".into()),
                VarType::Duration => VarValue::Duration(1_000_000_000),
                VarType::Lambda => VarValue::Lambda("TRUE".into()),
                VarType::List => VarValue::List(Vec::new()),
                VarType::Star => VarValue::Star,
            };
            out.insert(name.clone(), v);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vars_of_a_template() {
        let p = kapa_tick::parse(
            "// which measurement\nvar measurement string\nvar where_filter = lambda: TRUE\nvar groups = [*]\nvar warn = 80\nvar window = 5m\nvar w2 = window\nvar crit lambda\nstream|from().measurement(measurement)\n",
        )
        .unwrap();
        let v = template_vars(&p);
        assert_eq!(
            v["measurement"],
            json!({"type": "string", "value": null, "description": "which measurement"})
        );
        assert_eq!(v["where_filter"]["type"], "lambda");
        assert_eq!(v["where_filter"]["value"], "TRUE");
        assert_eq!(
            v["groups"]["value"],
            json!([{"type": "star", "value": null, "description": ""}])
        );
        assert_eq!(v["warn"]["value"], 80);
        assert_eq!(v["window"]["value"], 300_000_000_000_i64);
        assert_eq!(v["w2"]["type"], "duration");
        assert_eq!(v["crit"]["value"], Value::Null);
        assert_eq!(placeholders(&p).len(), 2);
    }
}
