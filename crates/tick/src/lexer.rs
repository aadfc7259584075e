//! Context-sensitive TICKscript lexer.
//!
//! Like Kapacitor's, it is a small state machine: after an operand it first tries binary
//! operators (so `/` is division there), elsewhere a `/` starts a regex, and after `=`, `=~`
//! or `!~` a following `/` starts a regex as well.

use std::borrow::Cow;

use crate::quote::quote_rune;
use crate::token::{Token, TokenKind};

/// Lexes the whole input. The result always ends with an `Eof` or an `Error` token.
pub fn lex(input: &str) -> Vec<Token<'_>> {
    let mut lexer = Lexer {
        input,
        start: 0,
        pos: 0,
        width: 0,
        tokens: Vec::new(),
    };
    let mut state = State::Token;
    while state != State::Done {
        state = lexer.step(state);
    }
    lexer.tokens
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Token,
    TryBinary,
    NumberOrDurationOrDot,
    IdentOrKeyword,
    Reference,
    SingleOrTripleString,
    Regex,
    Comment,
    Done,
}

struct Lexer<'a> {
    input: &'a str,
    start: usize,
    pos: usize,
    width: usize,
    tokens: Vec<Token<'a>>,
}

const DURATION_UNITS: &[char] = &['u', 'µ', 's', 'm', 'h', 'd', 'w'];

/// Go's `unicode.IsDigit`, approximated by Rust's numeric class beyond ASCII.
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric())
}

fn is_letter(c: char) -> bool {
    c.is_alphabetic()
}

fn is_ident_char(c: char) -> bool {
    is_digit(c) || is_letter(c) || c == '_'
}

fn is_space(c: Option<char>) -> bool {
    c.is_some_and(char::is_whitespace)
}

fn keyword(word: &str) -> Option<TokenKind> {
    Some(match word {
        "AND" => TokenKind::And,
        "OR" => TokenKind::Or,
        "TRUE" => TokenKind::True,
        "FALSE" => TokenKind::False,
        "var" => TokenKind::Var,
        "dbrp" => TokenKind::Dbrp,
        "lambda" => TokenKind::Lambda,
        _ => return None,
    })
}

impl<'a> Lexer<'a> {
    fn next(&mut self) -> Option<char> {
        match self.input[self.pos..].chars().next() {
            None => {
                self.width = 0;
                None
            }
            Some(c) => {
                self.width = c.len_utf8();
                self.pos += self.width;
                Some(c)
            }
        }
    }

    fn backup(&mut self) {
        self.pos -= self.width;
    }

    fn peek(&mut self) -> Option<char> {
        let c = self.next();
        self.backup();
        c
    }

    fn ignore(&mut self) {
        self.start = self.pos;
    }

    fn ignore_space(&mut self) {
        while is_space(self.next()) {
            self.ignore();
        }
        self.backup();
    }

    fn emit(&mut self, kind: TokenKind) {
        self.tokens.push(Token {
            kind,
            pos: self.start,
            text: Cow::Borrowed(&self.input[self.start..self.pos]),
        });
        self.start = self.pos;
    }

    fn error(&mut self, message: String) -> State {
        self.tokens.push(Token {
            kind: TokenKind::Error,
            pos: self.start,
            text: Cow::Owned(message),
        });
        State::Done
    }

    fn step(&mut self, state: State) -> State {
        match state {
            State::Token => self.lex_token(),
            State::TryBinary => self.try_binary(),
            State::NumberOrDurationOrDot => self.number_or_duration_or_dot(),
            State::IdentOrKeyword => self.ident_or_keyword(),
            State::Reference => self.reference(),
            State::SingleOrTripleString => self.string(),
            State::Regex => self.regex(),
            State::Comment => self.comment(),
            State::Done => State::Done,
        }
    }

    fn lex_token(&mut self) -> State {
        loop {
            let Some(r) = self.next() else {
                self.emit(TokenKind::Eof);
                return State::Done;
            };
            match r {
                '-' => {
                    self.emit(TokenKind::Minus);
                    return State::Token;
                }
                '!' => {
                    self.emit(TokenKind::Not);
                    return State::Token;
                }
                '.' => {
                    self.backup();
                    return State::NumberOrDurationOrDot;
                }
                c if is_digit(c) => {
                    self.backup();
                    return State::NumberOrDurationOrDot;
                }
                c if is_letter(c) => return State::IdentOrKeyword,
                '"' => return State::Reference,
                '\'' => {
                    self.backup();
                    return State::SingleOrTripleString;
                }
                c if c.is_whitespace() => self.ignore(),
                '(' => {
                    self.emit(TokenKind::LParen);
                    return State::Token;
                }
                ')' => {
                    self.emit(TokenKind::RParen);
                    return State::TryBinary;
                }
                '[' => {
                    self.emit(TokenKind::LSBracket);
                    return State::Token;
                }
                ']' => {
                    self.emit(TokenKind::RSBracket);
                    return State::Token;
                }
                '|' => {
                    self.emit(TokenKind::Pipe);
                    return State::Token;
                }
                '@' => {
                    self.emit(TokenKind::At);
                    return State::Token;
                }
                ',' => {
                    self.emit(TokenKind::Comma);
                    return State::Token;
                }
                '*' => {
                    self.emit(TokenKind::Star);
                    return State::Token;
                }
                '/' => {
                    // Back up over the `/` itself, not over the peeked character: they may
                    // differ in width (Kapacitor panics on `/é` for that reason).
                    let slash = self.pos - 1;
                    let comment = self.peek() == Some('/');
                    self.pos = slash;
                    return if comment {
                        State::Comment
                    } else {
                        State::Regex
                    };
                }
                other => {
                    return self.error(format!("unknown state, last char: {}", quote_rune(other)));
                }
            }
        }
    }

    /// After an operand: binary operators take priority over other meanings of their chars.
    fn try_binary(&mut self) -> State {
        self.ignore_space();
        match self.next() {
            Some('+') => self.emit(TokenKind::Plus),
            Some('-') => self.emit(TokenKind::Minus),
            Some('*') => self.emit(TokenKind::Mult),
            Some('%') => self.emit(TokenKind::Mod),
            Some('/') => {
                if self.peek() == Some('/') {
                    self.backup();
                    return State::Comment;
                }
                self.emit(TokenKind::Div);
            }
            Some('!') => {
                let kind = match self.peek() {
                    Some('=') => {
                        self.next();
                        TokenKind::NotEqual
                    }
                    Some('~') => {
                        self.next();
                        TokenKind::RegexNotEqual
                    }
                    _ => TokenKind::Not,
                };
                self.emit(kind);
                if kind == TokenKind::RegexNotEqual {
                    return self.regex_if_slash();
                }
            }
            Some(c @ ('>' | '<')) => {
                let or_equal = self.peek() == Some('=');
                if or_equal {
                    self.next();
                }
                self.emit(match (c, or_equal) {
                    ('>', false) => TokenKind::Greater,
                    ('>', true) => TokenKind::GreaterEqual,
                    (_, false) => TokenKind::Less,
                    (_, true) => TokenKind::LessEqual,
                });
            }
            Some('=') => match self.peek() {
                Some('~') => {
                    self.next();
                    self.emit(TokenKind::RegexEqual);
                    return self.regex_if_slash();
                }
                Some('=') => {
                    self.next();
                    self.emit(TokenKind::Equal);
                }
                _ => {
                    self.emit(TokenKind::Asgn);
                    return self.regex_if_slash();
                }
            },
            _ => self.backup(),
        }
        State::Token
    }

    fn regex_if_slash(&mut self) -> State {
        self.ignore_space();
        if self.peek() == Some('/') {
            State::Regex
        } else {
            State::Token
        }
    }

    fn ident_or_keyword(&mut self) -> State {
        loop {
            match self.next() {
                Some(c) if is_ident_char(c) => {}
                _ => {
                    self.backup();
                    match keyword(&self.input[self.start..self.pos]) {
                        // `lambda` is a keyword only when `:` follows immediately.
                        Some(TokenKind::Lambda) => {
                            if self.next() == Some(':') {
                                self.emit(TokenKind::Lambda);
                            } else {
                                self.backup();
                                self.emit(TokenKind::Ident);
                            }
                        }
                        Some(kind) => self.emit(kind),
                        None => self.emit(TokenKind::Ident),
                    }
                    return State::TryBinary;
                }
            }
        }
    }

    fn number_or_duration_or_dot(&mut self) -> State {
        let mut found_decimal = false;
        let mut first = true;
        loop {
            let r = self.next();
            match r {
                Some('.') => {
                    if first && !self.peek().is_some_and(is_digit) {
                        self.emit(TokenKind::Dot);
                        return State::Token;
                    }
                    if found_decimal {
                        return self.error("multiple decimals in number".to_string());
                    }
                    found_decimal = true;
                }
                Some(c) if is_digit(c) => {}
                Some(c) if !found_decimal && DURATION_UNITS.contains(&c) => {
                    if c == 'm' && self.peek() == Some('s') {
                        self.next();
                    }
                    self.emit(TokenKind::Duration);
                    return State::TryBinary;
                }
                _ => {
                    self.backup();
                    self.emit(TokenKind::Number);
                    return State::TryBinary;
                }
            }
            first = false;
        }
    }

    fn reference(&mut self) -> State {
        loop {
            match self.next() {
                Some('\\') => {
                    if self.peek() == Some('"') {
                        self.next();
                    }
                }
                Some('"') => {
                    self.emit(TokenKind::Reference);
                    return State::TryBinary;
                }
                None => return self.error("unterminated field reference".to_string()),
                Some(_) => {}
            }
        }
    }

    fn string(&mut self) -> State {
        // The opening quote was backed up, so the first char is always `'`.
        if self.next() != Some('\'') {
            return self.error("unterminated string".to_string());
        }
        let mut count = 1;
        if self.peek() == Some('\'') {
            count += 1;
            self.next();
            if self.peek() == Some('\'') {
                count += 1;
                self.next();
            } else {
                self.emit(TokenKind::String);
                return State::TryBinary;
            }
        }
        // `count` is the number of closing quotes still needed.
        let total = count;
        loop {
            match self.next() {
                Some('\\') if count == 1 => {
                    if self.peek() == Some('\'') {
                        self.next();
                    }
                }
                Some('\'') => {
                    count -= 1;
                    if count == 0 {
                        self.emit(TokenKind::String);
                        return State::TryBinary;
                    }
                }
                None => return self.error("unterminated string".to_string()),
                Some(_) => count = total,
            }
        }
    }

    fn regex(&mut self) -> State {
        match self.next() {
            Some('/') => {}
            other => {
                let shown = other.unwrap_or('\u{FFFD}');
                return self.error(format!("unexpected \"{shown}\" expected \"/\""));
            }
        }
        loop {
            match self.next() {
                Some('\\') => {
                    if self.peek() == Some('/') {
                        self.next();
                    }
                }
                Some('/') => {
                    self.emit(TokenKind::Regex);
                    return State::Token;
                }
                None => return self.error("unterminated regex".to_string()),
                Some(_) => {}
            }
        }
    }

    fn comment(&mut self) -> State {
        if self.peek() == Some('/') {
            self.next();
        } else {
            return self.error("invalid character '/'".to_string());
        }
        loop {
            match self.next() {
                Some('\n') => {
                    // A following line that starts with `/` (after blanks) continues the comment.
                    let mut n = self.next();
                    while n != Some('\n') && is_space(n) {
                        n = self.next();
                    }
                    if n == Some('/') {
                        continue;
                    }
                    self.backup();
                    self.emit(TokenKind::Comment);
                    return State::Token;
                }
                None => {
                    self.emit(TokenKind::Comment);
                    return State::Token;
                }
                Some(_) => {}
            }
        }
    }
}
