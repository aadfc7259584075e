//! Test helpers: parse lambdas with `kapa_tick`, compile and evaluate them.
#![allow(dead_code, clippy::unwrap_used)]

use kapa_expr::{ExprError, Lambda, MapScope, Value};
use kapa_tick::ast::{Expr, ExprKind, Pos};

pub fn e(kind: ExprKind) -> Expr {
    Expr {
        kind,
        pos: Pos::default(),
    }
}

/// Parses a lambda body such as `"x" > 5 AND strContains("host", 'a')` with the real parser.
pub fn parse(src: &str) -> Expr {
    kapa_tick::parse_lambda(src).unwrap_or_else(|e| panic!("{src}: {e}"))
}

pub fn compile(src: &str) -> Result<Lambda, ExprError> {
    Lambda::compile(&parse(src), &|_| None)
}

pub fn compile_vars(src: &str, vars: &[(&str, Value)]) -> Result<Lambda, ExprError> {
    let vars: Vec<(String, Value)> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    Lambda::compile(&parse(src), &move |name| {
        vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    })
}

/// Compiles and evaluates once against a scope.
pub fn eval_in(src: &str, scope: &MapScope) -> Result<Value, ExprError> {
    let l = compile(src)?;
    let mut st = l.new_state();
    l.eval(scope, &mut st)
}

pub fn eval(src: &str) -> Result<Value, ExprError> {
    eval_in(src, &MapScope::new())
}

pub fn err(src: &str) -> String {
    match eval(src) {
        Ok(v) => panic!("expected an error from {src}, got {v:?}"),
        Err(e) => e.to_string(),
    }
}

pub fn err_in(src: &str, scope: &MapScope) -> String {
    match eval_in(src, scope) {
        Ok(v) => panic!("expected an error from {src}, got {v:?}"),
        Err(e) => e.to_string(),
    }
}
