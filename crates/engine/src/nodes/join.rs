//! `|join(nodes...)` runtime (mirrors join.go): messages of several parents are matched by
//! group (or by the `.on()` dimensions across groups) and by time rounded to the tolerance,
//! then merged into one point or batch whose fields are prefixed with the `.as()` names.
//!
//! Per group, a set per rounded time collects at most one message per parent. A set is
//! emitted as soon as every parent has contributed; an incomplete set is emitted (filled,
//! or dropped for an inner join) once every parent has moved past its time.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use kapa_models::{FieldValue, Fields, GroupId, Point, Tags};
use kapa_pipeline::nodes::{JoinFill, JoinSpec};
use smol_str::SmolStr;

use crate::message::{Barrier, Batch, BatchPoint, Dimensions, Group, GroupMap, PointMsg};
use crate::node::{Emit, Node, Out, TaskCtx};
use crate::time::truncate;

/// Go's zero time: "not set yet" for marks and heads; earlier than any real time.
pub(super) const ZERO: i64 = i64::MIN;

/// `t.Round(d)` as Go computes it: to the nearest multiple of `d` since Go's zero time,
/// halves rounded up; `d <= 0` leaves `t` as is.
pub(super) fn go_round(t: i64, d: i64) -> i64 {
    if d <= 0 {
        return t;
    }
    let down = truncate(t, d);
    if (t as i128 - down as i128) * 2 >= d as i128 {
        down.saturating_add(d)
    } else {
        down
    }
}

/// The values of a group's dimensions in `tags` (Kapacitor's `GroupInfo().Tags`): a missing
/// tag is the empty string.
pub(super) fn group_tags(tags: &Tags, dims: &[SmolStr]) -> Tags {
    let mut out = Tags::with_capacity(dims.len());
    for d in dims {
        out.insert(d.clone(), tags.get(d).cloned().unwrap_or_default());
    }
    out
}

/// A buffered point or batch.
#[derive(Debug, Clone)]
enum Item {
    Point { point: Point, group: Group },
    Batch(Batch),
}

impl Item {
    fn time(&self) -> i64 {
        match self {
            Item::Point { point, .. } => point.time,
            Item::Batch(b) => b.tmax,
        }
    }

    fn name(&self) -> &SmolStr {
        match self {
            Item::Point { point, .. } => &point.name,
            Item::Batch(b) => &b.name,
        }
    }

    fn group(&self) -> &Group {
        match self {
            Item::Point { group, .. } => group,
            Item::Batch(b) => &b.group,
        }
    }

    fn group_tags(&self) -> Tags {
        match self {
            Item::Point { point, group } => group_tags(&point.tags, &group.dims.tags),
            Item::Batch(b) => b.tags.clone(),
        }
    }

    /// This (less specific) message carrying the tags and dimensions of a more specific one,
    /// as Kapacitor's `sendMatchPoint` rewrites the matched message.
    fn retagged_as(&self, specific: &Item) -> Item {
        let tags = specific.group_tags();
        match self {
            Item::Point { point, .. } => {
                let dims = specific.group().dims.clone();
                let id = GroupId::build(&point.name, &tags, &dims.tags, dims.by_name);
                let point = Point {
                    tags,
                    ..point.clone()
                };
                Item::Point {
                    point,
                    group: Group { id, dims },
                }
            }
            Item::Batch(b) => {
                let dims = Arc::new(Dimensions {
                    tags: tags.keys().cloned().collect(),
                    by_name: b.group.dims.by_name,
                });
                let id = GroupId::build(&b.name, &tags, &dims.tags, dims.by_name);
                Item::Batch(Batch {
                    tags,
                    group: Group { id, dims },
                    ..b.clone()
                })
            }
        }
    }
}

/// A message and the position of the parent it came from.
#[derive(Debug, Clone)]
struct Src {
    src: usize,
    item: Item,
}

/// The messages of one rounded time, at most one per parent.
struct JoinSet {
    time: i64,
    values: Vec<Option<Item>>,
    size: usize,
    /// The lowest parent position present: its message names and tags the result.
    first: usize,
}

impl JoinSet {
    fn new(time: i64, parents: usize) -> Self {
        JoinSet {
            time,
            values: vec![None; parents],
            size: 0,
            first: parents,
        }
    }

    fn ready(&self) -> bool {
        self.size == self.values.len()
    }

    fn has(&self, src: usize) -> bool {
        self.values.get(src).is_some_and(Option::is_some)
    }

    fn set(&mut self, src: usize, item: Item) {
        if let Some(slot) = self.values.get_mut(src) {
            self.first = self.first.min(src);
            *slot = Some(item);
            self.size += 1;
        }
    }
}

/// One join group: its sets by time, and how far each parent has got.
struct JoinGroup {
    sets: BTreeMap<i64, VecDeque<JoinSet>>,
    head: Vec<i64>,
    oldest: i64,
}

impl JoinGroup {
    fn new(parents: usize) -> Self {
        JoinGroup {
            sets: BTreeMap::new(),
            head: vec![ZERO; parents],
            oldest: ZERO,
        }
    }

    fn collect(&mut self, spec: &JoinSpec, src: usize, item: Item, out: &mut Vec<Out>) {
        let parents = self.head.len();
        if src >= parents {
            return;
        }
        let t = go_round(item.time(), spec.tolerance);
        if t < self.oldest || self.oldest == ZERO {
            self.oldest = t;
        }
        let queue = self.sets.entry(t).or_default();
        // Messages of one parent that fall in the same time go to successive sets.
        let idx = match queue.iter().position(|s| !s.has(src)) {
            Some(i) => i,
            None => {
                queue.push_back(JoinSet::new(t, parents));
                queue.len() - 1
            }
        };
        queue[idx].set(src, item);
        self.head[src] = t;
        let only_ready = self.only_ready_sets();
        self.emit(spec, only_ready, out);
    }

    fn barrier(&mut self, spec: &JoinSpec, src: usize, time: i64, out: &mut Vec<Out>) {
        if src >= self.head.len() {
            return;
        }
        let t = go_round(time, spec.tolerance);
        if t < self.oldest || self.oldest == ZERO {
            self.oldest = t;
        }
        self.head[src] = t;
        let only_ready = self.only_ready_sets();
        self.emit(spec, only_ready, out);
    }

    /// True while some parent has not passed the oldest time: only complete sets may go.
    fn only_ready_sets(&self) -> bool {
        self.head.iter().any(|h| *h <= self.oldest)
    }

    fn emit(&mut self, spec: &JoinSpec, mut only_ready: bool, out: &mut Vec<Out>) {
        loop {
            if self.sets.is_empty() {
                return;
            }
            if let Some(queue) = self.sets.get_mut(&self.oldest) {
                let mut i = 0;
                while i < queue.len() {
                    if queue[i].ready() || !only_ready {
                        emit_set(spec, &queue[i], out);
                        i += 1;
                    } else {
                        break;
                    }
                }
                if i == queue.len() {
                    self.sets.remove(&self.oldest);
                } else {
                    queue.drain(..i);
                }
            }
            self.oldest = self.sets.keys().next().copied().unwrap_or(ZERO);
            if only_ready {
                return;
            }
            // Every parent is past the emitted time: later sets may be complete or stale too.
            only_ready = self.only_ready_sets();
        }
    }
}

fn prefixed(prefix: &str, delimiter: &str, field: &str) -> SmolStr {
    let mut s = String::with_capacity(prefix.len() + delimiter.len() + field.len());
    s.push_str(prefix);
    s.push_str(delimiter);
    s.push_str(field);
    SmolStr::new(s)
}

/// What a missing parent contributes to a joined message.
enum Fill {
    Inner,
    Absent,
    Value(FieldValue),
}

fn fill_of(spec: &JoinSpec) -> Fill {
    match spec.fill {
        JoinFill::None => Fill::Inner,
        // Kapacitor fills with nil; a field without a value is a missing field here.
        JoinFill::Null => Fill::Absent,
        JoinFill::Number(f) => Fill::Value(FieldValue::Float(f)),
        JoinFill::Int(i) => Fill::Value(FieldValue::Int(i)),
    }
}

fn emit_set(spec: &JoinSpec, set: &JoinSet, out: &mut Vec<Out>) {
    let Some(Some(first)) = set.values.get(set.first) else {
        return;
    };
    let name = if spec.stream_name.is_empty() {
        first.name().clone()
    } else {
        SmolStr::new(&spec.stream_name)
    };
    let joined = match first {
        Item::Point { point, group } => join_points(spec, set, name, point, group),
        Item::Batch(b) => join_batches(spec, set, name, b),
    };
    if let Some(o) = joined {
        out.push(o);
    }
}

fn join_points(
    spec: &JoinSpec,
    set: &JoinSet,
    name: SmolStr,
    first: &Point,
    group: &Group,
) -> Option<Out> {
    let fill = fill_of(spec);
    let mut fields = Fields::with_capacity(set.size * first.fields.len());
    for (i, v) in set.values.iter().enumerate() {
        let prefix = spec.as_.get(i).map(String::as_str).unwrap_or_default();
        match v {
            Some(Item::Point { point, .. }) => {
                for (k, val) in point.fields.iter() {
                    fields.insert(prefixed(prefix, &spec.delimiter, k), val.clone());
                }
            }
            // A batch among points: the edge types do not let this happen.
            Some(Item::Batch(_)) => return None,
            None => match &fill {
                Fill::Inner => return None,
                Fill::Absent => {}
                // The missing parent's fields are named after the first message's fields.
                Fill::Value(val) => {
                    for k in first.fields.keys() {
                        fields.insert(prefixed(prefix, &spec.delimiter, k), val.clone());
                    }
                }
            },
        }
    }
    let tags = group_tags(&first.tags, &group.dims.tags);
    let dims = group.dims.clone();
    let id = GroupId::build(&name, &tags, &dims.tags, dims.by_name);
    Some(Out::Point {
        point: Point {
            name,
            tags,
            fields,
            time: set.time,
        },
        group: Group { id, dims },
    })
}

/// Joins the points of the batches of a set point by point, by rounded time, as
/// Kapacitor's `JoinIntoBatch` walks them.
fn join_batches(spec: &JoinSpec, set: &JoinSet, name: SmolStr, first: &Batch) -> Option<Out> {
    let n = set.values.len();
    let mut batches: Vec<Option<&Batch>> = Vec::with_capacity(n);
    for v in &set.values {
        match v {
            Some(Item::Batch(b)) => batches.push(Some(b)),
            Some(Item::Point { .. }) => return None,
            None => batches.push(None),
        }
    }
    let fill = fill_of(spec);
    let tags = first.tags.clone();
    let dims = Arc::new(Dimensions {
        tags: tags.keys().cloned().collect(),
        by_name: first.group.dims.by_name,
    });
    let id = GroupId::build(&name, &tags, &dims.tags, dims.by_name);
    let mut points = Vec::with_capacity(first.points.len());
    let mut empty = vec![false; n];
    let mut empty_count = 0;
    let mut indexes = vec![0usize; n];
    let mut field_names: Option<Vec<SmolStr>> = None;
    'set: while empty_count < n {
        let mut row: Vec<Option<&BatchPoint>> = vec![None; n];
        let mut row_time = ZERO;
        let mut count = 0;
        for i in 0..n {
            if empty[i] {
                continue;
            }
            let Some(b) = batches[i] else {
                empty_count += 1;
                empty[i] = true;
                continue;
            };
            let Some(bp) = b.points.get(indexes[i]) else {
                empty_count += 1;
                empty[i] = true;
                continue;
            };
            let t = go_round(bp.time, spec.tolerance);
            if row_time == ZERO {
                row_time = t;
            }
            if t < row_time {
                // An earlier point: start the row over from it.
                row_time = t;
                for (j, r) in row.iter_mut().enumerate() {
                    if r.is_some() {
                        indexes[j] -= 1;
                    }
                    *r = None;
                }
                row[i] = Some(bp);
                indexes[i] += 1;
                count = 1;
            } else if t == row_time {
                if field_names.is_none() {
                    field_names = Some(bp.fields.keys().cloned().collect());
                }
                row[i] = Some(bp);
                indexes[i] += 1;
                count += 1;
            }
        }
        if count == 0 {
            continue;
        }
        let mut fields = Fields::new();
        for (i, bp) in row.iter().enumerate() {
            let prefix = spec.as_.get(i).map(String::as_str).unwrap_or_default();
            match bp {
                Some(bp) => {
                    for (k, v) in bp.fields.iter() {
                        fields.insert(prefixed(prefix, &spec.delimiter, k), v.clone());
                    }
                }
                None => match &fill {
                    Fill::Inner => continue 'set,
                    Fill::Absent => {}
                    Fill::Value(val) => {
                        for k in field_names.iter().flatten() {
                            fields.insert(prefixed(prefix, &spec.delimiter, k), val.clone());
                        }
                    }
                },
            }
        }
        points.push(BatchPoint {
            time: row_time,
            fields,
            tags: tags.clone(),
        });
    }
    Some(Out::Batch(Batch {
        name,
        group: Group { id, dims },
        tags,
        tmax: set.time,
        points: points.into(),
    }))
}

pub(crate) struct JoinNode {
    spec: JoinSpec,
    parents: usize,
    on: Vec<SmolStr>,
    groups: GroupMap<JoinGroup>,
    /// The latest rounded time per (parent, `.on()` group).
    low_marks: GroupMap<Vec<i64>>,
    /// Less specific messages (`.on()` dimensions only), waiting to be matched.
    match_bufs: GroupMap<VecDeque<Src>>,
    /// More specific messages waiting for their less specific match.
    specific_bufs: GroupMap<VecDeque<Src>>,
    reported: Vec<bool>,
    all_reported: bool,
}

impl JoinNode {
    pub(crate) fn new(spec: JoinSpec) -> Self {
        // The pipeline checks there is one `.as()` name per parent.
        let parents = spec.as_.len();
        let on = spec.on.iter().map(SmolStr::new).collect();
        JoinNode {
            spec,
            parents,
            on,
            groups: Default::default(),
            low_marks: Default::default(),
            match_bufs: Default::default(),
            specific_bufs: Default::default(),
            reported: vec![false; parents],
            all_reported: parents == 0,
        }
    }

    fn collect(&mut self, group: &GroupId, s: Src, out: &mut Vec<Out>) {
        let parents = self.parents;
        self.groups
            .entry(group.clone())
            .or_insert_with(|| JoinGroup::new(parents))
            .collect(&self.spec, s.src, s.item, out);
    }

    fn send_specific(&mut self, s: Src, out: &mut Vec<Out>) {
        let id = s.item.group().id.clone();
        self.collect(&id, s, out);
    }

    fn send_match(&mut self, specific: &Src, matched: &Src, out: &mut Vec<Out>) {
        let id = specific.item.group().id.clone();
        let retagged = Src {
            src: matched.src,
            item: matched.item.retagged_as(&specific.item),
        };
        self.collect(&id, specific.clone(), out);
        self.collect(&id, retagged, out);
    }

    fn round(&self, t: i64) -> i64 {
        go_round(t, self.spec.tolerance)
    }

    /// `.on()` joins: pairs messages with more dimensions than the `.on()` ones with the
    /// message of the same time carrying only those dimensions (Kapacitor's `matchPoints`).
    fn match_points(&mut self, p: Src, out: &mut Vec<Out>) {
        if !self.all_reported {
            if let Some(r) = self.reported.get_mut(p.src) {
                *r = true;
            }
            self.all_reported = self.reported.iter().all(|r| *r);
        }
        let t = self.round(p.item.time());
        let gid = GroupId::build(
            p.item.name(),
            &p.item.group_tags(),
            &self.on,
            p.item.group().dims.by_name,
        );
        let parents = self.parents;
        let marks = self
            .low_marks
            .entry(gid.clone())
            .or_insert_with(|| vec![ZERO; parents]);
        if let Some(m) = marks.get_mut(p.src) {
            *m = t;
        }

        // The oldest time among the parents' latest (as Kapacitor computes it, a parent
        // that has not sent this group counts as Go's zero time unless it comes first).
        let mut low_mark = ZERO;
        if self.all_reported {
            for &lm in self.low_marks.get(&gid).into_iter().flatten() {
                if low_mark == ZERO || lm < low_mark {
                    low_mark = lm;
                }
            }
            // Specific messages older than every parent can no longer be matched.
            while let Some(front) = self.specific_bufs.get(&gid).and_then(|b| b.front()) {
                if self.round(front.item.time()) >= low_mark {
                    break;
                }
                if let Some(s) = self
                    .specific_bufs
                    .get_mut(&gid)
                    .and_then(VecDeque::pop_front)
                {
                    self.send_specific(s, out);
                }
            }
        }

        if p.item.group().dims.tags.len() > self.on.len() {
            let mut matched = false;
            // Taken out while matching: sending only touches the join groups.
            if let Some(mut matches) = self.match_bufs.remove(&gid) {
                let mut i = 0;
                while i < matches.len() {
                    let m = &matches[i];
                    let mt = self.round(m.item.time());
                    if mt == t {
                        self.send_match(&p, m, out);
                        matched = true;
                    }
                    if mt >= low_mark {
                        break;
                    }
                    i += 1;
                }
                // The low mark means nothing until every parent has reported.
                if self.all_reported {
                    matches.drain(..i.min(matches.len()));
                }
                self.match_bufs.insert(gid.clone(), matches);
            }
            if !matched {
                if self.all_reported && t < low_mark {
                    self.send_specific(p, out);
                } else {
                    self.specific_bufs.entry(gid).or_default().push_back(p);
                }
            }
        } else {
            self.match_bufs
                .entry(gid.clone())
                .or_default()
                .push_back(p.clone());
            while let Some(front) = self.specific_bufs.get(&gid).and_then(|b| b.front()) {
                if self.round(front.item.time()) != t {
                    break;
                }
                if let Some(s) = self
                    .specific_bufs
                    .get_mut(&gid)
                    .and_then(VecDeque::pop_front)
                {
                    self.send_match(&s, &p, out);
                }
            }
        }
    }

    fn message(&mut self, src: usize, item: Item) -> Result<Emit, String> {
        let mut out = Vec::new();
        let s = Src { src, item };
        if self.on.is_empty() {
            let id = s.item.group().id.clone();
            self.collect(&id, s, &mut out);
        } else {
            self.match_points(s, &mut out);
        }
        Ok(if out.is_empty() {
            Emit::Drop
        } else {
            Emit::Many(out)
        })
    }
}

impl Node for JoinNode {
    fn point(&mut self, ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        self.point_from(ctx, 0, msg)
    }

    fn point_from(
        &mut self,
        _ctx: &TaskCtx,
        parent: usize,
        msg: &PointMsg<'_>,
    ) -> Result<Emit, String> {
        self.message(
            parent,
            Item::Point {
                point: msg.point.clone(),
                group: msg.group.clone(),
            },
        )
    }

    fn batch(&mut self, ctx: &TaskCtx, batch: &Batch) -> Result<Emit, String> {
        self.batch_from(ctx, 0, batch)
    }

    fn batch_from(&mut self, _ctx: &TaskCtx, parent: usize, batch: &Batch) -> Result<Emit, String> {
        self.message(parent, Item::Batch(batch.clone()))
    }

    fn barrier(&mut self, ctx: &TaskCtx, b: &Barrier) -> Result<Emit, String> {
        self.barrier_from(ctx, 0, b)
    }

    fn barrier_from(&mut self, _ctx: &TaskCtx, parent: usize, b: &Barrier) -> Result<Emit, String> {
        // A barrier tells that one parent will send nothing older for the group: only that
        // parent's head moves (join.go: joinGroup.Barrier).
        let mut out = Vec::new();
        let parents = self.parents;
        let g = self
            .groups
            .entry(b.group.id.clone())
            .or_insert_with(|| JoinGroup::new(parents));
        if parent < parents {
            g.barrier(&self.spec, parent, b.time, &mut out);
        }
        out.push(Out::Barrier(b.clone()));
        Ok(Emit::Many(out))
    }

    fn delete_group(&mut self, ctx: &TaskCtx, group: &Group) -> Result<Emit, String> {
        self.delete_group_from(ctx, 0, group)
    }

    fn delete_group_from(
        &mut self,
        _ctx: &TaskCtx,
        parent: usize,
        group: &Group,
    ) -> Result<Emit, String> {
        self.groups.remove(&group.id);
        self.match_bufs.remove(&group.id);
        self.specific_bufs.remove(&group.id);
        if self.spec.delete_all {
            self.low_marks.clear();
        } else if let Some(marks) = self.low_marks.get_mut(&group.id) {
            // Only the deleting parent forgets where it was for this group.
            if let Some(m) = marks.get_mut(parent) {
                *m = ZERO;
            }
            if marks.iter().all(|m| *m == ZERO) {
                self.low_marks.remove(&group.id);
            }
        }
        Ok(Emit::Same)
    }

    fn cardinality(&self) -> usize {
        self.groups.len()
    }
}
