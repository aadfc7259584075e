//! The InfluxQL-style result JSON (`{"series":[{name,tags,columns,values}]}`) that
//! httpOut serves and alert handlers embed as `data`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One series of a result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Row {
    /// Measurement name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Group tags.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub tags: Map<String, Value>,
    /// Column names; `time` first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
    /// One array of values per point, in column order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Vec<Value>>,
}

/// A result: a list of series (`null` when there is none, as Go prints a nil slice).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SeriesResult {
    /// The series.
    pub series: Option<Vec<Row>>,
    /// An error message, if the result is an error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}
