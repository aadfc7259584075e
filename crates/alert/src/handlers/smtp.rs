//! The `smtp` handler (`.email()`): an HTML mail whose subject is the event message and
//! whose body is its details (`[smtp]`, services/smtp).

use std::time::Duration;

use kapa_engine::AlertEvent;
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{SmtpTransport, Transport};
use serde_json::{Map, Value};

use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;
use crate::template::{Template, template_data};

/// Connect and command timeout (gomail waits as long as the OS does).
const TIMEOUT: Duration = Duration::from_secs(30);

/// The `[smtp]` settings.
#[derive(Debug, Clone)]
struct Server {
    enabled: bool,
    host: String,
    port: u16,
    username: String,
    password: String,
    no_verify: bool,
    from: String,
    to: Vec<String>,
}

/// Mails each event.
pub struct SmtpHandler {
    server: Server,
    to: Vec<String>,
    to_templates: Vec<Template>,
    transport: Option<SmtpTransport>,
}

impl std::fmt::Debug for SmtpHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpHandler")
            .field("server", &self.server.host)
            .field("to", &self.to)
            .finish_non_exhaustive()
    }
}

impl SmtpHandler {
    /// Builds the handler from the options `to` and `to-field` (templates over the event's
    /// data that render more recipients; default: `[smtp] toTemplates`) over `[smtp]`.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("smtp", options);
        let c = services.section("smtp", "smtp");
        let port = match c.int("port")? {
            0 => 25,
            p => u16::try_from(p).map_err(|_| c.err("port", "must be a TCP port"))?,
        };
        let server = Server {
            enabled: c.bool("enabled")?,
            host: c.string_or("host", "localhost")?,
            port,
            username: c.string("username")?,
            password: c.string("password")?,
            no_verify: c.bool("no-verify")?,
            from: c.string("from")?,
            to: c.strings("to")?,
        };
        // Kapacitor's option key is `to-field`; `to-templates` is accepted too.
        let mut templates = o.strings("to-field")?;
        templates.extend(o.strings("to-templates")?);
        if templates.is_empty() {
            templates = c.strings("toTemplates")?;
        }
        let to_templates = templates
            .iter()
            .map(|t| {
                Template::parse(t, false).map_err(|e| AlertError::Handler {
                    kind: "smtp".into(),
                    reason: e,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(SmtpHandler {
            server,
            to: o.strings("to")?,
            to_templates,
            transport: None,
        })
    }

    /// The transport, made once: TLS on connect for port 465, else STARTTLS when the
    /// server offers it (as gomail does), plain auth when a username is set.
    fn transport(&mut self) -> Result<&SmtpTransport, Failure> {
        if self.transport.is_none() {
            let s = &self.server;
            let params = TlsParameters::builder(s.host.clone())
                .dangerous_accept_invalid_certs(s.no_verify)
                .dangerous_accept_invalid_hostnames(s.no_verify)
                .build()
                .map_err(|e| Failure::Permanent(format!("smtp TLS settings: {e}")))?;
            let tls = if s.port == 465 {
                Tls::Wrapper(params)
            } else {
                Tls::Opportunistic(params)
            };
            let mut b = SmtpTransport::builder_dangerous(&s.host)
                .port(s.port)
                .tls(tls)
                .timeout(Some(TIMEOUT));
            if !s.username.is_empty() {
                b = b.credentials(Credentials::new(s.username.clone(), s.password.clone()));
            }
            self.transport = Some(b.build());
        }
        self.transport
            .as_ref()
            .ok_or_else(|| Failure::Permanent("no smtp transport".into()))
    }

    fn message(&self, event: &AlertEvent) -> Result<Message, Failure> {
        let mut to = if self.to.is_empty() {
            self.server.to.clone()
        } else {
            self.to.clone()
        };
        if !self.to_templates.is_empty() {
            let td = template_data(event);
            for t in &self.to_templates {
                let addr = t.render(&td).map_err(|e| {
                    Failure::Permanent(format!("failed to render to-template: {e}"))
                })?;
                if !addr.trim().is_empty() {
                    to.push(addr.trim().to_string());
                }
            }
        }
        if to.is_empty() {
            return Err(Failure::Permanent(
                "not sending email, no recipients defined".into(),
            ));
        }
        let bad = |what: &str, a: &str, e: lettre::address::AddressError| {
            Failure::Permanent(format!("invalid {what} address {a:?}: {e}"))
        };
        let from: Mailbox = self
            .server
            .from
            .parse()
            .map_err(|e| bad("from", &self.server.from, e))?;
        let mut m = Message::builder().from(from);
        for a in &to {
            m = m.to(a.parse::<Mailbox>().map_err(|e| bad("to", a, e))?);
        }
        m.subject(event.data.message.clone())
            .header(ContentType::TEXT_HTML)
            .body(event.data.details.clone())
            .map_err(|e| Failure::Permanent(format!("failed to build email: {e}")))
    }
}

impl Deliver for SmtpHandler {
    fn kind(&self) -> &'static str {
        "smtp"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        if !self.server.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        let m = self.message(event)?;
        match self.transport()?.send(&m) {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(Failure::Permanent(format!("error sending: {e}"))),
            Err(e) => Err(Failure::transient(format!("error sending: {e}"))),
        }
    }
}
