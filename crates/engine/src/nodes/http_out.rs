//! `|httpOut(endpoint)`: keeps the latest row per group for GET (mirrors http_out.go).

use kapa_models::{GroupId, Row, SeriesResult};
use kapa_pipeline::nodes::HttpOutSpec;

use crate::message::{Batch, GroupMap, PointMsg};
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct HttpOutNode {
    spec: HttpOutSpec,
    index: GroupMap<usize>,
    rows: Vec<Row>,
}

impl HttpOutNode {
    pub(crate) fn new(spec: HttpOutSpec) -> Self {
        HttpOutNode {
            spec,
            index: Default::default(),
            rows: Vec::new(),
        }
    }

    fn store(&mut self, group: &GroupId, row: Row) {
        match self.index.get(group) {
            Some(i) => self.rows[*i] = row,
            None => {
                self.index.insert(group.clone(), self.rows.len());
                self.rows.push(row);
            }
        }
    }
}

impl Node for HttpOutNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        self.store(&msg.group.id, super::point_to_row(msg.point));
        Ok(Emit::Same)
    }

    fn batch(&mut self, _ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        self.store(&b.group.id, super::batch_to_row(b));
        Ok(Emit::Same)
    }

    fn delete_group(
        &mut self,
        _ctx: &TaskCtx,
        group: &crate::message::Group,
    ) -> Result<Emit, String> {
        // Kapacitor's httpOut forgets the series of a deleted group.
        if let Some(i) = self.index.remove(&group.id) {
            self.rows.remove(i);
            for v in self.index.values_mut() {
                if *v > i {
                    *v -= 1;
                }
            }
        }
        Ok(Emit::Same)
    }

    fn cardinality(&self) -> usize {
        self.rows.len()
    }

    fn http_out(&self) -> Option<(&str, SeriesResult)> {
        let series = if self.rows.is_empty() {
            None
        } else {
            Some(self.rows.clone())
        };
        Some((
            &self.spec.endpoint,
            SeriesResult {
                series,
                error: None,
            },
        ))
    }
}
