//! Selectors: first, last, min, max and percentile pick one point (and keep a reference to
//! it, its tags and fields go out with the result); top and bottom keep the n best points.

use super::value::{Num, Scalar};
use super::{Aux, Input, Output, Reducer};

/// `first` / `last`: the earliest / latest point; at equal times InfluxDB's value tie-break.
pub(crate) struct FirstLast<T: Scalar> {
    last: bool,
    best: Option<(i64, T)>,
    aux: Aux,
}

impl<T: Scalar> FirstLast<T> {
    pub(crate) fn new(last: bool) -> Self {
        FirstLast {
            last,
            best: None,
            aux: Aux::None,
        }
    }
}

impl<T: Scalar> Reducer for FirstLast<T> {
    fn aggregate(&mut self, p: &Input<'_>) {
        let Some(v) = T::get(p.value) else { return };
        let replace = match &self.best {
            None => true,
            Some((t, prev)) if self.last => p.time > *t || (p.time == *t && T::last_tie(&v, prev)),
            Some((t, prev)) => p.time < *t || (p.time == *t && T::first_tie(&v, prev)),
        };
        if replace {
            self.best = Some((p.time, v));
            self.aux = p.aux(true);
        }
    }
    fn emit(&mut self) -> Vec<Output> {
        match self.best.take() {
            Some((time, v)) => vec![Output {
                time,
                value: v.value(),
                aux: std::mem::take(&mut self.aux),
            }],
            None => Vec::new(),
        }
    }
    fn reset(&mut self) {
        self.best = None;
        self.aux = Aux::None;
    }
}

/// `min` / `max`: the smallest / largest value; at equal values the earliest point.
pub(crate) struct MinMax<T: Num> {
    max: bool,
    best: Option<(i64, T)>,
    aux: Aux,
}

impl<T: Num> MinMax<T> {
    pub(crate) fn new(max: bool) -> Self {
        MinMax {
            max,
            best: None,
            aux: Aux::None,
        }
    }
}

impl<T: Num> Reducer for MinMax<T> {
    fn aggregate(&mut self, p: &Input<'_>) {
        let Some(v) = T::get(p.value) else { return };
        let replace = match self.best {
            None => true,
            Some((t, prev)) => {
                let better = if self.max { v > prev } else { v < prev };
                better || (v == prev && p.time < t)
            }
        };
        if replace {
            self.best = Some((p.time, v));
            self.aux = p.aux(true);
        }
    }
    fn emit(&mut self) -> Vec<Output> {
        match self.best.take() {
            Some((time, v)) => vec![Output {
                time,
                value: v.value(),
                aux: std::mem::take(&mut self.aux),
            }],
            None => Vec::new(),
        }
    }
    fn reset(&mut self) {
        self.best = None;
        self.aux = Aux::None;
    }
}

/// `percentile`: the point at nearest rank `floor(n × p / 100 + 0.5)` of the value-sorted
/// points, or nothing when that rank is outside them.
pub(crate) struct Percentile<T: Num> {
    percentile: f64,
    points: Vec<(T, usize, i64, Aux)>,
}

impl<T: Num> Percentile<T> {
    pub(crate) fn new(percentile: f64) -> Self {
        Percentile {
            percentile,
            points: Vec::new(),
        }
    }
}

impl<T: Num> Reducer for Percentile<T> {
    fn aggregate(&mut self, p: &Input<'_>) {
        if let Some(v) = T::get(p.value) {
            let seq = self.points.len();
            self.points.push((v, seq, p.time, p.aux(true)));
        }
    }
    fn emit(&mut self) -> Vec<Output> {
        let n = self.points.len();
        let rank = (n as f64 * self.percentile / 100.0 + 0.5).floor() as i64;
        let i = rank.wrapping_sub(1);
        if i < 0 || i >= n as i64 {
            return Vec::new();
        }
        // Arrival order breaks ties among equal values, as a stable sort would.
        let (_, chosen, _) = self
            .points
            .select_nth_unstable_by(i as usize, |a, b| T::order(a.0, b.0).then(a.1.cmp(&b.1)));
        vec![Output {
            time: chosen.2,
            value: chosen.0.value(),
            aux: std::mem::take(&mut chosen.3),
        }]
    }
    fn reset(&mut self) {
        self.points.clear();
    }
}

struct Ranked<T> {
    value: T,
    time: i64,
    aux: Aux,
}

/// `top` / `bottom`: a bounded heap of the n largest / smallest values (ties: earlier
/// points win), emitted best first, exactly as InfluxDB's heap and sort order them.
pub(crate) struct TopBottom<T: Num> {
    top: bool,
    n: usize,
    heap: Vec<Ranked<T>>,
}

impl<T: Num> TopBottom<T> {
    pub(crate) fn new(top: bool, n: usize) -> Self {
        TopBottom {
            top,
            n,
            heap: Vec::new(),
        }
    }

    /// The heap order: `a` is "less" (evicted first) than `b`.
    fn less(&self, a: (T, i64), b: (T, i64)) -> bool {
        if a.0 != b.0 {
            if self.top { a.0 < b.0 } else { a.0 > b.0 }
        } else {
            a.1 > b.1
        }
    }

    fn key(&self, i: usize) -> (T, i64) {
        (self.heap[i].value, self.heap[i].time)
    }

    fn up(&mut self, mut j: usize) {
        while j > 0 {
            let i = (j - 1) / 2;
            if !self.less(self.key(j), self.key(i)) {
                break;
            }
            self.heap.swap(i, j);
            j = i;
        }
    }

    fn down(&mut self, i0: usize) -> bool {
        let n = self.heap.len();
        let mut i = i0;
        loop {
            let j1 = 2 * i + 1;
            if j1 >= n {
                break;
            }
            let mut j = j1;
            let j2 = j1 + 1;
            if j2 < n && self.less(self.key(j2), self.key(j1)) {
                j = j2;
            }
            if !self.less(self.key(j), self.key(i)) {
                break;
            }
            self.heap.swap(i, j);
            i = j;
        }
        i > i0
    }
}

impl<T: Num> Reducer for TopBottom<T> {
    fn aggregate(&mut self, p: &Input<'_>) {
        let Some(v) = T::get(p.value) else { return };
        if self.heap.len() == self.n {
            if self.heap.is_empty() || !self.less(self.key(0), (v, p.time)) {
                return;
            }
            self.heap[0] = Ranked {
                value: v,
                time: p.time,
                aux: p.aux(false),
            };
            if !self.down(0) {
                self.up(0);
            }
            return;
        }
        self.heap.push(Ranked {
            value: v,
            time: p.time,
            aux: p.aux(false),
        });
        self.up(self.heap.len() - 1);
    }

    fn emit(&mut self) -> Vec<Output> {
        let mut points = std::mem::take(&mut self.heap);
        // Go sorts with sort.Reverse over the heap order: an insertion sort up to 12
        // elements (reproduced exactly); beyond, the same order with stable tie-breaking.
        if points.len() <= 12 {
            for i in 1..points.len() {
                let mut j = i;
                while j > 0
                    && self.less(
                        (points[j - 1].value, points[j - 1].time),
                        (points[j].value, points[j].time),
                    )
                {
                    points.swap(j, j - 1);
                    j -= 1;
                }
            }
        } else {
            let top = self.top;
            points.sort_by(|a, b| {
                let by_value = T::order(a.value, b.value);
                let by_value = if top { by_value.reverse() } else { by_value };
                by_value.then(a.time.cmp(&b.time))
            });
        }
        points
            .into_iter()
            .map(|r| Output {
                time: r.time,
                value: r.value.value(),
                aux: r.aux,
            })
            .collect()
    }

    fn reset(&mut self) {
        self.heap.clear();
    }
}
