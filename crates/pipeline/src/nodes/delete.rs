//! `|delete()`: removes fields and tags (mirrors pipeline/delete.go).

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &["field", "tag"];

/// Properties of a delete node.
#[derive(Debug, Clone, Default)]
pub struct DeleteSpec {
    /// Fields to delete.
    pub fields: Vec<String>,
    /// Tags to delete.
    pub tags: Vec<String>,
}

impl DeleteSpec {
    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "field" => self.fields.push(args::string(a)?),
            "tag" => self.tags.push(args::string(a)?),
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }
}
