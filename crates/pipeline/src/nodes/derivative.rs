//! `|derivative('field')`: rate of change between consecutive points (mirrors pipeline/derivative.go).

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &["as", "unit", "nonNegative"];

/// Properties of a derivative node.
#[derive(Debug, Clone, PartialEq)]
pub struct DerivativeSpec {
    /// The field differentiated.
    pub field: String,
    /// `.as()`: output field (defaults to the field).
    pub as_: String,
    /// `.unit()` in ns (default 1s).
    pub unit: i64,
    /// `.nonNegative()`.
    pub non_negative: bool,
}

impl DerivativeSpec {
    pub(crate) fn new(a: &[Val]) -> ArgResult<Self> {
        let field = args::string(a)?;
        Ok(DerivativeSpec {
            as_: field.clone(),
            field,
            unit: 1_000_000_000,
            non_negative: false,
        })
    }

    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "as" => self.as_ = args::string(a)?,
            "unit" => self.unit = args::duration(a)?,
            "nonNegative" => {
                args::none(a)?;
                self.non_negative = true;
            }
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }
}
