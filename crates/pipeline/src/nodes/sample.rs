//! `|sample(n | d)`: keeps every n-th point, or points on d boundaries (mirrors pipeline/sample.go).

use crate::args::ArgResult;
use crate::value::Val;

/// A sample node's rate.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleSpec {
    /// Keep every n-th point or batch (0 when sampling by time).
    pub n: i64,
    /// Keep points whose time is a multiple of this duration (0 when sampling by count).
    pub duration: i64,
}

impl SampleSpec {
    pub(super) fn new(a: &[Val]) -> ArgResult<Self> {
        match a {
            [Val::Int(n)] if *n > 0 => Ok(SampleSpec { n: *n, duration: 0 }),
            [Val::Duration(d)] if *d > 0 => Ok(SampleSpec { n: 0, duration: *d }),
            [other] => Err(format!(
                "sample takes a positive count or duration, got {}",
                other.type_name()
            )),
            _ => Err(format!("wrong number of arguments: got {} exp 1", a.len())),
        }
    }
}
