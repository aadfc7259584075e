//! Type conversions: `bool int float string duration`.

use kapa_models::duration::format_influxql;
use smol_str::SmolStr;

use super::{FunctionDef, Imp, def, format_float, sig};
use crate::value::Value;

pub(super) static FUNCTIONS: &[FunctionDef] = &[
    def!(
        "bool",
        &[
            sig!((Bool) -> Bool),
            sig!((String) -> Bool),
            sig!((Int) -> Bool),
            sig!((Float) -> Bool)
        ],
        Imp::Pure(to_bool)
    ),
    // Kapacitor's signature map omits duration although its implementation converts it;
    // accepting it here makes `int("elapsed")` usable.
    def!(
        "int",
        &[
            sig!((Bool) -> Int),
            sig!((String) -> Int),
            sig!((Int) -> Int),
            sig!((Float) -> Int),
            sig!((Duration) -> Int)
        ],
        Imp::Pure(to_int)
    ),
    def!(
        "float",
        &[
            sig!((Bool) -> Float),
            sig!((String) -> Float),
            sig!((Int) -> Float),
            sig!((Float) -> Float)
        ],
        Imp::Pure(to_float)
    ),
    def!(
        "string",
        &[
            sig!((Bool) -> String),
            sig!((String) -> String),
            sig!((Int) -> String),
            sig!((Float) -> String),
            sig!((Duration) -> String)
        ],
        Imp::Pure(to_string)
    ),
    def!(
        "duration",
        &[
            sig!((Duration) -> Duration),
            sig!((Int, Duration) -> Duration),
            sig!((Float, Duration) -> Duration),
            sig!((String, Duration) -> Duration)
        ],
        Imp::Pure(to_duration)
    ),
];

fn to_bool(args: &[Value]) -> Result<Value, String> {
    match args {
        [Value::Bool(b)] => Ok(Value::Bool(*b)),
        [Value::String(s)] => parse_go_bool(s).map(Value::Bool),
        [Value::Int(i)] => match i {
            0 => Ok(Value::Bool(false)),
            1 => Ok(Value::Bool(true)),
            _ => Err(format!("cannot convert {i} to boolean")),
        },
        [Value::Float(f)] => {
            if *f == 0.0 {
                Ok(Value::Bool(false))
            } else if *f == 1.0 {
                Ok(Value::Bool(true))
            } else {
                Err(format!("cannot convert {} to boolean", format_float(*f)))
            }
        }
        [other] => Err(format!("cannot convert {} to boolean", other.type_name())),
        _ => Err("bool expects exactly one argument".to_string()),
    }
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(s: &str) -> Result<bool, String> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        _ => Err(format!("strconv.ParseBool: parsing {s:?}: invalid syntax")),
    }
}

fn to_int(args: &[Value]) -> Result<Value, String> {
    match args {
        [Value::Int(i)] => Ok(Value::Int(*i)),
        // Go's float-to-int conversion truncates toward zero.
        [Value::Float(f)] => Ok(Value::Int(*f as i64)),
        [Value::String(s)] => parse_go_int(s).map(Value::Int),
        [Value::Bool(b)] => Ok(Value::Int(i64::from(*b))),
        [Value::Duration(d)] => Ok(Value::Int(*d)),
        [other] => Err(format!("cannot convert {} to integer", other.type_name())),
        _ => Err("int expects exactly one argument".to_string()),
    }
}

/// Go's `strconv.ParseInt(s, 10, 64)`.
fn parse_go_int(s: &str) -> Result<i64, String> {
    use std::num::IntErrorKind;
    s.parse::<i64>().map_err(|e| match e.kind() {
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => {
            format!("strconv.ParseInt: parsing {s:?}: value out of range")
        }
        _ => format!("strconv.ParseInt: parsing {s:?}: invalid syntax"),
    })
}

fn to_float(args: &[Value]) -> Result<Value, String> {
    match args {
        [Value::Int(i)] => Ok(Value::Float(*i as f64)),
        [Value::Float(f)] => Ok(Value::Float(*f)),
        [Value::String(s)] => parse_go_float(s).map(Value::Float),
        [Value::Bool(b)] => Ok(Value::Float(if *b { 1.0 } else { 0.0 })),
        [other] => Err(format!("cannot convert {} to float", other.type_name())),
        _ => Err("float expects exactly one argument".to_string()),
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal input.
fn parse_go_float(s: &str) -> Result<f64, String> {
    let f: f64 = s
        .parse()
        .map_err(|_| format!("strconv.ParseFloat: parsing {s:?}: invalid syntax"))?;
    if f.is_infinite() && !s.to_ascii_lowercase().contains("inf") {
        return Err(format!(
            "strconv.ParseFloat: parsing {s:?}: value out of range"
        ));
    }
    Ok(f)
}

fn to_string(args: &[Value]) -> Result<Value, String> {
    match args {
        [Value::Int(i)] => Ok(Value::String(SmolStr::new(i.to_string()))),
        [Value::Float(f)] => Ok(Value::String(SmolStr::new(format_float(*f)))),
        [Value::Bool(b)] => Ok(Value::String(SmolStr::new_static(if *b {
            "true"
        } else {
            "false"
        }))),
        [Value::Duration(d)] => Ok(Value::String(SmolStr::new(format_influxql(*d)))),
        [Value::String(s)] => Ok(Value::String(s.clone())),
        [other] => Err(format!("cannot convert {} to string", other.type_name())),
        _ => Err("string expects exactly one argument".to_string()),
    }
}

fn to_duration(args: &[Value]) -> Result<Value, String> {
    if args.is_empty() || args.len() > 2 {
        return Err("duration expects one or two arguments duration(value, unit) where unit is optional depending on the type of value.".to_string());
    }
    let unit = || match args.get(1) {
        Some(Value::Duration(u)) => Ok(*u),
        Some(other) => Err(format!("invalid duration unit type: {}", other.type_name())),
        None => Err("duration expects unit argument for int and float values".to_string()),
    };
    match &args[0] {
        Value::Duration(d) => Ok(Value::Duration(*d)),
        Value::Int(i) => Ok(Value::Duration(i.wrapping_mul(unit()?))),
        Value::Float(f) => Ok(Value::Duration((f * unit()? as f64) as i64)),
        Value::String(s) => parse_influxql_duration(s)
            .map(Value::Duration)
            .ok_or_else(|| format!("invalid duration string {s:?}")),
        other => Err(format!("cannot convert {} to duration", other.type_name())),
    }
}

/// InfluxQL's `ParseDuration`: an optional `-`, then one or more `<digits><unit>` parts with
/// units `ns u µ ms s m h d w`.
pub(crate) fn parse_influxql_duration(s: &str) -> Option<i64> {
    const S: i64 = 1_000_000_000;
    let (neg, mut rest) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    if s.len() < 2 || rest.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits == rest.len() {
            return None;
        }
        let n: i64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (size, len) = if rest.starts_with("ns") {
            (1, 2)
        } else if rest.starts_with("ms") {
            (1_000_000, 2)
        } else if rest.starts_with('u') {
            (1_000, 1)
        } else if rest.starts_with('µ') {
            (1_000, 'µ'.len_utf8())
        } else if rest.starts_with('s') {
            (S, 1)
        } else if rest.starts_with('m') {
            (60 * S, 1)
        } else if rest.starts_with('h') {
            (3600 * S, 1)
        } else if rest.starts_with('d') {
            (86_400 * S, 1)
        } else if rest.starts_with('w') {
            (7 * 86_400 * S, 1)
        } else {
            return None;
        };
        total = total.checked_add(n.checked_mul(size)?)?;
        rest = &rest[len..];
    }
    Some(if neg { -total } else { total })
}
