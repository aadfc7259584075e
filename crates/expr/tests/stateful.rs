//! Stateful functions keep one instance per call site and per `LambdaState`.
#![allow(clippy::unwrap_used)]
// 0.7071067811865476 is the value Kapacitor's own test expects, not a stand-in for 1/sqrt(2).
#![allow(clippy::approx_constant)]

mod support;

use kapa_expr::{MapScope, Value};
use support::compile;

fn at(v: f64) -> MapScope {
    MapScope::new().with("value", Value::Float(v))
}

#[test]
fn sigma_matches_kapacitor() {
    // Kapacitor's TestExpression_EvalNum_KeepsFunctionsState.
    let l = compile("sigma(\"value\")").unwrap();
    let mut st = l.new_state();
    assert_eq!(l.eval(&at(97.1), &mut st).unwrap(), Value::Float(0.0));
    assert_eq!(
        l.eval(&at(92.6), &mut st).unwrap(),
        Value::Float(0.7071067811865476)
    );
}

#[test]
fn sigma_uses_the_sample_deviation_including_the_new_value() {
    let l = compile("sigma(\"value\")").unwrap();
    let mut st = l.new_state();
    let mut last = 0.0;
    for v in [1.0, 2.0, 3.0, 4.0, 10.0] {
        let Value::Float(s) = l.eval(&at(v), &mut st).unwrap() else {
            panic!()
        };
        last = s;
    }
    // mean 4, sample variance (9+4+1+0+36)/4 = 12.5
    let want = (10.0_f64 - 4.0).abs() / 12.5_f64.sqrt();
    assert!((last - want).abs() < 1e-12, "{last} vs {want}");
}

#[test]
fn sigma_is_zero_while_variance_is_zero() {
    let l = compile("sigma(\"value\") > 3").unwrap();
    let mut st = l.new_state();
    for _ in 0..5 {
        assert!(!l.eval_bool(&at(5.0), &mut st).unwrap());
    }
}

#[test]
fn two_states_keep_separate_sigma() {
    let l = compile("sigma(\"value\")").unwrap();
    let mut a = l.new_state();
    let mut b = l.new_state();
    l.eval(&at(97.1), &mut a).unwrap();
    assert_eq!(l.eval(&at(1.0), &mut b).unwrap(), Value::Float(0.0));
    assert_eq!(
        l.eval(&at(92.6), &mut a).unwrap(),
        Value::Float(0.7071067811865476)
    );
}

#[test]
fn each_call_site_has_its_own_state() {
    let l = compile("count() + count() * 10").unwrap();
    let mut st = l.new_state();
    assert_eq!(l.eval(&MapScope::new(), &mut st).unwrap(), Value::Int(11));
    assert_eq!(l.eval(&MapScope::new(), &mut st).unwrap(), Value::Int(22));
}

#[test]
fn count_compares_and_resets() {
    // Kapacitor's TestStatefulExpression_Integration_EvalBool_SanityCallingFunction.
    let l = compile("count() == 1").unwrap();
    let mut st = l.new_state();
    assert!(l.eval_bool(&MapScope::new(), &mut st).unwrap());
    assert!(!l.eval_bool(&MapScope::new(), &mut st).unwrap());
    st.reset();
    assert!(l.eval_bool(&MapScope::new(), &mut st).unwrap());
}

#[test]
fn spread_is_running_max_minus_min() {
    let l = compile("spread(\"value\")").unwrap();
    let mut st = l.new_state();
    let got: Vec<Value> = [5.0, 3.0, 9.0, 4.0]
        .iter()
        .map(|v| l.eval(&at(*v), &mut st).unwrap())
        .collect();
    assert_eq!(
        got,
        vec![
            Value::Float(0.0),
            Value::Float(2.0),
            Value::Float(6.0),
            Value::Float(6.0)
        ]
    );
}

#[test]
fn stateful_functions_check_their_argument_type() {
    let l = compile("sigma(\"value\")").unwrap();
    let scope = MapScope::new().with("value", Value::Int(3));
    assert_eq!(
        l.eval(&scope, &mut l.new_state()).unwrap_err().to_string(),
        "Cannot call function \"sigma\" with args (\"value\": int), available signatures are [(float)]."
    );
    assert_eq!(
        support::err("spread(TRUE)"),
        "Cannot call function \"spread\" with args (TRUE: boolean), available signatures are [(float)]."
    );
}

#[test]
fn a_type_error_on_the_right_does_not_advance_state_on_the_left() {
    let l = compile("count() == \"n\"").unwrap();
    let mut st = l.new_state();
    // "n" is missing: the error comes before count() runs, as Kapacitor checks types first.
    assert_eq!(
        l.eval(&MapScope::new(), &mut st).unwrap_err().to_string(),
        "right reference value \"n\" is missing value"
    );
    assert!(
        l.eval_bool(&MapScope::new().with("n", Value::Int(1)), &mut st)
            .unwrap()
    );
}

#[test]
fn rand_is_non_negative_and_bounded() {
    let l = compile("rand(10)").unwrap();
    let mut st = l.new_state();
    st.seed_rand(42);
    let mut seen = [false; 10];
    for _ in 0..500 {
        let Value::Int(n) = l.eval(&MapScope::new(), &mut st).unwrap() else {
            panic!()
        };
        assert!((0..10).contains(&n));
        seen[n as usize] = true;
    }
    assert!(seen.iter().all(|s| *s), "{seen:?}");
    let l = compile("rand()").unwrap();
    let mut st = l.new_state();
    for _ in 0..100 {
        let Value::Int(n) = l.eval(&MapScope::new(), &mut st).unwrap() else {
            panic!()
        };
        assert!(n >= 0);
    }
    assert_eq!(
        support::err("rand(0)"),
        "error calling \"rand\": invalid argument to rand: 0 must be positive"
    );
}

#[test]
fn seeded_rand_is_reproducible() {
    let l = compile("rand(1000000)").unwrap();
    let run = |seed| {
        let mut st = l.new_state();
        st.seed_rand(seed);
        (0..5)
            .map(|_| l.eval(&MapScope::new(), &mut st).unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(run(7), run(7));
    assert_ne!(run(7), run(8));
}

#[test]
fn lambdas_report_whether_they_need_state() {
    assert!(compile("sigma(\"x\") > 3").unwrap().is_stateful());
    assert!(!compile("abs(\"x\") > 3.0").unwrap().is_stateful());
}
