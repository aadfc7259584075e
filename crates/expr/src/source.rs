//! Canonical text of an expression (Kapacitor's `Format`), with script vars shown as the
//! literal values they were substituted by.

use std::fmt::Write;

use kapa_models::duration::format_influxql;
use kapa_tick::ast::{Expr, ExprKind};

use crate::functions::format_float;
use crate::value::Value;

/// Formats an expression on one line.
pub(crate) fn format(e: &Expr, vars: &dyn Fn(&str) -> Option<Value>) -> String {
    let mut out = String::new();
    write_expr(&mut out, e, vars);
    out
}

fn write_expr(out: &mut String, e: &Expr, vars: &dyn Fn(&str) -> Option<Value>) {
    match &e.kind {
        ExprKind::Int(i) => {
            let _ = write!(out, "{i}");
        }
        ExprKind::Float(f) => write_float(out, *f),
        ExprKind::Duration { literal, .. } => out.push_str(literal),
        ExprKind::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        ExprKind::String { value, triple } => write_string(out, value, *triple),
        ExprKind::Reference(name) => {
            out.push('"');
            out.push_str(&name.replace('"', "\\\""));
            out.push('"');
        }
        ExprKind::Regex(pattern) => write_regex(out, pattern),
        ExprKind::Star => out.push('*'),
        ExprKind::Ident(name) => match vars(name) {
            Some(v) => write_value(out, &v),
            None => out.push_str(name),
        },
        ExprKind::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(out, item, vars);
            }
            out.push(']');
        }
        ExprKind::Lambda(inner) => write_expr(out, inner, vars),
        ExprKind::Unary { op, operand } => {
            out.push_str(op.as_str());
            write_expr(out, operand, vars);
        }
        ExprKind::Binary {
            op,
            lhs,
            rhs,
            parens,
        } => {
            if *parens {
                out.push('(');
            }
            write_expr(out, lhs, vars);
            out.push(' ');
            out.push_str(op.as_str());
            out.push(' ');
            write_expr(out, rhs, vars);
            if *parens {
                out.push(')');
            }
        }
        ExprKind::Call { name, args } => {
            out.push_str(name);
            write_args(out, args, vars);
        }
        ExprKind::Chain {
            lhs,
            op,
            name,
            args,
            parens,
            ..
        } => {
            write_expr(out, lhs, vars);
            out.push_str(match op {
                kapa_tick::ast::ChainOp::Pipe => "|",
                kapa_tick::ast::ChainOp::Dot => ".",
                kapa_tick::ast::ChainOp::At => "@",
            });
            out.push_str(name);
            if *parens {
                write_args(out, args, vars);
            }
        }
    }
}

fn write_args(out: &mut String, args: &[Expr], vars: &dyn Fn(&str) -> Option<Value>) {
    out.push('(');
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_expr(out, arg, vars);
    }
    out.push(')');
}

fn write_float(out: &mut String, f: f64) {
    let s = format_float(f);
    out.push_str(&s);
    // Keep the literal a float when the text is parsed again.
    if f.is_finite() && !s.contains('.') {
        out.push_str(".0");
    }
}

fn write_string(out: &mut String, s: &str, triple: bool) {
    if triple {
        out.push_str("'''");
        out.push_str(s);
        out.push_str("'''");
    } else {
        out.push('\'');
        out.push_str(&s.replace('\'', "\\'"));
        out.push('\'');
    }
}

fn write_regex(out: &mut String, pattern: &str) {
    out.push('/');
    out.push_str(&pattern.replace('/', "\\/"));
    out.push('/');
}

/// Writes a substituted var's value as the literal it stands for.
pub(crate) fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Float(f) => write_float(out, *f),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::String(s) => write_string(out, s, false),
        Value::Bool(b) => out.push_str(if *b { "TRUE" } else { "FALSE" }),
        Value::Regex(re) => write_regex(out, re.as_str()),
        Value::Time(t) => out.push_str(&kapa_models::time::format_rfc3339(*t)),
        Value::Duration(d) => out.push_str(&format_influxql(*d)),
        Value::Missing => out.push_str("<missing>"),
    }
}
