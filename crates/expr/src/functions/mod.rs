//! The built-in function registry: one [`FunctionDef`] per function with its signatures and
//! implementation. Adding a function means adding one entry to `REGISTRY` (its group's table).

mod conversion;
mod math;
mod misc;
mod stateful;
mod strings;
mod time;

use crate::value::{Value, ValueType};

pub(crate) use stateful::FnState;

/// Most arguments any built-in takes (Kapacitor's `maxArgs`).
pub(crate) const MAX_ARGS: usize = 4;

/// One accepted argument-type list and the type it returns.
#[derive(Debug, Clone, Copy)]
pub struct Signature {
    /// Argument types in order.
    pub args: &'static [ValueType],
    /// Result type.
    pub ret: ValueType,
}

/// A function without state: arguments already match one of the signatures.
pub(crate) type PureFn = fn(&[Value]) -> Result<Value, String>;
/// A function with per-[`crate::LambdaState`] state.
pub(crate) type StatefulFn = fn(&mut FnState, &[Value]) -> Result<Value, String>;

/// How a function runs.
#[derive(Clone, Copy)]
pub(crate) enum Imp {
    /// Deterministic: calls with constant arguments are folded at compile time.
    Pure(PureFn),
    /// Depends on the outside world (`now()`): never folded.
    Volatile(PureFn),
    /// Keeps state between calls; each call site gets its own instance per state.
    Stateful {
        init: fn() -> FnState,
        call: StatefulFn,
    },
}

/// A built-in function.
pub struct FunctionDef {
    /// Name as written in a lambda.
    pub name: &'static str,
    /// Accepted signatures; a call whose argument types match none is an error.
    pub signatures: &'static [Signature],
    pub(crate) imp: Imp,
}

impl FunctionDef {
    /// Whether the function keeps state between calls (`sigma`, `count`, `spread`, `rand`).
    pub fn is_stateful(&self) -> bool {
        matches!(self.imp, Imp::Stateful { .. })
    }

    /// The result type for these argument types, if a signature matches.
    pub fn return_type(&self, args: &[ValueType]) -> Option<ValueType> {
        self.signatures
            .iter()
            .find(|s| s.args == args)
            .map(|s| s.ret)
    }

    /// The signatures written as Kapacitor lists them: `[(float), (int,duration)]`.
    pub(crate) fn signatures_text(&self) -> String {
        let sigs: Vec<String> = self
            .signatures
            .iter()
            .map(|s| {
                let args: Vec<&str> = s.args.iter().map(|t| t.name()).collect();
                format!("({})", args.join(","))
            })
            .collect();
        format!("[{}]", sigs.join(", "))
    }
}

impl std::fmt::Debug for FunctionDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FunctionDef")
            .field("name", &self.name)
            .field("signatures", &self.signatures)
            .finish()
    }
}

/// Shorthand for building signature tables.
macro_rules! sig {
    (($($arg:ident),*) -> $ret:ident) => {
        $crate::functions::Signature {
            args: &[$($crate::value::ValueType::$arg),*],
            ret: $crate::value::ValueType::$ret,
        }
    };
}
pub(crate) use sig;

/// Shorthand for a registry entry.
macro_rules! def {
    ($name:literal, $sigs:expr, $imp:expr) => {
        $crate::functions::FunctionDef {
            name: $name,
            signatures: $sigs,
            imp: $imp,
        }
    };
}
pub(crate) use def;

/// Every built-in function, in documentation order.
pub(crate) static REGISTRY: &[&[FunctionDef]] = &[
    conversion::FUNCTIONS,
    math::FUNCTIONS,
    strings::FUNCTIONS,
    misc::FUNCTIONS,
    time::FUNCTIONS,
    stateful::FUNCTIONS,
];

/// Looks a built-in function up by name.
pub fn lookup(name: &str) -> Option<&'static FunctionDef> {
    REGISTRY
        .iter()
        .flat_map(|group| group.iter())
        .find(|f| f.name == name)
}

/// The names of all built-in functions.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    REGISTRY
        .iter()
        .flat_map(|group| group.iter())
        .map(|f| f.name)
}

/// Formats a float as Go's `strconv.FormatFloat(f, 'f', -1, 64)`.
pub(crate) fn format_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_string()
    } else if f.is_infinite() {
        if f > 0.0 { "+Inf" } else { "-Inf" }.to_string()
    } else {
        // Rust's Display is the shortest round-trip form without an exponent, as 'f' -1 is.
        format!("{f}")
    }
}
