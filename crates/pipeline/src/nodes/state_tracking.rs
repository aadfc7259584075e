//! `|stateDuration(lambda)` and `|stateCount(lambda)`: how long / how many consecutive points
//! a condition has held (mirrors pipeline/state_tracking.go).

use std::sync::Arc;

use kapa_expr::Lambda;

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const DURATION_PROPERTIES: &[&str] = &["as", "unit"];
pub(super) const COUNT_PROPERTIES: &[&str] = &["as"];

/// Properties of a stateDuration or stateCount node.
#[derive(Debug, Clone)]
pub struct StateSpec {
    /// The condition.
    pub lambda: Arc<Lambda>,
    /// `.as()`: output field.
    pub as_: String,
    /// `.unit()` in ns (stateDuration only; default 1s).
    pub unit: i64,
}

impl StateSpec {
    pub(super) fn new(a: &[Val], default_as: &str) -> ArgResult<Self> {
        Ok(StateSpec {
            lambda: args::lambda(a)?,
            as_: default_as.to_string(),
            unit: 1_000_000_000,
        })
    }

    pub(super) fn set(&mut self, name: &str, a: &[Val], with_unit: bool) -> ArgResult<Set> {
        match name {
            "as" => self.as_ = args::string(a)?,
            "unit" if with_unit => self.unit = args::duration(a)?,
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }
}
