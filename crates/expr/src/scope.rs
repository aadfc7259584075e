//! Where a lambda reads its references: a point's fields and tags, and its time.

use kapa_models::{Fields, Point, Tags};
use smol_str::SmolStr;

use crate::error::ExprError;
use crate::value::Value;

/// Where a lambda reads "references": fields first, then tags, then "time".
pub trait Scope {
    /// The value of a double-quoted reference; [`Value::Missing`] when there is none.
    fn lookup(&self, name: &str) -> Result<Value, ExprError>;

    /// The time bound to `"time"`, in nanoseconds since the epoch.
    fn time(&self) -> i64;

    /// Calls a function the scope provides itself (e.g. `level()` in topic-handler match
    /// expressions). Only names given to [`crate::Lambda::compile_with_scope_functions`]
    /// reach this; `None` means the scope does not know the function.
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, ExprError>> {
        let _ = (name, args);
        None
    }
}

/// A scope over borrowed fields and tags, for messages that are not whole [`Point`]s.
#[derive(Debug, Clone, Copy)]
pub struct FieldsTagsScope<'a> {
    /// Field set.
    pub fields: &'a Fields,
    /// Tag set.
    pub tags: &'a Tags,
    /// Time bound to `"time"`.
    pub time: i64,
}

impl Scope for FieldsTagsScope<'_> {
    fn lookup(&self, name: &str) -> Result<Value, ExprError> {
        lookup_fields_tags(self.fields, self.tags, self.time, name)
    }

    fn time(&self) -> i64 {
        self.time
    }
}

impl Scope for Point {
    fn lookup(&self, name: &str) -> Result<Value, ExprError> {
        lookup_fields_tags(&self.fields, &self.tags, self.time, name)
    }

    fn time(&self) -> i64 {
        self.time
    }
}

fn lookup_fields_tags(
    fields: &Fields,
    tags: &Tags,
    time: i64,
    name: &str,
) -> Result<Value, ExprError> {
    // Kapacitor binds "time" before looking at fields or tags.
    if name == "time" {
        return Ok(Value::Time(time));
    }
    match (find(fields.as_slice(), name), find(tags.as_slice(), name)) {
        (Some(_), Some(_)) => Err(ExprError::FieldTagConflict(SmolStr::new(name))),
        (Some(f), None) => Ok(Value::from(f)),
        (None, Some(t)) => Ok(Value::String(t.clone())),
        (None, None) => Ok(Value::Missing),
    }
}

/// Finds a key in a sorted pair list. Points have a handful of fields and tags, where a
/// length-filtered linear scan beats a binary search of full string comparisons.
#[inline]
fn find<'a, V>(pairs: &'a [(SmolStr, V)], name: &str) -> Option<&'a V> {
    if pairs.len() <= 16 {
        pairs
            .iter()
            .find(|(k, _)| {
                let k = k.as_str();
                k.len() == name.len() && k == name
            })
            .map(|(_, v)| v)
    } else {
        pairs
            .binary_search_by(|(k, _)| k.as_str().cmp(name))
            .ok()
            .map(|i| &pairs[i].1)
    }
}

/// A scope holding explicit name/value pairs; handy for tests and for callers that build
/// their own bindings.
#[derive(Debug, Clone, Default)]
pub struct MapScope {
    values: Vec<(SmolStr, Value)>,
    time: i64,
}

impl MapScope {
    /// An empty scope whose time is 0.
    pub fn new() -> Self {
        MapScope::default()
    }

    /// Sets the time bound to `"time"`.
    pub fn with_time(mut self, time: i64) -> Self {
        self.time = time;
        self
    }

    /// Binds (or rebinds) a name.
    pub fn set(&mut self, name: &str, value: Value) {
        match self.values.iter_mut().find(|(k, _)| k == name) {
            Some(slot) => slot.1 = value,
            None => self.values.push((SmolStr::new(name), value)),
        }
    }

    /// Builder form of [`MapScope::set`].
    pub fn with(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.set(name, value.into());
        self
    }
}

impl Scope for MapScope {
    fn lookup(&self, name: &str) -> Result<Value, ExprError> {
        if let Some((_, v)) = self.values.iter().find(|(k, _)| k == name) {
            return Ok(v.clone());
        }
        if name == "time" {
            return Ok(Value::Time(self.time));
        }
        Ok(Value::Missing)
    }

    fn time(&self) -> i64 {
        self.time
    }
}
