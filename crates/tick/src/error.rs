//! Parse and lex errors.

/// A TICKscript lexing or parsing failure, with its position.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// 1-based line of the error.
    pub line: usize,
    /// 1-based character column of the error.
    pub char: usize,
    /// Full message, formatted as Kapacitor does.
    pub message: String,
}
