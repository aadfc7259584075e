//! `|window()`: time or count windows over a stream (mirrors pipeline/window.go).

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &[
    "period",
    "every",
    "periodCount",
    "everyCount",
    "align",
    "fillPeriod",
];

/// Properties of a window node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WindowSpec {
    /// `.period(d)` in ns.
    pub period: i64,
    /// `.every(d)` in ns (0 = emit on every point).
    pub every: i64,
    /// `.periodCount(n)`.
    pub period_count: i64,
    /// `.everyCount(n)`.
    pub every_count: i64,
    /// `.align()`.
    pub align: bool,
    /// `.fillPeriod()`.
    pub fill_period: bool,
}

impl WindowSpec {
    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "period" => self.period = args::duration(a)?,
            "every" => self.every = args::duration(a)?,
            "periodCount" => self.period_count = args::int(a)?,
            "everyCount" => self.every_count = args::int(a)?,
            "align" => {
                args::none(a)?;
                self.align = true;
            }
            "fillPeriod" => {
                args::none(a)?;
                self.fill_period = true;
            }
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }

    /// Kapacitor's validation of a window node.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.period != 0 && self.period_count != 0 {
            return Err("can only use one of 'period' and 'periodCount'".into());
        }
        if self.period == 0 && self.period_count == 0 {
            return Err("window node must have either a 'period' or a 'periodCount'".into());
        }
        if self.period != 0 && self.every_count != 0 {
            return Err("cannot use 'everyCount' with 'period'; use 'every'".into());
        }
        if self.period_count != 0 && self.every != 0 {
            return Err("cannot use 'every' with 'periodCount'; use 'everyCount'".into());
        }
        if self.period_count != 0 && self.align {
            return Err("align is not supported with 'periodCount'".into());
        }
        if self.period_count != 0 && self.every_count <= 0 {
            return Err("'everyCount' must be greater than zero".into());
        }
        if self.period < 0 || self.every < 0 || self.period_count < 0 {
            return Err("window period and every must not be negative".into());
        }
        Ok(())
    }
}
