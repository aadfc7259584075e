//! String functions with Go's `strings` package semantics (byte indexes, `-1` for not found).

use smol_str::SmolStr;

use super::{FunctionDef, Imp, Signature, def, sig};
use crate::value::Value;

const SS_B: &[Signature] = &[sig!((String, String) -> Bool)];
const SS_I: &[Signature] = &[sig!((String, String) -> Int)];
const SS_S: &[Signature] = &[sig!((String, String) -> String)];
const S_S: &[Signature] = &[sig!((String) -> String)];

/// Defines a registry entry for a function of two strings.
macro_rules! str2 {
    ($name:literal, $sigs:expr, $f:expr) => {
        def!($name, $sigs, {
            fn call(args: &[Value]) -> Result<Value, String> {
                match args {
                    [Value::String(a), Value::String(b)] => Ok(($f)(a.as_str(), b.as_str())),
                    _ => {
                        Err(concat!("cannot pass arguments to ", $name, ", must be string").into())
                    }
                }
            }
            Imp::Pure(call)
        })
    };
}

/// Defines a registry entry for a string-to-string function.
macro_rules! str1 {
    ($name:literal, $f:expr) => {
        def!($name, S_S, {
            fn call(args: &[Value]) -> Result<Value, String> {
                match args {
                    [Value::String(a)] => Ok(Value::String(($f)(a))),
                    _ => Err(concat!("cannot pass argument to ", $name, ", must be string").into()),
                }
            }
            Imp::Pure(call)
        })
    };
}

pub(super) static FUNCTIONS: &[FunctionDef] = &[
    str2!("strContains", SS_B, |s: &str, sub: &str| Value::Bool(
        s.contains(sub)
    )),
    str2!("strContainsAny", SS_B, |s: &str, chars: &str| Value::Bool(
        s.contains(|c| chars.contains(c))
    )),
    str2!("strCount", SS_I, str_count),
    str2!("strHasPrefix", SS_B, |s: &str, p: &str| Value::Bool(
        s.starts_with(p)
    )),
    str2!("strHasSuffix", SS_B, |s: &str, p: &str| Value::Bool(
        s.ends_with(p)
    )),
    str2!("strIndex", SS_I, |s: &str, sub: &str| index(s.find(sub))),
    str2!("strIndexAny", SS_I, |s: &str, chars: &str| index(
        s.find(|c| chars.contains(c))
    )),
    str2!("strLastIndex", SS_I, |s: &str, sub: &str| index(
        s.rfind(sub)
    )),
    str2!("strLastIndexAny", SS_I, |s: &str, chars: &str| index(
        s.rfind(|c| chars.contains(c))
    )),
    def!("strLength", &[sig!((String) -> Int)], Imp::Pure(str_length)),
    def!(
        "strReplace",
        &[sig!((String, String, String, Int) -> String)],
        Imp::Pure(str_replace)
    ),
    def!(
        "strSubstring",
        &[sig!((String, Int, Int) -> String)],
        Imp::Pure(str_substring)
    ),
    str1!("strToLower", |s: &SmolStr| SmolStr::new(s.to_lowercase())),
    str1!("strToUpper", |s: &SmolStr| SmolStr::new(s.to_uppercase())),
    str2!("strTrim", SS_S, |s: &str, cut: &str| string(
        s.trim_matches(|c| cut.contains(c))
    )),
    str2!("strTrimLeft", SS_S, |s: &str, cut: &str| string(
        s.trim_start_matches(|c| cut.contains(c))
    )),
    str2!("strTrimPrefix", SS_S, |s: &str, p: &str| string(
        s.strip_prefix(p).unwrap_or(s)
    )),
    str2!("strTrimRight", SS_S, |s: &str, cut: &str| string(
        s.trim_end_matches(|c| cut.contains(c))
    )),
    str1!("strTrimSpace", |s: &SmolStr| SmolStr::new(s.trim())),
    str2!("strTrimSuffix", SS_S, |s: &str, p: &str| string(
        s.strip_suffix(p).unwrap_or(s)
    )),
];

fn string(s: &str) -> Value {
    Value::String(SmolStr::new(s))
}

fn index(i: Option<usize>) -> Value {
    Value::Int(i.map_or(-1, |i| i as i64))
}

/// Go's `strings.Count`: non-overlapping matches; an empty separator counts runes + 1.
fn str_count(s: &str, sub: &str) -> Value {
    let n = if sub.is_empty() {
        s.chars().count() + 1
    } else {
        s.matches(sub).count()
    };
    Value::Int(n as i64)
}

fn str_length(args: &[Value]) -> Result<Value, String> {
    match args {
        [Value::String(s)] => Ok(Value::Int(s.len() as i64)),
        _ => Err("strLength expects exactly one argument".to_string()),
    }
}

/// Go's `strings.Replace`: a negative n replaces every match.
fn str_replace(args: &[Value]) -> Result<Value, String> {
    match args {
        [
            Value::String(s),
            Value::String(old),
            Value::String(new),
            Value::Int(n),
        ] => {
            let out = if *n < 0 {
                s.replace(old.as_str(), new)
            } else {
                s.replacen(old.as_str(), new, *n as usize)
            };
            Ok(Value::String(SmolStr::new(out)))
        }
        _ => Err("strReplace expects exactly four arguments".to_string()),
    }
}

/// Kapacitor's substring: byte offsets, and `stop` must be below the length.
fn str_substring(args: &[Value]) -> Result<Value, String> {
    let [Value::String(s), Value::Int(start), Value::Int(stop)] = args else {
        return Err("strSubstring expects exactly three arguments".to_string());
    };
    if *start < 0 {
        return Err(format!("found negative index for strSubstring: {start}"));
    }
    if *stop < 0 {
        return Err(format!("found negative index for strSubstring: {stop}"));
    }
    if *stop as usize >= s.len() {
        return Err(format!(
            "stop index too large for string in strSubstring: {stop}"
        ));
    }
    let (start, stop) = (*start as usize, *stop as usize);
    if start > stop {
        return Err(format!("slice bounds out of range [{start}:{stop}]"));
    }
    // Go slices bytes; a cut inside a multi-byte character keeps replacement characters.
    let out = match s.get(start..stop) {
        Some(sub) => SmolStr::new(sub),
        None => SmolStr::new(String::from_utf8_lossy(&s.as_bytes()[start..stop])),
    };
    Ok(Value::String(out))
}
