//! Node specs: one module per node kind, registered in the tables below.

mod alert;
mod default;
mod delete;
mod eval;
mod from;
mod http_out;
mod log;
mod where_;

pub use alert::{AlertSpec, HandlerSpec};
pub use default::DefaultSpec;
pub use delete::DeleteSpec;
pub use eval::EvalSpec;
pub use from::FromSpec;
pub use http_out::HttpOutSpec;
pub use log::LogSpec;
pub use where_::WhereSpec;

use crate::args::ArgResult;
use crate::value::Val;

/// One node of a pipeline.
#[derive(Debug, Clone)]
pub struct PipelineNode {
    /// Index in the pipeline.
    pub id: usize,
    /// Kapacitor's node name: kind + id, e.g. `from1`.
    pub name: String,
    /// What the node does, with its properties.
    pub kind: NodeKind,
    /// Parent node ids.
    pub parents: Vec<usize>,
    /// Child node ids, in the order they were chained.
    pub children: Vec<usize>,
    /// `.quiet()`: suppress error logs.
    pub quiet: bool,
}

/// Node kinds with their specs.
#[derive(Debug, Clone)]
pub enum NodeKind {
    /// The `stream` root.
    Stream,
    /// The `batch` root.
    Batch,
    /// `|from()`
    From(FromSpec),
    /// `|where(lambda)`
    Where(WhereSpec),
    /// `|eval(lambdas...)`
    Eval(EvalSpec),
    /// `|default()`
    Default(DefaultSpec),
    /// `|delete()`
    Delete(DeleteSpec),
    /// `|log()`
    Log(LogSpec),
    /// `|httpOut(endpoint)`
    HttpOut(HttpOutSpec),
    /// `|alert()`
    Alert(Box<AlertSpec>),
}

/// What setting a property returned, so chaining continues on the right object.
pub(crate) enum Set {
    /// The property does not exist on this object.
    Unknown,
    /// Set; keep chaining on the node.
    Node,
    /// Set a handler property; keep chaining on this handler of the node.
    Handler(usize),
}

/// Every chain method of Kapacitor's `chainnode`, so that a known but not yet built
/// node gives an honest "not implemented" error instead of "no method".
pub(crate) const CHAIN_METHODS: &[&str] = &[
    "alert", "barrier", "bottom", "changeDetect", "combine", "count", "cumulativeSum", "deadman",
    "default", "delete", "derivative", "difference", "distinct", "ec2Autoscale", "elapsed", "eval",
    "first", "flatten", "groupBy", "holtWinters", "holtWintersWithFit", "httpOut", "httpPost",
    "influxDBOut", "join", "k8sAutoscale", "kapacitorLoopback", "last", "log", "max", "mean",
    "median", "min", "mode", "movingAverage", "percentile", "sample", "shift", "sideload",
    "spread", "stateCount", "stateDuration", "stats", "stddev", "sum", "swarmAutoscale", "top",
    "trickle", "union", "where", "window",
];

impl NodeKind {
    /// Kapacitor's node description, used for names (`from`, `alert`, ...).
    pub fn desc(&self) -> &'static str {
        match self {
            NodeKind::Stream => "stream",
            NodeKind::Batch => "batch",
            NodeKind::From(_) => "from",
            NodeKind::Where(_) => "where",
            NodeKind::Eval(_) => "eval",
            NodeKind::Default(_) => "default",
            NodeKind::Delete(_) => "delete",
            NodeKind::Log(_) => "log",
            NodeKind::HttpOut(_) => "http_out",
            NodeKind::Alert(_) => "alert",
        }
    }

    /// The Go type Kapacitor names in errors (`*pipeline.FromNode`).
    pub(crate) fn go_type(&self) -> &'static str {
        match self {
            NodeKind::Stream => "*pipeline.StreamNode",
            NodeKind::Batch => "*pipeline.BatchNode",
            NodeKind::From(_) => "*pipeline.FromNode",
            NodeKind::Where(_) => "*pipeline.WhereNode",
            NodeKind::Eval(_) => "*pipeline.EvalNode",
            NodeKind::Default(_) => "*pipeline.DefaultNode",
            NodeKind::Delete(_) => "*pipeline.DeleteNode",
            NodeKind::Log(_) => "*pipeline.LogNode",
            NodeKind::HttpOut(_) => "*pipeline.HTTPOutNode",
            NodeKind::Alert(_) => "*pipeline.AlertNode",
        }
    }

    /// True when `name` is a chain method of this kind.
    pub(crate) fn has_chain(&self, name: &str) -> bool {
        match self {
            NodeKind::Stream => name == "from",
            NodeKind::Batch => matches!(name, "query" | "queryFlux"),
            _ => CHAIN_METHODS.contains(&name),
        }
    }

    /// True when `name` is a property of this kind (for the "use '.'" hint).
    pub(crate) fn has_property(&self, name: &str) -> bool {
        if name == "quiet" {
            return !matches!(self, NodeKind::Stream | NodeKind::Batch);
        }
        let props: &[&str] = match self {
            NodeKind::Stream | NodeKind::Batch => &[],
            NodeKind::From(_) => from::PROPERTIES,
            NodeKind::Where(_) => &[],
            NodeKind::Eval(_) => eval::PROPERTIES,
            NodeKind::Default(_) => default::PROPERTIES,
            NodeKind::Delete(_) => delete::PROPERTIES,
            NodeKind::Log(_) => log::PROPERTIES,
            NodeKind::HttpOut(_) => &[],
            NodeKind::Alert(_) => alert::PROPERTIES,
        };
        props.contains(&name)
    }

    /// Sets a property of the node itself.
    pub(crate) fn set(&mut self, name: &str, args: &[Val]) -> ArgResult<Set> {
        match self {
            NodeKind::Stream | NodeKind::Batch | NodeKind::Where(_) | NodeKind::HttpOut(_) => {
                Ok(Set::Unknown)
            }
            NodeKind::From(s) => s.set(name, args),
            NodeKind::Eval(s) => s.set(name, args),
            NodeKind::Default(s) => s.set(name, args),
            NodeKind::Delete(s) => s.set(name, args),
            NodeKind::Log(s) => s.set(name, args),
            NodeKind::Alert(s) => s.set(name, args),
        }
    }

    /// Creates the node a chain method builds, or an error for a known but unbuilt one.
    pub(crate) fn create(name: &str, args: &[Val]) -> ArgResult<NodeKind> {
        Ok(match name {
            "from" => {
                crate::args::none(args)?;
                NodeKind::From(FromSpec::default())
            }
            "where" => NodeKind::Where(WhereSpec::new(args)?),
            "eval" => NodeKind::Eval(EvalSpec::new(args)?),
            "default" => {
                crate::args::none(args)?;
                NodeKind::Default(DefaultSpec::default())
            }
            "delete" => {
                crate::args::none(args)?;
                NodeKind::Delete(DeleteSpec::default())
            }
            "log" => {
                crate::args::none(args)?;
                NodeKind::Log(LogSpec::default())
            }
            "httpOut" => NodeKind::HttpOut(HttpOutSpec::new(args)?),
            "alert" => {
                crate::args::none(args)?;
                NodeKind::Alert(Box::default())
            }
            other => {
                return Err(format!(
                    "the {other:?} node is not implemented yet in this build of Kapacitor"
                ));
            }
        })
    }
}
