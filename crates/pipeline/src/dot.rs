//! The static DOT graph of a pipeline (without statistics).

use std::fmt::Write;

use crate::Pipeline;

/// Renders `digraph <name> { a -> b; ... }` as Kapacitor's `Pipeline.Dot` does.
pub fn dot(pipeline: &Pipeline, name: &str) -> String {
    let mut out = format!("digraph {name} {{\n");
    for n in &pipeline.nodes {
        for c in &n.children {
            let _ = writeln!(out, "{} -> {};", n.name, pipeline.nodes[*c].name);
        }
    }
    out.push('}');
    out
}
