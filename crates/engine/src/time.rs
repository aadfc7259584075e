//! Time arithmetic with Go's semantics.

/// Nanoseconds from Go's zero time (0001-01-01T00:00:00Z) to the Unix epoch. Go's
/// `Time.Truncate` rounds relative to its zero time, which matters for periods such as
/// weeks that do not divide the seconds since 1970 evenly.
const GO_ZERO_TO_UNIX_NS: i128 = 62_135_596_800 * 1_000_000_000;

/// `t.Truncate(d)` as Go computes it; `d <= 0` returns `t`.
pub(crate) fn truncate(t: i64, d: i64) -> i64 {
    if d <= 0 {
        return t;
    }
    let since_zero = t as i128 + GO_ZERO_TO_UNIX_NS;
    (t as i128 - since_zero.rem_euclid(d as i128)) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncates_like_go() {
        const S: i64 = 1_000_000_000;
        assert_eq!(truncate(95 * S, 10 * S), 90 * S);
        assert_eq!(truncate(-5 * S, 10 * S), -10 * S);
        // 1970-01-01 was a Thursday; Go truncates weeks to Mondays.
        assert_eq!(truncate(0, 7 * 86_400 * S), -3 * 86_400 * S);
    }
}
