//! Abstract syntax tree of a TICKscript program.

use std::fmt;

/// Source position. line and char are 1-based. Like Kapacitor (`lex.go: lineNumber`), char
/// is a byte count from the line start, so it equals the character column for ASCII lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// Byte offset into the source.
    pub offset: usize,
    /// 1-based line number.
    pub line: usize,
    /// 1-based character column on the line.
    pub char: usize,
}

impl Pos {
    /// Human description as used in Kapacitor messages: `line X char Y`.
    pub fn describe(&self) -> String {
        format!("line {} char {}", self.line, self.char)
    }
}

/// A parsed TICKscript: its statements in source order.
#[derive(Debug, Clone, PartialEq)]
pub struct Program {
    /// Top-level statements.
    pub statements: Vec<Statement>,
}

/// One top-level statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Statement {
    /// `dbrp "db"."rp"`
    Dbrp {
        /// Database name.
        db: String,
        /// Retention policy name.
        rp: String,
        /// Position of the `dbrp` keyword.
        pos: Pos,
    },
    /// `var name = expr`; `comment` = the comment lines directly above, joined with '\n', without `//`.
    Var {
        /// Variable name.
        name: String,
        /// Assigned value.
        value: Expr,
        /// Comment lines directly above the declaration.
        comment: Option<String>,
        /// Position of the `var` keyword.
        pos: Pos,
    },
    /// `var name type` (template var without value)
    TypeDecl {
        /// Variable name.
        name: String,
        /// Declared type.
        ty: VarType,
        /// Comment lines directly above the declaration.
        comment: Option<String>,
        /// Position of the `var` keyword.
        pos: Pos,
    },
    /// A bare expression statement, usually a pipeline chain.
    Expr(Expr),
}

/// Declared type of a template variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarType {
    /// `int`
    Int,
    /// `float`
    Float,
    /// `bool`
    Bool,
    /// `string`
    String,
    /// `regex`
    Regex,
    /// `duration`
    Duration,
    /// `lambda`
    Lambda,
    /// `list`
    List,
    /// `star`
    Star,
}

/// An expression with its source position.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What the expression is.
    pub kind: ExprKind,
    /// Kapacitor's node position, used in its `line X char Y: ...` messages: the operator
    /// for `Binary` and `Unary`, the `|`/`.`/`@` for `Chain` (its name is at `name_pos`),
    /// the `lambda:` keyword for `Lambda`, the `[` for `List`, else the first token.
    pub pos: Pos,
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// Integer literal: `42`, octal `052`.
    Int(i64),
    /// Float literal: `4.2`, `.5`.
    Float(f64),
    /// Duration literal such as `10s`; `literal` keeps the source text.
    Duration {
        /// Length in nanoseconds.
        ns: i64,
        /// Source text.
        literal: String,
    },
    /// `TRUE` / `FALSE`.
    Bool(bool),
    /// `'a'` or `'''a'''`.
    String {
        /// Unescaped contents.
        value: String,
        /// Whether written with triple quotes.
        triple: bool,
    },
    /// `"field name"` (escapes removed).
    Reference(String),
    /// `/pattern/`: the pattern text with `\/` turned into `/`.
    Regex(String),
    /// `*`
    Star,
    /// A name: a variable reference, or an identifier like `stream`.
    Ident(String),
    /// `[a, 'b', *]`
    List(Vec<Expr>),
    /// `lambda: <expr>`
    Lambda(Box<Expr>),
    /// Prefix operator applied to an operand.
    Unary {
        /// The operator.
        op: UnaryOp,
        /// The operand.
        operand: Box<Expr>,
    },
    /// Infix operator.
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
        /// Whether the source wrapped this operation in parentheses.
        parens: bool,
    },
    /// A function call that is not part of a chain: `time(1m)` at top level, `sigma("x")` inside a lambda.
    Call {
        /// Function name.
        name: String,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// `lhs |name(args)`, `lhs .name(args)`, `lhs @name(args)`; `parens` false for `.name` with no parentheses.
    Chain {
        /// What the chain applies to.
        lhs: Box<Expr>,
        /// `|`, `.` or `@`.
        op: ChainOp,
        /// Method or node name.
        name: String,
        /// Arguments.
        args: Vec<Expr>,
        /// Whether parentheses were written.
        parens: bool,
        /// Position of the name.
        name_pos: Pos,
    },
}

/// Chaining operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainOp {
    /// `|` creates a new node.
    Pipe,
    /// `.` sets a property or calls a method.
    Dot,
    /// `@` calls a user-defined function (UDF).
    At,
}

/// Prefix operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnaryOp {
    /// `-`
    Neg,
    /// `!`
    Not,
}

/// Infix operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `OR`
    Or,
    /// `AND`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `=~`
    RegexEq,
    /// `!~`
    RegexNe,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
}

impl BinaryOp {
    /// The operator as written in TICKscript.
    pub fn as_str(self) -> &'static str {
        match self {
            BinaryOp::Or => "OR",
            BinaryOp::And => "AND",
            BinaryOp::Eq => "==",
            BinaryOp::Ne => "!=",
            BinaryOp::RegexEq => "=~",
            BinaryOp::RegexNe => "!~",
            BinaryOp::Lt => "<",
            BinaryOp::Le => "<=",
            BinaryOp::Gt => ">",
            BinaryOp::Ge => ">=",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
        }
    }
}

impl fmt::Display for BinaryOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl UnaryOp {
    /// The operator as written in TICKscript.
    pub fn as_str(self) -> &'static str {
        match self {
            UnaryOp::Neg => "-",
            UnaryOp::Not => "!",
        }
    }
}

impl fmt::Display for UnaryOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl VarType {
    /// The type name as written in a `var name type` declaration.
    pub fn as_str(self) -> &'static str {
        match self {
            VarType::Int => "int",
            VarType::Float => "float",
            VarType::Bool => "bool",
            VarType::String => "string",
            VarType::Regex => "regex",
            VarType::Duration => "duration",
            VarType::Lambda => "lambda",
            VarType::List => "list",
            VarType::Star => "star",
        }
    }
}

impl fmt::Display for VarType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
