//! `batch|query('SELECT ...')`: a scheduled InfluxQL query (mirrors pipeline/query.go).

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &[
    "period",
    "every",
    "align",
    "cron",
    "offset",
    "alignGroup",
    "groupBy",
    "groupByMeasurement",
    "fill",
    "cluster",
];

/// One `.groupBy()` dimension of a query.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryDimension {
    /// `time(length[, offset])` or a bare duration.
    Time {
        /// Bucket length, ns.
        length: i64,
        /// Bucket offset, ns.
        offset: i64,
    },
    /// A tag name.
    Tag(String),
    /// `*`.
    Star,
}

/// `.fill()` of a query.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryFill {
    /// `'null'`, `'none'`, `'previous'`, `'linear'` (checked when the task starts).
    Named(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
}

/// Properties of a query node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QuerySpec {
    /// The InfluxQL SELECT.
    pub query: String,
    /// `.period()`: the queried time span, ns.
    pub period: i64,
    /// `.every()`: run interval, ns.
    pub every: i64,
    /// `.align()`: runs on multiples of `every`.
    pub align: bool,
    /// `.cron()`.
    pub cron: String,
    /// `.offset()`: how far before the run time the range stops, ns.
    pub offset: i64,
    /// `.alignGroup()`.
    pub align_group: bool,
    /// `.groupBy()` dimensions; `None` keeps the query's own GROUP BY.
    pub dimensions: Option<Vec<QueryDimension>>,
    /// `.groupByMeasurement()`.
    pub group_by_measurement: bool,
    /// `.fill()`.
    pub fill: Option<QueryFill>,
    /// `.cluster()`: the `[[influxdb]]` name (empty: the default).
    pub cluster: String,
}

impl QuerySpec {
    pub(super) fn new(a: &[Val]) -> ArgResult<Self> {
        Ok(QuerySpec {
            query: args::string(a)?,
            ..QuerySpec::default()
        })
    }

    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "period" => self.period = args::duration(a)?,
            "every" => self.every = args::duration(a)?,
            "align" => {
                args::none(a)?;
                self.align = true;
            }
            "cron" => self.cron = args::string(a)?,
            "offset" => self.offset = args::duration(a)?,
            "alignGroup" => {
                args::none(a)?;
                self.align_group = true;
            }
            "groupByMeasurement" => {
                args::none(a)?;
                self.group_by_measurement = true;
            }
            "cluster" => self.cluster = args::string(a)?,
            "fill" => {
                if a.len() != 1 {
                    return Err(format!("wrong number of arguments: got {} exp 1", a.len()));
                }
                self.fill = Some(match &a[0] {
                    Val::Str(s) => QueryFill::Named(s.clone()),
                    Val::Int(i) => QueryFill::Int(*i),
                    Val::Float(f) => QueryFill::Float(*f),
                    other => {
                        return Err(format!(
                            "cannot use {} as fill option, expected string, int or float",
                            other.type_name()
                        ));
                    }
                });
            }
            "groupBy" => {
                let mut dims = Vec::with_capacity(a.len());
                for v in a {
                    dims.push(match v {
                        Val::Str(s) => QueryDimension::Tag(s.clone()),
                        Val::Star => QueryDimension::Star,
                        Val::Duration(d) => QueryDimension::Time {
                            length: *d,
                            offset: 0,
                        },
                        Val::TimeDim { every, offset } => QueryDimension::Time {
                            length: *every,
                            offset: *offset,
                        },
                        Val::Reference(_) => {
                            return Err("cannot assign *ast.ReferenceNode to type string, did you use double quotes instead of single quotes?".into());
                        }
                        other => {
                            return Err(format!(
                                "invalid dimension type:{}, must be string or time.Duration",
                                other.type_name()
                            ));
                        }
                    });
                }
                self.dimensions = Some(dims);
            }
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }

    /// Kapacitor's schedule checks.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.every != 0 && !self.cron.is_empty() {
            return Err("must not set both 'every' and 'cron' properties".into());
        }
        if self.every == 0 && self.cron.is_empty() {
            return Err("must define one of 'every' or 'cron'".into());
        }
        if self.every < 0 || self.period < 0 {
            return Err("'every' and 'period' must not be negative".into());
        }
        Ok(())
    }
}
