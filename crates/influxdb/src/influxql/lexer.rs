//! InfluxQL tokens (the subset a SELECT statement uses).

use crate::InfluxError;

/// One token with its byte offset in the statement.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// An identifier, unquoted or `"quoted"` (the flag says which).
    Ident(String, bool),
    /// A keyword, upper-cased (`SELECT`, `FROM`, `AND`...).
    Keyword(&'static str),
    /// `'string'`.
    Str(String),
    /// An integer literal.
    Int(i64),
    /// A float literal.
    Num(f64),
    /// A duration literal, in ns.
    Duration(i64),
    /// `/regex/`.
    Regex(String),
    /// `$param`.
    Param(String),
    /// Operators and punctuation: `+ - * / % & | ^ = != <> < <= > >= =~ !~ ( ) , . ; ::`.
    Op(&'static str),
}

const KEYWORDS: &[&str] = &[
    "ALL", "AND", "AS", "ASC", "BY", "DESC", "FALSE", "FILL", "FROM", "GROUP", "INTO", "LIMIT",
    "OFFSET", "OR", "ORDER", "SELECT", "SLIMIT", "SOFFSET", "TRUE", "WHERE", "TZ", "DISTINCT",
];

/// True when `s` is a reserved InfluxQL keyword (such identifiers must be quoted).
pub(crate) fn is_keyword(s: &str) -> bool {
    let up = s.to_ascii_uppercase();
    KEYWORDS.contains(&up.as_str()) && up != "TZ"
}

fn keyword(s: &str) -> Option<&'static str> {
    let up = s.to_ascii_uppercase();
    KEYWORDS.iter().find(|k| **k == up).copied()
}

/// Splits a statement into tokens with their offsets.
pub(crate) fn lex(src: &str) -> Result<Vec<(usize, Tok)>, InfluxError> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let err =
        |pos: usize, msg: &str| InfluxError::Parse(format!("{msg} at line 1, char {}", pos + 1));
    while i < b.len() {
        let c = b[i];
        let start = i;
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        // `-- comment` to the end of the line.
        if c == b'-' && b.get(i + 1) == Some(&b'-') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let word = &src[start..i];
            out.push((
                start,
                match keyword(word) {
                    Some(k) => Tok::Keyword(k),
                    None => Tok::Ident(word.to_string(), false),
                },
            ));
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let mut float = false;
            if i < b.len() && b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                float = true;
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let num = &src[start..i];
            // A duration: integer followed by a unit.
            if !float {
                let rest = &src[i..];
                let unit_len = ["ns", "us", "µs", "ms", "u", "µ", "s", "m", "h", "d", "w"]
                    .iter()
                    .find(|u| {
                        rest.starts_with(**u)
                            && !rest[u.len()..]
                                .bytes()
                                .next()
                                .is_some_and(|n| n.is_ascii_alphanumeric() || n == b'_')
                    })
                    .map(|u| u.len());
                if let Some(n) = unit_len {
                    let text = &src[start..i + n];
                    let ns = kapa_models::duration::parse_influxql(text)
                        .map_err(|_| err(start, &format!("invalid duration {text}")))?;
                    i += n;
                    out.push((start, Tok::Duration(ns)));
                    continue;
                }
                let v: i64 = num
                    .parse()
                    .map_err(|_| err(start, &format!("unable to parse integer {num}")))?;
                out.push((start, Tok::Int(v)));
            } else {
                let v: f64 = num
                    .parse()
                    .map_err(|_| err(start, &format!("unable to parse number {num}")))?;
                out.push((start, Tok::Num(v)));
            }
            continue;
        }
        match c {
            b'"' | b'\'' => {
                let (text, end) = quoted(src, i, c).ok_or_else(|| {
                    err(
                        start,
                        if c == b'"' {
                            "found unterminated quoted identifier"
                        } else {
                            "found unterminated string"
                        },
                    )
                })?;
                i = end;
                out.push((
                    start,
                    if c == b'"' {
                        Tok::Ident(text, true)
                    } else {
                        Tok::Str(text)
                    },
                ));
            }
            b'$' => {
                i += 1;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                out.push((start, Tok::Param(src[start + 1..i].to_string())));
            }
            b'/' if regex_allowed(out.last().map(|t| &t.1)) => {
                let mut text = String::new();
                i += 1;
                loop {
                    let Some(&ch) = b.get(i) else {
                        return Err(err(start, "found unterminated regex"));
                    };
                    if ch == b'\\' && b.get(i + 1) == Some(&b'/') {
                        text.push('/');
                        i += 2;
                        continue;
                    }
                    if ch == b'/' {
                        i += 1;
                        break;
                    }
                    let ch_len = src[i..].chars().next().map(char::len_utf8).unwrap_or(1);
                    text.push_str(&src[i..i + ch_len]);
                    i += ch_len;
                }
                out.push((start, Tok::Regex(text)));
            }
            _ => {
                let two = src.get(i..i + 2).unwrap_or("");
                let op = ["!=", "<>", "<=", ">=", "=~", "!~", "::"]
                    .iter()
                    .find(|o| **o == two)
                    .copied();
                if let Some(op) = op {
                    i += 2;
                    out.push((start, Tok::Op(if op == "<>" { "!=" } else { op })));
                    continue;
                }
                let op = match c {
                    b'+' => "+",
                    b'-' => "-",
                    b'*' => "*",
                    b'/' => "/",
                    b'%' => "%",
                    b'&' => "&",
                    b'|' => "|",
                    b'^' => "^",
                    b'=' => "=",
                    b'<' => "<",
                    b'>' => ">",
                    b'(' => "(",
                    b')' => ")",
                    b',' => ",",
                    b'.' => ".",
                    b';' => ";",
                    _ => {
                        let ch = src[i..].chars().next().unwrap_or('?');
                        return Err(err(start, &format!("found {ch}, expected expression")));
                    }
                };
                i += 1;
                out.push((start, Tok::Op(op)));
            }
        }
    }
    Ok(out)
}

/// A `/` starts a regex where an operand is expected (after an operator, a keyword, `(` or `,`).
fn regex_allowed(prev: Option<&Tok>) -> bool {
    match prev {
        None => true,
        Some(Tok::Op(o)) => *o != ")",
        Some(Tok::Keyword(k)) => !matches!(*k, "TRUE" | "FALSE"),
        _ => false,
    }
}

/// Reads a quoted string starting at `i` (the quote); returns its unescaped text and the end.
fn quoted(src: &str, i: usize, q: u8) -> Option<(String, usize)> {
    let b = src.as_bytes();
    let mut out = String::new();
    let mut j = i + 1;
    while j < b.len() {
        let c = b[j];
        if c == q {
            return Some((out, j + 1));
        }
        if c == b'\\' {
            match b.get(j + 1) {
                Some(b'n') => out.push('\n'),
                Some(b'\\') => out.push('\\'),
                Some(b'\'') => out.push('\''),
                Some(b'"') => out.push('"'),
                Some(_) => {
                    let ch = src[j + 1..].chars().next()?;
                    out.push('\\');
                    out.push(ch);
                    j += 1 + ch.len_utf8();
                    continue;
                }
                None => return None,
            }
            j += 2;
            continue;
        }
        if c == b'\n' && q == b'"' {
            return None;
        }
        let ch = src[j..].chars().next()?;
        out.push(ch);
        j += ch.len_utf8();
    }
    None
}
