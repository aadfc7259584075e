//! RFC 6902 JSON Patch (`add`, `remove`, `replace`, `move`, `copy`, `test`) over
//! serde_json values, for `PATCH` of topic handlers (`Content-Type: application/json+patch`).

use serde::Deserialize;
use serde_json::Value;

/// One operation of a patch document.
#[derive(Debug, Clone, Deserialize)]
pub struct Operation {
    op: String,
    path: String,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    value: Option<Value>,
}

/// Parses a patch document (a JSON array of operations).
pub fn decode(body: &[u8]) -> Result<Vec<Operation>, String> {
    serde_json::from_slice(body).map_err(|e| e.to_string())
}

/// Applies the operations in order to a copy of `doc`; the first failing one aborts the
/// whole patch.
pub fn apply(doc: &Value, ops: &[Operation]) -> Result<Value, String> {
    let mut doc = doc.clone();
    for op in ops {
        match op.op.as_str() {
            "add" => add(&mut doc, &op.path, value(op)?)?,
            "remove" => {
                remove(&mut doc, &op.path)?;
            }
            "replace" => {
                remove(&mut doc, &op.path)?;
                add(&mut doc, &op.path, value(op)?)?;
            }
            "move" => {
                let from = from(op)?;
                if op.path.starts_with(&format!("{from}/")) {
                    return Err(format!(
                        "cannot move {from:?} into its own child {:?}",
                        op.path
                    ));
                }
                let v = remove(&mut doc, from)?;
                add(&mut doc, &op.path, v)?;
            }
            "copy" => {
                let v = get(&doc, from(op)?)?.clone();
                add(&mut doc, &op.path, v)?;
            }
            "test" => {
                if get(&doc, &op.path)? != &value(op)? {
                    return Err(format!("testing value {:?} failed", op.path));
                }
            }
            other => return Err(format!("unexpected operation {other:?}")),
        }
    }
    Ok(doc)
}

fn value(op: &Operation) -> Result<Value, String> {
    op.value
        .clone()
        .ok_or_else(|| format!("operation {:?} on {:?} has no value", op.op, op.path))
}

fn from(op: &Operation) -> Result<&str, String> {
    op.from
        .as_deref()
        .ok_or_else(|| format!("operation {:?} on {:?} has no from", op.op, op.path))
}

/// Splits a JSON pointer into unescaped tokens.
fn tokens(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(format!("invalid JSON pointer {path:?}"));
    };
    Ok(rest
        .split('/')
        .map(|t| t.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn get<'a>(doc: &'a Value, path: &str) -> Result<&'a Value, String> {
    let mut cur = doc;
    for t in tokens(path)? {
        cur = match cur {
            Value::Object(m) => m.get(&t),
            Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        }
        .ok_or_else(|| format!("path {path:?} does not exist"))?;
    }
    Ok(cur)
}

/// The container of the last token and that token.
fn parent<'a>(doc: &'a mut Value, path: &str) -> Result<(&'a mut Value, String), String> {
    let mut toks = tokens(path)?;
    let Some(last) = toks.pop() else {
        return Err("the whole document cannot be replaced by a patch".into());
    };
    let mut cur = doc;
    for t in toks {
        cur = match cur {
            Value::Object(m) => m.get_mut(&t),
            Value::Array(a) => t.parse::<usize>().ok().and_then(|i| a.get_mut(i)),
            _ => None,
        }
        .ok_or_else(|| format!("path {path:?} does not exist"))?;
    }
    Ok((cur, last))
}

fn add(doc: &mut Value, path: &str, v: Value) -> Result<(), String> {
    let (p, last) = parent(doc, path)?;
    match p {
        Value::Object(m) => {
            m.insert(last, v);
            Ok(())
        }
        Value::Array(a) => {
            let i = if last == "-" {
                a.len()
            } else {
                last.parse::<usize>()
                    .ok()
                    .filter(|i| *i <= a.len())
                    .ok_or_else(|| format!("invalid array index in {path:?}"))?
            };
            a.insert(i, v);
            Ok(())
        }
        _ => Err(format!("path {path:?} does not exist")),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, String> {
    let (p, last) = parent(doc, path)?;
    let missing = || format!("path {path:?} does not exist");
    match p {
        Value::Object(m) => m.remove(&last).ok_or_else(missing),
        Value::Array(a) => {
            let i = last
                .parse::<usize>()
                .ok()
                .filter(|i| *i < a.len())
                .ok_or_else(missing)?;
            Ok(a.remove(i))
        }
        _ => Err(missing()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn patch(doc: Value, ops: Value) -> Result<Value, String> {
        apply(&doc, &decode(ops.to_string().as_bytes())?)
    }

    #[test]
    fn operations() {
        let doc = json!({"id": "x", "options": {"path": "/a", "list": [1, 2]}, "a~b": 1});
        let got = patch(
            doc,
            json!([
                {"op": "replace", "path": "/options/path", "value": "/b"},
                {"op": "add", "path": "/options/list/-", "value": 3},
                {"op": "add", "path": "/options/list/0", "value": 0},
                {"op": "remove", "path": "/options/list/1"},
                {"op": "copy", "from": "/id", "path": "/copy"},
                {"op": "move", "from": "/a~0b", "path": "/moved"},
                {"op": "test", "path": "/copy", "value": "x"}
            ]),
        )
        .unwrap();
        assert_eq!(
            got,
            json!({"id": "x", "copy": "x", "moved": 1, "options": {"path": "/b", "list": [0, 2, 3]}})
        );
    }

    #[test]
    fn failures() {
        let doc = json!({"id": "x"});
        assert!(patch(doc.clone(), json!([{"op": "remove", "path": "/nope"}])).is_err());
        assert!(
            patch(
                doc.clone(),
                json!([{"op": "replace", "path": "/nope", "value": 1}])
            )
            .is_err()
        );
        assert!(
            patch(
                doc.clone(),
                json!([{"op": "test", "path": "/id", "value": "y"}])
            )
            .is_err()
        );
        assert!(patch(doc.clone(), json!([{"op": "frob", "path": "/id"}])).is_err());
        assert!(
            patch(
                doc.clone(),
                json!([{"op": "add", "path": "id", "value": 1}])
            )
            .is_err()
        );
        assert!(decode(b"{}").is_err());
    }
}
