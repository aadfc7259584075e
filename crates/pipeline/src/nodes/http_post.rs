//! `|httpPost(url)`: posts every point or batch as JSON to a URL or a configured endpoint
//! (mirrors pipeline/http_post.go).

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &[
    "endpoint",
    "header",
    "captureResponse",
    "timeout",
    "codeField",
];

/// Properties of an httpPost node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HttpPostSpec {
    /// URLs given as arguments (Go templates over the row); at most one is valid.
    pub urls: Vec<String>,
    /// `.endpoint(name)`: `[[httppost]]` endpoints; at most one is valid.
    pub endpoints: Vec<String>,
    /// `.header(k, v)`, in the order set (a repeated key keeps its last value).
    pub headers: Vec<(String, String)>,
    /// `.captureResponse()`: log the body of a non-2xx answer.
    pub capture_response: bool,
    /// `.timeout(d)` in ns; 0 means none was set.
    pub timeout: i64,
    /// `.codeField(name)`: field receiving the HTTP status (0 when the request failed).
    pub code_field: String,
}

impl HttpPostSpec {
    pub(super) fn new(a: &[Val]) -> ArgResult<Self> {
        Ok(HttpPostSpec {
            urls: args::strings(a)?,
            ..Default::default()
        })
    }

    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "endpoint" => self.endpoints.push(args::string(a)?),
            "header" => {
                if a.len() != 2 {
                    return Err(format!("wrong number of arguments: got {} exp 2", a.len()));
                }
                let k = args::string(&a[..1])?;
                let v = args::string(&a[1..])?;
                match self.headers.iter_mut().find(|(hk, _)| *hk == k) {
                    Some(h) => h.1 = v,
                    None => self.headers.push((k, v)),
                }
            }
            "captureResponse" => {
                args::none(a)?;
                self.capture_response = true;
            }
            "timeout" => self.timeout = args::duration(a)?,
            "codeField" => self.code_field = args::string(a)?,
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }

    /// Kapacitor's validation (`HTTPPostNode.validate`).
    pub(super) fn validate(&self) -> Result<(), String> {
        if self.urls.len() >= 2 {
            return Err(format!(
                "httpPost expects 0 or 1 arguments, got {}",
                self.urls.len()
            ));
        }
        if self.endpoints.len() > 1 {
            return Err(format!(
                "httpPost expects 0 or 1 endpoints, got {}",
                self.endpoints.len()
            ));
        }
        if self.urls.is_empty() && self.endpoints.is_empty() {
            return Err("must provide url or endpoint".into());
        }
        if !self.urls.is_empty() && !self.endpoints.is_empty() {
            return Err("only one endpoint and url may be specified".into());
        }
        if self
            .headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("authenticate"))
        {
            return Err("cannot set 'authenticate' header".into());
        }
        Ok(())
    }
}
