//! Text formatting that reproduces what Kapacitor's Go client prints: `%q` quoting, `%v` of
//! floats, `%-Ns` padding, the `02 Jan 06 15:04 MST` time layout, and `encoding/json` output.

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde::Serialize;

/// Quotes a string the way Go's `%q` / `strconv.Quote` does.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Left-aligns `s` in a field of `width` characters (Go's `%-Ns`, which counts runes).
pub fn pad(s: &str, width: usize) -> String {
    let n = s.chars().count();
    let mut out = String::with_capacity(width.max(s.len()));
    out.push_str(s);
    for _ in n..width {
        out.push(' ');
    }
    out
}

/// Formats a float like Go's `%v`: shortest digits, exponent form below 1e-4 or from 1e6.
pub fn float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.to_string();
    }
    let sci = format!("{f:e}");
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return sci;
    };
    let exp: i32 = exp.parse().unwrap_or(0);
    if (-4..6).contains(&exp) {
        return format!("{f}");
    }
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}e{sign}{:02}", exp.unsigned_abs())
}

/// Kapacitor's `time.RFC822` layout.
const LAYOUT: &str = "%d %b %y %H:%M %Z";

/// Formats an API timestamp (RFC 3339) with Go's RFC822 layout (`02 Jan 06 15:04 MST`) in
/// the time zone `tz`. A missing, unparsable or zero time (`0001-01-01T00:00:00Z`, a task
/// never enabled) prints as Go prints its zero time: `01 Jan 01 00:00 UTC`.
pub fn time(value: Option<&str>, tz: &TimeZone) -> String {
    const ZERO: &str = "01 Jan 01 00:00 UTC";
    let Some(ts) = value.and_then(|v| v.parse::<Timestamp>().ok()) else {
        return ZERO.to_string();
    };
    if ts.to_zoned(TimeZone::UTC).year() <= 1 {
        return ZERO.to_string();
    }
    ts.to_zoned(tz.clone()).strftime(LAYOUT).to_string()
}

/// Serializes like Go's `json.Encoder`: HTML-sensitive characters escaped, newline-terminated.
pub fn json_body<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let mut out = kapa_models::gojson::to_go_json(value)?;
    out.push('\n');
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_like_go() {
        assert_eq!(quote("autogen"), "\"autogen\"");
        assert_eq!(quote("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(quote("tab\there\n"), "\"tab\\there\\n\"");
        assert_eq!(quote("\u{1}"), "\"\\x01\"");
        assert_eq!(quote("été"), "\"été\"");
    }

    #[test]
    fn pad_counts_characters() {
        assert_eq!(pad("ID", 5), "ID   ");
        assert_eq!(pad("toolong", 3), "toolong");
        assert_eq!(pad("é", 3), "é  ");
    }

    #[test]
    fn floats_like_go_v() {
        assert_eq!(float(90.0), "90");
        assert_eq!(float(0.5), "0.5");
        assert_eq!(float(100000.0), "100000");
        assert_eq!(float(1e6), "1e+06");
        assert_eq!(float(1234567.0), "1.234567e+06");
        assert_eq!(float(0.0001), "0.0001");
        assert_eq!(float(0.00001), "1e-05");
        assert_eq!(float(-2.5e-7), "-2.5e-07");
        assert_eq!(float(1e100), "1e+100");
        assert_eq!(float(0.0), "0");
    }

    #[test]
    fn time_layout() {
        let tz = TimeZone::UTC;
        assert_eq!(
            time(Some("2016-05-04T21:01:30.5Z"), &tz),
            "04 May 16 21:01 UTC"
        );
        assert_eq!(
            time(Some("2016-05-04T21:01:30-06:00"), &tz),
            "05 May 16 03:01 UTC"
        );
        assert_eq!(
            time(Some("0001-01-01T00:00:00Z"), &tz),
            "01 Jan 01 00:00 UTC"
        );
        assert_eq!(time(None, &tz), "01 Jan 01 00:00 UTC");
    }

    #[test]
    fn time_in_named_zone() {
        let tz = TimeZone::posix("MST7MDT,M3.2.0,M11.1.0").unwrap();
        assert_eq!(
            time(Some("2016-05-05T03:01:00Z"), &tz),
            "04 May 16 21:01 MDT"
        );
        assert_eq!(
            time(Some("2016-01-05T03:01:00Z"), &tz),
            "04 Jan 16 20:01 MST"
        );
        assert_eq!(
            time(Some("0001-01-01T00:00:00Z"), &tz),
            "01 Jan 01 00:00 UTC"
        );
    }

    #[test]
    fn json_like_go_encoder() {
        #[derive(Serialize)]
        struct S {
            script: &'static str,
        }
        assert_eq!(
            json_body(&S {
                script: "a < b && c > d"
            })
            .unwrap(),
            "{\"script\":\"a \\u003c b \\u0026\\u0026 c \\u003e d\"}\n"
        );
    }
}
