//! Values on the evaluator's stack and values supplied for template vars.

use kapa_tick::ast::Expr;

/// A value produced while evaluating a script.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    /// A pipeline node, by id.
    Node(usize),
    /// An alert handler of an alert node (properties fall through to the node).
    Handler {
        node: usize,
        handler: usize,
    },
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    /// A double-quoted reference, kept to give the "double quotes" hint.
    Reference(String),
    Duration(i64),
    Regex(String),
    /// A lambda body with script vars already substituted.
    Lambda(Expr),
    Star,
    List(Vec<Val>),
    /// `time(d[, offset])` used in a query's groupBy.
    TimeDim {
        every: i64,
        offset: i64,
    },
}

impl Val {
    /// Kapacitor's name of the value's type, for messages.
    pub(crate) fn type_name(&self) -> &'static str {
        match self {
            Val::Node(_) | Val::Handler { .. } => "node",
            Val::Int(_) => "int",
            Val::Float(_) => "float",
            Val::Bool(_) => "bool",
            Val::Str(_) => "string",
            Val::Reference(_) => "reference",
            Val::Duration(_) => "duration",
            Val::Regex(_) => "regex",
            Val::Lambda(_) => "lambda",
            Val::Star => "star",
            Val::List(_) => "list",
            Val::TimeDim { .. } => "time dimension",
        }
    }
}

/// A value supplied for a script var (template tasks, `vars` in the API).
#[derive(Debug, Clone, PartialEq)]
pub enum VarValue {
    /// int
    Int(i64),
    /// float
    Float(f64),
    /// bool
    Bool(bool),
    /// string
    String(String),
    /// regex (pattern)
    Regex(String),
    /// duration in ns
    Duration(i64),
    /// lambda expression text (without `lambda:`)
    Lambda(String),
    /// list of strings or stars
    List(Vec<VarValue>),
    /// star
    Star,
}
