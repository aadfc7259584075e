//! `|combine(lambdas...)`: pairs (or n-tuples) of points of one stream that share a time
//! and each match one expression (mirrors pipeline/combine.go).

use std::sync::Arc;

use kapa_expr::Lambda;

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &["as", "delimiter", "tolerance", "max"];

/// Properties of a combine node.
#[derive(Debug, Clone)]
pub struct CombineSpec {
    /// One expression per element of a combination.
    pub lambdas: Vec<Arc<Lambda>>,
    /// `.as()` prefixes, one per expression.
    pub as_: Vec<String>,
    /// `.delimiter()` (default `.`).
    pub delimiter: String,
    /// `.tolerance()` in ns.
    pub tolerance: i64,
    /// `.max()`: most combinations per time (default 1e6).
    pub max: i64,
}

impl CombineSpec {
    pub(super) fn new(a: &[Val]) -> ArgResult<Self> {
        let lambdas = args::lambdas(a)?;
        if lambdas.len() < 2 {
            return Err("combine requires at least two expressions".into());
        }
        Ok(CombineSpec {
            lambdas,
            as_: Vec::new(),
            delimiter: ".".into(),
            tolerance: 0,
            max: 1_000_000,
        })
    }

    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "as" => self.as_ = args::strings(a)?,
            "delimiter" => self.delimiter = args::string(a)?,
            "tolerance" => self.tolerance = args::duration(a)?,
            "max" => self.max = args::int(a)?,
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }

    /// Kapacitor's checks of the `.as()` names (pipeline/combine.go), run before the task starts.
    pub fn validate(&self) -> Result<(), String> {
        if self.as_.is_empty() {
            return Err(
                "a call to combine.as() is required to specify the output stream prefixes.".into(),
            );
        }
        if self.as_.len() != self.lambdas.len() {
            return Err("number of prefixes specified by combine.as() must match the number of combine expressions".into());
        }
        for name in &self.as_ {
            if name.is_empty() {
                return Err(
                    "must provide a prefix name for the combine node, see .as() property method"
                        .into(),
                );
            }
            // As in Go, an empty delimiter is contained in every name.
            if name.contains(self.delimiter.as_str()) {
                return Err(format!(
                    "cannot use name {name} as field prefix, it contains the delimiter character {}",
                    self.delimiter
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        if self.as_.iter().any(|n| !seen.insert(n)) {
            return Err("cannot use the same prefix name see .as() property method".into());
        }
        Ok(())
    }
}
