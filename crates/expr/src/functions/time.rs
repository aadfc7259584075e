//! Time functions. Kapacitor reads calendar fields in the server's local zone; we use UTC so
//! results do not depend on the machine.

use kapa_models::time::civil;

use super::{FunctionDef, Imp, Signature, def, sig};
use crate::value::Value;

const T_I: &[Signature] = &[sig!((Time) -> Int)];

/// Defines a registry entry for a time-to-int function.
macro_rules! time1 {
    ($name:literal, $f:expr) => {
        def!($name, T_I, {
            fn call(args: &[Value]) -> Result<Value, String> {
                match args {
                    [Value::Time(t)] => Ok(Value::Int(($f)(*t))),
                    _ => Err(concat!($name, " expects exactly one argument").into()),
                }
            }
            Imp::Pure(call)
        })
    };
}

pub(super) static FUNCTIONS: &[FunctionDef] = &[
    time1!("unixNano", |t: i64| t),
    time1!("minute", |t: i64| i64::from(civil(t).4)),
    time1!("hour", |t: i64| i64::from(civil(t).3)),
    time1!("weekday", |t: i64| i64::from(civil(t).7)),
    time1!("day", |t: i64| i64::from(civil(t).2)),
    time1!("month", |t: i64| i64::from(civil(t).1)),
    time1!("year", |t: i64| civil(t).0),
    def!("now", &[sig!(() -> Time)], Imp::Volatile(now)),
];

fn now(args: &[Value]) -> Result<Value, String> {
    if !args.is_empty() {
        return Err("now expects exactly zero argument".to_string());
    }
    let ns = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Ok(Value::Time(ns))
}
