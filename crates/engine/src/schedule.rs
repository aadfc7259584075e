//! When a batch query runs: `.every(d)` (optionally `.align()`ed) or `.cron(expr)` with
//! gorhill/cronexpr's fields (`[sec] min hour dom month dow [year]`), evaluated in UTC.
//! Pure functions of the time they are given, so tests drive them with a manual clock.

use kapa_pipeline::nodes::QuerySpec;

/// A run schedule.
#[derive(Debug, Clone)]
pub enum Schedule {
    /// Every `every` ns; aligned runs fall on multiples of `every`.
    Every {
        /// Interval, ns.
        every: i64,
        /// `.align()`.
        align: bool,
    },
    /// A cron expression.
    Cron(Box<croner::Cron>),
}

/// Rewrites a gorhill/cronexpr expression into croner's 7-field form: 5 fields get second
/// 0 and any year; 6 fields mean the last one is the year (not seconds).
fn seven_fields(expr: &str) -> String {
    let t = expr.trim();
    if t.starts_with('@') {
        return t.to_string();
    }
    let n = t.split_whitespace().count();
    match n {
        5 => format!("0 {t} *"),
        6 => format!("0 {t}"),
        _ => t.to_string(),
    }
}

fn to_zoned(ns: i64) -> Option<jiff::Zoned> {
    jiff::Timestamp::from_nanosecond(i128::from(ns))
        .ok()
        .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC))
}

impl Schedule {
    /// The schedule of a query node.
    pub fn from_spec(spec: &QuerySpec) -> Result<Schedule, String> {
        if !spec.cron.is_empty() {
            return Schedule::cron(&spec.cron);
        }
        if spec.every <= 0 {
            return Err("must define one of 'every' or 'cron'".into());
        }
        Ok(Schedule::Every {
            every: spec.every,
            align: spec.align,
        })
    }

    /// Parses a cron expression.
    pub fn cron(expr: &str) -> Result<Schedule, String> {
        let fields = expr.split_whitespace().count();
        if !expr.trim().starts_with('@') && !(5..=7).contains(&fields) {
            return Err(format!(
                "syntax error in cron expression {expr:?}: 5 to 7 fields expected, got {fields}"
            ));
        }
        croner::parser::CronParser::builder()
            .seconds(croner::parser::Seconds::Required)
            .year(croner::parser::Year::Optional)
            .build()
            .parse(&seven_fields(expr))
            .map(|c| Schedule::Cron(Box::new(c)))
            .map_err(|e| format!("invalid cron expression {expr:?}: {e}"))
    }

    /// The first run of a node started at `now`.
    pub fn first(&self, now: i64) -> Option<i64> {
        match self {
            Schedule::Every { every, align } => Some(if *align {
                now - now.rem_euclid(*every) + every
            } else {
                now + every
            }),
            Schedule::Cron(c) => Self::cron_after(c, now),
        }
    }

    /// The run after the one scheduled at `prev`.
    pub fn next(&self, prev: i64) -> Option<i64> {
        match self {
            Schedule::Every { every, align } => {
                let n = prev + every;
                Some(if *align { n - n.rem_euclid(*every) } else { n })
            }
            Schedule::Cron(c) => Self::cron_after(c, prev),
        }
    }

    fn cron_after(c: &croner::Cron, t: i64) -> Option<i64> {
        let z = to_zoned(t)?;
        let next = c.find_next_occurrence(&z, false).ok()?;
        i64::try_from(next.timestamp().as_nanosecond()).ok()
    }
}

/// The `[start, stop)` range a run scheduled at `at` queries: `stop = at - offset`,
/// `start = stop - period`.
pub fn run_range(spec: &QuerySpec, at: i64) -> (i64, i64) {
    let stop = at - spec.offset;
    (stop - spec.period, stop)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kapa_models::time::{Clock, ManualClock, parse_rfc3339};

    const S: i64 = 1_000_000_000;

    fn t(s: &str) -> i64 {
        parse_rfc3339(s).expect("valid time")
    }

    fn every(d: i64, align: bool) -> Schedule {
        Schedule::Every { every: d, align }
    }

    #[test]
    fn every_runs_from_the_start_time() {
        let clock = ManualClock::new(t("2026-01-01T00:00:07Z"));
        let s = every(10 * S, false);
        let first = s.first(clock.now()).expect("a time");
        assert_eq!(first, t("2026-01-01T00:00:17Z"));
        assert_eq!(s.next(first), Some(t("2026-01-01T00:00:27Z")));
    }

    #[test]
    fn aligned_every_runs_on_multiples() {
        let s = every(60 * S, true);
        let first = s.first(t("2026-01-01T00:00:07Z")).expect("a time");
        assert_eq!(first, t("2026-01-01T00:01:00Z"));
        assert_eq!(s.next(first), Some(t("2026-01-01T00:02:00Z")));
        // Started exactly on a boundary: the next boundary.
        assert_eq!(
            s.first(t("2026-01-01T00:05:00Z")),
            Some(t("2026-01-01T00:06:00Z"))
        );
    }

    #[test]
    fn five_field_cron_fires_on_the_minute() {
        let s = Schedule::cron("*/5 * * * *").expect("valid");
        let first = s.first(t("2026-01-01T00:03:30Z")).expect("a time");
        assert_eq!(first, t("2026-01-01T00:05:00Z"));
        assert_eq!(s.next(first), Some(t("2026-01-01T00:10:00Z")));
    }

    #[test]
    fn seven_field_cron_has_seconds_and_years() {
        let s = Schedule::cron("*/15 * * * * * *").expect("valid");
        assert_eq!(
            s.first(t("2026-01-01T00:00:01Z")),
            Some(t("2026-01-01T00:00:15Z"))
        );
        let s = Schedule::cron("0 0 0 1 1 * 2030").expect("valid");
        assert_eq!(
            s.first(t("2026-06-01T00:00:00Z")),
            Some(t("2030-01-01T00:00:00Z"))
        );
    }

    #[test]
    fn six_field_cron_reads_the_last_field_as_the_year() {
        let s = Schedule::cron("0 12 * * * 2031").expect("valid");
        assert_eq!(
            s.first(t("2026-06-01T00:00:00Z")),
            Some(t("2031-01-01T12:00:00Z"))
        );
    }

    #[test]
    fn cron_macros_and_errors() {
        let s = Schedule::cron("@hourly").expect("valid");
        assert_eq!(
            s.first(t("2026-01-01T10:20:00Z")),
            Some(t("2026-01-01T11:00:00Z"))
        );
        assert!(Schedule::cron("* *").unwrap_err().contains("5 to 7 fields"));
        assert!(Schedule::cron("61 * * * *").is_err());
    }

    #[test]
    fn range_is_period_before_the_offset_stop() {
        let spec = QuerySpec {
            period: 5 * 60 * S,
            offset: 10 * S,
            every: 60 * S,
            ..QuerySpec::default()
        };
        let at = t("2026-01-01T01:00:00Z");
        assert_eq!(
            run_range(&spec, at),
            (t("2026-01-01T00:54:50Z"), t("2026-01-01T00:59:50Z"))
        );
    }

    #[test]
    fn a_manual_clock_drives_a_run_sequence() {
        // The scheduler's loop: fire what is due at the clock's time, then the next one.
        let clock = ManualClock::new(t("2026-01-01T00:00:00Z"));
        let s = every(30 * S, true);
        let mut due = s.first(clock.now()).expect("a time");
        let mut fired = Vec::new();
        for step in 1..=10 {
            clock.set(t("2026-01-01T00:00:00Z") + step * 10 * S);
            while due <= clock.now() {
                fired.push(due);
                due = s.next(due).expect("a time");
            }
        }
        assert_eq!(
            fired,
            vec![
                t("2026-01-01T00:00:30Z"),
                t("2026-01-01T00:01:00Z"),
                t("2026-01-01T00:01:30Z")
            ]
        );
    }
}
