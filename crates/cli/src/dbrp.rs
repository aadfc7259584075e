//! The `-dbrp` value: a database and retention policy written `db.rp` or `"db"."rp"`
//! (quotes optional, `\"` escapes a quote inside a quoted name).

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::gofmt::quote;

/// A database and retention policy pair, as the API sends it (`{"db":..,"rp":..}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Dbrp {
    /// Database name.
    #[serde(default)]
    pub db: String,
    /// Retention policy name.
    #[serde(default)]
    pub rp: String,
}

/// Go prints a DBRP as two quoted strings joined by a dot.
impl fmt::Display for Dbrp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", quote(&self.db), quote(&self.rp))
    }
}

const MISSING_RP: &str = "dbrp must specify retention policy, do you have a missing or extra '.'?";

/// Reads a quoted name starting at the opening quote; returns the unescaped name and the
/// byte index just after the closing quote (None when the quote is never closed).
fn read_quoted(s: &str) -> (String, Option<usize>) {
    let bytes = s.as_bytes();
    let mut out = String::new();
    let mut last = 1;
    let mut i = 1;
    while i < bytes.len() {
        if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'"') {
            out.push_str(&s[last..i]);
            out.push('"');
            i += 2;
            last = i;
            continue;
        }
        if bytes[i] == b'"' {
            out.push_str(&s[last..i]);
            return (out, Some(i + 1));
        }
        i += 1;
    }
    out.push_str(&s[last.min(s.len())..]);
    (out, None)
}

/// Parses a `-dbrp` value; the error texts are Kapacitor's.
pub fn parse_dbrp(value: &str) -> Result<Dbrp, String> {
    if value.is_empty() {
        return Err("dbrp cannot be empty".to_string());
    }
    let (db, rest) = if value.starts_with('"') {
        let (db, end) = read_quoted(value);
        let end = end.ok_or_else(|| MISSING_RP.to_string())?;
        (db, &value[end..])
    } else {
        let dot = value.find('.').ok_or_else(|| {
            "does not contain a '.', it must be in the form \"dbname\".\"rpname\" where the quotes are optional.".to_string()
        })?;
        (value[..dot].to_string(), &value[dot..])
    };
    let Some(rp_part) = rest.strip_prefix('.') else {
        return Err(MISSING_RP.to_string());
    };
    if rp_part.is_empty() {
        return Err(MISSING_RP.to_string());
    }
    // Anything after a quoted retention policy's closing quote is ignored, as Kapacitor does.
    let rp = if rp_part.starts_with('"') {
        read_quoted(rp_part).0
    } else {
        rp_part.to_string()
    };
    Ok(Dbrp { db, rp })
}

/// Validator for the flag parser.
pub fn validate_dbrp(value: &str) -> Result<(), String> {
    parse_dbrp(value).map(|_| ())
}

/// Formats a list of pairs like Go prints a slice of them: `["db"."rp" "db2"."rp2"]`.
pub fn format_list(list: &[Dbrp]) -> String {
    let parts: Vec<String> = list.iter().map(Dbrp::to_string).collect();
    format!("[{}]", parts.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(db: &str, rp: &str) -> Dbrp {
        Dbrp {
            db: db.to_string(),
            rp: rp.to_string(),
        }
    }

    #[test]
    fn plain_form() {
        assert_eq!(
            parse_dbrp("kapacitor_example.autogen"),
            Ok(d("kapacitor_example", "autogen"))
        );
    }

    #[test]
    fn rp_keeps_further_dots_when_unquoted() {
        assert_eq!(parse_dbrp("db.rp.x"), Ok(d("db", "rp.x")));
    }

    #[test]
    fn quoted_forms() {
        assert_eq!(
            parse_dbrp("\"telegraf\".\"autogen\""),
            Ok(d("telegraf", "autogen"))
        );
        assert_eq!(parse_dbrp("\"my.db\".autogen"), Ok(d("my.db", "autogen")));
        assert_eq!(parse_dbrp("db.\"my rp\""), Ok(d("db", "my rp")));
        assert_eq!(parse_dbrp("\"a\\\"b\".\"c\""), Ok(d("a\"b", "c")));
    }

    #[test]
    fn errors() {
        assert_eq!(parse_dbrp("").unwrap_err(), "dbrp cannot be empty");
        assert_eq!(
            parse_dbrp("telegraf").unwrap_err(),
            "does not contain a '.', it must be in the form \"dbname\".\"rpname\" where the quotes are optional."
        );
        assert_eq!(parse_dbrp("\"db\"rp").unwrap_err(), MISSING_RP);
        assert_eq!(parse_dbrp("\"db\"").unwrap_err(), MISSING_RP);
        assert_eq!(parse_dbrp("\"db.rp").unwrap_err(), MISSING_RP);
        assert_eq!(parse_dbrp("db.").unwrap_err(), MISSING_RP);
    }

    #[test]
    fn display_like_go() {
        assert_eq!(
            d("telegraf", "autogen").to_string(),
            "\"telegraf\".\"autogen\""
        );
        assert_eq!(format_list(&[]), "[]");
        assert_eq!(
            format_list(&[d("a", "b"), d("c\"", "d")]),
            "[\"a\".\"b\" \"c\\\"\".\"d\"]"
        );
    }

    #[test]
    fn json_shape() {
        assert_eq!(
            serde_json::to_string(&d("a", "b")).unwrap(),
            r#"{"db":"a","rp":"b"}"#
        );
    }
}
