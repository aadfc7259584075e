//! `|derivative('field')`: (value - previous) / (elapsed / unit) per group; the first
//! point of a group (or of a batch) only primes it (mirrors derivative.go).

use kapa_models::{FieldValue, Fields, Point};
use kapa_pipeline::nodes::DerivativeSpec;

use crate::message::{Batch, BatchPoint, GroupMap, PointMsg};
use crate::node::{Emit, Node, TaskCtx};

pub(crate) struct DerivativeNode {
    spec: DerivativeSpec,
    previous: GroupMap<(i64, f64)>,
}

impl DerivativeNode {
    pub(crate) fn new(spec: DerivativeSpec) -> Self {
        DerivativeNode {
            spec,
            previous: Default::default(),
        }
    }
}

/// What to do with the current value: (derivative to emit, whether to store the point).
fn derive(
    spec: &DerivativeSpec,
    prev: Option<(i64, f64)>,
    fields: &Fields,
    t: i64,
) -> Result<(Option<f64>, Option<f64>), String> {
    let Some(curr) = fields.get(&spec.field).and_then(FieldValue::as_f64) else {
        return Err(match fields.get(&spec.field) {
            Some(v) => format!("cannot apply derivative to type {}", v.type_name()),
            None => format!("field {:?} missing from point", spec.field),
        });
    };
    let Some((pt, pv)) = prev else {
        return Ok((None, Some(curr)));
    };
    let elapsed = (t - pt) as f64;
    if elapsed == 0.0 {
        return Err("cannot perform derivative elapsed time was 0".into());
    }
    let diff = curr - pv;
    if spec.non_negative && diff < 0.0 {
        return Ok((None, Some(curr)));
    }
    Ok((Some(diff / (elapsed / spec.unit as f64)), Some(curr)))
}

impl Node for DerivativeNode {
    fn point(&mut self, _ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let p = msg.point;
        let prev = self.previous.get(&msg.group.id).copied();
        let (value, store) = match derive(&self.spec, prev, &p.fields, p.time) {
            Ok(r) => r,
            // A zero elapsed time keeps the previous point, as Kapacitor does.
            Err(e) if e.starts_with("cannot perform") => return Err(e),
            Err(e) => return Err(e),
        };
        if let Some(v) = store {
            self.previous.insert(msg.group.id.clone(), (p.time, v));
        }
        let Some(value) = value else {
            return Ok(Emit::Drop);
        };
        let mut q: Point = p.clone();
        q.fields
            .insert(self.spec.as_.as_str(), FieldValue::Float(value));
        Ok(Emit::Point {
            point: Some(q),
            group: None,
        })
    }

    fn batch(&mut self, _ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        let mut out = b.clone_empty();
        let mut prev: Option<(i64, f64)> = None;
        for p in &b.points {
            let (value, store) = derive(&self.spec, prev, &p.fields, p.time)?;
            if let Some(v) = store {
                prev = Some((p.time, v));
            }
            if let Some(value) = value {
                let mut q: BatchPoint = p.clone();
                q.fields
                    .insert(self.spec.as_.as_str(), FieldValue::Float(value));
                out.points.push(q);
            }
        }
        Ok(Emit::Batch(out))
    }

    fn delete_group(
        &mut self,
        _ctx: &TaskCtx,
        group: &crate::message::Group,
    ) -> Result<Emit, String> {
        self.previous.remove(&group.id);
        Ok(Emit::Same)
    }

    fn cardinality(&self) -> usize {
        self.previous.len()
    }
}
