//! `kapacitor push -remote URL <task ID|glob>...`: copies tasks, and the templates they are
//! made from, from this server to another one (listed but never implemented by Kapacitor).
//!
//! A task new on the remote keeps its local status; a task that exists there is updated in
//! place and, when enabled there, reloaded (as `define` does).

use anyhow::{Context as _, anyhow};
use serde_json::{Map, Value, json};

use super::templates::template_link;
use super::{Ctx, parse_flags, println_text};
use crate::client::Client;
use crate::failure::{EXIT_COMMAND_USAGE, Failure};
use crate::flags::{Flag, FlagSet};

const TASKS: &str = "/kapacitor/v1/tasks";
const TEMPLATES: &str = "/kapacitor/v1/templates";

fn flags() -> FlagSet {
    FlagSet::new(vec![Flag::string(
        "remote",
        "The URL http(s)://host:port of the kapacitord server to push to.",
    )])
}

fn usage(set: &FlagSet) -> String {
    format!(
        "Usage: kapacitor push -remote URL <task ID>...

\tCopy tasks, and the templates they are made from, to another Kapacitor server.
\tA task ID may be a glob pattern.

Options:
{}",
        set.defaults()
    )
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// The local tasks matching a pattern (their IDs).
fn matching(ctx: &Ctx, pattern: &str) -> Result<Vec<String>, Failure> {
    let page = ctx.client.get_json(
        TASKS,
        &[("pattern", pattern), ("fields", "link"), ("limit", "-1")],
    )?;
    Ok(page
        .get("tasks")
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|t| text(t, "id").to_string()).collect())
        .unwrap_or_default())
}

fn push_template(ctx: &Ctx, remote: &Client, id: &str) -> anyhow::Result<()> {
    let t = ctx
        .client
        .get_json(&template_link(id), &[("script-format", "raw")])
        .with_context(|| format!("reading template {id}"))?;
    let body = json!({"id": id, "type": text(&t, "type"), "script": text(&t, "script")});
    if remote.get_json(&template_link(id), &[]).is_ok() {
        remote.send_json(&template_link(id), &body, true)?;
    } else {
        remote.send_json(TEMPLATES, &body, false)?;
    }
    Ok(())
}

fn push_task(ctx: &Ctx, remote: &Client, id: &str) -> anyhow::Result<()> {
    let link = Client::task_link(id);
    let t = ctx
        .client
        .get_json(&link, &[("script-format", "raw")])
        .with_context(|| format!("reading task {id}"))?;
    let template = text(&t, "template-id").to_string();
    if !template.is_empty() {
        push_template(ctx, remote, &template)?;
    }
    let mut body = Map::new();
    body.insert("type".into(), t.get("type").cloned().unwrap_or(Value::Null));
    body.insert("dbrps".into(), t.get("dbrps").cloned().unwrap_or(json!([])));
    body.insert("vars".into(), t.get("vars").cloned().unwrap_or(json!({})));
    if template.is_empty() {
        body.insert(
            "script".into(),
            t.get("script").cloned().unwrap_or(Value::Null),
        );
    } else {
        body.insert("template-id".into(), Value::String(template));
    }
    match remote.get_json(&link, &[]) {
        Ok(existing) => {
            remote.send_json(&link, &Value::Object(body), true)?;
            if text(&existing, "status") == "enabled" {
                remote.send_json(&link, &json!({"status": "disabled"}), true)?;
                remote.send_json(&link, &json!({"status": "enabled"}), true)?;
            }
        }
        Err(e) if e.is_connect() => return Err(e.into()),
        Err(_) => {
            body.insert("id".into(), Value::String(id.to_string()));
            body.insert(
                "status".into(),
                t.get("status").cloned().unwrap_or(Value::Null),
            );
            remote.send_json(TASKS, &Value::Object(body), false)?;
        }
    }
    Ok(())
}

/// Runs `push`.
pub fn run(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    let set = flags();
    let usage = usage(&set);
    let f = parse_flags(&set, args, &usage)?;
    if f.str("remote").is_empty() || f.args.is_empty() {
        return Err(Failure::usage(
            EXIT_COMMAND_USAGE,
            format!(
                "Must pass -remote and at least one task ID\n{}",
                println_text(&usage)
            ),
        ));
    }
    let remote_url = f.str("remote");
    let remote = Client::new(remote_url)?;
    for pattern in &f.args {
        let ids = matching(ctx, pattern)?;
        if ids.is_empty() {
            return Err(anyhow!("no task matches {pattern:?}").into());
        }
        for id in ids {
            push_task(ctx, &remote, &id)
                .with_context(|| format!("pushing task {id} to {remote_url}"))?;
        }
    }
    Ok(())
}
