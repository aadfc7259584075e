//! The 21 InfluxQL function chain methods (`|mean('f')`, `|top(3, 'f', 'tag')`...), each a
//! node with `.as()` and `.usePointTimes()` (mirrors pipeline/influxql.go).

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &["as", "usePointTimes"];

/// Every InfluxQL function method name.
pub(crate) const METHODS: &[&str] = &[
    "count",
    "distinct",
    "mean",
    "median",
    "mode",
    "spread",
    "sum",
    "first",
    "last",
    "min",
    "max",
    "stddev",
    "percentile",
    "top",
    "bottom",
    "elapsed",
    "difference",
    "movingAverage",
    "cumulativeSum",
    "holtWinters",
    "holtWintersWithFit",
];

/// Extra arguments of a function call beyond the field.
#[derive(Debug, Clone, PartialEq)]
pub enum InfluxQlArgs {
    /// No extra argument.
    None,
    /// `percentile(field, p)`.
    Percentile(f64),
    /// `top(n, field, fieldsAndTags...)` / `bottom(...)`.
    Selector {
        /// How many points to select.
        n: i64,
        /// Extra fields and tags to keep.
        fields_and_tags: Vec<String>,
    },
    /// `elapsed(field, unit)`.
    Elapsed {
        /// Unit of the result, in ns.
        unit: i64,
    },
    /// `movingAverage(field, window)`.
    MovingAverage {
        /// Number of points averaged.
        window: i64,
    },
    /// `holtWinters(field, h, m, interval)` / `holtWintersWithFit(...)`.
    HoltWinters {
        /// Number of predicted points.
        h: i64,
        /// Seasonal pattern length.
        m: i64,
        /// Interval between points, in ns.
        interval: i64,
    },
}

/// An InfluxQL function node.
#[derive(Debug, Clone, PartialEq)]
pub struct InfluxQlSpec {
    /// The method name, e.g. `mean`.
    pub method: String,
    /// The field it reads.
    pub field: String,
    /// `.as()`: the output field name (defaults to the method name).
    pub as_: String,
    /// `.usePointTimes()`.
    pub use_point_times: bool,
    /// Extra arguments.
    pub args: InfluxQlArgs,
}

impl InfluxQlSpec {
    pub(super) fn new(method: &str, a: &[Val]) -> ArgResult<Self> {
        let want = |n: usize| -> ArgResult<()> {
            if a.len() != n {
                return Err(format!(
                    "wrong number of arguments: got {} exp {}",
                    a.len(),
                    n
                ));
            }
            Ok(())
        };
        let (field, args) = match method {
            "percentile" => {
                want(2)?;
                (
                    args::string(&a[..1])?,
                    InfluxQlArgs::Percentile(args::float_of(&a[1])?),
                )
            }
            "top" | "bottom" => {
                if a.len() < 2 {
                    return Err(format!(
                        "wrong number of arguments: got {} exp at least 2",
                        a.len()
                    ));
                }
                let n = args::int(&a[..1])?;
                let field = args::string(&a[1..2])?;
                (
                    field,
                    InfluxQlArgs::Selector {
                        n,
                        fields_and_tags: args::strings(&a[2..])?,
                    },
                )
            }
            "elapsed" => {
                want(2)?;
                (
                    args::string(&a[..1])?,
                    InfluxQlArgs::Elapsed {
                        unit: args::duration_of(&a[1])?,
                    },
                )
            }
            "movingAverage" => {
                want(2)?;
                (
                    args::string(&a[..1])?,
                    InfluxQlArgs::MovingAverage {
                        window: args::int(&a[1..])?,
                    },
                )
            }
            "holtWinters" | "holtWintersWithFit" => {
                want(4)?;
                (
                    args::string(&a[..1])?,
                    InfluxQlArgs::HoltWinters {
                        h: args::int(&a[1..2])?,
                        m: args::int(&a[2..3])?,
                        interval: args::duration_of(&a[3])?,
                    },
                )
            }
            _ => (args::string(a)?, InfluxQlArgs::None),
        };
        Ok(InfluxQlSpec {
            method: method.to_string(),
            field,
            as_: method.to_string(),
            use_point_times: false,
            args,
        })
    }

    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "as" => self.as_ = args::string(a)?,
            "usePointTimes" => {
                args::none(a)?;
                self.use_point_times = true;
            }
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }

    /// True for functions that output a batch (`distinct`, `top`, `bottom`, holtWinters...);
    /// the others output one point per input batch.
    pub fn outputs_batch(&self) -> bool {
        matches!(
            self.method.as_str(),
            "distinct" | "top" | "bottom" | "holtWinters" | "holtWintersWithFit"
        )
    }

    /// True for functions that transform each point and keep the edge type
    /// (`elapsed`, `difference`, `movingAverage`, `cumulativeSum`).
    pub fn is_transformation(&self) -> bool {
        matches!(
            self.method.as_str(),
            "elapsed" | "difference" | "movingAverage" | "cumulativeSum"
        )
    }
}
