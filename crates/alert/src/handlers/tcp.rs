//! The `tcp` handler: one connection per event carrying the `alert.Data` JSON.

use std::io::Write;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use kapa_engine::AlertEvent;
use serde_json::{Map, Value};

use super::options::Options;
use super::{Deliver, Failure};
use crate::AlertError;

/// Connect and write timeout (Kapacitor has none; a dead peer would hold the queue).
const TIMEOUT: Duration = Duration::from_secs(30);

/// Sends each event over a new TCP connection.
#[derive(Debug, Clone, PartialEq)]
pub struct TcpHandler {
    /// `host:port`.
    pub address: String,
}

impl TcpHandler {
    /// Builds the handler from the topic-handler option `address`.
    pub fn from_options(options: &Map<String, Value>) -> Result<Self, AlertError> {
        let o = Options::new("tcp", options);
        let address = o.string("address")?;
        if address.is_empty() {
            return Err(o.err("address", "an address such as host:port is required"));
        }
        Ok(TcpHandler { address })
    }

    fn connect(&self) -> Result<TcpStream, Failure> {
        let addrs = self.address.to_socket_addrs().map_err(|e| {
            // An address without a port can never work; a failed lookup may recover.
            if e.kind() == std::io::ErrorKind::InvalidInput {
                Failure::Permanent(format!("failed to connect to {}: {e}", self.address))
            } else {
                Failure::transient(format!("failed to connect to {}: {e}", self.address))
            }
        })?;
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, TIMEOUT) {
                Ok(s) => return Ok(s),
                Err(e) => last = Some(e),
            }
        }
        Err(Failure::transient(match last {
            Some(e) => format!("failed to connect to {}: {e}", self.address),
            None => format!("failed to connect to {}: no address", self.address),
        }))
    }
}

impl Deliver for TcpHandler {
    fn kind(&self) -> &'static str {
        "tcp"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        let mut body = crate::to_go_json(&event.data)
            .map_err(|e| Failure::Permanent(format!("failed to marshal alert data json: {e}")))?;
        // Kapacitor's json.Encoder ends the object with a newline and the handler
        // writes one more.
        body.push_str("\n\n");
        let mut conn = self.connect()?;
        conn.set_write_timeout(Some(TIMEOUT))
            .and_then(|()| conn.write_all(body.as_bytes()))
            .and_then(|()| conn.flush())
            .map_err(|e| Failure::transient(format!("failed to write to {}: {e}", self.address)))
    }
}
