//! Backslash escapes: which bytes lose their backslash when parsed, and how
//! names and string values are escaped when formatted.
//!
//! InfluxDB 1.x only removes a backslash in front of a character that has to be
//! escaped; any other backslash is kept as it is. `\\` is therefore two
//! backslashes in names (but one in string field values).

/// Bytes whose backslash is removed in measurements and field keys.
pub(crate) fn is_key_escape(b: u8) -> bool {
    matches!(b, b',' | b'"' | b' ' | b'=')
}

/// Bytes whose backslash is removed in tag keys and tag values.
pub(crate) fn is_tag_escape(b: u8) -> bool {
    matches!(b, b',' | b' ' | b'=')
}

/// Bytes whose backslash is removed in string field values.
pub(crate) fn is_string_escape(b: u8) -> bool {
    matches!(b, b'"' | b'\\')
}

/// Appends `raw` to `out`, dropping every backslash that precedes a byte
/// accepted by `is_escape` (left to right, so `\\,` becomes `\,`).
pub(crate) fn unescape_into(raw: &str, is_escape: fn(u8) -> bool, out: &mut String) {
    let b = raw.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'\\' && is_escape(b[i + 1]) {
            // Both bytes are ASCII, so the cuts fall on character boundaries.
            out.push_str(&raw[run..i]);
            run = i + 1;
            i += 2;
        } else {
            i += 1;
        }
    }
    out.push_str(&raw[run..]);
}

/// Appends `s` escaping every byte accepted by `always`, and every byte accepted
/// by `after_backslash` that follows a literal backslash (so that the parser's
/// unescaping cannot consume the literal backslash instead).
fn push_escaped(
    s: &str,
    out: &mut String,
    always: fn(u8) -> bool,
    after_backslash: fn(u8) -> bool,
) {
    let b = s.as_bytes();
    let mut run = 0;
    for (i, &c) in b.iter().enumerate() {
        if always(c) || (after_backslash(c) && i > 0 && b[i - 1] == b'\\') {
            out.push_str(&s[run..i]);
            out.push('\\');
            run = i;
        }
    }
    out.push_str(&s[run..]);
}

/// Appends a measurement name, escaped.
pub(crate) fn push_measurement(s: &str, out: &mut String) {
    push_escaped(
        s,
        out,
        |c| matches!(c, b',' | b' '),
        |c| matches!(c, b'"' | b'='),
    );
}

/// Appends a tag key or tag value, escaped.
pub(crate) fn push_tag(s: &str, out: &mut String) {
    push_escaped(s, out, is_tag_escape, |_| false);
}

/// Appends a field key, escaped.
pub(crate) fn push_field_key(s: &str, out: &mut String) {
    push_escaped(s, out, is_key_escape, |_| false);
}

/// Appends a string field value with its quotes.
pub(crate) fn push_string_value(s: &str, out: &mut String) {
    out.push('"');
    push_escaped(s, out, is_string_escape, |_| false);
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unescape(raw: &str, f: fn(u8) -> bool) -> String {
        let mut out = String::new();
        unescape_into(raw, f, &mut out);
        out
    }

    #[test]
    fn unescape_drops_only_escaping_backslashes() {
        assert_eq!(unescape(r"a\,b\ c\=d", is_tag_escape), "a,b c=d");
        assert_eq!(unescape(r#"a\"b"#, is_tag_escape), r#"a\"b"#);
        assert_eq!(unescape(r#"a\"b"#, is_key_escape), r#"a"b"#);
        assert_eq!(unescape(r"a\\,b", is_tag_escape), r"a\,b");
        assert_eq!(unescape(r"C:\path\x", is_tag_escape), r"C:\path\x");
        assert_eq!(unescape(r"end\", is_tag_escape), r"end\");
        assert_eq!(unescape(r#"q\"\\x\n"#, is_string_escape), r#"q"\x\n"#);
    }

    #[test]
    fn escape_writers() {
        let mut s = String::new();
        push_measurement(r#"a b,c=d"e\=f"#, &mut s);
        assert_eq!(s, r#"a\ b\,c=d"e\\=f"#);
        s.clear();
        push_tag(r#"a b,c=d"e"#, &mut s);
        assert_eq!(s, r#"a\ b\,c\=d"e"#);
        s.clear();
        push_field_key(r#"a b,c=d"e"#, &mut s);
        assert_eq!(s, r#"a\ b\,c\=d\"e"#);
        s.clear();
        push_string_value(r#"say "hi" \o/"#, &mut s);
        assert_eq!(s, r#""say \"hi\" \\o/""#);
    }
}
