//! `|httpOut(endpoint)`: keeps the latest row per group for GET (mirrors http_out.go).



use kapa_models::{Row, SeriesResult};
use kapa_pipeline::nodes::HttpOutSpec;

use crate::message::PointMsg;
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct HttpOutNode {
    spec: HttpOutSpec,
    index: crate::message::GroupMap<usize>,
    rows: Vec<Row>,
}

impl HttpOutNode {
    pub(crate) fn new(spec: HttpOutSpec) -> Self {
        HttpOutNode { spec, index: Default::default(), rows: Vec::new() }
    }
}

impl Node for HttpOutNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let row = super::point_to_row(msg.point);
        match self.index.get(&msg.group.id) {
            Some(i) => self.rows[*i] = row,
            None => {
                self.index.insert(msg.group.id.clone(), self.rows.len());
                self.rows.push(row);
            }
        }
        Ok(Emit::Same)
    }

    fn cardinality(&self) -> usize {
        self.rows.len()
    }

    fn http_out(&self) -> Option<(&str, SeriesResult)> {
        let series = if self.rows.is_empty() { None } else { Some(self.rows.clone()) };
        Some((&self.spec.endpoint, SeriesResult { series, error: None }))
    }
}
