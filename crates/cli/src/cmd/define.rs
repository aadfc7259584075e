//! `kapacitor define <task ID> [options]`: create a task or update the given parts of it,
//! then reload it if it is enabled (unless `-no-reload`).

use std::path::Path;

use anyhow::{Context as _, anyhow};
use serde_json::{Map, Value};

use super::{Ctx, parse_flags, println_text};
use crate::client::{Client, TaskOptions};
use crate::dbrp::{Dbrp, parse_dbrp, validate_dbrp};
use crate::failure::{EXIT_COMMAND_USAGE, Failure};
use crate::flags::{Flag, FlagSet};
use crate::usage;

/// The flags of `define`.
pub fn flags() -> FlagSet {
    FlagSet::new(vec![
        Flag::string("tick", "Path to the TICKscript"),
        Flag::string("type", "The task type (stream|batch)"),
        Flag::string("template", "Optional template ID"),
        Flag::string("vars", "Optional path to a JSON vars file"),
        Flag::string(
            "file",
            "Optional path to a YAML or JSON template task file. An id in the file must match the task ID on the command line.",
        ),
        Flag::boolean("no-reload", "Do not reload the task even if it is enabled"),
        Flag::repeated(
            "dbrp",
            "A database and retention policy pair of the form \"db\".\"rp\" the quotes are optional. The flag can be specified multiple times.",
            validate_dbrp,
        ),
    ])
}

/// Describes a file error like Go's `*os.PathError`: `open <path>: no such file or directory`.
pub fn open_error(path: &str, e: &std::io::Error) -> String {
    let what = match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
        _ => {
            let s = e.to_string();
            // Rust appends " (os error N)"; Go does not.
            let s = s.split(" (os error").next().unwrap_or(&s).to_string();
            s.to_lowercase()
        }
    };
    format!("open {path}: {what}")
}

fn read_file(path: &str) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| open_error(path, &e))
}

/// Puts one var in the form Kapacitor's client re-encodes it: `{type, value, description}`,
/// durations given as text turned into nanoseconds.
fn normalize_var(name: &str, var: &Value) -> Result<Value, String> {
    let Value::Object(obj) = var else {
        return Err(format!(
            "invalid var {name}: expected an object with type and value"
        ));
    };
    let kind = obj
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let mut value = obj.get("value").cloned().unwrap_or(Value::Null);
    if kind == "duration"
        && let Value::String(s) = &value
    {
        let ns = kapa_models::duration::parse_influxql(s)
            .map_err(|e| format!("invalid duration string for var {name}: {e}"))?;
        value = Value::from(ns);
    }
    if kind == "list"
        && let Value::Array(items) = &value
    {
        let items: Result<Vec<Value>, String> =
            items.iter().map(|item| normalize_var(name, item)).collect();
        value = Value::Array(items?);
    }
    let description = obj
        .get("description")
        .cloned()
        .unwrap_or(Value::String(String::new()));
    let mut out = Map::new();
    out.insert("type".to_string(), Value::String(kind));
    out.insert("value".to_string(), value);
    out.insert("description".to_string(), description);
    Ok(Value::Object(out))
}

/// Normalizes every var of a `{name: var}` object.
pub fn normalize_vars(vars: &Value) -> Result<Map<String, Value>, String> {
    match vars {
        Value::Null => Ok(Map::new()),
        Value::Object(m) => m
            .iter()
            .map(|(name, v)| Ok((name.clone(), normalize_var(name, v)?)))
            .collect(),
        _ => Err("vars must be a JSON object".to_string()),
    }
}

fn read_vars(path: &str) -> anyhow::Result<Map<String, Value>> {
    let text = read_file(path).map_err(|e| anyhow!("failed to open file {path}: {e}"))?;
    let value: Value =
        serde_json::from_str(&text).map_err(|e| anyhow!("invalid JSON in file {path}: {e}"))?;
    normalize_vars(&value).map_err(|e| anyhow!("invalid JSON in file {path}: {e}"))
}

/// A template task file (`-file`): `{id?, template-id, dbrps, vars}`.
#[derive(Debug, Default, PartialEq)]
pub struct TaskFile {
    /// Optional ID; must equal the command-line ID when present.
    pub id: String,
    /// Template to instantiate.
    pub template_id: String,
    /// Databases and retention policies (objects or `"db"."rp"` strings).
    pub dbrps: Vec<Dbrp>,
    /// Normalized vars.
    pub vars: Map<String, Value>,
}

/// Reads a JSON template task file.
pub fn parse_task_file(text: &str, path: &str) -> anyhow::Result<TaskFile> {
    let bad = |e: String| anyhow!("failed to unmarshal json task vars file {:?}: {e}", path);
    let value: Value = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    let Value::Object(obj) = value else {
        return Err(bad("expected a JSON object".to_string()));
    };
    let text_of = |key: &str| {
        obj.get(key)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let mut dbrps = Vec::new();
    for item in obj
        .get("dbrps")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
    {
        let dbrp = match item {
            Value::String(s) => parse_dbrp(s).map_err(bad)?,
            other => serde_json::from_value(other.clone()).map_err(|e| bad(e.to_string()))?,
        };
        dbrps.push(dbrp);
    }
    let vars = normalize_vars(obj.get("vars").unwrap_or(&Value::Null)).map_err(bad)?;
    Ok(TaskFile {
        id: text_of("id"),
        template_id: text_of("template-id"),
        dbrps,
        vars,
    })
}

fn read_task_file(path: &str, id: &str) -> anyhow::Result<TaskFile> {
    let ext = Path::new(path)
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("");
    let text = read_file(path).map_err(|e| anyhow!("failed to open file {path}: {e}"))?;
    let file = match ext {
        "json" => parse_task_file(&text, path)?,
        "yaml" | "yml" => {
            return Err(anyhow!(
                "YAML task files are not supported yet by this build; use a JSON file"
            ));
        }
        _ => return Err(anyhow!("bad file extension. Must be YAML or JSON")),
    };
    if !file.id.is_empty() && file.id != id {
        return Err(anyhow!(
            "Task id given on command line does not match id in {path}"
        ));
    }
    Ok(file)
}

/// Runs `define`.
pub fn run(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    let set = flags();
    let usage = usage::define(&set);
    let Some(id) = args.first().filter(|a| !a.starts_with('-')) else {
        return Err(Failure::usage(
            EXIT_COMMAND_USAGE,
            format!("Must provide a task ID.\n{}", println_text(&usage)),
        ));
    };
    let flags = parse_flags(&set, &args[1..], &usage)?;

    let mut opt = TaskOptions::default();
    if !flags.str("tick").is_empty() {
        opt.script = read_file(flags.str("tick")).map_err(|e| anyhow!(e))?;
    }
    if matches!(flags.str("type"), "stream" | "batch") {
        opt.kind = flags.str("type").to_string();
    }
    opt.template_id = flags.str("template").to_string();
    opt.dbrps = flags
        .all("dbrp")
        .iter()
        .filter_map(|v| parse_dbrp(v).ok())
        .collect();
    if !flags.str("vars").is_empty() {
        opt.vars = read_vars(flags.str("vars"))?;
    }
    if !flags.str("file").is_empty() {
        // A task file replaces the other options, as in Kapacitor.
        let file = read_task_file(flags.str("file"), id)?;
        opt = TaskOptions {
            template_id: file.template_id,
            dbrps: file.dbrps,
            vars: file.vars,
            ..TaskOptions::default()
        };
    }

    let link = Client::task_link(id);
    let existing = match ctx.client.task(&link, "") {
        Ok(task) if !task.id.is_empty() => Some(task),
        Err(e) if e.is_connect() => return Err(e.into()),
        _ => None,
    };
    match &existing {
        None => {
            opt.id = id.clone();
            opt.status = "disabled".to_string();
            ctx.client.create_task(&opt)?;
        }
        Some(_) => ctx.client.update_task(&link, &opt)?,
    }

    let enabled = existing.as_ref().is_some_and(|t| t.status == "enabled");
    if enabled && !flags.flag("no-reload") {
        for status in ["disabled", "enabled"] {
            let change = TaskOptions {
                status: status.to_string(),
                ..TaskOptions::default()
            };
            ctx.client
                .update_task(&link, &change)
                .context(format!("reloading task {id}"))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn vars_are_normalized_like_go_reencodes_them() {
        let vars = json!({
            "period": {"type": "duration", "value": "10m"},
            "crit": {"type": "float", "value": 90.5, "description": "threshold"},
            "tags": {"type": "list", "value": [{"type": "string", "value": "host"}]}
        });
        let got = Value::Object(normalize_vars(&vars).unwrap());
        assert_eq!(
            got,
            json!({
                "period": {"type": "duration", "value": 600_000_000_000i64, "description": ""},
                "crit": {"type": "float", "value": 90.5, "description": "threshold"},
                "tags": {"type": "list", "description": "",
                         "value": [{"type": "string", "value": "host", "description": ""}]}
            })
        );
    }

    #[test]
    fn bad_duration_var_is_an_error() {
        let err = normalize_vars(&json!({"p": {"type": "duration", "value": "ten"}})).unwrap_err();
        assert!(
            err.starts_with("invalid duration string for var p"),
            "{err}"
        );
    }

    #[test]
    fn task_file_accepts_object_and_string_dbrps() {
        let f = parse_task_file(
            r#"{"template-id":"tpl","dbrps":[{"db":"telegraf","rp":"autogen"},"\"a\".\"b\""],
                "vars":{"measurement":{"type":"string","value":"cpu"}}}"#,
            "t.json",
        )
        .unwrap();
        assert_eq!(f.template_id, "tpl");
        assert_eq!(f.id, "");
        assert_eq!(
            f.dbrps,
            vec![
                Dbrp {
                    db: "telegraf".into(),
                    rp: "autogen".into()
                },
                Dbrp {
                    db: "a".into(),
                    rp: "b".into()
                }
            ]
        );
        assert_eq!(f.vars["measurement"]["value"], json!("cpu"));
    }

    #[test]
    fn open_errors_read_like_go() {
        let e = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert_eq!(
            open_error("x.tick", &e),
            "open x.tick: no such file or directory"
        );
    }
}
