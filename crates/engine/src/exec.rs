//! An executing task: node runtimes linked as in the pipeline, driven by direct calls.

use std::fmt::Write;
use std::sync::Arc;
use std::time::Instant;

use kapa_models::Point;
use kapa_pipeline::{Pipeline, TaskType};
use serde_json::{Map, Value};

use crate::message::{Group, GroupMap, Msg, PointMsg};
use crate::node::{Emit, Node, Out, Stat, TaskCtx};
use kapa_models::Tags;

/// Every how many calls a node's execution time is sampled (timing each call would
/// cost more than many nodes do).
const TIMING_SAMPLE: u64 = 64;

struct Slot {
    name: String,
    node: Box<dyn Node>,
    children: Vec<usize>,
    edge_counts: Vec<u64>,
    collected: u64,
    errors: u64,
    quiet: bool,
    avg_exec_ns: f64,
    /// Parent node ids, in the order the pipeline lists them.
    parents: Vec<usize>,
    /// Messages emitted per group, kept only when a stats node observes this node.
    group_emitted: Option<GroupMap<(Group, Tags, u64)>>,
}

/// Throughput measured between two reads of the stats.
struct Throughput {
    last_at: Instant,
    last_count: u64,
    rate: f64,
}

pub(crate) struct ExecutingTask {
    pub(crate) id: String,
    pub(crate) pipeline: Pipeline,
    slots: Vec<Slot>,
    ctx: TaskCtx,
    nil_group: Group,
    throughput: Throughput,
    /// Set by `stop`: batch sources no longer inject.
    stopped: bool,
}

impl ExecutingTask {
    pub(crate) fn new(
        id: String,
        pipeline: Pipeline,
        nodes: Vec<Box<dyn Node>>,
        ctx: TaskCtx,
    ) -> Self {
        let slots = pipeline
            .nodes
            .iter()
            .zip(nodes)
            .map(|(spec, node)| Slot {
                name: spec.name.clone(),
                node,
                children: spec.children.clone(),
                edge_counts: vec![0; spec.children.len()],
                collected: 0,
                errors: 0,
                quiet: spec.quiet,
                avg_exec_ns: 0.0,
                parents: spec.parents.clone(),
                group_emitted: None,
            })
            .collect::<Vec<Slot>>();
        let mut slots = slots;
        for i in 0..slots.len() {
            if let Some(o) = slots[i].node.observes()
                && let Some(observed) = slots.get_mut(o)
            {
                observed.group_emitted = Some(GroupMap::default());
            }
        }
        ExecutingTask {
            id,
            pipeline,
            slots,
            ctx,
            nil_group: Group::nil(),
            throughput: Throughput {
                last_at: Instant::now(),
                last_count: 0,
                rate: 0.0,
            },
            stopped: false,
        }
    }

    /// Runs points through the task, from its stream node.
    pub(crate) fn process(&mut self, db: &str, rp: &str, points: &[Point]) {
        let Self {
            slots,
            ctx,
            nil_group,
            ..
        } = self;
        for p in points {
            let msg = PointMsg {
                point: p,
                group: nil_group,
                db,
                rp,
            };
            deliver(slots, ctx, usize::MAX, 0, Msg::Point(&msg));
        }
    }

    /// True when a node of the task needs wall-clock ticks.
    pub(crate) fn wants_ticks(&self) -> bool {
        self.slots.iter().any(|s| s.node.wants_ticks())
    }

    /// Ticks every node that wants ticks, and delivers what they emit.
    pub(crate) fn tick(&mut self, now: i64) {
        let Self {
            slots,
            ctx,
            nil_group,
            ..
        } = self;
        for idx in 0..slots.len() {
            if !slots[idx].node.wants_ticks() {
                continue;
            }
            if let Some(o) = slots[idx].node.observes() {
                let snapshot: Vec<(Group, Tags, u64)> = slots
                    .get(o)
                    .and_then(|s| s.group_emitted.as_ref())
                    .map(|m| m.values().cloned().collect())
                    .unwrap_or_default();
                slots[idx].node.observed_stats(snapshot);
            }
            match slots[idx].node.tick(ctx, now) {
                Ok(emit) => {
                    // Ticks emit owned messages only; the placeholder is never forwarded.
                    let placeholder = DeleteGroupPlaceholder(nil_group.clone());
                    emit_out(
                        slots,
                        ctx,
                        idx,
                        Msg::DeleteGroup(&placeholder.0),
                        strip_same(emit),
                    );
                }
                Err(e) => {
                    slots[idx].errors += 1;
                    tracing::error!(task = %ctx.task, node = %slots[idx].name, err = %e, "error on tick");
                }
            }
        }
    }

    /// Delivers batches into the source node `node` (a batch task's query node).
    pub(crate) fn inject(&mut self, node: usize, batches: &[crate::message::Batch]) {
        if self.stopped || node >= self.slots.len() {
            return;
        }
        let Self { slots, ctx, .. } = self;
        let from = slots[node].parents.first().copied().unwrap_or(usize::MAX);
        for b in batches {
            deliver(slots, ctx, from, node, Msg::Batch(b));
        }
    }

    /// Counts a failed run of a source node.
    pub(crate) fn source_failed(&mut self, node: usize, connect: bool) {
        if let Some(s) = self.slots.get_mut(node) {
            s.errors += 1;
            s.node.source_error(connect);
        }
    }

    /// True once the task has been stopped.
    pub(crate) fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// Stops every node (handlers close their topics).
    pub(crate) fn stop(&mut self) {
        self.stopped = true;
        for s in &mut self.slots {
            s.node.stop(&self.ctx);
        }
    }

    fn node_stats(slot: &Slot) -> Vec<(&'static str, Stat)> {
        let mut stats = vec![
            ("avg_exec_time_ns", Stat::Int(slot.avg_exec_ns as i64)),
            ("errors", Stat::Int(slot.errors as i64)),
            (
                "working_cardinality",
                Stat::Int(slot.node.cardinality() as i64),
            ),
        ];
        slot.node.stats(&mut stats);
        stats.sort_by(|a, b| a.0.cmp(b.0));
        stats
    }

    fn update_throughput(&mut self) -> f64 {
        let count = self.slots.first().map(|s| s.collected).unwrap_or(0);
        let elapsed = self.throughput.last_at.elapsed().as_secs_f64();
        if elapsed >= 1.0 {
            self.throughput.rate = (count - self.throughput.last_count) as f64 / elapsed;
            self.throughput.last_at = Instant::now();
            self.throughput.last_count = count;
        }
        self.throughput.rate
    }

    /// `{"task-stats": {...}, "node-stats": {...}}` as Kapacitor's ExecutionStats.
    pub(crate) fn stats_json(&mut self) -> Value {
        let throughput = self.update_throughput();
        let mut nodes = Map::new();
        for s in &self.slots {
            let mut m = Map::new();
            for (k, v) in Self::node_stats(s) {
                let Stat::Int(i) = v;
                m.insert(k.to_string(), Value::from(i));
            }
            m.insert("collected".into(), Value::from(s.collected));
            m.insert(
                "emitted".into(),
                Value::from(s.edge_counts.iter().sum::<u64>()),
            );
            nodes.insert(s.name.clone(), Value::Object(m));
        }
        let mut task = Map::new();
        task.insert("throughput".into(), Value::from(throughput));
        let mut out = Map::new();
        out.insert("node-stats".into(), Value::Object(nodes));
        out.insert("task-stats".into(), Value::Object(task));
        Value::Object(out)
    }

    /// The DOT graph with live statistics, as Kapacitor's `EDot`.
    pub(crate) fn dot(&mut self, labels: bool) -> String {
        let throughput = self.update_throughput();
        let unit = match self.pipeline.task_type {
            TaskType::Stream => "points",
            TaskType::Batch => "batches",
        };
        let mut out = format!("digraph {} {{\n", self.id);
        if labels {
            let _ = writeln!(
                out,
                "graph [label=\"Throughput: {throughput:.2} {unit}/s\" forcelabels=true pad=\"0.8,0.5\"];"
            );
        } else {
            let _ = writeln!(out, "graph [throughput=\"{throughput:.2} {unit}/s\"];");
        }
        for s in &self.slots {
            let stats = Self::node_stats(s);
            if labels {
                let _ = write!(out, "\n{} [xlabel=\"", s.name);
                for (i, (k, v)) in stats.iter().enumerate() {
                    if i > 0 {
                        out.push_str("\\r");
                    }
                    let _ = write!(out, "{k}={}", stat_text(k, *v));
                }
                out.push_str("\"];\n");
            } else {
                let _ = write!(out, "\n{} [", s.name);
                for (k, v) in &stats {
                    let _ = write!(out, "{k}=\"{}\" ", stat_text(k, *v));
                }
                out.push_str("];\n");
            }
            for (i, c) in s.children.iter().enumerate() {
                let child = &self.slots[*c].name;
                if labels {
                    let _ = writeln!(
                        out,
                        "{} -> {} [label=\"processed={}\"];",
                        s.name, child, s.edge_counts[i]
                    );
                } else {
                    let _ = writeln!(
                        out,
                        "{} -> {} [processed=\"{}\"];",
                        s.name, child, s.edge_counts[i]
                    );
                }
            }
        }
        out.push('}');
        out
    }

    /// The httpOut result for an endpoint.
    pub(crate) fn http_out(&self, endpoint: &str) -> Option<kapa_models::SeriesResult> {
        self.slots.iter().find_map(|s| match s.node.http_out() {
            Some((e, r)) if e == endpoint => Some(r),
            _ => None,
        })
    }
}

struct DeleteGroupPlaceholder(Group);

/// Counts a point or batch for its group (Kapacitor's per-group emitted statistic).
fn count_group(counts: &mut GroupMap<(Group, Tags, u64)>, msg: Msg<'_>) {
    let (group, tags) = match msg {
        Msg::Point(p) => {
            if let Some(e) = counts.get_mut(&p.group.id) {
                e.2 += 1;
                return;
            }
            let mut tags = Tags::with_capacity(p.group.dims.tags.len());
            for d in &p.group.dims.tags {
                tags.insert(d.clone(), p.point.tags.get(d).cloned().unwrap_or_default());
            }
            (p.group, tags)
        }
        Msg::Batch(b) => {
            if let Some(e) = counts.get_mut(&b.group.id) {
                e.2 += 1;
                return;
            }
            (&b.group, b.tags.clone())
        }
        _ => return,
    };
    counts.insert(group.id.clone(), (group.clone(), tags, 1));
}

/// A tick has no input to pass on.
fn strip_same(e: Emit) -> Emit {
    match e {
        Emit::Same | Emit::Point { point: None, .. } => Emit::Drop,
        other => other,
    }
}

/// Kapacitor prints `avg_exec_time_ns` as a Go duration in DOT, other stats as integers.
fn stat_text(key: &str, v: Stat) -> String {
    let Stat::Int(i) = v;
    if key == "avg_exec_time_ns" {
        kapa_models::duration::format_go(i)
    } else {
        i.to_string()
    }
}

fn deliver(slots: &mut [Slot], ctx: &TaskCtx, from: usize, idx: usize, msg: Msg<'_>) {
    let slot = &mut slots[idx];
    let parent = slot.parents.iter().position(|p| *p == from).unwrap_or(0);
    slot.collected += 1;
    let timed = slot.collected % TIMING_SAMPLE == 1;
    let start = timed.then(Instant::now);
    let result = match msg {
        Msg::Point(p) => slot.node.point_from(ctx, parent, p),
        Msg::Batch(b) => slot.node.batch_from(ctx, parent, b),
        Msg::Barrier(b) => slot.node.barrier(ctx, b),
        Msg::DeleteGroup(g) => slot.node.delete_group(ctx, g),
    };
    if let Some(start) = start {
        let ns = start.elapsed().as_nanos() as f64;
        slot.avg_exec_ns = if slot.avg_exec_ns == 0.0 {
            ns
        } else {
            slot.avg_exec_ns * 0.9 + ns * 0.1
        };
    }
    match result {
        Ok(emit) => emit_out(slots, ctx, idx, msg, emit),
        Err(e) => {
            slot.errors += 1;
            if !slot.quiet {
                tracing::error!(task = %ctx.task, node = %slot.name, err = %e, "error while evaluating expression");
            }
        }
    }
}

fn emit_out(slots: &mut [Slot], ctx: &TaskCtx, idx: usize, msg: Msg<'_>, emit: Emit) {
    let (db, rp) = match msg {
        Msg::Point(p) => (p.db, p.rp),
        _ => ("", ""),
    };
    match emit {
        Emit::Drop => {}
        Emit::Same => forward(slots, ctx, idx, msg),
        Emit::Point { point, group } => {
            let (in_point, in_group) = match msg {
                Msg::Point(p) => (Some(p.point), Some(p.group)),
                Msg::Batch(b) => (None, Some(&b.group)),
                Msg::Barrier(b) => (None, Some(&b.group)),
                Msg::DeleteGroup(g) => (None, Some(g)),
            };
            let (Some(point), Some(group)) =
                (point.as_ref().or(in_point), group.as_ref().or(in_group))
            else {
                return;
            };
            let m = PointMsg {
                point,
                group,
                db,
                rp,
            };
            forward(slots, ctx, idx, Msg::Point(&m));
        }
        Emit::Batch(b) => forward(slots, ctx, idx, Msg::Batch(&b)),
        Emit::Many(outs) => {
            for out in outs {
                match out {
                    Out::Point { point, group } => {
                        let m = PointMsg {
                            point: &point,
                            group: &group,
                            db,
                            rp,
                        };
                        forward(slots, ctx, idx, Msg::Point(&m));
                    }
                    Out::Batch(b) => forward(slots, ctx, idx, Msg::Batch(&b)),
                    Out::Barrier(b) => forward(slots, ctx, idx, Msg::Barrier(&b)),
                    Out::DeleteGroup(g) => forward(slots, ctx, idx, Msg::DeleteGroup(&g)),
                }
            }
        }
    }
}

fn forward(slots: &mut [Slot], ctx: &TaskCtx, idx: usize, msg: Msg<'_>) {
    if let Some(counts) = slots[idx].group_emitted.as_mut() {
        count_group(counts, msg);
    }
    for k in 0..slots[idx].children.len() {
        let child = slots[idx].children[k];
        slots[idx].edge_counts[k] += 1;
        deliver(slots, ctx, idx, child, msg);
    }
}

/// Shared handle type for tasks.
pub(crate) type TaskHandle = Arc<parking_lot::Mutex<ExecutingTask>>;
