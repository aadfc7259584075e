//! `kapacitor define-template <id> [-tick path] [-type stream|batch]` and
//! `kapacitor show-template <id>`.

use std::collections::BTreeMap;

use anyhow::anyhow;
use jiff::tz::TimeZone;
use serde_json::{Map, Value};

use super::define::open_error;
use super::{Ctx, parse_flags, println_text};
use crate::client::Var;
use crate::failure::{EXIT_COMMAND_USAGE, Failure};
use crate::flags::{Flag, FlagSet};
use crate::gofmt::{pad, time};
use crate::usage;

const TEMPLATES: &str = "/kapacitor/v1/templates";

fn flags() -> FlagSet {
    FlagSet::new(vec![
        Flag::string("tick", "Path to the TICKscript"),
        Flag::string("type", "The template type (stream|batch)"),
    ])
}

/// The path of a template resource.
pub fn template_link(id: &str) -> String {
    format!("{TEMPLATES}/{id}")
}

/// Runs `define-template`: creates the template, or updates the parts given.
pub fn define(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    let set = flags();
    let usage = format!(
        "{}\nOptions:\n\n{}",
        usage::command("define-template").unwrap_or_default(),
        set.defaults()
    );
    let Some((id, rest)) = args.split_first().filter(|(id, _)| !id.starts_with('-')) else {
        return Err(Failure::usage(
            EXIT_COMMAND_USAGE,
            format!("Must provide a template ID.\n{}", println_text(&usage)),
        ));
    };
    let f = parse_flags(&set, rest, &usage)?;
    let mut body = Map::new();
    if !f.str("tick").is_empty() {
        let path = f.str("tick");
        let script = std::fs::read_to_string(path).map_err(|e| anyhow!(open_error(path, &e)))?;
        body.insert("script".into(), Value::String(script));
    }
    if matches!(f.str("type"), "stream" | "batch") {
        body.insert("type".into(), Value::String(f.str("type").to_string()));
    }
    let link = template_link(id);
    let exists = ctx.client.get_json(&link, &[]).is_ok();
    if exists {
        ctx.client.send_json(&link, &Value::Object(body), true)?;
    } else {
        body.insert("id".into(), Value::String(id.clone()));
        ctx.client
            .send_json(TEMPLATES, &Value::Object(body), false)?;
    }
    Ok(())
}

/// Lays out a template as `show-template` prints it.
pub fn format_template(t: &Value, tz: &TimeZone) -> anyhow::Result<String> {
    let s = |k: &str| t.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    let mut out = String::new();
    out.push_str(&format!("ID: {}\n", s("id")));
    out.push_str(&format!("Error: {}\n", s("error")));
    out.push_str(&format!("Type: {}\n", s("type")));
    out.push_str(&format!("Created: {}\n", time(Some(&s("created")), tz)));
    out.push_str(&format!("Modified: {}\n", time(Some(&s("modified")), tz)));
    out.push_str(&format!("TICKscript:\n{}\n", s("script")));
    out.push_str("Vars:\n");
    let row = |a: &str, b: &str, c: &str, d: &str| {
        format!("{}{}{}{}\n", pad(a, 30), pad(b, 10), pad(c, 40), pad(d, 40))
    };
    out.push_str(&row("Name", "Type", "Default Value", "Description"));
    let vars: BTreeMap<String, Var> = t
        .get("vars")
        .cloned()
        .map(serde_json::from_value)
        .transpose()?
        .unwrap_or_default();
    for (name, var) in &vars {
        let value = if var.value.is_null() {
            "<required>".to_string()
        } else {
            super::show::var_value(name, var)?
        };
        out.push_str(&row(name, &var.kind, &value, &var.description));
    }
    out.push_str(&format!("DOT:\n{}\n", s("dot")));
    Ok(out)
}

/// Runs `show-template`.
pub fn show(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    let [id] = args else {
        let text = usage::command("show-template").unwrap_or_default();
        return Err(Failure::usage(
            EXIT_COMMAND_USAGE,
            format!("Must specify one template ID\n{}", println_text(text)),
        ));
    };
    let t = ctx
        .client
        .get_json(&template_link(id), &[("script-format", "formatted")])?;
    print!("{}", format_template(&t, &ctx.tz)?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_template_layout() {
        let t: Value = serde_json::from_str(
            r#"{"id":"tpl","error":"","type":"stream","created":"2016-05-04T21:01:00Z",
                "modified":"2016-05-04T21:01:00Z","script":"var x = 5\nstream\n",
                "vars":{"x":{"type":"int","value":5,"description":"threshold"},
                        "m":{"type":"string","value":null,"description":""}},
                "dot":"digraph tpl {\n}"}"#,
        )
        .unwrap();
        let out = format_template(&t, &TimeZone::UTC).unwrap();
        let row = |a: &str, b: &str, c: &str, d: &str| format!("{a:<30}{b:<10}{c:<40}{d:<40}\n");
        let expected = format!(
            "ID: tpl\nError: \nType: stream\nCreated: 04 May 16 21:01 UTC\nModified: 04 May 16 21:01 UTC\nTICKscript:\nvar x = 5\nstream\n\nVars:\n{}{}{}DOT:\ndigraph tpl {{\n}}\n",
            row("Name", "Type", "Default Value", "Description"),
            row("m", "string", "<required>", ""),
            row("x", "int", "5", "threshold"),
        );
        assert_eq!(out, expected);
    }
}
