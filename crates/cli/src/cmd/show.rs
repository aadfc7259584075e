//! `kapacitor show [-replay id] <task ID>`: the task's state, TICKscript, vars and DOT.

use jiff::tz::TimeZone;
use serde_json::Value;

use super::{Ctx, parse_flags, println_text};
use crate::client::{Client, Task, Var};
use crate::dbrp::format_list;
use crate::failure::{EXIT_COMMAND_USAGE, Failure};
use crate::flags::{Flag, FlagSet};
use crate::gofmt::{float, pad, time};
use crate::usage;

/// The flags of `show`.
pub fn flags() -> FlagSet {
    FlagSet::new(vec![Flag::string(
        "replay",
        "Optional replay ID. If set the task information is in the context of the running replay.",
    )])
}

/// Text of one scalar var value, as Go's `%v` prints the decoded value.
fn scalar(kind: &str, value: &Value) -> String {
    match (kind, value) {
        (_, Value::Null) => "<nil>".to_string(),
        ("duration", Value::Number(n)) => {
            kapa_models::duration::format_go(n.as_i64().unwrap_or_default())
        }
        ("duration", Value::String(s)) => kapa_models::duration::parse_influxql(s)
            .map(kapa_models::duration::format_go)
            .unwrap_or_else(|_| s.clone()),
        ("float", Value::Number(n)) => float(n.as_f64().unwrap_or_default()),
        (_, Value::String(s)) => s.clone(),
        (_, Value::Number(n)) => n.to_string(),
        (_, Value::Bool(b)) => b.to_string(),
        (_, other) => other.to_string(),
    }
}

/// A list var prints as `[a, b]`; only strings and stars may be in it.
fn list_value(items: &[Value]) -> Result<String, String> {
    let mut parts = Vec::with_capacity(items.len());
    for item in items {
        let kind = item.get("type").and_then(Value::as_str).unwrap_or("");
        match kind {
            "string" => match item.get("value") {
                Some(Value::String(s)) => parts.push(s.clone()),
                _ => return Err("non string value in string var".to_string()),
            },
            "star" => parts.push("*".to_string()),
            other => {
                return Err(format!(
                    "lists can only contain strings or a star, got {other}"
                ));
            }
        }
    }
    Ok(format!("[{}]", parts.join(", ")))
}

pub(crate) fn var_value(name: &str, var: &Var) -> anyhow::Result<String> {
    match (&var.kind[..], &var.value) {
        ("list", Value::Array(items)) => {
            list_value(items).map_err(|e| anyhow::anyhow!("invalid var {name}: {e}"))
        }
        (kind, value) => Ok(scalar(kind, value)),
    }
}

/// Lays out a task as `kapacitor show` prints it, times in `tz`.
pub fn format_task(t: &Task, tz: &TimeZone) -> anyhow::Result<String> {
    let mut out = String::new();
    let mut line = |label: &str, value: &str| {
        // Go's Println puts a space between the label and the value, even an empty one.
        out.push_str(&format!("{label} {value}\n"));
    };
    line("ID:", &t.id);
    line("Error:", &t.error);
    line("Template:", &t.template_id);
    line("Type:", &t.kind);
    line("Status:", &t.status);
    line("Executing:", if t.executing { "true" } else { "false" });
    line("Created:", &time(t.created.as_deref(), tz));
    line("Modified:", &time(t.modified.as_deref(), tz));
    line("LastEnabled:", &time(t.last_enabled.as_deref(), tz));
    line("Databases Retention Policies:", &format_list(&t.dbrps));
    out.push_str(&format!("TICKscript:\n{}\n", t.script));
    if !t.vars.is_empty() {
        out.push_str("Vars:\n");
        let row = |name: &str, kind: &str, value: &str| {
            format!("{}{}{}\n", pad(name, 30), pad(kind, 10), pad(value, 40))
        };
        out.push_str(&row("Name", "Type", "Value"));
        for (name, var) in &t.vars {
            out.push_str(&row(name, &var.kind, &var_value(name, var)?));
        }
    }
    out.push_str(&format!("DOT:\n{}\n", t.dot));
    Ok(out)
}

/// Runs `show`.
pub fn run(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    let set = flags();
    let usage = usage::show(&set);
    let flags = parse_flags(&set, args, &usage)?;
    let [id] = &flags.args[..] else {
        return Err(Failure::usage(
            EXIT_COMMAND_USAGE,
            format!("Must specify one task ID\n{}", println_text(&usage)),
        ));
    };
    let task = ctx
        .client
        .task(&Client::task_link(id), flags.str("replay"))?;
    print!("{}", format_task(&task, &ctx.tz)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = r#"{
        "link": {"rel": "self", "href": "/kapacitor/v1/tasks/cpu_alert"},
        "id": "cpu_alert",
        "template-id": "",
        "type": "stream",
        "dbrps": [{"db": "kapacitor_example", "rp": "autogen"}],
        "script": "stream\n    |from()\n        .measurement('cpu')\n",
        "vars": {},
        "dot": "digraph cpu_alert {\nstream0 -> from1;\n}",
        "status": "enabled",
        "executing": true,
        "error": "",
        "stats": {},
        "created": "2016-05-04T21:01:00.123456789-06:00",
        "modified": "2016-05-05T03:04:59Z",
        "last-enabled": "2016-05-04T21:03:00-06:00"
    }"#;

    fn mdt() -> TimeZone {
        TimeZone::posix("MST7MDT,M3.2.0,M11.1.0").unwrap()
    }

    #[test]
    fn layout_matches_the_guide() {
        let task: Task = serde_json::from_str(FIXTURE).unwrap();
        assert_eq!(
            format_task(&task, &mdt()).unwrap(),
            "ID: cpu_alert\n\
             Error: \n\
             Template: \n\
             Type: stream\n\
             Status: enabled\n\
             Executing: true\n\
             Created: 04 May 16 21:01 MDT\n\
             Modified: 04 May 16 21:04 MDT\n\
             LastEnabled: 04 May 16 21:03 MDT\n\
             Databases Retention Policies: [\"kapacitor_example\".\"autogen\"]\n\
             TICKscript:\n\
             stream\n    |from()\n        .measurement('cpu')\n\n\
             DOT:\n\
             digraph cpu_alert {\nstream0 -> from1;\n}\n"
        );
    }

    #[test]
    fn never_enabled_task_shows_go_zero_time() {
        let task: Task = serde_json::from_str(
            r#"{"id":"t","type":"batch","status":"disabled","error":"boom",
                "created":"2018-04-12T02:49:00Z","modified":"2018-04-12T02:49:00Z",
                "last-enabled":"0001-01-01T00:00:00Z","dbrps":[],"script":"","dot":""}"#,
        )
        .unwrap();
        let out = format_task(&task, &TimeZone::UTC).unwrap();
        assert!(out.starts_with("ID: t\nError: boom\n"), "{out}");
        assert!(out.contains("\nCreated: 12 Apr 18 02:49 UTC\n"), "{out}");
        assert!(
            out.contains("\nLastEnabled: 01 Jan 01 00:00 UTC\n"),
            "{out}"
        );
        assert!(out.ends_with("Databases Retention Policies: []\nTICKscript:\n\nDOT:\n\n"));
    }

    #[test]
    fn vars_table() {
        let task: Task = serde_json::from_str(
            r#"{"id":"t","vars":{
                "crit":{"type":"float","value":90,"description":""},
                "period":{"type":"duration","value":600000000000},
                "where":{"type":"lambda","value":"\"host\" == 'a'"},
                "groups":{"type":"list","value":[{"type":"string","value":"host"},{"type":"star"}]},
                "on":{"type":"bool","value":true},
                "n":{"type":"int","value":3}
            }}"#,
        )
        .unwrap();
        let out = format_task(&task, &TimeZone::UTC).unwrap();
        let start = out.find("Vars:\n").unwrap();
        let end = out.find("DOT:\n").unwrap();
        let row = |a: &str, b: &str, c: &str| format!("{a:<30}{b:<10}{c:<40}\n");
        let expected = [
            "Vars:\n".to_string(),
            row("Name", "Type", "Value"),
            row("crit", "float", "90"),
            row("groups", "list", "[host, *]"),
            row("n", "int", "3"),
            row("on", "bool", "true"),
            row("period", "duration", "10m0s"),
            row("where", "lambda", "\"host\" == 'a'"),
        ]
        .concat();
        assert_eq!(&out[start..end], expected);
    }

    #[test]
    fn bad_list_var_is_an_error() {
        let task: Task = serde_json::from_str(
            r#"{"id":"t","vars":{"l":{"type":"list","value":[{"type":"int","value":1}]}}}"#,
        )
        .unwrap();
        assert_eq!(
            format_task(&task, &TimeZone::UTC).unwrap_err().to_string(),
            "invalid var l: lists can only contain strings or a star, got int"
        );
    }
}
