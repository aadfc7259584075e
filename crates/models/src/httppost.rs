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

/// The `Authorization` header value for HTTP basic auth: `Basic base64(user:password)`.
pub fn basic_auth_header(user: &str, password: &str) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let input = format!("{user}:{password}");
    let mut out = String::with_capacity(6 + input.len().div_ceil(3) * 4);
    out.push_str("Basic ");
    for chunk in input.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_auth_is_standard_base64() {
        assert_eq!(basic_auth_header("user", "pass"), "Basic dXNlcjpwYXNz");
        assert_eq!(basic_auth_header("a", "b"), "Basic YTpi");
        assert_eq!(
            basic_auth_header("Aladdin", "open sesame"),
            "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="
        );
    }
}
