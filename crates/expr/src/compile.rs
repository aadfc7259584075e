//! AST to [`Node`]: substitutes vars, resolves functions, type-checks what is known before
//! any point arrives, and folds constant subexpressions.

use std::sync::Arc;

use kapa_tick::ast::{BinaryOp, Expr, ExprKind, UnaryOp};
use smol_str::SmolStr;

use crate::error::ExprError;
use crate::eval::{self, Ctx};
use crate::functions::{self, FnState, Imp, MAX_ARGS};
use crate::node::{Call, Node, ScopeCall};
use crate::ops;
use crate::regex::compile_go_regex;
use crate::scope::MapScope;
use crate::source;
use crate::value::{Value, ValueType};

/// A compiled node with its type when known before evaluation.
pub(crate) struct Compiled {
    pub node: Node,
    /// `None` when the type depends on the point (references, function calls).
    pub ty: Option<ValueType>,
}

pub(crate) struct Compiler<'a> {
    vars: &'a dyn Fn(&str) -> Option<Value>,
    scope_functions: &'a [&'a str],
    /// References in order of first use.
    pub refs: Vec<String>,
    /// Initial state of each stateful call site.
    pub slots: Vec<fn() -> FnState>,
}

impl<'a> Compiler<'a> {
    pub(crate) fn new(
        vars: &'a dyn Fn(&str) -> Option<Value>,
        scope_functions: &'a [&'a str],
    ) -> Self {
        Compiler {
            vars,
            scope_functions,
            refs: Vec::new(),
            slots: Vec::new(),
        }
    }

    pub(crate) fn compile(&mut self, e: &Expr) -> Result<Compiled, ExprError> {
        let constant = |v: Value| {
            let ty = Some(v.value_type());
            Ok(Compiled {
                node: Node::Const(v),
                ty,
            })
        };
        match &e.kind {
            ExprKind::Int(i) => constant(Value::Int(*i)),
            ExprKind::Float(f) => constant(Value::Float(*f)),
            ExprKind::Duration { ns, .. } => constant(Value::Duration(*ns)),
            ExprKind::Bool(b) => constant(Value::Bool(*b)),
            ExprKind::String { value, .. } => constant(Value::String(SmolStr::new(value))),
            ExprKind::Regex(pattern) => {
                constant(Value::Regex(Arc::new(compile_go_regex(pattern)?)))
            }
            ExprKind::Reference(name) => {
                if !self.refs.iter().any(|r| r == name) {
                    self.refs.push(name.clone());
                }
                let node = if name == "time" {
                    Node::Time
                } else {
                    Node::Ref(SmolStr::new(name))
                };
                Ok(Compiled { node, ty: None })
            }
            ExprKind::Ident(name) => match (self.vars)(name) {
                Some(v) => constant(v),
                None => Err(ExprError::UndefinedName(name.clone())),
            },
            ExprKind::Lambda(inner) => self.compile(inner),
            ExprKind::Unary { op, operand } => self.unary(*op, operand),
            ExprKind::Binary { op, lhs, rhs, .. } => self.binary(*op, lhs, rhs),
            ExprKind::Call { name, args } => self.call(name, args),
            ExprKind::Star => Err(not_evaluable("*ast.StarNode")),
            ExprKind::List(_) => Err(not_evaluable("*ast.ListNode")),
            ExprKind::Chain { .. } => Err(not_evaluable("*ast.ChainNode")),
        }
    }

    fn unary(&mut self, op: UnaryOp, operand: &Expr) -> Result<Compiled, ExprError> {
        let inner = self.compile(operand)?;
        let ty = match (op, inner.ty) {
            (UnaryOp::Neg, Some(t @ (ValueType::Int | ValueType::Float | ValueType::Duration))) => {
                Some(t)
            }
            (UnaryOp::Neg, Some(ty)) => return Err(ExprError::InvalidUnary { op: "-", ty }),
            (UnaryOp::Neg, None) => None,
            (UnaryOp::Not, Some(ValueType::Bool) | None) => Some(ValueType::Bool),
            (UnaryOp::Not, Some(actual)) => {
                return Err(ExprError::TypeGuard {
                    actual,
                    expected: ValueType::Bool,
                });
            }
        };
        let node = match op {
            UnaryOp::Neg => Node::Neg(Box::new(inner.node)),
            UnaryOp::Not => Node::Not(Box::new(inner.node)),
        };
        Ok(fold(Compiled { node, ty }))
    }

    fn binary(&mut self, op: BinaryOp, lhs: &Expr, rhs: &Expr) -> Result<Compiled, ExprError> {
        let l = self.compile(lhs)?;
        let r = self.compile(rhs)?;
        // Kapacitor checks the pair when neither side depends on the point.
        let ty = match (l.ty, r.ty) {
            (Some(lt), Some(rt)) => {
                Some(ops::result_type(op, lt, rt).ok_or_else(|| ops::type_error(op, lt, rt))?)
            }
            _ if ops::is_boolean_op(op) => Some(ValueType::Bool),
            _ => None,
        };
        let node = if matches!(op, BinaryOp::And | BinaryOp::Or) {
            Node::Logical {
                op,
                lhs: Box::new(l.node),
                rhs: Box::new(r.node),
            }
        } else {
            Node::Binary {
                op,
                check_first: needs_type_check(op, &l.node, &r.node),
                lhs: Box::new(l.node),
                rhs: Box::new(r.node),
            }
        };
        Ok(fold(Compiled { node, ty }))
    }

    fn call(&mut self, name: &str, args: &[Expr]) -> Result<Compiled, ExprError> {
        if args.len() > MAX_ARGS {
            return Err(ExprError::Unsupported(format!(
                "too many arguments provided to {name:?}: at most {MAX_ARGS} are accepted"
            )));
        }
        let mut nodes = Vec::with_capacity(args.len());
        for arg in args {
            nodes.push(self.compile(arg)?.node);
        }
        if self.scope_functions.contains(&name) {
            let node = Node::ScopeCall(Box::new(ScopeCall {
                name: SmolStr::new(name),
                args: nodes.into_boxed_slice(),
            }));
            return Ok(Compiled { node, ty: None });
        }
        let def = functions::lookup(name)
            .ok_or_else(|| ExprError::UndefinedFunction(name.to_string()))?;
        let slot = match def.imp {
            Imp::Stateful { init, .. } => {
                self.slots.push(init);
                Some(self.slots.len() - 1)
            }
            Imp::Pure(_) | Imp::Volatile(_) => None,
        };
        let texts = args
            .iter()
            .map(|a| source::format(a, self.vars))
            .collect::<Vec<_>>()
            .into_boxed_slice();
        let node = Node::Call(Box::new(Call {
            def,
            args: nodes.into_boxed_slice(),
            texts,
            slot,
        }));
        Ok(fold(Compiled { node, ty: None }))
    }
}

fn not_evaluable(go_type: &str) -> ExprError {
    ExprError::Unsupported(format!(
        "Given node type is not valid evaluation node: {go_type}"
    ))
}

/// Replaces a node whose operands are all constants by its value. Run-time errors (integer
/// division by zero, a failing conversion) are left for evaluation, as Kapacitor reports them.
fn fold(c: Compiled) -> Compiled {
    let foldable = match &c.node {
        Node::Neg(x) | Node::Not(x) => is_const(x),
        Node::Binary { lhs, rhs, .. } | Node::Logical { lhs, rhs, .. } => {
            is_const(lhs) && is_const(rhs)
        }
        Node::Call(call) => matches!(call.def.imp, Imp::Pure(_)) && call.args.iter().all(is_const),
        _ => false,
    };
    if !foldable {
        return c;
    }
    let scope = MapScope::new();
    let mut cx = Ctx {
        scope: &scope,
        slots: &mut [],
        refs: &[],
    };
    match eval::eval(&c.node, &mut cx) {
        Ok(v) => Compiled {
            ty: Some(v.value_type()),
            node: Node::Const(v),
        },
        Err(_) => c,
    }
}

/// Whether a stateful operand could be called before a type error is found, so both types
/// must be checked first. Not needed when each side has one possible type and the pair is valid.
fn needs_type_check(op: BinaryOp, l: &Node, r: &Node) -> bool {
    if !l.has_state() && !r.has_state() {
        return false;
    }
    match (fixed_type(l), fixed_type(r)) {
        (Some(lt), Some(rt)) => ops::result_type(op, lt, rt).is_none(),
        _ => true,
    }
}

/// The only type a node can produce, when there is one whatever the point holds.
fn fixed_type(n: &Node) -> Option<ValueType> {
    match n {
        Node::Const(v) => Some(v.value_type()),
        Node::Not(_) | Node::Logical { .. } => Some(ValueType::Bool),
        Node::Binary { op, .. } if ops::is_boolean_op(*op) => Some(ValueType::Bool),
        Node::Call(call) => {
            let first = call.def.signatures.first()?.ret;
            call.def
                .signatures
                .iter()
                .all(|s| s.ret == first)
                .then_some(first)
        }
        _ => None,
    }
}

fn is_const(n: &Node) -> bool {
    matches!(n, Node::Const(_))
}
