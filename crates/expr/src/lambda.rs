//! Compiled lambdas and their per-group state.

use kapa_tick::ast::Expr;

use crate::compile::Compiler;
use crate::error::ExprError;
use crate::eval::{Ctx, eval};
use crate::functions::FnState;
use crate::node::Node;
use crate::scope::{MapScope, Scope};
use crate::source;
use crate::value::{Value, ValueType};

/// A compiled lambda expression: immutable, `Send + Sync`, cheap to share in an `Arc`.
/// Stateful functions keep their state in a separate [`LambdaState`].
#[derive(Debug, Clone)]
pub struct Lambda {
    root: Node,
    references: Vec<String>,
    source: String,
    slots: Vec<fn() -> FnState>,
    static_type: Option<ValueType>,
}

/// Per-group instances of the stateful functions (`sigma`, `count`, `spread`, `rand`) of one
/// [`Lambda`]. Kapacitor gives every group its own copy.
#[derive(Debug, Clone, PartialEq)]
pub struct LambdaState {
    slots: Vec<FnState>,
}

impl LambdaState {
    /// Returns every stateful function to its initial state (Kapacitor's `Reset`).
    pub fn reset(&mut self) {
        for slot in &mut self.slots {
            slot.reset();
        }
    }

    /// Makes `rand()` deterministic, for tests and reproducible replays.
    pub fn seed_rand(&mut self, seed: u64) {
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if let FnState::Rand(s) = slot {
                *s = seed.wrapping_add(i as u64);
            }
        }
    }
}

impl Lambda {
    /// `body` is the expression inside `lambda:`. `vars` resolves identifiers to the values of
    /// script vars (Kapacitor substitutes them when the lambda is defined); an unknown
    /// identifier is an error.
    pub fn compile(body: &Expr, vars: &dyn Fn(&str) -> Option<Value>) -> Result<Lambda, ExprError> {
        Lambda::compile_with_scope_functions(body, vars, &[])
    }

    /// Like [`Lambda::compile`], with extra function names that the scope implements through
    /// [`Scope::call`] (topic-handler match expressions use `level()`, `changed()`, ...).
    /// These names take precedence over built-ins.
    pub fn compile_with_scope_functions(
        body: &Expr,
        vars: &dyn Fn(&str) -> Option<Value>,
        scope_functions: &[&str],
    ) -> Result<Lambda, ExprError> {
        let mut compiler = Compiler::new(vars, scope_functions);
        let compiled = compiler.compile(body)?;
        Ok(Lambda {
            root: compiled.node,
            references: compiler.refs,
            source: source::format(body, vars),
            slots: compiler.slots,
            static_type: compiled.ty,
        })
    }

    /// A fresh state for one group.
    pub fn new_state(&self) -> LambdaState {
        LambdaState {
            slots: self.slots.iter().map(|init| init()).collect(),
        }
    }

    /// Evaluates the lambda against a scope. A lambda that is just a missing reference
    /// returns [`Value::Missing`]; callers decide whether that is an error.
    pub fn eval(&self, scope: &dyn Scope, state: &mut LambdaState) -> Result<Value, ExprError> {
        let mut cx = Ctx {
            scope,
            slots: &mut state.slots,
            refs: &self.references,
        };
        eval(&self.root, &mut cx).map_err(|e| *e)
    }

    /// Evaluates the lambda as a predicate; a non-boolean result is an error.
    pub fn eval_bool(&self, scope: &dyn Scope, state: &mut LambdaState) -> Result<bool, ExprError> {
        let mut cx = Ctx {
            scope,
            slots: &mut state.slots,
            refs: &self.references,
        };
        match eval(&self.root, &mut cx) {
            Ok(Value::Bool(b)) => Ok(b),
            Err(e) => Err(*e),
            Ok(other) => Err(ExprError::TypeGuard {
                actual: other.value_type(),
                expected: ValueType::Bool,
            }),
        }
    }

    /// The references (`"field"` names) it reads, in order of first use.
    pub fn references(&self) -> Vec<String> {
        self.references.clone()
    }

    /// A canonical text of the expression, for DOT/JSON (vars shown as their values).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The result type when it is known without a point (e.g. `bool` for comparisons).
    pub fn static_type(&self) -> Option<ValueType> {
        self.static_type
    }

    /// Whether the lambda uses stateful functions, so callers need one state per group.
    pub fn is_stateful(&self) -> bool {
        !self.slots.is_empty()
    }
}

/// Evaluates an expression with no references (e.g. `var p = 10s * 2` outside a lambda).
pub fn eval_const(expr: &Expr, vars: &dyn Fn(&str) -> Option<Value>) -> Result<Value, ExprError> {
    let lambda = Lambda::compile(expr, vars)?;
    if let Some(name) = lambda.references.first() {
        return Err(ExprError::Unsupported(format!(
            "reference \"{name}\" can only be used inside a lambda expression"
        )));
    }
    let mut state = lambda.new_state();
    lambda.eval(&MapScope::new(), &mut state)
}

/// Two lambdas are equal when their canonical texts are: vars are already substituted, so
/// the text determines the behaviour.
impl PartialEq for Lambda {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}
