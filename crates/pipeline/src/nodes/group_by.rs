//! `|groupBy(tags...|*)`: regroups data by tags (mirrors pipeline/group_by.go).

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &["exclude", "byMeasurement"];

/// Properties of a groupBy node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GroupBySpec {
    /// The dimension tags.
    pub tags: Vec<String>,
    /// `groupBy(*)`.
    pub star: bool,
    /// `.exclude()`: tags left out of `*`.
    pub exclude: Vec<String>,
    /// `.byMeasurement()`.
    pub by_measurement: bool,
}

impl GroupBySpec {
    pub(super) fn new(a: &[Val]) -> ArgResult<Self> {
        let (tags, star) = super::from::group_by_args(a)?;
        Ok(GroupBySpec {
            tags,
            star,
            exclude: Vec::new(),
            by_measurement: false,
        })
    }

    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "exclude" => self.exclude = args::strings(a)?,
            "byMeasurement" => {
                args::none(a)?;
                self.by_measurement = true;
            }
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }
}
