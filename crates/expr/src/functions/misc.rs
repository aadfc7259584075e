//! `regexReplace`, `isPresent`, `humanBytes` and `if`.

use smol_str::SmolStr;

use super::{FunctionDef, Imp, def, sig};
use crate::value::Value;

pub(super) static FUNCTIONS: &[FunctionDef] = &[
    def!(
        "regexReplace",
        &[sig!((Regex, String, String) -> String)],
        Imp::Pure(regex_replace)
    ),
    def!(
        "isPresent",
        &[
            sig!((Missing) -> Bool),
            sig!((Bool) -> Bool),
            sig!((String) -> Bool),
            sig!((Int) -> Bool),
            sig!((Float) -> Bool)
        ],
        Imp::Pure(is_present)
    ),
    def!(
        "humanBytes",
        &[sig!((Float) -> String), sig!((Int) -> String)],
        Imp::Pure(human_bytes)
    ),
    def!(
        "if",
        &[
            sig!((Bool, Float, Float) -> Float),
            sig!((Bool, Int, Int) -> Int),
            sig!((Bool, String, String) -> String),
            sig!((Bool, Bool, Bool) -> Bool),
            sig!((Bool, Regex, Regex) -> Regex),
            sig!((Bool, Time, Time) -> Time),
            sig!((Bool, Duration, Duration) -> Duration)
        ],
        Imp::Pure(if_fn)
    ),
];

/// Go's `Regexp.ReplaceAllString`: `$1`, `${name}` and `$$` expand as in Go.
fn regex_replace(args: &[Value]) -> Result<Value, String> {
    match args {
        [Value::Regex(re), Value::String(src), Value::String(repl)] => Ok(Value::String(
            SmolStr::new(re.replace_all(src, repl.as_str())),
        )),
        _ => Err("regexReplace expects exactly three arguments".to_string()),
    }
}

fn is_present(args: &[Value]) -> Result<Value, String> {
    match args {
        [v] => Ok(Value::Bool(!matches!(v, Value::Missing))),
        _ => Err("isMissing expects exactly one argument".to_string()),
    }
}

fn human_bytes(args: &[Value]) -> Result<Value, String> {
    let n = match args {
        // Go converts through uint64, so negative numbers wrap around.
        [Value::Int(i)] => *i as u64,
        [Value::Float(f)] if *f < 0.0 => (*f as i64) as u64,
        [Value::Float(f)] => *f as u64,
        _ => return Err("humanBytes expects exactly one argument".to_string()),
    };
    Ok(Value::String(SmolStr::new(format_bytes(n))))
}

/// go-humanize's `Bytes`: SI units (powers of 1000), one decimal below 10.
pub(crate) fn format_bytes(n: u64) -> String {
    const SIZES: [&str; 7] = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
    if n < 10 {
        return format!("{n} B");
    }
    let x = n as f64;
    let e = (x.ln() / 1000f64.ln()).floor();
    let suffix = SIZES[(e as usize).min(SIZES.len() - 1)];
    let val = (x / 1000f64.powf(e) * 10.0 + 0.5).floor() / 10.0;
    if val < 10.0 {
        format!("{val:.1} {suffix}")
    } else {
        format!("{val:.0} {suffix}")
    }
}

fn if_fn(args: &[Value]) -> Result<Value, String> {
    match args {
        [Value::Bool(c), a, b] => {
            if a.value_type() != b.value_type() {
                return Err(format!(
                    "Different return types are not supported - second argument is {} and third argument is {}",
                    a.type_name(),
                    b.type_name()
                ));
            }
            Ok(if *c { a.clone() } else { b.clone() })
        }
        [other, _, _] => Err(format!(
            "first argument to if must be a condition with type of bool - got {}",
            other.type_name()
        )),
        _ => Err("if expects exactly three arguments".to_string()),
    }
}
