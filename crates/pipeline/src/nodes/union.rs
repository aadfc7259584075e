//! `|union(nodes...)`: merges the data of several parents (mirrors pipeline/union.go).

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &["rename"];

/// Properties of a union node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UnionSpec {
    /// `.rename()`: new measurement name (empty keeps each message's name).
    pub rename: String,
}

impl UnionSpec {
    pub(super) fn new(a: &[Val]) -> ArgResult<Self> {
        if !a.is_empty() {
            return Err("union takes the nodes to merge with, and nothing else".into());
        }
        Ok(UnionSpec::default())
    }

    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "rename" => self.rename = args::string(a)?,
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }
}
