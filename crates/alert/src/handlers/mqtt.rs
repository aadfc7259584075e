//! The `mqtt` handler (`.mqtt(topic)`): publishes the event message to a broker of
//! `[[mqtt]]` (services/mqtt). A small MQTT 3.1.1 publisher over blocking TCP or TLS: one
//! connection per broker shared by its handlers, acknowledgements (QoS 1 and 2) awaited
//! before an event counts as delivered.

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::{Arc, LazyLock, Weak};
use std::time::{Duration, Instant};

use kapa_engine::AlertEvent;
use parking_lot::Mutex;
use serde_json::{Map, Value};

use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;
use crate::template::{Template, template_data};

/// Connect, write and acknowledgement timeout.
const TIMEOUT: Duration = Duration::from_secs(10);
/// A connection idle this long is checked with a ping before it is used.
const IDLE_CHECK: Duration = Duration::from_secs(30);

/// Open broker connections by URL and client id, shared by the handlers that use them.
static BROKERS: LazyLock<Mutex<HashMap<String, Weak<Mutex<Broker>>>>> =
    LazyLock::new(Mutex::default);

/// A connection to a broker, plain or TLS.
enum Stream {
    Plain(TcpStream),
    Tls(Box<rustls::StreamOwned<rustls::ClientConnection, TcpStream>>),
}

impl std::fmt::Debug for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stream::Plain(_) => "Plain",
            Stream::Tls(_) => "Tls",
        })
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// TLS settings of an `ssl://` broker.
struct Tls {
    config: Arc<rustls::ClientConfig>,
    server_name: rustls_pki_types::ServerName<'static>,
}

impl std::fmt::Debug for Tls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tls")
            .field("server_name", &self.server_name)
            .finish()
    }
}

/// One broker: its settings and the current connection.
#[derive(Debug)]
struct Broker {
    addr: String,
    tls: Option<Tls>,
    client_id: String,
    username: String,
    password: String,
    conn: Option<Stream>,
    last_used: Instant,
    next_packet_id: u16,
}

/// Publishes each event's message.
#[derive(Debug)]
pub struct MqttHandler {
    /// The broker, or Kapacitor's error when none is usable.
    broker: Result<Arc<Mutex<Broker>>, String>,
    topic: String,
    topic_template: Option<Template>,
    qos: u8,
    retained: bool,
}

fn qos_of(o: &Options<'_>) -> Result<u8, AlertError> {
    match o.get("qos") {
        None | Some(Value::Null) => Ok(0),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(q @ 0..=2) => Ok(q as u8),
            _ => Err(o.err("qos", "invalid QoS")),
        },
        Some(Value::String(s)) => match s.as_str() {
            "at-most-once" => Ok(0),
            "at-least-once" => Ok(1),
            "exactly-once" | "exactly-one" => Ok(2),
            _ => Err(o.err("qos", "invalid QoS")),
        },
        Some(_) => Err(o.err("qos", "invalid QoS")),
    }
}

/// `host:port` of a broker URL and whether it uses TLS (`ssl://`, `tls://`, `mqtts://`).
fn broker_addr(url: &str) -> Result<(String, bool), String> {
    let (rest, tls) = match url.split_once("://") {
        Some(("tcp" | "mqtt", rest)) => (rest, false),
        Some(("ssl" | "tls" | "mqtts", rest)) => (rest, true),
        Some((scheme, _)) => {
            return Err(format!(
                "MQTT broker URL scheme {scheme:?} is not supported by this build (tcp:// or ssl://)"
            ));
        }
        None => (url, false),
    };
    let host = rest.trim_end_matches('/');
    if host.is_empty() {
        return Err(format!("invalid MQTT broker URL {url:?}"));
    }
    let has_port = host
        .rsplit_once(':')
        .is_some_and(|(_, p)| p.parse::<u16>().is_ok());
    let addr = if has_port {
        host.to_string()
    } else {
        format!("{host}:{}", if tls { 8883 } else { 1883 })
    };
    Ok((addr, tls))
}

/// The host of `host:port` (brackets of an IPv6 address removed).
fn host_of(addr: &str) -> &str {
    let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h);
    host.trim_start_matches('[').trim_end_matches(']')
}

impl MqttHandler {
    /// Builds the handler from the options `broker-name`, `topic`, `topic-template`, `qos`
    /// and `retained` over the `[[mqtt]]` brokers.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("mqtt", options);
        let name = o.string("broker-name")?;
        let broker = services
            .element("mqtt", "mqtt", "name", &name)
            .map_err(|_| format!("unknown MQTT broker {name:?}"))
            .and_then(|c| {
                if !c.bool("enabled").unwrap_or(false) {
                    return Err(format!("unknown MQTT broker {name:?}"));
                }
                let (addr, use_tls) = broker_addr(&c.string("url").unwrap_or_default())?;
                let tls = if use_tls {
                    let config = super::tls::client_config(
                        &c.string("ssl-ca").unwrap_or_default(),
                        &c.string("ssl-cert").unwrap_or_default(),
                        &c.string("ssl-key").unwrap_or_default(),
                        c.bool("insecure-skip-verify").unwrap_or(false),
                    )?;
                    let server_name =
                        rustls_pki_types::ServerName::try_from(host_of(&addr).to_string())
                            .map_err(|e| format!("invalid MQTT broker host {addr:?}: {e}"))?;
                    Some(Tls {
                        config,
                        server_name,
                    })
                } else {
                    None
                };
                // The client id defaults to the broker's name.
                let client_id = c
                    .string_or("client-id", &c.string("name").unwrap_or_default())
                    .unwrap_or_default();
                let key = format!("{addr}\u{0}{client_id}");
                let mut brokers = BROKERS.lock();
                brokers.retain(|_, w| w.strong_count() > 0);
                if let Some(b) = brokers.get(&key).and_then(Weak::upgrade) {
                    return Ok(b);
                }
                let b = Arc::new(Mutex::new(Broker {
                    addr,
                    tls,
                    client_id,
                    username: c.string("username").unwrap_or_default(),
                    password: c.string("password").unwrap_or_default(),
                    conn: None,
                    last_used: Instant::now(),
                    next_packet_id: 1,
                }));
                brokers.insert(key, Arc::downgrade(&b));
                Ok(b)
            });
        let tt = o.string("topic-template")?;
        let topic_template = if tt.is_empty() {
            None
        } else {
            Some(
                Template::parse(&tt, false).map_err(|e| AlertError::Handler {
                    kind: "mqtt".into(),
                    reason: e,
                })?,
            )
        };
        Ok(MqttHandler {
            broker,
            topic: o.string("topic")?,
            topic_template,
            qos: qos_of(&o)?,
            retained: o.bool("retained")?,
        })
    }
}

/// MQTT's variable-length "remaining length".
fn put_len(out: &mut Vec<u8>, mut n: usize) {
    loop {
        let mut b = (n % 128) as u8;
        n /= 128;
        if n > 0 {
            b |= 0x80;
        }
        out.push(b);
        if n == 0 {
            break;
        }
    }
}

fn put_str(out: &mut Vec<u8>, s: &[u8]) {
    out.extend_from_slice(&(s.len() as u16).to_be_bytes());
    out.extend_from_slice(s);
}

fn packet(first: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + 5);
    out.push(first);
    put_len(&mut out, body.len());
    out.extend_from_slice(body);
    out
}

/// Reads one packet: (type and flags byte, body).
fn read_packet(s: &mut impl Read) -> std::io::Result<(u8, Vec<u8>)> {
    let mut first = [0u8; 1];
    s.read_exact(&mut first)?;
    let mut len = 0usize;
    let mut shift = 0;
    loop {
        let mut b = [0u8; 1];
        s.read_exact(&mut b)?;
        len |= usize::from(b[0] & 0x7f) << shift;
        if b[0] & 0x80 == 0 {
            break;
        }
        shift += 7;
        if shift > 21 {
            return Err(std::io::Error::other("malformed remaining length"));
        }
    }
    let mut body = vec![0u8; len];
    s.read_exact(&mut body)?;
    Ok((first[0], body))
}

fn io_fail(what: &str, e: std::io::Error) -> Failure {
    Failure::transient(format!(
        "failed to post message to MQTT broker: {what}: {e}"
    ))
}

impl Broker {
    fn connect(&mut self) -> Result<Stream, Failure> {
        let addr = self
            .addr
            .to_socket_addrs()
            .map_err(|e| io_fail("resolve", e))?
            .next()
            .ok_or_else(|| Failure::transient(format!("no address for {}", self.addr)))?;
        let s = TcpStream::connect_timeout(&addr, TIMEOUT).map_err(|e| io_fail("connect", e))?;
        s.set_read_timeout(Some(TIMEOUT))
            .map_err(|e| io_fail("connect", e))?;
        s.set_write_timeout(Some(TIMEOUT))
            .map_err(|e| io_fail("connect", e))?;
        let _ = s.set_nodelay(true);
        let mut s = match &self.tls {
            None => Stream::Plain(s),
            Some(t) => {
                let conn = rustls::ClientConnection::new(t.config.clone(), t.server_name.clone())
                    .map_err(|e| {
                    Failure::Permanent(format!("failed to connect to MQTT broker: {e}"))
                })?;
                Stream::Tls(Box::new(rustls::StreamOwned::new(conn, s)))
            }
        };
        let mut body = Vec::new();
        put_str(&mut body, b"MQTT");
        body.push(4);
        let mut flags = 0x02; // clean session
        if !self.username.is_empty() {
            flags |= 0x80;
            if !self.password.is_empty() {
                flags |= 0x40;
            }
        }
        body.push(flags);
        // No keep-alive: the connection is checked with a ping after idling instead.
        body.extend_from_slice(&0u16.to_be_bytes());
        put_str(&mut body, self.client_id.as_bytes());
        if !self.username.is_empty() {
            put_str(&mut body, self.username.as_bytes());
            if !self.password.is_empty() {
                put_str(&mut body, self.password.as_bytes());
            }
        }
        s.write_all(&packet(0x10, &body))
            .map_err(|e| io_fail("connect", e))?;
        let (t, b) = read_packet(&mut s).map_err(|e| io_fail("connect", e))?;
        if t != 0x20 || b.len() < 2 {
            return Err(Failure::transient(
                "failed to connect to MQTT broker: no CONNACK",
            ));
        }
        let reason = match b[1] {
            0 => return Ok(s),
            1 => "unacceptable protocol version",
            2 => "identifier rejected",
            3 => "server unavailable",
            4 => "bad user name or password",
            5 => "not authorized",
            _ => "refused",
        };
        let msg = format!(
            "failed to connect to MQTT broker {}: connection refused: {reason}",
            self.addr
        );
        Err(if b[1] == 3 {
            Failure::transient(msg)
        } else {
            Failure::Permanent(msg)
        })
    }

    /// A live connection: reconnects when there is none or an idle one no longer answers.
    fn conn(&mut self) -> Result<&mut Stream, Failure> {
        if let Some(c) = &mut self.conn
            && self.last_used.elapsed() > IDLE_CHECK
        {
            let alive =
                c.write_all(&[0xC0, 0x00]).is_ok() && matches!(read_packet(c), Ok((0xD0, _)));
            if !alive {
                self.conn = None;
            }
        }
        if self.conn.is_none() {
            self.conn = Some(self.connect()?);
        }
        self.conn
            .as_mut()
            .ok_or_else(|| Failure::transient("no MQTT connection"))
    }

    fn publish(
        &mut self,
        topic: &str,
        qos: u8,
        retained: bool,
        payload: &[u8],
    ) -> Result<(), Failure> {
        let id = self.next_packet_id;
        self.next_packet_id = self.next_packet_id.checked_add(1).unwrap_or(1);
        let mut body = Vec::with_capacity(topic.len() + payload.len() + 4);
        put_str(&mut body, topic.as_bytes());
        if qos > 0 {
            body.extend_from_slice(&id.to_be_bytes());
        }
        body.extend_from_slice(payload);
        let first = 0x30 | (qos << 1) | u8::from(retained);
        let result = self.exchange(&packet(first, &body), qos, id);
        self.last_used = Instant::now();
        if result.is_err() {
            // A failed exchange leaves the session in an unknown state.
            self.conn = None;
        }
        result
    }

    fn exchange(&mut self, publish: &[u8], qos: u8, id: u16) -> Result<(), Failure> {
        let c = self.conn()?;
        c.write_all(publish).map_err(|e| io_fail("publish", e))?;
        if qos == 0 {
            return Ok(());
        }
        let want = if qos == 1 { 0x40 } else { 0x50 };
        let wait_for = |c: &mut Stream, t: u8| -> Result<(), Failure> {
            loop {
                let (got, b) = read_packet(c).map_err(|e| io_fail("acknowledgement", e))?;
                if got & 0xF0 == t & 0xF0 && b.len() >= 2 && u16::from_be_bytes([b[0], b[1]]) == id
                {
                    return Ok(());
                }
            }
        };
        wait_for(c, want)?;
        if qos == 2 {
            let mut rel = vec![0x62, 0x02];
            rel.extend_from_slice(&id.to_be_bytes());
            c.write_all(&rel)
                .map_err(|e| io_fail("publish release", e))?;
            wait_for(c, 0x70)?;
        }
        Ok(())
    }
}

impl Deliver for MqttHandler {
    fn kind(&self) -> &'static str {
        "mqtt"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        let topic = match &self.topic_template {
            Some(t) => t
                .render(&template_data(event))
                .map_err(|e| Failure::Permanent(format!("failed to render topic template: {e}")))?,
            None => self.topic.clone(),
        };
        if topic.is_empty() {
            return Err(Failure::Permanent("missing MQTT topic".into()));
        }
        if topic.len() > usize::from(u16::MAX) {
            return Err(Failure::Permanent(
                "MQTT topic longer than 65535 bytes".into(),
            ));
        }
        let broker = self
            .broker
            .as_ref()
            .map_err(|e| Failure::Permanent(e.clone()))?;
        broker.lock().publish(
            &topic,
            self.qos,
            self.retained,
            event.data.message.as_bytes(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remaining_length_encoding() {
        let mut v = Vec::new();
        put_len(&mut v, 321);
        assert_eq!(v, [0xC1, 0x02]);
        assert_eq!(
            broker_addr("tcp://localhost:1883").unwrap(),
            ("localhost:1883".to_string(), false)
        );
        assert_eq!(
            broker_addr("tcp://h").unwrap(),
            ("h:1883".to_string(), false)
        );
        assert_eq!(
            broker_addr("ssl://h").unwrap(),
            ("h:8883".to_string(), true)
        );
        assert!(broker_addr("ws://h:80").is_err());
        assert_eq!(host_of("[::1]:8883"), "::1");
    }
}
