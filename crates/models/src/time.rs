//! Timestamps (i64 nanoseconds since the epoch), write precisions and Go-compatible
//! RFC 3339 formatting.

use crate::ModelError;

/// Nanoseconds since the Unix epoch.
pub type Timestamp = i64;

/// Nanoseconds in one second.
pub const SECOND: i64 = 1_000_000_000;

/// Precision of timestamps in a write body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Precision {
    /// Nanoseconds (`n`, `ns`, or empty).
    #[default]
    Nanosecond,
    /// Microseconds (`u`, `us`, `µ`).
    Microsecond,
    /// Milliseconds (`ms`).
    Millisecond,
    /// Seconds (`s`).
    Second,
    /// Minutes (`m`).
    Minute,
    /// Hours (`h`).
    Hour,
}

impl Precision {
    /// Parses the `precision` query parameter as InfluxDB 1.x does.
    pub fn parse(s: &str) -> Result<Self, ModelError> {
        Ok(match s {
            "" | "n" | "ns" => Precision::Nanosecond,
            "u" | "us" | "µ" => Precision::Microsecond,
            "ms" => Precision::Millisecond,
            "s" => Precision::Second,
            "m" => Precision::Minute,
            "h" => Precision::Hour,
            _ => return Err(ModelError::InvalidPrecision(s.to_string())),
        })
    }

    /// Nanoseconds per unit.
    pub fn multiplier(self) -> i64 {
        match self {
            Precision::Nanosecond => 1,
            Precision::Microsecond => 1_000,
            Precision::Millisecond => 1_000_000,
            Precision::Second => SECOND,
            Precision::Minute => 60 * SECOND,
            Precision::Hour => 3600 * SECOND,
        }
    }

    /// The short name (`n`, `u`, `ms`, `s`, `m`, `h`).
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Nanosecond => "n",
            Precision::Microsecond => "u",
            Precision::Millisecond => "ms",
            Precision::Second => "s",
            Precision::Minute => "m",
            Precision::Hour => "h",
        }
    }
}

/// Days since 1970-01-01 to a civil (year, month, day); proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Civil date parts of a timestamp in UTC: (year, month, day, hour, minute, second, nanos, weekday 0=Sunday).
pub fn civil(ts: Timestamp) -> (i64, u32, u32, u32, u32, u32, u32, u32) {
    let secs = ts.div_euclid(SECOND);
    let nanos = ts.rem_euclid(SECOND) as u32;
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    let weekday = (days + 4).rem_euclid(7) as u32;
    (
        y,
        mo,
        d,
        (sod / 3600) as u32,
        ((sod % 3600) / 60) as u32,
        (sod % 60) as u32,
        nanos,
        weekday,
    )
}

/// Formats a timestamp as Go's `time.RFC3339Nano` in UTC (trailing zeros of the
/// fraction trimmed), which is how Kapacitor's JSON prints times.
pub fn format_rfc3339(ts: Timestamp) -> String {
    let (y, mo, d, h, mi, s, nanos, _) = civil(ts);
    let mut out = format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}");
    if nanos != 0 {
        let frac = format!("{nanos:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// Formats a timestamp as Go's `time.Time.String()` prints a UTC time
/// (`1971-01-01 00:00:10 +0000 UTC`), which is what Go templates show for `.Time`.
pub fn format_go_string(ts: Timestamp) -> String {
    let (y, mo, d, h, mi, s, nanos, _) = civil(ts);
    let mut out = format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}");
    if nanos != 0 {
        let frac = format!("{nanos:09}");
        out.push('.');
        out.push_str(frac.trim_end_matches('0'));
    }
    out.push_str(" +0000 UTC");
    out
}

/// Parses an RFC 3339 time (any offset) to a timestamp.
pub fn parse_rfc3339(s: &str) -> Result<Timestamp, ModelError> {
    let t: jiff::Timestamp = s
        .parse()
        .map_err(|_| ModelError::InvalidTime(s.to_string()))?;
    i64::try_from(t.as_nanosecond()).map_err(|_| ModelError::InvalidTime(s.to_string()))
}

/// A source of the current time; the engine never reads the wall clock directly.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now, in nanoseconds since the epoch.
    fn now(&self) -> Timestamp;
}

/// The system wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        i64::try_from(d.as_nanos()).unwrap_or(i64::MAX)
    }
}

/// A clock set by hand, for tests and replays.
#[derive(Debug, Default)]
pub struct ManualClock(std::sync::atomic::AtomicI64);

impl ManualClock {
    /// A clock reading `t`.
    pub fn new(t: Timestamp) -> Self {
        ManualClock(std::sync::atomic::AtomicI64::new(t))
    }
    /// Sets the time.
    pub fn set(&self, t: Timestamp) {
        self.0.store(t, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        self.0.load(std::sync::atomic::Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_go() {
        assert_eq!(format_rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(
            format_rfc3339(31_536_000 * SECOND + SECOND),
            "1971-01-01T00:00:01Z"
        );
        assert_eq!(format_rfc3339(1_500_000_000), "1970-01-01T00:00:01.5Z");
        assert_eq!(format_rfc3339(-1), "1969-12-31T23:59:59.999999999Z");
        assert_eq!(format_rfc3339(951_782_400 * SECOND), "2000-02-29T00:00:00Z");
        assert_eq!(
            format_go_string(31_536_010 * SECOND),
            "1971-01-01 00:00:10 +0000 UTC"
        );
        assert_eq!(
            format_go_string(1_500_000_000),
            "1970-01-01 00:00:01.5 +0000 UTC"
        );
    }

    #[test]
    fn parses_rfc3339() {
        assert_eq!(
            parse_rfc3339("1971-01-01T00:00:01Z"),
            Ok(31_536_001 * SECOND)
        );
        assert_eq!(parse_rfc3339("1970-01-01T01:00:00+01:00"), Ok(0));
        assert!(parse_rfc3339("yesterday").is_err());
    }

    #[test]
    fn precisions() {
        assert_eq!(Precision::parse("s").map(Precision::multiplier), Ok(SECOND));
        assert!(Precision::parse("x").is_err());
    }
}
