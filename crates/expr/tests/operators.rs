//! The typed operator table: every valid pair evaluates, every other pair fails with
//! Kapacitor's message, both for constants (compile time) and references (eval time).
#![allow(clippy::unwrap_used)]

mod support;

use kapa_expr::ops::{OPERATOR_TABLE, result_type};
use kapa_expr::{Lambda, MapScope, Value, ValueType, compile_go_regex};
use kapa_tick::ast::{BinaryOp, ExprKind};
use std::sync::Arc;
use support::{compile, e, err, eval, eval_in, parse};

const MISMATCH_TAIL: &str = ". see bool(), int(), float(), string(), duration()";

/// Durations of a few nanoseconds and a regex have no TICKscript literal; tests name them.
fn vars() -> Vec<(&'static str, Value)> {
    vec![
        ("d5", Value::Duration(5)),
        ("d10", Value::Duration(10)),
        (
            "re",
            Value::Regex(Arc::new(compile_go_regex("^(.*)c$").unwrap())),
        ),
    ]
}

fn eval_vars(src: &str, scope: &MapScope) -> Result<Value, String> {
    let l = support::compile_vars(src, &vars()).map_err(|e| e.to_string())?;
    l.eval(scope, &mut l.new_state()).map_err(|e| e.to_string())
}

/// Evaluates `lhs op rhs` with constants, then with `"value"` bound to lhs's value.
fn both(lhs: &str, op: &str, rhs: &str) -> (Result<Value, String>, Result<Value, String>) {
    let constant = eval_vars(&format!("{lhs} {op} {rhs}"), &MapScope::new());
    let lval = eval_vars(lhs, &MapScope::new()).expect("lhs literal");
    let scope = MapScope::new().with("value", lval);
    let reference = eval_vars(&format!("\"value\" {op} {rhs}"), &scope);
    (constant, reference)
}

fn ok(lhs: &str, op: &str, rhs: &str, expected: Value) {
    let (c, r) = both(lhs, op, rhs);
    assert_eq!(c, Ok(expected.clone()), "{lhs} {op} {rhs} (constants)");
    assert_eq!(r, Ok(expected), "{lhs} {op} {rhs} (reference)");
}

fn fails(lhs: &str, op: &str, rhs: &str, message: &str) {
    let (c, r) = both(lhs, op, rhs);
    assert_eq!(c, Err(message.to_string()), "{lhs} {op} {rhs} (constants)");
    assert_eq!(r, Err(message.to_string()), "{lhs} {op} {rhs} (reference)");
}

fn mismatch(l: &str, op: &str, r: &str) -> String {
    format!("mismatched type to binary operator. got {l} {op} {r}{MISMATCH_TAIL}")
}

#[test]
fn table_has_61_entries_without_duplicates() {
    assert_eq!(OPERATOR_TABLE.len(), 61);
    for (i, a) in OPERATOR_TABLE.iter().enumerate() {
        for b in &OPERATOR_TABLE[i + 1..] {
            assert!(!(a.0 == b.0 && a.1 == b.1 && a.2 == b.2), "duplicate {a:?}");
        }
    }
}

fn sample(t: ValueType) -> Option<Value> {
    Some(match t {
        ValueType::Float => Value::Float(2.5),
        ValueType::Int => Value::Int(3),
        ValueType::String => Value::from("s"),
        ValueType::Bool => Value::Bool(true),
        ValueType::Regex => Value::Regex(Arc::new(compile_go_regex("s").unwrap())),
        ValueType::Duration => Value::Duration(7),
        ValueType::Time => Value::Time(11),
        ValueType::Missing => return None,
    })
}

const OPS: [BinaryOp; 15] = [
    BinaryOp::Or,
    BinaryOp::And,
    BinaryOp::Eq,
    BinaryOp::Ne,
    BinaryOp::RegexEq,
    BinaryOp::RegexNe,
    BinaryOp::Lt,
    BinaryOp::Le,
    BinaryOp::Gt,
    BinaryOp::Ge,
    BinaryOp::Add,
    BinaryOp::Sub,
    BinaryOp::Mul,
    BinaryOp::Div,
    BinaryOp::Mod,
];

const TYPES: [ValueType; 7] = [
    ValueType::Float,
    ValueType::Int,
    ValueType::String,
    ValueType::Bool,
    ValueType::Regex,
    ValueType::Duration,
    ValueType::Time,
];

/// Every operator × type pair: listed pairs evaluate to their listed type, the rest fail at
/// compile time (constants) and at eval time (references) with the same message.
#[test]
fn every_pair_matches_the_table() {
    let mut valid = 0;
    for op in OPS {
        for lt in TYPES {
            for rt in TYPES {
                let (lv, rv) = (sample(lt).unwrap(), sample(rt).unwrap());
                let vars = [("a", lv.clone()), ("b", rv.clone())];
                let constant = support::compile_vars(&format!("a {} b", op.as_str()), &vars);
                let body = e(ExprKind::Binary {
                    op,
                    lhs: Box::new(e(ExprKind::Reference("l".into()))),
                    rhs: Box::new(e(ExprKind::Reference("r".into()))),
                    parens: false,
                });
                let dynamic = Lambda::compile(&body, &|_| None).unwrap();
                let scope = MapScope::new().with("l", lv).with("r", rv);
                let got = dynamic.eval(&scope, &mut dynamic.new_state());
                match result_type(op, lt, rt) {
                    Some(ty) => {
                        valid += 1;
                        let l = constant.unwrap_or_else(|e| panic!("{lt} {op} {rt}: {e}"));
                        let v = l.eval(&MapScope::new(), &mut l.new_state()).unwrap();
                        assert_eq!(v.value_type(), ty, "{lt} {op} {rt}");
                        assert_eq!(got.unwrap().value_type(), ty, "{lt} {op} {rt}");
                    }
                    None if op == BinaryOp::Or && lt == ValueType::Bool => {
                        // The sample is TRUE, which decides OR before the right side is read.
                        assert!(constant.is_err(), "{lt} {op} {rt}");
                        assert_eq!(got.unwrap(), Value::Bool(true));
                    }
                    None => {
                        let ce = constant
                            .expect_err("constant pair must not compile")
                            .to_string();
                        let de = got.expect_err("dynamic pair must fail").to_string();
                        assert_eq!(ce, de, "{lt} {op} {rt}");
                        assert!(
                            ce.starts_with("mismatched type to binary operator. got ")
                                || ce.starts_with("invalid "),
                            "{ce}"
                        );
                    }
                }
            }
        }
    }
    assert_eq!(valid, 61);
}

// Cases below are Kapacitor's own (tick/stateful/expr_test.go).

#[test]
fn duration_comparisons() {
    ok("d5", "==", "d5", Value::Bool(true));
    ok("d5", "!=", "d5", Value::Bool(false));
    ok("d5", ">", "d10", Value::Bool(false));
    ok("d5", ">=", "d10", Value::Bool(false));
    ok("d5", "<", "d10", Value::Bool(true));
    ok("d5", "<=", "d10", Value::Bool(true));
    ok("d10", ">", "d5", Value::Bool(true));
    ok("d10", "<=", "d5", Value::Bool(false));
    fails(
        "d5",
        "OR",
        "d5",
        "invalid logical operator OR for type duration",
    );
    fails("5", "OR", "d5", "invalid logical operator OR for type int");
    fails("d5", "==", "5", &mismatch("duration", "==", "int"));
    fails("d5", "<=", "5", &mismatch("duration", "<=", "int"));
}

#[test]
fn duration_arithmetic() {
    ok("d5", "+", "d5", Value::Duration(10));
    ok("d5", "-", "d10", Value::Duration(-5));
    ok("d5", "/", "d5", Value::Int(1));
    ok("d5", "/", "d10", Value::Int(0));
    ok("d10", "/", "d5", Value::Int(2));
    ok("d5", "*", "2", Value::Duration(10));
    ok("d5", "/", "2", Value::Duration(2));
    ok("d5", "*", "1.5", Value::Duration(7));
    ok("d5", "/", "1.5", Value::Duration(3));
    ok("d10", "/", "1.5", Value::Duration(6));
    ok("2", "*", "d5", Value::Duration(10));
    ok("1.5", "*", "d5", Value::Duration(7));
    ok("1.5", "*", "d10", Value::Duration(15));
    ok("1m", "+", "30s", Value::Duration(90_000_000_000));
    fails("d5", "%", "d5", "invalid math operator % for type duration");
    fails("d5", "%", "2", "invalid math operator % for type duration");
    fails("d5", "*", "d5", &mismatch("duration", "*", "duration"));
    fails("d5", "+", "2", &mismatch("duration", "+", "int"));
    fails("d5", "-", "1.5", &mismatch("duration", "-", "float"));
    fails("2", "+", "d5", &mismatch("int", "+", "duration"));
    fails("1.5", "-", "d5", &mismatch("float", "-", "duration"));
    fails("2", "/", "d5", &mismatch("int", "/", "duration"));
    fails("1.5", "/", "d5", &mismatch("float", "/", "duration"));
    fails("2", "%", "d5", &mismatch("int", "%", "duration"));
    fails("1.5", "%", "d5", "invalid math operator % for type float");
}

#[test]
fn bool_operators() {
    ok("TRUE", "==", "TRUE", Value::Bool(true));
    ok("TRUE", "!=", "FALSE", Value::Bool(true));
    ok("TRUE", "AND", "FALSE", Value::Bool(false));
    ok("FALSE", "AND", "TRUE", Value::Bool(false));
    ok("TRUE", "AND", "TRUE", Value::Bool(true));
    ok("FALSE", "OR", "TRUE", Value::Bool(true));
    ok("FALSE", "OR", "FALSE", Value::Bool(false));
    fails(
        "TRUE",
        "<",
        "FALSE",
        "invalid comparison operator < for type boolean",
    );
    fails(
        "TRUE",
        "<",
        "'x'",
        "invalid comparison operator < for type boolean",
    );
    fails("TRUE", "==", "'x'", &mismatch("boolean", "==", "string"));
    fails("FALSE", "!=", "'x'", &mismatch("boolean", "!=", "string"));
    fails("TRUE", "AND", "'x'", &mismatch("boolean", "AND", "string"));
    fails("FALSE", "OR", "'x'", &mismatch("boolean", "OR", "string"));
}

#[test]
fn number_comparisons_mix_int_and_float() {
    for (l, r, eq, lt) in [
        ("5.0", "5.0", true, false),
        ("5.0", "10.0", false, true),
        ("5.0", "5", true, false),
        ("10.0", "5", false, false),
        ("10", "5.0", false, false),
        ("5", "5.0", true, false),
        ("5", "10.0", false, true),
        ("5", "5", true, false),
    ] {
        ok(l, "==", r, Value::Bool(eq));
        ok(l, "!=", r, Value::Bool(!eq));
        ok(l, "<", r, Value::Bool(lt));
        ok(l, "<=", r, Value::Bool(lt || eq));
        ok(l, ">", r, Value::Bool(!lt && !eq));
        ok(l, ">=", r, Value::Bool(!lt));
    }
    fails(
        "5.0",
        "OR",
        "5.0",
        "invalid logical operator OR for type float",
    );
    fails("5", "OR", "5.0", "invalid logical operator OR for type int");
    fails(
        "5.0",
        "OR",
        "'x'",
        "invalid logical operator OR for type float",
    );
    fails("5.0", "==", "'x'", &mismatch("float", "==", "string"));
    fails("5.0", ">=", "'x'", &mismatch("float", ">=", "string"));
    fails("5", "<", "'x'", &mismatch("int", "<", "string"));
}

#[test]
fn number_arithmetic_does_not_mix() {
    ok("5.0", "+", "10.0", Value::Float(15.0));
    ok("5.0", "-", "10.0", Value::Float(-5.0));
    ok("5.0", "*", "10.0", Value::Float(50.0));
    ok("5.0", "/", "10.0", Value::Float(0.5));
    ok("5", "+", "5", Value::Int(10));
    ok("5", "-", "5", Value::Int(0));
    ok("5", "*", "5", Value::Int(25));
    ok("7", "/", "2", Value::Int(3));
    ok("-7", "/", "2", Value::Int(-3));
    ok("7", "%", "3", Value::Int(1));
    ok("-7", "%", "3", Value::Int(-1));
    fails("5.0", "%", "5.0", "invalid math operator % for type float");
    fails("5.0", "%", "5", "invalid math operator % for type float");
    fails("5.0", "%", "'x'", "invalid math operator % for type float");
    for op in ["+", "-", "*", "/", "%"] {
        fails("5", op, "5.0", &mismatch("int", op, "float"));
        fails("5", op, "'x'", &mismatch("int", op, "string"));
    }
    for op in ["+", "-", "*", "/"] {
        fails("5.0", op, "5", &mismatch("float", op, "int"));
        fails("5.0", op, "'x'", &mismatch("float", op, "string"));
    }
}

#[test]
fn strings_compare_bytewise_and_concatenate() {
    ok("'a'", "==", "'a'", Value::Bool(true));
    ok("'a'", "<", "'b'", Value::Bool(true));
    ok("'b'", ">=", "'a'", Value::Bool(true));
    ok("'B'", "<", "'a'", Value::Bool(true));
    ok("'left'", "+", "'right'", Value::from("leftright"));
    fails(
        "'a'",
        "OR",
        "'b'",
        "invalid logical operator OR for type string",
    );
    fails(
        "'a'",
        "OR",
        "123",
        "invalid logical operator OR for type string",
    );
    fails("'a'", "==", "123", &mismatch("string", "==", "int"));
    fails("'a'", "-", "'b'", "invalid math operator - for type string");
    fails("'a'", "+", "1", &mismatch("string", "+", "int"));
}

#[test]
fn regex_match_is_string_by_regex_only() {
    ok("'abc'", "=~", "re", Value::Bool(true));
    ok("'abc'", "!~", "re", Value::Bool(false));
    ok("'cba'", "=~", "re", Value::Bool(false));
    ok("'cba'", "!~", "re", Value::Bool(true));
    fails("'abc'", "==", "re", &mismatch("string", "==", "regex"));
    fails(
        "re",
        "==",
        "'cba'",
        "invalid comparison operator == for type regex",
    );
    fails("re", "=~", "re", &mismatch("regex", "=~", "regex"));
    fails("re", "!~", "re", &mismatch("regex", "!~", "regex"));
    fails("'a'", "=~", "'a'", &mismatch("string", "=~", "string"));
    assert_eq!(eval("'abc' =~ /^(.*)c$/").unwrap(), Value::Bool(true));
}

#[test]
fn time_supports_no_operator() {
    let scope = MapScope::new().with_time(1_000);
    for op in ["==", "<", "+", "-"] {
        let msg = support::err_in(&format!("\"time\" {op} \"time\""), &scope);
        let kind = if op == "+" || op == "-" {
            "math"
        } else {
            "comparison"
        };
        assert_eq!(msg, format!("invalid {kind} operator {op} for type time"));
    }
}

#[test]
fn integer_division_by_zero_is_an_error_not_a_panic() {
    let scope = MapScope::new().with("z", Value::Int(0));
    assert_eq!(
        support::err_in("10 / \"z\"", &scope),
        "runtime error: integer divide by zero"
    );
    assert_eq!(
        support::err_in("10 % \"z\"", &scope),
        "runtime error: integer divide by zero"
    );
    // Constant division by zero is reported when evaluated, like Kapacitor does.
    assert!(compile("1 / 0").is_ok());
    assert_eq!(err("1 / 0"), "runtime error: integer divide by zero");
    assert_eq!(err("1s / 0"), "runtime error: integer divide by zero");
    assert_eq!(
        err("1s / (1s - 1s)"),
        "runtime error: integer divide by zero"
    );
}

#[test]
fn float_division_follows_ieee() {
    assert_eq!(eval("1.0 / 0.0").unwrap(), Value::Float(f64::INFINITY));
    assert_eq!(eval("-1.0 / 0.0").unwrap(), Value::Float(f64::NEG_INFINITY));
    match eval("0.0 / 0.0").unwrap() {
        Value::Float(f) => assert!(f.is_nan()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn integer_overflow_wraps_like_go() {
    let scope = MapScope::new().with("m", Value::Int(i64::MAX));
    assert_eq!(eval_in("\"m\" + 1", &scope).unwrap(), Value::Int(i64::MIN));
}

#[test]
fn nan_compares_unequal() {
    let scope = MapScope::new().with("n", Value::Float(f64::NAN));
    assert_eq!(
        eval_in("\"n\" == \"n\"", &scope).unwrap(),
        Value::Bool(false)
    );
    assert_eq!(
        eval_in("\"n\" != \"n\"", &scope).unwrap(),
        Value::Bool(true)
    );
    assert_eq!(eval_in("\"n\" < 1.0", &scope).unwrap(), Value::Bool(false));
    assert_eq!(eval_in("\"n\" >= 1", &scope).unwrap(), Value::Bool(false));
}

#[test]
fn unary_operators() {
    assert_eq!(eval("-5").unwrap(), Value::Int(-5));
    assert_eq!(eval("-2.5").unwrap(), Value::Float(-2.5));
    assert_eq!(eval("-5m").unwrap(), Value::Duration(-300_000_000_000));
    assert_eq!(eval("!TRUE").unwrap(), Value::Bool(false));
    assert_eq!(eval("!FALSE == TRUE").unwrap(), Value::Bool(true));
    let scope = MapScope::new()
        .with("v", Value::Int(4))
        .with("b", Value::Bool(false));
    assert_eq!(eval_in("-\"v\" < 0", &scope).unwrap(), Value::Bool(true));
    assert_eq!(
        eval_in("!\"b\" == TRUE", &scope).unwrap(),
        Value::Bool(true)
    );
    // Wrong operand types: at compile time for constants, at eval time for references.
    assert_eq!(
        compile("-'a'").unwrap_err().to_string(),
        "invalid unary operator - for type string"
    );
    assert_eq!(
        compile("-TRUE").unwrap_err().to_string(),
        "invalid unary operator - for type boolean"
    );
    assert_eq!(
        compile("!5").unwrap_err().to_string(),
        "TypeGuard: expression returned unexpected type int, expected boolean"
    );
    let scope = MapScope::new().with("s", "x");
    assert_eq!(
        support::err_in("-\"s\"", &scope),
        "invalid unary operator - for type string"
    );
    assert_eq!(
        support::err_in("!\"s\"", &scope),
        "TypeGuard: expression returned unexpected type string, expected boolean"
    );
}

#[test]
fn precedence_and_associativity() {
    assert_eq!(eval("2 + 3 * 4").unwrap(), Value::Int(14));
    assert_eq!(eval("(2 + 3) * 4").unwrap(), Value::Int(20));
    assert_eq!(eval("10 - 4 - 3").unwrap(), Value::Int(3));
    assert_eq!(eval("100 / 10 / 5").unwrap(), Value::Int(2));
    assert_eq!(eval("TRUE OR FALSE AND FALSE").unwrap(), Value::Bool(true));
    assert_eq!(
        eval("(TRUE OR FALSE) AND FALSE").unwrap(),
        Value::Bool(false)
    );
    assert_eq!(eval("1 + 1 == 2 AND 3 > 2").unwrap(), Value::Bool(true));
    assert_eq!(eval("-2 * 3").unwrap(), Value::Int(-6));
    let scope = MapScope::new()
        .with("a", Value::Int(11))
        .with("b", Value::Int(5));
    let l = compile("\"a\" > 5 * 2 AND \"b\" < 10").unwrap();
    let mut st = l.new_state();
    assert!(l.eval_bool(&scope, &mut st).unwrap());
    let scope = scope.with("a", Value::Int(6));
    assert!(!l.eval_bool(&scope, &mut st).unwrap());
}

#[test]
fn logical_operators_short_circuit() {
    let scope = MapScope::new().with("s", "text");
    // The right side would fail; the left side decides first.
    assert_eq!(
        eval_in("FALSE AND \"s\" > 5", &scope).unwrap(),
        Value::Bool(false)
    );
    assert_eq!(
        eval_in("TRUE OR 1 / \"z\" == 1", &scope).unwrap(),
        Value::Bool(true)
    );
    // Unlike Kapacitor, a right side that is not evaluated is not type-checked either.
    assert_eq!(
        eval_in("FALSE AND \"s\"", &scope).unwrap(),
        Value::Bool(false)
    );
    assert_eq!(eval_in("TRUE OR \"s\"", &scope).unwrap(), Value::Bool(true));
    assert_eq!(
        support::err_in("\"s\" AND TRUE", &scope),
        "invalid logical operator AND for type string"
    );
    assert_eq!(
        support::err_in("TRUE AND \"s\"", &scope),
        mismatch("boolean", "AND", "string")
    );
}

#[test]
fn comparison_against_parse_node_shapes() {
    // The parser keeps parentheses on the AST; they only group.
    let ExprKind::Lambda(body) = parse("(1 + 2) * 3").kind else {
        panic!("not a lambda")
    };
    match body.kind {
        ExprKind::Binary {
            op: BinaryOp::Mul,
            lhs,
            ..
        } => {
            assert!(matches!(lhs.kind, ExprKind::Binary { parens: true, .. }))
        }
        other => panic!("{other:?}"),
    }
}
