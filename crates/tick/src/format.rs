//! TICKscript formatter reproducing Kapacitor's `tickfmt` layout (4-space indents,
//! one chain call per line, properties indented one step deeper than nodes).

use crate::ast::{ChainOp, Expr, ExprKind, Program, Statement};
use crate::parser::{Comment, Extras};

const STEP: &str = "    ";

/// Writes TICKscript text; `extras` and `src` add comments and octal spelling when known.
pub(crate) struct Formatter<'x> {
    out: String,
    extras: Option<&'x Extras>,
    src: Option<&'x str>,
    /// Where the last comment ended, until real text follows it.
    comment_end: Option<usize>,
}

/// Rebuilds comment blocks from a description joined with `\n`: two empty lines in a row
/// stand for the break between blocks.
fn comment_from_text(text: &str) -> Comment {
    let mut lines = Vec::new();
    let parts: Vec<&str> = text.split('\n').collect();
    let mut i = 0;
    while i < parts.len() {
        if parts[i].is_empty() && parts.get(i + 1).is_some_and(|p| p.is_empty()) && i > 0 {
            lines.push("\n".to_string());
            i += 2;
            continue;
        }
        lines.push(parts[i].to_string());
        i += 1;
    }
    Comment { lines }
}

fn escape(value: &str, quote: char) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    for c in value.chars() {
        if c == quote {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Go's `strconv.FormatFloat(f, 'f', -1, 64)` plus the `.0` Kapacitor adds to whole numbers.
fn format_float(f: f64) -> String {
    let mut s = format!("{f}");
    if !s.contains('.') && f.is_finite() {
        s.push_str(".0");
    }
    s
}

impl<'x> Formatter<'x> {
    pub fn new(extras: Option<&'x Extras>, src: Option<&'x str>) -> Formatter<'x> {
        Formatter {
            out: String::new(),
            extras,
            src,
            comment_end: None,
        }
    }

    pub fn finish(self) -> String {
        self.out
    }

    fn comment(&self, offset: usize) -> Option<&'x Comment> {
        self.extras.and_then(|x| x.comments.get(&offset))
    }

    /// Appends text. A line starting with `/` right after a comment would be lexed as part
    /// of the comment, so a blank line is put between them.
    fn write(&mut self, s: &str) {
        let Some(first) = s.chars().find(|c| *c != ' ') else {
            self.out.push_str(s);
            return;
        };
        if let Some(end) = self.comment_end.take()
            && first == '/'
            && self.out[end..].chars().all(|c| c == ' ')
        {
            self.out.insert(end, '\n');
        }
        self.out.push_str(s);
    }

    fn write_comment(&mut self, c: &Comment, indent: &str, on_new_line: bool) {
        self.comment_end = None;
        if !on_new_line {
            self.out.push('\n');
        }
        for line in &c.lines {
            if line == "\n" {
                self.out.push('\n');
                continue;
            }
            self.out.push_str(indent);
            self.out.push_str("//");
            if !line.is_empty() {
                self.out.push(' ');
                self.out.push_str(line);
            }
            self.out.push('\n');
        }
        self.comment_end = Some(self.out.len());
    }

    fn write_indent(&mut self, indent: &str, on_new_line: bool) {
        if on_new_line {
            self.out.push_str(indent);
        }
    }

    /// Writes the comment attached at `offset` if any; returns the new "on new line" state.
    fn leading_comment(&mut self, offset: usize, indent: &str, on_new_line: bool) -> bool {
        match self.comment(offset) {
            Some(c) => {
                self.write_comment(c, indent, on_new_line);
                true
            }
            None => on_new_line,
        }
    }

    pub fn program(&mut self, program: &Program) {
        let trailing: &[Comment] = self.extras.map(|x| x.trailing.as_slice()).unwrap_or(&[]);
        let count = program.statements.len() + trailing.len();
        for i in 0..count {
            if i != 0 {
                self.out.push('\n');
            }
            match program.statements.get(i) {
                Some(statement) => self.statement(statement),
                None => {
                    if let Some(c) = trailing.get(i - program.statements.len()) {
                        self.write_comment(c, "", true);
                    }
                }
            }
            self.out.push('\n');
        }
    }

    fn var_comment(&mut self, offset: usize, text: Option<&String>) {
        if self.extras.is_some() {
            if let Some(c) = self.comment(offset) {
                self.write_comment(c, "", true);
            }
        } else if let Some(text) = text {
            let c = comment_from_text(text);
            self.write_comment(&c, "", true);
        }
    }

    fn statement(&mut self, statement: &Statement) {
        match statement {
            Statement::Dbrp { db, rp, pos } => {
                self.leading_comment(pos.offset, "", true);
                self.out.push_str("dbrp \"");
                self.out.push_str(&escape(db, '"'));
                self.out.push_str("\".\"");
                self.out.push_str(&escape(rp, '"'));
                self.out.push('"');
            }
            Statement::Var {
                name,
                value,
                comment,
                pos,
            } => {
                self.var_comment(pos.offset, comment.as_ref());
                self.out.push_str("var ");
                self.out.push_str(name);
                self.out.push_str(" = ");
                self.expr(value, "", false);
            }
            Statement::TypeDecl {
                name,
                ty,
                comment,
                pos,
            } => {
                self.var_comment(pos.offset, comment.as_ref());
                self.out.push_str("var ");
                self.out.push_str(name);
                self.out.push(' ');
                self.out.push_str(ty.as_str());
            }
            Statement::Expr(e) => self.expr(e, "", true),
        }
    }

    fn function(
        &mut self,
        name: &str,
        args: &[Expr],
        name_offset: usize,
        name_line: usize,
        indent: &str,
        on_new_line: bool,
    ) {
        let on_new_line = self.leading_comment(name_offset, indent, on_new_line);
        self.write_indent(indent, on_new_line);
        self.out.push_str(name);
        self.out.push('(');
        let multi_line = args.last().is_some_and(|a| a.pos.line != name_line);
        let arg_indent = format!("{indent}{STEP}");
        for (i, arg) in args.iter().enumerate() {
            if i != 0 {
                self.out.push(',');
                if !multi_line {
                    self.out.push(' ');
                }
            }
            if multi_line {
                self.out.push('\n');
            }
            self.expr(arg, &arg_indent, multi_line);
        }
        if multi_line {
            self.out.push('\n');
            self.out.push_str(indent);
        }
        self.out.push(')');
    }

    /// A leaf written as `text` after its comment and indentation.
    fn leaf(&mut self, offset: usize, text: &str, indent: &str, on_new_line: bool) {
        let on_new_line = self.leading_comment(offset, indent, on_new_line);
        self.write_indent(indent, on_new_line);
        self.write(text);
    }

    fn is_octal(&self, offset: usize) -> bool {
        self.src.is_some_and(|s| {
            let b = s.as_bytes();
            b.get(offset) == Some(&b'0') && b.get(offset + 1).is_some_and(u8::is_ascii_digit)
        })
    }

    pub fn expr(&mut self, e: &Expr, indent: &str, on_new_line: bool) {
        let offset = e.pos.offset;
        match &e.kind {
            ExprKind::Chain {
                lhs,
                op,
                name,
                args,
                parens,
                name_pos,
            } => {
                self.expr(lhs, indent, on_new_line);
                self.out.push('\n');
                let mut inner = format!("{indent}{STEP}");
                if *op == ChainOp::Dot {
                    inner.push_str(STEP);
                }
                if let Some(c) = self.comment(offset) {
                    self.write_comment(c, &inner, true);
                }
                self.out.push_str(&inner);
                self.out.push_str(match op {
                    ChainOp::Pipe => "|",
                    ChainOp::Dot => ".",
                    ChainOp::At => "@",
                });
                if *parens {
                    self.function(name, args, name_pos.offset, name_pos.line, &inner, false);
                } else {
                    self.leaf(name_pos.offset, name, &inner, false);
                }
            }
            ExprKind::Call { name, args } => {
                self.function(name, args, offset, e.pos.line, indent, on_new_line);
            }
            ExprKind::Binary {
                op,
                lhs,
                rhs,
                parens,
            } => {
                let on_new_line = self.leading_comment(offset, indent, on_new_line);
                self.write_indent(indent, on_new_line);
                let mut inner = indent.to_string();
                if *parens {
                    self.out.push('(');
                    inner.push_str(STEP);
                }
                self.expr(lhs, &inner, false);
                self.out.push(' ');
                self.out.push_str(op.as_str());
                let multi_line = lhs.pos.line != rhs.pos.line;
                self.out.push(if multi_line { '\n' } else { ' ' });
                self.expr(rhs, &inner, multi_line);
                if *parens {
                    self.out.push(')');
                }
            }
            ExprKind::Unary { op, operand } => {
                let on_new_line = self.leading_comment(offset, indent, on_new_line);
                self.write_indent(indent, on_new_line);
                self.out.push_str(op.as_str());
                self.expr(operand, indent, false);
            }
            ExprKind::Lambda(inner) => {
                let on_new_line = self.leading_comment(offset, indent, on_new_line);
                self.write_indent(indent, on_new_line);
                self.out.push_str("lambda: ");
                self.expr(inner, indent, false);
            }
            ExprKind::List(items) => {
                let on_new_line = self.leading_comment(offset, indent, on_new_line);
                self.write_indent(indent, on_new_line);
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i != 0 {
                        self.out.push_str(", ");
                    }
                    self.expr(item, indent, on_new_line);
                }
                self.out.push(']');
            }
            ExprKind::Int(v) => {
                let text = if self.is_octal(offset) {
                    format!("0{v:o}")
                } else {
                    v.to_string()
                };
                self.leaf(offset, &text, indent, on_new_line);
            }
            ExprKind::Float(f) => self.leaf(offset, &format_float(*f), indent, on_new_line),
            ExprKind::Duration { literal, .. } => self.leaf(offset, literal, indent, on_new_line),
            ExprKind::Bool(b) => {
                self.leaf(
                    offset,
                    if *b { "TRUE" } else { "FALSE" },
                    indent,
                    on_new_line,
                );
            }
            ExprKind::String { value, triple } => {
                let text = if *triple {
                    format!("'''{value}'''")
                } else {
                    format!("'{}'", escape(value, '\''))
                };
                self.leaf(offset, &text, indent, on_new_line);
            }
            ExprKind::Reference(name) => {
                let text = format!("\"{}\"", escape(name, '"'));
                self.leaf(offset, &text, indent, on_new_line);
            }
            ExprKind::Regex(pattern) => {
                let text = format!("/{}/", escape(pattern, '/'));
                self.leaf(offset, &text, indent, on_new_line);
            }
            ExprKind::Star => self.leaf(offset, "*", indent, on_new_line),
            ExprKind::Ident(name) => self.leaf(offset, name, indent, on_new_line),
        }
    }
}
