//! Field value scanners: numbers, booleans and quoted strings.
//!
//! Each scanner starts at the first byte of the value and returns the position
//! of the byte that ended it (`,`, space, or the end of the line) with the value.

use kapa_models::FieldValue;

use crate::error::Reason;
use crate::escape::is_string_escape;
use crate::tokens::Tokens;

/// Digits of the largest i64; shorter integers cannot overflow.
const MAX_INT64_DIGITS: usize = 19;
/// Digits of the largest u64; shorter unsigned integers cannot overflow.
const MAX_UINT64_DIGITS: usize = 20;

fn is_numeric(c: u8) -> bool {
    c.is_ascii_digit() || c == b'.'
}

/// Scans a float (`1`, `-1.5`, `.5`, `1e3`), integer (`42i`) or unsigned (`42u`).
///
/// Follows InfluxDB's `scanNumber`: the shape is checked first (`invalid number`),
/// then the value is converted.
pub(crate) fn scan_number(line: &str, start: usize) -> Result<(usize, FieldValue), Reason> {
    let b = line.as_bytes();
    let n = b.len();
    let mut i = start;
    if b[i] == b'-' {
        i += 1;
        if i == n {
            return Err(Reason::InvalidNumber);
        }
    }
    let (mut is_int, mut is_uint, mut decimal, mut scientific) = (false, false, false, false);
    while i < n {
        let c = b[i];
        if c == b',' || c == b' ' {
            break;
        }
        if (c == b'i' || c == b'u') && i > start && !(is_int || is_uint) {
            is_int = c == b'i';
            is_uint = c == b'u';
            i += 1;
            continue;
        }
        if c == b'.' {
            if decimal {
                return Err(Reason::InvalidNumber);
            }
            decimal = true;
        }
        if i > start && (c == b'e' || c == b'E') {
            scientific = true;
            i += 1;
            continue;
        }
        if (c == b'+' || c == b'-') && i > start && matches!(b[i - 1], b'e' | b'E') {
            i += 1;
            continue;
        }
        if !is_numeric(c) {
            // Covers NaN, Inf and stray letters alike.
            return Err(Reason::InvalidNumber);
        }
        i += 1;
    }
    if (is_int || is_uint) && (decimal || scientific) {
        return Err(Reason::InvalidNumber);
    }
    let negative = b[start] == b'-';
    let digits = (i - start)
        .saturating_sub(usize::from(is_int))
        .saturating_sub(usize::from(decimal))
        .saturating_sub(usize::from(negative));
    if digits == 0 {
        return Err(Reason::InvalidNumber);
    }
    let value = if is_int {
        if b[i - 1] != b'i' {
            return Err(Reason::InvalidNumber);
        }
        let text = &line[start..i - 1];
        match text.parse::<i64>() {
            Ok(v) => FieldValue::Int(v),
            Err(_) if text.len() >= MAX_INT64_DIGITS => {
                return Err(Reason::IntegerRange(text.to_string()));
            }
            Err(_) => return Err(Reason::InvalidNumber),
        }
    } else if is_uint {
        if b[i - 1] != b'u' || negative {
            return Err(Reason::InvalidNumber);
        }
        let text = &line[start..i - 1];
        match text.parse::<u64>() {
            Ok(v) => FieldValue::UInt(v),
            Err(_) if text.len() >= MAX_UINT64_DIGITS => {
                return Err(Reason::UnsignedRange(text.to_string()));
            }
            Err(_) => return Err(Reason::InvalidNumber),
        }
    } else {
        match line[start..i].parse::<f64>() {
            Ok(v) if v.is_finite() => FieldValue::Float(v),
            _ => return Err(Reason::InvalidFloat),
        }
    };
    Ok((i, value))
}

/// Scans a boolean: exactly `t T true True TRUE f F false False FALSE`.
pub(crate) fn scan_bool(b: &[u8], start: usize) -> Result<(usize, FieldValue), Reason> {
    let mut i = start;
    while i < b.len() && b[i] != b',' && b[i] != b' ' {
        i += 1;
    }
    let value = match &b[start..i] {
        b"t" | b"T" | b"true" | b"True" | b"TRUE" => true,
        b"f" | b"F" | b"false" | b"False" | b"FALSE" => false,
        _ => return Err(Reason::InvalidBoolean),
    };
    Ok((i, FieldValue::Bool(value)))
}

/// Scans a string value starting at its opening quote.
///
/// As in InfluxDB, a backslash skips the next byte, and the value runs to the
/// next unquoted `,` or space (or `=`, which the caller rejects). The text is
/// everything between the first byte and the last character.
pub(crate) fn scan_string(
    line: &str,
    start: usize,
    tokens: &mut Tokens,
) -> Result<(usize, FieldValue), Reason> {
    let b = line.as_bytes();
    let n = b.len();
    let mut i = start + 1;
    let mut quoted = true;
    let mut has_backslash = false;
    while i < n {
        let c = b[i];
        if c == b'\\' && i + 1 < n {
            has_backslash = true;
            i += 2;
            continue;
        }
        if c == b'"' {
            quoted = !quoted;
        } else if !quoted && matches!(c, b',' | b' ' | b'=') {
            break;
        }
        i += 1;
    }
    if quoted {
        return Err(Reason::UnbalancedQuotes);
    }
    let inner = line.get(start + 1..i).unwrap_or_default();
    // Dropping the last character (the closing quote of a well-formed value)
    // rather than the last byte keeps any trailing garbage valid UTF-8.
    let text = match inner.char_indices().next_back() {
        Some((last, _)) => &inner[..last],
        None => inner,
    };
    Ok((
        i,
        FieldValue::String(tokens.make(text, has_backslash, is_string_escape)),
    ))
}
