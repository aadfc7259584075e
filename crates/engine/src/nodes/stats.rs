//! `|stats(interval)`: every interval of wall time, one `stats` point per group of the
//! observed node with the number of messages it emitted (mirrors stats.go).

use kapa_models::{FieldValue, Fields, Point};
use kapa_pipeline::nodes::StatsSpec;

use crate::message::{Group, PointMsg};
use crate::node::{Emit, Node, Out, TaskCtx};
use crate::time::truncate;

pub(crate) struct StatsNode {
    spec: StatsSpec,
    next_emit: Option<i64>,
    observed: Vec<(Group, kapa_models::Tags, u64)>,
}

impl StatsNode {
    pub(crate) fn new(spec: StatsSpec) -> Self {
        StatsNode {
            spec,
            next_emit: None,
            observed: Vec::new(),
        }
    }
}

impl Node for StatsNode {
    fn point(&mut self, _ctx: &TaskCtx, _msg: &PointMsg<'_>) -> Result<Emit, String> {
        Ok(Emit::Drop)
    }

    fn wants_ticks(&self) -> bool {
        true
    }

    fn observes(&self) -> Option<usize> {
        Some(self.spec.observes)
    }

    fn observed_stats(&mut self, stats: Vec<(Group, kapa_models::Tags, u64)>) {
        self.observed = stats;
    }

    fn tick(&mut self, _ctx: &TaskCtx, now: i64) -> Result<Emit, String> {
        let interval = self.spec.interval;
        let next = *self.next_emit.get_or_insert_with(|| {
            if self.spec.align {
                truncate(now, interval) + interval
            } else {
                now + interval
            }
        });
        if now < next {
            return Ok(Emit::Drop);
        }
        self.next_emit = Some(if self.spec.align {
            truncate(now, interval) + interval
        } else {
            now + interval
        });
        let time = if self.spec.align {
            truncate(now, interval)
        } else {
            now
        };
        let mut out = Vec::new();
        let observed = std::mem::take(&mut self.observed);
        if observed.is_empty() {
            let mut fields = Fields::with_capacity(1);
            fields.insert("emitted", FieldValue::Int(0));
            let point = Point {
                name: "stats".into(),
                tags: Default::default(),
                fields,
                time,
            };
            out.push(Out::Point {
                point,
                group: Group::nil(),
            });
        }
        for (group, tags, emitted) in observed {
            let mut fields = Fields::with_capacity(1);
            fields.insert("emitted", FieldValue::Int(emitted as i64));
            let point = Point {
                name: "stats".into(),
                tags,
                fields,
                time,
            };
            out.push(Out::Point { point, group });
        }
        Ok(Emit::Many(out))
    }
}
