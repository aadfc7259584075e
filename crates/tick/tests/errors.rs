//! Error texts and positions, matching Kapacitor's `parser: unexpected ...` messages.
#![allow(clippy::unwrap_used)]

use kapa_tick::{ParseError, parse};

const PRIMARY: &str =
    "\"number\",\"string\",\"duration\",\"identifier\",\"TRUE\",\"FALSE\",\"==\",\"(\",\"-\",\"!\"";

fn err(src: &str) -> ParseError {
    match parse(src) {
        Ok(p) => panic!("expected an error for {src:?}, got {p:?}"),
        Err(e) => e,
    }
}

fn check(src: &str, line: usize, char: usize, message: &str) {
    let e = err(src);
    assert_eq!(e.to_string(), message, "{src:?}");
    assert_eq!((e.line, e.char), (line, char), "{src:?}");
}

#[test]
fn kapacitor_parser_test_cases() {
    check(
        "a\n\n\nvar b = ",
        4,
        9,
        &format!("parser: unexpected EOF line 4 char 9 in \"var b = \". expected: {PRIMARY}"),
    );
    check(
        "a\n\n\nvar b = stream.window()var period)\n\nvar x = 1",
        4,
        34,
        "parser: unexpected ) line 4 char 34 in \"var period)\". expected: \"identifier\"",
    );
    check(
        "a\n\n\nvar b = stream.window(\nb.period(10s)",
        5,
        14,
        "parser: unexpected EOF line 5 char 14 in \"eriod(10s)\". expected: \")\"",
    );
}

#[test]
fn missing_parens_after_pipe() {
    check(
        "stream|from",
        1,
        12,
        "parser: unexpected EOF line 1 char 12 in \"tream|from\". expected: \"(\"",
    );
    check(
        "stream\n    |from\n    |alert()",
        3,
        5,
        "parser: unexpected | line 3 char 5 in \"    |alert()\". expected: \"(\"",
    );
}

#[test]
fn decimal_duration_inside_arguments() {
    check(
        "stream|window().period(1.5s)",
        1,
        27,
        "parser: unexpected identifier line 1 char 27 in \"period(1.5s)\". expected: \")\"",
    );
}

#[test]
fn lexer_errors_are_reported_through_the_parser() {
    check(
        "var x = 'abc",
        1,
        9,
        &format!(
            "parser: unexpected unterminated string line 1 char 9 in \"var x = 'abc\". expected: {PRIMARY}"
        ),
    );
    check(
        "var x = '''abc\n''",
        1,
        9,
        &format!(
            "parser: unexpected unterminated string line 1 char 9 in \"var x = '''abc\". expected: {PRIMARY}"
        ),
    );
    check(
        "var x = \"abc",
        1,
        9,
        &format!(
            "parser: unexpected unterminated field reference line 1 char 9 in \"var x = \"abc\". expected: {PRIMARY}"
        ),
    );
    check(
        "var x = lambda: \"host\" =~ /abc",
        1,
        27,
        &format!(
            "parser: unexpected unterminated regex line 1 char 27 in \"\"host\" =~ /abc\". expected: {PRIMARY}"
        ),
    );
    check(
        "var x = 5 ^ 3",
        1,
        11,
        &format!(
            "parser: unexpected unknown state, last char: '^' line 1 char 11 in \"var x = 5 ^ 3\". expected: {PRIMARY}"
        ),
    );
    check(
        "var x = 1.2.3",
        1,
        9,
        &format!(
            "parser: unexpected multiple decimals in number line 1 char 9 in \"var x = 1.2.3\". expected: {PRIMARY}"
        ),
    );
}

#[test]
fn unknown_char_after_a_regex() {
    // After a regex the lexer does not look for binary operators, so `==` is unknown.
    check(
        "var x = lambda: \"a\" =~ /x/ == TRUE",
        1,
        28,
        &format!(
            "parser: unexpected unknown state, last char: '=' line 1 char 28 in \"a\" =~ /x/ == TRUE\". expected: {PRIMARY}"
        ),
    );
}

#[test]
fn literal_errors_have_no_position_in_the_text() {
    check("var x = 09", 1, 9, "parser: illegal number syntax: \"09\"");
    check(
        "var x = 9223372036854775808",
        1,
        9,
        "parser: illegal number syntax: \"9223372036854775808\"",
    );
    check(
        "var x = 15251w",
        1,
        9,
        "parser: overflowed duration 15251w: choose a smaller duration or INF",
    );
    check(
        "var x = 99999999999999999999s",
        1,
        9,
        "parser: invalid duration",
    );
}

#[test]
fn invalid_var_type() {
    check("var x foo", 1, 7, "invalid var type \"foo\"");
}

#[test]
fn dbrp_needs_references() {
    check(
        "dbrp \"db\".rp",
        1,
        11,
        "parser: unexpected identifier line 1 char 11 in \"dbrp \"db\".rp\". expected: \"reference\"",
    );
    check(
        "dbrp 'db'.'rp'",
        1,
        6,
        "parser: unexpected string line 1 char 6 in \"dbrp 'db'.'rp'\". expected: \"reference\"",
    );
}

#[test]
fn lists_accept_only_strings_identifiers_and_star() {
    check(
        "var x = ['a', 1]",
        1,
        15,
        "parser: unexpected number line 1 char 15 in \"x = ['a', 1]\". expected: \"identifier\",\"string\",\"*\"",
    );
    check(
        "var x = ['a' 'b']",
        1,
        14,
        "parser: unexpected string line 1 char 14 in \" x = ['a' 'b']\". expected: \"]\"",
    );
}

#[test]
fn lambdas_cannot_nest() {
    check(
        "stream|where(lambda: lambda: 1)",
        1,
        22,
        &format!(
            "parser: unexpected lambda line 1 char 22 in \"e(lambda: lambda: 1)\". expected: {PRIMARY}"
        ),
    );
}

#[test]
fn empty_argument_and_missing_assignment_value() {
    check(
        "f(,)",
        1,
        3,
        &format!("parser: unexpected , line 1 char 3 in \"f(,)\". expected: {PRIMARY}"),
    );
    check(
        "var = 5",
        1,
        5,
        "parser: unexpected = line 1 char 5 in \"var = 5\". expected: \"identifier\"",
    );
    check(
        "var var = 5",
        1,
        5,
        "parser: unexpected var line 1 char 5 in \"var var = 5\". expected: \"identifier\"",
    );
}

#[test]
fn columns_count_bytes_like_kapacitor() {
    // 'µ' takes two bytes, so `^` at the fifth character is reported at char 6.
    check(
        "'µ' ^",
        1,
        6,
        &format!(
            "parser: unexpected unknown state, last char: '^' line 1 char 6 in \"'µ' ^\". expected: {PRIMARY}"
        ),
    );
}

#[test]
fn context_is_cut_at_line_breaks_and_to_ten_bytes() {
    check(
        "stream\n    |from()\n        .measurement('cpu')\n    |window()\n        .period()\n        .every(10s\n    |count('value')",
        7,
        5,
        "parser: unexpected | line 7 char 5 in \"    |count('va\". expected: \")\"",
    );
}

#[test]
fn deep_nesting_is_refused_not_crashing() {
    let deep_parens = format!("var x = lambda: {}1{}", "(".repeat(5000), ")".repeat(5000));
    let e = err(&deep_parens);
    assert!(
        e.message
            .starts_with("parser: expression nested too deeply"),
        "{}",
        e.message
    );
    let long_chain = format!("stream{}", "|a()".repeat(20_000));
    let e = err(&long_chain);
    assert!(
        e.message
            .starts_with("parser: expression nested too deeply"),
        "{}",
        e.message
    );
    let long_sum = format!("var x = 1{}", " + 1".repeat(20_000));
    assert!(err(&long_sum).message.contains("nested too deeply"));
    let unary = format!("var x = {}1", "-".repeat(20_000));
    assert!(err(&unary).message.contains("nested too deeply"));
    // A realistic long chain is fine.
    let ok = format!("stream|from(){}", ".where(lambda: TRUE)".repeat(300));
    assert!(parse(&ok).is_ok());
}

#[test]
fn render_points_at_the_error() {
    let src = "stream\n    |from\n    |alert()";
    let e = err(src);
    assert_eq!(
        e.render(src),
        "parser: unexpected | line 3 char 5 in \"    |alert()\". expected: \"(\"\n  --> line 3 char 5\n  |\n3 |     |alert()\n  |     ^"
    );
}
