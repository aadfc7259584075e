//! Formatting points as line protocol.

use std::fmt::Write as _;

use kapa_models::{FieldValue, Point, Precision};

use crate::escape::{push_field_key, push_measurement, push_string_value, push_tag};

/// Appends one point as a line (no trailing newline) with its timestamp
/// divided by `precision`.
///
/// Tags with an empty key or value are left out (InfluxDB drops empty tag
/// values too), and so are NaN and infinite floats, which line protocol cannot
/// carry. Names ending in a backslash, a measurement starting with `#`, and
/// names holding a newline cannot be written so that they parse back the same.
pub fn format_point(p: &Point, precision: Precision, out: &mut String) {
    push_measurement(&p.name, out);
    for (k, v) in p.tags.iter() {
        if k.is_empty() || v.is_empty() {
            continue;
        }
        out.push(',');
        push_tag(k, out);
        out.push('=');
        push_tag(v, out);
    }
    let mut sep = ' ';
    for (k, v) in p.fields.iter() {
        if let FieldValue::Float(f) = v
            && !f.is_finite()
        {
            continue;
        }
        out.push(sep);
        sep = ',';
        push_field_key(k, out);
        out.push('=');
        push_value(v, out);
    }
    out.push(' ');
    push_int(p.time / precision.multiplier(), out);
}

/// Appends points, one per line, each followed by a newline.
pub fn format_points(points: &[Point], precision: Precision, out: &mut String) {
    for p in points {
        format_point(p, precision, out);
        out.push('\n');
    }
}

fn push_value(v: &FieldValue, out: &mut String) {
    match v {
        // `{}` prints the shortest decimal that parses back to the same f64,
        // never in exponent form, like Go's strconv.FormatFloat(f, 'f', -1, 64).
        FieldValue::Float(f) => {
            let _ = write!(out, "{f}");
        }
        FieldValue::Int(i) => {
            push_int(*i, out);
            out.push('i');
        }
        FieldValue::UInt(u) => {
            let _ = write!(out, "{u}u");
        }
        FieldValue::String(s) => push_string_value(s, out),
        FieldValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
    }
}

/// Appends a decimal integer without going through `fmt`.
fn push_int(v: i64, out: &mut String) {
    let mut buf = [0u8; 20];
    let mut pos = buf.len();
    let mut n = v.unsigned_abs();
    loop {
        pos -= 1;
        buf[pos] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        out.push('-');
    }
    for &d in &buf[pos..] {
        out.push(char::from(d));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_int_extremes() {
        for v in [0, 7, -7, 1_600_000_000, i64::MIN, i64::MAX] {
            let mut s = String::new();
            push_int(v, &mut s);
            assert_eq!(s, v.to_string());
        }
    }
}
