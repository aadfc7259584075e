//! Parsing a large body on several threads gives exactly what one thread gives: the same
//! points in the same order and the same errors with the same line numbers.

use kapa_lineproto::{PARALLEL_MIN_BYTES, parse_points, parse_points_parallel};
use kapa_models::Precision;

/// A body of `lines` lines mixing good lines, bad lines, blank lines, comments and CRLF.
fn body(lines: usize, seed: u64) -> Vec<u8> {
    let mut s = String::new();
    let mut x = seed;
    for i in 0..lines {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        match (x >> 33) % 23 {
            0 => s.push_str("cpu,host=a usage=oops\n"),
            1 => s.push('\n'),
            2 => s.push_str("# a comment\n"),
            3 => s.push_str(&format!("mem,host=b used={i}i {i}\r\n")),
            4 => s.push_str("bad line without fields\n"),
            _ => s.push_str(&format!(
                "cpu,cpu=cpu-total,host=server{:02} usage_idle={}.5,usage_user={}.25 {}\n",
                i % 16,
                80 + i % 15,
                i % 10,
                1_600_000_000_000_000_000i64 + i as i64
            )),
        }
    }
    s.into_bytes()
}

fn same(body: &[u8], threads: usize) {
    let mut want = Vec::new();
    let want_errors = parse_points(body, Precision::Nanosecond, 7, &mut want);
    let mut got = Vec::new();
    let got_errors = parse_points_parallel(body, Precision::Nanosecond, 7, threads, &mut got);
    assert_eq!(got.len(), want.len());
    assert!(got == want, "points differ with {threads} threads");
    let lines =
        |e: &[kapa_lineproto::LineError]| e.iter().map(ToString::to_string).collect::<Vec<_>>();
    assert_eq!(lines(&got_errors), lines(&want_errors));
}

#[test]
fn parallel_parse_equals_sequential_parse() {
    for seed in 0..5 {
        let b = body(12_000, seed);
        assert!(b.len() > 4 * PARALLEL_MIN_BYTES);
        for threads in [1, 2, 3, 4, 7] {
            same(&b, threads);
        }
    }
}

#[test]
fn bodies_with_strings_or_without_final_newline_are_still_exact() {
    let mut b = body(12_000, 9);
    // A string field may hold a newline: such bodies are parsed in one piece.
    b.extend_from_slice(b"log msg=\"two\nlines\" 5\ncpu v=1 6");
    same(&b, 4);
    let mut c = body(12_000, 10);
    c.extend_from_slice(b"cpu v=1 6");
    same(&c, 2);
}
