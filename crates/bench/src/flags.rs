//! Go-style flags (`-rate 1000`, `-rate=1000`, `--rate 1000`), as the rest of the project uses.

use std::path::PathBuf;
use std::time::Duration;

use crate::BenchError;

/// What one run of kapa-bench does.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The `/write` URL under load.
    pub url: String,
    /// Base URL of the Kapacitor API for the latency task (derived from `url` when empty).
    pub api: Option<String>,
    /// Points per second over all connections; 0 = as fast as possible.
    pub rate: u64,
    /// Concurrent keep-alive connections, one thread each.
    pub connections: usize,
    /// How long the load runs.
    pub duration: Duration,
    /// Points per request.
    pub batch: usize,
    /// Number of distinct `host` tag values.
    pub series: usize,
    /// Bodies rendered before the run and sent in turn (0: each body is rendered when sent).
    pub pregenerate: usize,
    /// `db` query parameter.
    pub db: String,
    /// `rp` query parameter.
    pub rp: String,
    /// Measurement of the generated points.
    pub measurement: String,
    /// Define a httpOut task over the API and measure write-to-visibility latency.
    pub latency_task: bool,
    /// Pause between two latency probes.
    pub latency_interval: Duration,
    /// Process whose peak RSS is reported.
    pub pid: Option<u32>,
    /// A second `/write` URL that gets the same load afterwards.
    pub compare_url: Option<String>,
    /// Process behind `compare_url` whose peak RSS is reported.
    pub compare_pid: Option<u32>,
    /// Only measure the parse cost of the generated data.
    pub parse_only: bool,
    /// Print one JSON document instead of text.
    pub json: bool,
    /// Criterion output directory to turn into the shapes table (no load is run).
    pub shapes_report: Option<PathBuf>,
    /// Where the shapes chart is written.
    pub svg: Option<PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            url: "http://127.0.0.1:9092/kapacitor/v1/write".into(),
            api: None,
            rate: 0,
            connections: 2,
            duration: Duration::from_secs(10),
            batch: 1000,
            series: 100,
            pregenerate: 0,
            db: "telegraf".into(),
            rp: "autogen".into(),
            measurement: "cpu".into(),
            latency_task: false,
            latency_interval: Duration::from_millis(50),
            pid: None,
            compare_url: None,
            compare_pid: None,
            parse_only: false,
            json: false,
            shapes_report: None,
            svg: None,
        }
    }
}

/// The usage text printed by `-h`.
pub const USAGE: &str = "Usage: kapa-bench [flags]

  -url URL              /write URL under load (default http://127.0.0.1:9092/kapacitor/v1/write)
  -api URL              Kapacitor API base for -latency-task (default: derived from -url)
  -rate N               points per second over all connections; 0 = as fast as possible (default 0)
  -connections N        concurrent keep-alive connections (default 2)
  -duration D           how long to run, Go duration (default 10s)
  -batch N              points per request (default 1000)
  -series N             distinct host tag values (default 100)
  -pregenerate N        render N bodies before the run and send them in turn, so formatting
                        takes no CPU from the target during the run (default 0: render each)
  -db NAME              database (default telegraf)
  -rp NAME              retention policy (default autogen)
  -measurement NAME     measurement of generated points (default cpu)
  -latency-task         define a httpOut task over the API and measure write-to-visibility latency
  -latency-interval D   pause between latency probes (default 50ms)
  -pid PID              report the peak RSS (VmHWM) of this process
  -compare-url URL      run the same load against this /write URL afterwards and print the ratio
  -compare-pid PID      report the peak RSS of the process behind -compare-url
  -parse-only           measure the line-protocol parse cost of the same data only (the limit)
  -json                 print one JSON document
  -shapes-report DIR    print the table of criterion's shapes results under DIR (no load)
  -svg FILE             with -shapes-report: write the throughput-vs-tasks chart
";

/// Outcome of flag parsing: a run, or a request for help.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// Run with this configuration.
    Run(Box<Config>),
    /// `-h` / `-help` was given.
    Help,
}

fn bad(name: &str, value: &str, why: &str) -> BenchError {
    BenchError::Flag(format!("invalid value {value:?} for flag -{name}: {why}"))
}

fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, BenchError> {
    value.parse().map_err(|_| bad(name, value, "parse error"))
}

fn duration(name: &str, value: &str) -> Result<Duration, BenchError> {
    let ns = kapa_models::duration::parse_go(value).map_err(|_| bad(name, value, "parse error"))?;
    u64::try_from(ns)
        .map(Duration::from_nanos)
        .map_err(|_| bad(name, value, "negative duration"))
}

fn boolean(name: &str, value: &str) -> Result<bool, BenchError> {
    match value {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(bad(name, value, "parse error")),
    }
}

const BOOLS: &[&str] = &["latency-task", "parse-only", "json"];
const VALUED: &[&str] = &[
    "url",
    "api",
    "rate",
    "connections",
    "duration",
    "batch",
    "series",
    "pregenerate",
    "db",
    "rp",
    "measurement",
    "latency-interval",
    "pid",
    "compare-url",
    "compare-pid",
    "shapes-report",
    "svg",
];

/// Parses the arguments after the program name.
pub fn parse(args: &[String]) -> Result<Parsed, BenchError> {
    let mut c = Config::default();
    let mut i = 0;
    while i < args.len() {
        let arg = &args[i];
        i += 1;
        let Some(stripped) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
            return Err(BenchError::Flag(format!("unexpected argument {arg:?}")));
        };
        if stripped.is_empty() {
            return Err(BenchError::Flag(format!("bad flag syntax: {arg}")));
        }
        let (name, inline) = match stripped.split_once('=') {
            Some((n, v)) => (n, Some(v.to_string())),
            None => (stripped, None),
        };
        if name == "h" || name == "help" {
            return Ok(Parsed::Help);
        }
        if !BOOLS.contains(&name) && !VALUED.contains(&name) {
            return Err(BenchError::Flag(format!(
                "flag provided but not defined: -{name}"
            )));
        }
        let value = if BOOLS.contains(&name) {
            inline.unwrap_or_else(|| "true".into())
        } else if let Some(v) = inline {
            v
        } else if i < args.len() {
            i += 1;
            args[i - 1].clone()
        } else {
            return Err(BenchError::Flag(format!("flag needs an argument: -{name}")));
        };
        let v = value.as_str();
        match name {
            "url" => c.url = value,
            "api" => c.api = Some(value),
            "rate" => c.rate = number(name, v)?,
            "connections" => c.connections = positive(name, v)?,
            "duration" => c.duration = duration(name, v)?,
            "batch" => c.batch = positive(name, v)?,
            "series" => c.series = positive(name, v)?,
            "pregenerate" => c.pregenerate = number(name, v)?,
            "db" => c.db = value,
            "rp" => c.rp = value,
            "measurement" => c.measurement = value,
            "latency-task" => c.latency_task = boolean(name, v)?,
            "latency-interval" => c.latency_interval = duration(name, v)?,
            "pid" => c.pid = Some(number(name, v)?),
            "compare-url" => c.compare_url = Some(value),
            "compare-pid" => c.compare_pid = Some(number(name, v)?),
            "parse-only" => c.parse_only = boolean(name, v)?,
            "json" => c.json = boolean(name, v)?,
            "shapes-report" => c.shapes_report = Some(PathBuf::from(value)),
            "svg" => c.svg = Some(PathBuf::from(value)),
            _ => {
                return Err(BenchError::Flag(format!(
                    "flag provided but not defined: -{name}"
                )));
            }
        }
    }
    Ok(Parsed::Run(Box::new(c)))
}

fn positive(name: &str, value: &str) -> Result<usize, BenchError> {
    match number::<usize>(name, value)? {
        0 => Err(bad(name, value, "must be at least 1")),
        n => Ok(n),
    }
}

/// The Kapacitor API base a `/write` URL belongs to: `http://h:p/kapacitor/v1/write?x` gives
/// `http://h:p`, as does `http://h:p/write`.
pub fn api_base(write_url: &str) -> String {
    let no_query = write_url.split('?').next().unwrap_or(write_url);
    let trimmed = no_query.trim_end_matches('/');
    for suffix in ["/kapacitor/v1/write", "/write"] {
        if let Some(base) = trimmed.strip_suffix(suffix) {
            return base.to_string();
        }
    }
    trimmed.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Config {
        let v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        match parse(&v).unwrap() {
            Parsed::Run(c) => *c,
            Parsed::Help => panic!("help"),
        }
    }

    fn err(args: &[&str]) -> String {
        let v: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        parse(&v).unwrap_err().to_string()
    }

    #[test]
    fn defaults_without_flags() {
        assert_eq!(run(&[]), Config::default());
    }

    #[test]
    fn space_equals_and_double_dash_forms() {
        let c = run(&[
            "-rate",
            "1000",
            "-connections=4",
            "--duration",
            "1m30s",
            "--batch=50",
            "-series",
            "7",
        ]);
        assert_eq!(c.rate, 1000);
        assert_eq!(c.connections, 4);
        assert_eq!(c.duration, Duration::from_secs(90));
        assert_eq!(c.batch, 50);
        assert_eq!(c.series, 7);
    }

    #[test]
    fn strings_and_optional_values() {
        let c = run(&[
            "-url",
            "http://h:1/write",
            "-db",
            "d",
            "-rp",
            "r",
            "-measurement",
            "m",
            "-pid",
            "42",
            "-compare-url",
            "http://i:2/write",
            "-compare-pid",
            "43",
            "-api",
            "http://h:1",
            "-shapes-report",
            "target/criterion",
            "-svg",
            "x.svg",
            "-latency-interval",
            "5ms",
        ]);
        assert_eq!(c.url, "http://h:1/write");
        assert_eq!(
            (c.db.as_str(), c.rp.as_str(), c.measurement.as_str()),
            ("d", "r", "m")
        );
        assert_eq!((c.pid, c.compare_pid), (Some(42), Some(43)));
        assert_eq!(c.compare_url.as_deref(), Some("http://i:2/write"));
        assert_eq!(c.api.as_deref(), Some("http://h:1"));
        assert_eq!(c.shapes_report, Some(PathBuf::from("target/criterion")));
        assert_eq!(c.svg, Some(PathBuf::from("x.svg")));
        assert_eq!(c.latency_interval, Duration::from_millis(5));
    }

    #[test]
    fn booleans_take_no_separate_value() {
        let c = run(&["-latency-task", "-parse-only", "-json=false"]);
        assert!(c.latency_task && c.parse_only && !c.json);
        let c = run(&["-json", "-rate", "5"]);
        assert!(c.json);
        assert_eq!(c.rate, 5);
    }

    #[test]
    fn help() {
        assert_eq!(parse(&["-h".to_string()]).unwrap(), Parsed::Help);
        assert_eq!(parse(&["--help".to_string()]).unwrap(), Parsed::Help);
    }

    #[test]
    fn errors_read_like_go_flag() {
        assert_eq!(err(&["-nope", "1"]), "flag provided but not defined: -nope");
        assert_eq!(err(&["-rate"]), "flag needs an argument: -rate");
        assert_eq!(
            err(&["-rate", "x"]),
            "invalid value \"x\" for flag -rate: parse error"
        );
        assert_eq!(
            err(&["-connections", "0"]),
            "invalid value \"0\" for flag -connections: must be at least 1"
        );
        assert_eq!(
            err(&["-duration", "-1s"]),
            "invalid value \"-1s\" for flag -duration: negative duration"
        );
        assert_eq!(
            err(&["-json=maybe"]),
            "invalid value \"maybe\" for flag -json: parse error"
        );
        assert_eq!(err(&["extra"]), "unexpected argument \"extra\"");
    }

    #[test]
    fn api_base_from_write_url() {
        assert_eq!(
            api_base("http://h:9092/kapacitor/v1/write?db=x"),
            "http://h:9092"
        );
        assert_eq!(api_base("http://h:8086/write"), "http://h:8086");
        assert_eq!(api_base("http://h:8086/"), "http://h:8086");
    }
}
