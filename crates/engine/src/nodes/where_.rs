//! `|where(lambda)`: keeps points for which the predicate holds; in a batch, keeps the
//! matching points (mirrors where.go).

use kapa_expr::{FieldsTagsScope, LambdaState};
use kapa_pipeline::nodes::WhereSpec;

use crate::message::{Batch, Group, GroupMap, PointMsg};
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct WhereNode {
    spec: WhereSpec,
    states: GroupMap<LambdaState>,
}

impl WhereNode {
    pub(crate) fn new(spec: WhereSpec) -> Self {
        WhereNode {
            spec,
            states: Default::default(),
        }
    }
}

impl Node for WhereNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let lambda = &self.spec.lambda;
        let st = self
            .states
            .entry(msg.group.id.clone())
            .or_insert_with(|| lambda.new_state());
        if lambda.eval_bool(msg.point, st).map_err(|e| e.to_string())? {
            Ok(Emit::Same)
        } else {
            Ok(Emit::Drop)
        }
    }

    fn batch(&mut self, ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        let lambda = &self.spec.lambda;
        let st = self
            .states
            .entry(b.group.id.clone())
            .or_insert_with(|| lambda.new_state());
        let mut out = Batch {
            points: Vec::with_capacity(b.points.len()).into(),
            ..b.clone_empty()
        };
        for p in &b.points {
            let scope = FieldsTagsScope {
                fields: &p.fields,
                tags: &p.tags,
                time: p.time,
            };
            // As Kapacitor, a point the predicate fails on is dropped; the batch goes on.
            match lambda.eval_bool(&scope, st) {
                Ok(true) => out.points.push(p.clone()),
                Ok(false) => {}
                Err(e) => {
                    tracing::error!(task = %ctx.task, err = %e, "error while evaluating expression")
                }
            }
        }
        Ok(Emit::Batch(out))
    }

    fn delete_group(&mut self, _ctx: &TaskCtx, group: &Group) -> Result<Emit, String> {
        self.states.remove(&group.id);
        Ok(Emit::Same)
    }

    fn cardinality(&self) -> usize {
        self.states.len()
    }
}
