//! Aggregates: count, sum, mean, median, mode, spread, stddev and distinct, with InfluxDB's
//! arithmetic order so results are bit-identical.

use std::collections::HashSet;

use kapa_models::FieldValue;

use super::gomath;
use super::value::{DistinctKey, Num, Scalar};
use super::{Input, Output, Reducer, ZERO_TIME};

/// `count`: any type. Kapacitor seeds it with a zero point at time 0, which is what an
/// empty batch emits; once a point is counted the time is "none".
#[derive(Debug, Default)]
pub(crate) struct Count {
    n: i64,
    counted: bool,
}

impl Reducer for Count {
    fn aggregate(&mut self, _p: &Input<'_>) {
        self.n = self.n.wrapping_add(1);
        self.counted = true;
    }
    fn emit(&mut self) -> Vec<Output> {
        let time = if self.counted { ZERO_TIME } else { 0 };
        vec![Output::new(time, FieldValue::Int(self.n))]
    }
    fn reset(&mut self) {
        *self = Count::default();
    }
}

/// `sum`: floats and integers. The seed point Kapacitor passes has time 0 and the sum keeps
/// the seed's time, so `.usePointTimes()` puts sums at the epoch, as Kapacitor does.
pub(crate) struct Sum<T: Num> {
    sum: T,
}

impl<T: Num> Sum<T> {
    pub(crate) fn new() -> Self {
        Sum { sum: T::ZERO }
    }
}

impl<T: Num> Reducer for Sum<T> {
    fn aggregate(&mut self, p: &Input<'_>) {
        if let Some(v) = T::get(p.value) {
            self.sum = self.sum.add(v);
        }
    }
    fn emit(&mut self) -> Vec<Output> {
        vec![Output::new(0, self.sum.value())]
    }
    fn reset(&mut self) {
        self.sum = T::ZERO;
    }
}

/// `mean`: running sum and count (a float mean sums floats, an integer mean wraps in int64).
pub(crate) struct Mean<T: Num> {
    sum: T,
    count: u32,
}

impl<T: Num> Mean<T> {
    pub(crate) fn new() -> Self {
        Mean {
            sum: T::ZERO,
            count: 0,
        }
    }
}

impl<T: Num> Reducer for Mean<T> {
    fn aggregate(&mut self, p: &Input<'_>) {
        if let Some(v) = T::get(p.value) {
            self.sum = self.sum.add(v);
            self.count = self.count.wrapping_add(1);
        }
    }
    fn emit(&mut self) -> Vec<Output> {
        vec![Output::new(
            ZERO_TIME,
            FieldValue::Float(self.sum.to_f64() / self.count as f64),
        )]
    }
    fn reset(&mut self) {
        self.sum = T::ZERO;
        self.count = 0;
    }
}

/// `median`: the middle value, or the mean of the two middle values; a float median of
/// one point is that point (with its time).
pub(crate) struct Median<T: Num> {
    values: Vec<T>,
    first_time: i64,
}

impl<T: Num> Median<T> {
    pub(crate) fn new() -> Self {
        Median {
            values: Vec::new(),
            first_time: ZERO_TIME,
        }
    }
}

impl<T: Num> Reducer for Median<T> {
    fn aggregate(&mut self, p: &Input<'_>) {
        if let Some(v) = T::get(p.value) {
            if self.values.is_empty() {
                self.first_time = p.time;
            }
            self.values.push(v);
        }
    }
    fn emit(&mut self) -> Vec<Output> {
        let n = self.values.len();
        let value = match n {
            0 => return Vec::new(),
            1 => {
                let time = if T::FLOAT { self.first_time } else { ZERO_TIME };
                return vec![Output::new(
                    time,
                    FieldValue::Float(self.values[0].to_f64()),
                )];
            }
            _ if n.is_multiple_of(2) => {
                let (lower, hi, _) = self
                    .values
                    .select_nth_unstable_by(n / 2, |a, b| T::order(*a, *b));
                let hi = *hi;
                let lo = lower
                    .iter()
                    .copied()
                    .max_by(|a, b| T::order(*a, *b))
                    .unwrap_or(hi);
                T::mid(lo, hi)
            }
            _ => self
                .values
                .select_nth_unstable_by(n / 2, |a, b| T::order(*a, *b))
                .1
                .to_f64(),
        };
        vec![Output::new(ZERO_TIME, FieldValue::Float(value))]
    }
    fn reset(&mut self) {
        self.values.clear();
        self.first_time = ZERO_TIME;
    }
}

/// `mode`: the most frequent value; among equally frequent values the one whose run
/// started earliest in time wins (InfluxDB's scan over the value-sorted points).
pub(crate) struct Mode<T: Num> {
    points: Vec<(T, i64)>,
}

impl<T: Num> Mode<T> {
    pub(crate) fn new() -> Self {
        Mode { points: Vec::new() }
    }
}

impl<T: Num> Reducer for Mode<T> {
    fn aggregate(&mut self, p: &Input<'_>) {
        if let Some(v) = T::get(p.value) {
            self.points.push((v, p.time));
        }
    }
    fn emit(&mut self) -> Vec<Output> {
        let a = &mut self.points;
        match a.len() {
            0 => return Vec::new(),
            1 => return vec![Output::new(a[0].1, a[0].0.value())],
            _ => {}
        }
        // Stable, like the insertion sort Go uses for small slices.
        a.sort_by(|x, y| T::order(x.0, y.0));
        let (mut most_freq, mut curr_freq) = (0u64, 0u64);
        let (mut curr_mode, mut most_mode) = (a[0].0, a[0].0);
        let (mut most_time, mut curr_time) = (a[0].1, a[0].1);
        for &(v, t) in a.iter() {
            if v != curr_mode {
                curr_freq = 1;
                curr_mode = v;
                curr_time = t;
                continue;
            }
            curr_freq += 1;
            if most_freq > curr_freq || (most_freq == curr_freq && curr_time > most_time) {
                continue;
            }
            most_freq = curr_freq;
            most_mode = v;
            most_time = t;
        }
        vec![Output::new(ZERO_TIME, most_mode.value())]
    }
    fn reset(&mut self) {
        self.points.clear();
    }
}

/// `spread`: max - min, kept incrementally (float min/max follow Go's NaN and -0 rules).
pub(crate) struct Spread<T: Num> {
    min: T,
    max: T,
}

impl<T: Num> Spread<T> {
    pub(crate) fn new() -> Self {
        Spread {
            min: T::HIGHEST,
            max: T::LOWEST,
        }
    }
}

impl<T: Num> Reducer for Spread<T> {
    fn aggregate(&mut self, p: &Input<'_>) {
        if let Some(v) = T::get(p.value) {
            self.min = T::min_of(self.min, v);
            self.max = T::max_of(self.max, v);
        }
    }
    fn emit(&mut self) -> Vec<Output> {
        vec![Output::new(ZERO_TIME, self.max.sub(self.min).value())]
    }
    fn reset(&mut self) {
        *self = Spread::new();
    }
}

/// `stddev`: the sample standard deviation, two passes as InfluxDB computes it (float NaNs
/// are skipped, fewer than two points give NaN).
pub(crate) struct Stddev<T: Num> {
    values: Vec<T>,
}

impl<T: Num> Stddev<T> {
    pub(crate) fn new() -> Self {
        Stddev { values: Vec::new() }
    }
}

impl<T: Num> Reducer for Stddev<T> {
    fn aggregate(&mut self, p: &Input<'_>) {
        if let Some(v) = T::get(p.value) {
            self.values.push(v);
        }
    }
    fn emit(&mut self) -> Vec<Output> {
        if self.values.len() < 2 {
            return vec![Output::new(ZERO_TIME, FieldValue::Float(f64::NAN))];
        }
        let mut mean = 0.0;
        let mut count: i64 = 0;
        for v in self.values.iter().filter(|v| !v.is_nan()) {
            count += 1;
            mean += (v.to_f64() - mean) / count as f64;
        }
        let mut variance = 0.0;
        for v in self.values.iter().filter(|v| !v.is_nan()) {
            variance += gomath::pow_int(v.to_f64() - mean, 2);
        }
        vec![Output::new(
            ZERO_TIME,
            FieldValue::Float((variance / (count - 1) as f64).sqrt()),
        )]
    }
    fn reset(&mut self) {
        self.values.clear();
    }
}

/// `distinct`: each value once, with the time it was first seen, sorted by time.
pub(crate) struct Distinct<T: Scalar> {
    seen: HashSet<DistinctKey, foldhash::fast::RandomState>,
    values: Vec<(i64, T)>,
}

impl<T: Scalar> Distinct<T> {
    pub(crate) fn new() -> Self {
        Distinct {
            seen: HashSet::default(),
            values: Vec::new(),
        }
    }
}

impl<T: Scalar> Reducer for Distinct<T> {
    fn aggregate(&mut self, p: &Input<'_>) {
        let Some(v) = T::get(p.value) else { return };
        let new = match v.key() {
            Some(k) => self.seen.insert(k),
            None => true,
        };
        if new {
            self.values.push((p.time, v));
        }
    }
    fn emit(&mut self) -> Vec<Output> {
        // Go iterates a map here (random order) before sorting by time; first-seen order
        // breaks the ties deterministically.
        let mut values = std::mem::take(&mut self.values);
        values.sort_by_key(|(t, _)| *t);
        values
            .into_iter()
            .map(|(t, v)| Output::new(t, v.value()))
            .collect()
    }
    fn reset(&mut self) {
        self.seen.clear();
        self.values.clear();
    }
}
