//! `kapacitor replay` and `kapacitor replay-live batch|query`: start a replay, wait for it
//! (unless `-no-wait`) and print its ID.

use anyhow::anyhow;
use serde_json::json;

use crate::client::Ordered;

use super::record::time_range;
use super::{Ctx, parse_flags, println_text, wait};
use crate::failure::{EXIT_COMMAND, EXIT_COMMAND_USAGE, Failure};
use crate::flags::{Flag, FlagSet};
use crate::usage;

const REAL: &str =
    "If set, replay the data in real time. If not set replay data as fast as possible.";
const REC: &str = "If set, use the times saved in the recording instead of present times.";
const NO_WAIT: &str = "Do not wait for the replay to finish.";
const ID: &str = "The ID to give to this replay. If not set a random ID is chosen.";

fn common(mut extra: Vec<Flag>) -> FlagSet {
    extra.extend([
        Flag::string("task", "The task ID."),
        Flag::boolean("real-clock", REAL),
        Flag::boolean("rec-time", REC),
        Flag::boolean("no-wait", NO_WAIT),
        Flag::string("replay-id", ID),
    ]);
    FlagSet::new(extra)
}

fn flags() -> FlagSet {
    common(vec![Flag::string("recording", "The ID of a recording.")])
}

fn fail(usage: &str, msg: &str) -> Failure {
    Failure::usage(EXIT_COMMAND, format!("{}{msg}\n", println_text(usage)))
}

fn clock(real: bool) -> &'static str {
    if real { "real" } else { "fast" }
}

/// Runs `replay`.
pub fn run(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    let set = flags();
    let usage = format!(
        "{}\nOptions:\n{}",
        usage::command("replay").unwrap_or_default(),
        set.defaults()
    );
    let f = parse_flags(&set, args, &usage)?;
    if f.str("recording").is_empty() {
        return Err(fail(&usage, "must pass recording ID"));
    }
    if f.str("task").is_empty() {
        return Err(fail(&usage, "must pass task ID"));
    }
    let body = Ordered(vec![
        ("id", json!(f.str("replay-id"))),
        ("task", json!(f.str("task"))),
        ("recording", json!(f.str("recording"))),
        ("recording-time", json!(f.flag("rec-time"))),
        ("clock", json!(clock(f.flag("real-clock")))),
    ]);
    let replay = ctx
        .client
        .send_json("/kapacitor/v1/replays", &body, false)?;
    wait::finish(ctx, replay, "replay", f.flag("no-wait"))
}

/// Runs `replay-live`.
pub fn live(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    let Some((kind, rest)) = args.split_first() else {
        let text = usage::command("replay-live").unwrap_or_default();
        return Err(Failure::usage(EXIT_COMMAND_USAGE, println_text(text)));
    };
    let (path, body, no_wait) = match kind.as_str() {
        "batch" => {
            let set = common(vec![
                Flag::string("start", "The start time for the set of queries."),
                Flag::string(
                    "stop",
                    "The stop time for the set of queries (default now).",
                ),
                Flag::string("past", "Set start time via 'now - past'."),
            ]);
            let usage = format!(
                "Usage: kapacitor replay-live batch [options]\n\nOptions:\n{}",
                set.defaults()
            );
            let f = parse_flags(&set, rest, &usage)?;
            if f.str("task").is_empty() {
                return Err(fail(&usage, "task is required"));
            }
            let (start, stop) = time_range(f.str("start"), f.str("stop"), f.str("past"), &usage)?;
            (
                "/kapacitor/v1/replays/batch",
                Ordered(vec![
                    ("id", json!(f.str("replay-id"))),
                    ("task", json!(f.str("task"))),
                    ("start", json!(start)),
                    ("stop", json!(stop)),
                    ("recording-time", json!(f.flag("rec-time"))),
                    ("clock", json!(clock(f.flag("real-clock")))),
                ]),
                f.flag("no-wait"),
            )
        }
        "query" => {
            let set = common(vec![
                Flag::string("query", "The query to replay."),
                Flag::string(
                    "cluster",
                    "Optional named InfluxDB cluster from configuration.",
                ),
            ]);
            let usage = format!(
                "Usage: kapacitor replay-live query [options]\n\nOptions:\n{}",
                set.defaults()
            );
            let f = parse_flags(&set, rest, &usage)?;
            if f.str("query").is_empty() || f.str("task").is_empty() {
                return Err(fail(&usage, "both query and task are required"));
            }
            (
                "/kapacitor/v1/replays/query",
                Ordered(vec![
                    ("id", json!(f.str("replay-id"))),
                    ("task", json!(f.str("task"))),
                    ("query", json!(f.str("query"))),
                    ("cluster", json!(f.str("cluster"))),
                    ("recording-time", json!(f.flag("rec-time"))),
                    ("clock", json!(clock(f.flag("real-clock")))),
                ]),
                f.flag("no-wait"),
            )
        }
        other => {
            return Err(anyhow!(
                "Unknown replay-live type {}, expected 'batch' or 'query'",
                crate::gofmt::quote(other)
            )
            .into());
        }
    };
    let replay = ctx.client.send_json(path, &body, false)?;
    wait::finish(ctx, replay, "replay", no_wait)
}
