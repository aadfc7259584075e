//! The four field types Kapacitor realizes InfluxQL reducers for, as typed values with the
//! comparison rules InfluxDB's reducers apply to each.

use std::cmp::Ordering;

use kapa_models::FieldValue;
use smol_str::SmolStr;

use super::gomath;

/// A field type a reducer can be realized for. Unsigned fields are not among them: Kapacitor
/// reports `invalid field kind: uint64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `float64`.
    Float,
    /// `int64`.
    Integer,
    /// `string`.
    String,
    /// `bool`.
    Boolean,
}

impl Kind {
    /// The kind of a field value, `None` for unsigned integers.
    pub(crate) fn of(v: &FieldValue) -> Option<Kind> {
        match v {
            FieldValue::Float(_) => Some(Kind::Float),
            FieldValue::Int(_) => Some(Kind::Integer),
            FieldValue::String(_) => Some(Kind::String),
            FieldValue::Bool(_) => Some(Kind::Boolean),
            FieldValue::UInt(_) => None,
        }
    }

    /// Go's name of the type, as Kapacitor's messages print it.
    pub(crate) fn go_type(self) -> &'static str {
        match self {
            Kind::Float => "float64",
            Kind::Integer => "int64",
            Kind::String => "string",
            Kind::Boolean => "bool",
        }
    }
}

/// Go's name of a field value's type (`%T`).
pub(crate) fn go_type_of(v: &FieldValue) -> &'static str {
    match v {
        FieldValue::Float(_) => "float64",
        FieldValue::Int(_) => "int64",
        FieldValue::UInt(_) => "uint64",
        FieldValue::String(_) => "string",
        FieldValue::Bool(_) => "bool",
    }
}

/// What `distinct` compares values by: Go map keys, where -0 equals +0.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum DistinctKey {
    Float(u64),
    Int(i64),
    Str(SmolStr),
    Bool(bool),
}

/// A typed field value.
pub(crate) trait Scalar: Clone + Send + 'static {
    /// The value when the field has this type.
    fn get(v: &FieldValue) -> Option<Self>;
    /// Back to a field value.
    fn value(self) -> FieldValue;
    /// Whether `first` prefers `curr` over `prev` at equal times.
    fn first_tie(curr: &Self, prev: &Self) -> bool;
    /// Whether `last` prefers `curr` over `prev` at equal times.
    fn last_tie(curr: &Self, prev: &Self) -> bool;
    /// The `distinct` key; `None` for NaN, which never equals anything (not even as a map key).
    fn key(&self) -> Option<DistinctKey>;
}

/// A numeric field value (float or integer): the types the arithmetic reducers accept.
pub(crate) trait Num: Scalar + Copy + PartialOrd {
    /// True for floats.
    const FLOAT: bool;
    /// Zero.
    const ZERO: Self;
    /// The start value of a running minimum.
    const HIGHEST: Self;
    /// The start value of a running maximum.
    const LOWEST: Self;
    /// `a + b` (integers wrap, as Go's do).
    fn add(self, o: Self) -> Self;
    /// `a - b` (integers wrap).
    fn sub(self, o: Self) -> Self;
    /// `float64(v)`.
    fn to_f64(self) -> f64;
    /// NaN test (never true for integers).
    fn is_nan(self) -> bool;
    /// The smaller of two values as `spread` computes it.
    fn min_of(a: Self, b: Self) -> Self;
    /// The larger of two values as `spread` computes it.
    fn max_of(a: Self, b: Self) -> Self;
    /// The total order values sort in (Go's `<`, with NaN last).
    fn order(a: Self, b: Self) -> Ordering;
    /// The mean of the two middle values of an even-sized median.
    fn mid(lo: Self, hi: Self) -> f64;
}

impl Scalar for f64 {
    fn get(v: &FieldValue) -> Option<Self> {
        match v {
            FieldValue::Float(f) => Some(*f),
            _ => None,
        }
    }
    fn value(self) -> FieldValue {
        FieldValue::Float(self)
    }
    fn first_tie(curr: &Self, prev: &Self) -> bool {
        curr > prev
    }
    fn last_tie(curr: &Self, prev: &Self) -> bool {
        curr > prev
    }
    fn key(&self) -> Option<DistinctKey> {
        if self.is_nan() {
            None
        } else if *self == 0.0 {
            Some(DistinctKey::Float(0))
        } else {
            Some(DistinctKey::Float(self.to_bits()))
        }
    }
}

impl Num for f64 {
    const FLOAT: bool = true;
    const ZERO: Self = 0.0;
    const HIGHEST: Self = f64::INFINITY;
    const LOWEST: Self = f64::NEG_INFINITY;
    fn add(self, o: Self) -> Self {
        self + o
    }
    fn sub(self, o: Self) -> Self {
        self - o
    }
    fn to_f64(self) -> f64 {
        self
    }
    fn is_nan(self) -> bool {
        f64::is_nan(self)
    }
    fn min_of(a: Self, b: Self) -> Self {
        gomath::min(a, b)
    }
    fn max_of(a: Self, b: Self) -> Self {
        gomath::max(a, b)
    }
    fn order(a: Self, b: Self) -> Ordering {
        gomath::cmp_f64(a, b)
    }
    fn mid(lo: Self, hi: Self) -> f64 {
        lo + (hi - lo) / 2.0
    }
}

impl Scalar for i64 {
    fn get(v: &FieldValue) -> Option<Self> {
        match v {
            FieldValue::Int(i) => Some(*i),
            _ => None,
        }
    }
    fn value(self) -> FieldValue {
        FieldValue::Int(self)
    }
    fn first_tie(curr: &Self, prev: &Self) -> bool {
        curr > prev
    }
    fn last_tie(curr: &Self, prev: &Self) -> bool {
        curr > prev
    }
    fn key(&self) -> Option<DistinctKey> {
        Some(DistinctKey::Int(*self))
    }
}

impl Num for i64 {
    const FLOAT: bool = false;
    const ZERO: Self = 0;
    const HIGHEST: Self = i64::MAX;
    const LOWEST: Self = i64::MIN;
    fn add(self, o: Self) -> Self {
        self.wrapping_add(o)
    }
    fn sub(self, o: Self) -> Self {
        self.wrapping_sub(o)
    }
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn is_nan(self) -> bool {
        false
    }
    fn min_of(a: Self, b: Self) -> Self {
        if b < a { b } else { a }
    }
    fn max_of(a: Self, b: Self) -> Self {
        if b > a { b } else { a }
    }
    fn order(a: Self, b: Self) -> Ordering {
        a.cmp(&b)
    }
    fn mid(lo: Self, hi: Self) -> f64 {
        lo as f64 + hi.wrapping_sub(lo) as f64 / 2.0
    }
}

impl Scalar for SmolStr {
    fn get(v: &FieldValue) -> Option<Self> {
        match v {
            FieldValue::String(s) => Some(s.clone()),
            _ => None,
        }
    }
    fn value(self) -> FieldValue {
        FieldValue::String(self)
    }
    fn first_tie(curr: &Self, prev: &Self) -> bool {
        curr.as_bytes() > prev.as_bytes()
    }
    fn last_tie(curr: &Self, prev: &Self) -> bool {
        curr.as_bytes() > prev.as_bytes()
    }
    fn key(&self) -> Option<DistinctKey> {
        Some(DistinctKey::Str(self.clone()))
    }
}

impl Scalar for bool {
    fn get(v: &FieldValue) -> Option<Self> {
        match v {
            FieldValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
    fn value(self) -> FieldValue {
        FieldValue::Bool(self)
    }
    // InfluxDB's boolean first() prefers false at equal times, last() prefers true.
    fn first_tie(curr: &Self, prev: &Self) -> bool {
        !*curr && *prev
    }
    fn last_tie(curr: &Self, prev: &Self) -> bool {
        *curr && !*prev
    }
    fn key(&self) -> Option<DistinctKey> {
        Some(DistinctKey::Bool(*self))
    }
}
