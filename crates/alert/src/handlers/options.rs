//! Reading topic-handler options (JSON values, as TICKscript or the API give them).

use serde_json::{Map, Value};

use crate::AlertError;

/// Options of one handler kind, with errors naming the kind and key.
pub(crate) struct Options<'a> {
    kind: &'static str,
    map: &'a Map<String, Value>,
}

impl<'a> Options<'a> {
    pub(crate) fn new(kind: &'static str, map: &'a Map<String, Value>) -> Self {
        Options { kind, map }
    }

    pub(crate) fn err(&self, option: &str, reason: &str) -> AlertError {
        AlertError::InvalidOption {
            kind: self.kind.into(),
            option: option.into(),
            reason: reason.into(),
        }
    }

    /// A string; missing or null is empty.
    pub(crate) fn string(&self, key: &str) -> Result<String, AlertError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(self.err(key, "must be a string")),
        }
    }

    /// The raw value of a key.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    /// An integer; missing or null is 0.
    pub(crate) fn int(&self, key: &str) -> Result<i64, AlertError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(0),
            Some(Value::Number(n)) => n
                .as_i64()
                .ok_or_else(|| self.err(key, "must be an integer")),
            Some(_) => Err(self.err(key, "must be an integer")),
        }
    }

    /// A string, or `default` when missing, null or empty.
    pub(crate) fn string_or(&self, key: &str, default: &str) -> Result<String, AlertError> {
        let s = self.string(key)?;
        Ok(if s.is_empty() { default.to_string() } else { s })
    }

    /// A boolean; missing or null is false.
    pub(crate) fn bool(&self, key: &str) -> Result<bool, AlertError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(self.err(key, "must be a boolean")),
        }
    }

    /// A list of strings; missing or null is empty.
    pub(crate) fn strings(&self, key: &str) -> Result<Vec<String>, AlertError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| self.err(key, "must be a list of strings"))
                })
                .collect(),
            Some(_) => Err(self.err(key, "must be a list of strings")),
        }
    }

    /// A map of strings; missing or null is empty.
    pub(crate) fn string_map(&self, key: &str) -> Result<Vec<(String, String)>, AlertError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Object(m)) => m
                .iter()
                .map(|(k, v)| {
                    v.as_str()
                        .map(|s| (k.clone(), s.to_string()))
                        .ok_or_else(|| self.err(key, "must be a map of strings"))
                })
                .collect(),
            Some(_) => Err(self.err(key, "must be a map of strings")),
        }
    }

    /// A duration in ns: an integer, or a Go duration string such as `10s`; missing is 0.
    pub(crate) fn duration(&self, key: &str) -> Result<i64, AlertError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(0),
            Some(Value::Number(n)) => n
                .as_i64()
                .ok_or_else(|| self.err(key, "must be a duration")),
            Some(Value::String(s)) => {
                kapa_models::duration::parse_go(s).map_err(|_| self.err(key, "must be a duration"))
            }
            Some(_) => Err(self.err(key, "must be a duration")),
        }
    }
}
