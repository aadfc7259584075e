//! `|join(nodes...)`: joins points of several parents that share a time (within a
//! tolerance) and group (mirrors pipeline/join.go).

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &[
    "as",
    "on",
    "delimiter",
    "streamName",
    "tolerance",
    "fill",
    "deleteAll",
];

/// How a join fills a missing parent.
#[derive(Debug, Clone, PartialEq)]
pub enum JoinFill {
    /// Inner join: wait for every parent.
    None,
    /// `.fill('null')`: emit with the missing fields absent.
    Null,
    /// `.fill(n)` with a float: emit with the missing fields set to n.
    Number(f64),
    /// `.fill(n)` with an integer: the missing fields are integers, as in Kapacitor.
    Int(i64),
}

/// Properties of a join node.
#[derive(Debug, Clone, PartialEq)]
pub struct JoinSpec {
    /// `.as()` prefixes, one per parent.
    pub as_: Vec<String>,
    /// `.on()` tags: join across groups on these dimensions.
    pub on: Vec<String>,
    /// `.delimiter()` between prefix and field (default `.`).
    pub delimiter: String,
    /// `.streamName()`: measurement of the output (default: the first parent's).
    pub stream_name: String,
    /// `.tolerance()` in ns: times are rounded to it before matching.
    pub tolerance: i64,
    /// `.fill()`.
    pub fill: JoinFill,
    /// `.deleteAll(bool)`: a group deletion from any parent forgets every parent's marks.
    pub delete_all: bool,
}

impl JoinSpec {
    pub(super) fn new(a: &[Val]) -> ArgResult<Self> {
        if !a.is_empty() {
            return Err("join takes the nodes to join with, and nothing else".into());
        }
        Ok(JoinSpec {
            as_: Vec::new(),
            on: Vec::new(),
            delimiter: ".".into(),
            stream_name: String::new(),
            tolerance: 0,
            fill: JoinFill::None,
            delete_all: false,
        })
    }

    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "as" => self.as_ = args::strings(a)?,
            "on" => self.on = args::strings(a)?,
            "delimiter" => self.delimiter = args::string(a)?,
            "streamName" => self.stream_name = args::string(a)?,
            "tolerance" => self.tolerance = args::duration(a)?,
            "deleteAll" => {
                self.delete_all = match a {
                    [Val::Bool(b)] => *b,
                    _ => return Err("deleteAll takes one bool".into()),
                }
            }
            "fill" => {
                self.fill = match a {
                    [Val::Str(s)] if s == "null" => JoinFill::Null,
                    [Val::Str(s)] if s == "none" => JoinFill::None,
                    [Val::Int(i)] => JoinFill::Int(*i),
                    [v] => JoinFill::Number(
                        args::float_of(v)
                            .map_err(|_| "fill must be 'null', 'none' or a number".to_string())?,
                    ),
                    _ => return Err(format!("wrong number of arguments: got {} exp 1", a.len())),
                }
            }
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }

    /// Kapacitor's checks once the parents are known, with its messages.
    pub(crate) fn validate(&self, parents: usize) -> Result<(), String> {
        if self.as_.is_empty() {
            return Err(
                "a call to join.as() is required to specify the output stream prefixes.".into(),
            );
        }
        if self.as_.len() != parents {
            return Err(
                "number of prefixes specified by join.as() must match the number of joined streams"
                    .into(),
            );
        }
        for a in &self.as_ {
            if a.is_empty() {
                return Err(
                    "must provide a prefix name for the join node, see .as() property method"
                        .into(),
                );
            }
            // An empty delimiter is in every name: Kapacitor skips the check then.
            if !self.delimiter.is_empty() && a.contains(self.delimiter.as_str()) {
                return Err(format!(
                    "cannot use name {a} as field prefix, it contains the delimiter {:?}\t",
                    self.delimiter
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for a in &self.as_ {
            if !seen.insert(a) {
                return Err("cannot use the same prefix name see .as() property method".into());
            }
        }
        Ok(())
    }
}
