//! Token streams, checked against the cases of Kapacitor's `tick/ast/lex_test.go`.
#![allow(clippy::unwrap_used)]

use kapa_tick::{TokenKind as K, lex};

fn toks(src: &str) -> Vec<(K, usize, String)> {
    lex(src)
        .into_iter()
        .map(|t| (t.kind, t.pos, t.text.into_owned()))
        .collect()
}

fn t(kind: K, pos: usize, text: &str) -> (K, usize, String) {
    (kind, pos, text.to_string())
}

#[test]
fn single_symbols_and_operators() {
    for (src, kind) in [
        ("!", K::Not),
        ("-", K::Minus),
        ("*", K::Star),
        ("(", K::LParen),
        (")", K::RParen),
        ("[", K::LSBracket),
        ("]", K::RSBracket),
        (".", K::Dot),
        ("|", K::Pipe),
        ("@", K::At),
        (",", K::Comma),
    ] {
        assert_eq!(toks(src), vec![t(kind, 0, src), t(K::Eof, 1, "")], "{src}");
    }
}

#[test]
fn binary_operators_after_an_operand() {
    for (op, kind) in [
        ("+", K::Plus),
        ("-", K::Minus),
        ("*", K::Mult),
        ("/", K::Div),
        ("%", K::Mod),
        ("=", K::Asgn),
        ("==", K::Equal),
        ("!=", K::NotEqual),
        (">", K::Greater),
        (">=", K::GreaterEqual),
        ("<", K::Less),
        ("<=", K::LessEqual),
        ("=~", K::RegexEqual),
        ("!~", K::RegexNotEqual),
        ("!", K::Not),
    ] {
        let src = format!("a {op} b");
        assert_eq!(
            toks(&src),
            vec![
                t(K::Ident, 0, "a"),
                t(kind, 2, op),
                t(K::Ident, 3 + op.len(), "b"),
                t(K::Eof, 4 + op.len(), ""),
            ],
            "{src}"
        );
    }
}

#[test]
fn keywords_are_case_sensitive() {
    assert_eq!(toks("AND"), vec![t(K::And, 0, "AND"), t(K::Eof, 3, "")]);
    assert_eq!(toks("OR"), vec![t(K::Or, 0, "OR"), t(K::Eof, 2, "")]);
    assert_eq!(toks("TRUE"), vec![t(K::True, 0, "TRUE"), t(K::Eof, 4, "")]);
    assert_eq!(
        toks("FALSE"),
        vec![t(K::False, 0, "FALSE"), t(K::Eof, 5, "")]
    );
    assert_eq!(toks("var"), vec![t(K::Var, 0, "var"), t(K::Eof, 3, "")]);
    assert_eq!(toks("dbrp"), vec![t(K::Dbrp, 0, "dbrp"), t(K::Eof, 4, "")]);
    assert_eq!(toks("true"), vec![t(K::Ident, 0, "true"), t(K::Eof, 4, "")]);
    assert_eq!(toks("and"), vec![t(K::Ident, 0, "and"), t(K::Eof, 3, "")]);
}

#[test]
fn lambda_is_a_keyword_only_before_a_colon() {
    assert_eq!(
        toks("lambda:"),
        vec![t(K::Lambda, 0, "lambda:"), t(K::Eof, 7, "")]
    );
    assert_eq!(
        toks("lambda "),
        vec![t(K::Ident, 0, "lambda"), t(K::Eof, 7, "")]
    );
    assert_eq!(
        toks("lambda :"),
        vec![
            t(K::Ident, 0, "lambda"),
            t(K::Error, 7, "unknown state, last char: ':'")
        ]
    );
}

#[test]
fn numbers() {
    assert_eq!(toks("42"), vec![t(K::Number, 0, "42"), t(K::Eof, 2, "")]);
    assert_eq!(
        toks("42.21"),
        vec![t(K::Number, 0, "42.21"), t(K::Eof, 5, "")]
    );
    assert_eq!(
        toks(".421"),
        vec![t(K::Number, 0, ".421"), t(K::Eof, 4, "")]
    );
    assert_eq!(
        toks("0.421"),
        vec![t(K::Number, 0, "0.421"), t(K::Eof, 5, "")]
    );
    assert_eq!(
        toks("0644"),
        vec![t(K::Number, 0, "0644"), t(K::Eof, 4, "")]
    );
    assert_eq!(toks("5."), vec![t(K::Number, 0, "5."), t(K::Eof, 2, "")]);
    assert_eq!(
        toks("1.2.3"),
        vec![t(K::Error, 0, "multiple decimals in number")]
    );
}

#[test]
fn durations() {
    for src in ["42s", "1u", "1ms", "1h", "1d", "1w", "10m"] {
        assert_eq!(
            toks(src),
            vec![t(K::Duration, 0, src), t(K::Eof, src.len(), "")],
            "{src}"
        );
    }
    // µ is two bytes, so EOF sits at byte 3.
    assert_eq!(toks("1µ"), vec![t(K::Duration, 0, "1µ"), t(K::Eof, 3, "")]);
}

#[test]
fn decimal_point_stops_a_duration() {
    assert_eq!(
        toks("1.5s"),
        vec![
            t(K::Number, 0, "1.5"),
            t(K::Ident, 3, "s"),
            t(K::Eof, 4, "")
        ]
    );
    assert_eq!(
        toks("10ns"),
        vec![
            t(K::Number, 0, "10"),
            t(K::Ident, 2, "ns"),
            t(K::Eof, 4, "")
        ]
    );
}

#[test]
fn identifiers() {
    assert_eq!(
        toks("variable"),
        vec![t(K::Ident, 0, "variable"), t(K::Eof, 8, "")]
    );
    assert_eq!(
        toks("myVar01"),
        vec![t(K::Ident, 0, "myVar01"), t(K::Eof, 7, "")]
    );
    assert_eq!(toks("a_b"), vec![t(K::Ident, 0, "a_b"), t(K::Eof, 3, "")]);
    assert_eq!(
        toks("_a"),
        vec![t(K::Error, 0, "unknown state, last char: '_'")]
    );
}

#[test]
fn references() {
    assert_eq!(
        toks(r#""""#),
        vec![t(K::Reference, 0, r#""""#), t(K::Eof, 2, "")]
    );
    assert_eq!(
        toks(r#""ref with spaces""#),
        vec![
            t(K::Reference, 0, r#""ref with spaces""#),
            t(K::Eof, 17, "")
        ]
    );
    assert_eq!(
        toks(r#""ref\"""#),
        vec![t(K::Reference, 0, r#""ref\"""#), t(K::Eof, 7, "")]
    );
    assert_eq!(
        toks(r#"  "abc"#),
        vec![t(K::Error, 2, "unterminated field reference")]
    );
}

#[test]
fn strings() {
    for src in [
        "''",
        "''''''",
        "'str'",
        r"'str\''",
        "'''s'tr'''",
        r"'''s\'tr'''",
        "'''str'''",
    ] {
        assert_eq!(
            toks(src),
            vec![t(K::String, 0, src), t(K::Eof, src.len(), "")],
            "{src}"
        );
    }
    assert_eq!(toks("'''a\nb'''")[0], t(K::String, 0, "'''a\nb'''"));
    assert_eq!(toks("'abc"), vec![t(K::Error, 0, "unterminated string")]);
    assert_eq!(
        toks("'''abc''"),
        vec![t(K::Error, 0, "unterminated string")]
    );
    assert_eq!(toks(r"'abc\'"), vec![t(K::Error, 0, "unterminated string")]);
}

#[test]
fn regexes_only_in_context() {
    // `=~` at the start is not lexed as an operator: `=` alone is unknown there.
    assert_eq!(
        toks("=~ //"),
        vec![t(K::Error, 0, "unknown state, last char: '='")]
    );
    assert_eq!(
        toks("a =~ //"),
        vec![
            t(K::Ident, 0, "a"),
            t(K::RegexEqual, 2, "=~"),
            t(K::Regex, 5, "//"),
            t(K::Eof, 7, "")
        ]
    );
    assert_eq!(
        toks("a !~ /x/"),
        vec![
            t(K::Ident, 0, "a"),
            t(K::RegexNotEqual, 2, "!~"),
            t(K::Regex, 5, "/x/"),
            t(K::Eof, 8, "")
        ]
    );
    assert_eq!(
        toks(r"x = /^((.*)[a-z]+\S{0,2})|cat\/\/$/"),
        vec![
            t(K::Ident, 0, "x"),
            t(K::Asgn, 2, "="),
            t(K::Regex, 4, r"/^((.*)[a-z]+\S{0,2})|cat\/\/$/"),
            t(K::Eof, 35, "")
        ]
    );
    // After an operand `/` divides; where an operand is expected it starts a regex.
    assert_eq!(
        toks("a / b"),
        vec![
            t(K::Ident, 0, "a"),
            t(K::Div, 2, "/"),
            t(K::Ident, 4, "b"),
            t(K::Eof, 5, "")
        ]
    );
    assert_eq!(
        toks("f(/a b/)"),
        vec![
            t(K::Ident, 0, "f"),
            t(K::LParen, 1, "("),
            t(K::Regex, 2, "/a b/"),
            t(K::RParen, 7, ")"),
            t(K::Eof, 8, "")
        ]
    );
    assert_eq!(
        toks("a =~ /abc"),
        vec![
            t(K::Ident, 0, "a"),
            t(K::RegexEqual, 2, "=~"),
            t(K::Error, 5, "unterminated regex")
        ]
    );
}

#[test]
fn whitespace_only() {
    assert_eq!(toks(" "), vec![t(K::Eof, 1, "")]);
    assert_eq!(toks(" \t\n"), vec![t(K::Eof, 3, "")]);
    assert_eq!(toks(""), vec![t(K::Eof, 0, "")]);
}

#[test]
fn combinations() {
    assert_eq!(
        toks("var x = avg()|parallel(4)x.groupby('cpu')|window().period(10s)"),
        vec![
            t(K::Var, 0, "var"),
            t(K::Ident, 4, "x"),
            t(K::Asgn, 6, "="),
            t(K::Ident, 8, "avg"),
            t(K::LParen, 11, "("),
            t(K::RParen, 12, ")"),
            t(K::Pipe, 13, "|"),
            t(K::Ident, 14, "parallel"),
            t(K::LParen, 22, "("),
            t(K::Number, 23, "4"),
            t(K::RParen, 24, ")"),
            t(K::Ident, 25, "x"),
            t(K::Dot, 26, "."),
            t(K::Ident, 27, "groupby"),
            t(K::LParen, 34, "("),
            t(K::String, 35, "'cpu'"),
            t(K::RParen, 40, ")"),
            t(K::Pipe, 41, "|"),
            t(K::Ident, 42, "window"),
            t(K::LParen, 48, "("),
            t(K::RParen, 49, ")"),
            t(K::Dot, 50, "."),
            t(K::Ident, 51, "period"),
            t(K::LParen, 57, "("),
            t(K::Duration, 58, "10s"),
            t(K::RParen, 61, ")"),
            t(K::Eof, 62, ""),
        ]
    );
    assert_eq!(
        toks("3 * 4"),
        vec![
            t(K::Number, 0, "3"),
            t(K::Mult, 2, "*"),
            t(K::Number, 4, "4"),
            t(K::Eof, 5, "")
        ]
    );
}

#[test]
fn comments() {
    assert_eq!(
        toks("var x = avg()\n// Comment all of this is ignored\nx.groupby('cpu')"),
        vec![
            t(K::Var, 0, "var"),
            t(K::Ident, 4, "x"),
            t(K::Asgn, 6, "="),
            t(K::Ident, 8, "avg"),
            t(K::LParen, 11, "("),
            t(K::RParen, 12, ")"),
            t(K::Comment, 14, "// Comment all of this is ignored\n"),
            t(K::Ident, 48, "x"),
            t(K::Dot, 49, "."),
            t(K::Ident, 50, "groupby"),
            t(K::LParen, 57, "("),
            t(K::String, 58, "'cpu'"),
            t(K::RParen, 63, ")"),
            t(K::Eof, 64, ""),
        ]
    );
    assert_eq!(
        toks("avg()\n// c"),
        vec![
            t(K::Ident, 0, "avg"),
            t(K::LParen, 3, "("),
            t(K::RParen, 4, ")"),
            t(K::Comment, 6, "// c"),
            t(K::Eof, 10, ""),
        ]
    );
    // Consecutive comment lines form one token; a blank line ends it.
    assert_eq!(
        toks("// a\n  // b\n\n// c\nx"),
        vec![
            t(K::Comment, 0, "// a\n  // b\n"),
            t(K::Comment, 13, "// c\n"),
            t(K::Ident, 18, "x"),
            t(K::Eof, 19, ""),
        ]
    );
}

#[test]
fn unknown_characters() {
    assert_eq!(
        toks("5 ^ 3"),
        vec![
            t(K::Number, 0, "5"),
            t(K::Error, 2, "unknown state, last char: '^'")
        ]
    );
    assert_eq!(
        toks("+1"),
        vec![t(K::Error, 0, "unknown state, last char: '+'")]
    );
    assert_eq!(
        toks("\u{0}"),
        vec![t(K::Error, 0, "unknown state, last char: '\\x00'")]
    );
}
