//! UDP line-protocol listeners: `[[udp]]` inputs and the per-db/rp listeners of UDP
//! subscriptions. Each datagram is parsed as line protocol (bad lines are logged and
//! skipped) and written to the engine like a `/write` body.

use std::net::UdpSocket;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kapa_models::{Point, Precision};
use serde::Deserialize;

use crate::ServerError;

/// Where received points go: `(db, rp, points)`.
pub type Ingest = Arc<dyn Fn(&str, &str, &[Point]) + Send + Sync>;

/// One `[[udp]]` section.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, rename_all = "kebab-case")]
pub struct UdpConfig {
    /// Listen.
    pub enabled: bool,
    /// `host:port` to bind.
    pub bind_address: String,
    /// Database of the received points.
    pub database: String,
    /// Retention policy of the received points.
    pub retention_policy: String,
    /// Timestamp precision of the datagrams.
    pub precision: String,
}

impl Default for UdpConfig {
    fn default() -> Self {
        UdpConfig {
            enabled: false,
            bind_address: ":9100".into(),
            database: String::new(),
            retention_policy: String::new(),
            precision: String::new(),
        }
    }
}

/// The `[[udp]]` sections of the merged config.
pub fn configs(raw: &toml::Table) -> Result<Vec<UdpConfig>, ServerError> {
    let Some(items) = raw.get("udp").and_then(|v| v.as_array()) else {
        return Ok(Vec::new());
    };
    items
        .iter()
        .map(|v| {
            v.clone()
                .try_into::<UdpConfig>()
                .map_err(|e| ServerError::Config(format!("[[udp]]: {}", e.message())))
        })
        .collect()
}

/// A running listener; stopped when dropped.
pub struct UdpListener {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    addr: std::net::SocketAddr,
}

impl std::fmt::Debug for UdpListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UdpListener")
            .field("addr", &self.addr)
            .finish()
    }
}

/// `:9100` means every interface, as in Go.
fn bind_addr(addr: &str) -> String {
    if addr.is_empty() {
        "0.0.0.0:0".into()
    } else if let Some(port) = addr.strip_prefix(':') {
        format!("0.0.0.0:{port}")
    } else {
        addr.to_string()
    }
}

impl UdpListener {
    /// Binds and starts receiving for `db`/`rp`.
    pub fn start(
        bind: &str,
        db: &str,
        rp: &str,
        precision: &str,
        ingest: Ingest,
    ) -> Result<UdpListener, ServerError> {
        let precision = Precision::parse(precision)
            .map_err(|e| ServerError::Config(format!("[[udp]] precision: {e}")))?;
        let sock = UdpSocket::bind(bind_addr(bind))
            .map_err(|e| ServerError::Io(format!("udp: binding {bind}: {e}")))?;
        sock.set_read_timeout(Some(Duration::from_millis(200)))
            .map_err(|e| ServerError::Io(format!("udp: {e}")))?;
        let addr = sock
            .local_addr()
            .map_err(|e| ServerError::Io(format!("udp: {e}")))?;
        let stop = Arc::new(AtomicBool::new(false));
        let (s, db, rp) = (stop.clone(), db.to_string(), rp.to_string());
        let thread = std::thread::Builder::new()
            .name("kapa-udp".into())
            .spawn(move || receive(&sock, &s, &db, &rp, precision, &ingest))
            .map_err(|e| ServerError::Io(format!("udp: {e}")))?;
        tracing::info!(service = "udp", addr = %addr, "started listening on UDP");
        Ok(UdpListener {
            stop,
            thread: Some(thread),
            addr,
        })
    }

    /// The bound address.
    pub fn local_addr(&self) -> std::net::SocketAddr {
        self.addr
    }
}

impl Drop for UdpListener {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn receive(
    sock: &UdpSocket,
    stop: &AtomicBool,
    db: &str,
    rp: &str,
    precision: Precision,
    ingest: &Ingest,
) {
    let mut buf = vec![0u8; 64 * 1024];
    let mut points = Vec::new();
    let mut parser = kapa_lineproto::Parser::new();
    while !stop.load(Ordering::Relaxed) {
        let n = match sock.recv_from(&mut buf) {
            Ok((n, _)) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                continue;
            }
            Err(e) => {
                tracing::error!(service = "udp", err = %e, "UDP receive failed");
                std::thread::sleep(Duration::from_millis(100));
                continue;
            }
        };
        points.clear();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as i64)
            .unwrap_or(0);
        let errors = parser.parse_points(&buf[..n], precision, now, &mut points);
        for e in errors.iter().take(3) {
            tracing::warn!(service = "udp", err = %e, "bad line in UDP datagram");
        }
        if !points.is_empty() {
            ingest(db, rp, &points);
        }
    }
}
