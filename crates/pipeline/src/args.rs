//! Argument conversion for property and chain methods, with Kapacitor-style messages.

use std::sync::Arc;

use kapa_expr::Lambda;

use crate::value::Val;

pub(crate) type ArgResult<T> = Result<T, String>;

fn want(args: &[Val], n: usize) -> ArgResult<()> {
    if args.len() != n {
        return Err(format!(
            "wrong number of arguments: got {} exp {}",
            args.len(),
            n
        ));
    }
    Ok(())
}

/// No arguments (flags such as `.quiet()`).
pub(crate) fn none(args: &[Val]) -> ArgResult<()> {
    want(args, 0)
}

fn string_of(v: &Val) -> ArgResult<String> {
    match v {
        Val::Str(s) => Ok(s.clone()),
        Val::Reference(_) => Err(
            "cannot assign *ast.ReferenceNode to type string, did you use double quotes instead of single quotes?"
                .to_string(),
        ),
        other => Err(format!("cannot use {} as type string", other.type_name())),
    }
}

/// Exactly one string.
pub(crate) fn string(args: &[Val]) -> ArgResult<String> {
    want(args, 1)?;
    string_of(&args[0])
}

/// Any number of strings (a single list argument is already splatted).
pub(crate) fn strings(args: &[Val]) -> ArgResult<Vec<String>> {
    args.iter().map(string_of).collect()
}

/// Exactly one duration.
pub(crate) fn duration(args: &[Val]) -> ArgResult<i64> {
    want(args, 1)?;
    duration_of(&args[0])
}

pub(crate) fn duration_of(v: &Val) -> ArgResult<i64> {
    match v {
        Val::Duration(d) => Ok(*d),
        other => Err(format!("cannot use {} as type duration", other.type_name())),
    }
}

/// Exactly one int.
pub(crate) fn int(args: &[Val]) -> ArgResult<i64> {
    want(args, 1)?;
    match &args[0] {
        Val::Int(i) => Ok(*i),
        other => Err(format!("cannot use {} as type int", other.type_name())),
    }
}

/// Exactly one float (an int is accepted, as Go's reflection converts it for float params).
pub(crate) fn float_of(v: &Val) -> ArgResult<f64> {
    match v {
        Val::Float(f) => Ok(*f),
        Val::Int(i) => Ok(*i as f64),
        other => Err(format!("cannot use {} as type float", other.type_name())),
    }
}

/// Exactly one lambda, compiled.
pub(crate) fn lambda(args: &[Val]) -> ArgResult<Arc<Lambda>> {
    want(args, 1)?;
    lambda_of(&args[0])
}

/// Compiles a lambda value.
pub(crate) fn lambda_of(v: &Val) -> ArgResult<Arc<Lambda>> {
    match v {
        Val::Lambda(body) => Lambda::compile(body, &|_| None)
            .map(Arc::new)
            .map_err(|e| e.to_string()),
        other => Err(format!("cannot use {} as type lambda", other.type_name())),
    }
}

/// Any number of lambdas.
pub(crate) fn lambdas(args: &[Val]) -> ArgResult<Vec<Arc<Lambda>>> {
    args.iter().map(lambda_of).collect()
}
