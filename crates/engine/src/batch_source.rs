//! The entry point for batch data: a scheduler asks the task master for the query nodes of
//! running batch tasks, runs their queries, and injects the results here.

use std::sync::Arc;

use kapa_influxdb::QueryBatch;
use kapa_influxdb::influxql::Query;
use kapa_models::GroupId;
use kapa_pipeline::nodes::QuerySpec;
use smol_str::SmolStr;

use crate::exec::TaskHandle;
use crate::message::{Batch, BatchPoint, Dimensions, Group};

/// A query node of a running batch task.
#[derive(Clone)]
pub struct BatchSource {
    /// Task id.
    pub task: String,
    /// Node index in the pipeline.
    pub node: usize,
    /// Node name (`query1`).
    pub node_name: String,
    /// The node's properties.
    pub spec: QuerySpec,
    /// Its query, ready for [`Query::set_range`].
    pub query: Query,
    pub(crate) handle: TaskHandle,
}

impl std::fmt::Debug for BatchSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchSource")
            .field("task", &self.task)
            .field("node", &self.node_name)
            .finish()
    }
}

impl BatchSource {
    /// True when both belong to the same start of the same task.
    pub fn same_as(&self, other: &BatchSource) -> bool {
        Arc::ptr_eq(&self.handle, &other.handle) && self.node == other.node
    }

    /// True until the task is stopped.
    pub fn is_live(&self) -> bool {
        !self.handle.lock().is_stopped()
    }

    /// Counts a failed run in the node's `errors` and `query_errors` (`connect_errors` when
    /// InfluxDB could not be reached).
    pub fn failed(&self, connect: bool) {
        self.handle.lock().source_failed(self.node, connect);
    }
}

/// Query results as the batches a query node emits: one per series, grouped by the series
/// tags (and the measurement with `.groupByMeasurement()`); `tmax` is the query stop unless
/// the task groups by time (Kapacitor's rule).
pub fn to_batches(
    results: Vec<QueryBatch>,
    stop: i64,
    grouped_by_time: bool,
    by_name: bool,
) -> Vec<Batch> {
    results
        .into_iter()
        .map(|r| {
            let dims: Vec<SmolStr> = r.tags.keys().cloned().collect();
            let id = GroupId::build(&r.name, &r.tags, &dims, by_name);
            let tmax = if r.tmax == 0 || !grouped_by_time {
                stop
            } else {
                r.tmax
            };
            Batch {
                group: Group {
                    id,
                    dims: Arc::new(Dimensions {
                        tags: dims,
                        by_name,
                    }),
                },
                name: r.name,
                tags: r.tags,
                tmax,
                points: r
                    .points
                    .into_iter()
                    .map(|p| BatchPoint {
                        time: p.time,
                        fields: p.fields,
                        tags: p.tags,
                    })
                    .collect(),
            }
        })
        .collect()
}
