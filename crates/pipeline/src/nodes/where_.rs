//! `|where(lambda)`: filters points (mirrors pipeline/where.go).

use std::sync::Arc;

use kapa_expr::Lambda;

use crate::args::{self, ArgResult};
use crate::value::Val;

/// A where node's predicate.
#[derive(Debug, Clone)]
pub struct WhereSpec {
    /// The predicate.
    pub lambda: Arc<Lambda>,
}

impl WhereSpec {
    pub(super) fn new(a: &[Val]) -> ArgResult<Self> {
        Ok(WhereSpec {
            lambda: args::lambda(a)?,
        })
    }
}
