//! Token kinds produced by the lexer and their Kapacitor display names.

/// Kind of a lexical token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A lexing failure; the token text holds the message.
    Error,
    /// End of input.
    Eof,
    /// `var`
    Var,
    /// `dbrp`
    Dbrp,
    /// `=`
    Asgn,
    /// `.`
    Dot,
    /// `|`
    Pipe,
    /// `@`
    At,
    /// A name.
    Ident,
    /// `"..."`
    Reference,
    /// `lambda:`
    Lambda,
    /// Integer or float literal.
    Number,
    /// `'...'` or `'''...'''`
    String,
    /// Duration literal such as `10s`.
    Duration,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LSBracket,
    /// `]`
    RSBracket,
    /// `,`
    Comma,
    /// `!`
    Not,
    /// `TRUE`
    True,
    /// `FALSE`
    False,
    /// `/.../`
    Regex,
    /// `// ...` (consecutive lines merged).
    Comment,
    /// `*` where an operand is expected.
    Star,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*` after an operand.
    Mult,
    /// `/` after an operand.
    Div,
    /// `%`
    Mod,
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `==`
    Equal,
    /// `!=`
    NotEqual,
    /// `<`
    Less,
    /// `>`
    Greater,
    /// `<=`
    LessEqual,
    /// `>=`
    GreaterEqual,
    /// `=~`
    RegexEqual,
    /// `!~`
    RegexNotEqual,
}

impl TokenKind {
    /// The name Kapacitor prints for this token kind in parser errors.
    pub fn as_str(self) -> &'static str {
        match self {
            TokenKind::Error => "ERR",
            TokenKind::Eof => "EOF",
            TokenKind::Var => "var",
            TokenKind::Dbrp => "dbrp",
            TokenKind::Asgn => "=",
            TokenKind::Dot => ".",
            TokenKind::Pipe => "|",
            TokenKind::At => "@",
            TokenKind::Ident => "identifier",
            TokenKind::Reference => "reference",
            TokenKind::Lambda => "lambda",
            TokenKind::Number => "number",
            TokenKind::String => "string",
            TokenKind::Duration => "duration",
            TokenKind::LParen => "(",
            TokenKind::RParen => ")",
            TokenKind::LSBracket => "[",
            TokenKind::RSBracket => "]",
            TokenKind::Comma => ",",
            TokenKind::Not => "!",
            TokenKind::True => "TRUE",
            TokenKind::False => "FALSE",
            TokenKind::Regex => "regex",
            TokenKind::Comment => "//",
            TokenKind::Star => "*",
            TokenKind::Plus => "+",
            TokenKind::Minus => "-",
            TokenKind::Mult => "*",
            TokenKind::Div => "/",
            TokenKind::Mod => "%",
            TokenKind::And => "AND",
            TokenKind::Or => "OR",
            TokenKind::Equal => "==",
            TokenKind::NotEqual => "!=",
            TokenKind::Less => "<",
            TokenKind::Greater => ">",
            TokenKind::LessEqual => "<=",
            TokenKind::GreaterEqual => ">=",
            TokenKind::RegexEqual => "=~",
            TokenKind::RegexNotEqual => "!~",
        }
    }

    /// Whether this is an infix operator of lambda expressions.
    pub fn is_expr_operator(self) -> bool {
        self.precedence().is_some()
    }

    /// Binding strength of an infix operator (higher binds tighter), `None` for non-operators.
    pub fn precedence(self) -> Option<u8> {
        Some(match self {
            TokenKind::Or => 0,
            TokenKind::And => 1,
            TokenKind::Equal
            | TokenKind::NotEqual
            | TokenKind::RegexEqual
            | TokenKind::RegexNotEqual => 2,
            TokenKind::Greater
            | TokenKind::GreaterEqual
            | TokenKind::Less
            | TokenKind::LessEqual => 3,
            TokenKind::Plus | TokenKind::Minus => 4,
            TokenKind::Mult | TokenKind::Div | TokenKind::Mod => 5,
            _ => return None,
        })
    }
}

impl std::fmt::Display for TokenKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One token: its kind, byte offset and text (for `Error`, the message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    /// Kind of token.
    pub kind: TokenKind,
    /// Byte offset of the first character.
    pub pos: usize,
    /// Source text of the token, or the message of an `Error` token.
    pub text: std::borrow::Cow<'a, str>,
}
