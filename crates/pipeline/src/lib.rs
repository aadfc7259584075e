//! Pipelines: node specs and their properties, TICKscript -> pipeline evaluation with
//! Kapacitor's dispatch rules and error texts, task type and DBRP discovery, and DOT.
#![warn(missing_docs)]

mod args;
mod dot;
mod eval;
pub mod nodes;
mod script;
mod value;

pub use dot::dot;
pub use eval::build;
pub use nodes::{NodeKind, PipelineNode};
pub use script::{dbrps_from_program, task_type_from_program};
pub use value::VarValue;

use std::fmt;

/// Errors raised while turning a script into a pipeline.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// The script does not parse.
    #[error("{0}")]
    Parse(#[from] kapa_tick::ParseError),
    /// Evaluation failed; the text carries `line X char Y` where a position is known.
    #[error("{0}")]
    Eval(String),
}

/// Whether a task consumes a stream or runs scheduled batch queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskType {
    /// `stream` tasks.
    Stream,
    /// `batch` tasks.
    Batch,
}

impl TaskType {
    /// Parses `stream` / `batch`.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "stream" => Some(TaskType::Stream),
            "batch" => Some(TaskType::Batch),
            _ => None,
        }
    }
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskType::Stream => "stream",
            TaskType::Batch => "batch",
        }
    }
}

impl fmt::Display for TaskType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A database / retention policy pair.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Dbrp {
    /// Database.
    pub db: String,
    /// Retention policy.
    pub rp: String,
}

impl fmt::Display for Dbrp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}.{:?}", self.db, self.rp)
    }
}

/// A built pipeline: nodes in creation order (which is a topological order).
#[derive(Debug, Clone)]
pub struct Pipeline {
    /// The nodes; a node's index is its id.
    pub nodes: Vec<PipelineNode>,
    /// Stream or batch.
    pub task_type: TaskType,
}

impl Pipeline {
    /// Node ids that have no parent.
    pub fn sources(&self) -> impl Iterator<Item = usize> + '_ {
        self.nodes
            .iter()
            .filter(|n| n.parents.is_empty())
            .map(|n| n.id)
    }
}

/// Parses and evaluates a script, as `define` does: the type and DBRPs are checked
/// by the caller; `vars` override script vars (template tasks).
pub fn compile(
    script: &str,
    task_type: TaskType,
    vars: &std::collections::HashMap<String, VarValue>,
) -> Result<Pipeline, PipelineError> {
    let program = kapa_tick::parse(script)?;
    build(&program, task_type, vars)
}

#[cfg(test)]
mod tests;
