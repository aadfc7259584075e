//! TICKscript lexer, parser, AST and diagnostics.

pub mod ast;
mod error;

pub use ast::{BinaryOp, ChainOp, Expr, ExprKind, Pos, Program, Statement, UnaryOp, VarType};
pub use error::ParseError;

/// Parses a TICKscript program.
pub fn parse(_src: &str) -> Result<Program, ParseError> {
    Err(ParseError {
        line: 1,
        char: 1,
        message: "parser: not implemented yet".to_string(),
    })
}
