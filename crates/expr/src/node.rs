//! The compiled form of an expression: a tree with functions resolved and constants folded.

use kapa_tick::ast::BinaryOp;
use smol_str::SmolStr;

use crate::functions::FunctionDef;
use crate::value::Value;

/// One compiled expression node.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    /// A literal, a substituted var, or a folded constant subexpression.
    Const(Value),
    /// A double-quoted reference read from the scope.
    Ref(SmolStr),
    /// The `"time"` reference.
    Time,
    /// Unary `-`.
    Neg(Box<Node>),
    /// Unary `!`.
    Not(Box<Node>),
    /// Comparison or arithmetic.
    Binary {
        op: BinaryOp,
        lhs: Box<Node>,
        rhs: Box<Node>,
        /// An operand calls a stateful function: check both types before calling anything,
        /// as Kapacitor does, so a type error does not advance the function's state.
        check_first: bool,
    },
    /// `AND` / `OR`. The right side is not looked at when the left decides: Kapacitor
    /// type-checks it anyway, which makes `isPresent("x") AND f("x")` fail on a missing "x".
    Logical {
        op: BinaryOp,
        lhs: Box<Node>,
        rhs: Box<Node>,
    },
    /// A built-in function call.
    Call(Box<Call>),
    /// A function the scope provides (see [`crate::Scope::call`]).
    ScopeCall(Box<ScopeCall>),
}

/// A resolved built-in call.
#[derive(Debug, Clone)]
pub(crate) struct Call {
    pub def: &'static FunctionDef,
    pub args: Box<[Node]>,
    /// Arguments as written, for error messages.
    pub texts: Box<[String]>,
    /// Index into the state's slots for stateful functions.
    pub slot: Option<usize>,
}

/// A call to a function supplied by the scope.
#[derive(Debug, Clone)]
pub(crate) struct ScopeCall {
    pub name: SmolStr,
    pub args: Box<[Node]>,
}

impl Node {
    /// Whether evaluating the node can change lambda state.
    pub(crate) fn has_state(&self) -> bool {
        match self {
            Node::Const(_) | Node::Ref(_) | Node::Time => false,
            Node::Neg(x) | Node::Not(x) => x.has_state(),
            Node::Binary { lhs, rhs, .. } | Node::Logical { lhs, rhs, .. } => {
                lhs.has_state() || rhs.has_state()
            }
            Node::Call(c) => c.slot.is_some() || c.args.iter().any(Node::has_state),
            Node::ScopeCall(c) => c.args.iter().any(Node::has_state),
        }
    }
}
