//! `holtWinters` / `holtWintersWithFit`: InfluxDB's damped Holt-Winters forecast. Points
//! are bucketed on `interval` (missing buckets are NaN), initial level/trend/seasonals are
//! guessed, the parameters are fitted by Nelder-Mead from a grid of starting points, and
//! `h` values are forecast (plus the fitted values when asked).

use kapa_models::FieldValue;

use super::gomath;
use super::neldermead;
use super::{Input, Output, Reducer};

const WEIGHT: f64 = 0.5;
const EPSILON: f64 = 1.0e-4;
const GUESS_LOWER: f64 = 0.3;
const GUESS_UPPER: f64 = 1.0;
const GUESS_STEP: f64 = 0.4;
/// More buckets than this would be a runaway allocation (points far apart on a small
/// interval); no forecast is made then.
const MAX_BUCKETS: usize = 10_000_000;

pub(crate) struct HoltWinters {
    h: usize,
    m: usize,
    seasonal: bool,
    include_fit: bool,
    interval: i64,
    half_interval: i64,
    points: Vec<(i64, f64)>,
}

impl HoltWinters {
    /// `interval` must not be 0.
    pub(crate) fn new(h: i64, m: i64, include_fit: bool, interval: i64) -> Self {
        HoltWinters {
            h: usize::try_from(h).unwrap_or(0),
            m: usize::try_from(m).unwrap_or(0),
            seasonal: m >= 2,
            include_fit,
            interval,
            half_interval: interval / 2,
            points: Vec::new(),
        }
    }

    fn round_time(&self, t: i64) -> i64 {
        let remainder = t.wrapping_rem(self.interval);
        let q = t.wrapping_div(self.interval);
        if remainder > self.half_interval {
            q.wrapping_add(1).wrapping_mul(self.interval)
        } else {
            q.wrapping_mul(self.interval)
        }
    }

    /// The observations per interval bucket, NaN where a bucket has none; only the first
    /// point of a bucket counts.
    fn buckets(&self) -> Option<Vec<f64>> {
        let (first, last) = (self.points.first()?, self.points.last()?);
        let start = self.round_time(first.0);
        let stop = self.round_time(last.0);
        if stop.wrapping_sub(start).wrapping_div(self.interval) <= 0 {
            return None;
        }
        let mut y = vec![first.1];
        let mut t = start;
        for &(time, value) in &self.points[1..] {
            let rounded = self.round_time(time);
            if rounded <= t {
                continue;
            }
            t = t.wrapping_add(self.interval);
            while rounded != t {
                if y.len() >= MAX_BUCKETS {
                    return None;
                }
                y.push(f64::NAN);
                t = t.wrapping_add(self.interval);
            }
            y.push(value);
        }
        Some(y)
    }
}

/// Clamps alpha, beta, gamma and phi into [0, 1].
fn constrain(x: &mut [f64]) {
    // NaN stays NaN, as with Go's two comparisons.
    for v in &mut x[..4] {
        *v = v.clamp(0.0, 1.0);
    }
}

/// One step of the damped multiplicative recurrences.
#[allow(clippy::too_many_arguments)]
fn next(
    alpha: f64,
    beta: f64,
    gamma: f64,
    phi: f64,
    phi_h: f64,
    y_t: f64,
    l_tp: f64,
    b_tp: f64,
    s_tm: f64,
    s_tmh: f64,
) -> (f64, f64, f64, f64) {
    let l_t = alpha * (y_t / s_tm) + (1.0 - alpha) * (l_tp + phi * b_tp);
    let b_t = beta * (l_t - l_tp) + (1.0 - beta) * phi * b_tp;
    let s_t = gamma * (y_t / (l_tp + phi * b_tp)) + (1.0 - gamma) * s_tm;
    let y_th = (l_t + phi_h * b_t) * s_tmh;
    (y_th, l_t, b_t, s_t)
}

/// Runs the recurrences over the series and `h` steps beyond. The parameters are clamped
/// and the seasonal entries updated in place: the optimizer keeps those changes.
fn forecast(y: &[f64], seasonal: bool, h: usize, params: &mut [f64]) -> Vec<f64> {
    constrain(params);
    let mut y_t = y[0];
    let phi = params[3];
    let mut phi_h = phi;
    let mut l_t = params[4];
    let mut b_t = params[5];
    let m = params.len() - 6;
    let mut so = 0;
    if seasonal {
        if m == 1 {
            params[6] = 1.0;
        }
        so = m - 1;
    }
    let l = y.len();
    let mut forecasted = vec![0.0; l + h];
    forecasted[0] = y_t;
    let (mut stm, mut stmh) = (1.0, 1.0);
    for t in 1..l + h {
        if seasonal {
            let hm = t % m;
            stm = params[6 + (t + so - m) % m];
            stmh = params[6 + (t + hm + so - m) % m];
        }
        let s_t;
        (y_t, l_t, b_t, s_t) = next(
            params[0], params[1], params[2], phi, phi_h, y_t, l_t, b_t, stm, stmh,
        );
        phi_h += gomath::pow_int(phi, t as u64);
        if seasonal {
            params[6 + (t + so) % m] = s_t;
            so += 1;
        }
        forecasted[t] = y_t;
    }
    forecasted
}

/// Sum of squared errors of the fitted values (missing observations skipped, a NaN fit is
/// infinitely bad).
fn sse(y: &[f64], seasonal: bool, params: &mut [f64]) -> f64 {
    let forecasted = forecast(y, seasonal, 0, params);
    let mut sse = 0.0;
    for (f, obs) in forecasted.iter().zip(y) {
        if !obs.is_nan() {
            if f.is_nan() {
                return f64::INFINITY;
            }
            let diff = f - obs;
            sse += diff * diff;
        }
    }
    sse
}

impl Reducer for HoltWinters {
    fn aggregate(&mut self, p: &Input<'_>) {
        match p.value {
            FieldValue::Float(f) => self.points.push((p.time, *f)),
            FieldValue::Int(i) => self.points.push((p.time, *i as f64)),
            _ => {}
        }
    }

    fn emit(&mut self) -> Vec<Output> {
        let l = self.points.len();
        if l < 2 || (self.seasonal && l < self.m) || self.h == 0 {
            return Vec::new();
        }
        let Some(y) = self.buckets() else {
            return Vec::new();
        };
        let m = self.m;
        if self.seasonal && y.len() < m {
            return Vec::new();
        }

        // Initial guesses; missing values are skipped.
        let mut l0 = 0.0;
        if self.seasonal {
            for v in y.iter().take(m).filter(|v| !v.is_nan()) {
                l0 += (1.0 / m as f64) * v;
            }
        } else {
            l0 += WEIGHT * y[0];
        }
        let mut b0 = 0.0;
        if self.seasonal {
            let mut i = 0;
            while i < m && m + i < y.len() {
                if !y[i].is_nan() && !y[m + i].is_nan() {
                    b0 += 1.0 / (m * m) as f64 * (y[m + i] - y[i]);
                }
                i += 1;
            }
        } else if !y[1].is_nan() {
            b0 = WEIGHT * (y[1] - y[0]);
        }
        let seasonals: Vec<f64> = if self.seasonal {
            y.iter()
                .take(m)
                .map(|v| if v.is_nan() { 0.0 } else { v / l0 })
                .collect()
        } else {
            Vec::new()
        };
        let mut parameters = vec![0.0; 6 + seasonals.len()];
        parameters[4] = l0;
        parameters[5] = b0;
        parameters[6..].copy_from_slice(&seasonals);

        let seasonal = self.seasonal;
        let mut objective = |p: &mut [f64]| sse(&y, seasonal, p);
        let mut min_sse = f64::INFINITY;
        let mut best: Option<Vec<f64>> = None;
        let mut alpha = GUESS_LOWER;
        while alpha < GUESS_UPPER {
            let mut beta = GUESS_LOWER;
            while beta < GUESS_UPPER {
                let mut gamma = GUESS_LOWER;
                while gamma < GUESS_UPPER {
                    let mut phi = GUESS_LOWER;
                    while phi < GUESS_UPPER {
                        parameters[..4].copy_from_slice(&[alpha, beta, gamma, phi]);
                        let (s, params) =
                            neldermead::optimize(&mut objective, &parameters, EPSILON, 1.0);
                        if s < min_sse || best.is_none() {
                            min_sse = s;
                            best = Some(params);
                        }
                        phi += GUESS_STEP;
                    }
                    gamma += GUESS_STEP;
                }
                beta += GUESS_STEP;
            }
            alpha += GUESS_STEP;
        }
        let Some(mut best) = best else {
            return Vec::new();
        };

        let forecasted = forecast(&y, seasonal, self.h, &mut best);
        let mut out = Vec::new();
        if self.include_fit {
            let start = self.points[0].0;
            for (i, v) in forecasted.iter().enumerate() {
                if !v.is_nan() {
                    let t = start.wrapping_add(self.interval.wrapping_mul(i as i64));
                    out.push(Output::new(t, FieldValue::Float(*v)));
                }
            }
        } else {
            let stop = self.points[l - 1].0;
            for (i, v) in forecasted[y.len()..].iter().enumerate() {
                if !v.is_nan() {
                    let t = stop.wrapping_add(self.interval.wrapping_mul(i as i64 + 1));
                    out.push(Output::new(t, FieldValue::Float(*v)));
                }
            }
        }
        out
    }

    fn reset(&mut self) {
        self.points.clear();
    }
}
