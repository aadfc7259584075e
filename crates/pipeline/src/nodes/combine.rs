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
        Ok(CombineSpec { lambdas, as_: Vec::new(), delimiter: ".".into(), tolerance: 0, max: 1_000_000 })
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
}
