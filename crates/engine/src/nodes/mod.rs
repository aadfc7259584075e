//! Node runtimes, one module per node kind, created from pipeline specs in `create`.

mod alert;
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
pub(crate) mod query;
mod sample;
mod shift;
pub(crate) mod sideload;
mod state_tracking;
mod stats;
mod stream;
mod trickle;
mod union;
mod where_;
mod window;

use std::sync::Arc;

use kapa_models::time::Clock;
use kapa_models::{Point, Row};
use kapa_pipeline::{NodeKind, Pipeline};

use crate::EngineError;
use crate::node::{Node, TaskCtx};

/// Checks what the pipeline evaluator cannot: node combinations this build does not run.
pub(crate) fn check(p: &Pipeline) -> Result<(), EngineError> {
    for n in &p.nodes {
        match &n.kind {
            NodeKind::Query(q) => {
                query::build_query(q).map_err(EngineError::Node)?;
            }
            NodeKind::Alert(a) => {
                alert::check(a).map_err(|e| EngineError::Node(format!("{}: {e}", n.name)))?
            }
            NodeKind::Combine(c) => c
                .validate()
                .map_err(|e| EngineError::Node(format!("invalid combine node {}: {e}", n.name)))?,
            _ => {}
        }
    }
    Ok(())
}

/// Creates the runtime of every node, in pipeline order.
pub(crate) fn create(
    p: &Pipeline,
    ctx: &TaskCtx,
    topic_prefix: &str,
    clock: &Arc<dyn Clock>,
) -> Result<Vec<Box<dyn Node>>, EngineError> {
    let _ = clock;
    let mut out: Vec<Box<dyn Node>> = Vec::with_capacity(p.nodes.len());
    for n in &p.nodes {
        let node: Box<dyn Node> = match &n.kind {
            NodeKind::Stream | NodeKind::Batch => Box::new(stream::StreamNode),
            NodeKind::Window(s) => Box::new(window::WindowNode::new(s.clone())),
            NodeKind::GroupBy(s) => Box::new(group_by::GroupByNode::new(s.clone())),
            NodeKind::Derivative(s) => Box::new(derivative::DerivativeNode::new(s.clone())),
            NodeKind::Shift(s) => Box::new(shift::ShiftNode::new(s.clone())),
            NodeKind::Sample(s) => Box::new(sample::SampleNode::new(s.clone())),
            NodeKind::StateDuration(s) => Box::new(state_tracking::StateNode::duration(s.clone())),
            NodeKind::StateCount(s) => Box::new(state_tracking::StateNode::count(s.clone())),
            NodeKind::ChangeDetect(s) => Box::new(change_detect::ChangeDetectNode::new(s.clone())),
            NodeKind::Join(s) => Box::new(join::JoinNode::new(s.clone())),
            NodeKind::Union(s) => {
                Box::new(union::UnionNode::with_parents(s.clone(), n.parents.len()))
            }
            NodeKind::Combine(s) => Box::new(combine::CombineNode::new(s.clone())),
            NodeKind::Flatten(s) => Box::new(flatten::FlattenNode::new(s.clone())),
            NodeKind::Barrier(s) => Box::new(barrier::BarrierNode::new(s.clone())),
            NodeKind::Stats(s) => Box::new(stats::StatsNode::new(s.clone())),
            NodeKind::Trickle => Box::new(trickle::TrickleNode),
            NodeKind::Loopback(s) => Box::new(kapacitor_loopback::LoopbackNode::new(s.clone())),
            NodeKind::Sideload(s) => Box::new(
                sideload::SideloadNode::new(s.clone(), n.name.clone())
                    .map_err(|e| EngineError::Node(format!("{}: {e}", n.name)))?,
            ),
            NodeKind::HttpPost(s) => Box::new(
                http_post::HttpPostNode::new(s.clone(), n.name.clone())
                    .map_err(|e| EngineError::Node(format!("{}: {e}", n.name)))?,
            ),
            NodeKind::InfluxQl(s) => Box::new(influxql::InfluxQlNode::new(s.clone())),
            NodeKind::From(s) => Box::new(from::FromNode::new(s.clone(), ctx.group_expiry)),
            NodeKind::Where(s) => Box::new(where_::WhereNode::new(s.clone())),
            NodeKind::Eval(s) => Box::new(eval::EvalNode::new(s.clone())),
            NodeKind::Default(s) => Box::new(default::DefaultNode::new(s.clone())),
            NodeKind::Delete(s) => Box::new(delete::DeleteNode::new(s.clone())),
            NodeKind::Log(s) => Box::new(log::LogNode::new(s.clone(), n.name.clone())),
            NodeKind::HttpOut(s) => Box::new(http_out::HttpOutNode::new(s.clone())),
            NodeKind::Query(_) => Box::new(query::QueryNode::default()),
            NodeKind::InfluxDbOut(s) => Box::new(
                influxdb_out::InfluxDbOutNode::new(s.clone(), ctx, &n.name)
                    .map_err(|e| EngineError::Node(format!("{}: {e}", n.name)))?,
            ),
            NodeKind::Alert(s) => Box::new(
                alert::AlertNode::new((**s).clone(), ctx, format!("{topic_prefix}:{}", n.name))
                    .map_err(|e| EngineError::Node(format!("{}: {e}", n.name)))?,
            ),
        };
        out.push(node);
    }
    Ok(out)
}

/// A point as one row: `time` then the fields sorted by name (Kapacitor's `ToRow`).
pub(crate) fn point_to_row(p: &Point) -> Row {
    let mut columns = Vec::with_capacity(p.fields.len() + 1);
    columns.push("time".to_string());
    let mut values = Vec::with_capacity(p.fields.len() + 1);
    values.push(serde_json::Value::String(
        kapa_models::time::format_rfc3339(p.time),
    ));
    for (k, v) in p.fields.iter() {
        columns.push(k.to_string());
        values.push(v.to_json());
    }
    Row {
        name: p.name.to_string(),
        tags: p.tags.to_json(),
        columns,
        values: vec![values],
    }
}

/// A batch as one row (Kapacitor's `BatchToRow`): columns are `time`, then the first
/// point's fields and its tags that are not group tags, sorted; missing values are null.
pub(crate) fn batch_to_row(b: &crate::message::Batch) -> Row {
    let mut row = Row {
        name: b.name.to_string(),
        tags: b.tags.to_json(),
        columns: Vec::new(),
        values: Vec::new(),
    };
    let Some(first) = b.points.first() else {
        return row;
    };
    let mut cols: Vec<&str> = first.fields.keys().map(|k| k.as_str()).collect();
    cols.extend(
        first
            .tags
            .keys()
            .filter(|k| !b.tags.contains(k))
            .map(|k| k.as_str()),
    );
    cols.sort_unstable();
    row.columns.push("time".to_string());
    row.columns.extend(cols.iter().map(|c| c.to_string()));
    for p in &b.points {
        let mut vals = Vec::with_capacity(cols.len() + 1);
        vals.push(serde_json::Value::String(
            kapa_models::time::format_rfc3339(p.time),
        ));
        for c in &cols {
            vals.push(match (p.fields.get(c), p.tags.get(c)) {
                (Some(v), _) => v.to_json(),
                (None, Some(t)) => serde_json::Value::String(t.to_string()),
                _ => serde_json::Value::Null,
            });
        }
        row.values.push(vals);
    }
    row
}
