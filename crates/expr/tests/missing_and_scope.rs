//! Missing references, how points bind fields/tags/time, and the lambda API.
#![allow(clippy::unwrap_used)]

mod support;

use kapa_expr::{
    ExprError, FieldsTagsScope, Lambda, MapScope, Scope, Value, ValueType, eval_const,
};
use kapa_models::{FieldValue, Fields, Point, Tags};
use smol_str::SmolStr;
use support::{compile, compile_vars, err_in, eval_in, parse};

fn point() -> Point {
    let mut fields = Fields::new();
    fields.insert("usage_idle", FieldValue::Float(42.5));
    fields.insert("count", FieldValue::Int(7));
    fields.insert("big", FieldValue::UInt(u64::MAX));
    fields.insert("small", FieldValue::UInt(9));
    fields.insert("ok", FieldValue::Bool(true));
    fields.insert("msg", FieldValue::String("hello".into()));
    let mut tags = Tags::new();
    tags.insert("host", SmolStr::new("serverA"));
    tags.insert("cpu", SmolStr::new("cpu-total"));
    Point {
        name: "cpu".into(),
        tags,
        fields,
        // 2024-03-05T06:07:08Z, a Tuesday
        time: 1_709_618_828_000_000_000,
    }
}

fn on_point(src: &str) -> Result<Value, ExprError> {
    let l = compile(src)?;
    l.eval(&point(), &mut l.new_state())
}

#[test]
fn point_binds_fields_then_tags_then_time() {
    assert_eq!(on_point("\"usage_idle\"").unwrap(), Value::Float(42.5));
    assert_eq!(on_point("\"count\"").unwrap(), Value::Int(7));
    assert_eq!(on_point("\"ok\"").unwrap(), Value::Bool(true));
    assert_eq!(on_point("\"msg\"").unwrap(), Value::from("hello"));
    assert_eq!(on_point("\"host\"").unwrap(), Value::from("serverA"));
    assert_eq!(
        on_point("\"time\"").unwrap(),
        Value::Time(1_709_618_828_000_000_000)
    );
    assert_eq!(on_point("\"nope\"").unwrap(), Value::Missing);
    assert_eq!(on_point("\"usage_idle\" < 70").unwrap(), Value::Bool(true));
    assert_eq!(
        on_point("\"host\" == 'serverA' AND \"cpu\" =~ /total$/").unwrap(),
        Value::Bool(true)
    );
    assert_eq!(on_point("hour(\"time\")").unwrap(), Value::Int(6));
}

#[test]
fn unsigned_fields_read_as_int_or_float() {
    assert_eq!(on_point("\"small\"").unwrap(), Value::Int(9));
    assert_eq!(on_point("\"big\"").unwrap(), Value::Float(u64::MAX as f64));
}

#[test]
fn field_and_tag_with_the_same_name_is_an_error() {
    let mut p = point();
    p.fields.insert("host", FieldValue::String("x".into()));
    let l = compile("\"host\" == 'x'").unwrap();
    let e = l.eval(&p, &mut l.new_state()).unwrap_err();
    assert_eq!(e, ExprError::FieldTagConflict("host".into()));
    assert_eq!(
        e.to_string(),
        "cannot have field and tags with same name \"host\""
    );
    // Names that are not read do not matter.
    let l = compile("\"count\" == 7").unwrap();
    assert!(l.eval_bool(&p, &mut l.new_state()).unwrap());
}

#[test]
fn fields_tags_scope_matches_point() {
    let p = point();
    let scope = FieldsTagsScope {
        fields: &p.fields,
        tags: &p.tags,
        time: p.time,
    };
    for name in ["usage_idle", "host", "time", "nope"] {
        assert_eq!(
            scope.lookup(name).unwrap(),
            p.lookup(name).unwrap(),
            "{name}"
        );
    }
    assert_eq!(scope.time(), p.time);
}

#[test]
fn comparing_a_missing_reference_names_it() {
    let empty = MapScope::new();
    assert_eq!(
        err_in("\"x\" > 5", &empty),
        "left reference value \"x\" is missing value"
    );
    assert_eq!(
        err_in("5 < \"x\"", &empty),
        "right reference value \"x\" is missing value"
    );
    assert_eq!(
        err_in("\"x\" == 'a'", &empty),
        "left reference value \"x\" is missing value"
    );
    assert_eq!(
        err_in("\"x\" =~ /a/", &empty),
        "left reference value \"x\" is missing value"
    );
    assert_eq!(
        err_in("\"x\" AND TRUE", &empty),
        "left reference value \"x\" is missing value"
    );
    assert_eq!(
        err_in("TRUE AND \"x\"", &empty),
        "right reference value \"x\" is missing value"
    );
    // The right side is not looked at when the left side decides.
    assert_eq!(
        eval_in("FALSE AND \"x\"", &empty).unwrap(),
        Value::Bool(false)
    );
    let scope = MapScope::new().with("a", Value::Int(1));
    assert_eq!(
        err_in("\"a\" > 0 AND \"b\" > 0", &scope),
        "left reference value \"b\" is missing value"
    );
}

#[test]
fn arithmetic_on_a_missing_reference_is_a_type_error() {
    let empty = MapScope::new();
    assert_eq!(
        err_in("\"x\" + 1", &empty),
        "invalid math operator + for type missing"
    );
    assert_eq!(
        err_in("1 + \"x\"", &empty),
        "mismatched type to binary operator. got int + missing. see bool(), int(), float(), string(), duration()"
    );
    assert_eq!(
        err_in("(\"x\" * 2) > 1", &empty),
        "invalid math operator * for type missing"
    );
    assert_eq!(
        err_in("-\"x\"", &empty),
        "invalid unary operator - for type missing"
    );
}

#[test]
fn is_present_guards_missing_values() {
    let scope = MapScope::new().with("a", Value::Float(3.0));
    assert_eq!(
        eval_in("isPresent(\"a\")", &scope).unwrap(),
        Value::Bool(true)
    );
    assert_eq!(
        eval_in("isPresent(\"b\")", &scope).unwrap(),
        Value::Bool(false)
    );
    assert_eq!(
        eval_in("!isPresent(\"b\")", &scope).unwrap(),
        Value::Bool(true)
    );
    assert_eq!(
        eval_in("isPresent(\"b\") AND \"b\" > 1", &scope).unwrap(),
        Value::Bool(false)
    );
    assert_eq!(
        eval_in("isPresent(\"a\") AND \"a\" > 1", &scope).unwrap(),
        Value::Bool(true)
    );
    // Kapacitor fails here (it type-checks strContains("b", ...) before short-circuiting).
    assert_eq!(
        eval_in("isPresent(\"b\") AND strContains(\"b\", 'x')", &scope).unwrap(),
        Value::Bool(false)
    );
    assert_eq!(
        eval_in("if(isPresent(\"b\"), \"b\", \"a\")", &scope)
            .unwrap_err()
            .to_string(),
        "Cannot call function \"if\" argument \"b\" is missing, values in scope are [a]"
    );
}

#[test]
fn functions_name_their_missing_arguments() {
    let scope = MapScope::new().with("a", Value::Float(1.0));
    assert_eq!(
        err_in("abs(\"x\") + \"a\"", &scope),
        "Cannot call function \"abs\" argument \"x\" is missing, values in scope are [a]"
    );
    assert_eq!(
        err_in("pow(\"x\", \"y\") > \"a\"", &scope),
        "Cannot call function \"pow\" arguments \"x\", \"y\" are missing, values in scope are [a]"
    );
}

#[test]
fn a_bare_missing_reference_evaluates_to_missing() {
    let l = compile("\"nope\"").unwrap();
    let mut st = l.new_state();
    assert_eq!(l.eval(&MapScope::new(), &mut st).unwrap(), Value::Missing);
    assert_eq!(
        l.eval_bool(&MapScope::new(), &mut st)
            .unwrap_err()
            .to_string(),
        "TypeGuard: expression returned unexpected type missing, expected boolean"
    );
}

#[test]
fn eval_bool_requires_a_boolean() {
    let l = compile("5.0 + 10.0").unwrap();
    assert_eq!(
        l.eval_bool(&MapScope::new(), &mut l.new_state())
            .unwrap_err()
            .to_string(),
        "TypeGuard: expression returned unexpected type float, expected boolean"
    );
}

#[test]
fn vars_are_substituted_at_compile_time() {
    let l = compile_vars(
        "\"value\" > crit AND \"host\" =~ hosts",
        &[
            ("crit", Value::Float(80.0)),
            (
                "hosts",
                Value::Regex(std::sync::Arc::new(
                    kapa_expr::compile_go_regex("^web").unwrap(),
                )),
            ),
        ],
    )
    .unwrap();
    let scope = MapScope::new()
        .with("value", Value::Float(90.0))
        .with("host", "web01");
    assert!(l.eval_bool(&scope, &mut l.new_state()).unwrap());
    assert_eq!(l.source(), "\"value\" > 80.0 AND \"host\" =~ /^web/");
    assert_eq!(
        l.references(),
        vec!["value".to_string(), "host".to_string()]
    );
}

#[test]
fn unknown_identifiers_and_functions_fail_to_compile() {
    assert_eq!(
        compile("\"v\" > crit").unwrap_err().to_string(),
        "name \"crit\" is undefined"
    );
    assert_eq!(
        compile("yosi_the_king()").unwrap_err().to_string(),
        "undefined function: \"yosi_the_king\""
    );
}

#[test]
fn constant_type_errors_fail_to_compile() {
    assert_eq!(
        compile("\"x\" > 5 AND 1 + 1.0 > 2")
            .unwrap_err()
            .to_string(),
        "mismatched type to binary operator. got int + float. see bool(), int(), float(), string(), duration()"
    );
    // A comparison has a known type even over references, so this is caught too.
    assert_eq!(
        compile("(\"x\" > 5) + 1").unwrap_err().to_string(),
        "invalid math operator + for type boolean"
    );
}

#[test]
fn references_are_listed_in_order_of_first_use() {
    let l =
        compile("\"b\" > 1 AND sigma(\"a\") > 2 OR \"b\" < \"c\" AND \"time\" > \"time\"").unwrap();
    assert_eq!(l.references(), vec!["b", "a", "c", "time"]);
}

#[test]
fn source_is_canonical_text() {
    for (src, canonical) in [
        ("\"usage_idle\"   <70", "\"usage_idle\" < 70"),
        (
            "sigma(\"x\")>3.5 OR (\"a\" == 'b')",
            "sigma(\"x\") > 3.5 OR (\"a\" == 'b')",
        ),
        ("-\"v\" * 10s", "-\"v\" * 10s"),
        ("\"h\" !~ /a\\/b/", "\"h\" !~ /a\\/b/"),
    ] {
        assert_eq!(compile(src).unwrap().source(), canonical);
    }
}

#[test]
fn static_type_is_known_for_comparisons() {
    assert_eq!(
        compile("\"x\" > 1").unwrap().static_type(),
        Some(ValueType::Bool)
    );
    assert_eq!(compile("\"x\" + 1").unwrap().static_type(), None);
    assert_eq!(
        compile("1 + 1").unwrap().static_type(),
        Some(ValueType::Int)
    );
}

#[test]
fn eval_const_evaluates_script_level_expressions() {
    let e = parse("10s * 2");
    let kapa_tick::ExprKind::Lambda(body) = e.kind else {
        panic!()
    };
    assert_eq!(
        eval_const(&body, &|_| None).unwrap(),
        Value::Duration(20_000_000_000)
    );
    let e = parse("p + 5");
    assert_eq!(
        eval_const(&e, &|n| (n == "p").then_some(Value::Int(10))).unwrap(),
        Value::Int(15)
    );
    assert_eq!(
        eval_const(&parse("'a' + 'b'"), &|_| None).unwrap(),
        Value::from("ab")
    );
    assert_eq!(
        eval_const(&parse("\"x\" + 1"), &|_| None)
            .unwrap_err()
            .to_string(),
        "reference \"x\" can only be used inside a lambda expression"
    );
}

#[test]
fn star_and_lists_are_not_expressions() {
    let l = kapa_tick::parse("var x = lambda: \"a\" > 1\n").unwrap();
    assert_eq!(l.statements.len(), 1);
    let star = support::e(kapa_tick::ExprKind::Star);
    assert_eq!(
        Lambda::compile(&star, &|_| None).unwrap_err().to_string(),
        "Given node type is not valid evaluation node: *ast.StarNode"
    );
}

/// Functions a scope provides itself, as topic-handler match expressions need.
struct AlertScope;

impl Scope for AlertScope {
    fn lookup(&self, name: &str) -> Result<Value, ExprError> {
        Ok(if name == "host" {
            Value::from("a")
        } else {
            Value::Missing
        })
    }
    fn time(&self) -> i64 {
        0
    }
    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, ExprError>> {
        match (name, args) {
            ("level", []) => Some(Ok(Value::Int(2))),
            ("changed", []) => Some(Ok(Value::Bool(true))),
            _ => None,
        }
    }
}

#[test]
fn scope_functions() {
    let body = parse("level() >= WARNING AND changed() AND \"host\" == 'a'");
    let vars = |n: &str| (n == "WARNING").then_some(Value::Int(2));
    let l =
        Lambda::compile_with_scope_functions(&body, &vars, &["level", "changed", "name"]).unwrap();
    assert!(l.eval_bool(&AlertScope, &mut l.new_state()).unwrap());
    let l = Lambda::compile_with_scope_functions(&parse("name()"), &vars, &["name"]).unwrap();
    assert_eq!(
        l.eval(&AlertScope, &mut l.new_state())
            .unwrap_err()
            .to_string(),
        "undefined function: \"name\""
    );
    assert!(Lambda::compile(&parse("level()"), &vars).is_err());
}

#[test]
fn lambda_is_send_sync_and_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Lambda>();
    assert_send_sync::<kapa_expr::LambdaState>();
    let l = std::sync::Arc::new(compile("\"x\" > 1").unwrap());
    let handles: Vec<_> = (0..2)
        .map(|i| {
            let l = l.clone();
            std::thread::spawn(move || {
                let scope = MapScope::new().with("x", Value::Int(i * 5));
                l.eval_bool(&scope, &mut l.new_state()).unwrap()
            })
        })
        .collect();
    let got: Vec<bool> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(got, vec![false, true]);
}

#[test]
fn lambdas_clone_and_compare_by_canonical_text() {
    let a = compile("\"x\"  >  1").unwrap();
    let b = compile("\"x\" > 1").unwrap();
    let c = compile("\"x\" > 2").unwrap();
    assert_eq!(a, b);
    assert_ne!(a, c);
    let copy = a.clone();
    let scope = MapScope::new().with("x", Value::Int(5));
    assert!(copy.eval_bool(&scope, &mut copy.new_state()).unwrap());
}
