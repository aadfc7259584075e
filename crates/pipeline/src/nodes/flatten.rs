//! `|flatten()`: merges points that share a time into one point whose fields are named
//! after the `on` tag values (mirrors pipeline/flatten.go).

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &["on", "delimiter", "tolerance", "dropOriginalFieldName"];

/// Properties of a flatten node.
#[derive(Debug, Clone, PartialEq)]
pub struct FlattenSpec {
    /// `.on()` tags whose values prefix the field names.
    pub on: Vec<String>,
    /// `.delimiter()` (default `.`).
    pub delimiter: String,
    /// `.tolerance()` in ns.
    pub tolerance: i64,
    /// `.dropOriginalFieldName()`.
    pub drop_original_field_name: bool,
}

impl FlattenSpec {
    pub(super) fn new(a: &[Val]) -> ArgResult<Self> {
        args::none(a)?;
        Ok(FlattenSpec {
            on: Vec::new(),
            delimiter: ".".into(),
            tolerance: 0,
            drop_original_field_name: false,
        })
    }

    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "on" => self.on = args::strings(a)?,
            "delimiter" => self.delimiter = args::string(a)?,
            "tolerance" => self.tolerance = args::duration(a)?,
            "dropOriginalFieldName" => {
                self.drop_original_field_name = match a {
                    [] => true,
                    [Val::Bool(b)] => *b,
                    _ => return Err("dropOriginalFieldName takes an optional bool".into()),
                }
            }
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }
}
