//! `[[httppost]]` endpoints from the configuration, shared by the alert `post` handler and
//! the `httpPost` node.

use std::collections::BTreeMap;

/// One `[[httppost]]` element.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HttpPostEndpoint {
    /// `endpoint`: the name TICKscript's `.endpoint(name)` refers to.
    pub endpoint: String,
    /// `url`.
    pub url: String,
    /// `headers`.
    pub headers: BTreeMap<String, String>,
    /// `basic-auth`: (username, password).
    pub basic_auth: Option<(String, String)>,
    /// `alert-template` (Go text/template over alert data).
    pub alert_template: String,
    /// `alert-template-file`.
    pub alert_template_file: String,
    /// `row-template` (Go text/template over `.Name .Tags .Values`).
    pub row_template: String,
    /// `row-template-file`.
    pub row_template_file: String,
}

static ENDPOINTS: std::sync::OnceLock<Vec<HttpPostEndpoint>> = std::sync::OnceLock::new();

/// Sets the configured endpoints once, at startup.
pub fn set_endpoints(endpoints: Vec<HttpPostEndpoint>) {
    let _ = ENDPOINTS.set(endpoints);
}

/// Finds a configured endpoint by name.
pub fn endpoint(name: &str) -> Option<HttpPostEndpoint> {
    ENDPOINTS
        .get()?
        .iter()
        .find(|e| e.endpoint == name)
        .cloned()
}
