//! Points, field values, tag sets and field sets.

use smol_str::SmolStr;
use std::fmt;

use crate::time::Timestamp;

/// One field value, as line protocol defines them.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldValue {
    /// 64-bit float (plain numbers in line protocol).
    Float(f64),
    /// Signed integer (`42i`).
    Int(i64),
    /// Unsigned integer (`42u`).
    UInt(u64),
    /// String (`"text"`).
    String(SmolStr),
    /// Boolean (`t`, `true`, `F`, ...).
    Bool(bool),
}

impl FieldValue {
    /// The value as f64 when it is numeric.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            FieldValue::Float(f) => Some(*f),
            FieldValue::Int(i) => Some(*i as f64),
            FieldValue::UInt(u) => Some(*u as f64),
            _ => None,
        }
    }

    /// The value as a JSON value, the way Go's encoding/json prints it.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            FieldValue::Float(f) => float_json(*f),
            FieldValue::Int(i) => serde_json::Value::from(*i),
            FieldValue::UInt(u) => serde_json::Value::from(*u),
            FieldValue::String(s) => serde_json::Value::String(s.to_string()),
            FieldValue::Bool(b) => serde_json::Value::Bool(*b),
        }
    }

    /// The type name used in error messages (`float`, `int`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            FieldValue::Float(_) => "float",
            FieldValue::Int(_) => "int",
            FieldValue::UInt(_) => "uint",
            FieldValue::String(_) => "string",
            FieldValue::Bool(_) => "bool",
        }
    }
}

impl fmt::Display for FieldValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FieldValue::Float(v) => write!(f, "{v}"),
            FieldValue::Int(v) => write!(f, "{v}"),
            FieldValue::UInt(v) => write!(f, "{v}"),
            FieldValue::String(v) => f.write_str(v),
            FieldValue::Bool(v) => write!(f, "{v}"),
        }
    }
}

/// A float as Go's encoding/json prints it: integral values without a fraction
/// (`45`, not `45.0`), others in their shortest form.
pub fn float_json(f: f64) -> serde_json::Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        return serde_json::Value::from(f as i64);
    }
    serde_json::Number::from_f64(f)
        .map(serde_json::Value::Number)
        .unwrap_or(serde_json::Value::Null)
}

/// A set of key/value pairs kept sorted by key, with unique keys.
///
/// Small sorted vectors beat hash maps for the handful of tags and fields a point has.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KvSet<V>(Vec<(SmolStr, V)>);

/// Tag set of a point.
pub type Tags = KvSet<SmolStr>;
/// Field set of a point.
pub type Fields = KvSet<FieldValue>;

impl<V> KvSet<V> {
    /// An empty set.
    pub const fn new() -> Self {
        KvSet(Vec::new())
    }

    /// An empty set with room for `n` entries.
    pub fn with_capacity(n: usize) -> Self {
        KvSet(Vec::with_capacity(n))
    }

    /// Builds a set from unsorted pairs; a later duplicate key replaces an earlier one.
    pub fn from_pairs(mut pairs: Vec<(SmolStr, V)>) -> Self {
        // Stable sort keeps insertion order among equal keys so the last one can win.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(SmolStr, V)> = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            match out.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => out.push((k, v)),
            }
        }
        KvSet(out)
    }

    /// Looks a key up.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| &self.0[i].1)
    }

    /// True when the key is present.
    pub fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Inserts or replaces a value.
    pub fn insert(&mut self, key: impl Into<SmolStr>, value: V) {
        let key = key.into();
        match self.0.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(i) => self.0[i].1 = value,
            Err(i) => self.0.insert(i, (key, value)),
        }
    }

    /// Removes a key, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        match self.0.binary_search_by(|(k, _)| k.as_str().cmp(key)) {
            Ok(i) => Some(self.0.remove(i).1),
            Err(_) => None,
        }
    }

    /// Iterates in key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&SmolStr, &V)> {
        self.0.iter().map(|(k, v)| (k, v))
    }

    /// Values in key order, mutably (keys cannot change, so the order holds).
    pub fn values_mut(&mut self) -> impl ExactSizeIterator<Item = &mut V> {
        self.0.iter_mut().map(|(_, v)| v)
    }

    /// Keys in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &SmolStr> {
        self.0.iter().map(|(k, _)| k)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The sorted pairs.
    pub fn as_slice(&self) -> &[(SmolStr, V)] {
        &self.0
    }

    /// Keeps only the entries for which `f` is true.
    pub fn retain(&mut self, mut f: impl FnMut(&SmolStr, &V) -> bool) {
        self.0.retain(|(k, v)| f(k, v));
    }

    /// Pushes a pair that sorts after every existing key (used by parsers that
    /// already produce sorted input); falls back to `insert` otherwise.
    pub fn push_sorted(&mut self, key: SmolStr, value: V) {
        match self.0.last() {
            Some((last, _)) if *last >= key => self.insert(key, value),
            _ => self.0.push((key, value)),
        }
    }
}

impl Tags {
    /// Tags as a JSON object.
    pub fn to_json(&self) -> serde_json::Map<String, serde_json::Value> {
        self.iter()
            .map(|(k, v)| (k.to_string(), serde_json::Value::String(v.to_string())))
            .collect()
    }
}

impl Fields {
    /// Fields as a JSON object.
    pub fn to_json(&self) -> serde_json::Map<String, serde_json::Value> {
        self.iter()
            .map(|(k, v)| (k.to_string(), v.to_json()))
            .collect()
    }
}

/// One time-series point.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Measurement name.
    pub name: SmolStr,
    /// Tag set.
    pub tags: Tags,
    /// Field set (never empty for a parsed point).
    pub fields: Fields,
    /// Time in nanoseconds since the Unix epoch.
    pub time: Timestamp,
}
