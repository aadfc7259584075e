//! The crate's error type. Texts follow Kapacitor's so users see familiar messages.

use smol_str::SmolStr;

use crate::value::ValueType;

/// Everything that can go wrong while compiling or evaluating a lambda.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ExprError {
    /// An operator applied to a pair of types it is not defined for.
    #[error(
        "mismatched type to binary operator. got {left} {op} {right}. see bool(), int(), float(), string(), duration()"
    )]
    MismatchedTypes {
        /// Type of the left operand.
        left: ValueType,
        /// The operator as written.
        op: &'static str,
        /// Type of the right operand.
        right: ValueType,
    },
    /// An operator that no pair containing this type supports.
    #[error("invalid {kind} operator {op} for type {ty}")]
    InvalidOperator {
        /// `math`, `comparison` or `logical`.
        kind: &'static str,
        /// The operator as written.
        op: &'static str,
        /// The offending type.
        ty: ValueType,
    },
    /// A comparison or logical operand that reads a field or tag the point does not have.
    #[error("{side} reference value \"{name}\" is missing value")]
    MissingReference {
        /// `left` or `right`.
        side: &'static str,
        /// The reference name.
        name: SmolStr,
    },
    /// A prefix operator applied to a type it is not defined for.
    #[error("invalid unary operator {op} for type {ty}")]
    InvalidUnary {
        /// `-` or `!`.
        op: &'static str,
        /// The operand type.
        ty: ValueType,
    },
    /// A point has a field and a tag with the same name as a reference.
    #[error("cannot have field and tags with same name {0:?}")]
    FieldTagConflict(SmolStr),
    /// A call to a function that does not exist.
    #[error("undefined function: {0:?}")]
    UndefinedFunction(String),
    /// An identifier that is no script var.
    #[error("name {0:?} is undefined")]
    UndefinedName(String),
    /// Arguments whose types match none of the function's signatures.
    #[error(
        "Cannot call function \"{name}\" with args {args}, available signatures are {signatures}."
    )]
    WrongSignature {
        /// Function name.
        name: &'static str,
        /// The arguments with their types, e.g. `("x": int)`.
        args: String,
        /// Every accepted signature, e.g. `[(float)]`.
        signatures: String,
    },
    /// Arguments that read fields or tags the point does not have.
    #[error("{}", missing_args_text(name, args, scope))]
    MissingArguments {
        /// Function name.
        name: &'static str,
        /// The missing arguments as written, e.g. `"x"`.
        args: Vec<String>,
        /// The other references the lambda reads.
        scope: Vec<String>,
    },
    /// Evaluating a function's argument failed.
    #[error("Failed to handle {index} argument: {source}")]
    Argument {
        /// 1-based argument position.
        index: usize,
        /// What went wrong.
        source: Box<ExprError>,
    },
    /// A function failed while running.
    #[error("error calling {name:?}: {message}")]
    Call {
        /// Function name.
        name: &'static str,
        /// What went wrong.
        message: String,
    },
    /// Integer `/` or `%` with a zero divisor.
    #[error("runtime error: integer divide by zero")]
    DivideByZero,
    /// The expression produced a value of another type than the caller asked for.
    #[error("TypeGuard: expression returned unexpected type {actual}, expected {expected}")]
    TypeGuard {
        /// Type produced.
        actual: ValueType,
        /// Type requested.
        expected: ValueType,
    },
    /// A regular expression that does not compile with Go's syntax rules.
    #[error("error parsing regexp: {0}")]
    Regex(String),
    /// An expression form that has no meaning inside a lambda.
    #[error("{0}")]
    Unsupported(String),
    /// An error raised by a [`crate::Scope`] implementation.
    #[error("{0}")]
    Scope(String),
}

fn missing_args_text(name: &str, args: &[String], scope: &[String]) -> String {
    let scope: Vec<&str> = scope
        .iter()
        .map(String::as_str)
        .filter(|s| !args.iter().any(|a| a.trim_matches('"') == *s))
        .collect();
    if args.len() > 1 {
        format!(
            "Cannot call function \"{name}\" arguments {} are missing, values in scope are [{}]",
            args.join(", "),
            scope.join(", ")
        )
    } else {
        format!(
            "Cannot call function \"{name}\" argument {} is missing, values in scope are [{}]",
            args.join(", "),
            scope.join(", ")
        )
    }
}
