//! Parsing one line into a [`Point`], following InfluxDB 1.x `models.parsePoint`:
//! the same checks in the same order, so that the first error reported is the
//! one InfluxDB would report.

use kapa_models::{FieldValue, Fields, Point, Precision, Tags};
use smol_str::SmolStr;

use crate::error::Reason;
use crate::escape::{is_key_escape, is_tag_escape};
use crate::names::{MEASUREMENT_STOPS, PAIR_STOPS, scan_name};
use crate::split::skip_ws;
use crate::tokens::Tokens;
use crate::value::{scan_bool, scan_number, scan_string};

/// Largest allowed length of the escaped measurement + tags (and of the series
/// key with any field key, plus 4).
pub(crate) const MAX_KEY_LENGTH: usize = 65535;
/// Earliest representable time; the two lowest i64 values are sentinels.
pub(crate) const MIN_NANO_TIME: i64 = i64::MIN + 2;
/// Latest representable time.
pub(crate) const MAX_NANO_TIME: i64 = i64::MAX - 1;

/// Reusable parsing state, so that steady-state parsing allocates only what
/// the points themselves hold.
#[derive(Default)]
pub(crate) struct LineParser {
    tokens: Tokens,
    /// Tags and fields in line order, before they go into exactly-sized sets.
    tags: Vec<(SmolStr, SmolStr)>,
    fields: Vec<(SmolStr, FieldValue)>,
}

impl LineParser {
    /// Parses one line (no leading whitespace, no line terminator).
    pub(crate) fn parse_bytes(
        &mut self,
        line: &[u8],
        precision: Precision,
        default_time: i64,
    ) -> Result<Point, Reason> {
        match std::str::from_utf8(line) {
            Ok(s) => self.parse(s, precision, default_time),
            // InfluxDB keeps raw bytes; we keep the line with replacement
            // characters (what Kapacitor's JSON output would show anyway).
            Err(_) => {
                let lossy = String::from_utf8_lossy(line);
                self.parse(&lossy, precision, default_time)
            }
        }
    }

    fn parse(
        &mut self,
        line: &str,
        precision: Precision,
        default_time: i64,
    ) -> Result<Point, Reason> {
        let b = line.as_bytes();
        self.tokens.start_line();
        // A failed line may have left tags behind.
        self.tags.clear();
        let (name_end, name_backslash, has_tags) = scan_measurement(b)?;
        let name = self
            .tokens
            .make(&line[..name_end], name_backslash, is_key_escape);
        let key_end = if has_tags {
            self.scan_tags(line, name_end + 1)?
        } else {
            name_end
        };
        // The key is the escaped measurement and tags, up to the space.
        if key_end > MAX_KEY_LENGTH {
            return Err(Reason::MaxKeyLength(key_end));
        }
        let fields_end = self.scan_fields(line, skip_ws(b, key_end), key_end)?;
        let time = parse_time(line, skip_ws(b, fields_end), precision, default_time)?;
        Ok(Point {
            name,
            tags: self.take_tags(),
            fields: self.take_fields(),
            time,
        })
    }

    /// Scans `key=value[,key=value...]` from `i` (just after the measurement's
    /// comma) into `self.tags`; returns the position of the space ending the key.
    fn scan_tags(&mut self, line: &str, mut i: usize) -> Result<usize, Reason> {
        let b = line.as_bytes();
        let n = b.len();
        loop {
            let key_start = i;
            if i >= n || matches!(b[i], b' ' | b',' | b'=') {
                return Err(Reason::MissingTagKey);
            }
            let key = scan_name(b, i, &PAIR_STOPS);
            if key.pos >= n || b[key.pos] != b'=' {
                return Err(Reason::MissingTagValue);
            }
            let value_start = key.pos + 1;
            if value_start >= n || b[value_start] == b',' || b[value_start] == b' ' {
                return Err(Reason::MissingTagValue);
            }
            // InfluxDB does not look at the first byte of a value for '='.
            let from = if b[value_start] == b'=' {
                value_start + 1
            } else {
                value_start
            };
            let value = scan_name(b, from, &PAIR_STOPS);
            i = value.pos;
            let more = match b.get(i) {
                None => return Err(Reason::MissingFields),
                Some(b'=') => return Err(Reason::InvalidTagFormat),
                Some(c) => *c == b',',
            };
            let k = self
                .tokens
                .make(&line[key_start..key.pos], key.backslash, is_tag_escape);
            let v = self
                .tokens
                .make(&line[value_start..i], value.backslash, is_tag_escape);
            self.tags.push((k, v));
            if !more {
                break;
            }
            i += 1;
        }
        // InfluxDB sorts the tags, and rejects repeated keys only once the
        // whole key has scanned cleanly.
        if !self.tags.is_sorted_by(|a, b| a.0 < b.0) {
            self.tags.sort_by(|a, b| a.0.cmp(&b.0));
            if self.tags.windows(2).any(|w| w[0].0 == w[1].0) {
                return Err(Reason::DuplicateTags);
            }
        }
        Ok(i)
    }

    /// Scans the field section starting at `i` into `self.fields`; returns the
    /// position of the space (or end of line) after it.
    fn scan_fields(&mut self, line: &str, mut i: usize, key_len: usize) -> Result<usize, Reason> {
        let b = line.as_bytes();
        let n = b.len();
        self.fields.clear();
        // Set when the section is malformed in a way InfluxDB only reports after
        // scanning to its end ("invalid field format"), so that earlier value
        // errors win as they do there.
        let mut broken = false;
        let mut too_long = None;
        loop {
            let mut key_start = i;
            let key_backslash = loop {
                let key = scan_name(b, i, &PAIR_STOPS);
                i = key.pos;
                match b.get(i) {
                    Some(b'=') => break key.backslash,
                    Some(b',') => {
                        // InfluxDB scans on and reports the format at the end.
                        broken = true;
                        i += 1;
                        key_start = i;
                    }
                    _ => return Err(Reason::InvalidFieldFormat),
                }
            };
            if i == key_start {
                return Err(Reason::MissingFieldKey);
            }
            let key_raw = &line[key_start..i];
            let key = self.tokens.make(key_raw, key_backslash, is_key_escape);
            let value = loop {
                let start = i + 1;
                if start >= n || b[start] == b',' || b[start] == b' ' {
                    return Err(Reason::MissingFieldValue);
                }
                let (end, value) = match b[start] {
                    b'0'..=b'9' | b'.' | b'-' | b'N' | b'n' => scan_number(line, start)?,
                    b'"' => scan_string(line, start, &mut self.tokens)?,
                    _ => scan_bool(b, start)?,
                };
                i = end;
                // Only a string can stop at '=' (`k="v"=...`): InfluxDB scans on.
                if i < n && b[i] == b'=' {
                    broken = true;
                    continue;
                }
                break value;
            };
            let series_key = key_len + 4 + key_raw.len();
            if too_long.is_none() && series_key > MAX_KEY_LENGTH {
                too_long = Some(series_key);
            }
            self.fields.push((key, value));
            if i >= n || b[i] == b' ' {
                break;
            }
            i += 1;
        }
        if broken {
            return Err(Reason::InvalidFieldFormat);
        }
        if let Some(size) = too_long {
            return Err(Reason::MaxKeyLength(size));
        }
        Ok(i)
    }

    /// Moves the scanned tags (sorted, unique) into an exactly-sized set.
    fn take_tags(&mut self) -> Tags {
        let mut tags = Tags::with_capacity(self.tags.len());
        for (k, v) in self.tags.drain(..) {
            tags.push_sorted(k, v);
        }
        tags
    }

    /// Moves the scanned fields into an exactly-sized set; a repeated key keeps
    /// the last value, as InfluxDB's field map does.
    fn take_fields(&mut self) -> Fields {
        let mut fields = Fields::with_capacity(self.fields.len());
        for (k, v) in self.fields.drain(..) {
            fields.push_sorted(k, v);
        }
        fields
    }
}

/// Scans the measurement; returns its end, whether it holds a backslash, and
/// whether tags follow (the measurement ended at a comma rather than a space).
fn scan_measurement(b: &[u8]) -> Result<(usize, bool, bool), Reason> {
    if b.is_empty() || b[0] == b',' {
        return Err(Reason::MissingMeasurement);
    }
    let name = scan_name(b, 0, &MEASUREMENT_STOPS);
    match b.get(name.pos) {
        None => Err(Reason::MissingFields),
        Some(c) => Ok((name.pos, name.backslash, *c == b',')),
    }
}

/// Parses the optional timestamp starting at `start` and scales it by
/// `precision`; without one, `default_time` truncated to the precision is used.
fn parse_time(
    line: &str,
    start: usize,
    precision: Precision,
    default_time: i64,
) -> Result<i64, Reason> {
    let b = line.as_bytes();
    let mult = precision.multiplier();
    let negative = b.get(start) == Some(&b'-');
    let digits_start = start + usize::from(negative);
    let mut i = digits_start;
    while i < b.len() {
        let c = b[i];
        if c == b' ' || c == b'\n' {
            break;
        }
        if !c.is_ascii_digit() {
            return Err(Reason::BadTimestamp);
        }
        i += 1;
    }
    if i == start {
        return Ok(default_time.saturating_sub(default_time.rem_euclid(mult)));
    }
    let text = &line[start..i];
    if i == digits_start {
        return Err(Reason::TimestampSyntax(text.to_string()));
    }
    let magnitude = parse_digits(&b[digits_start..i]);
    let ts = match magnitude {
        Some(m) if negative && m <= i64::MIN.unsigned_abs() => Some(0i64.wrapping_sub_unsigned(m)),
        Some(m) if !negative => i64::try_from(m).ok(),
        _ => None,
    };
    let Some(ts) = ts else {
        return Err(Reason::TimestampRange(text.to_string()));
    };
    let time = ts.checked_mul(mult).ok_or(Reason::TimeOutOfRange {
        value: ts,
        min: MIN_NANO_TIME / mult,
        max: MAX_NANO_TIME / mult,
    })?;
    if !(MIN_NANO_TIME..=MAX_NANO_TIME).contains(&time) {
        return Err(Reason::TimeOutOfRange {
            value: time.div_euclid(1_000_000_000),
            min: MIN_NANO_TIME,
            max: MAX_NANO_TIME,
        });
    }
    if b[i..].iter().any(|&c| c != b' ') {
        return Err(Reason::InvalidPoint);
    }
    Ok(time)
}

/// Value of a run of ASCII digits, `None` above u64::MAX. Takes eight digits
/// at a time: nanosecond timestamps have nineteen.
fn parse_digits(digits: &[u8]) -> Option<u64> {
    let first = digits
        .iter()
        .position(|&c| c != b'0')
        .unwrap_or(digits.len());
    let digits = &digits[first..];
    if digits.len() > 20 {
        return None;
    }
    let mut acc: u64 = 0;
    let mut chunks = digits.chunks_exact(8);
    for chunk in &mut chunks {
        let eight = chunk
            .try_into()
            .map_or(0, |c: [u8; 8]| parse_eight(u64::from_le_bytes(c)));
        acc = acc.checked_mul(100_000_000)?.checked_add(eight)?;
    }
    for &c in chunks.remainder() {
        acc = acc.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(acc)
}

/// Eight ASCII digits (first digit in the lowest byte) to their value, by
/// combining pairs, then quads, then halves (SWAR).
fn parse_eight(chunk: u64) -> u64 {
    let v = chunk.wrapping_sub(0x3030_3030_3030_3030);
    let v = (v.wrapping_mul(10) + (v >> 8)) & 0x00FF_00FF_00FF_00FF;
    let v = (v.wrapping_mul(100) + (v >> 16)) & 0x0000_FFFF_0000_FFFF;
    (v.wrapping_mul(10_000) + (v >> 32)) & 0xFFFF_FFFF
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits() {
        for s in [
            "0",
            "7",
            "12345678",
            "123456789",
            "1600000000000000000",
            "18446744073709551615",
            "00000000000000000000000042",
            "99999999",
        ] {
            let want = s.parse::<u64>().ok();
            assert_eq!(parse_digits(s.as_bytes()), want, "{s}");
        }
        assert_eq!(parse_digits(b"18446744073709551616"), None);
        assert_eq!(parse_digits(b"999999999999999999999"), None);
        assert_eq!(parse_digits(b""), Some(0));
    }
}
