//! TICKscript lexer, parser, AST, formatter and diagnostics.
//!
//! Behaviour follows Kapacitor 1.8's `tick/ast` package: the same tokens (including the
//! context-sensitive regex lexing), the same grammar and the same error texts, e.g.
//! `parser: unexpected EOF line 4 char 9 in "var b = ". expected: "number",...`.
//! Positions are those Kapacitor reports: 1-based lines, columns counted in bytes.

pub mod ast;
mod error;
mod format;
mod lexer;
mod literal;
mod parser;
mod quote;
pub mod token;

pub use ast::{BinaryOp, ChainOp, Expr, ExprKind, Pos, Program, Statement, UnaryOp, VarType};
pub use error::ParseError;
pub use token::{Token, TokenKind};

/// Parses a TICKscript program.
pub fn parse(src: &str) -> Result<Program, ParseError> {
    parser::parse_program(src).map(|(program, _)| program)
}

/// Parses a lambda expression given without its `lambda:` keyword (as template vars of
/// type lambda hold it); returns an `ExprKind::Lambda` positioned at the start.
pub fn parse_lambda(src: &str) -> Result<Expr, ParseError> {
    parser::parse_lambda(src)
}

/// Splits a script into tokens, ending with `Eof` or with an `Error` token holding the message.
pub fn lex(src: &str) -> Vec<Token<'_>> {
    lexer::lex(src)
}

/// Formats a program in Kapacitor's `tickfmt` layout. Only var comments survive, since the
/// AST keeps no others; use [`format_script`] to keep every comment.
pub fn format(program: &Program) -> String {
    let mut f = format::Formatter::new(None, None);
    f.program(program);
    f.finish()
}

/// Parses and formats a script like `tickfmt`, keeping comments and octal literals.
pub fn format_script(src: &str) -> Result<String, ParseError> {
    let (program, extras) = parser::parse_program(src)?;
    let mut f = format::Formatter::new(Some(&extras), Some(src));
    f.program(&program);
    Ok(f.finish())
}

/// Formats one expression on a single logical line, e.g. a lambda's body: `"value" > 10`.
pub fn format_expr(expr: &Expr) -> String {
    let mut f = format::Formatter::new(None, None);
    f.expr(expr, "", false);
    f.finish()
}
