//! Runtime values of lambda expressions and their types.

use std::fmt;
use std::sync::Arc;

use kapa_models::FieldValue;
use smol_str::SmolStr;

/// A value produced or consumed by a lambda expression.
#[derive(Debug, Clone)]
pub enum Value {
    /// 64-bit float.
    Float(f64),
    /// 64-bit signed integer.
    Int(i64),
    /// UTF-8 string.
    String(SmolStr),
    /// Boolean.
    Bool(bool),
    /// A compiled regular expression (Go syntax, see [`crate::compile_go_regex`]).
    Regex(Arc<regex::Regex>),
    /// A point in time, nanoseconds since the Unix epoch.
    Time(i64),
    /// A length of time in nanoseconds.
    Duration(i64),
    /// What a reference reads when the point has no such field or tag.
    Missing,
}

/// The type of a [`Value`], with Kapacitor's names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValueType {
    /// `float`
    Float,
    /// `int`
    Int,
    /// `string`
    String,
    /// `boolean`
    Bool,
    /// `regex`
    Regex,
    /// `time`
    Time,
    /// `duration`
    Duration,
    /// `missing`
    Missing,
}

impl ValueType {
    /// Kapacitor's name of the type, as used in error messages.
    pub fn name(self) -> &'static str {
        match self {
            ValueType::Float => "float",
            ValueType::Int => "int",
            ValueType::String => "string",
            ValueType::Bool => "boolean",
            ValueType::Regex => "regex",
            ValueType::Time => "time",
            ValueType::Duration => "duration",
            ValueType::Missing => "missing",
        }
    }
}

impl fmt::Display for ValueType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl Value {
    /// The value's type.
    pub fn value_type(&self) -> ValueType {
        match self {
            Value::Float(_) => ValueType::Float,
            Value::Int(_) => ValueType::Int,
            Value::String(_) => ValueType::String,
            Value::Bool(_) => ValueType::Bool,
            Value::Regex(_) => ValueType::Regex,
            Value::Time(_) => ValueType::Time,
            Value::Duration(_) => ValueType::Duration,
            Value::Missing => ValueType::Missing,
        }
    }

    /// Kapacitor's name of the value's type: `float int string boolean regex time duration missing`.
    pub fn type_name(&self) -> &'static str {
        self.value_type().name()
    }

    /// The value as a point field, when it can be stored in one (time and duration become
    /// integers of nanoseconds; regex and missing cannot be stored).
    pub fn to_field(&self) -> Option<FieldValue> {
        Some(match self {
            Value::Float(f) => FieldValue::Float(*f),
            Value::Int(i) => FieldValue::Int(*i),
            Value::String(s) => FieldValue::String(s.clone()),
            Value::Bool(b) => FieldValue::Bool(*b),
            Value::Time(t) => FieldValue::Int(*t),
            Value::Duration(d) => FieldValue::Int(*d),
            Value::Regex(_) | Value::Missing => return None,
        })
    }
}

impl From<&FieldValue> for Value {
    fn from(v: &FieldValue) -> Self {
        match v {
            FieldValue::Float(f) => Value::Float(*f),
            FieldValue::Int(i) => Value::Int(*i),
            // Kapacitor has no unsigned type in lambdas; keep exact values as int and
            // fall back to float beyond i64 rather than failing the comparison.
            FieldValue::UInt(u) => match i64::try_from(*u) {
                Ok(i) => Value::Int(i),
                Err(_) => Value::Float(*u as f64),
            },
            FieldValue::String(s) => Value::String(s.clone()),
            FieldValue::Bool(b) => Value::Bool(*b),
        }
    }
}

impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Regex(a), Value::Regex(b)) => a.as_str() == b.as_str(),
            (Value::Time(a), Value::Time(b)) => a == b,
            (Value::Duration(a), Value::Duration(b)) => a == b,
            (Value::Missing, Value::Missing) => true,
            _ => false,
        }
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Float(v)
    }
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(SmolStr::new(v))
    }
}
