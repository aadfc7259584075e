//! Functions that keep state between calls: `sigma`, `count`, `spread`, `rand`. Each call
//! site owns one [`FnState`] in every [`crate::LambdaState`].

use std::sync::atomic::{AtomicU64, Ordering};

use super::{FunctionDef, Imp, def, sig};
use crate::value::Value;

/// The state of one stateful call site.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FnState {
    /// Welford's running mean and sum of squared deviations.
    Sigma { n: f64, mean: f64, m2: f64 },
    /// Calls so far.
    Count(i64),
    /// Running extremes.
    Spread { min: f64, max: f64 },
    /// splitmix64 generator state.
    Rand(u64),
}

impl FnState {
    /// Back to the state of a fresh call site.
    pub(crate) fn reset(&mut self) {
        *self = match self {
            FnState::Sigma { .. } => sigma_init(),
            FnState::Count(_) => count_init(),
            FnState::Spread { .. } => spread_init(),
            FnState::Rand(_) => rand_init(),
        }
    }
}

pub(super) static FUNCTIONS: &[FunctionDef] = &[
    def!(
        "sigma",
        &[sig!((Float) -> Float)],
        Imp::Stateful {
            init: sigma_init,
            call: sigma
        }
    ),
    def!(
        "count",
        &[sig!(() -> Int)],
        Imp::Stateful {
            init: count_init,
            call: count
        }
    ),
    def!(
        "spread",
        &[sig!((Float) -> Float)],
        Imp::Stateful {
            init: spread_init,
            call: spread
        }
    ),
    def!(
        "rand",
        &[sig!(() -> Int), sig!((Int) -> Int)],
        Imp::Stateful {
            init: rand_init,
            call: rand
        }
    ),
];

fn sigma_init() -> FnState {
    FnState::Sigma {
        n: 0.0,
        mean: 0.0,
        m2: 0.0,
    }
}

/// Distance of x from the running mean in sample standard deviations (n-1), counting x.
fn sigma(state: &mut FnState, args: &[Value]) -> Result<Value, String> {
    let [Value::Float(x)] = args else {
        return Err("value is not a float".to_string());
    };
    let FnState::Sigma { n, mean, m2 } = state else {
        return Err("sigma called with foreign state".to_string());
    };
    let x = *x;
    *n += 1.0;
    let delta = x - *mean;
    *mean += delta / *n;
    *m2 += delta * (x - *mean);
    let variance = *m2 / (*n - 1.0);
    if *n < 2.0 || variance == 0.0 {
        return Ok(Value::Float(0.0));
    }
    Ok(Value::Float((x - *mean).abs() / variance.sqrt()))
}

fn count_init() -> FnState {
    FnState::Count(0)
}

fn count(state: &mut FnState, _args: &[Value]) -> Result<Value, String> {
    let FnState::Count(n) = state else {
        return Err("count called with foreign state".to_string());
    };
    *n += 1;
    Ok(Value::Int(*n))
}

fn spread_init() -> FnState {
    FnState::Spread {
        min: f64::INFINITY,
        max: f64::NEG_INFINITY,
    }
}

fn spread(state: &mut FnState, args: &[Value]) -> Result<Value, String> {
    let [Value::Float(x)] = args else {
        return Err("value is not a float".to_string());
    };
    let FnState::Spread { min, max } = state else {
        return Err("spread called with foreign state".to_string());
    };
    if *x < *min {
        *min = *x;
    }
    if *x > *max {
        *max = *x;
    }
    Ok(Value::Float(*max - *min))
}

fn rand_init() -> FnState {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let clock = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let salt = COUNTER.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
    FnState::Rand(clock ^ salt)
}

/// splitmix64: tiny, fast and good enough for sampling decisions.
pub(crate) fn next_random(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A non-negative random int, uniform in `[0, n)` when n is given.
fn rand(state: &mut FnState, args: &[Value]) -> Result<Value, String> {
    let FnState::Rand(s) = state else {
        return Err("rand called with foreign state".to_string());
    };
    let r = next_random(s);
    match args {
        [] => Ok(Value::Int((r >> 1) as i64)),
        [Value::Int(n)] if *n > 0 => {
            // Multiply-high maps 64 random bits onto [0, n) without a division.
            let v = ((u128::from(r) * *n as u128) >> 64) as i64;
            Ok(Value::Int(v))
        }
        [Value::Int(n)] => Err(format!("invalid argument to rand: {n} must be positive")),
        _ => Err("rand expects zero or one argument".to_string()),
    }
}
