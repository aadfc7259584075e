//! A blocking HTTP client for InfluxDB 1.x: `/ping`, `/query` (epoch=ns) and gzip `/write`,
//! failing over between the configured URLs.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crate::result::Response;
use crate::{InfluxError, TlsOptions};

/// What a client is built from.
#[derive(Debug, Clone, Default)]
pub struct ClientConfig {
    /// Base URLs (`http://host:8086`).
    pub urls: Vec<String>,
    /// Basic auth user (empty: none).
    pub username: String,
    /// Basic auth password.
    pub password: String,
    /// Token auth (wins over basic auth).
    pub token: String,
    /// Timeout of a whole request (zero: none).
    pub timeout: Duration,
    /// TLS options.
    pub tls: TlsOptions,
    /// gzip write bodies.
    pub gzip: bool,
}

/// Where a write goes: database, retention policy, precision, consistency.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct WriteTarget {
    /// Database.
    pub database: String,
    /// Retention policy (empty: the database's default).
    pub retention_policy: String,
    /// `ns`, `u`, `ms`, `s`, `m`, `h` (empty: ns).
    pub precision: String,
    /// `one`, `any`, `quorum`, `all` (empty: not sent).
    pub consistency: String,
}

/// The InfluxDB HTTP client.
pub struct Client {
    agent: ureq::Agent,
    urls: Vec<String>,
    /// The URL that answered last; requests start there.
    current: AtomicUsize,
    auth: Option<String>,
    gzip: bool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("urls", &self.urls).finish()
    }
}

fn read_file(path: &str, what: &str) -> Result<Vec<u8>, InfluxError> {
    std::fs::read(path).map_err(|e| InfluxError::Config(format!("reading {what} {path:?}: {e}")))
}

fn tls_config(t: &TlsOptions) -> Result<ureq::tls::TlsConfig, InfluxError> {
    let mut b = ureq::tls::TlsConfig::builder().disable_verification(t.insecure_skip_verify);
    if !t.ca.is_empty() {
        let pem = read_file(&t.ca, "ssl-ca")?;
        let mut certs = Vec::new();
        for item in ureq::tls::parse_pem(&pem) {
            if let Ok(ureq::tls::PemItem::Certificate(c)) = item {
                certs.push(c);
            }
        }
        if certs.is_empty() {
            return Err(InfluxError::Config(format!(
                "ssl-ca {:?} holds no certificate",
                t.ca
            )));
        }
        b = b.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
    }
    if !t.cert.is_empty() {
        let cert_pem = read_file(&t.cert, "ssl-cert")?;
        let key_path = if t.key.is_empty() { &t.cert } else { &t.key };
        let key_pem = read_file(key_path, "ssl-key")?;
        let chain: Vec<_> = ureq::tls::parse_pem(&cert_pem)
            .filter_map(|i| match i {
                Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
                _ => None,
            })
            .collect();
        let key = ureq::tls::PrivateKey::from_pem(&key_pem)
            .map_err(|e| InfluxError::Config(format!("ssl-key {key_path:?}: {e}")))?;
        b = b.client_cert(Some(ureq::tls::ClientCert::new_with_certs(&chain, key)));
    }
    Ok(b.build())
}

/// Transport failures are transient; the message names the URL.
fn transport_error(url: &str, e: ureq::Error) -> InfluxError {
    InfluxError::Unavailable(format!("{url}: {e}"))
}

/// InfluxDB's error answer: `{"error": "..."}` or the body as text.
fn http_error(status: u16, body: &str) -> InfluxError {
    let message = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_string))
        .unwrap_or_else(|| body.trim().to_string());
    let message = if message.is_empty() {
        format!("InfluxDB answered HTTP {status}")
    } else {
        message
    };
    InfluxError::Http { status, message }
}

impl Client {
    /// Builds a client; fails on unreadable TLS files or no URL.
    pub fn new(cfg: &ClientConfig) -> Result<Client, InfluxError> {
        if cfg.urls.is_empty() {
            return Err(InfluxError::Config("no InfluxDB URL configured".into()));
        }
        let agent = ureq::Agent::config_builder()
            .timeout_global((!cfg.timeout.is_zero()).then_some(cfg.timeout))
            // Without a global timeout, still never hang forever on connect.
            .timeout_connect(Some(Duration::from_secs(10)))
            .http_status_as_error(false)
            .tls_config(tls_config(&cfg.tls)?)
            .user_agent("KapacitorInfluxDBClient")
            .build()
            .new_agent();
        let auth = if !cfg.token.is_empty() {
            Some(format!("Token {}", cfg.token))
        } else if !cfg.username.is_empty() {
            Some(kapa_models::httppost::basic_auth_header(
                &cfg.username,
                &cfg.password,
            ))
        } else {
            None
        };
        Ok(Client {
            agent,
            urls: cfg
                .urls
                .iter()
                .map(|u| u.trim_end_matches('/').to_string())
                .collect(),
            current: AtomicUsize::new(0),
            auth,
            gzip: cfg.gzip,
        })
    }

    /// The configured URLs.
    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// Runs `f` against each URL in turn, starting with the last one that answered, until
    /// one answers (an HTTP error status is an answer).
    fn with_failover<T>(
        &self,
        mut f: impl FnMut(&str) -> Result<T, InfluxError>,
    ) -> Result<T, InfluxError> {
        let n = self.urls.len();
        let first = self.current.load(Ordering::Relaxed) % n;
        let mut last = None;
        for k in 0..n {
            let i = (first + k) % n;
            match f(&self.urls[i]) {
                Err(e @ InfluxError::Unavailable(_)) => last = Some(e),
                other => {
                    self.current.store(i, Ordering::Relaxed);
                    return other;
                }
            }
        }
        Err(last.unwrap_or_else(|| InfluxError::Unavailable("no InfluxDB URL".into())))
    }

    /// `GET /ping`; returns the `X-Influxdb-Version` header.
    pub fn ping(&self) -> Result<String, InfluxError> {
        self.with_failover(|base| {
            let url = format!("{base}/ping");
            let mut req = self.agent.get(&url);
            if let Some(a) = &self.auth {
                req = req.header("Authorization", a);
            }
            let resp = req.call().map_err(|e| transport_error(&url, e))?;
            let status = resp.status().as_u16();
            let version = resp
                .headers()
                .get("x-influxdb-version")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            if (200..300).contains(&status) {
                Ok(version)
            } else {
                let mut resp = resp;
                let body = resp.body_mut().read_to_string().unwrap_or_default();
                Err(http_error(status, &body))
            }
        })
    }

    /// `POST /query?q=...&epoch=ns` (optionally with `db`/`rp`); the whole response.
    pub fn query(&self, db: &str, rp: &str, q: &str) -> Result<Response, InfluxError> {
        self.with_failover(|base| {
            let url = format!("{base}/query");
            let mut req = self.agent.post(&url).query("q", q).query("epoch", "ns");
            if !db.is_empty() {
                req = req.query("db", db);
            }
            if !rp.is_empty() {
                req = req.query("rp", rp);
            }
            if let Some(a) = &self.auth {
                req = req.header("Authorization", a);
            }
            let mut resp = req.send_empty().map_err(|e| transport_error(&url, e))?;
            let status = resp.status().as_u16();
            let body = resp
                .body_mut()
                .with_config()
                .limit(1 << 30)
                .read_to_string()
                .map_err(|e| InfluxError::Unavailable(format!("{url}: reading the answer: {e}")))?;
            if !(200..300).contains(&status) {
                return Err(http_error(status, &body));
            }
            let r: Response = serde_json::from_str(&body)
                .map_err(|e| InfluxError::Decode(format!("invalid answer from {url}: {e}")))?;
            if let Some(e) = &r.error {
                return Err(InfluxError::Result(e.clone()));
            }
            Ok(r)
        })
    }

    /// `POST /write` of a line-protocol body (gzipped when configured).
    pub fn write(&self, target: &WriteTarget, body: &[u8]) -> Result<(), InfluxError> {
        let gz;
        let payload: &[u8] = if self.gzip {
            let mut enc = flate2::write::GzEncoder::new(
                Vec::with_capacity(body.len() / 4 + 64),
                flate2::Compression::fast(),
            );
            gz = enc
                .write_all(body)
                .and_then(|_| enc.finish())
                .map_err(|e| InfluxError::Decode(format!("gzip: {e}")))?;
            &gz
        } else {
            body
        };
        self.with_failover(|base| {
            let url = format!("{base}/write");
            let mut req = self.agent.post(&url).query("db", &target.database);
            if !target.retention_policy.is_empty() {
                req = req.query("rp", &target.retention_policy);
            }
            if !target.precision.is_empty() {
                req = req.query("precision", &target.precision);
            }
            if !target.consistency.is_empty() {
                req = req.query("consistency", &target.consistency);
            }
            if let Some(a) = &self.auth {
                req = req.header("Authorization", a);
            }
            if self.gzip {
                req = req.header("Content-Encoding", "gzip");
            }
            let mut resp = req
                .content_type("text/plain; charset=utf-8")
                .send(payload)
                .map_err(|e| transport_error(&url, e))?;
            let status = resp.status().as_u16();
            if (200..300).contains(&status) {
                return Ok(());
            }
            let body = resp.body_mut().read_to_string().unwrap_or_default();
            Err(http_error(status, &body))
        })
    }
}
