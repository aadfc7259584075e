//! The 21 functions, their properties in Kapacitor (pipeline/influxql.go) and which field
//! types each can be realized for.

use kapa_pipeline::nodes::{InfluxQlArgs, InfluxQlSpec};
use smol_str::SmolStr;

use super::Reducer;
use super::aggregates::{Count, Distinct, Mean, Median, Mode, Spread, Stddev, Sum};
use super::holt_winters::HoltWinters;
use super::selectors::{FirstLast, MinMax, Percentile, TopBottom};
use super::transforms::{CumulativeSum, Difference, Elapsed, MovingAverage};
use super::value::Kind;

/// An InfluxQL function with its arguments.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Func {
    Count,
    Distinct,
    Mean,
    Median,
    Mode,
    Spread,
    Sum,
    First,
    Last,
    Min,
    Max,
    Stddev,
    Percentile(f64),
    Top(i64),
    Bottom(i64),
    Elapsed(i64),
    Difference,
    MovingAverage(i64),
    CumulativeSum,
    HoltWinters {
        h: i64,
        m: i64,
        interval: i64,
        fit: bool,
    },
}

impl Func {
    /// The function a pipeline node calls.
    pub(crate) fn from_spec(spec: &InfluxQlSpec) -> Result<Func, String> {
        Ok(match (spec.method.as_str(), &spec.args) {
            ("count", _) => Func::Count,
            ("distinct", _) => Func::Distinct,
            ("mean", _) => Func::Mean,
            ("median", _) => Func::Median,
            ("mode", _) => Func::Mode,
            ("spread", _) => Func::Spread,
            ("sum", _) => Func::Sum,
            ("first", _) => Func::First,
            ("last", _) => Func::Last,
            ("min", _) => Func::Min,
            ("max", _) => Func::Max,
            ("stddev", _) => Func::Stddev,
            ("percentile", InfluxQlArgs::Percentile(p)) => Func::Percentile(*p),
            ("top", InfluxQlArgs::Selector { n, .. }) => Func::Top(*n),
            ("bottom", InfluxQlArgs::Selector { n, .. }) => Func::Bottom(*n),
            ("elapsed", InfluxQlArgs::Elapsed { unit }) => Func::Elapsed(*unit),
            ("difference", _) => Func::Difference,
            ("movingAverage", InfluxQlArgs::MovingAverage { window }) => {
                Func::MovingAverage(*window)
            }
            ("cumulativeSum", _) => Func::CumulativeSum,
            ("holtWinters", InfluxQlArgs::HoltWinters { h, m, interval }) => Func::HoltWinters {
                h: *h,
                m: *m,
                interval: *interval,
                fit: false,
            },
            ("holtWintersWithFit", InfluxQlArgs::HoltWinters { h, m, interval }) => {
                Func::HoltWinters {
                    h: *h,
                    m: *m,
                    interval: *interval,
                    fit: true,
                }
            }
            (m, _) => return Err(format!("unsupported InfluxQL function {m}")),
        })
    }

    /// The method name Kapacitor prints (both Holt-Winters variants are `holtWinters`).
    pub(crate) fn method(&self) -> &'static str {
        match self {
            Func::Count => "count",
            Func::Distinct => "distinct",
            Func::Mean => "mean",
            Func::Median => "median",
            Func::Mode => "mode",
            Func::Spread => "spread",
            Func::Sum => "sum",
            Func::First => "first",
            Func::Last => "last",
            Func::Min => "min",
            Func::Max => "max",
            Func::Stddev => "stddev",
            Func::Percentile(_) => "percentile",
            Func::Top(_) => "top",
            Func::Bottom(_) => "bottom",
            Func::Elapsed(_) => "elapsed",
            Func::Difference => "difference",
            Func::MovingAverage(_) => "movingAverage",
            Func::CumulativeSum => "cumulativeSum",
            Func::HoltWinters { .. } => "holtWinters",
        }
    }

    /// Whether an empty batch still produces a result (count and sum give 0).
    pub(crate) fn empty_ok(&self) -> bool {
        matches!(self, Func::Count | Func::Sum)
    }

    /// Selectors whose result carries the selected point's tags and fields.
    pub(crate) fn simple_selector(&self) -> bool {
        matches!(
            self,
            Func::First | Func::Last | Func::Min | Func::Max | Func::Percentile(_)
        )
    }

    /// Functions that transform each point and keep state across points of a group.
    pub(crate) fn transformation(&self) -> bool {
        matches!(
            self,
            Func::Elapsed(_) | Func::Difference | Func::MovingAverage(_) | Func::CumulativeSum
        )
    }

    /// Functions whose result is a batch.
    pub(crate) fn batch_output(&self) -> bool {
        matches!(
            self,
            Func::Distinct | Func::Top(_) | Func::Bottom(_) | Func::HoltWinters { .. }
        )
    }

    /// Whether results keep the times of the points they come from regardless of
    /// `.usePointTimes()` (transformations and Holt-Winters).
    pub(crate) fn forces_point_times(&self) -> bool {
        self.transformation() || matches!(self, Func::HoltWinters { .. })
    }

    /// A reducer for fields of `kind`, or Kapacitor's reason why there is none.
    pub(crate) fn create(&self, kind: Kind) -> Result<Box<dyn Reducer>, String> {
        use Kind::{Boolean, Float, Integer, String};
        let r: Box<dyn Reducer> = match (self, kind) {
            (Func::Count, _) => Box::new(Count::default()),
            (Func::Distinct, Float) => Box::new(Distinct::<f64>::new()),
            (Func::Distinct, Integer) => Box::new(Distinct::<i64>::new()),
            (Func::Distinct, String) => Box::new(Distinct::<SmolStr>::new()),
            (Func::Distinct, Boolean) => Box::new(Distinct::<bool>::new()),
            (Func::Mean, Float) => Box::new(Mean::<f64>::new()),
            (Func::Mean, Integer) => Box::new(Mean::<i64>::new()),
            (Func::Median, Float) => Box::new(Median::<f64>::new()),
            (Func::Median, Integer) => Box::new(Median::<i64>::new()),
            (Func::Mode, Float) => Box::new(Mode::<f64>::new()),
            (Func::Mode, Integer) => Box::new(Mode::<i64>::new()),
            (Func::Spread, Float) => Box::new(Spread::<f64>::new()),
            (Func::Spread, Integer) => Box::new(Spread::<i64>::new()),
            (Func::Sum, Float) => Box::new(Sum::<f64>::new()),
            (Func::Sum, Integer) => Box::new(Sum::<i64>::new()),
            (Func::First | Func::Last, _) => {
                let last = *self == Func::Last;
                match kind {
                    Float => Box::new(FirstLast::<f64>::new(last)),
                    Integer => Box::new(FirstLast::<i64>::new(last)),
                    String => Box::new(FirstLast::<SmolStr>::new(last)),
                    Boolean => Box::new(FirstLast::<bool>::new(last)),
                }
            }
            (Func::Min, Float) => Box::new(MinMax::<f64>::new(false)),
            (Func::Min, Integer) => Box::new(MinMax::<i64>::new(false)),
            (Func::Max, Float) => Box::new(MinMax::<f64>::new(true)),
            (Func::Max, Integer) => Box::new(MinMax::<i64>::new(true)),
            (Func::Stddev, Float) => Box::new(Stddev::<f64>::new()),
            (Func::Stddev, Integer) => Box::new(Stddev::<i64>::new()),
            (Func::Percentile(p), Float) => Box::new(Percentile::<f64>::new(*p)),
            (Func::Percentile(p), Integer) => Box::new(Percentile::<i64>::new(*p)),
            (Func::Top(n) | Func::Bottom(n), Float | Integer) => {
                let top = matches!(self, Func::Top(_));
                let Ok(n) = usize::try_from(*n) else {
                    return Err(format!(
                        "{} needs a number of points of at least 0, got {n}",
                        self.method()
                    ));
                };
                match kind {
                    Float => Box::new(TopBottom::<f64>::new(top, n)),
                    _ => Box::new(TopBottom::<i64>::new(top, n)),
                }
            }
            (Func::Elapsed(unit), _) => {
                if *unit == 0 {
                    return Err("elapsed needs a unit greater than 0".into());
                }
                Box::new(Elapsed::new(*unit))
            }
            (Func::Difference, Float) => Box::new(Difference::<f64>::new()),
            (Func::Difference, Integer) => Box::new(Difference::<i64>::new()),
            (Func::MovingAverage(w), Float | Integer) => {
                let n = match usize::try_from(*w) {
                    Ok(n) if n > 0 => n,
                    _ => {
                        return Err(format!(
                            "movingAverage needs a window of at least 1 point, got {w}"
                        ));
                    }
                };
                match kind {
                    Float => Box::new(MovingAverage::<f64>::new(n)),
                    _ => Box::new(MovingAverage::<i64>::new(n)),
                }
            }
            (Func::CumulativeSum, Float) => Box::new(CumulativeSum::<f64>::new()),
            (Func::CumulativeSum, Integer) => Box::new(CumulativeSum::<i64>::new()),
            (
                Func::HoltWinters {
                    h,
                    m,
                    interval,
                    fit,
                },
                Float | Integer,
            ) => {
                if *interval == 0 {
                    return Err("holtWinters needs an interval greater than 0".into());
                }
                Box::new(HoltWinters::new(*h, *m, *fit, *interval))
            }
            _ => {
                return Err(format!(
                    "cannot apply {} to {} field",
                    self.method(),
                    kind.go_type()
                ));
            }
        };
        Ok(r)
    }
}
