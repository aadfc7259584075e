//! `|groupBy(tags...|*)`: regroups points, and splits/merges batches into the new groups
//! (mirrors group_by.go).
//!
//! Batches are regrouped point by point and held until a batch (or barrier) with another time
//! arrives, so batches of several input groups that share a time merge into the new groups.

use std::sync::Arc;

use kapa_models::{GroupId, Tags};
use kapa_pipeline::nodes::GroupBySpec;
use smol_str::SmolStr;

use crate::message::{Barrier, Batch, Dimensions, Group, PointMsg};
use crate::node::{Emit, Node, Out, TaskCtx};

pub(crate) struct GroupByNode {
    spec: GroupBySpec,
    /// The named dimensions as Kapacitor uses them: sorted, minus the excluded ones.
    dims: Arc<Dimensions>,
    /// Batches regrouped from inputs with the same tmax, flushed when the tmax changes.
    pending: Vec<Batch>,
    pending_tmax: Option<i64>,
}

impl GroupByNode {
    pub(crate) fn new(spec: GroupBySpec) -> Self {
        let mut tags: Vec<SmolStr> = spec
            .tags
            .iter()
            .filter(|t| !spec.exclude.contains(t))
            .map(SmolStr::new)
            .collect();
        tags.sort();
        tags.dedup();
        let dims = Arc::new(Dimensions {
            tags,
            by_name: spec.by_measurement,
        });
        GroupByNode {
            spec,
            dims,
            pending: Vec::new(),
            pending_tmax: None,
        }
    }

    fn dims_for(&self, tags: &Tags, by_name: bool) -> Arc<Dimensions> {
        if !self.spec.star {
            if by_name == self.dims.by_name {
                return self.dims.clone();
            }
            return Arc::new(Dimensions {
                tags: self.dims.tags.clone(),
                by_name,
            });
        }
        // `*`: every tag of the point (sorted, as tag sets are), minus the excluded ones.
        let tag_names = tags
            .keys()
            .filter(|k| !self.spec.exclude.iter().any(|e| e == k.as_str()))
            .cloned()
            .collect();
        Arc::new(Dimensions {
            tags: tag_names,
            by_name,
        })
    }

    fn flush(&mut self) -> Vec<Out> {
        self.pending_tmax = None;
        self.pending
            .drain(..)
            .map(|mut b| {
                // Merged inputs interleave; Kapacitor sorts each new group by time.
                b.points.sort_by_key(|p| p.time);
                Out::Batch(b)
            })
            .collect()
    }
}

impl Node for GroupByNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let by_name = msg.group.dims.by_name || self.spec.by_measurement;
        let dims = self.dims_for(&msg.point.tags, by_name);
        let id = GroupId::build(&msg.point.name, &msg.point.tags, &dims.tags, dims.by_name);
        Ok(Emit::Point {
            point: None,
            group: Some(Group { id, dims }),
        })
    }

    fn batch(&mut self, _ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        let mut out = Vec::new();
        if self.pending_tmax.is_some_and(|t| t != b.tmax) {
            out = self.flush();
        }
        self.pending_tmax = Some(b.tmax);
        let by_name = b.group.dims.by_name || self.spec.by_measurement;
        for p in &b.points {
            let dims = self.dims_for(&p.tags, by_name);
            let id = GroupId::build(&b.name, &p.tags, &dims.tags, dims.by_name);
            let idx = match self
                .pending
                .iter()
                .position(|x| x.group.id == id && x.name == b.name)
            {
                Some(i) => i,
                None => {
                    let mut tags = Tags::with_capacity(dims.tags.len());
                    for d in &dims.tags {
                        tags.insert(d.clone(), p.tags.get(d).cloned().unwrap_or_default());
                    }
                    self.pending.push(Batch {
                        name: b.name.clone(),
                        group: Group { id, dims },
                        tags,
                        tmax: b.tmax,
                        points: Vec::new(),
                    });
                    self.pending.len() - 1
                }
            };
            self.pending[idx].points.push(p.clone());
        }
        Ok(if out.is_empty() {
            Emit::Drop
        } else {
            Emit::Many(out)
        })
    }

    fn barrier(&mut self, _ctx: &TaskCtx, b: &Barrier) -> Result<Emit, String> {
        if self.pending_tmax == Some(b.time) {
            return Ok(Emit::Same);
        }
        let mut out = self.flush();
        out.push(Out::Barrier(b.clone()));
        Ok(Emit::Many(out))
    }

    fn cardinality(&self) -> usize {
        self.pending.len()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use kapa_models::time::ManualClock;
    use kapa_models::{FieldValue, Fields};

    use super::*;
    use crate::alert_event::NullAlertSink;
    use crate::message::BatchPoint;
    use crate::node::TaskCtx;

    fn ctx() -> TaskCtx {
        TaskCtx {
            task: "t".into(),
            clock: Arc::new(ManualClock::new(0)),
            loopback: Default::default(),
            group_expiry: 0,
            alerts: Arc::new(NullAlertSink),
            server: Default::default(),
            influxdb: None,
        }
    }

    fn batch(host: &str, tmax: i64, times: &[i64]) -> Batch {
        let mut tags = Tags::new();
        tags.insert("host", host.into());
        tags.insert("type", "idle".into());
        let dims = Arc::new(Dimensions {
            tags: vec!["host".into()],
            by_name: false,
        });
        let mut group_tags = Tags::new();
        group_tags.insert("host", host.into());
        Batch {
            name: "cpu".into(),
            group: Group {
                id: GroupId::build("cpu", &tags, &dims.tags, false),
                dims,
            },
            tags: group_tags,
            tmax,
            points: times
                .iter()
                .map(|t| {
                    let mut fields = Fields::new();
                    fields.insert("value", FieldValue::Float(*t as f64));
                    BatchPoint {
                        time: *t,
                        fields,
                        tags: tags.clone(),
                    }
                })
                .collect(),
        }
    }

    fn times(out: &Emit) -> Vec<Vec<i64>> {
        match out {
            Emit::Many(outs) => outs
                .iter()
                .filter_map(|o| match o {
                    Out::Batch(b) => Some(b.points.iter().map(|p| p.time).collect()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn merged_batches_are_sorted_and_a_barrier_flushes_them() {
        let spec = GroupBySpec {
            tags: vec!["type".into()],
            star: false,
            exclude: vec![],
            by_measurement: false,
        };
        let mut node = GroupByNode::new(spec);
        let ctx = ctx();
        assert!(matches!(
            node.batch(&ctx, &batch("a", 10, &[1, 5])),
            Ok(Emit::Drop)
        ));
        assert!(matches!(
            node.batch(&ctx, &batch("b", 10, &[2, 3])),
            Ok(Emit::Drop)
        ));
        assert_eq!(node.cardinality(), 1);
        // A barrier at the pending time changes nothing; a later one emits the merged group.
        let same = Barrier {
            group: Group::nil(),
            time: 10,
        };
        assert!(matches!(node.barrier(&ctx, &same), Ok(Emit::Same)));
        let later = Barrier {
            group: Group::nil(),
            time: 11,
        };
        let out = node.barrier(&ctx, &later).unwrap();
        assert_eq!(times(&out), vec![vec![1, 2, 3, 5]]);
        assert!(matches!(&out, Emit::Many(o) if matches!(o.last(), Some(Out::Barrier(_)))));
        assert_eq!(node.cardinality(), 0);
    }
}
