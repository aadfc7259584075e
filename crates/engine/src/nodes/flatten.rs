//! `|flatten()` runtime (mirrors flatten.go): within a group, the points that share a
//! (rounded) time become one point whose fields are named after the `.on()` tag values,
//! e.g. `auth.server01.value`.
//!
//! A group's points are held until a point of another time arrives; in a batch, the points of
//! one time become one batch point, the last time's when the batch ends.

use kapa_models::{Fields, Point, Tags};
use kapa_pipeline::nodes::FlattenSpec;
use smol_str::SmolStr;

use super::join::{ZERO, go_round, group_tags};
use crate::message::{Batch, BatchPoint, Group, GroupMap, PointMsg};
use crate::node::{Emit, Node, TaskCtx};

struct Raw {
    fields: Fields,
    tags: Tags,
}

struct Buffer {
    time: i64,
    name: SmolStr,
    group: Group,
    /// The group's dimension tags: the tags of what is emitted.
    tags: Tags,
    points: Vec<Raw>,
}

impl Buffer {
    /// Adds a point of rounded time `t`; returns the flattened fields of the previous time
    /// and that time when `t` starts a new one.
    fn add(&mut self, spec: &FlattenSpec, ctx: &TaskCtx, t: i64, p: Raw) -> Option<(i64, Fields)> {
        let mut done = None;
        if t != self.time {
            if !self.points.is_empty() {
                done = Some((self.time, flatten(spec, ctx, &self.points)));
                self.points.clear();
            }
            self.time = t;
        }
        self.points.push(p);
        done.filter(|(_, f)| !f.is_empty())
    }
}

/// Merges the points' fields under names made of their `.on()` tag values.
fn flatten(spec: &FlattenSpec, ctx: &TaskCtx, points: &[Raw]) -> Fields {
    let mut fields = Fields::new();
    'points: for p in points {
        let mut prefix = String::new();
        for (i, tag) in spec.on.iter().enumerate() {
            match p.tags.get(tag) {
                Some(v) => {
                    if i > 0 {
                        prefix.push_str(&spec.delimiter);
                    }
                    prefix.push_str(v);
                }
                None => {
                    tracing::error!(task = %ctx.task, tag = %tag, "point missing tag for flatten operation");
                    continue 'points;
                }
            }
        }
        for (name, value) in p.fields.iter() {
            let mut key = prefix.clone();
            if !spec.drop_original_field_name {
                if !key.is_empty() {
                    key.push_str(&spec.delimiter);
                }
                key.push_str(name);
            }
            fields.insert(key, value.clone());
        }
    }
    fields
}

pub(crate) struct FlattenNode {
    spec: FlattenSpec,
    groups: GroupMap<Buffer>,
}

impl FlattenNode {
    pub(crate) fn new(spec: FlattenSpec) -> Self {
        FlattenNode {
            spec,
            groups: Default::default(),
        }
    }
}

/// The group's buffer, created from its first message.
fn buffer<'a>(
    groups: &'a mut GroupMap<Buffer>,
    group: &Group,
    time: i64,
    name: &SmolStr,
    tags: impl FnOnce() -> Tags,
) -> &'a mut Buffer {
    groups.entry(group.id.clone()).or_insert_with(|| Buffer {
        time,
        name: name.clone(),
        group: group.clone(),
        tags: tags(),
        points: Vec::new(),
    })
}

impl Node for FlattenNode {
    fn point(&mut self, ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let p = msg.point;
        let t = go_round(p.time, self.spec.tolerance);
        let Self { spec, groups } = self;
        let buf = buffer(groups, msg.group, t, &p.name, || {
            group_tags(&p.tags, &msg.group.dims.tags)
        });
        let Some((time, fields)) = buf.add(
            spec,
            ctx,
            t,
            Raw {
                fields: p.fields.clone(),
                tags: p.tags.clone(),
            },
        ) else {
            return Ok(Emit::Drop);
        };
        let point = Point {
            name: buf.name.clone(),
            tags: buf.tags.clone(),
            fields,
            time,
        };
        Ok(Emit::Point {
            point: Some(point),
            group: Some(buf.group.clone()),
        })
    }

    fn batch(&mut self, ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        let Self { spec, groups } = self;
        let buf = buffer(
            groups,
            &b.group,
            go_round(b.tmax, spec.tolerance),
            &b.name,
            || b.tags.clone(),
        );
        buf.name = b.name.clone();
        buf.time = ZERO;
        let mut out = Batch {
            points: Vec::with_capacity(b.points.len()).into(),
            ..b.clone_empty()
        };
        for p in &b.points {
            let t = go_round(p.time, spec.tolerance);
            if let Some((time, fields)) = buf.add(
                spec,
                ctx,
                t,
                Raw {
                    fields: p.fields.clone(),
                    tags: p.tags.clone(),
                },
            ) {
                out.points.push(BatchPoint {
                    time,
                    fields,
                    tags: buf.tags.clone(),
                });
            }
        }
        if !buf.points.is_empty() {
            let fields = flatten(spec, ctx, &buf.points);
            buf.points.clear();
            out.points.push(BatchPoint {
                time: buf.time,
                fields,
                tags: buf.tags.clone(),
            });
        }
        Ok(Emit::Batch(out))
    }

    fn delete_group(&mut self, _ctx: &TaskCtx, group: &Group) -> Result<Emit, String> {
        self.groups.remove(&group.id);
        Ok(Emit::Same)
    }

    fn cardinality(&self) -> usize {
        self.groups.len()
    }
}
