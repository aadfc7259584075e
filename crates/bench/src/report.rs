//! The report of a run, as text for people and JSON for `scripts/bench`.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::load::LoadResult;
use crate::parse_only::ParseResult;
use crate::stats::summary;

/// Results for one target URL.
#[derive(Debug, Clone, Default)]
pub struct TargetReport {
    /// The `/write` URL.
    pub url: String,
    /// The load's outcome.
    pub load: LoadResult,
    /// End-to-end samples (µs) and lost probes, when a latency task ran.
    pub e2e: Option<(Vec<u64>, u64)>,
    /// The watched process and its peak RSS in kB.
    pub rss: Option<(u32, Option<u64>)>,
}

impl TargetReport {
    /// Points per second accepted.
    pub fn rate(&self) -> f64 {
        self.load.points as f64 / self.load.elapsed.as_secs_f64().max(1e-9)
    }
}

fn ms(us: u64) -> String {
    format!("{:.3}ms", us as f64 / 1000.0)
}

fn pct_json(samples: &[u64]) -> Value {
    let mut s = samples.to_vec();
    match summary(&mut s) {
        Some([p50, p99, p999]) => json!({"p50": p50, "p99": p99, "p999": p999, "n": s.len()}),
        None => json!({"p50": null, "p99": null, "p999": null, "n": 0}),
    }
}

fn pct_text(samples: &[u64]) -> String {
    let mut s = samples.to_vec();
    match summary(&mut s) {
        Some([p50, p99, p999]) => format!(
            "p50 {} p99 {} p999 {} (n {})",
            ms(p50),
            ms(p99),
            ms(p999),
            s.len()
        ),
        None => "no samples".into(),
    }
}

/// One target as text.
pub fn target_text(t: &TargetReport) -> String {
    let l = &t.load;
    let secs = l.elapsed.as_secs_f64().max(1e-9);
    let mut s = String::new();
    let _ = writeln!(s, "target          {}", t.url);
    let _ = writeln!(
        s,
        "points          {} in {:.2}s ({} requests, {} errors)",
        l.points, secs, l.requests, l.errors
    );
    if let Some(e) = &l.first_error {
        let _ = writeln!(s, "first error     {e}");
    }
    let _ = writeln!(
        s,
        "throughput      {:.0} points/s, {:.1} requests/s",
        t.rate(),
        l.requests as f64 / secs
    );
    let _ = writeln!(s, "write latency   {}", pct_text(&l.latencies_us));
    if let Some((samples, lost)) = &t.e2e {
        let _ = writeln!(s, "e2e latency     {}, {lost} lost", pct_text(samples));
    }
    if let Some((pid, kb)) = t.rss {
        match kb {
            Some(kb) => {
                let _ = writeln!(s, "peak RSS        {kb} kB (pid {pid})");
            }
            None => {
                let _ = writeln!(s, "peak RSS        unknown (pid {pid} not readable)");
            }
        }
    }
    s
}

/// One target as JSON.
pub fn target_json(t: &TargetReport) -> Value {
    let l = &t.load;
    let secs = l.elapsed.as_secs_f64().max(1e-9);
    json!({
        "url": t.url,
        "points": l.points,
        "requests": l.requests,
        "errors": l.errors,
        "first_error": l.first_error,
        "elapsed_s": secs,
        "points_per_s": t.rate(),
        "requests_per_s": l.requests as f64 / secs,
        "write_latency_us": pct_json(&l.latencies_us),
        "e2e_latency_us": t.e2e.as_ref().map(|(s, lost)| {
            let mut v = pct_json(s);
            v["lost"] = json!(lost);
            v
        }),
        "pid": t.rss.map(|r| r.0),
        "peak_rss_kb": t.rss.and_then(|r| r.1),
    })
}

/// The parse-only limit as text.
pub fn parse_text(p: &ParseResult) -> String {
    format!(
        "parse-only      {:.0} points/s on one thread, {:.1} MB/s ({} points, {} errors)\n",
        p.rate(),
        p.bytes as f64 / p.elapsed.as_secs_f64().max(1e-9) / 1e6,
        p.points,
        p.errors
    )
}

/// The parse-only limit as JSON.
pub fn parse_json(p: &ParseResult) -> Value {
    json!({
        "points": p.points,
        "bytes": p.bytes,
        "errors": p.errors,
        "elapsed_s": p.elapsed.as_secs_f64(),
        "points_per_s": p.rate(),
        "mb_per_s": p.bytes as f64 / p.elapsed.as_secs_f64().max(1e-9) / 1e6,
    })
}
