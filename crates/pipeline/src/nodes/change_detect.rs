//! `|changeDetect('field'...)`: passes only points where a field changed (mirrors pipeline/change_detect.go).

use crate::args::{self, ArgResult};
use crate::value::Val;

/// A changeDetect node's fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeDetectSpec {
    /// Fields compared with the previous point.
    pub fields: Vec<String>,
}

impl ChangeDetectSpec {
    pub(super) fn new(a: &[Val]) -> ArgResult<Self> {
        let fields = args::strings(a)?;
        if fields.is_empty() {
            return Err("changeDetect requires at least one field".into());
        }
        Ok(ChangeDetectSpec { fields })
    }
}
