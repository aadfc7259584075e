//! Go-syntax regular expressions on top of the `regex` crate.
//!
//! Go's RE2 dialect and Rust's differ in a few places that change what a pattern matches:
//! `\d \w \s \b` are ASCII-only in Go, `\Q..\E` quotes literally, `[` inside a class is a
//! literal, `{` that does not start a repetition is a literal, and repeat counts stop at
//! 1000. Perl classes and word boundaries are rewritten by span on the parsed syntax tree,
//! never by string search, so escapes and classes cannot be mistaken for one another.

use regex_syntax::ast::{
    self, Assertion, AssertionKind, Ast, ClassPerl, ClassPerlKind, ClassSetItem, Flag,
    FlagsItemKind, GroupKind, HexLiteralKind, LiteralKind, RepetitionKind, RepetitionRange,
};

use crate::error::ExprError;

/// Go's limit on repeat counts (`a{1001}` is an error).
const MAX_REPEAT: u32 = 1000;
/// Go's limit on nesting depth.
const MAX_NESTING: u32 = 1000;

/// Compiles a Go-syntax (RE2) regex with Go semantics: `\d \w \s \b` ASCII-only, `\Q..\E`,
/// Go's limits.
pub fn compile_go_regex(pattern: &str) -> Result<regex::Regex, ExprError> {
    let rust = translate(pattern)?;
    regex::RegexBuilder::new(&rust)
        .nest_limit(MAX_NESTING)
        .octal(true)
        .build()
        .map_err(|e| match e {
            regex::Error::CompiledTooBig(_) => go_error("expression too large", pattern),
            other => ExprError::Regex(other.to_string()),
        })
}

/// Rewrites a Go pattern into an equivalent pattern for the `regex` crate.
pub(crate) fn translate(pattern: &str) -> Result<String, ExprError> {
    let pre = prepass(pattern)?;
    let parsed = ast::parse::ParserBuilder::new()
        .nest_limit(MAX_NESTING)
        .octal(true)
        .build()
        .parse(&pre)
        .map_err(|e| parse_error(&e, &pre))?;
    let mut edits = ast::visit(&parsed, Rewriter::new(&pre))?;
    // Apply from the end so earlier spans stay valid.
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = pre;
    for (start, end, text) in edits {
        out.replace_range(start..end, text);
    }
    Ok(out)
}

fn go_error(code: &str, arg: &str) -> ExprError {
    ExprError::Regex(format!("{code}: `{arg}`"))
}

/// Handles what must be fixed before Rust's parser sees the text: `\Q..\E` quoting, class
/// contents that Rust reads as operators, and braces that Go treats as literals.
fn prepass(pattern: &str) -> Result<String, ExprError> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let Some(&next) = chars.get(i + 1) else {
                    return Err(go_error("trailing backslash at end of expression", ""));
                };
                if next == 'Q' {
                    let rest: String = chars[i + 2..].iter().collect();
                    let (lit, consumed) = match rest.find("\\E") {
                        Some(end) => (&rest[..end], end + 2),
                        None => (rest.as_str(), rest.len()),
                    };
                    out.push_str(&regex::escape(lit));
                    i += 2 + rest[..consumed].chars().count();
                    continue;
                }
                out.push(c);
                out.push(next);
                i += 2;
                // `\p{Greek}` and `\x{41}` carry braces that are not repetitions.
                if matches!(next, 'p' | 'P' | 'x') && chars.get(i) == Some(&'{') {
                    while i < chars.len() {
                        out.push(chars[i]);
                        i += 1;
                        if chars[i - 1] == '}' {
                            break;
                        }
                    }
                }
            }
            '[' => i = copy_class(&chars, i, &mut out),
            '{' => match repetition_len(&chars[i..]) {
                // A well-formed repetition is copied whole so its closing brace stays bare.
                Some(len) => {
                    out.extend(&chars[i..i + len]);
                    i += len;
                }
                None => {
                    out.push_str("\\{");
                    i += 1;
                }
            },
            '}' => {
                out.push_str("\\}");
                i += 1;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

/// Length of `{n}`, `{n,}` or `{n,m}` at the start of `s`, if it is one.
fn repetition_len(s: &[char]) -> Option<usize> {
    let mut i = 1;
    let digits = |i: &mut usize| {
        let start = *i;
        while s.get(*i).is_some_and(char::is_ascii_digit) {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return None;
    }
    if s.get(i) == Some(&',') {
        i += 1;
        digits(&mut i);
    }
    (s.get(i) == Some(&'}')).then_some(i + 1)
}

/// Copies a bracketed class starting at `start`, escaping what Go reads literally but Rust
/// does not (`[` outside `[:name:]`, `&&`, `~~`, `--`). Returns the index after it.
fn copy_class(chars: &[char], start: usize, out: &mut String) -> usize {
    out.push('[');
    let mut i = start + 1;
    if chars.get(i) == Some(&'^') {
        out.push('^');
        i += 1;
    }
    // A `]` first in a class is a literal in Go.
    if chars.get(i) == Some(&']') {
        out.push_str("\\]");
        i += 1;
    }
    while i < chars.len() {
        let c = chars[i];
        match c {
            ']' => {
                out.push(']');
                return i + 1;
            }
            '\\' => {
                out.push(c);
                if let Some(&next) = chars.get(i + 1) {
                    out.push(next);
                }
                i += 2;
            }
            '[' if chars.get(i + 1) == Some(&':') => {
                // Copy `[:name:]` whole; an unterminated one is left for the parser to reject.
                let close = (i + 2..chars.len().saturating_sub(1))
                    .find(|&j| chars[j] == ':' && chars[j + 1] == ']');
                match close {
                    Some(j) => {
                        out.extend(&chars[i..j + 2]);
                        i = j + 2;
                    }
                    None => {
                        out.push_str("\\[");
                        i += 1;
                    }
                }
            }
            '[' | '&' | '~' => {
                out.push('\\');
                out.push(c);
                i += 1;
            }
            '-' if chars.get(i + 1) == Some(&'-') => {
                out.push_str("-\\-");
                i += 2;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    // Unclosed: let the parser report it.
    i
}

/// Maps a parse error to Go's wording.
fn parse_error(e: &ast::Error, pattern: &str) -> ExprError {
    use ast::ErrorKind as K;
    let span = e.span();
    let at = |s: usize, t: usize| pattern.get(s..t).unwrap_or(pattern).to_string();
    // Some errors point at an empty span just before the offending character.
    let here = if span.start.offset == span.end.offset {
        let start = span.start.offset;
        let len = pattern
            .get(start..)
            .and_then(|rest| rest.chars().next())
            .map_or(0, char::len_utf8);
        at(start, start + len)
    } else {
        at(span.start.offset, span.end.offset)
    };
    match e.kind() {
        K::GroupUnclosed => go_error("missing closing )", pattern),
        K::GroupUnopened => go_error("unexpected )", pattern),
        K::ClassUnclosed => go_error("missing closing ]", &at(span.start.offset, pattern.len())),
        K::RepetitionMissing => go_error("missing argument to repetition operator", &here),
        K::RepetitionCountInvalid
        | K::RepetitionCountDecimalEmpty
        | K::RepetitionCountUnclosed
        | K::DecimalInvalid
        | K::DecimalEmpty => go_error("invalid repeat count", &here),
        K::ClassRangeInvalid | K::ClassRangeLiteral => {
            go_error("invalid character class range", &here)
        }
        K::EscapeUnexpectedEof => go_error("trailing backslash at end of expression", ""),
        K::NestLimitExceeded(_) => go_error("expression nests too deeply", pattern),
        K::GroupNameDuplicate { .. } => go_error("duplicate capture group name", &here),
        K::GroupNameEmpty | K::GroupNameInvalid | K::GroupNameUnexpectedEof => {
            go_error("invalid named capture", &here)
        }
        K::UnicodeClassInvalid => go_error("invalid character class range", &here),
        K::FlagDanglingNegation
        | K::FlagDuplicate { .. }
        | K::FlagRepeatedNegation { .. }
        | K::FlagUnexpectedEof
        | K::FlagUnrecognized
        | K::UnsupportedLookAround
        | K::UnsupportedBackreference => go_error("invalid or unsupported Perl syntax", &here),
        _ => go_error("invalid escape sequence", &here),
    }
}

/// Collects span edits for Perl classes and word boundaries, and rejects Rust-only syntax.
struct Rewriter<'a> {
    pattern: &'a str,
    edits: Vec<(usize, usize, &'static str)>,
}

impl<'a> Rewriter<'a> {
    fn new(pattern: &'a str) -> Self {
        Rewriter {
            pattern,
            edits: Vec::new(),
        }
    }

    fn text(&self, span: &ast::Span) -> &'a str {
        self.pattern
            .get(span.start.offset..span.end.offset)
            .unwrap_or(self.pattern)
    }

    fn perl(&mut self, class: &ClassPerl) {
        let text = match (&class.kind, class.negated) {
            (ClassPerlKind::Digit, false) => "[0-9]",
            (ClassPerlKind::Digit, true) => "[^0-9]",
            (ClassPerlKind::Word, false) => "[0-9A-Za-z_]",
            (ClassPerlKind::Word, true) => "[^0-9A-Za-z_]",
            (ClassPerlKind::Space, false) => "[\\t\\n\\f\\r ]",
            (ClassPerlKind::Space, true) => "[^\\t\\n\\f\\r ]",
        };
        self.edits
            .push((class.span.start.offset, class.span.end.offset, text));
    }

    fn assertion(&mut self, a: &Assertion) -> Result<(), ExprError> {
        let text = match a.kind {
            AssertionKind::WordBoundary => "(?-u:\\b)",
            AssertionKind::NotWordBoundary => "(?-u:\\B)",
            AssertionKind::StartLine
            | AssertionKind::EndLine
            | AssertionKind::StartText
            | AssertionKind::EndText => return Ok(()),
            _ => return Err(go_error("invalid escape sequence", self.text(&a.span))),
        };
        self.edits
            .push((a.span.start.offset, a.span.end.offset, text));
        Ok(())
    }

    fn flags(&self, flags: &ast::Flags) -> Result<(), ExprError> {
        for item in &flags.items {
            if let FlagsItemKind::Flag(Flag::Unicode | Flag::CRLF | Flag::IgnoreWhitespace) =
                item.kind
            {
                let end = item.span.end.offset;
                let start = flags.span.start.offset.saturating_sub(2);
                let text = self.pattern.get(start..end).unwrap_or(self.pattern);
                return Err(go_error("invalid or unsupported Perl syntax", text));
            }
        }
        Ok(())
    }

    fn literal(&self, lit: &ast::Literal) -> Result<(), ExprError> {
        match lit.kind {
            LiteralKind::HexFixed(HexLiteralKind::UnicodeShort | HexLiteralKind::UnicodeLong)
            | LiteralKind::HexBrace(HexLiteralKind::UnicodeShort | HexLiteralKind::UnicodeLong) => {
                Err(go_error("invalid escape sequence", self.text(&lit.span)))
            }
            _ => Ok(()),
        }
    }
}

impl ast::Visitor for Rewriter<'_> {
    type Output = Vec<(usize, usize, &'static str)>;
    type Err = ExprError;

    fn finish(self) -> Result<Self::Output, ExprError> {
        Ok(self.edits)
    }

    fn visit_pre(&mut self, node: &Ast) -> Result<(), ExprError> {
        match node {
            Ast::ClassPerl(c) => self.perl(c),
            Ast::Assertion(a) => self.assertion(a)?,
            Ast::Flags(f) => self.flags(&f.flags)?,
            Ast::Group(g) => {
                if let GroupKind::NonCapturing(flags) = &g.kind {
                    self.flags(flags)?;
                }
            }
            Ast::Literal(lit) => self.literal(lit)?,
            Ast::Repetition(rep) => {
                if let RepetitionKind::Range(range) = &rep.op.kind {
                    let (lo, hi) = match *range {
                        RepetitionRange::Exactly(n) => (n, n),
                        RepetitionRange::AtLeast(n) => (n, n),
                        RepetitionRange::Bounded(m, n) => (m, n),
                    };
                    if lo > MAX_REPEAT || hi > MAX_REPEAT {
                        return Err(go_error("invalid repeat count", self.text(&rep.op.span)));
                    }
                }
                if let Ast::Repetition(inner) = rep.ast.as_ref() {
                    let text = format!("{}{}", self.text(&inner.op.span), self.text(&rep.op.span));
                    return Err(go_error("invalid nested repetition operator", &text));
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn visit_class_set_item_pre(&mut self, item: &ClassSetItem) -> Result<(), ExprError> {
        match item {
            ClassSetItem::Perl(c) => self.perl(c),
            ClassSetItem::Literal(lit) => self.literal(lit)?,
            ClassSetItem::Range(r) => {
                self.literal(&r.start)?;
                self.literal(&r.end)?;
            }
            _ => {}
        }
        Ok(())
    }
}
