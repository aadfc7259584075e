//! The generated line protocol: Telegraf-like `cpu` points that never fire the
//! getting-started alert (`usage_idle` stays at or above 80).

use std::fmt::Write as _;

/// Produces request bodies; each generator walks the hosts from its own offset.
#[derive(Debug, Clone)]
pub struct Generator {
    measurement: String,
    series: usize,
    next: u64,
}

impl Generator {
    /// A generator for `measurement` over `series` hosts, starting at line `offset`.
    pub fn new(measurement: &str, series: usize, offset: u64) -> Self {
        Generator {
            measurement: measurement.to_string(),
            series: series.max(1),
            next: offset,
        }
    }

    /// Replaces `out` with `batch` lines stamped `time_ns`, `time_ns + 1`, ...
    pub fn fill(&mut self, out: &mut String, batch: usize, time_ns: i64) {
        out.clear();
        for i in 0..batch {
            let n = self.next;
            self.next += 1;
            let host = n % self.series as u64;
            let _ = writeln!(
                out,
                "{},cpu=cpu-total,host=server{host:05} usage_idle={}.5,usage_user={}.25 {}",
                self.measurement,
                80 + n % 19,
                n % 10,
                time_ns + i as i64
            );
        }
    }
}

/// Wall-clock time in ns since the Unix epoch.
pub fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_cycle_through_hosts() {
        let mut g = Generator::new("cpu", 2, 0);
        let mut s = String::new();
        g.fill(&mut s, 3, 100);
        assert_eq!(
            s,
            "cpu,cpu=cpu-total,host=server00000 usage_idle=80.5,usage_user=0.25 100\n\
             cpu,cpu=cpu-total,host=server00001 usage_idle=81.5,usage_user=1.25 101\n\
             cpu,cpu=cpu-total,host=server00000 usage_idle=82.5,usage_user=2.25 102\n"
        );
    }
}
