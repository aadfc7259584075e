//! The service tests (`/kapacitor/v1/service-tests`): per handler service, the default test
//! options (Kapacitor's `TestOptions()`, with their JSON names in Go's field order) and a
//! test that sends one event through a handler built from the options.

use kapa_engine::{AlertData, AlertEvent, Level};
use kapa_models::SeriesResult;
use kapa_pipeline::nodes::HandlerSpec;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value, json};

use crate::handlers::{self, Failure, HandlerServices};
use crate::httppost::Endpoints;

/// Test options in their Go field order.
#[derive(Debug, Clone, PartialEq)]
pub struct TestOptions(pub Vec<(String, Value)>);

impl Serialize for TestOptions {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

impl TestOptions {
    fn get(&self, key: &str) -> &Value {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map_or(&Value::Null, |(_, v)| v)
    }

    fn str(&self, key: &str) -> String {
        self.get(key).as_str().unwrap_or_default().to_string()
    }
}

/// Services that can be tested, sorted by name.
pub const SERVICE_TESTS: &[&str] = &[
    "alerta",
    "bigpanda",
    "discord",
    "hipchat",
    #[cfg(feature = "kafka")]
    "kafka",
    "mqtt",
    "opsgenie",
    "opsgenie2",
    "pagerduty",
    "pagerduty2",
    "pushover",
    "sensu",
    "servicenow",
    "slack",
    "smtp",
    "snmptrap",
    "talk",
    "teams",
    "telegram",
    "victorops",
    "zenoss",
];

fn o(pairs: &[(&str, Value)]) -> TestOptions {
    TestOptions(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_string(), v.clone()))
            .collect(),
    )
}

/// The default test options of `name`, from its configuration; None for an unknown service.
pub fn test_options(services: &HandlerServices, name: &str) -> Option<TestOptions> {
    let cfg = |section: &str, key: &str| -> Value {
        services
            .section("test", section)
            .get(key)
            .cloned()
            .unwrap_or(Value::String(String::new()))
    };
    let elem = |section: &str, key: &str, field: &str| -> Value {
        services
            .element("test", section, key, "")
            .ok()
            .and_then(|c| c.get(field).cloned())
            .unwrap_or(Value::String(String::new()))
    };
    let list = |v: Value| if v.is_array() { v } else { json!([]) };
    Some(match name {
        "alerta" => o(&[
            ("resource", json!("testResource")),
            ("event", json!("testEvent")),
            ("environment", cfg("alerta", "environment")),
            ("severity", json!("critical")),
            ("group", json!("testGroup")),
            ("value", json!("testValue")),
            ("message", json!("test alerta message")),
            ("origin", cfg("alerta", "origin")),
            ("service", json!(["testServiceA", "testServiceB"])),
            ("timeout", json!("24h0m0s")),
        ]),
        "discord" => o(&[
            ("workspace", elem("discord", "workspace", "workspace")),
            ("message", json!("test discord message")),
            ("level", json!("INFO")),
            ("username", json!("Kapacitor")),
            (
                "avatar-url",
                json!(
                    "https://influxdata.github.io/branding/img/downloads/influxdata-logo--symbol--pool-alpha.png"
                ),
            ),
            ("embed-title", json!("Kapacitor Alert")),
            ("time-val", json!("1970-01-01T00:00:01Z")),
        ]),
        #[cfg(feature = "kafka")]
        "kafka" => o(&[
            ("cluster", json!("example")),
            ("topic", json!("test")),
            ("key", json!("key")),
            ("message", json!("test kafka message")),
        ]),
        "mqtt" => o(&[
            ("broker-name", elem("mqtt", "name", "name")),
            ("topic", json!("")),
            ("message", json!("test MQTT message")),
            ("qos", json!("at-most-once")),
            ("retained", json!(false)),
        ]),
        "bigpanda" => o(&[
            ("app_key", cfg("bigpanda", "app-key")),
            ("level", json!("CRITICAL")),
            ("message", json!("test bigpanda message")),
            ("timestamp", json!("2021-01-01T00:00:00Z")),
        ]),
        "servicenow" => o(&[
            ("alert_id", json!("id")),
            ("source", json!("Kapacitor")),
            ("level", json!("CRITICAL")),
            ("message", json!("test servicenow alert")),
        ]),
        "zenoss" => o(&[
            ("alert_id", json!("1001")),
            ("level", json!("CRITICAL")),
            ("message", json!("test zenoss message")),
            ("action", cfg("zenoss", "action")),
            ("method", cfg("zenoss", "method")),
            ("type", cfg("zenoss", "type")),
            ("tid", cfg("zenoss", "tid")),
            ("summary", json!("")),
            ("device", json!("")),
            ("component", json!("")),
            ("evclasskey", json!("")),
            ("evclass", json!("")),
            ("collector", cfg("zenoss", "collector")),
            ("custom_fields", json!({})),
        ]),
        "hipchat" => o(&[
            ("room", cfg("hipchat", "room")),
            ("message", json!("test hipchat message")),
            ("level", json!("CRITICAL")),
        ]),
        "opsgenie" => o(&[
            ("teams", list(cfg("opsgenie", "teams"))),
            ("recipients", list(cfg("opsgenie", "recipients"))),
            ("message-type", json!("CRITICAL")),
            ("message", json!("test opsgenie message")),
            ("entity-id", json!("testEntityID")),
        ]),
        "talk" => o(&[
            ("title", json!("testTitle")),
            ("text", json!("test talk text")),
        ]),
        "opsgenie2" => o(&[
            ("teams", list(cfg("opsgenie2", "teams"))),
            ("recipients", list(cfg("opsgenie2", "recipients"))),
            ("message-type", json!("CRITICAL")),
            ("message", json!("test opsgenie message")),
            ("entity-id", json!("testEntityID")),
        ]),
        "pagerduty" => o(&[
            ("incident-key", json!("testIncidentKey")),
            ("description", json!("test pagerduty message")),
            ("details", json!("")),
            ("level", json!("CRITICAL")),
        ]),
        "pagerduty2" => o(&[
            ("alert_id", json!("testAlertID")),
            ("description", json!("test pagerduty2 message")),
            ("level", json!("CRITICAL")),
            (
                "event_data",
                json!({"Name": "testPagerDuty2", "TaskName": "", "Category": "", "Group": "",
                       "Tags": {}, "Fields": {}, "Recoverable": false, "Result": {"series": null}}),
            ),
            ("timestamp", json!("2014-11-12T11:45:26.371Z")),
            (
                "links",
                json!([{"href": "https://example.com/a", "text": "a"}, {"href": "https://example.com/b", "text": "b"}]),
            ),
        ]),
        "pushover" => o(&[
            ("user-key", cfg("pushover", "user-key")),
            ("message", json!("test pushover message")),
            ("device", json!("")),
            ("title", json!("")),
            ("url", json!("")),
            ("url-title", json!("")),
            ("sound", json!("")),
            ("level", json!("CRITICAL")),
        ]),
        "sensu" => o(&[
            ("name", json!("testName")),
            ("source", json!("Kapacitor")),
            ("output", json!("testOutput")),
            ("handlers", json!([])),
            ("metadata", json!({})),
            ("level", json!("CRITICAL")),
        ]),
        "slack" => o(&[
            ("workspace", elem("slack", "workspace", "workspace")),
            ("channel", elem("slack", "workspace", "channel")),
            ("message", json!("test slack message")),
            ("level", json!("CRITICAL")),
            ("username", json!("")),
            ("icon-emoji", json!("")),
        ]),
        "smtp" => o(&[
            ("to", list(cfg("smtp", "to"))),
            ("subject", json!("test subject")),
            ("body", json!("test body")),
        ]),
        "snmptrap" => o(&[
            ("trap-oid", json!("1.1.1.1")),
            (
                "data-list",
                json!([{"oid": "1.1.1.1.2", "type": "s", "value": "test snmptrap message"}]),
            ),
        ]),
        "teams" => o(&[
            ("channel_url", cfg("teams", "channel-url")),
            ("alert_topic", json!("test kapacitor alert topic")),
            ("alert_id", json!("foo/bar/bat")),
            ("message", json!("test teams message")),
            ("level", json!("CRITICAL")),
        ]),
        "telegram" => o(&[
            ("chat-id", cfg("telegram", "chat-id")),
            ("parse-mode", cfg("telegram", "parse-mode")),
            ("message", json!("test telegram message")),
            (
                "disable-web-page-preview",
                cfg("telegram", "disable-web-page-preview"),
            ),
            (
                "disable-notification",
                cfg("telegram", "disable-notification"),
            ),
        ]),
        "victorops" => o(&[
            ("routingKey", cfg("victorops", "routing-key")),
            ("messageType", json!("CRITICAL")),
            ("message", json!("test victorops message")),
            ("entityID", json!("testEntityID")),
        ]),
        _ => return None,
    })
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `body` (the POSTed JSON) merged over the defaults, with Go's decoding errors for
/// values of the wrong JSON type.
pub fn merge_options(defaults: &TestOptions, body: &Value) -> Result<TestOptions, String> {
    let mut out = defaults.clone();
    let fields = match body {
        Value::Null => return Ok(out),
        Value::Object(m) => m,
        other => {
            return Err(format!(
                "failed to decode JSON body:json: cannot unmarshal {} into Go value of type struct",
                type_name(other)
            ));
        }
    };
    for (k, v) in fields {
        if let Some((_, slot)) = out.0.iter_mut().find(|(name, _)| name == k) {
            let compatible =
                v.is_null() || type_name(v) == type_name(slot) || (slot.is_array() && v.is_null());
            if !compatible {
                return Err(format!(
                    "failed to decode JSON body:json: cannot unmarshal {} into Go struct field .{k} of type {}",
                    type_name(v),
                    type_name(slot)
                ));
            }
            *slot = v.clone();
        }
    }
    Ok(out)
}

fn level(s: &str) -> Result<Level, String> {
    Level::parse(s).ok_or_else(|| format!("unknown alert level '{s}'"))
}

fn test_event(id: &str, message: &str, details: &str, level: Level, time: i64) -> AlertEvent {
    AlertEvent {
        data: AlertData {
            id: id.to_string(),
            message: message.to_string(),
            details: details.to_string(),
            time: kapa_models::time::format_rfc3339(time),
            duration: 0,
            level,
            data: SeriesResult {
                series: None,
                error: None,
            },
            previous_level: Level::Ok,
            recoverable: true,
        },
        time,
        task_name: String::new(),
        name: String::new(),
        group: String::new(),
        tags: Vec::new(),
        category: String::new(),
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
}

/// The handler options and event a service's test sends.
fn test_spec(name: &str, t: &TestOptions) -> Result<(Map<String, Value>, AlertEvent), String> {
    let mut opts = Map::new();
    let mut set = |k: &str, v: Value| {
        opts.insert(k.to_string(), v);
    };
    let msg = t.str("message");
    let ev = match name {
        "alerta" => {
            for k in [
                "resource",
                "event",
                "environment",
                "group",
                "value",
                "origin",
                "service",
            ] {
                set(k, t.get(k).clone());
            }
            let timeout = kapa_models::duration::parse_go(&t.str("timeout")).unwrap_or(0);
            set("timeout", json!(timeout));
            let lvl = match t.str("severity").as_str() {
                "ok" => Level::Ok,
                "informational" => Level::Info,
                "warning" => Level::Warning,
                _ => Level::Critical,
            };
            test_event("", &msg, "", lvl, now())
        }
        "discord" => {
            for k in ["workspace", "username", "avatar-url", "embed-title"] {
                set(k, t.get(k).clone());
            }
            let time = kapa_models::time::parse_rfc3339(&t.str("time-val")).unwrap_or(0);
            test_event("", &msg, "", level(&t.str("level"))?, time)
        }
        "kafka" => {
            set("cluster", t.get("cluster").clone());
            set("topic", t.get("topic").clone());
            set("template", json!(msg));
            test_event(&t.str("key"), &msg, "", Level::Critical, now())
        }
        "mqtt" => {
            for k in ["broker-name", "topic", "qos", "retained"] {
                set(k, t.get(k).clone());
            }
            test_event("", &msg, "", Level::Critical, now())
        }
        "bigpanda" => {
            set("app-key", t.get("app_key").clone());
            let time = kapa_models::time::parse_rfc3339(&t.str("timestamp")).unwrap_or(0);
            test_event("", &msg, "", level(&t.str("level"))?, time)
        }
        "servicenow" => {
            set("source", t.get("source").clone());
            test_event(&t.str("alert_id"), &msg, "", level(&t.str("level"))?, now())
        }
        "zenoss" => {
            for k in [
                "action",
                "method",
                "type",
                "tid",
                "summary",
                "device",
                "component",
                "collector",
            ] {
                set(k, t.get(k).clone());
            }
            set("eventclasskey", t.get("evclasskey").clone());
            set("eventclass", t.get("evclass").clone());
            set("customField", t.get("custom_fields").clone());
            test_event(&t.str("alert_id"), &msg, "", level(&t.str("level"))?, now())
        }
        "hipchat" => {
            set("room", t.get("room").clone());
            test_event("", &msg, "", level(&t.str("level"))?, now())
        }
        "talk" => test_event(&t.str("title"), &t.str("text"), "", Level::Critical, now()),
        "opsgenie" | "opsgenie2" => {
            set("teams-list", t.get("teams").clone());
            set("recipients-list", t.get("recipients").clone());
            let mt = t.str("message-type");
            let lvl = if mt == "RECOVERY" {
                Level::Ok
            } else {
                level(&mt)?
            };
            test_event(&t.str("entity-id"), &msg, "", lvl, now())
        }
        "pagerduty" => test_event(
            &t.str("incident-key"),
            &t.str("description"),
            &t.str("details"),
            level(&t.str("level"))?,
            now(),
        ),
        "pagerduty2" => {
            set("links", t.get("links").clone());
            let time = kapa_models::time::parse_rfc3339(&t.str("timestamp")).unwrap_or(0);
            let mut e = test_event(
                &t.str("alert_id"),
                &t.str("description"),
                "",
                level(&t.str("level"))?,
                time,
            );
            e.name = t.get("event_data")["Name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            e.task_name = t.get("event_data")["TaskName"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            e
        }
        "pushover" => {
            for k in ["user-key", "device", "title", "url", "url-title", "sound"] {
                set(k, t.get(k).clone());
            }
            test_event("", &msg, "", level(&t.str("level"))?, now())
        }
        "sensu" => {
            set("source", t.get("source").clone());
            set("handlers", t.get("handlers").clone());
            set("metadata", t.get("metadata").clone());
            test_event(
                &t.str("name"),
                &t.str("output"),
                "",
                level(&t.str("level"))?,
                now(),
            )
        }
        "slack" => {
            for k in ["workspace", "channel", "username", "icon-emoji"] {
                set(k, t.get(k).clone());
            }
            test_event("", &msg, "", level(&t.str("level"))?, now())
        }
        "smtp" => {
            set("to", t.get("to").clone());
            test_event(
                "",
                &t.str("subject"),
                &t.str("body"),
                Level::Critical,
                now(),
            )
        }
        "snmptrap" => {
            set("trap-oid", t.get("trap-oid").clone());
            set("data-list", t.get("data-list").clone());
            test_event("", "", "", Level::Critical, now())
        }
        "teams" => {
            set("channel-url", t.get("channel_url").clone());
            test_event(&t.str("alert_id"), &msg, "", level(&t.str("level"))?, now())
        }
        "telegram" => {
            for k in [
                "chat-id",
                "parse-mode",
                "disable-web-page-preview",
                "disable-notification",
            ] {
                set(k, t.get(k).clone());
            }
            test_event("", &msg, "", Level::Critical, now())
        }
        "victorops" => {
            set("routing-key", t.get("routingKey").clone());
            let mt = t.str("messageType");
            let lvl = if mt == "RECOVERY" {
                Level::Ok
            } else {
                level(&mt)?
            };
            test_event(&t.str("entityID"), &msg, "", lvl, now())
        }
        other => return Err(format!("service {other:?} not found")),
    };
    Ok((opts, ev))
}

/// Runs the test of `name` with `options` (already merged over the defaults): one event
/// through a handler built from them, once, without retries.
pub fn run_test(
    services: &HandlerServices,
    name: &str,
    options: &TestOptions,
) -> Result<(), String> {
    let (opts, event) = test_spec(name, options)?;
    let spec = HandlerSpec {
        kind: name.to_string(),
        options: opts,
    };
    let mut handler =
        handlers::create(&spec, &Endpoints::new(), services).map_err(|e| match e {
            crate::AlertError::Handler { reason, .. } => reason,
            other => other.to_string(),
        })?;
    handler.deliver(&event).map_err(|f| match f {
        Failure::Transient { reason, .. } | Failure::Permanent(reason) => reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn services(v: Value) -> HandlerServices {
        let Value::Object(m) = v else {
            panic!("object")
        };
        HandlerServices::new(m, "http://localhost:9092".into())
    }

    #[test]
    fn defaults_come_from_the_configuration_in_go_field_order() {
        let s = services(json!({"telegram": {"chat-id": "42", "parse-mode": "HTML",
            "disable-web-page-preview": true, "disable-notification": false}}));
        let o = test_options(&s, "telegram").unwrap();
        assert_eq!(
            crate::to_go_json(&o).unwrap(),
            r#"{"chat-id":"42","parse-mode":"HTML","message":"test telegram message","disable-web-page-preview":true,"disable-notification":false}"#
        );
        assert!(test_options(&s, "nope").is_none());
        for name in SERVICE_TESTS {
            assert!(test_options(&s, name).is_some(), "{name}");
        }
    }

    #[test]
    fn body_is_merged_and_type_checked() {
        let s = services(json!({}));
        let d = test_options(&s, "slack").unwrap();
        let m = merge_options(&d, &json!({"channel": "#x", "unknown": 1})).unwrap();
        assert_eq!(m.str("channel"), "#x");
        assert_eq!(m.str("message"), "test slack message");
        assert!(merge_options(&d, &Value::Null).is_ok());
        let err = merge_options(&d, &json!({"channel": 5})).unwrap_err();
        assert!(
            err.starts_with("failed to decode JSON body:json: cannot unmarshal number"),
            "{err}"
        );
        assert!(merge_options(&d, &json!([1])).is_err());
    }

    #[test]
    fn a_test_of_a_disabled_service_reports_why() {
        let s = services(json!({"pushover": {"enabled": false}}));
        let o = test_options(&s, "pushover").unwrap();
        assert_eq!(
            run_test(&s, "pushover", &o).unwrap_err(),
            "service is not enabled"
        );
        let o = test_options(&s, "sensu").unwrap();
        assert_eq!(
            run_test(&s, "sensu", &o).unwrap_err(),
            "service is not enabled"
        );
    }
}
