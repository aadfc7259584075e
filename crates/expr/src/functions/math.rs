//! Math functions: float in, float out (`pow10` takes an int, `jn`/`yn` an int order),
//! with Go's `math` package semantics.

use super::{FunctionDef, Imp, Signature, def, sig};
use crate::value::Value;

const F_F: &[Signature] = &[sig!((Float) -> Float)];
const FF_F: &[Signature] = &[sig!((Float, Float) -> Float)];
const I_F: &[Signature] = &[sig!((Int) -> Float)];
const IF_F: &[Signature] = &[sig!((Int, Float) -> Float)];

/// Defines a registry entry for a one-float function.
macro_rules! math1 {
    ($name:literal, $f:expr) => {
        def!($name, F_F, {
            fn call(args: &[Value]) -> Result<Value, String> {
                match args {
                    [Value::Float(x)] => Ok(Value::Float(($f)(*x))),
                    _ => {
                        Err(concat!("cannot pass argument to ", $name, ", must be float64").into())
                    }
                }
            }
            Imp::Pure(call)
        })
    };
}

/// Defines a registry entry for a two-float function.
macro_rules! math2 {
    ($name:literal, $f:expr) => {
        def!($name, FF_F, {
            fn call(args: &[Value]) -> Result<Value, String> {
                match args {
                    [Value::Float(x), Value::Float(y)] => Ok(Value::Float(($f)(*x, *y))),
                    _ => {
                        Err(concat!("cannot pass argument to ", $name, ", must be float64").into())
                    }
                }
            }
            Imp::Pure(call)
        })
    };
}

/// Defines a registry entry for an (int order, float) Bessel function.
macro_rules! math_if {
    ($name:literal, $f:expr) => {
        def!($name, IF_F, {
            fn call(args: &[Value]) -> Result<Value, String> {
                match args {
                    [Value::Int(n), Value::Float(x)] => Ok(Value::Float(($f)(clamp_order(*n), *x))),
                    _ => Err(concat!(
                        "cannot pass arguments to ",
                        $name,
                        ", must be int64, float64"
                    )
                    .into()),
                }
            }
            Imp::Pure(call)
        })
    };
}

pub(super) static FUNCTIONS: &[FunctionDef] = &[
    math1!("abs", f64::abs),
    math1!("acos", f64::acos),
    math1!("acosh", f64::acosh),
    math1!("asin", f64::asin),
    math1!("asinh", f64::asinh),
    math1!("atan", f64::atan),
    math2!("atan2", f64::atan2),
    math1!("atanh", f64::atanh),
    math1!("cbrt", libm::cbrt),
    math1!("ceil", f64::ceil),
    math1!("cos", f64::cos),
    math1!("cosh", f64::cosh),
    math1!("erf", libm::erf),
    math1!("erfc", libm::erfc),
    math1!("exp", f64::exp),
    math1!("exp2", f64::exp2),
    math1!("expm1", libm::expm1),
    math1!("floor", f64::floor),
    math1!("gamma", libm::tgamma),
    math2!("hypot", libm::hypot),
    math1!("j0", libm::j0),
    math1!("j1", libm::j1),
    math_if!("jn", libm::jn),
    math1!("log", f64::ln),
    math1!("log10", f64::log10),
    math1!("log1p", libm::log1p),
    math1!("log2", f64::log2),
    math1!("logb", logb),
    math2!("max", go_max),
    math2!("min", go_min),
    math2!("mod", go_mod),
    math2!("pow", f64::powf),
    def!("pow10", I_F, Imp::Pure(pow10)),
    math1!("sin", f64::sin),
    math1!("sinh", f64::sinh),
    math1!("sqrt", f64::sqrt),
    math1!("tan", f64::tan),
    math1!("tanh", f64::tanh),
    math1!("trunc", f64::trunc),
    math1!("y0", libm::y0),
    math1!("y1", libm::y1),
    math_if!("yn", libm::yn),
];

/// Bessel orders beyond i32 behave like the largest representable order.
fn clamp_order(n: i64) -> i32 {
    n.clamp(i64::from(i32::MIN), i64::from(i32::MAX)) as i32
}

/// Go's `math.Logb`: the binary exponent of x.
fn logb(x: f64) -> f64 {
    if x == 0.0 {
        f64::NEG_INFINITY
    } else if x.is_infinite() {
        f64::INFINITY
    } else if x.is_nan() {
        x
    } else {
        f64::from(libm::ilogb(x))
    }
}

/// Go's `math.Max`: +Inf wins over NaN, and +0 over -0.
fn go_max(x: f64, y: f64) -> f64 {
    if x == f64::INFINITY || y == f64::INFINITY {
        f64::INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && y == 0.0 {
        if x.is_sign_negative() { y } else { x }
    } else if x > y {
        x
    } else {
        y
    }
}

/// Go's `math.Min`: -Inf wins over NaN, and -0 over +0.
fn go_min(x: f64, y: f64) -> f64 {
    if x == f64::NEG_INFINITY || y == f64::NEG_INFINITY {
        f64::NEG_INFINITY
    } else if x.is_nan() || y.is_nan() {
        f64::NAN
    } else if x == 0.0 && y == 0.0 {
        if x.is_sign_negative() { x } else { y }
    } else if x < y {
        x
    } else {
        y
    }
}

/// Go's `math.Mod`: the remainder takes the sign of x (C's `fmod`).
fn go_mod(x: f64, y: f64) -> f64 {
    x % y
}

/// Go's `math.Pow10`: exact powers of ten, 0 below 1e-323 and +Inf above 1e308.
fn pow10(args: &[Value]) -> Result<Value, String> {
    match args {
        [Value::Int(n)] => Ok(Value::Float(if *n < -323 {
            0.0
        } else if *n > 308 {
            f64::INFINITY
        } else {
            // Parsing the literal gives the correctly rounded power, as Go's tables do.
            format!("1e{n}").parse().unwrap_or(f64::NAN)
        })),
        _ => Err("cannot pass argument to pow10, must be int64".to_string()),
    }
}
