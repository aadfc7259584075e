//! Handler kinds, one module each, created from handler specs by `create`.

mod alerta;
mod bigpanda;
mod discord;
mod exec;
mod hipchat;
mod http;
#[cfg(feature = "kafka")]
mod kafka;
mod log;
mod mqtt;
mod opsgenie;
mod opsgenie2;
mod options;
mod pagerduty;
mod pagerduty2;
mod post;
mod pushover;
mod sensu;
mod servicenow;
mod services;
mod slack;
mod smtp;
mod snmptrap;
mod talk;
mod tcp;
mod teams;
mod telegram;
mod tls;
mod validate;
mod victorops;
mod zenoss;

pub use exec::ExecHandler;
pub use log::LogHandler;
pub use post::PostHandler;
pub use tcp::TcpHandler;

pub use alerta::AlertaHandler;
pub use bigpanda::BigPandaHandler;
pub use discord::DiscordHandler;
pub use hipchat::HipChatHandler;
#[cfg(feature = "kafka")]
pub use kafka::KafkaHandler;
pub use mqtt::MqttHandler;
pub use opsgenie::OpsGenieHandler;
pub use opsgenie2::OpsGenie2Handler;
pub use pagerduty::PagerDutyHandler;
pub use pagerduty2::PagerDuty2Handler;
pub use pushover::PushoverHandler;
pub use sensu::SensuHandler;
pub use servicenow::ServiceNowHandler;
pub use services::HandlerServices;
pub use slack::SlackHandler;
pub use smtp::SmtpHandler;
pub use snmptrap::SnmpTrapHandler;
pub use talk::TalkHandler;
pub use teams::TeamsHandler;
pub use telegram::TelegramHandler;
pub use validate::validate as validate_services;
pub use victorops::VictorOpsHandler;
pub use zenoss::ZenossHandler;

use std::time::Duration;

use kapa_engine::AlertEvent;
use kapa_pipeline::nodes::HandlerSpec;

use crate::AlertError;
use crate::httppost::Endpoints;

/// Why a delivery failed, which decides whether it is retried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Worth retrying: connection refused, timeout, HTTP 5xx or 429.
    Transient {
        /// What happened.
        reason: String,
        /// The wait the receiver asked for (HTTP `Retry-After`).
        retry_after: Option<Duration>,
    },
    /// Retrying cannot help (HTTP 4xx, bad address, failing command): logged and dropped.
    Permanent(String),
}

impl Failure {
    /// A transient failure without a requested wait.
    pub fn transient(reason: impl Into<String>) -> Failure {
        Failure::Transient {
            reason: reason.into(),
            retry_after: None,
        }
    }
}

/// Something that delivers alert events somewhere; called from the handler's own thread.
pub trait Deliver: Send + std::fmt::Debug {
    /// The topic-handler kind, for logs and statistics.
    fn kind(&self) -> &'static str;
    /// Delivers one event.
    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure>;
}

/// Creates a handler from its spec (kind + options); `endpoints` are the `[[httppost]]` ones,
/// `services` the configuration sections of the other kinds.
pub(crate) fn create(
    spec: &HandlerSpec,
    endpoints: &Endpoints,
    services: &HandlerServices,
) -> Result<Box<dyn Deliver>, AlertError> {
    if services.is_disabled(&spec.kind) {
        return Err(AlertError::Handler {
            kind: spec.kind.clone(),
            reason: "the handler kind is disabled (kapacitord -disable-handlers)".into(),
        });
    }
    let o = &spec.options;
    match spec.kind.as_str() {
        "smtp" => Ok(Box::new(SmtpHandler::from_options(o, services)?)),
        #[cfg(feature = "kafka")]
        "kafka" => Ok(Box::new(KafkaHandler::from_options(o, services)?)),
        "alerta" => Ok(Box::new(AlertaHandler::from_options(o, services)?)),
        "pushover" => Ok(Box::new(PushoverHandler::from_options(o, services)?)),
        "sensu" => Ok(Box::new(SensuHandler::from_options(o, services)?)),
        "snmptrap" => Ok(Box::new(SnmpTrapHandler::from_options(o, services)?)),
        "opsgenie" => Ok(Box::new(OpsGenieHandler::from_options(o, services)?)),
        "hipchat" => Ok(Box::new(HipChatHandler::from_options(o, services)?)),
        "talk" => Ok(Box::new(TalkHandler::from_options(o, services)?)),
        "bigpanda" => Ok(Box::new(BigPandaHandler::from_options(o, services)?)),
        "servicenow" => Ok(Box::new(ServiceNowHandler::from_options(o, services)?)),
        "zenoss" => Ok(Box::new(ZenossHandler::from_options(o, services)?)),
        "mqtt" => Ok(Box::new(MqttHandler::from_options(o, services)?)),
        "slack" => Ok(Box::new(SlackHandler::from_options(o, services)?)),
        "teams" => Ok(Box::new(TeamsHandler::from_options(o, services)?)),
        "telegram" => Ok(Box::new(TelegramHandler::from_options(o, services)?)),
        "pagerduty" => Ok(Box::new(PagerDutyHandler::from_options(o, services)?)),
        "pagerduty2" => Ok(Box::new(PagerDuty2Handler::from_options(o, services)?)),
        "victorops" => Ok(Box::new(VictorOpsHandler::from_options(o, services)?)),
        "opsgenie2" => Ok(Box::new(OpsGenie2Handler::from_options(o, services)?)),
        "discord" => Ok(Box::new(DiscordHandler::from_options(o, services)?)),
        "log" => Ok(Box::new(LogHandler::from_options(&spec.options)?)),
        "post" => Ok(Box::new(PostHandler::from_options(
            &spec.options,
            endpoints,
        )?)),
        "tcp" => Ok(Box::new(TcpHandler::from_options(&spec.options)?)),
        "exec" => Ok(Box::new(ExecHandler::from_options(&spec.options)?)),
        other => Err(AlertError::UnknownKind(other.to_string())),
    }
}
