//! kapa-bench: see `kapa-bench -h`.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use kapa_bench::flags::{self, Config, Parsed};
use kapa_bench::load::{self, LoadSpec};
use kapa_bench::report::{self, TargetReport};
use kapa_bench::{BenchError, latency, parse_only, rss, shapes};

fn spec(c: &Config, url: &str) -> LoadSpec {
    LoadSpec {
        url: url.to_string(),
        rate: c.rate,
        connections: c.connections,
        duration: c.duration,
        batch: c.batch,
        series: c.series,
        pregenerate: c.pregenerate,
        measurement: c.measurement.clone(),
        db: c.db.clone(),
        rp: c.rp.clone(),
    }
}

fn run_target(
    c: &Config,
    url: &str,
    pid: Option<u32>,
    with_latency: bool,
) -> Result<TargetReport, BenchError> {
    let api = c.api.clone().unwrap_or_else(|| flags::api_base(url));
    if with_latency {
        latency::define_task(&api, &c.db, &c.rp)?;
    }
    let stop = Arc::new(AtomicBool::new(false));
    let prober = with_latency.then(|| {
        let (api, url, db, rp, every, stop) = (
            api.clone(),
            url.to_string(),
            c.db.clone(),
            c.rp.clone(),
            c.latency_interval,
            stop.clone(),
        );
        std::thread::spawn(move || latency::probe(&api, &url, &db, &rp, every, &stop))
    });
    let load = load::run(&spec(c, url), &stop);
    stop.store(true, Ordering::Relaxed);
    let e2e = prober.and_then(|h| h.join().ok());
    if with_latency {
        latency::delete_task(&api);
    }
    Ok(TargetReport {
        url: url.to_string(),
        load,
        e2e,
        rss: pid.map(|p| (p, rss::peak_rss_kb(p))),
    })
}

fn run(c: &Config) -> Result<(), BenchError> {
    if let Some(dir) = &c.shapes_report {
        let results = shapes::load(dir)?;
        print!("{}", shapes::table(&results));
        if let Some(svg) = &c.svg {
            std::fs::write(svg, shapes::svg(&results, 5000)).map_err(|source| BenchError::Io {
                path: svg.display().to_string(),
                source,
            })?;
        }
        return Ok(());
    }
    if c.parse_only {
        let p = parse_only::run(&c.measurement, c.series, c.batch, c.duration);
        if c.json {
            println!(
                "{}",
                serde_json::json!({"parse_only": report::parse_json(&p)})
            );
        } else {
            print!("{}", report::parse_text(&p));
        }
        return Ok(());
    }
    let main = run_target(c, &c.url, c.pid, c.latency_task)?;
    // InfluxDB has no task API, so the latency probe only runs against the main target.
    let compare = match &c.compare_url {
        Some(u) => Some(run_target(c, u, c.compare_pid, false)?),
        None => None,
    };
    let ratio = compare.as_ref().map(|o| main.rate() / o.rate().max(1e-9));
    if c.json {
        let mut targets = vec![report::target_json(&main)];
        targets.extend(compare.as_ref().map(report::target_json));
        println!(
            "{}",
            serde_json::json!({
                "rate": c.rate, "connections": c.connections, "duration_s": c.duration.as_secs_f64(),
                "batch": c.batch, "series": c.series, "db": c.db, "rp": c.rp,
                "targets": targets, "ratio": ratio,
            })
        );
    } else {
        print!("{}", report::target_text(&main));
        if let Some(o) = &compare {
            println!();
            print!("{}", report::target_text(o));
        }
        if let Some(r) = ratio {
            println!("\nratio           {r:.2} (points/s of -url / points/s of -compare-url)");
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match flags::parse(&args) {
        Ok(Parsed::Help) => {
            print!("{}", flags::USAGE);
            ExitCode::SUCCESS
        }
        Ok(Parsed::Run(c)) => match run(&c) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("kapa-bench: {e}");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("kapa-bench: {e}");
            eprint!("{}", flags::USAGE);
            ExitCode::from(2)
        }
    }
}
