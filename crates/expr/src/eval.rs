//! Evaluation of compiled nodes against a scope. Nothing here allocates on the success path
//! of comparisons and arithmetic on numbers.

use kapa_tick::ast::BinaryOp;

use crate::error::ExprError;
use crate::functions::{FnState, FunctionDef, Imp, MAX_ARGS};
use crate::node::{Call, Node, ScopeCall};
use crate::ops;
use crate::scope::Scope;
use crate::value::{Value, ValueType};

/// Evaluation results box their error so the success path moves only a `Value`.
pub(crate) type Res<T> = Result<T, Box<ExprError>>;

/// What one evaluation needs besides the node.
pub(crate) struct Ctx<'a> {
    pub scope: &'a dyn Scope,
    pub slots: &'a mut [FnState],
    /// The lambda's references, named in missing-argument messages.
    pub refs: &'a [String],
}

pub(crate) fn eval(node: &Node, cx: &mut Ctx<'_>) -> Res<Value> {
    match node {
        Node::Const(v) => Ok(v.clone()),
        Node::Ref(name) => cx.scope.lookup(name).map_err(Box::new),
        Node::Time => Ok(Value::Time(cx.scope.time())),
        Node::Neg(x) => negate(eval(x, cx)?),
        Node::Not(x) => match eval(x, cx)? {
            Value::Bool(b) => Ok(Value::Bool(!b)),
            other => Err(Box::new(ExprError::TypeGuard {
                actual: other.value_type(),
                expected: ValueType::Bool,
            })),
        },
        Node::Binary {
            op,
            lhs,
            rhs,
            check_first,
        } => {
            if *check_first {
                let lt = type_of(lhs, cx)?;
                let rt = type_of(rhs, cx)?;
                if ops::result_type(*op, lt, rt).is_none() {
                    return Err(Box::new(binary_error(*op, lhs, rhs, lt, rt)));
                }
            }
            let l = operand(lhs, cx)?;
            // A constant right side is borrowed rather than cloned.
            let r_owned;
            let r = match rhs.as_ref() {
                Node::Const(v) => v,
                _ => {
                    r_owned = operand(rhs, cx)?;
                    &r_owned
                }
            };
            if let Some(v) = ops::apply_numeric(*op, &l, r) {
                return Ok(v);
            }
            ops::apply(*op, &l, r).map_err(|e| {
                Box::new(match e {
                    ExprError::MismatchedTypes { .. } | ExprError::InvalidOperator { .. } => {
                        binary_error(*op, lhs, rhs, l.value_type(), r.value_type())
                    }
                    other => other,
                })
            })
        }
        Node::Logical { op, lhs, rhs } => logical(*op, lhs, rhs, cx),
        Node::Call(call) => eval_call(call, cx),
        Node::ScopeCall(call) => eval_scope_call(call, cx),
    }
}

/// Leaves are evaluated in place: most operands are a reference or a constant.
#[inline(always)]
fn operand(node: &Node, cx: &mut Ctx<'_>) -> Res<Value> {
    match node {
        Node::Const(v) => Ok(v.clone()),
        Node::Ref(name) => cx.scope.lookup(name).map_err(Box::new),
        _ => eval(node, cx),
    }
}

pub(crate) fn negate(v: Value) -> Res<Value> {
    match v {
        Value::Int(i) => Ok(Value::Int(i.wrapping_neg())),
        Value::Float(f) => Ok(Value::Float(-f)),
        Value::Duration(d) => Ok(Value::Duration(d.wrapping_neg())),
        other => Err(Box::new(ExprError::InvalidUnary {
            op: "-",
            ty: other.value_type(),
        })),
    }
}

/// Kapacitor's most specific error for an operator applied to types it does not take: a
/// comparison or logic operand that reads a missing reference is named, anything else is
/// the operator table's error.
pub(crate) fn binary_error(
    op: BinaryOp,
    lhs: &Node,
    rhs: &Node,
    lt: ValueType,
    rt: ValueType,
) -> ExprError {
    if ops::is_boolean_op(op) {
        if let (ValueType::Missing, Node::Ref(name)) = (lt, lhs) {
            return ExprError::MissingReference {
                side: "left",
                name: name.clone(),
            };
        }
        if let (ValueType::Missing, Node::Ref(name)) = (rt, rhs) {
            return ExprError::MissingReference {
                side: "right",
                name: name.clone(),
            };
        }
    }
    ops::type_error(op, lt, rt)
}

#[inline(never)]
fn logical(op: BinaryOp, lhs: &Node, rhs: &Node, cx: &mut Ctx<'_>) -> Res<Value> {
    let decides = op == BinaryOp::Or;
    let left = match eval(lhs, cx)? {
        Value::Bool(b) => b,
        other => {
            let rt = type_of(rhs, cx)?;
            return Err(Box::new(binary_error(op, lhs, rhs, other.value_type(), rt)));
        }
    };
    if left == decides {
        return Ok(Value::Bool(left));
    }
    match eval(rhs, cx)? {
        Value::Bool(b) => Ok(Value::Bool(b)),
        other => Err(Box::new(binary_error(
            op,
            lhs,
            rhs,
            ValueType::Bool,
            other.value_type(),
        ))),
    }
}

/// The type a node would produce, without calling any function (Kapacitor's `Type()`).
#[inline(never)]
pub(crate) fn type_of(node: &Node, cx: &mut Ctx<'_>) -> Res<ValueType> {
    Ok(match node {
        Node::Const(v) => v.value_type(),
        Node::Ref(name) => cx.scope.lookup(name).map_err(Box::new)?.value_type(),
        Node::Time => ValueType::Time,
        Node::Neg(x) => match type_of(x, cx)? {
            t @ (ValueType::Int | ValueType::Float | ValueType::Duration) => t,
            ty => return Err(Box::new(ExprError::InvalidUnary { op: "-", ty })),
        },
        Node::Not(_) | Node::Logical { .. } => ValueType::Bool,
        Node::Binary { op, lhs, rhs, .. } => {
            if ops::is_boolean_op(*op) {
                ValueType::Bool
            } else {
                let lt = type_of(lhs, cx)?;
                let rt = type_of(rhs, cx)?;
                ops::result_type(*op, lt, rt)
                    .ok_or_else(|| Box::new(ops::type_error(*op, lt, rt)))?
            }
        }
        Node::Call(call) => {
            let mut types = [ValueType::Missing; MAX_ARGS];
            for (i, arg) in call.args.iter().enumerate() {
                types[i] = type_of(arg, cx).map_err(|e| arg_error(i, e))?;
            }
            let types = &types[..call.args.len()];
            match call.def.return_type(types) {
                Some(t) => t,
                None => return Err(Box::new(signature_error(call, types, cx.refs))),
            }
        }
        Node::ScopeCall(call) => eval_scope_call(call, cx)?.value_type(),
    })
}

fn arg_error(i: usize, e: Box<ExprError>) -> Box<ExprError> {
    Box::new(ExprError::Argument {
        index: i + 1,
        source: e,
    })
}

/// The error for argument types that match no signature: missing arguments are named first.
fn signature_error(call: &Call, types: &[ValueType], refs: &[String]) -> ExprError {
    let missing: Vec<String> = types
        .iter()
        .zip(call.texts.iter())
        .filter(|(t, _)| **t == ValueType::Missing)
        .map(|(_, text)| text.clone())
        .collect();
    if !missing.is_empty() {
        return ExprError::MissingArguments {
            name: call.def.name,
            args: missing,
            scope: refs.to_vec(),
        };
    }
    wrong_signature(call.def, &call.texts, types)
}

pub(crate) fn wrong_signature(
    def: &'static FunctionDef,
    texts: &[String],
    types: &[ValueType],
) -> ExprError {
    let args: Vec<String> = texts
        .iter()
        .zip(types)
        .map(|(text, t)| format!("{text}: {t}"))
        .collect();
    ExprError::WrongSignature {
        name: def.name,
        args: format!("({})", args.join(",")),
        signatures: def.signatures_text(),
    }
}

#[inline(never)]
fn eval_call(call: &Call, cx: &mut Ctx<'_>) -> Res<Value> {
    let mut buf: [Value; MAX_ARGS] = [const { Value::Missing }; MAX_ARGS];
    let n = call.args.len();
    for (i, arg) in call.args.iter().enumerate() {
        buf[i] = eval(arg, cx).map_err(|e| arg_error(i, e))?;
    }
    let args = &buf[..n];
    let matches =
        call.def.signatures.iter().any(|s| {
            s.args.len() == n && s.args.iter().zip(args).all(|(t, v)| *t == v.value_type())
        });
    if !matches {
        let mut types = [ValueType::Missing; MAX_ARGS];
        for (t, v) in types.iter_mut().zip(args) {
            *t = v.value_type();
        }
        return Err(Box::new(signature_error(call, &types[..n], cx.refs)));
    }
    let result = match call.def.imp {
        Imp::Pure(f) | Imp::Volatile(f) => f(args),
        Imp::Stateful { call: f, .. } => {
            let slot = call.slot.and_then(|s| cx.slots.get_mut(s)).ok_or_else(|| {
                Box::new(ExprError::Unsupported(
                    "lambda state does not belong to this lambda".into(),
                ))
            })?;
            f(slot, args)
        }
    };
    result.map_err(|message| {
        Box::new(ExprError::Call {
            name: call.def.name,
            message,
        })
    })
}

#[inline(never)]
fn eval_scope_call(call: &ScopeCall, cx: &mut Ctx<'_>) -> Res<Value> {
    let mut buf: [Value; MAX_ARGS] = [const { Value::Missing }; MAX_ARGS];
    for (i, arg) in call.args.iter().enumerate() {
        buf[i] = eval(arg, cx).map_err(|e| arg_error(i, e))?;
    }
    match cx.scope.call(&call.name, &buf[..call.args.len()]) {
        Some(result) => result.map_err(Box::new),
        None => Err(Box::new(ExprError::UndefinedFunction(
            call.name.to_string(),
        ))),
    }
}
