//! The load: one thread per keep-alive connection posting generated batches, open-loop at a
//! fixed rate or closed-loop as fast as the target answers.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::lines::{Generator, now_ns};

/// One load run.
#[derive(Debug, Clone)]
pub struct LoadSpec {
    /// `/write` URL (query parameters are appended).
    pub url: String,
    /// Points per second over all connections; 0 = as fast as possible.
    pub rate: u64,
    /// Connections (threads).
    pub connections: usize,
    /// Length of the run.
    pub duration: Duration,
    /// Points per request.
    pub batch: usize,
    /// Distinct hosts.
    pub series: usize,
    /// Bodies rendered before the run and sent in turn (0: render each when sent).
    pub pregenerate: usize,
    /// Measurement name.
    pub measurement: String,
    /// Database.
    pub db: String,
    /// Retention policy.
    pub rp: String,
}

/// What a load run achieved.
#[derive(Debug, Clone, Default)]
pub struct LoadResult {
    /// Points in requests answered with 2xx.
    pub points: u64,
    /// Requests answered with 2xx.
    pub requests: u64,
    /// Requests that failed or were refused.
    pub errors: u64,
    /// The first failure, for the report.
    pub first_error: Option<String>,
    /// Wall time of the run.
    pub elapsed: Duration,
    /// Per successful request, in µs: response time minus intended send time (rate mode) or
    /// minus actual send time (as-fast-as-possible mode).
    pub latencies_us: Vec<u64>,
}

/// The full write URL with `db`, `rp` and `precision=ns`.
pub fn write_url(url: &str, db: &str, rp: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}db={db}&rp={rp}&precision=ns")
}

/// A keep-alive HTTP agent that reports every status instead of failing on 4xx/5xx.
pub fn agent(timeout: Duration) -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(timeout))
        .build()
        .into()
}

/// Posts one body; `Ok` on 2xx, otherwise the status and body as text.
pub fn post(agent: &ureq::Agent, url: &str, body: &[u8]) -> Result<(), String> {
    let mut resp = agent
        .post(url)
        .header("Content-Type", "text/plain; charset=utf-8")
        .send(body)
        .map_err(|e| e.to_string())?;
    let status = resp.status().as_u16();
    // Reading the body to its end keeps the connection reusable.
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    if (200..300).contains(&status) {
        Ok(())
    } else {
        Err(format!("HTTP {status}: {}", text.trim()))
    }
}

/// Runs the load; `stop` may end it early.
pub fn run(spec: &LoadSpec, stop: &Arc<AtomicBool>) -> LoadResult {
    let url = write_url(&spec.url, &spec.db, &spec.rp);
    let start = Instant::now();
    let deadline = start + spec.duration;
    // Each connection sends every `interval`, staggered so the total is `rate` points/s.
    let interval = (spec.rate > 0).then(|| {
        Duration::from_secs_f64(spec.batch as f64 * spec.connections as f64 / spec.rate as f64)
    });
    let handles: Vec<_> = (0..spec.connections)
        .map(|c| {
            let url = url.clone();
            let spec = spec.clone();
            let stop = stop.clone();
            std::thread::spawn(move || {
                let agent = agent(Duration::from_secs(30));
                let mut g = Generator::new(&spec.measurement, spec.series, (c as u64) << 40);
                let mut body = String::new();
                let ready: Vec<String> = (0..spec.pregenerate)
                    .map(|_| {
                        let mut b = String::new();
                        g.fill(&mut b, spec.batch, now_ns());
                        b
                    })
                    .collect();
                let mut r = LoadResult::default();
                let offset = interval.map(|i| i.mul_f64(c as f64 / spec.connections as f64));
                let mut k: u32 = 0;
                loop {
                    let scheduled = match (interval, offset) {
                        (Some(i), Some(o)) => Some(start + o + i * k),
                        _ => None,
                    };
                    k += 1;
                    let at = scheduled.unwrap_or_else(Instant::now);
                    if at >= deadline || stop.load(Ordering::Relaxed) {
                        break;
                    }
                    if let Some(s) = scheduled {
                        let now = Instant::now();
                        if s > now {
                            std::thread::sleep(s - now);
                        }
                    }
                    let payload = if ready.is_empty() {
                        g.fill(&mut body, spec.batch, now_ns());
                        body.as_bytes()
                    } else {
                        ready[k as usize % ready.len()].as_bytes()
                    };
                    let sent = Instant::now();
                    let outcome = post(&agent, &url, payload);
                    let done = Instant::now();
                    match outcome {
                        Ok(()) => {
                            r.points += spec.batch as u64;
                            r.requests += 1;
                            let from = scheduled.unwrap_or(sent);
                            r.latencies_us
                                .push(done.saturating_duration_since(from).as_micros() as u64);
                        }
                        Err(e) => {
                            r.errors += 1;
                            if r.first_error.is_none() {
                                r.first_error = Some(e);
                            }
                            if r.errors >= 100 && r.requests == 0 {
                                break;
                            }
                        }
                    }
                }
                r
            })
        })
        .collect();
    let mut total = LoadResult::default();
    for h in handles {
        if let Ok(r) = h.join() {
            total.points += r.points;
            total.requests += r.requests;
            total.errors += r.errors;
            if total.first_error.is_none() {
                total.first_error = r.first_error;
            }
            total.latencies_us.extend(r.latencies_us);
        }
    }
    total.elapsed = start.elapsed();
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_parameters_are_appended() {
        assert_eq!(
            write_url("http://h/write", "d", "r"),
            "http://h/write?db=d&rp=r&precision=ns"
        );
        assert_eq!(
            write_url("http://h/write?u=x", "d", "r"),
            "http://h/write?u=x&db=d&rp=r&precision=ns"
        );
    }
}
