//! `/query` answers and their conversion into batches (`edge.ResultToBufferedBatches`).

use kapa_models::{FieldValue, Fields, Tags};
use serde::Deserialize;
use smol_str::SmolStr;

use crate::InfluxError;

/// A whole `/query` answer.
#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
pub struct Response {
    /// One result per statement.
    #[serde(default)]
    pub results: Vec<StatementResult>,
    /// A request-level error.
    #[serde(default)]
    pub error: Option<String>,
}

/// The result of one statement.
#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
pub struct StatementResult {
    /// Statement index.
    #[serde(default)]
    pub statement_id: i64,
    /// The series.
    #[serde(default)]
    pub series: Vec<SeriesRow>,
    /// The statement's error.
    #[serde(default)]
    pub error: Option<String>,
}

/// One series of a result.
#[derive(Debug, Clone, Deserialize, Default, PartialEq)]
pub struct SeriesRow {
    /// Measurement name.
    #[serde(default)]
    pub name: String,
    /// Group tags.
    #[serde(default)]
    pub tags: std::collections::BTreeMap<String, String>,
    /// Column names.
    #[serde(default)]
    pub columns: Vec<String>,
    /// Rows.
    #[serde(default)]
    pub values: Vec<Vec<serde_json::Value>>,
}

/// One point of a query batch.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPoint {
    /// Time, ns.
    pub time: i64,
    /// Non-null columns other than time.
    pub fields: Fields,
    /// The series tags.
    pub tags: Tags,
}

/// One series of a query result as a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryBatch {
    /// Measurement.
    pub name: SmolStr,
    /// The series tags (the batch's group tags).
    pub tags: Tags,
    /// The latest point time (callers set the query stop when not grouped by time).
    pub tmax: i64,
    /// Points with at least one non-null value, in answer order.
    pub points: Vec<QueryPoint>,
}

fn time_of(v: &serde_json::Value) -> Result<i64, InfluxError> {
    match v {
        serde_json::Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| InfluxError::Decode(format!("unexpected time value: {v}"))),
        serde_json::Value::String(s) => kapa_models::time::parse_rfc3339(s)
            .map_err(|e| InfluxError::Decode(format!("unexpected time format: {e}"))),
        other => Err(InfluxError::Decode(format!(
            "unexpected time value: {other}"
        ))),
    }
}

/// A JSON value as a field: numbers become floats as in Kapacitor (which decodes every
/// number of a query answer as float64); nulls are skipped.
fn field_of(v: &serde_json::Value) -> Option<FieldValue> {
    match v {
        serde_json::Value::Number(n) => n.as_f64().map(FieldValue::Float),
        serde_json::Value::String(s) => Some(FieldValue::String(SmolStr::new(s))),
        serde_json::Value::Bool(b) => Some(FieldValue::Bool(*b)),
        _ => None,
    }
}

/// Turns one statement result into batches: one per series, rows with only nulls are
/// dropped, `tmax` is the latest point time.
pub fn result_to_batches(res: &StatementResult) -> Result<Vec<QueryBatch>, InfluxError> {
    if let Some(e) = &res.error {
        return Err(InfluxError::Result(e.clone()));
    }
    let mut out = Vec::with_capacity(res.series.len());
    for s in &res.series {
        let tags = Tags::from_pairs(
            s.tags
                .iter()
                .map(|(k, v)| (SmolStr::new(k), SmolStr::new(v)))
                .collect(),
        );
        let time_col = s.columns.iter().position(|c| c == "time");
        let mut b = QueryBatch {
            name: SmolStr::new(&s.name),
            tags: tags.clone(),
            tmax: 0,
            points: Vec::with_capacity(s.values.len()),
        };
        for row in &s.values {
            let mut time = 0;
            let mut fields = Vec::with_capacity(s.columns.len());
            for (i, c) in s.columns.iter().enumerate() {
                let Some(v) = row.get(i) else { continue };
                if Some(i) == time_col {
                    time = time_of(v)?;
                } else if let Some(f) = field_of(v) {
                    fields.push((SmolStr::new(c), f));
                }
            }
            if fields.is_empty() {
                continue;
            }
            b.tmax = b.tmax.max(time);
            b.points.push(QueryPoint {
                time,
                fields: Fields::from_pairs(fields),
                tags: tags.clone(),
            });
        }
        out.push(b);
    }
    Ok(out)
}
