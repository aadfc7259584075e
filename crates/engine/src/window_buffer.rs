//! The points a window holds, stored by column so a buffered numeric point costs tens of
//! bytes instead of a full point: times, one shared tag set per run of equal tags, and the
//! field values as plain `f64`s while every point has the same float fields.

use std::collections::VecDeque;
use std::sync::Arc;

use kapa_models::{FieldValue, Fields, Tags};
use smol_str::SmolStr;

use crate::message::BatchPoint;

#[derive(Clone)]
enum Columns {
    /// Every buffered point has exactly `keys`, all floats: `values` holds
    /// `keys.len()` values per point, in key order.
    Floats {
        keys: Arc<[SmolStr]>,
        values: VecDeque<f64>,
    },
    /// Any other shape.
    General(VecDeque<Fields>),
}

/// A FIFO of points for one window.
#[derive(Clone)]
pub(crate) struct WindowBuffer {
    times: VecDeque<i64>,
    tags: VecDeque<Arc<Tags>>,
    columns: Columns,
}

fn float_keys(fields: &Fields) -> Option<Vec<SmolStr>> {
    fields
        .iter()
        .map(|(k, v)| matches!(v, FieldValue::Float(_)).then(|| k.clone()))
        .collect()
}

impl WindowBuffer {
    pub(crate) fn new() -> Self {
        WindowBuffer {
            times: VecDeque::new(),
            tags: VecDeque::new(),
            columns: Columns::General(VecDeque::new()),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.times.len()
    }

    pub(crate) fn front_time(&self) -> Option<i64> {
        self.times.front().copied()
    }

    pub(crate) fn back_time(&self) -> Option<i64> {
        self.times.back().copied()
    }

    /// Appends a point.
    pub(crate) fn push(&mut self, time: i64, tags: &Tags, fields: &Fields) {
        let shared = match self.tags.back() {
            Some(last) if **last == *tags => last.clone(),
            _ => Arc::new(tags.clone()),
        };
        if self.times.is_empty()
            && let Some(keys) = float_keys(fields)
        {
            self.columns = Columns::Floats {
                keys: keys.into(),
                values: VecDeque::new(),
            };
        }
        let fits = match &self.columns {
            Columns::Floats { keys, .. } => {
                fields.len() == keys.len()
                    && fields
                        .iter()
                        .zip(keys.iter())
                        .all(|((k, v), key)| k == key && matches!(v, FieldValue::Float(_)))
            }
            Columns::General(_) => true,
        };
        if !fits {
            self.make_general();
        }
        match &mut self.columns {
            Columns::Floats { values, .. } => {
                for (_, v) in fields.iter() {
                    if let FieldValue::Float(f) = v {
                        values.push_back(*f);
                    }
                }
            }
            Columns::General(all) => all.push_back(fields.clone()),
        }
        self.times.push_back(time);
        self.tags.push_back(shared);
    }

    fn make_general(&mut self) {
        if let Columns::Floats { keys, values } = &self.columns {
            let n = keys.len();
            let all: VecDeque<Fields> = (0..self.times.len())
                .map(|i| {
                    let mut f = Fields::with_capacity(n);
                    for (j, k) in keys.iter().enumerate() {
                        f.push_sorted(k.clone(), FieldValue::Float(values[i * n + j]));
                    }
                    f
                })
                .collect();
            self.columns = Columns::General(all);
        }
    }

    /// Removes the oldest point.
    pub(crate) fn pop_front(&mut self) {
        if self.times.pop_front().is_none() {
            return;
        }
        self.tags.pop_front();
        match &mut self.columns {
            Columns::Floats { keys, values } => {
                values.drain(..keys.len().min(values.len()));
            }
            Columns::General(all) => {
                all.pop_front();
            }
        }
    }

    /// Calls `f(index, time, tags, fields)` for every point, oldest first, without copying:
    /// float columns are presented through one reused field set.
    pub(crate) fn for_each(&self, mut f: impl FnMut(usize, i64, &Tags, &Fields)) {
        match &self.columns {
            Columns::Floats { keys, values } => {
                let n = keys.len();
                let mut scratch = Fields::with_capacity(n);
                for k in keys.iter() {
                    scratch.push_sorted(k.clone(), FieldValue::Float(0.0));
                }
                for (i, (t, tags)) in self.times.iter().zip(self.tags.iter()).enumerate() {
                    for (j, v) in scratch.values_mut().enumerate() {
                        *v = FieldValue::Float(values[i * n + j]);
                    }
                    f(i, *t, tags, &scratch);
                }
            }
            Columns::General(all) => {
                for (i, ((t, tags), fields)) in self
                    .times
                    .iter()
                    .zip(self.tags.iter())
                    .zip(all.iter())
                    .enumerate()
                {
                    f(i, *t, tags, fields);
                }
            }
        }
    }

    /// The point at `i` as a row.
    pub(crate) fn row(&self, i: usize) -> Option<BatchPoint> {
        let (time, tags) = (*self.times.get(i)?, self.tags.get(i)?);
        let fields = match &self.columns {
            Columns::Floats { keys, values } => {
                let n = keys.len();
                let mut f = Fields::with_capacity(n);
                for (j, k) in keys.iter().enumerate() {
                    f.push_sorted(k.clone(), FieldValue::Float(*values.get(i * n + j)?));
                }
                f
            }
            Columns::General(all) => all.get(i)?.clone(),
        };
        Some(BatchPoint {
            time,
            fields,
            tags: (**tags).clone(),
        })
    }

    /// The buffered points, oldest first.
    pub(crate) fn points(&self) -> Vec<BatchPoint> {
        let mut out = Vec::with_capacity(self.times.len());
        for (i, (t, tags)) in self.times.iter().zip(self.tags.iter()).enumerate() {
            let fields = match &self.columns {
                Columns::Floats { keys, values } => {
                    let n = keys.len();
                    let mut f = Fields::with_capacity(n);
                    for (j, k) in keys.iter().enumerate() {
                        f.push_sorted(k.clone(), FieldValue::Float(values[i * n + j]));
                    }
                    f
                }
                Columns::General(all) => all[i].clone(),
            };
            out.push(BatchPoint {
                time: *t,
                fields,
                tags: (**tags).clone(),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, FieldValue)]) -> Fields {
        Fields::from_pairs(
            pairs
                .iter()
                .map(|(k, v)| ((*k).into(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn keeps_points_in_order_through_shape_changes() {
        let mut b = WindowBuffer::new();
        let tags = Tags::from_pairs(vec![("host".into(), "a".into())]);
        b.push(1, &tags, &fields(&[("v", FieldValue::Float(1.0))]));
        b.push(2, &tags, &fields(&[("v", FieldValue::Float(2.0))]));
        b.push(3, &Tags::new(), &fields(&[("v", FieldValue::Int(3))]));
        b.pop_front();
        let pts = b.points();
        assert_eq!(pts.len(), 2);
        assert_eq!(
            (pts[0].time, pts[0].fields.get("v").cloned()),
            (2, Some(FieldValue::Float(2.0)))
        );
        assert_eq!(pts[0].tags.get("host").map(|s| s.as_str()), Some("a"));
        assert_eq!(
            (pts[1].time, pts[1].fields.get("v").cloned()),
            (3, Some(FieldValue::Int(3)))
        );
        assert!(pts[1].tags.is_empty());
        assert_eq!(
            (b.front_time(), b.back_time(), b.len()),
            (Some(2), Some(3), 2)
        );
    }

    #[test]
    fn float_columns_pop_all_values_of_a_point() {
        let mut b = WindowBuffer::new();
        let two = fields(&[("a", FieldValue::Float(1.0)), ("b", FieldValue::Float(2.0))]);
        let three = fields(&[("a", FieldValue::Float(3.0)), ("b", FieldValue::Float(4.0))]);
        b.push(1, &Tags::new(), &two);
        b.push(2, &Tags::new(), &three);
        b.pop_front();
        assert_eq!(b.points()[0].fields, three);
    }
}
