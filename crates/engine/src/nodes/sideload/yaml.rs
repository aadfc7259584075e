//! The YAML that sideload files use, read into JSON values as Kapacitor's `ghodss/yaml`
//! does (YAML 1.1 scalars as go-yaml v2 resolves them: `yes`/`on` are booleans, numbers
//! become JSON numbers). Block mappings, block sequences, quoted and plain scalars, `|`/`>`
//! block scalars and JSON-compatible flow collections are read; anchors, tags and
//! multi-document streams are not (a hand-written subset keeps the workspace free of a
//! YAML dependency for files that are flat key/value maps in practice).

use serde_json::{Map, Value};

struct Line<'a> {
    no: usize,
    indent: usize,
    text: &'a str,
}

/// Parses a document whose top level is a mapping (an empty document is an empty mapping).
pub(crate) fn parse_mapping(src: &str) -> Result<Map<String, Value>, String> {
    let lines = lines(src)?;
    if lines.is_empty() {
        return Ok(Map::new());
    }
    let mut i = 0;
    let v = block(&lines, &mut i, lines[0].indent)?;
    if let Some(l) = lines.get(i) {
        return Err(format!("yaml: line {}: did not find expected key", l.no));
    }
    match v {
        Value::Object(m) => Ok(m),
        Value::Null => Ok(Map::new()),
        _ => Err("yaml: cannot unmarshal a non-mapping document into a map".into()),
    }
}

fn lines(src: &str) -> Result<Vec<Line<'_>>, String> {
    let mut out = Vec::new();
    for (n, raw) in src.lines().enumerate() {
        let body = raw.trim_start_matches(' ');
        if body.starts_with('\t') {
            return Err(format!(
                "yaml: line {}: found a tab character that violates indentation",
                n + 1
            ));
        }
        let text = strip_comment(body).trim_end();
        if text.is_empty() || text == "---" || text == "..." {
            continue;
        }
        out.push(Line {
            no: n + 1,
            indent: raw.len() - body.len(),
            text,
        });
    }
    Ok(out)
}

/// Drops a `#` comment that starts the line or follows a blank, outside quotes.
fn strip_comment(s: &str) -> &str {
    let (mut single, mut double, mut prev_blank) = (false, false, true);
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        match c {
            '\\' if double => escaped = !escaped,
            '"' if !single && !escaped => double = !double,
            '\'' if !double => single = !single,
            '#' if !single && !double && prev_blank => return &s[..i],
            _ => escaped = false,
        }
        if c != '\\' {
            escaped = false;
        }
        prev_blank = c == ' ' || c == '\t';
    }
    s
}

fn block(lines: &[Line<'_>], i: &mut usize, indent: usize) -> Result<Value, String> {
    let Some(first) = lines.get(*i) else {
        return Ok(Value::Null);
    };
    if is_item(first.text) {
        return sequence(lines, i, indent);
    }
    let mut map = Map::new();
    while let Some(l) = lines.get(*i) {
        if l.indent < indent {
            break;
        }
        if l.indent > indent {
            return Err(format!(
                "yaml: line {}: mapping values are not allowed in this context",
                l.no
            ));
        }
        let (key, rest) = split_key(l.text)
            .ok_or_else(|| format!("yaml: line {}: could not find expected ':'", l.no))?;
        *i += 1;
        let value = if rest.is_empty() {
            match lines.get(*i) {
                Some(n) if n.indent > indent => block(lines, i, n.indent)?,
                Some(n) if n.indent == indent && is_item(n.text) => sequence(lines, i, indent)?,
                _ => Value::Null,
            }
        } else if rest == "|" || rest == ">" || rest.starts_with("|-") || rest.starts_with(">-") {
            block_scalar(lines, i, indent, rest)
        } else {
            scalar(rest, l.no)?
        };
        map.insert(key, value);
    }
    Ok(Value::Object(map))
}

fn is_item(text: &str) -> bool {
    text == "-" || text.starts_with("- ")
}

fn sequence(lines: &[Line<'_>], i: &mut usize, indent: usize) -> Result<Value, String> {
    let mut items = Vec::new();
    while let Some(l) = lines.get(*i) {
        if l.indent != indent || !is_item(l.text) {
            break;
        }
        *i += 1;
        let rest = l.text[1..].trim_start();
        if rest.is_empty() {
            match lines.get(*i) {
                Some(n) if n.indent > indent => items.push(block(lines, i, n.indent)?),
                _ => items.push(Value::Null),
            }
        } else if split_key(rest).is_some() {
            // A mapping inside an item: its first key sits after the dash.
            let mut sub = vec![Line {
                no: l.no,
                indent: indent + 2,
                text: rest,
            }];
            while let Some(n) = lines.get(*i).filter(|n| n.indent > indent) {
                sub.push(Line {
                    no: n.no,
                    indent: n.indent,
                    text: n.text,
                });
                *i += 1;
            }
            let mut j = 0;
            items.push(block(&sub, &mut j, indent + 2)?);
        } else {
            items.push(scalar(rest, l.no)?);
        }
    }
    Ok(Value::Array(items))
}

fn block_scalar(lines: &[Line<'_>], i: &mut usize, indent: usize, head: &str) -> Value {
    let mut parts = Vec::new();
    while let Some(l) = lines.get(*i).filter(|l| l.indent > indent) {
        parts.push(l.text);
        *i += 1;
    }
    let sep = if head.starts_with('|') { "\n" } else { " " };
    let mut s = parts.join(sep);
    if !head.ends_with('-') && !s.is_empty() {
        s.push('\n');
    }
    Value::String(s)
}

/// Splits `key: value` (or `key:`) at the first `: ` outside quotes.
fn split_key(text: &str) -> Option<(String, &str)> {
    let bytes = text.as_bytes();
    let end = match bytes.first() {
        Some(b'"') | Some(b'\'') => {
            let q = bytes[0];
            let mut j = 1;
            while j < bytes.len() && (bytes[j] != q || (q == b'"' && bytes[j - 1] == b'\\')) {
                j += 1;
            }
            j + 1
        }
        _ => 0,
    };
    let tail = text.get(end..)?;
    let pos = tail
        .find(": ")
        .or_else(|| tail.ends_with(':').then(|| tail.len() - 1))?;
    let raw_key = text[..end + pos].trim();
    let key = match scalar(raw_key, 0).ok()? {
        Value::String(s) => s,
        Value::Null => "null".into(),
        other => other.to_string(),
    };
    let key = if raw_key.starts_with(['"', '\'']) {
        key
    } else {
        raw_key.to_string()
    };
    Some((key, text[end + pos + 1..].trim()))
}

fn scalar(s: &str, line: usize) -> Result<Value, String> {
    if let Some(body) = s.strip_prefix('"') {
        let body = body
            .strip_suffix('"')
            .ok_or_else(|| format!("yaml: line {line}: found unexpected end of stream"))?;
        return unescape(body, line).map(Value::String);
    }
    if let Some(body) = s.strip_prefix('\'') {
        let body = body
            .strip_suffix('\'')
            .ok_or_else(|| format!("yaml: line {line}: found unexpected end of stream"))?;
        return Ok(Value::String(body.replace("''", "'")));
    }
    if s.starts_with(['[', '{']) {
        // Flow collections: JSON-shaped ones are read; others are kept as non-scalars.
        return Ok(serde_json::from_str(s).unwrap_or_else(|_| {
            if s.starts_with('[') {
                Value::Array(Vec::new())
            } else {
                Value::Object(Map::new())
            }
        }));
    }
    Ok(plain(s))
}

fn unescape(body: &str, line: usize) -> Result<String, String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                let c = u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32);
                out.push(
                    c.ok_or_else(|| format!("yaml: line {line}: found unknown escape character"))?,
                );
            }
            Some(c @ ('"' | '\\' | '/' | ' ')) => out.push(c),
            _ => return Err(format!("yaml: line {line}: found unknown escape character")),
        }
    }
    Ok(out)
}

/// Resolves a plain scalar as go-yaml v2 does.
fn plain(s: &str) -> Value {
    match s {
        "~" | "null" | "Null" | "NULL" => return Value::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Value::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Value::Bool(false);
        }
        _ => {}
    }
    if let Some(i) = int(s) {
        return Value::from(i);
    }
    if is_float(s)
        && let Ok(f) = s.replace('_', "").parse::<f64>()
        && let Some(n) = serde_json::Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(s.to_string())
}

fn int(s: &str) -> Option<i64> {
    let clean = s.replace('_', "");
    let (neg, digits) = match clean.as_bytes().first()? {
        b'-' => (true, &clean[1..]),
        b'+' => (false, &clean[1..]),
        _ => (false, clean.as_str()),
    };
    let (radix, digits) = if let Some(h) = digits.strip_prefix("0x") {
        (16, h)
    } else if let Some(b) = digits.strip_prefix("0b") {
        (2, b)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = i64::from_str_radix(digits, radix).ok()?;
    Some(if neg { -v } else { v })
}

fn is_float(s: &str) -> bool {
    let b = s.trim_start_matches(['+', '-']).as_bytes();
    let mut digits = 0;
    let mut i = 0;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
        digits += usize::from(b[i].is_ascii_digit());
        i += 1;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            digits += usize::from(b[i].is_ascii_digit());
            i += 1;
        }
    }
    if digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    i == b.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn flat_mapping_with_yaml11_scalars() {
        let m = parse_mapping("# comment\nf1: 42\nf2: 13.5\nt3: why # trailing\nok: yes\noff: Off\nq: \"a: b\"\ns: 'it''s'\nn: ~\nhex: 0x1f\n")
            .unwrap();
        assert_eq!(
            Value::Object(m),
            json!({"f1": 42, "f2": 13.5, "t3": "why", "ok": true, "off": false, "q": "a: b", "s": "it's", "n": null, "hex": 31})
        );
    }

    #[test]
    fn nested_mappings_and_sequences() {
        let m = parse_mapping(
            "host1:\n  cpu: 98\n  list:\n    - a\n    - 2\nhost2:\n  cpu: 97\nflow: [1, 2]\n",
        )
        .unwrap();
        assert_eq!(
            Value::Object(m),
            json!({"host1": {"cpu": 98, "list": ["a", 2]}, "host2": {"cpu": 97}, "flow": [1, 2]})
        );
    }

    #[test]
    fn empty_document_and_errors() {
        assert!(parse_mapping("---\n# nothing\n").unwrap().is_empty());
        assert!(parse_mapping("just a string").is_err());
        assert!(parse_mapping("a: 1\n   b: 2\n").is_err());
    }
}
