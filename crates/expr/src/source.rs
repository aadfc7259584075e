//! Canonical text of an expression, written by `kapa_tick`'s formatter (Kapacitor's
//! `Format`) after script vars are replaced by the literals they stand for.

use kapa_models::duration::format_influxql;
use kapa_tick::ast::{Expr, ExprKind};

use crate::value::Value;

/// Formats an expression (a lambda's body, or an argument) on one line.
pub(crate) fn format(e: &Expr, vars: &dyn Fn(&str) -> Option<Value>) -> String {
    let body = match &e.kind {
        ExprKind::Lambda(inner) => inner.as_ref(),
        _ => e,
    };
    if has_ident(body) {
        kapa_tick::format_expr(&substitute(body, vars))
    } else {
        kapa_tick::format_expr(body)
    }
}

fn has_ident(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Ident(_) => true,
        ExprKind::Lambda(x) | ExprKind::Unary { operand: x, .. } => has_ident(x),
        ExprKind::Binary { lhs, rhs, .. } => has_ident(lhs) || has_ident(rhs),
        ExprKind::Call { args, .. } | ExprKind::List(args) => args.iter().any(has_ident),
        ExprKind::Chain { lhs, args, .. } => has_ident(lhs) || args.iter().any(has_ident),
        _ => false,
    }
}

/// A copy of the expression with every resolvable identifier replaced by its literal.
fn substitute(e: &Expr, vars: &dyn Fn(&str) -> Option<Value>) -> Expr {
    let kind = match &e.kind {
        ExprKind::Ident(name) => match vars(name).as_ref().and_then(literal) {
            Some(kind) => kind,
            None => e.kind.clone(),
        },
        ExprKind::Lambda(x) => ExprKind::Lambda(Box::new(substitute(x, vars))),
        ExprKind::Unary { op, operand } => ExprKind::Unary {
            op: *op,
            operand: Box::new(substitute(operand, vars)),
        },
        ExprKind::Binary {
            op,
            lhs,
            rhs,
            parens,
        } => ExprKind::Binary {
            op: *op,
            lhs: Box::new(substitute(lhs, vars)),
            rhs: Box::new(substitute(rhs, vars)),
            parens: *parens,
        },
        ExprKind::Call { name, args } => ExprKind::Call {
            name: name.clone(),
            args: args.iter().map(|a| substitute(a, vars)).collect(),
        },
        other => other.clone(),
    };
    Expr { kind, pos: e.pos }
}

/// The literal expression for a value, when TICKscript has one.
fn literal(v: &Value) -> Option<ExprKind> {
    Some(match v {
        Value::Float(f) => ExprKind::Float(*f),
        Value::Int(i) => ExprKind::Int(*i),
        Value::String(s) => ExprKind::String {
            value: s.to_string(),
            triple: false,
        },
        Value::Bool(b) => ExprKind::Bool(*b),
        Value::Regex(re) => ExprKind::Regex(re.as_str().to_string()),
        Value::Duration(d) => ExprKind::Duration {
            ns: *d,
            literal: format_influxql(*d),
        },
        Value::Time(_) | Value::Missing => return None,
    })
}
