//! The SELECT statement and its expressions, printed as InfluxQL's `String()` prints them.

use std::fmt::{self, Display, Write};

/// An expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A field or tag reference, with an optional `::type`.
    VarRef {
        /// The name.
        name: String,
        /// `field`, `tag`, `float`...
        typ: Option<String>,
    },
    /// A function call.
    Call {
        /// Function name.
        name: String,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// `*` (optionally `*::field` / `*::tag`).
    Wildcard(Option<String>),
    /// Integer literal.
    Int(i64),
    /// Float literal.
    Num(f64),
    /// String literal.
    Str(String),
    /// `true` / `false`.
    Bool(bool),
    /// Duration literal, ns.
    Duration(i64),
    /// `/regex/`.
    Regex(String),
    /// `$param`.
    Param(String),
    /// A time literal (printed as a quoted RFC 3339 time).
    Time(i64),
    /// `( expr )` as written.
    Paren(Box<Expr>),
    /// A binary operation.
    Binary {
        /// Operator text (`AND`, `=`, `+`...).
        op: &'static str,
        /// Left operand.
        lhs: Box<Expr>,
        /// Right operand.
        rhs: Box<Expr>,
    },
}

/// Binding strength of a binary operator (higher binds tighter), as InfluxQL's.
pub(crate) fn precedence(op: &str) -> u8 {
    match op {
        "OR" => 1,
        "AND" => 2,
        "=" | "!=" | "<" | "<=" | ">" | ">=" | "=~" | "!~" => 4,
        "+" | "-" | "|" | "^" => 5,
        "*" | "/" | "%" | "&" => 6,
        _ => 0,
    }
}

/// One selected field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The expression.
    pub expr: Expr,
    /// `AS alias`.
    pub alias: Option<String>,
}

/// A `FROM` source or an `INTO` target.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// `[db.[rp].]name` or `/regex/`.
    Measurement {
        /// Database.
        database: String,
        /// Retention policy.
        retention_policy: String,
        /// Measurement name (empty with a regex).
        name: String,
        /// Regex instead of a name.
        regex: Option<String>,
    },
    /// `(SELECT ...)`.
    Subquery(Box<Select>),
}

/// The `fill(...)` option.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Fill {
    /// `fill(null)`, the default (not printed).
    #[default]
    Null,
    /// `fill(none)`.
    None,
    /// `fill(previous)`.
    Previous,
    /// `fill(linear)`.
    Linear,
    /// `fill(<integer>)`.
    Int(i64),
    /// `fill(<float>)`.
    Float(f64),
}

/// One `ORDER BY` field.
#[derive(Debug, Clone, PartialEq)]
pub struct SortField {
    /// Field name (only `time` is accepted by InfluxDB).
    pub name: String,
    /// ASC or DESC.
    pub ascending: bool,
}

/// A SELECT statement.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Select {
    /// Selected fields.
    pub fields: Vec<Field>,
    /// `INTO` target.
    pub into: Option<Source>,
    /// Sources.
    pub sources: Vec<Source>,
    /// `WHERE` condition.
    pub condition: Option<Expr>,
    /// `GROUP BY` dimensions.
    pub dimensions: Vec<Expr>,
    /// Fill option.
    pub fill: Fill,
    /// `ORDER BY`.
    pub sort: Vec<SortField>,
    /// `LIMIT`.
    pub limit: i64,
    /// `OFFSET`.
    pub offset: i64,
    /// `SLIMIT`.
    pub slimit: i64,
    /// `SOFFSET`.
    pub soffset: i64,
    /// `tz('...')`.
    pub tz: Option<String>,
}

/// Writes an identifier, double-quoted when InfluxQL needs it.
pub(crate) fn write_ident(out: &mut impl Write, s: &str) -> fmt::Result {
    let plain = !s.is_empty()
        && s.chars()
            .enumerate()
            .all(|(i, c)| c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit()))
        && !super::lexer::is_keyword(s);
    if plain {
        return out.write_str(s);
    }
    out.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => out.write_str("\\\"")?,
            '\\' => out.write_str("\\\\")?,
            '\n' => out.write_str("\\n")?,
            c => out.write_char(c)?,
        }
    }
    out.write_char('"')
}

fn write_string(out: &mut impl Write, s: &str) -> fmt::Result {
    out.write_char('\'')?;
    for c in s.chars() {
        match c {
            '\'' => out.write_str("\\'")?,
            '\\' => out.write_str("\\\\")?,
            '\n' => out.write_str("\\n")?,
            c => out.write_char(c)?,
        }
    }
    out.write_char('\'')
}

impl Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::VarRef { name, typ } => {
                write_ident(f, name)?;
                if let Some(t) = typ {
                    write!(f, "::{t}")?;
                }
                Ok(())
            }
            Expr::Call { name, args } => {
                write!(f, "{name}(")?;
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_char(')')
            }
            Expr::Wildcard(t) => match t {
                Some(t) => write!(f, "*::{t}"),
                None => f.write_char('*'),
            },
            Expr::Int(i) => write!(f, "{i}"),
            Expr::Num(n) => write!(f, "{n:.3}"),
            Expr::Str(s) => write_string(f, s),
            Expr::Bool(b) => write!(f, "{b}"),
            Expr::Duration(d) => f.write_str(&kapa_models::duration::format_influxql(*d)),
            Expr::Regex(r) => write!(f, "/{}/", r.replace('/', "\\/")),
            Expr::Param(p) => {
                f.write_char('$')?;
                write_ident(f, p)
            }
            Expr::Time(t) => write_string(f, &kapa_models::time::format_rfc3339(*t)),
            Expr::Paren(e) => write!(f, "({e})"),
            Expr::Binary { op, lhs, rhs } => write!(f, "{lhs} {op} {rhs}"),
        }
    }
}

impl Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.expr)?;
        if let Some(a) = &self.alias {
            f.write_str(" AS ")?;
            write_ident(f, a)?;
        }
        Ok(())
    }
}

impl Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Measurement {
                database,
                retention_policy,
                name,
                regex,
            } => {
                if !database.is_empty() {
                    write_ident(f, database)?;
                    f.write_char('.')?;
                }
                if !retention_policy.is_empty() {
                    write_ident(f, retention_policy)?;
                }
                if !database.is_empty() || !retention_policy.is_empty() {
                    f.write_char('.')?;
                }
                match regex {
                    Some(r) => write!(f, "/{}/", r.replace('/', "\\/")),
                    None => write_ident(f, name),
                }
            }
            Source::Subquery(s) => write!(f, "({s})"),
        }
    }
}

impl Display for Fill {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fill::Null => f.write_str("fill(null)"),
            Fill::None => f.write_str("fill(none)"),
            Fill::Previous => f.write_str("fill(previous)"),
            Fill::Linear => f.write_str("fill(linear)"),
            Fill::Int(i) => write!(f, "fill({i})"),
            Fill::Float(v) => write!(f, "fill({v})"),
        }
    }
}

impl Select {
    /// Prints the statement with `condition` instead of its own WHERE condition.
    pub(crate) fn write_with(
        &self,
        out: &mut impl Write,
        condition: Option<&dyn Display>,
    ) -> fmt::Result {
        out.write_str("SELECT ")?;
        for (i, fld) in self.fields.iter().enumerate() {
            if i > 0 {
                out.write_str(", ")?;
            }
            write!(out, "{fld}")?;
        }
        if let Some(into) = &self.into {
            write!(out, " INTO {into}")?;
        }
        out.write_str(" FROM ")?;
        for (i, s) in self.sources.iter().enumerate() {
            if i > 0 {
                out.write_str(", ")?;
            }
            write!(out, "{s}")?;
        }
        match condition {
            Some(c) => write!(out, " WHERE {c}")?,
            None => {
                if let Some(c) = &self.condition {
                    write!(out, " WHERE {c}")?;
                }
            }
        }
        if !self.dimensions.is_empty() {
            out.write_str(" GROUP BY ")?;
            for (i, d) in self.dimensions.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                write!(out, "{d}")?;
            }
        }
        if self.fill != Fill::Null {
            write!(out, " {}", self.fill)?;
        }
        if !self.sort.is_empty() {
            out.write_str(" ORDER BY ")?;
            for (i, s) in self.sort.iter().enumerate() {
                if i > 0 {
                    out.write_str(", ")?;
                }
                write_ident(out, &s.name)?;
                out.write_str(if s.ascending { " ASC" } else { " DESC" })?;
            }
        }
        for (kw, v) in [
            ("LIMIT", self.limit),
            ("OFFSET", self.offset),
            ("SLIMIT", self.slimit),
            ("SOFFSET", self.soffset),
        ] {
            if v > 0 {
                write!(out, " {kw} {v}")?;
            }
        }
        if let Some(tz) = &self.tz {
            out.write_str(" tz(")?;
            write_string(out, tz)?;
            out.write_char(')')?;
        }
        Ok(())
    }
}

impl Display for Select {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write_with(f, None)
    }
}
