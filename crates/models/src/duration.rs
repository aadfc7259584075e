//! Durations in the two textual forms Kapacitor uses: Go's `time.Duration` (config
//! files, `String()` in templates) and InfluxQL literals (`10s`, `1d`, `2w`).

use crate::ModelError;

const NS: i64 = 1;
const US: i64 = 1_000;
const MS: i64 = 1_000_000;
const S: i64 = 1_000_000_000;
const M: i64 = 60 * S;
const H: i64 = 60 * M;
const D: i64 = 24 * H;
const W: i64 = 7 * D;

/// Formats nanoseconds the way Go's `time.Duration.String()` does (`1h2m3.5s`, `150ms`, `0s`).
pub fn format_go(ns: i64) -> String {
    if ns == 0 {
        return "0s".to_string();
    }
    let neg = ns < 0;
    let u = ns.unsigned_abs();
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if u < S as u64 {
        // Sub-second values use the largest unit that keeps an integer part.
        let (unit, div) = if u < US as u64 {
            ("ns", 1u64)
        } else if u < MS as u64 {
            ("µs", US as u64)
        } else {
            ("ms", MS as u64)
        };
        push_frac(&mut out, u / div, u % div, div);
        out.push_str(unit);
        return out;
    }
    let h = u / H as u64;
    let rem = u % H as u64;
    let m = rem / M as u64;
    let rem = rem % M as u64;
    if h > 0 {
        out.push_str(&h.to_string());
        out.push('h');
    }
    if h > 0 || m > 0 {
        out.push_str(&m.to_string());
        out.push('m');
    }
    push_frac(&mut out, rem / S as u64, rem % S as u64, S as u64);
    out.push('s');
    out
}

fn push_frac(out: &mut String, int: u64, frac: u64, div: u64) {
    out.push_str(&int.to_string());
    if frac != 0 {
        let width = (div as f64).log10().round() as usize;
        let s = format!("{frac:0width$}");
        out.push('.');
        out.push_str(s.trim_end_matches('0'));
    }
}

/// Formats nanoseconds as an InfluxQL duration literal (`10s`, `1d`, `2w`).
pub fn format_influxql(ns: i64) -> String {
    if ns == 0 {
        return "0s".to_string();
    }
    for (unit, size) in [
        ("w", W),
        ("d", D),
        ("h", H),
        ("m", M),
        ("s", S),
        ("ms", MS),
        ("u", US),
    ] {
        if ns % size == 0 {
            return format!("{}{unit}", ns / size);
        }
    }
    format!("{ns}ns")
}

/// Parses an InfluxQL/TICKscript duration literal: integer + unit from `ns u µ ms s m h d w`.
pub fn parse_influxql(s: &str) -> Result<i64, ModelError> {
    let err = || ModelError::InvalidDuration(s.to_string());
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 {
        return Err(err());
    }
    let n: i64 = s[..digits].parse().map_err(|_| err())?;
    let unit = unit_size(&s[digits..]).ok_or_else(err)?;
    n.checked_mul(unit).ok_or_else(err)
}

fn unit_size(u: &str) -> Option<i64> {
    Some(match u {
        "ns" => NS,
        "u" | "µ" | "us" | "µs" => US,
        "ms" => MS,
        "s" => S,
        "m" => M,
        "h" => H,
        "d" => D,
        "w" => W,
        _ => return None,
    })
}

/// Parses a Go `time.ParseDuration` string (`1h30m`, `1.5s`, `-3m`, `0`), also
/// accepting `d` and `w` as config files written for Kapacitor sometimes do.
pub fn parse_go(s: &str) -> Result<i64, ModelError> {
    let err = || ModelError::InvalidDuration(s.to_string());
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(err());
    }
    let mut total: f64 = 0.0;
    while !rest.is_empty() {
        let num_len = rest
            .bytes()
            .take_while(|b| b.is_ascii_digit() || *b == b'.')
            .count();
        if num_len == 0 {
            return Err(err());
        }
        let n: f64 = rest[..num_len].parse().map_err(|_| err())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        let unit = unit_size(&rest[..unit_len]).ok_or_else(err)?;
        rest = &rest[unit_len..];
        total += n * unit as f64;
    }
    if total > i64::MAX as f64 {
        return Err(err());
    }
    let v = total.round() as i64;
    Ok(if neg { -v } else { v })
}

/// Deserializes a Go duration as configuration files write it: a string (`"10s"`) or an
/// integer of nanoseconds (for `#[serde(deserialize_with = ...)]`).
pub fn deserialize_go<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Int(i64),
        Str(String),
    }
    match <Raw as serde::Deserialize>::deserialize(d)? {
        Raw::Int(n) => Ok(n),
        Raw::Str(s) => {
            parse_go(&s).map_err(|_| serde::de::Error::custom(format!("invalid duration {s:?}")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_format() {
        assert_eq!(format_go(0), "0s");
        assert_eq!(format_go(S), "1s");
        assert_eq!(format_go(90 * M), "1h30m0s");
        assert_eq!(format_go(1500 * MS), "1.5s");
        assert_eq!(format_go(150 * MS), "150ms");
        assert_eq!(format_go(1500), "1.5µs");
        assert_eq!(format_go(-3 * M), "-3m0s");
        assert_eq!(format_go(10 * S), "10s");
    }

    #[test]
    fn influxql_format_and_parse() {
        assert_eq!(format_influxql(10 * S), "10s");
        assert_eq!(format_influxql(2 * W), "2w");
        assert_eq!(format_influxql(90 * S), "90s");
        assert_eq!(parse_influxql("10s"), Ok(10 * S));
        assert_eq!(parse_influxql("5ms"), Ok(5 * MS));
        assert_eq!(parse_influxql("1µ"), Ok(US));
        assert!(parse_influxql("1.5s").is_err());
    }

    #[test]
    fn go_parse() {
        assert_eq!(parse_go("1h30m"), Ok(90 * M));
        assert_eq!(parse_go("1.5s"), Ok(1500 * MS));
        assert_eq!(parse_go("0"), Ok(0));
        assert_eq!(parse_go("-3m"), Ok(-3 * M));
        assert!(parse_go("abc").is_err());
        assert!(parse_go("").is_err());
    }
}
