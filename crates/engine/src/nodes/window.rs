//! `|window()`: buffers points per group and emits them as batches, by time (period/every,
//! align, fillPeriod, every 0) or by count (mirrors window.go).

use std::sync::Arc;

use kapa_models::Tags;
use kapa_pipeline::nodes::WindowSpec;
use smol_str::SmolStr;

use crate::batch_points::BatchPoints;
use crate::message::{Barrier, Batch, Group, GroupMap, PointMsg};
use crate::node::{Emit, Node, TaskCtx};
use crate::time::truncate;
use crate::window_buffer::WindowBuffer;

struct GroupWindow {
    name: SmolStr,
    group: Group,
    tags: Tags,
    /// Shared with the batches it emitted; written through `Arc::make_mut`, so it is copied
    /// only if a node downstream still holds one of them.
    buf: Arc<WindowBuffer>,
    /// Time windows: the next emit time. Count windows: the count at which to emit next.
    next_emit: i64,
    count: i64,
}

pub(crate) struct WindowNode {
    spec: WindowSpec,
    windows: GroupMap<GroupWindow>,
}

impl WindowNode {
    pub(crate) fn new(spec: WindowSpec) -> Self {
        WindowNode {
            spec,
            windows: Default::default(),
        }
    }

    fn first_emit(&self, now: i64) -> i64 {
        let (period, every, align) = (self.spec.period, self.spec.every, self.spec.align);
        if self.spec.fill_period {
            let first = now + period;
            if align {
                let t = truncate(first, every);
                if t <= first { t + every } else { t }
            } else {
                first
            }
        } else if align {
            truncate(now + every, every)
        } else {
            now + every
        }
    }
}

fn batch_of(w: &GroupWindow, tmax: i64) -> Batch {
    Batch {
        name: w.name.clone(),
        group: w.group.clone(),
        tags: w.tags.clone(),
        tmax,
        points: BatchPoints::window(w.buf.clone()),
    }
}

impl Node for WindowNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let p = msg.point;
        if !self.windows.contains_key(&msg.group.id) {
            let mut tags = Tags::with_capacity(msg.group.dims.tags.len());
            for d in &msg.group.dims.tags {
                tags.insert(d.clone(), p.tags.get(d).cloned().unwrap_or_default());
            }
            let next_emit = if self.spec.period_count > 0 {
                if self.spec.fill_period {
                    self.spec.period_count
                } else {
                    self.spec.every_count
                }
            } else {
                self.first_emit(p.time)
            };
            self.windows.insert(
                msg.group.id.clone(),
                GroupWindow {
                    name: p.name.clone(),
                    group: msg.group.clone(),
                    tags,
                    buf: Arc::new(WindowBuffer::new()),
                    next_emit,
                    count: 0,
                },
            );
        }
        let spec = &self.spec;
        let Some(w) = self.windows.get_mut(&msg.group.id) else {
            return Ok(Emit::Drop);
        };

        if spec.period_count > 0 {
            Arc::make_mut(&mut w.buf).push(p.time, &p.tags, &p.fields);
            if w.buf.len() as i64 > spec.period_count {
                Arc::make_mut(&mut w.buf).pop_front();
            }
            w.count += 1;
            if w.count == w.next_emit {
                w.next_emit += spec.every_count;
                let tmax = w.buf.back_time().unwrap_or(p.time);
                return Ok(Emit::Batch(batch_of(w, tmax)));
            }
            return Ok(Emit::Drop);
        }

        if spec.every == 0 {
            // Emitting on every point: a right-closed window (oldest, now].
            Arc::make_mut(&mut w.buf).push(p.time, &p.tags, &p.fields);
            if p.time >= w.next_emit {
                let oldest = p.time - spec.period;
                while w.buf.front_time().is_some_and(|t| t <= oldest) {
                    Arc::make_mut(&mut w.buf).pop_front();
                }
                w.next_emit = p.time;
                return Ok(Emit::Batch(batch_of(w, p.time)));
            }
            return Ok(Emit::Drop);
        }

        // Several points may share a time: a left-closed window [oldest, next_emit).
        let mut out = None;
        if p.time >= w.next_emit {
            let oldest = w.next_emit - spec.period;
            while w.buf.front_time().is_some_and(|t| t < oldest) {
                Arc::make_mut(&mut w.buf).pop_front();
            }
            out = Some(batch_of(w, w.next_emit));
            w.next_emit = p.time + spec.every;
            if spec.align {
                w.next_emit = truncate(w.next_emit, spec.every);
            }
        }
        Arc::make_mut(&mut w.buf).push(p.time, &p.tags, &p.fields);
        Ok(match out {
            Some(b) => Emit::Batch(b),
            None => Emit::Drop,
        })
    }

    fn barrier(&mut self, _ctx: &TaskCtx, b: &Barrier) -> Result<Emit, String> {
        let spec = &self.spec;
        // Count windows pass barriers on; time windows never do (window.go): a barrier only
        // closes the current window, as a point at its time would.
        if spec.period_count > 0 {
            return Ok(Emit::Same);
        }
        let Some(w) = self.windows.get_mut(&b.group.id) else {
            return Ok(Emit::Drop);
        };
        if b.time < w.next_emit {
            return Ok(Emit::Drop);
        }
        let batch = if spec.every == 0 {
            let oldest = b.time - spec.period;
            while w.buf.front_time().is_some_and(|t| t <= oldest) {
                Arc::make_mut(&mut w.buf).pop_front();
            }
            w.next_emit = b.time;
            batch_of(w, b.time)
        } else {
            let oldest = w.next_emit - spec.period;
            while w.buf.front_time().is_some_and(|t| t < oldest) {
                Arc::make_mut(&mut w.buf).pop_front();
            }
            let batch = batch_of(w, w.next_emit);
            w.next_emit = b.time + spec.every;
            if spec.align {
                w.next_emit = truncate(w.next_emit, spec.every);
            }
            batch
        };
        Ok(Emit::Batch(batch))
    }

    fn delete_group(&mut self, _ctx: &TaskCtx, group: &Group) -> Result<Emit, String> {
        // Kapacitor passes a deletion on only from the groups it has.
        Ok(if self.windows.remove(&group.id).is_some() {
            Emit::Same
        } else {
            Emit::Drop
        })
    }

    fn cardinality(&self) -> usize {
        self.windows.len()
    }
}
