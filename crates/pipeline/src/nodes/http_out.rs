//! `|httpOut(endpoint)`: caches the latest result per group for GET (mirrors pipeline/http_out.go).

use crate::args::{self, ArgResult};
use crate::value::Val;

/// An httpOut node's endpoint name.
#[derive(Debug, Clone)]
pub struct HttpOutSpec {
    /// The endpoint, served at `/kapacitor/v1/tasks/<task>/<endpoint>`.
    pub endpoint: String,
}

impl HttpOutSpec {
    pub(super) fn new(a: &[Val]) -> ArgResult<Self> {
        Ok(HttpOutSpec {
            endpoint: args::string(a)?,
        })
    }
}
