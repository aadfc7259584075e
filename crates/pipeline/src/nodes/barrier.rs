//! `|barrier()`: emits barriers on the wall clock so windows close and groups expire
//! when data stops (mirrors pipeline/barrier.go).

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &["idle", "period", "delete"];

/// Properties of a barrier node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BarrierSpec {
    /// `.idle(d)`: a barrier after d without data for the group.
    pub idle: i64,
    /// `.period(d)`: a barrier every d.
    pub period: i64,
    /// `.delete(bool)`: delete the group after its barrier.
    pub delete: bool,
}

impl BarrierSpec {
    pub(super) fn new(a: &[Val]) -> ArgResult<Self> {
        args::none(a)?;
        Ok(BarrierSpec::default())
    }

    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "idle" => self.idle = args::duration(a)?,
            "period" => self.period = args::duration(a)?,
            "delete" => {
                self.delete = match a {
                    [] => true,
                    [Val::Bool(b)] => *b,
                    _ => return Err("delete takes an optional bool".into()),
                }
            }
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.idle != 0 && self.period != 0 {
            return Err("barrier node cannot have both idle and period".into());
        }
        if self.idle <= 0 && self.period <= 0 {
            return Err(
                "barrier node must have either a non zero idle or a non zero period".into(),
            );
        }
        Ok(())
    }
}
