//! Fast scanning of names (measurement, tag keys and values, field keys).
//!
//! A name runs to the first delimiter that is not escaped. As in InfluxDB, a
//! byte is escaped when the byte before it is a backslash, so a run of
//! backslashes escapes the byte that follows the run.

/// Delimiters ending a measurement.
pub(crate) const MEASUREMENT_STOPS: Stops = Stops::new(b", ");
/// Delimiters ending a tag key, a tag value or a field key.
pub(crate) const PAIR_STOPS: Stops = Stops::new(b", =");

/// A byte-indexed table of the bytes that end a name (plus the backslash,
/// which the scanner must look at).
pub(crate) struct Stops([bool; 256]);

impl Stops {
    const fn new(delimiters: &[u8]) -> Stops {
        let mut table = [false; 256];
        table[b'\\' as usize] = true;
        let mut i = 0;
        while i < delimiters.len() {
            table[delimiters[i] as usize] = true;
            i += 1;
        }
        Stops(table)
    }
}

/// Where a name ended.
pub(crate) struct NameEnd {
    /// Position of the unescaped delimiter, or the line length.
    pub(crate) pos: usize,
    /// Whether the name holds a backslash (and may need unescaping).
    pub(crate) backslash: bool,
}

/// Scans from `i` to the first unescaped delimiter of `stops`.
#[inline]
pub(crate) fn scan_name(b: &[u8], mut i: usize, stops: &Stops) -> NameEnd {
    let mut backslash = false;
    while i < b.len() {
        let c = b[i];
        if !stops.0[usize::from(c)] {
            i += 1;
            continue;
        }
        if c != b'\\' {
            return NameEnd { pos: i, backslash };
        }
        backslash = true;
        while i < b.len() && b[i] == b'\\' {
            i += 1;
        }
        // The byte after the run is escaped, whatever it is.
        i += 1;
    }
    NameEnd {
        pos: b.len(),
        backslash,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn end(s: &str, stops: &Stops) -> (usize, bool) {
        let e = scan_name(s.as_bytes(), 0, stops);
        (e.pos, e.backslash)
    }

    #[test]
    fn stops_at_unescaped_delimiters() {
        assert_eq!(end("cpu,host", &MEASUREMENT_STOPS), (3, false));
        assert_eq!(end("cpu=x v", &MEASUREMENT_STOPS), (5, false));
        assert_eq!(end("host=a", &PAIR_STOPS), (4, false));
        assert_eq!(end("abc", &PAIR_STOPS), (3, false));
    }

    #[test]
    fn backslashes_escape_the_next_byte() {
        assert_eq!(end(r"a\ b c", &PAIR_STOPS), (4, true));
        assert_eq!(end(r"a\\,b=", &PAIR_STOPS), (5, true));
        assert_eq!(end(r"a\\\=b=", &PAIR_STOPS), (6, true));
        assert_eq!(end(r"ab\", &PAIR_STOPS), (3, true));
        assert_eq!(end(r"\,x,", &MEASUREMENT_STOPS), (3, true));
    }
}
