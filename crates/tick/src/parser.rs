//! Recursive-descent parser producing the AST, with Kapacitor's two-token lookahead,
//! comment attachment and error texts.

use std::collections::HashMap;

use crate::ast::{BinaryOp, ChainOp, Expr, ExprKind, Pos, Program, Statement, UnaryOp, VarType};
use crate::error::ParseError;
use crate::lexer::lex;
use crate::literal;
use crate::quote::quote_str;
use crate::token::{Token, TokenKind};

/// How deeply parentheses, unary operators and call arguments may nest while parsing.
const MAX_RECURSION: usize = 200;
/// Deepest expression tree accepted, so consumers can walk and drop trees recursively.
const MAX_TREE_DEPTH: usize = 1000;

/// A block of `//` comment lines as Kapacitor keeps it: one entry per line without `//`,
/// and a `"\n"` entry between blocks separated by blank lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Comment {
    pub lines: Vec<String>,
}

impl Comment {
    fn new(tokens: &[&str]) -> Comment {
        let mut lines = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            if i != 0 {
                lines.push("\n".to_string());
            }
            for line in token.split('\n') {
                let line = line.trim();
                if line.is_empty() {
                    continue;
                }
                let line = line.strip_prefix("//").unwrap_or(line);
                let line = line.strip_prefix(' ').unwrap_or(line);
                lines.push(line.to_string());
            }
        }
        Comment { lines }
    }

    /// The text a template var description shows: lines joined with newlines.
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

/// What the AST does not hold but the formatter needs: comments keyed by the byte offset of
/// the token they precede, and comments left at the end of the script.
#[derive(Debug, Default)]
pub(crate) struct Extras {
    pub comments: HashMap<usize, Comment>,
    pub trailing: Vec<Comment>,
}

/// An expression under construction with the depth of its tree.
struct Node {
    expr: Expr,
    depth: usize,
}

struct Parser<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
    tokens: std::vec::IntoIter<Token<'a>>,
    token: [Token<'a>; 2],
    comments: [Option<Comment>; 2],
    peek_count: usize,
    recursion: usize,
    extras: Extras,
}

fn blank_token<'a>() -> Token<'a> {
    Token {
        kind: TokenKind::Error,
        pos: 0,
        text: "".into(),
    }
}

/// Parses a whole program and returns it with its comments.
pub(crate) fn parse_program(text: &str) -> Result<(Program, Extras), ParseError> {
    let mut p = Parser::new(text);
    let program = p.program()?;
    p.expect(TokenKind::Eof)?;
    Ok((program, p.extras))
}

/// Parses the expression of a lambda given without its `lambda:` keyword.
pub(crate) fn parse_lambda(text: &str) -> Result<Expr, ParseError> {
    let mut p = Parser::new(text);
    let inner = p.primary_expr()?;
    p.expect(TokenKind::Eof)?;
    Ok(Expr {
        kind: ExprKind::Lambda(Box::new(inner.expr)),
        pos: p.position(0),
    })
}

impl<'a> Parser<'a> {
    fn new(text: &'a str) -> Parser<'a> {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Parser {
            text,
            line_starts,
            tokens: lex(text).into_iter(),
            token: [blank_token(), blank_token()],
            comments: [None, None],
            peek_count: 0,
            recursion: 0,
            extras: Extras::default(),
        }
    }

    /// Line and column like Kapacitor: 1-based, the column counted in bytes.
    fn position(&self, offset: usize) -> Pos {
        let idx = self.line_starts.partition_point(|&s| s <= offset).max(1) - 1;
        let start = self.line_starts.get(idx).copied().unwrap_or(0);
        Pos {
            offset,
            line: idx + 1,
            char: offset - start + 1,
        }
    }

    // ---- token stream -------------------------------------------------------------

    /// Reads the next token, gathering the comments before it into one block.
    fn next_token(&mut self) -> (Token<'a>, Option<Comment>) {
        // Past the end Kapacitor's closed channel yields a zero token, i.e. an empty error.
        let mut tok = self.tokens.next().unwrap_or_else(blank_token);
        let mut texts: Vec<Token<'a>> = Vec::new();
        while tok.kind == TokenKind::Comment {
            texts.push(tok);
            tok = self.tokens.next().unwrap_or_else(blank_token);
        }
        let comment = if texts.is_empty() {
            None
        } else {
            let refs: Vec<&str> = texts.iter().map(|t| t.text.as_ref()).collect();
            Some(Comment::new(&refs))
        };
        (tok, comment)
    }

    fn next(&mut self) -> Token<'a> {
        if self.peek_count > 0 {
            self.peek_count -= 1;
        } else {
            let (tok, comment) = self.next_token();
            self.token[0] = tok;
            self.comments[0] = comment;
        }
        self.token[self.peek_count].clone()
    }

    fn backup(&mut self) {
        self.peek_count += 1;
    }

    fn peek(&mut self) -> Token<'a> {
        if self.peek_count > 0 {
            return self.token[self.peek_count - 1].clone();
        }
        self.peek_count = 1;
        let (tok, comment) = self.next_token();
        self.token[1] = std::mem::replace(&mut self.token[0], tok);
        self.comments[1] = std::mem::replace(&mut self.comments[0], comment);
        self.token[0].clone()
    }

    fn peek_kind(&mut self) -> TokenKind {
        self.peek().kind
    }

    /// Takes the comment that preceded the most recently read token.
    fn consume_comment(&mut self) -> Option<Comment> {
        self.comments
            .get_mut(self.peek_count)
            .and_then(Option::take)
    }

    fn attach(&mut self, offset: usize, comment: Option<Comment>) {
        if let Some(c) = comment {
            self.extras.comments.insert(offset, c);
        }
    }

    // ---- errors -------------------------------------------------------------------

    fn unexpected(&self, tok: &Token<'_>, expected: &[TokenKind]) -> ParseError {
        const CONTEXT: usize = 10;
        let bytes = self.text.as_bytes();
        let at = tok.pos.min(bytes.len());
        let mut start = at.saturating_sub(CONTEXT);
        if let Some(i) = bytes[start..at].iter().rposition(|&b| b == b'\n') {
            start += i + 1;
        }
        let mut stop = (at + CONTEXT).min(bytes.len());
        if let Some(i) = bytes[at..stop].iter().position(|&b| b == b'\n') {
            stop = at + i;
        }
        let context = String::from_utf8_lossy(&bytes[start..stop]);
        let pos = self.position(at);
        let expected: Vec<String> = expected
            .iter()
            .map(|k| format!("\"{}\"", k.as_str()))
            .collect();
        let found = if tok.kind == TokenKind::Error {
            tok.text.as_ref()
        } else {
            tok.kind.as_str()
        };
        ParseError {
            line: pos.line,
            char: pos.char,
            message: format!(
                "parser: unexpected {found} line {} char {} in \"{context}\". expected: {}",
                pos.line,
                pos.char,
                expected.join(",")
            ),
        }
    }

    fn error_at(&self, offset: usize, message: String) -> ParseError {
        let pos = self.position(offset);
        ParseError {
            line: pos.line,
            char: pos.char,
            message: format!("parser: {message}"),
        }
    }

    fn expect(&mut self, kind: TokenKind) -> Result<Token<'a>, ParseError> {
        let tok = self.next();
        if tok.kind != kind {
            return Err(self.unexpected(&tok, &[kind]));
        }
        Ok(tok)
    }

    fn enter(&mut self, offset: usize) -> Result<(), ParseError> {
        self.recursion += 1;
        if self.recursion > MAX_RECURSION {
            return Err(self.error_at(
                offset,
                format!(
                    "expression nested too deeply at {}",
                    self.position(offset).describe()
                ),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.recursion = self.recursion.saturating_sub(1);
    }

    fn node(&self, kind: ExprKind, offset: usize, child_depth: usize) -> Result<Node, ParseError> {
        let depth = child_depth + 1;
        if depth > MAX_TREE_DEPTH {
            return Err(self.error_at(
                offset,
                format!(
                    "expression nested too deeply at {}",
                    self.position(offset).describe()
                ),
            ));
        }
        Ok(Node {
            expr: Expr {
                kind,
                pos: self.position(offset),
            },
            depth,
        })
    }

    // ---- statements ---------------------------------------------------------------

    fn program(&mut self) -> Result<Program, ParseError> {
        let mut statements = Vec::new();
        loop {
            if self.peek_kind() == TokenKind::Eof {
                for slot in [1, 0] {
                    if let Some(c) = self.comments[slot].take() {
                        self.extras.trailing.push(c);
                    }
                }
                return Ok(Program { statements });
            }
            statements.push(self.statement()?);
        }
    }

    fn statement(&mut self) -> Result<Statement, ParseError> {
        match self.peek_kind() {
            TokenKind::Var => self.declaration(),
            TokenKind::Dbrp => self.dbrp(),
            _ => Ok(Statement::Expr(self.expression()?.expr)),
        }
    }

    fn dbrp(&mut self) -> Result<Statement, ParseError> {
        let tok = self.expect(TokenKind::Dbrp)?;
        let comment = self.consume_comment();
        self.attach(tok.pos, comment);
        let db = self.reference_text()?;
        self.expect(TokenKind::Dot)?;
        let rp = self.reference_text()?;
        Ok(Statement::Dbrp {
            db,
            rp,
            pos: self.position(tok.pos),
        })
    }

    fn reference_text(&mut self) -> Result<String, ParseError> {
        let tok = self.expect(TokenKind::Reference)?;
        let comment = self.consume_comment();
        self.attach(tok.pos, comment);
        Ok(literal::reference(&tok.text))
    }

    fn declaration(&mut self) -> Result<Statement, ParseError> {
        let var = self.expect(TokenKind::Var)?;
        let comment = self.consume_comment();
        let description = comment.as_ref().map(Comment::text);
        self.attach(var.pos, comment);
        let (name, _) = self.identifier()?;
        let pos = self.position(var.pos);
        if self.peek_kind() == TokenKind::Asgn {
            self.expect(TokenKind::Asgn)?;
            let value = self.expression()?.expr;
            return Ok(Statement::Var {
                name,
                value,
                comment: description,
                pos,
            });
        }
        let (type_name, type_pos) = self.identifier()?;
        let ty = match type_name.as_str() {
            "int" => VarType::Int,
            "float" => VarType::Float,
            "bool" => VarType::Bool,
            "string" => VarType::String,
            "regex" => VarType::Regex,
            "duration" => VarType::Duration,
            "lambda" => VarType::Lambda,
            "list" => VarType::List,
            "star" => VarType::Star,
            _ => {
                // Kapacitor reports this while evaluating, without a position or prefix.
                return Err(ParseError {
                    line: type_pos.line,
                    char: type_pos.char,
                    message: format!("invalid var type {}", quote_str(&type_name)),
                });
            }
        };
        Ok(Statement::TypeDecl {
            name,
            ty,
            comment: description,
            pos,
        })
    }

    // ---- chains and top-level expressions --------------------------------------------

    fn expression(&mut self) -> Result<Node, ParseError> {
        let tok = self.peek();
        self.enter(tok.pos)?;
        let result = self.expression_inner(&tok);
        self.leave();
        result
    }

    fn expression_inner(&mut self, tok: &Token<'a>) -> Result<Node, ParseError> {
        match tok.kind {
            TokenKind::Ident => {
                self.next();
                match self.peek_kind() {
                    TokenKind::LParen => {
                        self.backup();
                        let (name, name_pos, args, depth) = self.function()?;
                        let term = self.node(ExprKind::Call { name, args }, name_pos, depth)?;
                        match self.peek_kind() {
                            TokenKind::Dot
                            | TokenKind::Pipe
                            | TokenKind::At
                            | TokenKind::Var
                            | TokenKind::Ident => self.chain(term),
                            _ => self.precedence(term, 0),
                        }
                    }
                    TokenKind::Dot
                    | TokenKind::At
                    | TokenKind::Pipe
                    | TokenKind::Var
                    | TokenKind::Ident => {
                        self.backup();
                        let term = self.identifier_node()?;
                        self.chain(term)
                    }
                    _ => {
                        self.backup();
                        self.primary_expr()
                    }
                }
            }
            TokenKind::Lambda => self.lambda(),
            TokenKind::LSBracket => self.string_list(),
            _ => self.primary_expr(),
        }
    }

    /// `|`, `.` and `@` chains, left-associative.
    fn chain(&mut self, lhs: Node) -> Result<Node, ParseError> {
        let mut lhs = lhs;
        loop {
            let op = match self.peek_kind() {
                TokenKind::Dot => ChainOp::Dot,
                TokenKind::Pipe => ChainOp::Pipe,
                TokenKind::At => ChainOp::At,
                _ => return Ok(lhs),
            };
            let op_tok = self.next();
            let comment = self.consume_comment();
            self.attach(op_tok.pos, comment);
            self.next();
            let with_parens = op == ChainOp::Pipe || self.peek_kind() == TokenKind::LParen;
            self.backup();
            let (name, name_offset, args, args_depth) = if with_parens {
                self.function()?
            } else {
                let tok = self.expect(TokenKind::Ident)?;
                let comment = self.consume_comment();
                self.attach(tok.pos, comment);
                (tok.text.into_owned(), tok.pos, Vec::new(), 0)
            };
            let depth = lhs.depth.max(args_depth);
            let kind = ExprKind::Chain {
                lhs: Box::new(lhs.expr),
                op,
                name,
                args,
                parens: with_parens,
                name_pos: self.position(name_offset),
            };
            lhs = self.node(kind, op_tok.pos, depth)?;
        }
    }

    /// `name(args)` outside lambdas; returns name, its offset, the args and their depth.
    fn function(&mut self) -> Result<(String, usize, Vec<Expr>, usize), ParseError> {
        let ident = self.expect(TokenKind::Ident)?;
        let comment = self.consume_comment();
        self.attach(ident.pos, comment);
        self.expect(TokenKind::LParen)?;
        let mut args = Vec::new();
        let mut depth = 0;
        loop {
            if self.peek_kind() == TokenKind::RParen {
                break;
            }
            let arg = self.expression()?;
            depth = depth.max(arg.depth);
            args.push(arg.expr);
            if self.next().kind != TokenKind::Comma {
                self.backup();
                break;
            }
        }
        self.expect(TokenKind::RParen)?;
        Ok((ident.text.into_owned(), ident.pos, args, depth))
    }

    fn identifier(&mut self) -> Result<(String, Pos), ParseError> {
        let tok = self.expect(TokenKind::Ident)?;
        let comment = self.consume_comment();
        self.attach(tok.pos, comment);
        Ok((tok.text.into_owned(), self.position(tok.pos)))
    }

    fn identifier_node(&mut self) -> Result<Node, ParseError> {
        let (name, pos) = self.identifier()?;
        self.node(ExprKind::Ident(name), pos.offset, 0)
    }

    fn string_list(&mut self) -> Result<Node, ParseError> {
        let open = self.expect(TokenKind::LSBracket)?;
        let comment = self.consume_comment();
        self.attach(open.pos, comment);
        let mut items = Vec::new();
        loop {
            if self.peek_kind() == TokenKind::RSBracket {
                break;
            }
            let tok = self.peek();
            let item = match tok.kind {
                TokenKind::Ident => self.identifier_node()?,
                TokenKind::String => self.string()?,
                TokenKind::Star => self.star()?,
                _ => {
                    return Err(self.unexpected(
                        &tok,
                        &[TokenKind::Ident, TokenKind::String, TokenKind::Star],
                    ));
                }
            };
            items.push(item.expr);
            if self.next().kind != TokenKind::Comma {
                self.backup();
                break;
            }
        }
        self.expect(TokenKind::RSBracket)?;
        self.node(ExprKind::List(items), open.pos, 1)
    }

    fn lambda(&mut self) -> Result<Node, ParseError> {
        let tok = self.next();
        let comment = self.consume_comment();
        self.attach(tok.pos, comment);
        let inner = self.primary_expr()?;
        self.node(ExprKind::Lambda(Box::new(inner.expr)), tok.pos, inner.depth)
    }

    // ---- lambda expressions ---------------------------------------------------------

    fn primary_expr(&mut self) -> Result<Node, ParseError> {
        let lhs = self.primary()?;
        self.precedence(lhs, 0)
    }

    /// Precedence climbing; every level is left-associative.
    fn precedence(&mut self, lhs: Node, min_prec: u8) -> Result<Node, ParseError> {
        let mut lhs = lhs;
        let mut look = self.peek_kind();
        while let Some(prec) = look.precedence().filter(|&p| p >= min_prec) {
            let op_tok = self.next();
            let comment = self.consume_comment();
            let mut rhs = self.primary()?;
            look = self.peek_kind();
            while let Some(next_prec) = look.precedence().filter(|&p| p > prec) {
                rhs = self.precedence(rhs, next_prec)?;
                look = self.peek_kind();
            }
            self.attach(op_tok.pos, comment);
            let depth = lhs.depth.max(rhs.depth);
            let kind = ExprKind::Binary {
                op: binary_op(op_tok.kind),
                lhs: Box::new(lhs.expr),
                rhs: Box::new(rhs.expr),
                parens: false,
            };
            lhs = self.node(kind, op_tok.pos, depth)?;
        }
        Ok(lhs)
    }

    fn primary(&mut self) -> Result<Node, ParseError> {
        let tok = self.peek();
        self.enter(tok.pos)?;
        let result = self.primary_inner(&tok);
        self.leave();
        result
    }

    fn primary_inner(&mut self, tok: &Token<'a>) -> Result<Node, ParseError> {
        match tok.kind {
            TokenKind::LParen => {
                self.next();
                let comment = self.consume_comment();
                let mut inner = self.primary_expr()?;
                if let ExprKind::Binary { parens, .. } = &mut inner.expr.kind {
                    *parens = true;
                }
                // The comment before `(` replaces the inner node's own, even when absent.
                match comment {
                    Some(c) => {
                        self.extras.comments.insert(inner.expr.pos.offset, c);
                    }
                    None => {
                        self.extras.comments.remove(&inner.expr.pos.offset);
                    }
                }
                self.expect(TokenKind::RParen)?;
                Ok(inner)
            }
            TokenKind::Number => {
                let tok = self.expect(TokenKind::Number)?;
                let comment = self.consume_comment();
                let kind = literal::number(&tok.text).map_err(|m| self.error_at(tok.pos, m))?;
                self.attach(tok.pos, comment);
                self.node(kind, tok.pos, 0)
            }
            TokenKind::String => self.string(),
            TokenKind::True | TokenKind::False => {
                let tok = self.next();
                let comment = self.consume_comment();
                self.attach(tok.pos, comment);
                self.node(ExprKind::Bool(tok.kind == TokenKind::True), tok.pos, 0)
            }
            TokenKind::Duration => {
                let tok = self.expect(TokenKind::Duration)?;
                let comment = self.consume_comment();
                let ns = literal::duration(&tok.text).map_err(|m| self.error_at(tok.pos, m))?;
                self.attach(tok.pos, comment);
                let kind = ExprKind::Duration {
                    ns,
                    literal: tok.text.into_owned(),
                };
                self.node(kind, tok.pos, 0)
            }
            TokenKind::Regex => {
                let tok = self.expect(TokenKind::Regex)?;
                let comment = self.consume_comment();
                self.attach(tok.pos, comment);
                self.node(ExprKind::Regex(literal::regex(&tok.text)), tok.pos, 0)
            }
            TokenKind::Star => self.star(),
            TokenKind::Reference => {
                let tok = self.expect(TokenKind::Reference)?;
                let comment = self.consume_comment();
                self.attach(tok.pos, comment);
                self.node(
                    ExprKind::Reference(literal::reference(&tok.text)),
                    tok.pos,
                    0,
                )
            }
            TokenKind::Ident => {
                self.next();
                let call = self.peek_kind() == TokenKind::LParen;
                self.backup();
                if call {
                    self.lambda_function()
                } else {
                    self.identifier_node()
                }
            }
            TokenKind::Minus | TokenKind::Not => {
                self.next();
                let operand = self.primary()?;
                // Kapacitor takes the comment only after parsing the operand.
                let comment = self.consume_comment();
                self.attach(tok.pos, comment);
                let op = if tok.kind == TokenKind::Minus {
                    UnaryOp::Neg
                } else {
                    UnaryOp::Not
                };
                let kind = ExprKind::Unary {
                    op,
                    operand: Box::new(operand.expr),
                };
                self.node(kind, tok.pos, operand.depth)
            }
            _ => Err(self.unexpected(
                tok,
                &[
                    TokenKind::Number,
                    TokenKind::String,
                    TokenKind::Duration,
                    TokenKind::Ident,
                    TokenKind::True,
                    TokenKind::False,
                    TokenKind::Equal,
                    TokenKind::LParen,
                    TokenKind::Minus,
                    TokenKind::Not,
                ],
            )),
        }
    }

    /// A call inside a lambda: arguments are operator expressions, not chains or lambdas.
    fn lambda_function(&mut self) -> Result<Node, ParseError> {
        let ident = self.expect(TokenKind::Ident)?;
        self.expect(TokenKind::LParen)?;
        let mut args = Vec::new();
        let mut depth = 0;
        loop {
            if self.peek_kind() == TokenKind::RParen {
                break;
            }
            let mut arg = self.primary()?;
            if self.peek_kind().is_expr_operator() {
                arg = self.precedence(arg, 0)?;
            }
            depth = depth.max(arg.depth);
            args.push(arg.expr);
            if self.next().kind != TokenKind::Comma {
                self.backup();
                break;
            }
        }
        self.expect(TokenKind::RParen)?;
        let kind = ExprKind::Call {
            name: ident.text.into_owned(),
            args,
        };
        self.node(kind, ident.pos, depth)
    }

    fn string(&mut self) -> Result<Node, ParseError> {
        let tok = self.expect(TokenKind::String)?;
        let comment = self.consume_comment();
        self.attach(tok.pos, comment);
        let (value, triple) = literal::string(&tok.text);
        self.node(ExprKind::String { value, triple }, tok.pos, 0)
    }

    fn star(&mut self) -> Result<Node, ParseError> {
        let tok = self.expect(TokenKind::Star)?;
        let comment = self.consume_comment();
        self.attach(tok.pos, comment);
        self.node(ExprKind::Star, tok.pos, 0)
    }
}

fn binary_op(kind: TokenKind) -> BinaryOp {
    match kind {
        TokenKind::Or => BinaryOp::Or,
        TokenKind::And => BinaryOp::And,
        TokenKind::Equal => BinaryOp::Eq,
        TokenKind::NotEqual => BinaryOp::Ne,
        TokenKind::RegexEqual => BinaryOp::RegexEq,
        TokenKind::RegexNotEqual => BinaryOp::RegexNe,
        TokenKind::Less => BinaryOp::Lt,
        TokenKind::LessEqual => BinaryOp::Le,
        TokenKind::Greater => BinaryOp::Gt,
        TokenKind::GreaterEqual => BinaryOp::Ge,
        TokenKind::Plus => BinaryOp::Add,
        TokenKind::Minus => BinaryOp::Sub,
        TokenKind::Mult => BinaryOp::Mul,
        TokenKind::Div => BinaryOp::Div,
        // Only called for tokens whose precedence() is Some; Mod is the last of them.
        _ => BinaryOp::Mod,
    }
}
