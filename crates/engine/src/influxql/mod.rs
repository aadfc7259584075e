//! InfluxQL reducers, selectors and transformations as InfluxDB 1.x defines them, realized
//! per field type the way Kapacitor's InfluxQL node does (influxql.go, influxql.gen.go).
//!
//! A [`Context`] is one realized reducer: points are aggregated into it, then it emits the
//! reduced points; the node turns those into Kapacitor's output points or batches.

mod aggregates;
mod func;
mod gomath;
mod holt_winters;
mod neldermead;
mod selectors;
mod transforms;
mod value;

#[cfg(test)]
mod tests;

use kapa_models::{FieldValue, Fields, Tags};

pub(crate) use func::Func;
pub(crate) use value::Kind;

/// InfluxDB's "no time" marker on a reduced point: the emitter substitutes its own time.
pub(crate) const ZERO_TIME: i64 = i64::MIN;

/// Where the original point of a selected value can be found.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) enum Aux {
    /// Nothing kept (aggregates).
    #[default]
    None,
    /// The index of the point in the batch being reduced.
    Index(usize),
    /// A copy of a stream point's tags and fields (only the tags for top/bottom).
    Owned(Box<(Tags, Fields)>),
}

/// One point as a reducer sees it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Input<'a> {
    /// Time in ns.
    pub time: i64,
    /// The reduced field's value, already checked to be of the context's kind.
    pub value: &'a FieldValue,
    /// The point's index in its batch; `None` for a stream point, which must be copied
    /// when a selector keeps it.
    pub index: Option<usize>,
    /// The point's tags.
    pub tags: &'a Tags,
    /// The point's fields.
    pub fields: &'a Fields,
}

impl Input<'_> {
    /// A reference to this point that outlives the call.
    pub(crate) fn aux(&self, with_fields: bool) -> Aux {
        match self.index {
            Some(i) => Aux::Index(i),
            None => {
                let fields = if with_fields {
                    self.fields.clone()
                } else {
                    Fields::new()
                };
                Aux::Owned(Box::new((self.tags.clone(), fields)))
            }
        }
    }
}

/// One reduced point.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Output {
    /// Its time, or [`ZERO_TIME`].
    pub time: i64,
    /// Its value.
    pub value: FieldValue,
    /// The selected input point, for selectors.
    pub aux: Aux,
}

impl Output {
    fn new(time: i64, value: FieldValue) -> Self {
        Output {
            time,
            value,
            aux: Aux::None,
        }
    }
}

/// A reducer for one field type (InfluxDB's PointAggregator + PointEmitter).
pub(crate) trait Reducer: Send {
    /// Aggregates one point.
    fn aggregate(&mut self, p: &Input<'_>);
    /// The reduced points so far.
    fn emit(&mut self) -> Vec<Output>;
    /// Back to the freshly created state, keeping allocations.
    fn reset(&mut self);
}

/// A reducer realized for the type of the first point's field (Kapacitor's reduceContext).
pub(crate) struct Context {
    kind: Kind,
    reducer: Box<dyn Reducer>,
}

impl Context {
    /// Realizes `func` for the type of `field` in `fields`; `spare` is reused when it was
    /// realized for the same type.
    pub(crate) fn realize(
        func: &Func,
        field: &str,
        fields: &Fields,
        spare: Option<Context>,
    ) -> Result<Context, String> {
        let Some(v) = fields.get(field) else {
            return Err(format!("field {field:?} missing from point"));
        };
        let Some(kind) = Kind::of(v) else {
            return Err(format!(
                "invalid influxql func {} with field {field}: invalid field kind: {}",
                func.method(),
                value::go_type_of(v)
            ));
        };
        Self::for_kind(func, field, kind, spare)
    }

    /// Realizes `func` for a given type (a batch without points is taken as float).
    pub(crate) fn for_kind(
        func: &Func,
        field: &str,
        kind: Kind,
        spare: Option<Context>,
    ) -> Result<Context, String> {
        if let Some(mut c) = spare.filter(|c| c.kind == kind) {
            c.reducer.reset();
            return Ok(c);
        }
        let reducer = func.create(kind).map_err(|e| {
            format!(
                "invalid influxql func {} with field {field}: {e}",
                func.method()
            )
        })?;
        Ok(Context { kind, reducer })
    }

    /// Aggregates a point, or says why its field cannot be.
    pub(crate) fn aggregate(
        &mut self,
        field: &str,
        time: i64,
        index: Option<usize>,
        tags: &Tags,
        fields: &Fields,
    ) -> Result<(), String> {
        let Some(value) = fields.get(field) else {
            return Err(format!("field {field} missing from point cannot aggregate"));
        };
        if Kind::of(value) != Some(self.kind) {
            return Err(format!(
                "field {field} has wrong type: got {} exp {}",
                value::go_type_of(value),
                self.kind.go_type()
            ));
        }
        self.reducer.aggregate(&Input {
            time,
            value,
            index,
            tags,
            fields,
        });
        Ok(())
    }

    /// The reduced points.
    pub(crate) fn emit(&mut self) -> Vec<Output> {
        self.reducer.emit()
    }
}
