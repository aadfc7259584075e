//! Recursive-descent parser for one InfluxQL SELECT statement.

use super::ast::{Expr, Field, Fill, Select, SortField, Source, precedence};
use super::lexer::{Tok, lex};
use crate::InfluxError;

/// Nesting limit, so crafted input cannot overflow the stack.
const MAX_DEPTH: usize = 200;

/// Parses a query string into its statements (only SELECT statements are understood).
pub(crate) fn parse_statements(src: &str) -> Result<Vec<Statement>, InfluxError> {
    let toks = lex(src)?;
    let mut p = Parser {
        toks,
        pos: 0,
        len: src.len(),
        depth: 0,
    };
    let mut out = Vec::new();
    loop {
        while p.eat_op(";") {}
        if p.peek().is_none() {
            break;
        }
        match p.peek() {
            Some(Tok::Keyword("SELECT")) => out.push(Statement::Select(Box::new(p.select()?))),
            _ => {
                // Anything else is kept as text up to the next `;`.
                while p.peek().is_some() && !matches!(p.peek(), Some(Tok::Op(";"))) {
                    p.pos += 1;
                }
                out.push(Statement::Other);
            }
        }
        if p.peek().is_some() && !p.eat_op(";") {
            return Err(p.unexpected("EOF"));
        }
    }
    Ok(out)
}

/// A parsed statement.
#[derive(Debug)]
pub(crate) enum Statement {
    /// A SELECT.
    Select(Box<Select>),
    /// Another statement (SHOW, CREATE...), skipped.
    Other,
}

struct Parser {
    toks: Vec<(usize, Tok)>,
    pos: usize,
    len: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.1)
    }

    fn offset(&self) -> usize {
        self.toks.get(self.pos).map(|t| t.0).unwrap_or(self.len)
    }

    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).map(|t| t.1.clone());
        self.pos += 1;
        t
    }

    fn eat_op(&mut self, op: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Op(o)) if *o == op) {
            self.pos += 1;
            return true;
        }
        false
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Keyword(k)) if *k == kw) {
            self.pos += 1;
            return true;
        }
        false
    }

    fn describe(t: Option<&Tok>) -> String {
        match t {
            None => "EOF".into(),
            Some(Tok::Ident(s, _)) => s.clone(),
            Some(Tok::Keyword(k)) => (*k).to_string(),
            Some(Tok::Str(s)) => format!("'{s}'"),
            Some(Tok::Int(i)) => i.to_string(),
            Some(Tok::Num(n)) => n.to_string(),
            Some(Tok::Duration(d)) => kapa_models::duration::format_influxql(*d),
            Some(Tok::Regex(r)) => format!("/{r}/"),
            Some(Tok::Param(p)) => format!("${p}"),
            Some(Tok::Op(o)) => (*o).to_string(),
        }
    }

    /// InfluxQL's `found X, expected Y at line 1, char N`.
    fn unexpected(&self, expected: &str) -> InfluxError {
        InfluxError::Parse(format!(
            "found {}, expected {expected} at line 1, char {}",
            Self::describe(self.peek()),
            self.offset() + 1
        ))
    }

    fn expect_kw(&mut self, kw: &str) -> Result<(), InfluxError> {
        if self.eat_kw(kw) {
            return Ok(());
        }
        Err(self.unexpected(kw))
    }

    fn ident(&mut self) -> Result<String, InfluxError> {
        match self.peek() {
            Some(Tok::Ident(s, _)) => {
                let s = s.clone();
                self.pos += 1;
                Ok(s)
            }
            _ => Err(self.unexpected("identifier")),
        }
    }

    fn int(&mut self, what: &str) -> Result<i64, InfluxError> {
        match self.peek() {
            Some(Tok::Int(i)) if *i >= 0 => {
                let i = *i;
                self.pos += 1;
                Ok(i)
            }
            _ => Err(self.unexpected(what)),
        }
    }

    fn select(&mut self) -> Result<Select, InfluxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(InfluxError::Parse("query nested too deeply".into()));
        }
        self.expect_kw("SELECT")?;
        let mut s = Select::default();
        loop {
            let expr = self.expr(0)?;
            let alias = if self.eat_kw("AS") {
                Some(self.ident()?)
            } else {
                None
            };
            s.fields.push(Field { expr, alias });
            if !self.eat_op(",") {
                break;
            }
        }
        if self.eat_kw("INTO") {
            s.into = Some(self.measurement()?);
        }
        self.expect_kw("FROM")?;
        loop {
            if self.eat_op("(") {
                let sub = self.select()?;
                if !self.eat_op(")") {
                    return Err(self.unexpected(")"));
                }
                s.sources.push(Source::Subquery(Box::new(sub)));
            } else {
                s.sources.push(self.measurement()?);
            }
            if !self.eat_op(",") {
                break;
            }
        }
        if self.eat_kw("WHERE") {
            s.condition = Some(self.expr(0)?);
        }
        if self.eat_kw("GROUP") {
            self.expect_kw("BY")?;
            loop {
                s.dimensions.push(self.expr(0)?);
                if !self.eat_op(",") {
                    break;
                }
            }
        }
        if self.eat_kw("FILL") {
            s.fill = self.fill()?;
        }
        if self.eat_kw("ORDER") {
            self.expect_kw("BY")?;
            loop {
                let name = self.ident()?;
                let ascending = if self.eat_kw("DESC") {
                    false
                } else {
                    self.eat_kw("ASC");
                    true
                };
                s.sort.push(SortField { name, ascending });
                if !self.eat_op(",") {
                    break;
                }
            }
        }
        if self.eat_kw("LIMIT") {
            s.limit = self.int("integer")?;
        }
        if self.eat_kw("OFFSET") {
            s.offset = self.int("integer")?;
        }
        if self.eat_kw("SLIMIT") {
            s.slimit = self.int("integer")?;
        }
        if self.eat_kw("SOFFSET") {
            s.soffset = self.int("integer")?;
        }
        if self.eat_kw("TZ") {
            if !self.eat_op("(") {
                return Err(self.unexpected("("));
            }
            match self.next() {
                Some(Tok::Str(z)) => s.tz = Some(z),
                _ => {
                    self.pos -= 1;
                    return Err(self.unexpected("string"));
                }
            }
            if !self.eat_op(")") {
                return Err(self.unexpected(")"));
            }
        }
        self.depth -= 1;
        Ok(s)
    }

    fn fill(&mut self) -> Result<Fill, InfluxError> {
        if !self.eat_op("(") {
            return Err(self.unexpected("("));
        }
        let neg = self.eat_op("-");
        let sign = if neg { -1 } else { 1 };
        let fill = match self.next() {
            Some(Tok::Ident(s, false)) if s.eq_ignore_ascii_case("null") && !neg => Fill::Null,
            Some(Tok::Ident(s, false)) if s.eq_ignore_ascii_case("none") && !neg => Fill::None,
            Some(Tok::Ident(s, false)) if s.eq_ignore_ascii_case("previous") && !neg => {
                Fill::Previous
            }
            Some(Tok::Ident(s, false)) if s.eq_ignore_ascii_case("linear") && !neg => Fill::Linear,
            Some(Tok::Int(i)) => Fill::Int(i * sign),
            Some(Tok::Num(n)) => Fill::Float(n * sign as f64),
            _ => {
                self.pos -= 1;
                return Err(InfluxError::Parse(format!(
                    "fill must be a function call at line 1, char {}",
                    self.offset() + 1
                )));
            }
        };
        if !self.eat_op(")") {
            return Err(self.unexpected(")"));
        }
        Ok(fill)
    }

    /// `[db.[rp].]name` or `/regex/` (with the same prefixes).
    fn measurement(&mut self) -> Result<Source, InfluxError> {
        let mut segs: Vec<Option<String>> = Vec::new();
        let mut regex = None;
        loop {
            match self.peek() {
                Some(Tok::Ident(s, _)) => {
                    segs.push(Some(s.clone()));
                    self.pos += 1;
                }
                Some(Tok::Keyword(k)) if !segs.is_empty() || segs.is_empty() && *k == "TZ" => {
                    segs.push(Some(k.to_ascii_lowercase()));
                    self.pos += 1;
                }
                Some(Tok::Regex(r)) => {
                    regex = Some(r.clone());
                    self.pos += 1;
                    break;
                }
                Some(Tok::Op(".")) => segs.push(None),
                _ => return Err(self.unexpected("identifier")),
            }
            if !self.eat_op(".") {
                break;
            }
            if segs.len() >= 3 {
                return Err(self.unexpected("identifier"));
            }
        }
        // With a regex, every collected segment is a prefix.
        if regex.is_some() {
            segs.push(None);
        }
        let (db, rp, name) = match segs.len() {
            1 => (None, None, segs.pop().flatten()),
            2 => {
                let name = segs.pop().flatten();
                (None, segs.pop().flatten(), name)
            }
            3 => {
                let name = segs.pop().flatten();
                let rp = segs.pop().flatten();
                (segs.pop().flatten(), rp, name)
            }
            _ => return Err(self.unexpected("identifier")),
        };
        if name.is_none() && regex.is_none() {
            return Err(self.unexpected("identifier"));
        }
        Ok(Source::Measurement {
            database: db.unwrap_or_default(),
            retention_policy: rp.unwrap_or_default(),
            name: name.unwrap_or_default(),
            regex,
        })
    }

    fn binary_op(&self) -> Option<&'static str> {
        match self.peek() {
            Some(Tok::Keyword("AND")) => Some("AND"),
            Some(Tok::Keyword("OR")) => Some("OR"),
            Some(Tok::Op(o)) if precedence(o) > 0 => Some(o),
            _ => None,
        }
    }

    /// Precedence climbing: operators binding tighter than `min` are consumed.
    fn expr(&mut self, min: u8) -> Result<Expr, InfluxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(InfluxError::Parse("expression nested too deeply".into()));
        }
        let mut lhs = self.unary()?;
        while let Some(op) = self.binary_op() {
            let p = precedence(op);
            if p <= min {
                break;
            }
            self.pos += 1;
            let rhs = self.expr(p)?;
            lhs = Expr::Binary {
                op,
                lhs: Box::new(lhs),
                rhs: Box::new(rhs),
            };
        }
        self.depth -= 1;
        Ok(lhs)
    }

    fn unary(&mut self) -> Result<Expr, InfluxError> {
        let Some(tok) = self.next() else {
            self.pos -= 1;
            return Err(self.unexpected("identifier, string, number, bool"));
        };
        Ok(match tok {
            Tok::Ident(name, quoted) => {
                if !quoted && matches!(self.peek(), Some(Tok::Op("("))) {
                    self.pos += 1;
                    let mut args = Vec::new();
                    if !self.eat_op(")") {
                        loop {
                            args.push(self.expr(0)?);
                            if !self.eat_op(",") {
                                break;
                            }
                        }
                        if !self.eat_op(")") {
                            return Err(self.unexpected(")"));
                        }
                    }
                    Expr::Call {
                        name: name.to_ascii_lowercase(),
                        args,
                    }
                } else {
                    Expr::VarRef {
                        name,
                        typ: self.cast()?,
                    }
                }
            }
            Tok::Keyword("TRUE") => Expr::Bool(true),
            Tok::Keyword("FALSE") => Expr::Bool(false),
            Tok::Str(s) => Expr::Str(s),
            Tok::Int(i) => Expr::Int(i),
            Tok::Num(n) => Expr::Num(n),
            Tok::Duration(d) => Expr::Duration(d),
            Tok::Regex(r) => Expr::Regex(r),
            Tok::Param(p) => Expr::Param(p),
            Tok::Op("*") => Expr::Wildcard(self.cast()?),
            Tok::Op("(") => {
                let inner = self.expr(0)?;
                if !self.eat_op(")") {
                    return Err(self.unexpected(")"));
                }
                Expr::Paren(Box::new(inner))
            }
            Tok::Op("-") => match self.next() {
                Some(Tok::Int(i)) => Expr::Int(-i),
                Some(Tok::Num(n)) => Expr::Num(-n),
                Some(Tok::Duration(d)) => Expr::Duration(-d),
                _ => {
                    self.pos -= 1;
                    return Err(self.unexpected("identifier, string, number, bool"));
                }
            },
            _ => {
                self.pos -= 1;
                return Err(self.unexpected("identifier, string, number, bool"));
            }
        })
    }

    /// `::type` after a reference or wildcard.
    fn cast(&mut self) -> Result<Option<String>, InfluxError> {
        if !self.eat_op("::") {
            return Ok(None);
        }
        let t = self.ident()?.to_ascii_lowercase();
        if !matches!(
            t.as_str(),
            "float" | "integer" | "unsigned" | "string" | "boolean" | "field" | "tag"
        ) {
            return Err(InfluxError::Parse(format!(
                "found {t}, expected float, integer, unsigned, string, boolean, field, tag"
            )));
        }
        Ok(Some(t))
    }
}
