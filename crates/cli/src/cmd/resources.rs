//! `list` and `delete` of templates, recordings and replays, with Kapacitor's layouts:
//! each pattern is expanded by the server's listing, page by page.

use jiff::tz::TimeZone;
use serde_json::Value;

use super::Ctx;
use crate::failure::Failure;
use crate::gofmt::{pad, time};

/// Kapacitor's page size for listings.
const LIMIT: usize = 100;

/// The API collection of a kind (`templates`, `recordings`, `replays`).
fn path(kind: &str) -> String {
    format!("/kapacitor/v1/{kind}")
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Every item of `kind` matching the patterns, with the given fields.
fn fetch(
    ctx: &Ctx,
    kind: &str,
    patterns: &[String],
    fields: &[&str],
) -> Result<Vec<Value>, Failure> {
    let mut all = Vec::new();
    let everything = [String::new()];
    let patterns = if patterns.is_empty() {
        &everything[..]
    } else {
        patterns
    };
    for pattern in patterns {
        let mut offset = 0;
        loop {
            let off = offset.to_string();
            let lim = LIMIT.to_string();
            let mut q: Vec<(&str, &str)> = vec![("pattern", pattern)];
            q.extend(fields.iter().map(|f| ("fields", *f)));
            q.push(("offset", &off));
            q.push(("limit", &lim));
            let page = ctx.client.get_json(&path(kind), &q)?;
            let items = page
                .get(kind)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let n = items.len();
            all.extend(items);
            if n != LIMIT {
                break;
            }
            offset += LIMIT;
        }
    }
    Ok(all)
}

/// Go's `humanize.Bytes`: SI units, one decimal below 10.
pub fn human_bytes(s: u64) -> String {
    if s < 10 {
        return format!("{s} B");
    }
    const SIZES: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    let e = ((s as f64).ln() / 1000f64.ln()).floor();
    let suffix = SIZES[(e as usize).min(SIZES.len() - 1)];
    let val = (s as f64 / 1000f64.powf(e) * 10.0 + 0.5).floor() / 10.0;
    if val < 10.0 {
        format!("{val:.1} {suffix}")
    } else {
        format!("{val:.0} {suffix}")
    }
}

/// `list templates`: ID, Type, Vars (names sorted, comma-separated), sorted by ID.
pub fn format_templates(items: &[Value]) -> String {
    let mut items: Vec<&Value> = items.iter().collect();
    items.sort_by(|a, b| text(a, "id").cmp(text(b, "id")));
    let width = items
        .iter()
        .map(|t| text(t, "id").len())
        .fold(2, usize::max)
        + 1;
    let mut out = format!(
        "{}{}{}\n",
        pad("ID", width),
        pad("Type", 10),
        pad("Vars", 40)
    );
    for t in items {
        let mut vars: Vec<&str> = t
            .get("vars")
            .and_then(Value::as_object)
            .map(|m| m.keys().map(String::as_str).collect())
            .unwrap_or_default();
        vars.sort_unstable();
        out.push_str(&format!(
            "{}{}{}\n",
            pad(text(t, "id"), width),
            pad(text(t, "type"), 10),
            pad(&vars.join(","), 40)
        ));
    }
    out
}

/// `list recordings`: ID, Type, Status, Size, Date, in the server's order.
pub fn format_recordings(items: &[Value], tz: &TimeZone) -> String {
    let width = items
        .iter()
        .map(|r| text(r, "id").len())
        .fold(2, usize::max)
        + 1;
    let row = |a: &str, b: &str, c: &str, d: &str, e: &str| {
        format!(
            "{}{}{}{}{}\n",
            pad(a, width),
            pad(b, 8),
            pad(c, 10),
            pad(d, 10),
            pad(e, 23)
        )
    };
    let mut out = row("ID", "Type", "Status", "Size", "Date");
    for r in items {
        let size = r.get("size").and_then(Value::as_u64).unwrap_or(0);
        out.push_str(&row(
            text(r, "id"),
            text(r, "type"),
            text(r, "status"),
            &human_bytes(size),
            &time(Some(text(r, "date")), tz),
        ));
    }
    out
}

/// `list replays`: ID, Task, Recording, Status, Clock, Date, in the server's order.
pub fn format_replays(items: &[Value], tz: &TimeZone) -> String {
    let w = |key: &str, min: usize| {
        items
            .iter()
            .map(|r| text(r, key).len())
            .fold(min, usize::max)
            + 1
    };
    let (wi, wt, wr) = (w("id", 2), w("task", 4), w("recording", 9));
    let row = |a: &str, b: &str, c: &str, d: &str, e: &str, f: &str| {
        format!(
            "{}{}{}{}{}{}\n",
            pad(a, wi),
            pad(b, wt),
            pad(c, wr),
            pad(d, 9),
            pad(e, 8),
            pad(f, 23)
        )
    };
    let mut out = row("ID", "Task", "Recording", "Status", "Clock", "Date");
    for r in items {
        out.push_str(&row(
            text(r, "id"),
            text(r, "task"),
            text(r, "recording"),
            text(r, "status"),
            text(r, "clock"),
            &time(Some(text(r, "date")), tz),
        ));
    }
    out
}

/// `list templates|recordings|replays [pattern...]`.
pub fn list(ctx: &Ctx, kind: &str, patterns: &[String]) -> Result<(), Failure> {
    let out = match kind {
        "templates" => format_templates(&fetch(ctx, kind, patterns, &["type", "vars"])?),
        "recordings" => format_recordings(
            &fetch(ctx, kind, patterns, &["type", "size", "date", "status"])?,
            &ctx.tz,
        ),
        _ => format_replays(
            &fetch(
                ctx,
                kind,
                patterns,
                &["task", "recording", "status", "clock", "date"],
            )?,
            &ctx.tz,
        ),
    };
    print!("{out}");
    Ok(())
}

/// `delete templates|recordings|replays <id|glob>...`.
pub fn delete(ctx: &Ctx, kind: &str, patterns: &[String]) -> Result<(), Failure> {
    for pattern in patterns {
        // Deleted items leave the listing, so every page is read from the start.
        loop {
            let lim = LIMIT.to_string();
            let q = [
                ("pattern", pattern.as_str()),
                ("fields", "link"),
                ("limit", &lim),
            ];
            let page = ctx.client.get_json(&path(kind), &q)?;
            let items = page
                .get(kind)
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for item in &items {
                let href = item
                    .get("link")
                    .and_then(|l| l.get("href"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{}/{}", path(kind), text(item, "id")));
                ctx.client.delete_path(&href)?;
            }
            if items.len() != LIMIT {
                break;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bytes_like_go_humanize() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(9), "9 B");
        assert_eq!(human_bytes(82), "82 B");
        assert_eq!(human_bytes(1_600_000), "1.6 MB");
        assert_eq!(human_bytes(13_300), "13 kB");
    }

    #[test]
    fn recordings_layout() {
        let items = vec![
            json!({"id": "cd158f21-02e6-405c-8527-261ae6f26153", "type": "stream",
            "status": "finished", "size": 1_600_000, "date": "2016-05-04T17:44:00Z"}),
        ];
        let tz = TimeZone::posix("MST7MDT,M3.2.0,M11.1.0").unwrap();
        assert_eq!(
            format_recordings(&items, &tz),
            "ID                                   Type    Status    Size      Date                   \n\
             cd158f21-02e6-405c-8527-261ae6f26153 stream  finished  1.6 MB    04 May 16 11:44 MDT    \n"
        );
    }

    #[test]
    fn templates_and_replays_layout() {
        let t = vec![
            json!({"id": "b", "type": "stream", "vars": {"z": {}, "a": {}}}),
            json!({"id": "a", "type": "batch", "vars": {}}),
        ];
        assert_eq!(
            format_templates(&t),
            format!(
                "{:<3}{:<10}{:<40}\n{:<3}{:<10}{:<40}\n{:<3}{:<10}{:<40}\n",
                "ID", "Type", "Vars", "a", "batch", "", "b", "stream", "a,z"
            )
        );
        let r = vec![
            json!({"id": "r1", "task": "cpu_alert", "recording": "rec", "status": "finished", "clock": "fast", "date": "2016-05-04T17:44:00Z"}),
        ];
        assert_eq!(
            format_replays(&r, &TimeZone::UTC),
            format!(
                "{:<3}{:<10}{:<10}{:<9}{:<8}{:<23}\n{:<3}{:<10}{:<10}{:<9}{:<8}{:<23}\n",
                "ID",
                "Task",
                "Recording",
                "Status",
                "Clock",
                "Date",
                "r1",
                "cpu_alert",
                "rec",
                "finished",
                "fast",
                "04 May 16 17:44 UTC"
            )
        );
    }
}
