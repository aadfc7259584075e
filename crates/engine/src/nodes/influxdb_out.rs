//! `|influxDBOut()`: buffers points and hands them to a background writer that writes them
//! to InfluxDB in order, retrying while it is down (mirrors influxdb_out.go, which drops
//! points on a failed write instead).

use std::sync::Arc;
use std::time::Duration;

use kapa_influxdb::{BufferedWriter, Clusters, WriteTarget, WriterOptions, WriterStats};
use kapa_models::Point;
use kapa_pipeline::nodes::InfluxDbOutSpec;

use crate::message::{Batch, PointMsg};
use crate::node::{Emit, Node, Stat, TaskCtx};

/// How long stopping a task waits for buffered points to be written.
const STOP_GRACE: Duration = Duration::from_secs(10);

pub(crate) struct InfluxDbOutNode {
    spec: InfluxDbOutSpec,
    target: WriteTarget,
    writer: Option<BufferedWriter>,
    stats: Arc<WriterStats>,
    buf: Vec<Point>,
    last_flush: i64,
}

impl InfluxDbOutNode {
    pub(crate) fn new(spec: InfluxDbOutSpec, ctx: &TaskCtx, name: &str) -> Result<Self, String> {
        let cluster = ctx
            .influxdb
            .as_ref()
            .and_then(|c| c.get(&spec.cluster))
            .ok_or_else(|| Clusters::unknown(&spec.cluster).to_string())?;
        let setup = spec.create.then(|| {
            let mut stmt = format!("CREATE DATABASE {}", quote(&spec.database));
            if !spec.retention_policy.is_empty() {
                stmt.push_str(&format!(" WITH NAME {}", quote(&spec.retention_policy)));
            }
            (String::new(), stmt)
        });
        let writer = BufferedWriter::start(
            cluster,
            WriterOptions {
                // Room for 100 full buffers (at least 100,000 points) while InfluxDB is down.
                max_queued_points: (spec.buffer.max(1) as usize)
                    .saturating_mul(100)
                    .max(100_000),
                setup,
                name: format!("{}:{name}", ctx.task),
                ..WriterOptions::default()
            },
        );
        Ok(InfluxDbOutNode {
            target: WriteTarget {
                database: spec.database.clone(),
                retention_policy: spec.retention_policy.clone(),
                precision: spec.precision.clone(),
                consistency: spec.write_consistency.clone(),
            },
            stats: writer.stats(),
            writer: Some(writer),
            buf: Vec::with_capacity(spec.buffer.clamp(1, 100_000) as usize),
            last_flush: 0,
            spec,
        })
    }

    fn add(&mut self, mut p: Point) {
        if !self.spec.measurement.is_empty() {
            p.name = self.spec.measurement.as_str().into();
        }
        for (k, v) in &self.spec.tags {
            p.tags.insert(k.as_str(), v.as_str().into());
        }
        self.buf.push(p);
        if self.buf.len() as i64 >= self.spec.buffer {
            self.flush();
        }
    }

    fn flush(&mut self) {
        if self.buf.is_empty() {
            return;
        }
        let points = std::mem::replace(
            &mut self.buf,
            Vec::with_capacity(self.spec.buffer.clamp(1, 100_000) as usize),
        );
        if let Some(w) = &self.writer {
            w.push(self.target.clone(), points);
        }
    }
}

/// An identifier double-quoted for InfluxQL.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Node for InfluxDbOutNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        self.add(msg.point.clone());
        Ok(Emit::Drop)
    }

    fn batch(&mut self, _ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        for bp in &b.points {
            self.add(Point {
                name: b.name.clone(),
                tags: bp.tags.clone(),
                fields: bp.fields.clone(),
                time: bp.time,
            });
        }
        Ok(Emit::Drop)
    }

    fn wants_ticks(&self) -> bool {
        true
    }

    fn tick(&mut self, _ctx: &TaskCtx, now: i64) -> Result<Emit, String> {
        if self.last_flush == 0 {
            self.last_flush = now;
        } else if now - self.last_flush >= self.spec.flush_interval {
            self.last_flush = now;
            self.flush();
        }
        Ok(Emit::Drop)
    }

    fn stats(&self, out: &mut Vec<(&'static str, Stat)>) {
        use std::sync::atomic::Ordering::Relaxed;
        out.push((
            "points_written",
            Stat::Int(self.stats.points_written.load(Relaxed) as i64),
        ));
        out.push((
            "write_errors",
            Stat::Int(self.stats.write_errors.load(Relaxed) as i64),
        ));
    }

    fn stop(&mut self, _ctx: &TaskCtx) {
        self.flush();
        if let Some(w) = self.writer.take() {
            w.close(STOP_GRACE);
        }
    }
}
