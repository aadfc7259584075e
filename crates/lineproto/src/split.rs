//! Splitting a write body into lines.
//!
//! A line ends at a newline that is neither escaped by a backslash nor inside a
//! quoted string field value, as InfluxDB's `scanLine` decides.

use memchr::memchr3;

/// Skips the spaces, tabs and NUL bytes InfluxDB ignores before each section.
pub(crate) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | 0) {
        i += 1;
    }
    i
}

/// End (exclusive) of the line starting at `start`, and whether the line
/// holds newlines of its own (escaped, or inside a string value).
pub(crate) fn line_end(b: &[u8], start: usize) -> (usize, bool) {
    let mut i = start;
    let mut multi = false;
    while let Some(off) = memchr3(b'\n', b'"', b'\\', &b[i..]) {
        let j = i + off;
        match b[j] {
            b'\n' => return (j, multi),
            b'\\' => {
                if b.get(j + 1) == Some(&b'\n') {
                    multi = true;
                    i = j + 2;
                } else {
                    i = j + 1;
                }
                if i >= b.len() {
                    return (b.len(), multi);
                }
            }
            _ => return quoted_line_end(b, start),
        }
    }
    (b.len(), multi)
}

/// Slow path for lines holding a double quote: tracks whether a quote opens a
/// string field value (a value follows each unescaped `=` after the first
/// unescaped space) so that newlines inside strings stay in the line.
fn quoted_line_end(b: &[u8], start: usize) -> (usize, bool) {
    let mut multi = false;
    let mut in_fields = false;
    let mut quoted = false;
    let (mut equals, mut commas) = (0usize, 0usize);
    let mut i = start;
    while i < b.len() {
        let c = b[i];
        if quoted {
            match c {
                b'\\' => {
                    if b.get(i + 1) == Some(&b'\n') {
                        multi = true;
                    }
                    i += 2;
                    continue;
                }
                b'"' => quoted = false,
                b'\n' => multi = true,
                _ => {}
            }
            i += 1;
            continue;
        }
        let escaped = i > start && b[i - 1] == b'\\';
        if escaped {
            if c == b'\n' {
                multi = true;
            }
            // An escaped backslash still escapes the next byte, as in InfluxDB.
            i += 1;
            continue;
        }
        match c {
            b'\n' => return (i, multi),
            b' ' => in_fields = true,
            b'=' if in_fields => equals += 1,
            b',' if in_fields => commas += 1,
            b'"' if in_fields && equals > commas => quoted = true,
            _ => {}
        }
        i += 1;
    }
    (b.len(), multi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(body: &str) -> Vec<&str> {
        let b = body.as_bytes();
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < b.len() {
            let (end, _) = line_end(b, pos);
            out.push(&body[pos..end]);
            pos = end + 1;
        }
        out
    }

    #[test]
    fn splits_on_plain_newlines() {
        assert_eq!(lines("a b=1\nc d=2\n"), vec!["a b=1", "c d=2"]);
        assert_eq!(lines("a b=1\n\nc d=2"), vec!["a b=1", "", "c d=2"]);
    }

    #[test]
    fn keeps_newlines_inside_strings() {
        assert_eq!(
            lines("a s=\"x\ny\" 1\nb v=2"),
            vec!["a s=\"x\ny\" 1", "b v=2"]
        );
        assert_eq!(
            lines("a s=\"x\\\"\ny\"\nb v=2"),
            vec!["a s=\"x\\\"\ny\"", "b v=2"]
        );
    }

    #[test]
    fn quotes_in_names_are_literal() {
        assert_eq!(
            lines("a\"b,t=\"x k\"=1\nb v=2"),
            vec!["a\"b,t=\"x k\"=1", "b v=2"]
        );
    }

    #[test]
    fn escaped_newline_continues_the_line() {
        assert_eq!(line_end(b"a\\\nb v=1\nc", 0), (8, true));
    }

    #[test]
    fn unterminated_string_takes_the_rest() {
        assert_eq!(lines("a s=\"x\nb v=2\n"), vec!["a s=\"x\nb v=2\n"]);
    }
}
