//! The HTTP client the SaaS handlers share: one JSON POST, with failures classified
//! (connection errors, timeouts, 5xx and 429 are retried; other statuses are not).

use std::time::Duration;

use super::Failure;
use super::options::Options;
use crate::AlertError;

/// Request timeout when the service sets none (Go's default client waits forever).
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Response bytes read for error messages.
const BODY_LIMIT: u64 = 64 * 1024;

/// A blocking client for one handler.
pub(crate) struct Client {
    agent: ureq::Agent,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Client")
    }
}

/// An answer with its status and (bounded) body.
#[derive(Debug)]
pub(crate) struct Reply {
    /// HTTP status.
    pub(crate) status: u16,
    /// Body text.
    pub(crate) body: String,
    retry_after: Option<Duration>,
}

impl Reply {
    /// The failure for an unexpected status, with Kapacitor's `reason`: 5xx and 429 are
    /// retried (after `Retry-After` when given), other statuses are not.
    pub(crate) fn failure(&self, reason: String) -> Failure {
        if self.status == 429 || self.status >= 500 {
            Failure::Transient {
                reason,
                retry_after: self.retry_after,
            }
        } else {
            Failure::Permanent(reason)
        }
    }

    /// The `field` of a JSON error body, or `fallback` when there is none.
    pub(crate) fn json_field(&self, field: &str, fallback: String) -> String {
        serde_json::from_str::<serde_json::Value>(&self.body)
            .ok()
            .and_then(|v| v.get(field).and_then(|m| m.as_str()).map(str::to_string))
            .unwrap_or(fallback)
    }
}

/// A service section's TLS keys: `ssl-ca`, `ssl-cert`, `ssl-key`, `insecure-skip-verify`.
#[derive(Debug, Default)]
pub(crate) struct TlsKeys {
    ca: String,
    cert: String,
    key: String,
    insecure_skip_verify: bool,
}

impl TlsKeys {
    /// The keys of a section element.
    pub(crate) fn of(section: &Options<'_>) -> Result<Self, AlertError> {
        Ok(TlsKeys {
            ca: section.string("ssl-ca")?,
            cert: section.string("ssl-cert")?,
            key: section.string("ssl-key")?,
            insecure_skip_verify: section.bool("insecure-skip-verify")?,
        })
    }
}

impl Client {
    /// A client with `timeout` (None: the default) that may skip TLS verification.
    pub(crate) fn new(timeout: Option<Duration>, insecure_skip_verify: bool) -> Client {
        let tls = ureq::tls::TlsConfig::builder()
            .disable_verification(insecure_skip_verify)
            .build();
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout.unwrap_or(DEFAULT_TIMEOUT)))
            .http_status_as_error(false)
            .tls_config(tls)
            // As Go's client sends them: its User-Agent and no Accept.
            .user_agent("Go-http-client/1.1")
            .accept("")
            .build()
            .new_agent();
        Client { agent }
    }

    /// A client with a service's TLS keys: `ssl-ca` replaces the default roots (as Go's
    /// tlsconfig does), `ssl-cert` + `ssl-key` present a client certificate.
    pub(crate) fn with_tls(keys: &TlsKeys) -> Result<Client, String> {
        use ureq::tls::{Certificate, ClientCert, PemItem, PrivateKey, RootCerts, parse_pem};
        let (ca, cert, key, insecure_skip_verify) = (
            keys.ca.as_str(),
            keys.cert.as_str(),
            keys.key.as_str(),
            keys.insecure_skip_verify,
        );
        if ca.is_empty() && (cert.is_empty() || key.is_empty()) {
            return Ok(Client::new(None, insecure_skip_verify));
        }
        let read = |path: &str, what: &str| {
            std::fs::read(path).map_err(|e| format!("failed to read {what} {path:?}: {e}"))
        };
        let mut tls = ureq::tls::TlsConfig::builder().disable_verification(insecure_skip_verify);
        if !ca.is_empty() {
            let pem = read(ca, "ssl-ca")?;
            let certs: Vec<Certificate<'static>> = parse_pem(&pem)
                .filter_map(|i| match i {
                    Ok(PemItem::Certificate(c)) => Some(Ok(c)),
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                })
                .collect::<Result<_, _>>()
                .map_err(|e| format!("invalid ssl-ca {ca:?}: {e}"))?;
            tls = tls.root_certs(RootCerts::new_with_certs(&certs));
        }
        if !cert.is_empty() && !key.is_empty() {
            let cert_pem = read(cert, "ssl-cert")?;
            let chain: Vec<Certificate<'static>> = parse_pem(&cert_pem)
                .filter_map(|i| match i {
                    Ok(PemItem::Certificate(c)) => Some(Ok(c)),
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                })
                .collect::<Result<_, _>>()
                .map_err(|e| format!("invalid ssl-cert {cert:?}: {e}"))?;
            let key_pem = read(key, "ssl-key")?;
            let k = PrivateKey::from_pem(&key_pem)
                .map_err(|e| format!("invalid ssl-key {key:?}: {e}"))?;
            tls = tls.client_cert(Some(ClientCert::new_with_certs(&chain, k)));
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(DEFAULT_TIMEOUT))
            .http_status_as_error(false)
            .tls_config(tls.build())
            .user_agent("Go-http-client/1.1")
            .accept("")
            .build()
            .new_agent();
        Ok(Client { agent })
    }

    /// POSTs `body` with `headers` (Content-Type included) and returns the reply, or the
    /// failure of the exchange itself.
    pub(crate) fn post(
        &self,
        url: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Result<Reply, Failure> {
        let mut req = self.agent.post(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut resp = req.send(body).map_err(classify)?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let body = resp
            .body_mut()
            .with_config()
            .limit(BODY_LIMIT)
            .read_to_string()
            .unwrap_or_default();
        Ok(Reply {
            status,
            body,
            retry_after,
        })
    }
}

/// Failures of the exchange: network trouble is retried, a malformed request is not.
pub(crate) fn classify(e: ureq::Error) -> Failure {
    let reason = e.to_string();
    match e {
        ureq::Error::Io(_)
        | ureq::Error::Timeout(_)
        | ureq::Error::HostNotFound
        | ureq::Error::ConnectionFailed
        | ureq::Error::Protocol(_)
        | ureq::Error::ConnectProxyFailed(_)
        | ureq::Error::BodyStalled => Failure::transient(reason),
        _ => Failure::Permanent(reason),
    }
}

/// Go's json.Encoder output of `value` (Go escaping, a trailing newline).
pub(crate) fn encode<T: serde::Serialize>(value: &T) -> Result<String, Failure> {
    let mut s = crate::to_go_json(value)
        .map_err(|e| Failure::Permanent(format!("failed to marshal json: {e}")))?;
    s.push('\n');
    Ok(s)
}

/// `path.Join` of URL path segments onto `base` (a URL), as the Go services build them.
pub(crate) fn join_path(base: &str, segments: &[&str]) -> String {
    let (prefix, rest) = match base.find("://") {
        Some(i) => {
            let after = &base[i + 3..];
            let host_end = after.find('/').map_or(base.len(), |j| i + 3 + j);
            (&base[..host_end], &base[host_end..])
        }
        None => ("", base),
    };
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in std::iter::once(path).chain(segments.iter().copied()) {
        for p in seg.split('/') {
            match p {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                p => parts.push(p),
            }
        }
    }
    let mut out = format!("{prefix}/{}", parts.join("/"));
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::join_path;

    #[test]
    fn joins_like_go_path_join() {
        assert_eq!(
            join_path(
                "https://alert.victorops.com/integrations/generic/20131114/alert",
                &["key", "rk"]
            ),
            "https://alert.victorops.com/integrations/generic/20131114/alert/key/rk"
        );
        assert_eq!(join_path("http://h:1/a/", &["b/", "c"]), "http://h:1/a/b/c");
        assert_eq!(join_path("http://h:1", &["x"]), "http://h:1/x");
    }
}
