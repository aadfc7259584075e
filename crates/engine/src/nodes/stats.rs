//! `|stats(interval)`: every interval of wall time, one `stats` point per group of the
//! observed node with the number of messages it emitted (mirrors stats.go).

use kapa_models::{FieldValue, Fields, Point};
use kapa_pipeline::nodes::StatsSpec;

use crate::message::{Group, PointMsg};
use crate::node::{Emit, Node, Out, TaskCtx};
use crate::time::truncate;

pub(crate) struct StatsNode {
    spec: StatsSpec,
    /// When the ticker fires next: one interval after the task started (or the next
    /// aligned boundary), as Kapacitor's ticker.
    next_emit: i64,
    observed: Vec<(Group, kapa_models::Tags, u64)>,
}

impl StatsNode {
    /// A stats node of a task started at `now`.
    pub(crate) fn new(spec: StatsSpec, now: i64) -> Self {
        let interval = spec.interval.max(1);
        let next_emit = if spec.align {
            truncate(now, interval) + interval
        } else {
            now + interval
        };
        StatsNode {
            spec,
            next_emit,
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
        let interval = self.spec.interval.max(1);
        if now < self.next_emit {
            return Ok(Emit::Drop);
        }
        // One point per firing; firings missed while the clock jumped are skipped, as a Go
        // ticker drops the ticks nobody read.
        let time = self.next_emit;
        while self.next_emit <= now {
            self.next_emit += interval;
        }
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
