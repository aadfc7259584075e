//! The InfluxQL function nodes (`|mean('f')`, `|top(...)`...): reduce each batch, or the
//! points of a group that share a time on a stream; transformations map every point and
//! keep their state per group (mirrors influxql.go and influxql.gen.go).
//!
//! Like Kapacitor, a point that cannot be aggregated (missing field, wrong type, a function
//! that does not apply to the type) is logged and skipped without counting a node error.

use kapa_models::{FieldValue, Fields, Point, Tags};
use kapa_pipeline::nodes::InfluxQlSpec;
use smol_str::SmolStr;

use crate::batch_points::BatchPoints;
use crate::influxql::{Aux, Context, Func, Kind, Output, ZERO_TIME};
use crate::message::{Batch, BatchPoint, Group, GroupMap, PointMsg};
use crate::node::{Emit, Node, TaskCtx};

/// Per-group state: Kapacitor's baseReduceContext plus the realized reducer.
struct GroupState {
    /// Measurement of the points being reduced.
    name: SmolStr,
    /// Time of the points being reduced (stream reducers).
    time: i64,
    /// The group's tags (dimension values).
    tags: Tags,
    /// The realized reducer, `None` until a point with the field arrives.
    ctx: Option<Context>,
    /// A reducer kept for reuse once its results were emitted.
    spare: Option<Context>,
}

pub(crate) struct InfluxQlNode {
    spec: InfluxQlSpec,
    func: Result<Func, String>,
    /// The output field name.
    as_: String,
    /// Whether results carry the times of the points they come from.
    point_times: bool,
    groups: GroupMap<GroupState>,
    /// Batch reducers live for one batch; the last one is reused.
    spare: Option<Context>,
}

impl InfluxQlNode {
    pub(crate) fn new(spec: InfluxQlSpec) -> Self {
        let func = Func::from_spec(&spec);
        // Kapacitor names both Holt-Winters methods `holtWinters`, which is the default `.as()`.
        let as_ = if spec.method == "holtWintersWithFit" && spec.as_ == spec.method {
            "holtWinters".to_string()
        } else {
            spec.as_.clone()
        };
        let point_times = spec.use_point_times || func.as_ref().is_ok_and(Func::forces_point_times);
        InfluxQlNode {
            spec,
            func,
            as_,
            point_times,
            groups: Default::default(),
            spare: None,
        }
    }
}

fn log(ctx: &TaskCtx, what: &str, err: &str) {
    tracing::error!(task = %ctx.task, err = %err, "{what}");
}

/// Group tags of a stream point: its values of the group's dimensions ("" when missing).
fn group_tags(group: &Group, tags: &Tags) -> Tags {
    let mut out = Tags::with_capacity(group.dims.tags.len());
    for d in &group.dims.tags {
        out.insert(d.clone(), tags.get(d).cloned().unwrap_or_default());
    }
    out
}

/// Turns reduced points into Kapacitor's output points and batches (the emitters of
/// influxql.gen.go).
struct Emitter<'a> {
    func: &'a Func,
    field: &'a str,
    as_: &'a str,
    point_times: bool,
    name: &'a SmolStr,
    /// The batch's upper bound, or the reduced stream points' time.
    time: i64,
    tags: &'a Tags,
    batch: Option<&'a BatchPoints>,
}

impl Emitter<'_> {
    fn time_of(&self, t: i64) -> i64 {
        if self.point_times && t != ZERO_TIME {
            t
        } else {
            self.time
        }
    }

    fn value_fields(&self, value: FieldValue) -> Fields {
        let mut f = Fields::with_capacity(1);
        f.insert(self.as_, value);
        f
    }

    fn selected(&self, aux: Aux) -> Option<(Tags, Fields)> {
        match aux {
            Aux::None => None,
            Aux::Index(i) => self
                .batch
                .and_then(|b| b.row(i))
                .map(|p| (p.tags, p.fields)),
            Aux::Owned(b) => Some(*b),
        }
    }

    fn selected_tags(&self, aux: &Aux) -> Option<Tags> {
        match aux {
            Aux::None => None,
            Aux::Index(i) => self.batch.and_then(|b| b.row(*i)).map(|p| p.tags),
            Aux::Owned(b) => Some(b.0.clone()),
        }
    }

    /// One output point: a selector's is the selected point (its tags, all its fields, the
    /// reduced one renamed); others carry the group tags and one field.
    fn point(&self, out: Output) -> Point {
        let time = self.time_of(out.time);
        if self.func.simple_selector()
            && let Some((tags, mut fields)) = self.selected(out.aux)
        {
            if self.as_ != self.field
                && let Some(v) = fields.remove(self.field)
            {
                fields.insert(self.as_, v);
            }
            return Point {
                name: self.name.clone(),
                tags,
                fields,
                time,
            };
        }
        Point {
            name: self.name.clone(),
            tags: self.tags.clone(),
            fields: self.value_fields(out.value),
            time,
        }
    }

    /// Kapacitor emits a point only when the reducer produced exactly one.
    fn single(&self, mut outs: Vec<Output>) -> Option<Point> {
        if outs.len() != 1 {
            return None;
        }
        outs.pop().map(|o| self.point(o))
    }

    /// A batch of results: points carry the group tags merged with their own (top/bottom),
    /// and the batch time is raised to the latest point time.
    fn batch(&self, outs: Vec<Output>, group: &Group) -> Batch {
        let mut tmax = self.time;
        let points = outs
            .into_iter()
            .map(|o| {
                let time = self.time_of(o.time);
                tmax = tmax.max(time);
                let tags = match self.selected_tags(&o.aux) {
                    Some(own) if !own.is_empty() => {
                        let mut tags = self.tags.clone();
                        for (k, v) in own.iter() {
                            tags.insert(k.clone(), v.clone());
                        }
                        tags
                    }
                    _ => self.tags.clone(),
                };
                BatchPoint {
                    time,
                    fields: self.value_fields(o.value),
                    tags,
                }
            })
            .collect();
        Batch {
            name: self.name.clone(),
            group: group.clone(),
            tags: self.tags.clone(),
            tmax,
            points,
        }
    }
}

/// What every emission needs from the node, borrowed apart from the group map.
struct Shared<'a> {
    func: &'a Func,
    field: &'a str,
    as_: &'a str,
    point_times: bool,
}

impl<'a> Shared<'a> {
    fn emitter<'b>(
        &self,
        name: &'b SmolStr,
        time: i64,
        tags: &'b Tags,
        batch: Option<&'b BatchPoints>,
    ) -> Emitter<'b>
    where
        'a: 'b,
    {
        Emitter {
            func: self.func,
            field: self.field,
            as_: self.as_,
            point_times: self.point_times,
            name,
            time,
            tags,
            batch,
        }
    }

    /// Aggregates a stream point into its group's reducer, realizing it first if needed;
    /// false when it cannot be realized.
    fn aggregate_stream(&self, ctx: &TaskCtx, st: &mut GroupState, p: &Point) -> bool {
        if st.ctx.is_none() {
            match Context::realize(self.func, self.field, &p.fields, st.spare.take()) {
                Ok(c) => st.ctx = Some(c),
                Err(e) => {
                    log(ctx, "failed to realize reduce context from fields", &e);
                    return false;
                }
            }
        }
        if let Some(c) = st.ctx.as_mut()
            && let Err(e) = c.aggregate(self.field, p.time, None, &p.tags, &p.fields)
        {
            log(ctx, "failed to aggregate point", &e);
        }
        true
    }

    /// The point or batch a stream reducer's context emits.
    fn emit_stream(&self, c: &mut Context, st: &GroupState, group: &Group) -> Emit {
        let outs = c.emit();
        let em = self.emitter(&st.name, st.time, &st.tags, None);
        if self.func.batch_output() {
            return Emit::Batch(em.batch(outs, group));
        }
        match em.single(outs) {
            Some(p) => Emit::Point {
                point: Some(p),
                group: None,
            },
            None => Emit::Drop,
        }
    }
}

impl InfluxQlNode {
    fn parts(
        &mut self,
    ) -> Result<(Shared<'_>, &mut GroupMap<GroupState>, &mut Option<Context>), String> {
        let InfluxQlNode {
            spec,
            func,
            as_,
            point_times,
            groups,
            spare,
        } = self;
        let func = func.as_ref().map_err(Clone::clone)?;
        Ok((
            Shared {
                func,
                field: &spec.field,
                as_,
                point_times: *point_times,
            },
            groups,
            spare,
        ))
    }
}

impl Node for InfluxQlNode {
    fn point(&mut self, ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let (sh, groups, _) = self.parts()?;
        let p = msg.point;
        if !groups.contains_key(&msg.group.id) {
            let st = GroupState {
                name: p.name.clone(),
                time: p.time,
                tags: group_tags(msg.group, &p.tags),
                ctx: None,
                spare: None,
            };
            groups.insert(msg.group.id.clone(), st);
        }
        let Some(st) = groups.get_mut(&msg.group.id) else {
            return Ok(Emit::Drop);
        };

        if sh.func.transformation() {
            // Every point goes in and its result (if any) comes straight out.
            if !sh.aggregate_stream(ctx, st, p) {
                return Ok(Emit::Drop);
            }
            let Some(mut c) = st.ctx.take() else {
                return Ok(Emit::Drop);
            };
            let out = sh.emit_stream(&mut c, st, msg.group);
            st.ctx = Some(c);
            return Ok(out);
        }

        if p.time == st.time {
            sh.aggregate_stream(ctx, st, p);
            return Ok(Emit::Drop);
        }
        // A new time: emit what the previous time reduced to, then start over.
        let out = match st.ctx.take() {
            Some(mut c) => {
                let out = sh.emit_stream(&mut c, st, msg.group);
                st.spare = Some(c);
                out
            }
            None => Emit::Drop,
        };
        st.name = p.name.clone();
        st.time = p.time;
        sh.aggregate_stream(ctx, st, p);
        Ok(out)
    }

    fn batch(&mut self, ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        let (sh, groups, spare) = self.parts()?;
        let field = sh.field;
        // Kapacitor keeps the name and tags of a group's first batch for its results.
        let st = match groups.get(&b.group.id) {
            Some(st) => st,
            None => {
                let st = GroupState {
                    name: b.name.clone(),
                    time: b.tmax,
                    tags: b.tags.clone(),
                    ctx: None,
                    spare: None,
                };
                groups.insert(b.group.id.clone(), st);
                match groups.get(&b.group.id) {
                    Some(st) => st,
                    None => return Ok(Emit::Drop),
                }
            }
        };

        if sh.func.transformation() {
            // A transformation starts afresh with every batch and maps each of its points.
            let em = sh.emitter(&b.name, b.tmax, &b.tags, Some(&b.points));
            let mut out = Batch {
                name: b.name.clone(),
                group: b.group.clone(),
                tags: b.tags.clone(),
                tmax: b.tmax,
                points: Vec::with_capacity(b.points.len()).into(),
            };
            let mut c: Option<Context> = None;
            for (i, bp) in b.points.iter().enumerate() {
                if c.is_none() {
                    match Context::realize(sh.func, field, &bp.fields, spare.take()) {
                        Ok(r) => c = Some(r),
                        Err(e) => {
                            log(ctx, "failed to realize reduce context from fields", &e);
                            continue;
                        }
                    }
                }
                let Some(r) = c.as_mut() else { continue };
                if let Err(e) = r.aggregate(field, bp.time, Some(i), &bp.tags, &bp.fields) {
                    log(ctx, "failed to aggregate batch point", &e);
                }
                let mut outs = r.emit();
                if outs.len() == 1
                    && let Some(o) = outs.pop()
                {
                    out.points.push(BatchPoint {
                        time: em.time_of(o.time),
                        fields: em.value_fields(o.value),
                        tags: b.tags.clone(),
                    });
                }
            }
            if c.is_some() {
                *spare = c;
            }
            return Ok(Emit::Batch(out));
        }

        let mut c: Option<Context> = None;
        let mut size = 0usize;
        // Read in place: a window's buffer is reduced without building its rows.
        b.points.for_each(|i, time, tags, fields| {
            if c.is_none() {
                match Context::realize(sh.func, field, fields, spare.take()) {
                    Ok(r) => c = Some(r),
                    Err(e) => {
                        log(ctx, "failed to realize reduce context from fields", &e);
                        return;
                    }
                }
            }
            size += 1;
            if let Some(r) = c.as_mut()
                && let Err(e) = r.aggregate(field, time, Some(i), tags, fields)
            {
                log(ctx, "failed to aggregate point in batch", &e);
            }
        });
        if size == 0 && !sh.func.empty_ok() {
            if c.is_some() {
                *spare = c;
            }
            return Ok(Emit::Drop);
        }
        // A batch without the field is taken as float, as Kapacitor does.
        let mut r = match c {
            Some(r) => r,
            None => Context::for_kind(sh.func, field, Kind::Float, spare.take())?,
        };
        let outs = r.emit();
        let em = sh.emitter(&st.name, b.tmax, &st.tags, Some(&b.points));
        let emit = if sh.func.batch_output() {
            Emit::Batch(em.batch(outs, &b.group))
        } else {
            match em.single(outs) {
                Some(p) => Emit::Point {
                    point: Some(p),
                    group: None,
                },
                None => Emit::Drop,
            }
        };
        *spare = Some(r);
        Ok(emit)
    }

    fn delete_group(
        &mut self,
        _ctx: &TaskCtx,
        group: &crate::message::Group,
    ) -> Result<Emit, String> {
        self.groups.remove(&group.id);
        Ok(Emit::Same)
    }

    fn cardinality(&self) -> usize {
        self.groups.len()
    }
}
