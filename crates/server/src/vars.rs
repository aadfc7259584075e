//! Task vars in the API's JSON form (`{"name": {"type": "int", "value": 42}}`), checked
//! and normalised for storage, and converted to the engine's values.

use std::collections::HashMap;

use kapa_pipeline::VarValue;
use serde_json::{Map, Value, json};

/// Checks vars from a request and returns the stored form: every var as
/// `{"type", "value", "description"}`, durations as integer nanoseconds.
pub fn normalize(vars: &Value) -> Result<Value, String> {
    let Some(obj) = vars.as_object() else {
        return match vars {
            Value::Null => Ok(json!({})),
            _ => Err("vars must be an object".into()),
        };
    };
    let mut out = Map::new();
    for (name, var) in obj {
        let v = normalize_var(var).map_err(|e| format!("invalid var {name}: {e}"))?;
        out.insert(name.clone(), v);
    }
    Ok(Value::Object(out))
}

fn normalize_var(var: &Value) -> Result<Value, String> {
    let ty = var.get("type").and_then(Value::as_str).unwrap_or("");
    let value = var.get("value").unwrap_or(&Value::Null);
    let description = var.get("description").and_then(Value::as_str).unwrap_or("");
    let value = match ty {
        "bool" => json!(value.as_bool().ok_or("expected bool value")?),
        "int" => json!(value.as_i64().ok_or("expected int value")?),
        "float" => json!(value.as_f64().ok_or("expected float value")?),
        "duration" => json!(match value {
            Value::Number(n) => n.as_i64().ok_or("expected int or string value")?,
            Value::String(s) => kapa_models::duration::parse_influxql(s)
                .map_err(|_| format!("invalid duration string {s:?}"))?,
            _ => return Err("expected int or string value".into()),
        }),
        "string" | "regex" | "lambda" => json!(value.as_str().ok_or("expected string value")?),
        "star" => Value::Null,
        "list" => {
            let items = value.as_array().ok_or("expected list of vars")?;
            Value::Array(items.iter().map(normalize_var).collect::<Result<_, _>>()?)
        }
        "" => return Err("missing var type".into()),
        other => return Err(format!("unknown VarType {other}")),
    };
    Ok(json!({ "type": ty, "value": value, "description": description }))
}

/// Converts stored vars for the engine.
pub fn to_engine(vars: &Value) -> Result<HashMap<String, VarValue>, String> {
    let mut out = HashMap::new();
    if let Some(obj) = vars.as_object() {
        for (name, var) in obj {
            out.insert(
                name.clone(),
                var_value(var).map_err(|e| format!("invalid var {name}: {e}"))?,
            );
        }
    }
    Ok(out)
}

fn var_value(var: &Value) -> Result<VarValue, String> {
    let value = var.get("value").unwrap_or(&Value::Null);
    let bad = || "stored var does not match its type".to_string();
    Ok(
        match var.get("type").and_then(Value::as_str).unwrap_or("") {
            "bool" => VarValue::Bool(value.as_bool().ok_or_else(bad)?),
            "int" => VarValue::Int(value.as_i64().ok_or_else(bad)?),
            "float" => VarValue::Float(value.as_f64().ok_or_else(bad)?),
            "duration" => VarValue::Duration(value.as_i64().ok_or_else(bad)?),
            "string" => VarValue::String(value.as_str().ok_or_else(bad)?.to_string()),
            "regex" => VarValue::Regex(value.as_str().ok_or_else(bad)?.to_string()),
            "lambda" => VarValue::Lambda(value.as_str().ok_or_else(bad)?.to_string()),
            "star" => VarValue::Star,
            "list" => VarValue::List(
                value
                    .as_array()
                    .ok_or_else(bad)?
                    .iter()
                    .map(var_value)
                    .collect::<Result<_, _>>()?,
            ),
            other => return Err(format!("unknown VarType {other}")),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_every_type() {
        let vars = json!({
            "a": {"type": "int", "value": 42},
            "b": {"type": "duration", "value": "10s"},
            "c": {"type": "star"},
            "d": {"type": "list", "value": [{"type": "string", "value": "host"}]},
            "e": {"type": "lambda", "value": "\"x\" > 5", "description": "threshold"},
        });
        let n = normalize(&vars).unwrap();
        assert_eq!(
            n["a"],
            json!({"type": "int", "value": 42, "description": ""})
        );
        assert_eq!(n["b"]["value"], json!(10_000_000_000_i64));
        assert_eq!(
            n["c"],
            json!({"type": "star", "value": null, "description": ""})
        );
        assert_eq!(
            n["d"]["value"][0],
            json!({"type": "string", "value": "host", "description": ""})
        );
        let e = to_engine(&n).unwrap();
        assert_eq!(e["a"], VarValue::Int(42));
        assert_eq!(e["b"], VarValue::Duration(10_000_000_000));
        assert_eq!(e["c"], VarValue::Star);
        assert_eq!(
            e["d"],
            VarValue::List(vec![VarValue::String("host".into())])
        );
        assert_eq!(e["e"], VarValue::Lambda("\"x\" > 5".into()));
    }

    #[test]
    fn rejects_mismatches() {
        let err = normalize(&json!({"x": {"type": "int", "value": "five"}})).unwrap_err();
        assert_eq!(err, "invalid var x: expected int value");
        let err = normalize(&json!({"y": {"type": "color", "value": 1}})).unwrap_err();
        assert_eq!(err, "invalid var y: unknown VarType color");
    }
}
