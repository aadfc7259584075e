//! The `kafka` handler (`.kafka()`): writes the `alert.Data` JSON (or the handler's
//! template over it) to a topic of a `[[kafka]]` cluster, keyed by the event id
//! (services/kafka). Produced with librdkafka; a delivery counts once the broker acked it.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Weak};
use std::time::Duration;

use kapa_engine::AlertEvent;
use parking_lot::Mutex;
use rdkafka::ClientConfig;
use rdkafka::client::ClientContext;
use rdkafka::error::KafkaError;
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer, ProducerContext};
use rdkafka::types::RDKafkaErrorCode;
use serde_json::{Map, Value};

use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;
use crate::template::{Template, alert_data};

/// Producers by cluster settings, shared by the handlers writing to that cluster.
static CLUSTERS: LazyLock<Mutex<HashMap<String, Weak<Cluster>>>> = LazyLock::new(Mutex::default);

/// Remembers the outcome of the last delivery report.
#[derive(Default)]
struct Reports {
    last: Mutex<Option<Result<(), KafkaError>>>,
}

impl ClientContext for Reports {}

impl ProducerContext for Reports {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _opaque: ()) {
        *self.last.lock() = Some(result.as_ref().map(|_| ()).map_err(|(e, _)| e.clone()));
    }
}

/// One cluster's producer; a handler holds its lock while one message is in flight.
struct Cluster {
    producer: Mutex<BaseProducer<Reports>>,
    timeout: Duration,
}

/// Writes each event to Kafka.
pub struct KafkaHandler {
    cluster: Arc<Cluster>,
    topic: String,
    template: Option<Template>,
    key_by_id: bool,
}

impl std::fmt::Debug for KafkaHandler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KafkaHandler")
            .field("topic", &self.topic)
            .finish_non_exhaustive()
    }
}

fn handler_err(reason: impl Into<String>) -> AlertError {
    AlertError::Handler {
        kind: "kafka".into(),
        reason: reason.into(),
    }
}

/// librdkafka's partitioner for Kapacitor's `partitionAlgorithm`.
fn partitioner(algorithm: &str) -> Result<&'static str, AlertError> {
    match algorithm {
        "" | "crc32" => Ok("consistent_random"),
        "murmur2" => Ok("murmur2_random"),
        "fnv-1a" => Ok("fnv1a_random"),
        other => Err(handler_err(format!(
            "invalid partition algorithm {other:?}"
        ))),
    }
}

impl KafkaHandler {
    /// Builds the handler from the options `cluster`, `topic`, `template`,
    /// `disablePartitionById` and `partitionAlgorithm`; an unknown or disabled cluster
    /// is an error, as in Kapacitor.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("kafka", options);
        let id = o.string("cluster")?;
        let unknown = || handler_err(format!("unknown cluster {id:?}"));
        let c = services
            .element("kafka", "kafka", "id", &id)
            .map_err(|_| unknown())?;
        if !c.bool("enabled")? || c.string("id")? != id {
            return Err(unknown());
        }
        let template = match o.string("template")? {
            t if t.is_empty() => None,
            t => Some(
                Template::parse(&t, false)
                    .map_err(|e| handler_err(format!("failed to parse template: {e}")))?,
            ),
        };
        let part = partitioner(&o.string("partitionAlgorithm")?)?;
        let timeout = match c.duration("timeout")? {
            t if t > 0 => Duration::from_nanos(t.unsigned_abs()),
            _ => Duration::from_secs(10),
        };
        let brokers = c.strings("brokers")?.join(",");
        let mut cfg = ClientConfig::new();
        cfg.set("bootstrap.servers", &brokers)
            .set("partitioner", part)
            .set("message.timeout.ms", timeout.as_millis().to_string())
            .set(
                "batch.num.messages",
                c.int("batch-size")?.max(1).to_string(),
            );
        let sasl = c.string("sasl-mechanism")?;
        let ssl = c.bool("use-ssl")?;
        let protocol = match (
            ssl,
            !sasl.is_empty() || !c.string("sasl-username")?.is_empty(),
        ) {
            (false, false) => "plaintext",
            (true, false) => "ssl",
            (false, true) => "sasl_plaintext",
            (true, true) => "sasl_ssl",
        };
        cfg.set("security.protocol", protocol);
        if protocol.starts_with("sasl") {
            cfg.set(
                "sasl.mechanism",
                if sasl.is_empty() {
                    "PLAIN"
                } else {
                    sasl.as_str()
                },
            )
            .set("sasl.username", c.string("sasl-username")?)
            .set("sasl.password", c.string("sasl-password")?);
        }
        for (key, prop) in [
            ("ssl-ca", "ssl.ca.location"),
            ("ssl-cert", "ssl.certificate.location"),
            ("ssl-key", "ssl.key.location"),
        ] {
            let v = c.string(key)?;
            if ssl && !v.is_empty() {
                cfg.set(prop, v);
            }
        }
        if ssl && c.bool("insecure-skip-verify")? {
            cfg.set("enable.ssl.certificate.verification", "false");
        }
        let key = format!("{id}\u{0}{brokers}\u{0}{part}\u{0}{protocol}");
        let cluster = {
            let mut clusters = CLUSTERS.lock();
            clusters.retain(|_, w| w.strong_count() > 0);
            match clusters.get(&key).and_then(Weak::upgrade) {
                Some(c) => c,
                None => {
                    let producer: BaseProducer<Reports> =
                        cfg.create_with_context(Reports::default()).map_err(|e| {
                            handler_err(format!("failed to create kafka producer: {e}"))
                        })?;
                    let c = Arc::new(Cluster {
                        producer: Mutex::new(producer),
                        timeout,
                    });
                    clusters.insert(key, Arc::downgrade(&c));
                    c
                }
            }
        };
        Ok(KafkaHandler {
            cluster,
            topic: o.string("topic")?,
            template,
            key_by_id: !o.bool("disablePartitionById")?,
        })
    }

    fn body(&self, event: &AlertEvent) -> Result<Vec<u8>, Failure> {
        match &self.template {
            Some(t) => t
                .render(&alert_data(event))
                .map(String::into_bytes)
                .map_err(|e| {
                    Failure::Permanent(format!(
                        "failed to prepare kafka message body: failed to execute alert template: {e}"
                    ))
                }),
            None => {
                let mut json = crate::to_go_json(&event.data).map_err(|e| {
                    Failure::Permanent(format!("failed to marshal alert data json: {e}"))
                })?;
                json.push('\n');
                Ok(json.into_bytes())
            }
        }
    }
}

fn write_failure(e: &KafkaError) -> Failure {
    let reason = format!("failed to write message to kafka: {e}");
    let permanent = matches!(
        e.rdkafka_error_code(),
        Some(
            RDKafkaErrorCode::MessageSizeTooLarge
                | RDKafkaErrorCode::InvalidMessage
                | RDKafkaErrorCode::TopicAuthorizationFailed
                | RDKafkaErrorCode::InvalidTopic
        )
    );
    if permanent {
        Failure::Permanent(reason)
    } else {
        Failure::transient(reason)
    }
}

impl Deliver for KafkaHandler {
    fn kind(&self) -> &'static str {
        "kafka"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        let body = self.body(event)?;
        let producer = self.cluster.producer.lock();
        *producer.context().last.lock() = None;
        let mut record: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(&self.topic).payload(&body[..]);
        if self.key_by_id {
            record = record.key(event.data.id.as_bytes());
        }
        producer.send(record).map_err(|(e, _)| write_failure(&e))?;
        // Waits for the broker's acknowledgement (or librdkafka's message timeout).
        if let Err(e) = producer.flush(self.cluster.timeout + Duration::from_secs(1)) {
            return Err(write_failure(&e));
        }
        match producer.context().last.lock().take() {
            Some(Ok(())) => Ok(()),
            Some(Err(e)) => Err(write_failure(&e)),
            None => Err(Failure::transient(
                "failed to write message to kafka: no delivery report",
            )),
        }
    }
}
