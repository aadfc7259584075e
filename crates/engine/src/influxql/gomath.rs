//! Float helpers with Go's exact semantics: InfluxDB's results are reproduced bit for bit
//! only when `math.Pow`, `math.Min` and `math.Max` round and treat NaN/-0 as Go's do.

use std::cmp::Ordering;

const SHIFT: u32 = 52;
const MASK: u64 = 0x7FF;
const BIAS: i64 = 1023;
const SMALLEST_NORMAL: f64 = 2.2250738585072014e-308;

/// Subnormals are scaled into the normal range first so the exponent bits mean something.
fn normalize(x: f64) -> (f64, i64) {
    if x.abs() < SMALLEST_NORMAL {
        return (x * (1u64 << 52) as f64, -52);
    }
    (x, 0)
}

/// `math.Frexp`: `x = frac × 2^exp` with `|frac|` in [0.5, 1).
pub(crate) fn frexp(x: f64) -> (f64, i64) {
    if x == 0.0 || x.is_infinite() || x.is_nan() {
        return (x, 0);
    }
    let (f, mut exp) = normalize(x);
    let mut bits = f.to_bits();
    exp += ((bits >> SHIFT) & MASK) as i64 - BIAS + 1;
    bits &= !(MASK << SHIFT);
    bits |= ((BIAS - 1) as u64) << SHIFT;
    (f64::from_bits(bits), exp)
}

/// `math.Ldexp`: `frac × 2^exp`, rounding once when the result is subnormal.
pub(crate) fn ldexp(frac: f64, exp: i64) -> f64 {
    if frac == 0.0 || frac.is_infinite() || frac.is_nan() {
        return frac;
    }
    let (f, e) = normalize(frac);
    let mut exp = exp.saturating_add(e);
    let mut bits = f.to_bits();
    exp = exp.saturating_add(((bits >> SHIFT) & MASK) as i64 - BIAS);
    if exp < -1075 {
        return 0.0_f64.copysign(f);
    }
    if exp > 1023 {
        return if f < 0.0 {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    let mut m = 1.0;
    if exp < -1022 {
        exp += 53;
        m = 1.0 / (1u64 << 53) as f64;
    }
    bits &= !(MASK << SHIFT);
    bits |= ((exp + BIAS) as u64) << SHIFT;
    m * f64::from_bits(bits)
}

/// `math.Pow(x, n)` for a positive integer exponent (the only kind InfluxDB's reducers
/// use): repeated squaring on the mantissa with the exponent kept apart, which does not
/// always round like the platform `pow`.
pub(crate) fn pow_int(x: f64, n: u64) -> f64 {
    if n == 0 || x == 1.0 {
        return 1.0;
    }
    if n == 1 {
        return x;
    }
    if x.is_nan() {
        return f64::NAN;
    }
    let odd = n & 1 == 1;
    if x == 0.0 {
        return if x.is_sign_negative() && odd { x } else { 0.0 };
    }
    if x.is_infinite() {
        return if x < 0.0 && odd {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        };
    }
    let mut a1 = 1.0;
    let mut ae: i64 = 0;
    let (mut x1, mut xe) = frexp(x);
    let mut i = n;
    while i != 0 {
        if !(-(1 << 12)..=(1 << 12)).contains(&xe) {
            // The exponent already overflows any float: ldexp sees it.
            ae += xe;
            break;
        }
        if i & 1 == 1 {
            a1 *= x1;
            ae += xe;
        }
        x1 *= x1;
        xe <<= 1;
        if x1 < 0.5 {
            x1 += x1;
            xe -= 1;
        }
        i >>= 1;
    }
    ldexp(a1, ae)
}

/// `math.Min`: -Inf wins, then NaN, and -0 is below +0.
pub(crate) fn min(x: f64, y: f64) -> f64 {
    if x == f64::NEG_INFINITY || y == f64::NEG_INFINITY {
        return f64::NEG_INFINITY;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && x == y {
        return if x.is_sign_negative() { x } else { y };
    }
    if x < y { x } else { y }
}

/// `math.Max`: +Inf wins, then NaN, and +0 is above -0.
pub(crate) fn max(x: f64, y: f64) -> f64 {
    if x == f64::INFINITY || y == f64::INFINITY {
        return f64::INFINITY;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && x == y {
        return if x.is_sign_negative() { y } else { x };
    }
    if x > y { x } else { y }
}

/// The order Go's `a < b` sorts floats in, made total: equal numbers (and -0/+0) tie,
/// NaN sorts after every number. Sorting stably with it matches Go's insertion sort.
pub(crate) fn cmp_f64(a: f64, b: f64) -> Ordering {
    if a < b {
        Ordering::Less
    } else if a > b {
        Ordering::Greater
    } else {
        match (a.is_nan(), b.is_nan()) {
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => Ordering::Equal,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frexp_and_ldexp_round_trip() {
        for v in [
            1.0,
            0.75,
            -3.5,
            1e300,
            5e-324,
            2.2250738585072014e-308,
            123456.789,
        ] {
            let (f, e) = frexp(v);
            assert!((0.5..1.0).contains(&f.abs()), "{v}: {f}");
            assert_eq!(ldexp(f, e), v);
        }
        assert_eq!(frexp(8.0), (0.5, 4));
        assert_eq!(ldexp(0.5, -1074), 0.0);
        assert_eq!(ldexp(0.5, -1073), 5e-324);
        assert_eq!(ldexp(0.75, -1073), 1e-323);
        assert_eq!(ldexp(1.0, 1024), f64::INFINITY);
        assert!(ldexp(-0.0, 3).is_sign_negative());
    }

    #[test]
    fn pow_int_special_cases() {
        assert_eq!(pow_int(3.0, 2), 9.0);
        assert_eq!(pow_int(0.5, 3), 0.125);
        assert_eq!(pow_int(0.0, 5), 0.0);
        assert!(pow_int(-0.0, 3).is_sign_negative());
        assert_eq!(pow_int(f64::NEG_INFINITY, 3), f64::NEG_INFINITY);
        assert_eq!(pow_int(f64::NEG_INFINITY, 2), f64::INFINITY);
        assert!(pow_int(f64::NAN, 2).is_nan());
        assert_eq!(pow_int(1.0, 1000), 1.0);
        assert_eq!(pow_int(0.5, 1074), 5e-324);
        assert_eq!(pow_int(0.5, 1075), 0.0);
        assert_eq!(pow_int(0.7, 3000), 0.0);
        assert_eq!(pow_int(10.0, 400), f64::INFINITY);
        // Squares round exactly like a plain multiplication in the normal range.
        for v in [0.3, 0.7, 1.1, 12345.678, -2.5e-10] {
            assert_eq!(pow_int(v, 2), v * v);
        }
    }

    #[test]
    fn min_max_like_go() {
        assert!(min(f64::NAN, 1.0).is_nan());
        assert_eq!(min(f64::NAN, f64::NEG_INFINITY), f64::NEG_INFINITY);
        assert!(min(0.0, -0.0).is_sign_negative());
        assert!(max(-0.0, 0.0).is_sign_positive());
        assert_eq!(max(f64::NAN, f64::INFINITY), f64::INFINITY);
        assert_eq!(min(2.0, 1.0), 1.0);
        assert_eq!(max(2.0, 1.0), 2.0);
    }

    #[test]
    fn cmp_puts_nan_last() {
        let mut v = [3.0, f64::NAN, -1.0, 2.0];
        v.sort_by(|a, b| cmp_f64(*a, *b));
        assert_eq!(&v[..3], &[-1.0, 2.0, 3.0]);
        assert!(v[3].is_nan());
        assert_eq!(cmp_f64(-0.0, 0.0), Ordering::Equal);
    }
}
