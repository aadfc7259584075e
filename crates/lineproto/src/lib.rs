//! InfluxDB 1.x line protocol: a hand-written, allocation-light parser and a
//! matching formatter.
//!
//! ```text
//! measurement[,tag=value...] field=value[,field=value...] [timestamp]
//! ```
//!
//! # Parsing
//!
//! [`parse_points`] parses a whole write body: valid points are appended to a
//! vector, and every bad line is reported as a [`LineError`] without stopping
//! the others. [`parse_line`] parses a single line (recordings). A [`Parser`]
//! does the same while keeping its buffers between calls.
//!
//! The rules and error texts are those of InfluxDB's `models` package
//! (`ParsePointsWithPrecision`):
//!
//! - Blank lines, lines of whitespace and lines starting with `#` are skipped;
//!   spaces, tabs and NUL bytes before a line are ignored.
//! - Field values: floats (`1`, `-1.5`, `.5`, `1e3`), integers (`42i`), unsigned
//!   integers (`42u`), strings (`"..."`, may span lines) and booleans
//!   (`t T true True TRUE f F false False FALSE`). `NaN` and `Inf` are rejected.
//! - `\,` `\ ` `\=` escape in measurements, tag keys, tag values and field keys
//!   (plus `\"` in measurements and field keys); `\"` and `\\` in string values.
//!   Any other backslash is kept as it is.
//! - Tags come out sorted; a repeated tag key rejects the line (`duplicate
//!   tags`); a repeated field key keeps the last value.
//! - The timestamp is optional and is multiplied by the precision; a line
//!   without one gets the default time truncated to the precision.
//! - Deliberate difference: one `\r` before the newline is dropped, so
//!   Windows line endings are accepted (InfluxDB reports `bad timestamp` or
//!   `invalid number` for them). Invalid UTF-8 becomes U+FFFD.
//!
//! Parsing builds each `SmolStr` straight from the input (inline up to 23
//! bytes), unescaping through a reused buffer only when a token holds a
//! backslash, and validates UTF-8 once per line.
//!
//! # Formatting
//!
//! [`format_point`] writes a point so that parsing it gives the same point
//! back (see its notes for the few names line protocol cannot carry).

mod error;
mod escape;
mod format;
mod names;
mod parse;
mod split;
mod tokens;
mod value;

use kapa_models::{Point, Precision};
use memchr::memchr_iter;

pub use error::{LineError, MAX_ERROR_TEXT};
pub use format::{format_point, format_points};

use parse::LineParser;
use split::{line_end, skip_ws};

/// Parses every line of `body`; valid points are appended to `out`, invalid lines are returned.
///
/// `default_time` (ns) is used for points without a timestamp. Timestamps are multiplied by precision.
pub fn parse_points(
    body: &[u8],
    precision: Precision,
    default_time: i64,
    out: &mut Vec<Point>,
) -> Vec<LineError> {
    Parser::new().parse_points(body, precision, default_time, out)
}

/// Bodies at least this large are parsed on several threads by [`parse_points_parallel`].
pub const PARALLEL_MIN_BYTES: usize = 64 * 1024;

/// Like [`parse_points`], but a large body without string fields (so every newline ends a
/// line) is cut at line boundaries and its parts are parsed on up to `threads` threads. The
/// points and errors are the same, in the same order, as [`parse_points`] gives.
pub fn parse_points_parallel(
    body: &[u8],
    precision: Precision,
    default_time: i64,
    threads: usize,
    out: &mut Vec<Point>,
) -> Vec<LineError> {
    // A quote may start a string field holding newlines: only a sequential scan can tell
    // where its lines end.
    if threads < 2 || body.len() < PARALLEL_MIN_BYTES || memchr::memchr(b'"', body).is_some() {
        return parse_points(body, precision, default_time, out);
    }
    let parts = threads.min(body.len() / (PARALLEL_MIN_BYTES / 2)).max(1);
    // Cut after the first newline at or past each share.
    let mut cuts = vec![0];
    for k in 1..parts {
        let at = (body.len() * k / parts).max(*cuts.last().unwrap_or(&0));
        match memchr::memchr(b'\n', &body[at..]) {
            Some(i) if at + i + 1 < body.len() => cuts.push(at + i + 1),
            _ => break,
        }
    }
    cuts.push(body.len());
    let chunks: Vec<&[u8]> = cuts.windows(2).map(|w| &body[w[0]..w[1]]).collect();
    let mut first_lines = Vec::with_capacity(chunks.len());
    let mut line = 1;
    for c in &chunks {
        first_lines.push(line);
        line += memchr_iter(b'\n', c).count();
    }
    let mut results: Vec<(Vec<Point>, Vec<LineError>)> = Vec::with_capacity(chunks.len());
    std::thread::scope(|s| {
        let parse = move |c: &[u8], first: usize| {
            let mut pts = Vec::new();
            let errs = Parser::new().parse_numbered(c, precision, default_time, first, &mut pts);
            (pts, errs)
        };
        let handles: Vec<_> = chunks
            .iter()
            .zip(&first_lines)
            .skip(1)
            .map(|(c, first)| (*c, *first, s.spawn(move || parse(c, *first))))
            .collect();
        results.push(parse(chunks[0], 1));
        for (c, first, h) in handles {
            // A parse never panics on input; should a thread die anyway, its part is
            // parsed again here rather than lost.
            results.push(h.join().unwrap_or_else(|_| parse(c, first)));
        }
    });
    let mut errors = Vec::new();
    out.reserve(results.iter().map(|r| r.0.len()).sum());
    for (pts, errs) in results {
        out.extend(pts);
        errors.extend(errs);
    }
    errors
}

/// Parses exactly one line (no newline) — used by recordings.
///
/// A trailing `\n` or `\r\n` is tolerated. Unlike [`parse_points`], blank and
/// comment lines are not skipped: they are parsed, and rejected, as points.
pub fn parse_line(
    line: &[u8],
    precision: Precision,
    default_time: i64,
) -> Result<Point, LineError> {
    Parser::new().parse_line(line, precision, default_time)
}

/// A reusable parser: keeps its buffers, and the previous line's names to
/// share them, from one call to the next. Use it to parse many lines one by one.
#[derive(Default)]
pub struct Parser {
    inner: LineParser,
}

impl Parser {
    /// A parser with empty buffers.
    pub fn new() -> Self {
        Parser::default()
    }

    /// Same as the free function [`parse_points`].
    pub fn parse_points(
        &mut self,
        body: &[u8],
        precision: Precision,
        default_time: i64,
        out: &mut Vec<Point>,
    ) -> Vec<LineError> {
        self.parse_numbered(body, precision, default_time, 1, out)
    }

    /// Parses `body` whose first line is line `first_line` of the whole write.
    fn parse_numbered(
        &mut self,
        body: &[u8],
        precision: Precision,
        default_time: i64,
        first_line: usize,
        out: &mut Vec<Point>,
    ) -> Vec<LineError> {
        let mut errors = Vec::new();
        // One point per newline, plus an unterminated last line.
        out.reserve(memchr_iter(b'\n', body).count() + usize::from(!body.ends_with(b"\n")));
        let mut pos = 0;
        let mut line_no = first_line;
        while pos < body.len() {
            let start = skip_ws(body, pos);
            let (end, multi) = line_end(body, start);
            let this_line = line_no;
            line_no += 1;
            if multi {
                line_no += memchr_iter(b'\n', &body[start..end]).count();
            }
            pos = end + 1;
            let line = trim_cr(&body[start..end]);
            if line.is_empty() || line[0] == b'#' {
                continue;
            }
            match self.inner.parse_bytes(line, precision, default_time) {
                Ok(p) => out.push(p),
                Err(reason) => errors.push(LineError::new(this_line, line, &reason)),
            }
        }
        errors
    }

    /// Same as the free function [`parse_line`].
    pub fn parse_line(
        &mut self,
        line: &[u8],
        precision: Precision,
        default_time: i64,
    ) -> Result<Point, LineError> {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let line = trim_cr(&line[skip_ws(line, 0)..]);
        self.inner
            .parse_bytes(line, precision, default_time)
            .map_err(|reason| LineError::new(1, line, &reason))
    }
}

/// Drops one carriage return ending the line.
fn trim_cr(line: &[u8]) -> &[u8] {
    line.strip_suffix(b"\r").unwrap_or(line)
}
