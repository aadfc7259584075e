//! Percentiles of latency samples.

/// The `q`-quantile (0 < q <= 1) of sorted samples by the nearest-rank method: the smallest
/// sample such that at least `q` of all samples are at or below it. `None` when empty.
pub fn percentile(sorted: &[u64], q: f64) -> Option<u64> {
    if sorted.is_empty() {
        return None;
    }
    let n = sorted.len();
    // Nearest rank is ceil(q * n), 1-based; the epsilon keeps 0.99 * 100 at rank 99.
    let rank = ((q * n as f64) - 1e-9).ceil().max(1.0) as usize;
    sorted.get(rank.min(n) - 1).copied()
}

/// p50, p99 and p99.9 of unsorted samples (sorted in place).
pub fn summary(samples: &mut [u64]) -> Option<[u64; 3]> {
    samples.sort_unstable();
    Some([
        percentile(samples, 0.5)?,
        percentile(samples, 0.99)?,
        percentile(samples, 0.999)?,
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_has_no_percentile() {
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(summary(&mut []), None);
    }

    #[test]
    fn nearest_rank_on_one_to_hundred() {
        let v: Vec<u64> = (1..=100).collect();
        assert_eq!(percentile(&v, 0.5), Some(50));
        assert_eq!(percentile(&v, 0.99), Some(99));
        assert_eq!(percentile(&v, 0.999), Some(100));
        assert_eq!(percentile(&v, 1.0), Some(100));
        assert_eq!(percentile(&v, 0.001), Some(1));
    }

    #[test]
    fn small_sets() {
        assert_eq!(percentile(&[7], 0.5), Some(7));
        assert_eq!(percentile(&[7], 0.999), Some(7));
        assert_eq!(percentile(&[1, 2], 0.5), Some(1));
        assert_eq!(percentile(&[1, 2], 0.51), Some(2));
    }

    #[test]
    fn p999_needs_a_thousand_samples_to_differ_from_max() {
        let mut v: Vec<u64> = (1..=2000).rev().collect();
        assert_eq!(summary(&mut v), Some([1000, 1980, 1998]));
    }
}
