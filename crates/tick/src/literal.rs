//! Decoding of literal token text into values, with Kapacitor's error texts.

use crate::ast::ExprKind;
use crate::quote::quote_str;

/// Decodes a number token: a float when it has a `.`, octal when it starts with `0`.
pub(crate) fn number(text: &str) -> Result<ExprKind, String> {
    let illegal = || format!("illegal number syntax: {}", quote_str(text));
    if text.is_empty() {
        return Err("invalid number literal, empty string".to_string());
    }
    if text.contains('.') {
        // Out-of-range floats are an error in Go (ErrRange), so infinities are refused too.
        return match text.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(ExprKind::Float(f)),
            _ => Err(illegal()),
        };
    }
    let radix = if text.len() > 1 && text.starts_with('0') {
        8
    } else {
        10
    };
    if !text.chars().all(|c| c.is_ascii_digit()) {
        return Err(illegal());
    }
    i64::from_str_radix(text, radix)
        .map(ExprKind::Int)
        .map_err(|_| illegal())
}

/// Decodes a duration token like InfluxQL's `ParseDuration` (units u µ ms s m h d w).
pub(crate) fn duration(text: &str) -> Result<i64, String> {
    const INVALID: &str = "invalid duration";
    if text.len() < 2 {
        return Err(INVALID.to_string());
    }
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let negative = chars.first() == Some(&'-');
    if negative {
        i += 1;
    }
    let mut total: i64 = 0;
    let mut measure: i64 = 0;
    let mut unit = String::new();
    while i < chars.len() {
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i >= chars.len() || i == start {
            return Err(INVALID.to_string());
        }
        let digits: String = chars[start..i].iter().collect();
        let n: i64 = digits.parse().map_err(|_| INVALID.to_string())?;
        measure = n;
        unit = chars[i].to_string();
        let two_char = |c: char| chars.get(i + 1) == Some(&c);
        // Go multiplies with wrap-around; the sign check below catches the overflow.
        let scale: i64 = match chars[i] {
            'n' if two_char('s') => {
                unit.push('s');
                i += 1;
                1
            }
            'u' | 'µ' => 1_000,
            'm' if two_char('s') => {
                unit.push('s');
                i += 1;
                1_000_000
            }
            'm' => 60_000_000_000,
            's' => 1_000_000_000,
            'h' => 3_600_000_000_000,
            'd' => 86_400_000_000_000,
            'w' => 604_800_000_000_000,
            _ => return Err(INVALID.to_string()),
        };
        total = total.wrapping_add(n.wrapping_mul(scale));
        i += 1;
    }
    if total < 0 && !negative {
        return Err(format!(
            "overflowed duration {measure}{unit}: choose a smaller duration or INF"
        ));
    }
    Ok(if negative {
        total.wrapping_neg()
    } else {
        total
    })
}

/// Removes `\` before each occurrence of `escaped` (the only escape TICKscript knows).
fn unescape(literal: &str, escaped: char) -> String {
    let mut out = String::with_capacity(literal.len());
    let mut chars = literal.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek() == Some(&escaped) {
            continue;
        }
        out.push(c);
    }
    out
}

/// Decodes a string token; returns the value and whether it was triple-quoted.
pub(crate) fn string(text: &str) -> (String, bool) {
    if text.len() >= 6 && text.starts_with("'''") {
        return (text[3..text.len() - 3].to_string(), true);
    }
    let inner = text.get(1..text.len().saturating_sub(1)).unwrap_or("");
    (unescape(inner, '\''), false)
}

/// Decodes a `"reference"` token.
pub(crate) fn reference(text: &str) -> String {
    let inner = text.get(1..text.len().saturating_sub(1)).unwrap_or("");
    unescape(inner, '"')
}

/// Decodes a `/regex/` token into the pattern with `\/` turned into `/`.
pub(crate) fn regex(text: &str) -> String {
    let inner = text.get(1..text.len().saturating_sub(1)).unwrap_or("");
    unescape(inner, '/')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(number("42"), Ok(ExprKind::Int(42)));
        assert_eq!(number("0644"), Ok(ExprKind::Int(420)));
        assert_eq!(number("0"), Ok(ExprKind::Int(0)));
        assert_eq!(number("00"), Ok(ExprKind::Int(0)));
        assert_eq!(number("4.2"), Ok(ExprKind::Float(4.2)));
        assert_eq!(number(".5"), Ok(ExprKind::Float(0.5)));
        assert_eq!(number("5."), Ok(ExprKind::Float(5.0)));
        assert_eq!(
            number("09"),
            Err("illegal number syntax: \"09\"".to_string())
        );
        assert_eq!(
            number("9223372036854775808"),
            Err("illegal number syntax: \"9223372036854775808\"".to_string())
        );
        assert_eq!(number("9223372036854775807"), Ok(ExprKind::Int(i64::MAX)));
        let huge = format!("1{}.0", "0".repeat(400));
        assert!(number(&huge).is_err());
    }

    #[test]
    fn durations() {
        assert_eq!(duration("10s"), Ok(10_000_000_000));
        assert_eq!(duration("5ms"), Ok(5_000_000));
        assert_eq!(duration("1u"), Ok(1_000));
        assert_eq!(duration("1µ"), Ok(1_000));
        assert_eq!(duration("3m"), Ok(180_000_000_000));
        assert_eq!(duration("2h"), Ok(7_200_000_000_000));
        assert_eq!(duration("1d"), Ok(86_400_000_000_000));
        assert_eq!(duration("2w"), Ok(1_209_600_000_000_000));
        assert_eq!(duration("05m"), Ok(300_000_000_000));
        assert_eq!(
            duration("15251w"),
            Err("overflowed duration 15251w: choose a smaller duration or INF".to_string())
        );
        assert_eq!(
            duration("99999999999999999999s"),
            Err("invalid duration".to_string())
        );
        assert_eq!(duration("s"), Err("invalid duration".to_string()));
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(string("'asdf'"), ("asdf".to_string(), false));
        assert_eq!(string("'''asdf'''"), ("asdf".to_string(), true));
        assert_eq!(string(r"'a\'sdf'"), ("a'sdf".to_string(), false));
        assert_eq!(string(r"'''\'asdf'''"), (r"\'asdf".to_string(), true));
        assert_eq!(string("''"), (String::new(), false));
        assert_eq!(string("''''''"), (String::new(), true));
        assert_eq!(string(r"'a\nb'"), (r"a\nb".to_string(), false));
        assert_eq!(reference(r#""ref\"""#), "ref\"");
        assert_eq!(reference(r#""""#), "");
        assert_eq!(regex(r"/.*\//"), ".*/");
        assert_eq!(regex(r"/x\\\/y/"), r"x\\/y");
    }
}
