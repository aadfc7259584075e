//! Transformations: elapsed, difference, movingAverage and cumulativeSum. Each is fed one
//! point at a time and asked to emit after every point, keeping its state in between.

use kapa_models::FieldValue;

use super::value::Num;
use super::{Input, Output, Reducer};

/// `elapsed`: time since the previous point, in `unit`s (any field type; integer result).
pub(crate) struct Elapsed {
    unit: i64,
    prev: Option<i64>,
    curr: Option<i64>,
}

impl Elapsed {
    pub(crate) fn new(unit: i64) -> Self {
        Elapsed {
            unit,
            prev: None,
            curr: None,
        }
    }
}

impl Reducer for Elapsed {
    fn aggregate(&mut self, p: &Input<'_>) {
        self.prev = self.curr;
        self.curr = Some(p.time);
    }
    fn emit(&mut self) -> Vec<Output> {
        match (self.prev, self.curr) {
            (Some(prev), Some(curr)) => {
                vec![Output::new(
                    curr,
                    FieldValue::Int(curr.wrapping_sub(prev).wrapping_div(self.unit)),
                )]
            }
            _ => Vec::new(),
        }
    }
    fn reset(&mut self) {
        self.prev = None;
        self.curr = None;
    }
}

/// `difference`: value minus the previous value. A point at the same time as the current
/// one is ignored, and each difference is emitted once.
pub(crate) struct Difference<T: Num> {
    prev: Option<(i64, T)>,
    curr: Option<(i64, T)>,
}

impl<T: Num> Difference<T> {
    pub(crate) fn new() -> Self {
        Difference {
            prev: None,
            curr: None,
        }
    }
}

impl<T: Num> Reducer for Difference<T> {
    fn aggregate(&mut self, p: &Input<'_>) {
        let Some(v) = T::get(p.value) else { return };
        if self.curr.is_some_and(|(t, _)| t == p.time) {
            return;
        }
        self.prev = self.curr;
        self.curr = Some((p.time, v));
    }
    fn emit(&mut self) -> Vec<Output> {
        match (self.prev.take(), self.curr) {
            (Some((_, prev)), Some((t, curr))) => vec![Output::new(t, curr.sub(prev).value())],
            _ => Vec::new(),
        }
    }
    fn reset(&mut self) {
        self.prev = None;
        self.curr = None;
    }
}

/// `movingAverage`: the mean of the last `n` values (a ring buffer with a running sum),
/// nothing until `n` values were seen.
pub(crate) struct MovingAverage<T: Num> {
    n: usize,
    buf: Vec<T>,
    pos: usize,
    sum: T,
    time: i64,
}

impl<T: Num> MovingAverage<T> {
    pub(crate) fn new(n: usize) -> Self {
        MovingAverage {
            n,
            buf: Vec::with_capacity(n.min(1024)),
            pos: 0,
            sum: T::ZERO,
            time: 0,
        }
    }
}

impl<T: Num> Reducer for MovingAverage<T> {
    fn aggregate(&mut self, p: &Input<'_>) {
        let Some(v) = T::get(p.value) else { return };
        if self.buf.len() != self.n {
            self.buf.push(v);
        } else {
            self.sum = self.sum.sub(self.buf[self.pos]);
            self.buf[self.pos] = v;
        }
        self.sum = self.sum.add(v);
        self.time = p.time;
        self.pos += 1;
        if self.pos >= self.n {
            self.pos = 0;
        }
    }
    fn emit(&mut self) -> Vec<Output> {
        if self.buf.len() != self.n {
            return Vec::new();
        }
        vec![Output::new(
            self.time,
            FieldValue::Float(self.sum.to_f64() / self.buf.len() as f64),
        )]
    }
    fn reset(&mut self) {
        self.buf.clear();
        self.pos = 0;
        self.sum = T::ZERO;
        self.time = 0;
    }
}

/// `cumulativeSum`: the running total at each point.
pub(crate) struct CumulativeSum<T: Num> {
    curr: Option<(i64, T)>,
}

impl<T: Num> CumulativeSum<T> {
    pub(crate) fn new() -> Self {
        CumulativeSum { curr: None }
    }
}

impl<T: Num> Reducer for CumulativeSum<T> {
    fn aggregate(&mut self, p: &Input<'_>) {
        let Some(v) = T::get(p.value) else { return };
        let sum = self.curr.map_or(T::ZERO, |(_, s)| s).add(v);
        self.curr = Some((p.time, sum));
    }
    fn emit(&mut self) -> Vec<Output> {
        match self.curr {
            Some((t, v)) => vec![Output::new(t, v.value())],
            None => Vec::new(),
        }
    }
    fn reset(&mut self) {
        self.curr = None;
    }
}
