//! `|combine(lambdas...)` runtime (mirrors combine.go): within a group, the points that
//! share a (rounded) time are combined into every n-tuple whose members match the lambdas
//! in order; each tuple becomes one point with fields and non-group tags prefixed by the
//! `.as()` names.
//!
//! Points are buffered per group until a point of another time arrives; a batch is combined
//! time by time, its last time when the batch ends.

use kapa_expr::{FieldsTagsScope, LambdaState};
use kapa_models::{Fields, GroupId, Point, Tags};
use kapa_pipeline::nodes::CombineSpec;
use smol_str::SmolStr;

use super::join::{ZERO, go_round};
use crate::message::{Batch, Group, GroupMap, PointMsg};
use crate::node::{Emit, Node, Out, TaskCtx};

struct Raw {
    time: i64,
    fields: Fields,
    tags: Tags,
}

struct Buffer {
    time: i64,
    name: SmolStr,
    group: Group,
    points: Vec<Raw>,
    states: Vec<LambdaState>,
}

pub(crate) struct CombineNode {
    spec: CombineSpec,
    groups: GroupMap<Buffer>,
}

/// `n` choose `k`, or `None` when `n < k` (nothing to combine).
fn choose(n: usize, k: usize) -> Option<i128> {
    if n < k {
        return None;
    }
    let mut count: i128 = 1;
    for i in 0..k as i128 {
        count = count.saturating_mul(n as i128 - i) / (i + 1);
    }
    Some(count)
}

/// Calls `f` with every k-subset of `0..n`, as sorted indices, in lexicographic order.
fn each_combination(n: usize, k: usize, mut f: impl FnMut(&[usize])) {
    if k > n {
        return;
    }
    let mut idx: Vec<usize> = (0..k).collect();
    f(&idx);
    loop {
        let Some(i) = (0..k).rev().find(|&i| idx[i] != i + n - k) else {
            return;
        };
        idx[i] += 1;
        for j in i + 1..k {
            idx[j] = idx[j - 1] + 1;
        }
        f(&idx);
    }
}

fn prefixed(prefix: &str, delimiter: &str, key: &str) -> SmolStr {
    let mut s = String::with_capacity(prefix.len() + delimiter.len() + key.len());
    s.push_str(prefix);
    s.push_str(delimiter);
    s.push_str(key);
    SmolStr::new(s)
}

impl CombineNode {
    pub(crate) fn new(spec: CombineSpec) -> Self {
        CombineNode {
            spec,
            groups: Default::default(),
        }
    }

    fn new_buffer(&self, time: i64, name: &SmolStr, group: &Group) -> Buffer {
        Buffer {
            time,
            name: name.clone(),
            group: group.clone(),
            points: Vec::new(),
            states: self.spec.lambdas.iter().map(|l| l.new_state()).collect(),
        }
    }

    /// Emits the combinations of the buffered points.
    fn combine(
        spec: &CombineSpec,
        ctx: &TaskCtx,
        buf: &mut Buffer,
        out: &mut Vec<Out>,
    ) -> Result<(), String> {
        if buf.points.is_empty() {
            return Ok(());
        }
        let k = spec.lambdas.len();
        let n = buf.points.len();
        // matches[s][i]: whether point i satisfies lambda s.
        let mut matches = vec![vec![false; n]; k];
        for (i, p) in buf.points.iter().enumerate() {
            let scope = FieldsTagsScope {
                fields: &p.fields,
                tags: &p.tags,
                time: p.time,
            };
            for (s, (lambda, state)) in spec.lambdas.iter().zip(buf.states.iter_mut()).enumerate() {
                matches[s][i] = match lambda.eval_bool(&scope, state) {
                    Ok(b) => b,
                    Err(e) => {
                        tracing::error!(task = %ctx.task, err = %e, "error evaluating lambda expression");
                        false
                    }
                };
            }
        }
        let Some(count) = choose(n, k) else {
            return Ok(());
        };
        if count > spec.max as i128 {
            return Err(format!(
                "refusing to perform combination as total combinations {count} exceeds max combinations {}",
                spec.max
            ));
        }
        let dims = &buf.group.dims;
        let mut set: Vec<usize> = Vec::with_capacity(k);
        each_combination(n, k, |indices| {
            // Each lambda in order takes the first remaining point of the tuple it matches.
            let mut remaining = indices.to_vec();
            set.clear();
            for m in &matches {
                match remaining.iter().position(|&i| m[i]) {
                    Some(pos) => set.push(remaining.remove(pos)),
                    None => return,
                }
            }
            let mut fields = Fields::new();
            let mut tags = Tags::new();
            for (slot, &i) in set.iter().enumerate() {
                let p = &buf.points[i];
                let prefix = spec.as_.get(slot).map(String::as_str).unwrap_or_default();
                for (f, v) in p.fields.iter() {
                    fields.insert(prefixed(prefix, &spec.delimiter, f), v.clone());
                }
                for (t, v) in p.tags.iter() {
                    if dims.tags.contains(t) {
                        tags.insert(t.clone(), v.clone());
                    } else {
                        tags.insert(prefixed(prefix, &spec.delimiter, t), v.clone());
                    }
                }
            }
            let time = set
                .first()
                .map(|&i| go_round(buf.points[i].time, spec.tolerance))
                .unwrap_or(buf.time);
            let id = GroupId::build(&buf.name, &tags, &dims.tags, dims.by_name);
            out.push(Out::Point {
                point: Point {
                    name: buf.name.clone(),
                    tags,
                    fields,
                    time,
                },
                group: Group {
                    id,
                    dims: dims.clone(),
                },
            });
        });
        Ok(())
    }

    /// Adds a point to its group's buffer, first combining the buffer when the time changes.
    fn add(
        spec: &CombineSpec,
        ctx: &TaskCtx,
        buf: &mut Buffer,
        p: Raw,
        out: &mut Vec<Out>,
    ) -> Result<(), String> {
        if p.time == buf.time {
            buf.points.push(p);
            return Ok(());
        }
        let r = Self::combine(spec, ctx, buf, out);
        buf.time = p.time;
        buf.points.clear();
        buf.points.push(p);
        r
    }

    fn result(out: Vec<Out>, err: Option<String>, ctx: &TaskCtx) -> Result<Emit, String> {
        match err {
            Some(e) if out.is_empty() => Err(e),
            Some(e) => {
                tracing::error!(task = %ctx.task, err = %e, "combine");
                Ok(Emit::Many(out))
            }
            None if out.is_empty() => Ok(Emit::Drop),
            None => Ok(Emit::Many(out)),
        }
    }
}

impl Node for CombineNode {
    fn point(&mut self, ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let p = msg.point;
        if !self.groups.contains_key(&msg.group.id) {
            let buf = self.new_buffer(p.time, &p.name, msg.group);
            self.groups.insert(msg.group.id.clone(), buf);
        }
        let Some(buf) = self.groups.get_mut(&msg.group.id) else {
            return Ok(Emit::Drop);
        };
        let raw = Raw {
            time: go_round(p.time, self.spec.tolerance),
            fields: p.fields.clone(),
            tags: p.tags.clone(),
        };
        let mut out = Vec::new();
        let err = Self::add(&self.spec, ctx, buf, raw, &mut out).err();
        Self::result(out, err, ctx)
    }

    fn batch(&mut self, ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        if !self.groups.contains_key(&b.group.id) {
            let buf = self.new_buffer(b.tmax, &b.name, &b.group);
            self.groups.insert(b.group.id.clone(), buf);
        }
        let Some(buf) = self.groups.get_mut(&b.group.id) else {
            return Ok(Emit::Drop);
        };
        buf.name = b.name.clone();
        buf.time = ZERO;
        let mut out = Vec::new();
        let mut err = None;
        for p in &b.points {
            let raw = Raw {
                time: go_round(p.time, self.spec.tolerance),
                fields: p.fields.clone(),
                tags: p.tags.clone(),
            };
            if let Err(e) = Self::add(&self.spec, ctx, buf, raw, &mut out) {
                err.get_or_insert(e);
            }
        }
        if let Err(e) = Self::combine(&self.spec, ctx, buf, &mut out) {
            err.get_or_insert(e);
        }
        buf.points.clear();
        Self::result(out, err, ctx)
    }

    fn delete_group(&mut self, _ctx: &TaskCtx, group: &Group) -> Result<Emit, String> {
        self.groups.remove(&group.id);
        Ok(Emit::Same)
    }

    fn cardinality(&self) -> usize {
        self.groups.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_in_lexicographic_order() {
        let mut seen = Vec::new();
        each_combination(4, 2, |c| seen.push(c.to_vec()));
        assert_eq!(
            seen,
            vec![
                vec![0, 1],
                vec![0, 2],
                vec![0, 3],
                vec![1, 2],
                vec![1, 3],
                vec![2, 3]
            ]
        );
        assert_eq!(choose(4, 2), Some(6));
        assert_eq!(choose(10, 3), Some(120));
        assert_eq!(choose(1, 2), None);
    }
}
