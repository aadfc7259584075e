//! `kapacitor record stream|batch|query [options]`: starts a recording, waits for it
//! (unless `-no-wait`) and prints its ID.

use anyhow::anyhow;
use serde_json::json;

use crate::client::Ordered;

use super::{Ctx, parse_flags, println_text, wait};
use crate::failure::{EXIT_COMMAND, EXIT_COMMAND_USAGE, Failure};
use crate::flags::{Flag, FlagSet};
use crate::usage;

const NO_WAIT: &str = "Do not wait for the recording to finish.";
const ID: &str = "The ID to give to this recording. If not set an random ID is chosen.";

fn stream_flags() -> FlagSet {
    FlagSet::new(vec![
        Flag::string(
            "task",
            "The ID of a task. Uses the dbrp value for the task.",
        ),
        Flag::string("duration", "How long to record the data stream."),
        Flag::boolean("no-wait", NO_WAIT),
        Flag::string("recording-id", ID),
    ])
}

fn batch_flags() -> FlagSet {
    FlagSet::new(vec![
        Flag::string(
            "task",
            "The ID of a task. Uses the queries contained in the task.",
        ),
        Flag::string("start", "The start time for the set of queries."),
        Flag::string(
            "stop",
            "The stop time for the set of queries (default now).",
        ),
        Flag::string("past", "Set start time via 'now - past'."),
        Flag::boolean("no-wait", NO_WAIT),
        Flag::string("recording-id", ID),
    ])
}

fn query_flags() -> FlagSet {
    FlagSet::new(vec![
        Flag::string("query", "The query to record."),
        Flag::string("type", "The type of the recording to save (stream|batch)."),
        Flag::string(
            "cluster",
            "Optional named InfluxDB cluster from configuration.",
        ),
        Flag::boolean("no-wait", NO_WAIT),
        Flag::string("recording-id", ID),
    ])
}

fn sub_usage(kind: &str, set: &FlagSet) -> String {
    format!(
        "Usage: kapacitor record {kind} [options]\n\n\tSee 'kapacitor help record'.\n\nOptions:\n{}",
        set.defaults()
    )
}

/// Kapacitor prints the usage and then fails with the message.
fn missing(usage: &str, msg: &str) -> Failure {
    Failure::usage(EXIT_COMMAND, format!("{}{msg}\n", println_text(usage)))
}

fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

fn rfc3339(ns: i64) -> String {
    kapa_models::time::format_rfc3339(ns)
}

/// `-start`/`-stop`/`-past` into (start, stop) RFC 3339 texts, as Kapacitor computes them.
pub fn time_range(
    start: &str,
    stop: &str,
    past: &str,
    usage: &str,
) -> Result<(String, String), Failure> {
    if start.is_empty() && past.is_empty() {
        return Err(missing(usage, "must set one of start or past flags."));
    }
    if !start.is_empty() && !past.is_empty() {
        return Err(missing(usage, "cannot set both start and past flags."));
    }
    let parse = |s: &str| {
        kapa_models::time::parse_rfc3339(s)
            .map_err(|e| Failure::from(anyhow!("parsing time {s:?}: {e}")))
    };
    let stop_ns = if stop.is_empty() {
        now_ns()
    } else {
        parse(stop)?
    };
    let start_ns = if past.is_empty() {
        parse(start)?
    } else {
        let d = kapa_models::duration::parse_influxql(past)
            .map_err(|e| Failure::from(anyhow!("invalid duration {past:?}: {e}")))?;
        stop_ns - d
    };
    Ok((rfc3339(start_ns), rfc3339(stop_ns)))
}

/// Runs `record`.
pub fn run(ctx: &Ctx, args: &[String]) -> Result<(), Failure> {
    let Some((kind, rest)) = args.split_first() else {
        let text = usage::command("record").unwrap_or_default();
        return Err(Failure::usage(EXIT_COMMAND_USAGE, println_text(text)));
    };
    let (path, body, no_wait): (&str, Ordered, bool) = match kind.as_str() {
        "stream" => {
            let set = stream_flags();
            let usage = sub_usage("stream", &set);
            let f = parse_flags(&set, rest, &usage)?;
            if f.str("task").is_empty() || f.str("duration").is_empty() {
                return Err(missing(&usage, "both task and duration are required"));
            }
            let d = kapa_models::duration::parse_influxql(f.str("duration"))
                .map_err(|e| anyhow!("invalid duration {:?}: {e}", f.str("duration")))?;
            (
                "/kapacitor/v1/recordings/stream",
                Ordered(vec![
                    ("id", json!(f.str("recording-id"))),
                    ("task", json!(f.str("task"))),
                    ("stop", json!(rfc3339(now_ns() + d))),
                ]),
                f.flag("no-wait"),
            )
        }
        "batch" => {
            let set = batch_flags();
            let usage = sub_usage("batch", &set);
            let f = parse_flags(&set, rest, &usage)?;
            if f.str("task").is_empty() {
                return Err(missing(&usage, "task is required"));
            }
            let (start, stop) = time_range(f.str("start"), f.str("stop"), f.str("past"), &usage)?;
            (
                "/kapacitor/v1/recordings/batch",
                Ordered(vec![
                    ("id", json!(f.str("recording-id"))),
                    ("task", json!(f.str("task"))),
                    ("start", json!(start)),
                    ("stop", json!(stop)),
                ]),
                f.flag("no-wait"),
            )
        }
        "query" => {
            let set = query_flags();
            let usage = sub_usage("query", &set);
            let f = parse_flags(&set, rest, &usage)?;
            if f.str("query").is_empty() || f.str("type").is_empty() {
                return Err(missing(&usage, "both query and type are required"));
            }
            (
                "/kapacitor/v1/recordings/query",
                Ordered(vec![
                    ("id", json!(f.str("recording-id"))),
                    ("query", json!(f.str("query"))),
                    ("type", json!(f.str("type"))),
                    ("cluster", json!(f.str("cluster"))),
                ]),
                f.flag("no-wait"),
            )
        }
        other => {
            return Err(anyhow!(
                "Unknown record type {}, expected 'stream', 'batch' or 'query'",
                crate::gofmt::quote(other)
            )
            .into());
        }
    };
    let rec = ctx.client.send_json(path, &body, false)?;
    wait::finish(ctx, rec, "recording", no_wait)
}
