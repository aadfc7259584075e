//! Waiting for a recording or replay to finish, as Kapacitor's CLI does (poll every 500ms,
//! print the ID, fail with the server's error), with a progress line on a terminal.

use std::io::{IsTerminal, Write};
use std::time::Duration;

use anyhow::anyhow;
use serde_json::Value;

use super::Ctx;
use crate::failure::Failure;

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Polls `link` while the resource is `running`, then prints its ID; a failed one is an
/// error (`what` names it in the fallback message). `no_wait` prints the ID at once.
pub fn finish(ctx: &Ctx, first: Value, what: &str, no_wait: bool) -> Result<(), Failure> {
    let mut current = first;
    let id = text(&current, "id").to_string();
    if no_wait {
        println!("{id}");
        return Ok(());
    }
    let link = current
        .get("link")
        .and_then(|l| l.get("href"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    // Progress goes to stderr and only to a terminal, so `rid=$(kapacitor record ...)`
    // still captures the ID alone.
    let show = std::io::stderr().is_terminal();
    while text(&current, "status") == "running" {
        if show {
            let p = current
                .get("progress")
                .and_then(Value::as_f64)
                .unwrap_or(0.0);
            eprint!("\r{what} {id}: running, {:.0}%", p * 100.0);
            let _ = std::io::stderr().flush();
        }
        std::thread::sleep(Duration::from_millis(500));
        current = ctx.client.get_json(&link, &[])?;
    }
    if show {
        eprint!("\r\x1b[K");
    }
    println!("{id}");
    if text(&current, "status") == "failed" {
        let err = text(&current, "error");
        let err = if err.is_empty() {
            format!("{what} failed: unknown reason")
        } else {
            err.to_string()
        };
        return Err(anyhow!(err).into());
    }
    Ok(())
}
