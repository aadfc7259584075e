//! The `query` node of a batch task: the scheduler injects its results as batches; the
//! node counts them and passes them on (mirrors query.go's statistics).

use kapa_influxdb::influxql::{Dimension, Fill, Query};
use kapa_pipeline::nodes::{QueryDimension, QueryFill, QuerySpec};

use crate::message::{Batch, PointMsg};
use crate::node::{Emit, Node, Stat, TaskCtx};

/// Builds the InfluxQL query of a spec: parsed once, dimensions, alignment and fill applied
/// (Kapacitor's `newQueryNode`); errors are Kapacitor's texts.
pub fn build_query(spec: &QuerySpec) -> Result<Query, String> {
    let mut q = Query::parse(&spec.query).map_err(|e| e.to_string())?;
    if spec.align_group {
        q.align_group();
    }
    if let Some(dims) = &spec.dimensions {
        let dims: Vec<Dimension> = dims
            .iter()
            .map(|d| match d {
                QueryDimension::Time { length, offset } => Dimension::Time {
                    length: *length,
                    offset: *offset,
                },
                QueryDimension::Tag(t) => Dimension::Tag(t.clone()),
                QueryDimension::Star => Dimension::Star,
            })
            .collect();
        q.set_dimensions(&dims).map_err(|e| e.to_string())?;
    }
    if let Some(f) = &spec.fill {
        q.set_fill(match f {
            QueryFill::Named(n) => match n.as_str() {
                "null" => Fill::Null,
                "none" => Fill::None,
                "previous" => Fill::Previous,
                "linear" => Fill::Linear,
                other => return Err(format!("unexpected fill option {other}")),
            },
            QueryFill::Int(i) => Fill::Int(*i),
            QueryFill::Float(v) => Fill::Float(*v),
        });
    }
    if !spec.cron.is_empty() {
        crate::schedule::Schedule::cron(&spec.cron)?;
    }
    Ok(q)
}

#[derive(Default)]
pub(crate) struct QueryNode {
    batches_queried: i64,
    points_queried: i64,
    query_errors: i64,
    connect_errors: i64,
}

impl Node for QueryNode {
    fn point(&mut self, _ctx: &TaskCtx, _msg: &PointMsg<'_>) -> Result<Emit, String> {
        Err("a query node receives batches only".into())
    }

    fn batch(&mut self, _ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        self.batches_queried += 1;
        self.points_queried += b.points.len() as i64;
        Ok(Emit::Same)
    }

    fn source_error(&mut self, connect: bool) {
        if connect {
            self.connect_errors += 1;
        } else {
            self.query_errors += 1;
        }
    }

    fn stats(&self, out: &mut Vec<(&'static str, Stat)>) {
        out.push(("batches_queried", Stat::Int(self.batches_queried)));
        out.push(("connect_errors", Stat::Int(self.connect_errors)));
        out.push(("points_queried", Stat::Int(self.points_queried)));
        out.push(("query_errors", Stat::Int(self.query_errors)));
    }
}
