//! JSON encoded as Go's `encoding/json` does by default, which escapes `<`, `>`, `&`,
//! U+2028 and U+2029 inside strings. Alert handlers, the httpPost node and the CLI must match it
//! byte for byte, since users grep and parse what they write.

use serde::Serialize;

/// Serializes `value` as Go's `json.Marshal` would.
pub fn to_go_json<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    let s = serde_json::to_string(value)?;
    // These characters can only occur inside JSON strings, so replacing them in the whole
    // document is the same as escaping them in every string.
    if !s.contains(['<', '>', '&', '\u{2028}', '\u{2029}']) {
        return Ok(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_go() {
        assert_eq!(to_go_json(&"a<b>&c").unwrap(), r#""a\u003cb\u003e\u0026c""#);
        assert_eq!(to_go_json(&"plain").unwrap(), r#""plain""#);
    }
}
