//! The kafka handler against librdkafka's in-process mock cluster (real Kafka protocol on
//! 127.0.0.1): the message is consumed back and its key and value asserted.
#![cfg(feature = "kafka")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::{WAIT, event, run, service, spec};
use kapa_engine::Level;
use rdkafka::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::mocking::MockCluster;
use serde_json::json;

/// What Kapacitor's json.Encoder writes for `event("cpu:nil", CRITICAL)`.
const CRIT_JSON: &str = r#"{"id":"cpu:nil","message":"cpu:nil is CRITICAL","details":"{\u0026#34;Name\u0026#34;:\u0026#34;cpu\u0026#34;}","time":"1971-01-01T00:00:02Z","duration":0,"level":"CRITICAL","data":{"series":[{"name":"cpu","tags":{"host":"a"},"columns":["time","usage_idle"],"values":[["1971-01-01T00:00:02Z",50]]}]},"previousLevel":"OK","recoverable":true}"#;

/// Reads `n` messages of `topic` as (key, value).
fn consume(brokers: &str, topic: &str, n: usize) -> Vec<(Option<String>, String)> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", "kapa-test")
        .set("auto.offset.reset", "earliest")
        .create()
        .unwrap();
    consumer.subscribe(&[topic]).unwrap();
    let mut out = Vec::new();
    let deadline = Instant::now() + WAIT;
    while out.len() < n && Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            out.push((
                m.key().map(|k| String::from_utf8_lossy(k).into_owned()),
                String::from_utf8_lossy(m.payload().unwrap_or_default()).into_owned(),
            ));
        }
    }
    out
}

#[test]
fn writes_alert_json_keyed_by_id_and_templates() {
    let mock = MockCluster::new(1).unwrap();
    mock.create_topic("alerts", 1, 1).unwrap();
    let brokers = mock.bootstrap_servers();
    let svc = service(
        json!({"kafka": [{"enabled": true, "id": "main", "brokers": [brokers.clone()],
        "timeout": "10s", "batch-size": 100, "batch-timeout": "1s"}]}),
    );
    run(
        &svc,
        spec("kafka", json!({"cluster": "main", "topic": "alerts"})),
        &[event("cpu:nil", Level::Critical)],
    );
    assert_eq!(svc.handler_stats()[0].sent, 1);
    let svc2 =
        service(json!({"kafka": [{"enabled": true, "id": "main", "brokers": [brokers.clone()]}]}));
    run(
        &svc2,
        spec(
            "kafka",
            json!({"cluster": "main", "topic": "alerts", "template": "{{ .Level }} {{ .ID }}", "disablePartitionById": true}),
        ),
        &[event("cpu:nil", Level::Warning)],
    );
    let got = consume(&brokers, "alerts", 2);
    assert_eq!(
        got,
        vec![
            (Some("cpu:nil".to_string()), format!("{CRIT_JSON}\n")),
            (None, "WARNING cpu:nil".to_string()),
        ]
    );
}

#[test]
fn unknown_cluster_is_an_error_at_creation() {
    let svc =
        service(json!({"kafka": [{"enabled": true, "id": "main", "brokers": ["127.0.0.1:1"]}]}));
    let err = kapa_engine::AlertSink::open_topic(
        &*svc,
        "t",
        &[spec("kafka", json!({"cluster": "other", "topic": "x"}))],
    )
    .unwrap_err();
    assert_eq!(
        err,
        "failed to create kafka handler: unknown cluster \"other\""
    );
}
