//! The parse-only limit: how fast `kapa_lineproto` parses the very bodies the load sends.

use std::time::{Duration, Instant};

use kapa_models::Precision;

use crate::lines::Generator;

/// Parse throughput on one thread.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParseResult {
    /// Points parsed.
    pub points: u64,
    /// Bytes parsed.
    pub bytes: u64,
    /// Time spent parsing.
    pub elapsed: Duration,
    /// Lines the parser refused (must be 0).
    pub errors: u64,
}

impl ParseResult {
    /// Points per second.
    pub fn rate(&self) -> f64 {
        self.points as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

/// Parses 64 generated bodies of `batch` lines over and over for about `duration`.
pub fn run(measurement: &str, series: usize, batch: usize, duration: Duration) -> ParseResult {
    let mut g = Generator::new(measurement, series, 0);
    let base = crate::lines::now_ns();
    let bodies: Vec<String> = (0..64)
        .map(|i| {
            let mut s = String::new();
            g.fill(&mut s, batch, base + i * batch as i64);
            s
        })
        .collect();
    let mut parser = kapa_lineproto::Parser::new();
    let mut out = Vec::with_capacity(batch);
    let mut r = ParseResult {
        points: 0,
        bytes: 0,
        elapsed: Duration::ZERO,
        errors: 0,
    };
    let start = Instant::now();
    'outer: loop {
        for b in &bodies {
            out.clear();
            r.errors += parser
                .parse_points(b.as_bytes(), Precision::Nanosecond, 0, &mut out)
                .len() as u64;
            r.points += out.len() as u64;
            r.bytes += b.len() as u64;
            if start.elapsed() >= duration {
                break 'outer;
            }
        }
    }
    r.elapsed = start.elapsed();
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_generated_line() {
        let r = run("cpu", 10, 100, Duration::ZERO);
        assert_eq!((r.points, r.errors), (100, 0));
    }
}
