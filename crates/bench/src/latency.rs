//! End-to-end latency: a task `stream|from().measurement('kapa_bench_latency')|httpOut('lat')`
//! is defined over the Kapacitor API; a probe thread writes one point with a sequence number
//! next to the load and polls the httpOut endpoint until that number is visible. The sample is
//! the time from the start of the write to the first poll that sees it, so it includes the
//! write's HTTP round trip and up to one poll round trip of resolution.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crate::BenchError;
use crate::load::{agent, post, write_url};

/// Id of the task the probe reads.
pub const TASK_ID: &str = "kapa_bench_latency";
/// Measurement the probe writes.
pub const MEASUREMENT: &str = "kapa_bench_latency";

/// Defines (replacing) and enables the latency task on `api` (`http://host:port`).
pub fn define_task(api: &str, db: &str, rp: &str) -> Result<(), BenchError> {
    let a = agent(Duration::from_secs(10));
    delete_task(api);
    let body = serde_json::json!({
        "id": TASK_ID,
        "type": "stream",
        "dbrps": [{"db": db, "rp": rp}],
        "script": format!("stream\n    |from()\n        .measurement('{MEASUREMENT}')\n    |httpOut('lat')\n"),
        "status": "enabled",
    });
    let mut resp = a
        .post(&format!("{api}/kapacitor/v1/tasks"))
        .header("Content-Type", "application/json")
        .send(body.to_string().as_bytes())
        .map_err(|e| BenchError::Http(format!("defining the latency task: {e}")))?;
    let status = resp.status().as_u16();
    let text = resp.body_mut().read_to_string().unwrap_or_default();
    if status / 100 != 2 {
        return Err(BenchError::Http(format!(
            "defining the latency task: HTTP {status}: {}",
            text.trim()
        )));
    }
    Ok(())
}

/// Deletes the latency task; a missing task is fine.
pub fn delete_task(api: &str) {
    let a = agent(Duration::from_secs(10));
    if let Ok(mut r) = a
        .delete(&format!("{api}/kapacitor/v1/tasks/{TASK_ID}"))
        .call()
    {
        let _ = r.body_mut().read_to_string();
    }
}

/// The last `seq` value of an httpOut result, if any.
pub fn last_seq(json: &str) -> Option<f64> {
    let v: serde_json::Value = serde_json::from_str(json).ok()?;
    let series = v.get("series")?.as_array()?;
    let s = series.first()?;
    let cols = s.get("columns")?.as_array()?;
    let idx = cols.iter().position(|c| c.as_str() == Some("seq"))?;
    let row = s.get("values")?.as_array()?.last()?.as_array()?;
    row.get(idx)?.as_f64()
}

/// Probes until `stop`; returns samples in µs and the number of probes that timed out.
pub fn probe(
    api: &str,
    write: &str,
    db: &str,
    rp: &str,
    interval: Duration,
    stop: &Arc<AtomicBool>,
) -> (Vec<u64>, u64) {
    let a = agent(Duration::from_secs(10));
    let url = write_url(write, db, rp);
    let out = format!("{api}/kapacitor/v1/tasks/{TASK_ID}/lat");
    let mut samples = Vec::new();
    let mut lost = 0;
    let mut seq: u64 = 0;
    while !stop.load(Ordering::Relaxed) {
        seq += 1;
        let line = format!("{MEASUREMENT} seq={seq}\n");
        let t0 = Instant::now();
        if post(&a, &url, line.as_bytes()).is_err() {
            lost += 1;
            std::thread::sleep(interval);
            continue;
        }
        let give_up = t0 + Duration::from_secs(5);
        let mut seen = false;
        while Instant::now() < give_up {
            let Ok(mut r) = a.get(&out).call() else { break };
            let text = r.body_mut().read_to_string().unwrap_or_default();
            if last_seq(&text).is_some_and(|s| s >= seq as f64) {
                samples.push(t0.elapsed().as_micros() as u64);
                seen = true;
                break;
            }
        }
        if !seen {
            lost += 1;
        }
        std::thread::sleep(interval);
    }
    (samples, lost)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_sequence_number_of_an_http_out_result() {
        let j = r#"{"series":[{"name":"kapa_bench_latency","columns":["time","seq"],"values":[["2024-01-01T00:00:00Z",41],["2024-01-01T00:00:01Z",42]]}]}"#;
        assert_eq!(last_seq(j), Some(42.0));
        assert_eq!(last_seq(r#"{"series":null}"#), None);
        assert_eq!(last_seq("not json"), None);
    }
}
