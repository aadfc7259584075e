//! `|shift(d)`: moves points in time (mirrors pipeline/shift.go).

use crate::args::{self, ArgResult};
use crate::value::Val;

/// A shift node's offset.
#[derive(Debug, Clone, PartialEq)]
pub struct ShiftSpec {
    /// The offset in ns; may be negative.
    pub shift: i64,
}

impl ShiftSpec {
    pub(super) fn new(a: &[Val]) -> ArgResult<Self> {
        Ok(ShiftSpec {
            shift: args::duration(a)?,
        })
    }
}
