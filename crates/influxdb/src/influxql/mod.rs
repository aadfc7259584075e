//! The InfluxQL a batch `query` node runs: one SELECT, parsed once, printed on every run
//! with `time >= start AND time < stop` added to its WHERE and, when the task says so, its
//! GROUP BY dimensions and fill option replaced (Kapacitor's `query.go`).

mod ast;
mod lexer;
mod parser;

#[cfg(test)]
mod tests;

use std::fmt::{self, Display};

pub use ast::{Expr, Field, Fill, Select, SortField, Source};

use crate::InfluxError;

/// A GROUP BY dimension set by the task (`.groupBy(...)`).
#[derive(Debug, Clone, PartialEq)]
pub enum Dimension {
    /// `time(length, offset)`.
    Time {
        /// Bucket length, ns.
        length: i64,
        /// Bucket offset, ns.
        offset: i64,
    },
    /// A tag.
    Tag(String),
    /// `*`.
    Star,
}

/// A batch query: a SELECT plus the time range of the current run.
#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    stmt: Select,
    start: i64,
    stop: i64,
    /// `(length, offset)` of a time dimension set through [`Query::set_dimensions`].
    group_by_time: Option<(i64, i64)>,
    align_group: bool,
}

impl Query {
    /// Parses a query; it must be exactly one SELECT statement.
    pub fn parse(q: &str) -> Result<Query, InfluxError> {
        let stmts = parser::parse_statements(q).map_err(|e| match e {
            InfluxError::Parse(m) => {
                InfluxError::Query(format!("failed to parse InfluxQL query: {m}"))
            }
            other => other,
        })?;
        if stmts.len() != 1 {
            return Err(InfluxError::Query(format!(
                "query must be a single select statement, got {} statements",
                stmts.len()
            )));
        }
        let Some(parser::Statement::Select(stmt)) = stmts.into_iter().next() else {
            return Err(InfluxError::Query(format!(
                "query is not a select statement {q:?}"
            )));
        };
        Ok(Query {
            stmt: *stmt,
            start: 0,
            stop: 0,
            group_by_time: None,
            align_group: false,
        })
    }

    /// The statement as parsed.
    pub fn statement(&self) -> &Select {
        &self.stmt
    }

    /// Sets the time range `[start, stop)` of the next run (ns).
    pub fn set_range(&mut self, start: i64, stop: i64) {
        self.start = start;
        self.stop = stop;
    }

    /// Start of the range.
    pub fn start(&self) -> i64 {
        self.start
    }

    /// Stop of the range.
    pub fn stop(&self) -> i64 {
        self.stop
    }

    /// `.alignGroup()`: the time buckets start at the query start.
    pub fn align_group(&mut self) {
        self.align_group = true;
    }

    /// Replaces the GROUP BY dimensions (`.groupBy(...)`).
    pub fn set_dimensions(&mut self, dims: &[Dimension]) -> Result<(), InfluxError> {
        let mut out = Vec::with_capacity(dims.len());
        self.group_by_time = None;
        for d in dims {
            match d {
                Dimension::Time { length, offset } => {
                    if self.group_by_time.is_some() {
                        return Err(InfluxError::Query(
                            "groupBy cannot have more than one time dimension".into(),
                        ));
                    }
                    self.group_by_time = Some((*length, *offset));
                    // Printed with the (possibly aligned) offset in `Display`.
                    out.push(Expr::Call {
                        name: "time".into(),
                        args: vec![Expr::Duration(*length), Expr::Duration(*offset)],
                    });
                }
                Dimension::Tag(t) => out.push(Expr::VarRef {
                    name: t.clone(),
                    typ: None,
                }),
                Dimension::Star => out.push(Expr::Wildcard(None)),
            }
        }
        self.stmt.dimensions = out;
        Ok(())
    }

    /// Sets the fill option.
    pub fn set_fill(&mut self, fill: Fill) {
        self.stmt.fill = fill;
    }

    /// True when the task set a time dimension (batches then keep their own tmax).
    pub fn is_grouped_by_time(&self) -> bool {
        self.group_by_time.is_some()
    }

    /// The statement with the run's range and the aligned group offset applied.
    fn effective(&self) -> Select {
        let mut stmt = self.stmt.clone();
        if let Some((length, offset)) = self.group_by_time {
            let offset = if self.align_group && length > 0 {
                self.start.rem_euclid(length)
            } else {
                offset
            };
            for d in &mut stmt.dimensions {
                if let Expr::Call { name, args } = d
                    && name == "time"
                    && args.len() == 2
                {
                    args[1] = Expr::Duration(offset);
                }
            }
        }
        stmt
    }
}

/// The WHERE condition of a run: the user's condition AND the time range.
struct RangeCondition<'a> {
    user: Option<&'a Expr>,
    start: i64,
    stop: i64,
}

impl Display for RangeCondition<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(u) = self.user {
            // InfluxQL prints binary expressions without parentheses; an OR on the left of
            // the added AND would change meaning, so it is wrapped (Kapacitor does not).
            match u {
                Expr::Binary { op: "OR", .. } => write!(f, "({u}) AND ")?,
                _ => write!(f, "{u} AND ")?,
            }
        }
        write!(
            f,
            "time >= {} AND time < {}",
            Expr::Time(self.start),
            Expr::Time(self.stop)
        )
    }
}

impl Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let stmt = self.effective();
        let cond = RangeCondition {
            user: stmt.condition.as_ref(),
            start: self.start,
            stop: self.stop,
        };
        stmt.write_with(f, Some(&cond))
    }
}

/// Parses one SELECT statement (no range added); for tools that print queries back.
pub fn parse_select(q: &str) -> Result<Select, InfluxError> {
    Ok(Query::parse(q)?.stmt)
}
