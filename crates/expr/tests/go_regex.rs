//! `compile_go_regex` against a table of Go `regexp` results.
#![allow(clippy::unwrap_used)]

use kapa_expr::compile_go_regex;

fn is_match(pattern: &str, text: &str) -> bool {
    compile_go_regex(pattern)
        .unwrap_or_else(|e| panic!("{pattern}: {e}"))
        .is_match(text)
}

fn error(pattern: &str) -> String {
    match compile_go_regex(pattern) {
        Ok(re) => panic!("{pattern} compiled to {}", re.as_str()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn perl_classes_are_ascii_only() {
    let table: &[(&str, &str, bool)] = &[
        (r"^\d+$", "123", true),
        (r"^\d+$", "١٢٣", false),
        (r"^\D$", "٥", true),
        (r"^[\d]$", "٥", false),
        (r"^[^\d]$", "٥", true),
        (r"^[\da-f]+$", "c0ffee", true),
        (r"^\w+$", "abc_19", true),
        (r"^\w+$", "héllo", false),
        (r"^\W$", "é", true),
        (r"^\s$", "\t", true),
        (r"^\s$", "\u{a0}", false),
        (r"^\s$", "\u{0b}", false),
        (r"^\S$", "\u{a0}", true),
        (r"\bfoo\b", "foo bar", true),
        (r"\bfoo\b", "éfooé", true),
        (r"\Bfoo", "éfoo", false),
        (r"\bfoo\b", "afoo", false),
    ];
    for (pattern, text, want) in table {
        assert_eq!(is_match(pattern, text), *want, "{pattern} on {text:?}");
    }
}

#[test]
fn quoting_and_literal_braces() {
    let table: &[(&str, &str, bool)] = &[
        (r"^\Qa.b\E$", "a.b", true),
        (r"^\Qa.b\E$", "axb", false),
        (r"^x\Q*+?\E$", "x*+?", true),
        (r"^\Q(unterminated", "(unterminated", true),
        (r"^a{2}$", "aa", true),
        (r"^a{2,}$", "aaa", true),
        (r"^a{1,2}$", "aaa", false),
        (r"^a{$", "a{", true),
        (r"^x{y}$", "x{y}", true),
        (r"^a{,5}$", "a{,5}", true),
        (r"^}$", "}", true),
    ];
    for (pattern, text, want) in table {
        assert_eq!(is_match(pattern, text), *want, "{pattern} on {text:?}");
    }
}

#[test]
fn class_contents_follow_go() {
    let table: &[(&str, &str, bool)] = &[
        (r"^[[]$", "[", true),
        (r"^[a[]+$", "a[a", true),
        (r"^[&&]$", "&", true),
        (r"^[a~~]$", "~", true),
        (r"^[+--]$", ",", true),
        (r"^[]a]+$", "]a", true),
        (r"^[^]a]$", "b", true),
        (r"^[[:alpha:]]+$", "abc", true),
        (r"^[[:digit:]x]+$", "1x2", true),
        (r"^[\]]$", "]", true),
    ];
    for (pattern, text, want) in table {
        assert_eq!(is_match(pattern, text), *want, "{pattern} on {text:?}");
    }
}

#[test]
fn go_syntax_that_rust_also_has() {
    let table: &[(&str, &str, bool)] = &[
        (r"(?i)^abc$", "ABC", true),
        (r"(?s)^a.b$", "a\nb", true),
        (r"^a.b$", "a\nb", false),
        (r"(?m)^b$", "a\nb", true),
        (r"(?U)^a+", "aaa", true),
        (r"^(?P<x>a)(?<y>b)$", "ab", true),
        (r"^\pL+$", "héllo", true),
        (r"^\p{Greek}$", "λ", true),
        (r"^\x41\x{42}$", "AB", true),
        (r"^\101$", "A", true),
        (r"a\z", "ba", true),
        (r"^a$", "a\n", false),
        (r"^\.\*\+$", ".*+", true),
        (r"cpu\d+", "cpu12", true),
        (r"^cpu(-total)?$", "cpu-total", true),
    ];
    for (pattern, text, want) in table {
        assert_eq!(is_match(pattern, text), *want, "{pattern} on {text:?}");
    }
}

#[test]
fn errors_use_go_wording() {
    assert_eq!(
        error("(abc"),
        "error parsing regexp: missing closing ): `(abc`"
    );
    assert_eq!(error("abc)"), "error parsing regexp: unexpected ): `abc)`");
    assert_eq!(
        error("[abc"),
        "error parsing regexp: missing closing ]: `[abc`"
    );
    assert_eq!(
        error("*a"),
        "error parsing regexp: missing argument to repetition operator: `*`"
    );
    assert_eq!(
        error("a**"),
        "error parsing regexp: invalid nested repetition operator: `**`"
    );
    assert_eq!(
        error("a{1001}"),
        "error parsing regexp: invalid repeat count: `{1001}`"
    );
    assert_eq!(
        error("a{2,1001}"),
        "error parsing regexp: invalid repeat count: `{2,1001}`"
    );
    assert_eq!(
        error("\\"),
        "error parsing regexp: trailing backslash at end of expression: ``"
    );
    assert_eq!(
        error("(?x)a"),
        "error parsing regexp: invalid or unsupported Perl syntax: `(?x`"
    );
    assert_eq!(
        error("[z-a]"),
        "error parsing regexp: invalid character class range: `z-a`"
    );
    assert_eq!(
        error(r"\u0041"),
        "error parsing regexp: invalid escape sequence: `\\u0041`"
    );
    assert_eq!(
        error(r"\<"),
        "error parsing regexp: invalid escape sequence: `\\<`"
    );
    assert!(compile_go_regex("a{1000}").is_ok());
}
