//! The `snmptrap` handler (`.snmpTrap(oid)`): an SNMPv2c trap over UDP with the trap OID
//! and the handler's data varbinds, their values templates over the event
//! (`[snmptrap]`, services/snmptrap). The BER encoding is written here.

use std::net::UdpSocket;

use kapa_engine::AlertEvent;
use serde_json::{Map, Value};

use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;
use crate::template::{Template, template_data};

/// sysUpTime.0 and snmpTrapOID.0.
const SYS_UP_TIME: &str = "1.3.6.1.2.1.1.3.0";
const SNMP_TRAP_OID: &str = "1.3.6.1.6.3.1.1.4.1.0";

/// One `.data(oid, type, value)`.
#[derive(Debug)]
struct Data {
    oid: String,
    kind: String,
    value: Template,
}

/// Sends a trap for each event.
#[derive(Debug)]
pub struct SnmpTrapHandler {
    enabled: bool,
    addr: String,
    community: String,
    trap_oid: String,
    data: Vec<Data>,
    request_id: i32,
}

impl SnmpTrapHandler {
    /// Builds the handler from the options `trap-oid` and `data-list`
    /// (`[{oid, type, value}]`) over the `[snmptrap]` section.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("snmptrap", options);
        let c = services.section("snmptrap", "snmptrap");
        let mut data = Vec::new();
        match o.get("data-list") {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                for d in list {
                    let f = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                    data.push(Data {
                        oid: f("oid"),
                        kind: f("type"),
                        value: Template::parse(&f("value"), false).map_err(|e| {
                            AlertError::Handler {
                                kind: "snmptrap".into(),
                                reason: e,
                            }
                        })?,
                    });
                }
            }
            Some(_) => return Err(o.err("data-list", "must be a list of {oid, type, value}")),
        }
        Ok(SnmpTrapHandler {
            enabled: c.bool("enabled")?,
            addr: c.string_or("addr", "localhost:162")?,
            community: c.string_or("community", "kapacitor")?,
            trap_oid: o.string("trap-oid")?,
            data,
            request_id: 1,
        })
    }
}

/// A BER TLV.
fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 128 {
        out.push(n as u8);
    } else {
        let bytes: Vec<u8> = n
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend_from_slice(&bytes);
    }
    out.extend_from_slice(content);
    out
}

/// A signed INTEGER in the fewest bytes.
fn int_bytes(v: i64) -> Vec<u8> {
    let b = v.to_be_bytes();
    let mut i = 0;
    while i < 7 && ((b[i] == 0 && b[i + 1] & 0x80 == 0) || (b[i] == 0xff && b[i + 1] & 0x80 != 0)) {
        i += 1;
    }
    b[i..].to_vec()
}

/// An unsigned application value (TimeTicks, Counter64) in the fewest bytes.
fn uint_bytes(v: u64) -> Vec<u8> {
    let b = v.to_be_bytes();
    let mut i = b.iter().position(|x| *x != 0).unwrap_or(7);
    if b[i] & 0x80 != 0 {
        // A leading zero keeps it positive.
        return [&[0u8][..], &b[i..]].concat();
    }
    if i > 7 {
        i = 7;
    }
    b[i..].to_vec()
}

fn oid(s: &str) -> Result<Vec<u8>, String> {
    let arcs: Vec<u64> = s
        .trim_start_matches('.')
        .split('.')
        .map(|p| p.parse::<u64>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("invalid OID {s:?}"))?;
    if arcs.len() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40) {
        return Err(format!("invalid OID {s:?}"));
    }
    let mut out = Vec::new();
    let mut push = |mut v: u64| {
        let mut tmp = vec![(v & 0x7f) as u8];
        v >>= 7;
        while v > 0 {
            tmp.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        out.extend(tmp.iter().rev());
    };
    push(arcs[0] * 40 + arcs[1]);
    for a in &arcs[2..] {
        push(*a);
    }
    Ok(tlv(0x06, &out))
}

fn varbind(name: &str, value: Vec<u8>) -> Result<Vec<u8>, String> {
    Ok(tlv(0x30, &[oid(name)?, value].concat()))
}

/// The encoded value of a `.data()` type, with Kapacitor's errors for the types it refuses.
fn value(kind: &str, v: &str) -> Result<Vec<u8>, String> {
    let int = |v: &str| {
        v.parse::<i64>()
            .map_err(|e| format!("strconv.ParseInt: parsing {v:?}: {e}"))
    };
    match kind {
        "a" => Err("Snmptrap Datatype 'IP address' not supported".into()),
        // Kapacitor sends counters as Counter64.
        "c" => Ok(tlv(0x46, &uint_bytes(int(v)? as u64))),
        "d" => Err("Snmptrap Datatype 'Decimal string' not supported".into()),
        "i" => Ok(tlv(0x02, &int_bytes(i64::from(int(v)? as i32)))),
        "n" => Ok(tlv(0x05, &[])),
        "o" => Err("Snmptrap Datatype 'Object ID' not supported".into()),
        "s" => Ok(tlv(0x04, v.as_bytes())),
        "t" => Ok(tlv(0x43, &uint_bytes(u64::from(int(v)? as u32)))),
        "u" => Err("Snmptrap Datatype 'Unsigned integer' not supported".into()),
        "x" => Err("Snmptrap Datatype 'Hexadecimal string' not supported".into()),
        other => Err(format!("Snmptrap Datatype not known: {other}")),
    }
}

impl SnmpTrapHandler {
    /// The SNMPv2c message of one trap.
    fn message(&self, event: &AlertEvent, request_id: i32) -> Result<Vec<u8>, String> {
        let td = template_data(event);
        let mut binds = varbind(SYS_UP_TIME, tlv(0x43, &uint_bytes(1000)))?;
        let trap =
            oid(&self.trap_oid).map_err(|_| format!("invalid trap Oid {:?}", self.trap_oid))?;
        binds.extend(tlv(0x30, &[oid(SNMP_TRAP_OID)?, trap].concat()));
        for d in &self.data {
            let v = d
                .value
                .render(&td)
                .map_err(|e| format!("failed to handle event: {e}"))?;
            let name = oid(&d.oid).map_err(|_| format!("invalid data Oid {:?}", d.oid))?;
            binds.extend(tlv(0x30, &[name, value(&d.kind, &v)?].concat()));
        }
        let pdu = tlv(
            0xA7,
            &[
                tlv(0x02, &int_bytes(i64::from(request_id))),
                tlv(0x02, &[0]),
                tlv(0x02, &[0]),
                tlv(0x30, &binds),
            ]
            .concat(),
        );
        Ok(tlv(
            0x30,
            &[tlv(0x02, &[1]), tlv(0x04, self.community.as_bytes()), pdu].concat(),
        ))
    }
}

impl Deliver for SnmpTrapHandler {
    fn kind(&self) -> &'static str {
        "snmptrap"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        if !self.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        self.request_id = self.request_id.wrapping_add(1).max(1);
        let msg = self
            .message(event, self.request_id)
            .map_err(Failure::Permanent)?;
        let sock = UdpSocket::bind(if self.addr.starts_with('[') {
            "[::]:0"
        } else {
            "0.0.0.0:0"
        })
        .map_err(|e| Failure::transient(format!("failed to send SNMP trap: {e}")))?;
        sock.send_to(&msg, &self.addr)
            .map(|_| ())
            .map_err(|e| Failure::transient(format!("failed to send SNMP trap: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ber_pieces() {
        assert_eq!(
            oid("1.3.6.1.2.1.1.3.0").unwrap(),
            [6, 8, 0x2b, 6, 1, 2, 1, 1, 3, 0]
        );
        assert_eq!(int_bytes(0), [0]);
        assert_eq!(int_bytes(128), [0, 128]);
        assert_eq!(int_bytes(-1), [0xff]);
        assert_eq!(uint_bytes(1000), [0x03, 0xe8]);
        assert_eq!(uint_bytes(200), [0, 200]);
        assert_eq!(
            value("a", "1").unwrap_err(),
            "Snmptrap Datatype 'IP address' not supported"
        );
    }
}
