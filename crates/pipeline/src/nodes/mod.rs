//! Node specs: one module per node kind, registered in the tables below.

mod alert;
mod alert_handlers;
mod barrier;
mod change_detect;
mod combine;
mod default;
mod delete;
mod derivative;
mod eval;
mod flatten;
mod from;
mod group_by;
mod http_out;
mod http_post;
mod influxdb_out;
mod influxql;
mod join;
mod kapacitor_loopback;
mod log;
mod query;
mod sample;
mod shift;
mod sideload;
mod state_tracking;
mod stats;
mod union;
mod where_;
mod window;

pub use alert::{AlertSpec, HandlerSpec};
pub use barrier::BarrierSpec;
pub use change_detect::ChangeDetectSpec;
pub use combine::CombineSpec;
pub use default::DefaultSpec;
pub use delete::DeleteSpec;
pub use derivative::DerivativeSpec;
pub use eval::EvalSpec;
pub use flatten::FlattenSpec;
pub use from::FromSpec;
pub use group_by::GroupBySpec;
pub use http_out::HttpOutSpec;
pub use http_post::HttpPostSpec;
pub use influxdb_out::InfluxDbOutSpec;
pub use influxql::{InfluxQlArgs, InfluxQlSpec};
pub use join::{JoinFill, JoinSpec};
pub use kapacitor_loopback::LoopbackSpec;
pub use log::LogSpec;
pub use query::{QueryDimension, QueryFill, QuerySpec};
pub use sample::SampleSpec;
pub use shift::ShiftSpec;
pub use sideload::SideloadSpec;
pub use state_tracking::StateSpec;
pub use stats::{DeadmanConfig, StatsSpec, deadman_config, set_deadman_config};
pub use union::UnionSpec;
pub use where_::WhereSpec;
pub use window::WindowSpec;

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
    /// The kind of data the node emits.
    pub provides: EdgeType,
}

/// What flows on an edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeType {
    /// Points one by one.
    Stream,
    /// Batches of points.
    Batch,
}

impl EdgeType {
    /// `stream` / `batch`, as Kapacitor prints edge types.
    pub fn as_str(self) -> &'static str {
        match self {
            EdgeType::Stream => "stream",
            EdgeType::Batch => "batch",
        }
    }
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
    /// `|window()`
    Window(WindowSpec),
    /// `|groupBy(...)`
    GroupBy(GroupBySpec),
    /// One of the 21 InfluxQL functions.
    InfluxQl(InfluxQlSpec),
    /// `|derivative(field)`
    Derivative(DerivativeSpec),
    /// `|shift(d)`
    Shift(ShiftSpec),
    /// `|sample(n|d)`
    Sample(SampleSpec),
    /// `|stateDuration(lambda)`
    StateDuration(StateSpec),
    /// `|stateCount(lambda)`
    StateCount(StateSpec),
    /// `|changeDetect(fields...)`
    ChangeDetect(ChangeDetectSpec),
    /// `|join(nodes...)`
    Join(JoinSpec),
    /// `|union(nodes...)`
    Union(UnionSpec),
    /// `|combine(lambdas...)`
    Combine(CombineSpec),
    /// `|flatten()`
    Flatten(FlattenSpec),
    /// `|barrier()`
    Barrier(BarrierSpec),
    /// `|stats(interval)`: a source observing another node.
    Stats(StatsSpec),
    /// `|trickle()`: batches become points.
    Trickle,
    /// `|kapacitorLoopback()`
    Loopback(LoopbackSpec),
    /// `|sideload()`
    Sideload(SideloadSpec),
    /// `|httpPost(url)`
    HttpPost(HttpPostSpec),
    /// `batch|query('SELECT ...')`
    Query(Box<QuerySpec>),
    /// `|influxDBOut()`
    InfluxDbOut(InfluxDbOutSpec),
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
    "alert",
    "barrier",
    "bottom",
    "changeDetect",
    "combine",
    "count",
    "cumulativeSum",
    "deadman",
    "default",
    "delete",
    "derivative",
    "difference",
    "distinct",
    "ec2Autoscale",
    "elapsed",
    "eval",
    "first",
    "flatten",
    "groupBy",
    "holtWinters",
    "holtWintersWithFit",
    "httpOut",
    "httpPost",
    "influxDBOut",
    "join",
    "k8sAutoscale",
    "kapacitorLoopback",
    "last",
    "log",
    "max",
    "mean",
    "median",
    "min",
    "mode",
    "movingAverage",
    "percentile",
    "sample",
    "shift",
    "sideload",
    "spread",
    "stateCount",
    "stateDuration",
    "stats",
    "stddev",
    "sum",
    "swarmAutoscale",
    "top",
    "trickle",
    "union",
    "where",
    "window",
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
            NodeKind::Window(_) => "window",
            NodeKind::GroupBy(_) => "groupby",
            NodeKind::InfluxQl(s) => influxql_desc(&s.method),
            NodeKind::Derivative(_) => "derivative",
            NodeKind::Shift(_) => "shift",
            NodeKind::Sample(_) => "sample",
            NodeKind::StateDuration(_) => "state_duration",
            NodeKind::StateCount(_) => "state_count",
            NodeKind::ChangeDetect(_) => "changeDetect",
            NodeKind::Join(_) => "join",
            NodeKind::Union(_) => "union",
            NodeKind::Combine(_) => "combine",
            NodeKind::Flatten(_) => "flatten",
            NodeKind::Barrier(_) => "barrier",
            NodeKind::Stats(_) => "stats",
            NodeKind::Trickle => "trickle",
            NodeKind::Loopback(_) => "kapacitor_loopback",
            NodeKind::Sideload(_) => "sideload",
            NodeKind::HttpPost(_) => "http_post",
            NodeKind::Query(_) => "query",
            NodeKind::InfluxDbOut(_) => "influxdb_out",
        }
    }

    /// The edge type the node wants from its parent (`None`: whatever the parent gives).
    pub fn wants(&self) -> Option<EdgeType> {
        match self {
            NodeKind::Stream | NodeKind::Batch => None,
            NodeKind::From(_) | NodeKind::Window(_) => Some(EdgeType::Stream),
            NodeKind::Trickle => Some(EdgeType::Batch),
            _ => None,
        }
    }

    /// The edge type the node emits given what it receives.
    pub fn provides(&self, input: EdgeType) -> EdgeType {
        match self {
            NodeKind::Stream | NodeKind::From(_) => EdgeType::Stream,
            NodeKind::Batch | NodeKind::Window(_) | NodeKind::Query(_) => EdgeType::Batch,
            NodeKind::Stats(_) | NodeKind::Trickle => EdgeType::Stream,
            NodeKind::Combine(_) => EdgeType::Stream,
            NodeKind::InfluxQl(s) if s.is_transformation() => input,
            NodeKind::InfluxQl(s) if s.outputs_batch() => EdgeType::Batch,
            NodeKind::InfluxQl(_) => EdgeType::Stream,
            _ => input,
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
            NodeKind::Window(_) => "*pipeline.WindowNode",
            NodeKind::GroupBy(_) => "*pipeline.GroupByNode",
            NodeKind::InfluxQl(_) => "*pipeline.InfluxQLNode",
            NodeKind::Derivative(_) => "*pipeline.DerivativeNode",
            NodeKind::Shift(_) => "*pipeline.ShiftNode",
            NodeKind::Sample(_) => "*pipeline.SampleNode",
            NodeKind::StateDuration(_) => "*pipeline.StateDurationNode",
            NodeKind::StateCount(_) => "*pipeline.StateCountNode",
            NodeKind::ChangeDetect(_) => "*pipeline.ChangeDetectNode",
            NodeKind::Join(_) => "*pipeline.JoinNode",
            NodeKind::Union(_) => "*pipeline.UnionNode",
            NodeKind::Combine(_) => "*pipeline.CombineNode",
            NodeKind::Flatten(_) => "*pipeline.FlattenNode",
            NodeKind::Barrier(_) => "*pipeline.BarrierNode",
            NodeKind::Stats(_) => "*pipeline.StatsNode",
            NodeKind::Trickle => "*pipeline.TrickleNode",
            NodeKind::Loopback(_) => "*pipeline.KapacitorLoopbackNode",
            NodeKind::Sideload(_) => "*pipeline.SideloadNode",
            NodeKind::HttpPost(_) => "*pipeline.HTTPPostNode",
            NodeKind::Query(_) => "*pipeline.QueryNode",
            NodeKind::InfluxDbOut(_) => "*pipeline.InfluxDBOutNode",
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
            NodeKind::Window(_) => window::PROPERTIES,
            NodeKind::GroupBy(_) => group_by::PROPERTIES,
            NodeKind::InfluxQl(_) => influxql::PROPERTIES,
            NodeKind::Derivative(_) => derivative::PROPERTIES,
            NodeKind::StateDuration(_) => state_tracking::DURATION_PROPERTIES,
            NodeKind::StateCount(_) => state_tracking::COUNT_PROPERTIES,
            NodeKind::Shift(_) | NodeKind::Sample(_) | NodeKind::ChangeDetect(_) => &[],
            NodeKind::Join(_) => join::PROPERTIES,
            NodeKind::Union(_) => union::PROPERTIES,
            NodeKind::Combine(_) => combine::PROPERTIES,
            NodeKind::Flatten(_) => flatten::PROPERTIES,
            NodeKind::Barrier(_) => barrier::PROPERTIES,
            NodeKind::Stats(_) => stats::PROPERTIES,
            NodeKind::Trickle => &[],
            NodeKind::Loopback(_) => kapacitor_loopback::PROPERTIES,
            NodeKind::Sideload(_) => sideload::PROPERTIES,
            NodeKind::HttpPost(_) => http_post::PROPERTIES,
            NodeKind::Query(_) => query::PROPERTIES,
            NodeKind::InfluxDbOut(_) => influxdb_out::PROPERTIES,
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
            NodeKind::Window(s) => s.set(name, args),
            NodeKind::GroupBy(s) => s.set(name, args),
            NodeKind::InfluxQl(s) => s.set(name, args),
            NodeKind::Derivative(s) => s.set(name, args),
            NodeKind::StateDuration(s) => s.set(name, args, true),
            NodeKind::StateCount(s) => s.set(name, args, false),
            NodeKind::Shift(_) | NodeKind::Sample(_) | NodeKind::ChangeDetect(_) => {
                Ok(Set::Unknown)
            }
            NodeKind::Join(s) => s.set(name, args),
            NodeKind::Union(s) => s.set(name, args),
            NodeKind::Combine(s) => s.set(name, args),
            NodeKind::Flatten(s) => s.set(name, args),
            NodeKind::Barrier(s) => s.set(name, args),
            NodeKind::Stats(s) => s.set(name, args),
            NodeKind::Trickle => Ok(Set::Unknown),
            NodeKind::Loopback(s) => s.set(name, args),
            NodeKind::Sideload(s) => s.set(name, args),
            NodeKind::HttpPost(s) => s.set(name, args),
            NodeKind::Query(s) => s.set(name, args),
            NodeKind::InfluxDbOut(s) => s.set(name, args),
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
            "window" => {
                crate::args::none(args)?;
                NodeKind::Window(WindowSpec::default())
            }
            "groupBy" => NodeKind::GroupBy(GroupBySpec::new(args)?),
            "derivative" => NodeKind::Derivative(DerivativeSpec::new(args)?),
            "shift" => NodeKind::Shift(ShiftSpec::new(args)?),
            "sample" => NodeKind::Sample(SampleSpec::new(args)?),
            "stateDuration" => NodeKind::StateDuration(StateSpec::new(args, "state_duration")?),
            "stateCount" => NodeKind::StateCount(StateSpec::new(args, "state_count")?),
            "changeDetect" => NodeKind::ChangeDetect(ChangeDetectSpec::new(args)?),
            "join" => NodeKind::Join(JoinSpec::new(args)?),
            "union" => NodeKind::Union(UnionSpec::new(args)?),
            "combine" => NodeKind::Combine(CombineSpec::new(args)?),
            "flatten" => NodeKind::Flatten(FlattenSpec::new(args)?),
            "barrier" => NodeKind::Barrier(BarrierSpec::new(args)?),
            "kapacitorLoopback" => NodeKind::Loopback(LoopbackSpec::new(args)?),
            "sideload" => {
                crate::args::none(args)?;
                NodeKind::Sideload(SideloadSpec::default())
            }
            "httpPost" => NodeKind::HttpPost(HttpPostSpec::new(args)?),
            "query" => NodeKind::Query(Box::new(QuerySpec::new(args)?)),
            "influxDBOut" => NodeKind::InfluxDbOut(InfluxDbOutSpec::new(args)?),
            "trickle" => {
                crate::args::none(args)?;
                NodeKind::Trickle
            }
            m if influxql::METHODS.contains(&m) => NodeKind::InfluxQl(InfluxQlSpec::new(m, args)?),
            other => {
                return Err(format!(
                    "the {other:?} node is not implemented yet in this build of Kapacitor"
                ));
            }
        })
    }
}

/// Kapacitor names InfluxQL nodes after their method (`mean3`).
fn influxql_desc(method: &str) -> &'static str {
    let method = if method == "holtWintersWithFit" {
        "holtWinters"
    } else {
        method
    };
    influxql::METHODS
        .iter()
        .find(|m| **m == method)
        .copied()
        .unwrap_or("influxql")
}

impl PipelineNode {
    /// Kapacitor's validation of a node's properties, run once the script is evaluated.
    pub(crate) fn validate(&self) -> Result<(), String> {
        match &self.kind {
            NodeKind::Window(w) => w.validate(),
            NodeKind::Join(j) => j.validate(self.parents.len()),
            NodeKind::Barrier(b) => b.validate(),
            NodeKind::Loopback(l) => l.validate(),
            NodeKind::HttpPost(h) => h.validate(),
            NodeKind::Query(q) => q.validate(),
            NodeKind::InfluxDbOut(o) => o.validate(),
            NodeKind::Eval(e) if e.as_.len() != e.lambdas.len() => {
                Err("must provide one name per expression via the 'As' property".into())
            }
            _ => Ok(()),
        }
    }
}
