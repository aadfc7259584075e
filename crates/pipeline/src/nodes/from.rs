//! `|from()`: selects a subset of the stream (mirrors pipeline/from.go).

use std::sync::Arc;

use kapa_expr::Lambda;

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &[
    "database",
    "retentionPolicy",
    "measurement",
    "where",
    "groupBy",
    "groupByMeasurement",
    "truncate",
    "round",
];

/// Properties of a from node.
#[derive(Debug, Clone, Default)]
pub struct FromSpec {
    /// `.database()`; empty means any.
    pub database: String,
    /// `.retentionPolicy()`; empty means any.
    pub retention_policy: String,
    /// `.measurement()`; empty means any.
    pub measurement: String,
    /// `.where()` lambdas, ANDed.
    pub where_: Vec<Arc<Lambda>>,
    /// `.groupBy()` dimension tags.
    pub group_by: Vec<String>,
    /// `.groupBy(*)`.
    pub group_by_star: bool,
    /// `.groupByMeasurement()`.
    pub group_by_measurement: bool,
    /// `.truncate(d)` in ns; 0 = off.
    pub truncate: i64,
    /// `.round(d)` in ns; 0 = off.
    pub round: i64,
}

impl FromSpec {
    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "database" => self.database = args::string(a)?,
            "retentionPolicy" => self.retention_policy = args::string(a)?,
            "measurement" => self.measurement = args::string(a)?,
            "where" => self.where_.push(args::lambda(a)?),
            "groupBy" => {
                let (tags, star) = group_by_args(a)?;
                self.group_by = tags;
                self.group_by_star = star;
            }
            "groupByMeasurement" => {
                args::none(a)?;
                self.group_by_measurement = true;
            }
            "truncate" => self.truncate = args::duration(a)?,
            "round" => self.round = args::duration(a)?,
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }
}

/// Parses groupBy arguments: tag names and `*`.
pub(crate) fn group_by_args(a: &[Val]) -> ArgResult<(Vec<String>, bool)> {
    let mut tags = Vec::new();
    let mut star = false;
    for v in a {
        match v {
            Val::Str(s) => tags.push(s.clone()),
            Val::Star => star = true,
            Val::Reference(_) => {
                return Err("cannot assign *ast.ReferenceNode to type string, did you use double quotes instead of single quotes?".into());
            }
            other => {
                return Err(format!(
                    "invalid dimension object of type {}, groupBy takes tag names or *",
                    other.type_name()
                ));
            }
        }
    }
    Ok((tags, star))
}
