//! `|eval(lambdas...)`: computes new fields or tags (mirrors pipeline/eval.go).

use std::sync::Arc;

use kapa_expr::Lambda;

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &["as", "tags", "keep"];

/// Properties of an eval node.
#[derive(Debug, Clone)]
pub struct EvalSpec {
    /// The expressions, evaluated in order.
    pub lambdas: Vec<Arc<Lambda>>,
    /// `.as()` result names, one per expression.
    pub as_: Vec<String>,
    /// `.tags()`: results stored as tags instead of fields.
    pub tags: Vec<String>,
    /// `.keep()` was called.
    pub keep: bool,
    /// `.keep(names...)`: the fields to keep (empty with `keep` = keep all).
    pub keep_list: Vec<String>,
}

impl EvalSpec {
    pub(super) fn new(a: &[Val]) -> ArgResult<Self> {
        let lambdas = args::lambdas(a)?;
        if lambdas.is_empty() {
            return Err("eval requires at least one expression".into());
        }
        Ok(EvalSpec {
            lambdas,
            as_: Vec::new(),
            tags: Vec::new(),
            keep: false,
            keep_list: Vec::new(),
        })
    }

    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "as" => {
                let names = args::strings(a)?;
                if names.len() != self.lambdas.len() {
                    return Err(format!(
                        "must provide one name per expression via the 'As' property, got {} names for {} expressions",
                        names.len(),
                        self.lambdas.len()
                    ));
                }
                self.as_ = names;
            }
            "tags" => self.tags = args::strings(a)?,
            "keep" => {
                self.keep = true;
                self.keep_list = args::strings(a)?;
            }
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }
}
