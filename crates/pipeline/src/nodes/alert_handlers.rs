//! TICKscript properties of the alert handlers other than log/post/tcp/exec (mirrors the
//! handler structs of pipeline/alert.go), as topic-handler option keys.

use serde_json::{Map, Value};

use crate::args::{self, ArgResult};
use crate::value::Val;

/// How a property's arguments become an option value.
#[derive(Clone, Copy)]
enum Arg {
    /// One string.
    Str,
    /// Any number of strings, replacing the list.
    Strs,
    /// No argument: sets `true`.
    Flag,
    /// One boolean.
    Bool,
    /// One integer.
    Int,
    /// One duration (ns).
    Duration,
    /// `(key, value)` strings added to a map.
    Kv,
    /// `(href[, text])` added to the `links` list.
    Link,
    /// `(oid, type, value)` added to the `data-list` list.
    SnmpData,
}

/// (kind, property with its first letter lowercased, option key, argument kind).
const PROPERTIES: &[(&str, &str, &str, Arg)] = &[
    ("smtp", "to", "to", Arg::Strs),
    ("smtp", "toTemplates", "to-field", Arg::Strs),
    ("slack", "workspace", "workspace", Arg::Str),
    ("slack", "channel", "channel", Arg::Str),
    ("slack", "username", "username", Arg::Str),
    ("slack", "iconEmoji", "icon-emoji", Arg::Str),
    ("pagerduty", "serviceKey", "service-key", Arg::Str),
    ("pagerduty2", "routingKey", "routing-key", Arg::Str),
    ("pagerduty2", "serviceKey", "routing-key", Arg::Str),
    ("pagerduty2", "link", "links", Arg::Link),
    ("opsgenie", "teams", "teams-list", Arg::Strs),
    ("opsgenie", "recipients", "recipients-list", Arg::Strs),
    ("opsgenie2", "teams", "teams-list", Arg::Strs),
    ("opsgenie2", "recipients", "recipients-list", Arg::Strs),
    ("opsgenie2", "recoveryAction", "recovery_action", Arg::Str),
    ("victorops", "routingKey", "routing-key", Arg::Str),
    ("telegram", "chatId", "chat-id", Arg::Str),
    ("telegram", "parseMode", "parse-mode", Arg::Str),
    (
        "telegram",
        "disableWebPagePreview",
        "disable-web-page-preview",
        Arg::Flag,
    ),
    (
        "telegram",
        "disableNotification",
        "disable-notification",
        Arg::Flag,
    ),
    ("hipchat", "room", "room", Arg::Str),
    ("hipchat", "token", "token", Arg::Str),
    ("alerta", "token", "token", Arg::Str),
    ("alerta", "resource", "resource", Arg::Str),
    ("alerta", "event", "event", Arg::Str),
    ("alerta", "environment", "environment", Arg::Str),
    ("alerta", "group", "group", Arg::Str),
    ("alerta", "value", "value", Arg::Str),
    ("alerta", "origin", "origin", Arg::Str),
    ("alerta", "services", "service", Arg::Strs),
    ("alerta", "correlated", "correlate", Arg::Strs),
    ("alerta", "attribute", "attributes", Arg::Kv),
    ("alerta", "timeout", "timeout", Arg::Duration),
    ("sensu", "source", "source", Arg::Str),
    ("sensu", "handlers", "handlers", Arg::Strs),
    ("sensu", "metadata", "metadata", Arg::Kv),
    ("pushover", "userKey", "user-key", Arg::Str),
    ("pushover", "device", "device", Arg::Str),
    ("pushover", "title", "title", Arg::Str),
    ("pushover", "uRL", "url", Arg::Str),
    ("pushover", "uRLTitle", "url-title", Arg::Str),
    ("pushover", "sound", "sound", Arg::Str),
    ("snmptrap", "data", "data-list", Arg::SnmpData),
    ("mqtt", "brokerName", "broker-name", Arg::Str),
    ("mqtt", "qos", "qos", Arg::Int),
    ("mqtt", "retained", "retained", Arg::Bool),
    ("kafka", "cluster", "cluster", Arg::Str),
    ("kafka", "kafkaTopic", "topic", Arg::Str),
    ("kafka", "template", "template", Arg::Str),
    (
        "kafka",
        "disablePartitionById",
        "disablePartitionById",
        Arg::Flag,
    ),
    (
        "kafka",
        "partitionHashAlgorithm",
        "partitionAlgorithm",
        Arg::Str,
    ),
    ("teams", "channelURL", "channel-url", Arg::Str),
    ("discord", "workspace", "workspace", Arg::Str),
    ("discord", "username", "username", Arg::Str),
    ("discord", "avatarURL", "avatar-url", Arg::Str),
    ("discord", "embedTitle", "embed-title", Arg::Str),
    ("bigpanda", "appKey", "app-key", Arg::Str),
    ("bigpanda", "host", "host", Arg::Str),
    ("bigpanda", "primaryProperty", "primary-property", Arg::Str),
    (
        "bigpanda",
        "secondaryProperty",
        "secondary-property",
        Arg::Str,
    ),
    ("bigpanda", "attribute", "attributes", Arg::Kv),
    ("servicenow", "uRL", "url", Arg::Str),
    ("servicenow", "username", "username", Arg::Str),
    ("servicenow", "password", "password", Arg::Str),
    ("servicenow", "source", "source", Arg::Str),
    ("servicenow", "node", "node", Arg::Str),
    ("servicenow", "type", "type", Arg::Str),
    ("servicenow", "resource", "resource", Arg::Str),
    ("servicenow", "metricName", "metric_name", Arg::Str),
    ("servicenow", "messageKey", "message_key", Arg::Str),
    ("servicenow", "additionalInfo", "additional_info", Arg::Kv),
    ("zenoss", "uRL", "url", Arg::Str),
    ("zenoss", "username", "username", Arg::Str),
    ("zenoss", "password", "password", Arg::Str),
    ("zenoss", "action", "action", Arg::Str),
    ("zenoss", "method", "method", Arg::Str),
    ("zenoss", "type", "type", Arg::Str),
    ("zenoss", "tid", "tid", Arg::Int),
    ("zenoss", "collector", "collector", Arg::Str),
    ("zenoss", "summary", "summary", Arg::Str),
    ("zenoss", "device", "device", Arg::Str),
    ("zenoss", "component", "component", Arg::Str),
    ("zenoss", "eventClassKey", "eventclasskey", Arg::Str),
    ("zenoss", "eventClass", "eventclass", Arg::Str),
    ("zenoss", "message", "message", Arg::Str),
    ("zenoss", "customField", "customField", Arg::Kv),
];

/// Options of a new handler from the property's own arguments (`.email(to...)`,
/// `.mqtt(topic)`, `.snmpTrap(oid)`; the others take none).
pub(crate) fn new_options(kind: &str, a: &[Val]) -> ArgResult<Map<String, Value>> {
    let mut options = Map::new();
    match kind {
        "smtp" => {
            let to = args::strings(a)?;
            options.insert(
                "to".into(),
                Value::Array(to.into_iter().map(Value::String).collect()),
            );
        }
        "mqtt" => {
            options.insert("topic".into(), Value::String(args::string(a)?));
        }
        "snmptrap" => {
            options.insert("trap-oid".into(), Value::String(args::string(a)?));
        }
        _ => args::none(a)?,
    }
    Ok(options)
}

/// Go's property lookup capitalizes the first letter, so `.URL` and `.uRL` are the same.
fn lower_first(name: &str) -> String {
    let mut c = name.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Sets a handler property; `Ok(false)` when the kind has no such property.
pub(crate) fn set_property(
    kind: &str,
    options: &mut Map<String, Value>,
    name: &str,
    a: &[Val],
) -> ArgResult<bool> {
    let name = lower_first(name);
    let Some((_, _, key, arg)) = PROPERTIES
        .iter()
        .find(|(k, p, _, _)| *k == kind && *p == name)
    else {
        return Ok(false);
    };
    let key = (*key).to_string();
    match arg {
        Arg::Str => {
            options.insert(key, Value::String(args::string(a)?));
        }
        Arg::Strs => {
            let list = args::strings(a)?;
            options.insert(
                key,
                Value::Array(list.into_iter().map(Value::String).collect()),
            );
        }
        Arg::Flag => {
            args::none(a)?;
            options.insert(key, Value::Bool(true));
        }
        Arg::Bool => match a {
            [Val::Bool(b)] => {
                options.insert(key, Value::Bool(*b));
            }
            [other] => return Err(format!("cannot use {} as type bool", other.type_name())),
            _ => return Err(format!("wrong number of arguments: got {} exp 1", a.len())),
        },
        Arg::Int => {
            options.insert(key, Value::from(args::int(a)?));
        }
        Arg::Duration => {
            options.insert(key, Value::from(args::duration(a)?));
        }
        Arg::Kv => {
            let [k, v] = a else {
                return Err(format!("wrong number of arguments: got {} exp 2", a.len()));
            };
            let k = args::string(std::slice::from_ref(k))?;
            // Go takes `value interface{}`: any literal is kept with its type.
            let v = match v {
                Val::Str(s) => Value::String(s.clone()),
                Val::Int(i) => Value::from(*i),
                Val::Float(f) => {
                    serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number)
                }
                Val::Bool(b) => Value::Bool(*b),
                other => return Err(format!("cannot use {} as a value", other.type_name())),
            };
            let entry = options
                .entry(key)
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(m) = entry {
                m.insert(k, v);
            }
        }
        Arg::Link => {
            let parts = args::strings(a)?;
            let (href, text) = match parts.as_slice() {
                [h] => (h.clone(), String::new()),
                [h, t] => (h.clone(), t.clone()),
                _ => {
                    return Err(format!(
                        "wrong number of arguments: got {} exp 1 or 2",
                        a.len()
                    ));
                }
            };
            push(
                options,
                key,
                serde_json::json!({"href": href, "text": text}),
            );
        }
        Arg::SnmpData => {
            let parts = args::strings(a)?;
            let [oid, typ, value] = parts.as_slice() else {
                return Err(format!("wrong number of arguments: got {} exp 3", a.len()));
            };
            push(
                options,
                key,
                serde_json::json!({"oid": oid, "type": typ, "value": value}),
            );
        }
    }
    Ok(true)
}

fn push(options: &mut Map<String, Value>, key: String, item: Value) {
    let entry = options
        .entry(key)
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(list) = entry {
        list.push(item);
    }
}

/// The Go type of a handler kind's TICKscript struct, for messages.
pub(crate) fn go_type(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "smtp" => "*pipeline.EmailHandler",
        "slack" => "*pipeline.SlackHandler",
        "pagerduty" => "*pipeline.PagerDutyHandler",
        "pagerduty2" => "*pipeline.PagerDuty2Handler",
        "opsgenie" => "*pipeline.OpsGenieHandler",
        "opsgenie2" => "*pipeline.OpsGenie2Handler",
        "victorops" => "*pipeline.VictorOpsHandler",
        "telegram" => "*pipeline.TelegramHandler",
        "hipchat" => "*pipeline.HipChatHandler",
        "alerta" => "*pipeline.AlertaHandler",
        "sensu" => "*pipeline.SensuHandler",
        "pushover" => "*pipeline.PushoverHandler",
        "snmptrap" => "*pipeline.SNMPTrapHandler",
        "mqtt" => "*pipeline.MQTTHandler",
        "kafka" => "*pipeline.KafkaHandler",
        "teams" => "*pipeline.TeamsHandler",
        "discord" => "*pipeline.DiscordHandler",
        "bigpanda" => "*pipeline.BigPandaHandler",
        "servicenow" => "*pipeline.ServiceNowHandler",
        "zenoss" => "*pipeline.ZenossHandler",
        "talk" => "*pipeline.TalkHandler",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde_json::{Value, json};

    use crate::nodes::{HandlerSpec, NodeKind};
    use crate::{TaskType, compile};

    fn handlers(script: &str) -> Result<Vec<HandlerSpec>, String> {
        let p = compile(script, TaskType::Stream, &HashMap::new()).map_err(|e| e.to_string())?;
        p.nodes
            .iter()
            .find_map(|n| match &n.kind {
                NodeKind::Alert(a) => Some(a.handlers.clone()),
                _ => None,
            })
            .ok_or_else(|| "no alert node".to_string())
    }

    fn one(script: &str) -> (String, Value) {
        let h = handlers(script).unwrap();
        assert_eq!(h.len(), 1, "{h:?}");
        (h[0].kind.clone(), Value::Object(h[0].options.clone()))
    }

    #[test]
    fn email_slack_and_teams_properties() {
        assert_eq!(
            one(
                "stream|from()|alert().email('a@x', 'b@x').to('c@x').toTemplates('{{ index .Tags \"owner\" }}')"
            ),
            (
                "smtp".into(),
                json!({"to": ["c@x"], "to-field": ["{{ index .Tags \"owner\" }}"]})
            )
        );
        assert_eq!(
            one(
                "stream|from()|alert().slack().workspace('w').channel('#c').username('u').iconEmoji(':x:')"
            ),
            (
                "slack".into(),
                json!({"workspace": "w", "channel": "#c", "username": "u", "icon-emoji": ":x:"})
            )
        );
        assert_eq!(
            one("stream|from()|alert().teams().channelURL('http://t')"),
            ("teams".into(), json!({"channel-url": "http://t"}))
        );
    }

    #[test]
    fn pagerduty2_links_mqtt_snmp_and_kafka() {
        assert_eq!(
            one(
                "stream|from()|alert().pagerDuty2().serviceKey('rk').link('http://a/{{ .ID }}').link('http://b', 'B')"
            ),
            (
                "pagerduty2".into(),
                json!({"routing-key": "rk", "links": [
                    {"href": "http://a/{{ .ID }}", "text": ""},
                    {"href": "http://b", "text": "B"}]})
            )
        );
        assert_eq!(
            one("stream|from()|alert().mqtt('alerts/x').brokerName('b').qos(1).retained(TRUE)"),
            (
                "mqtt".into(),
                json!({"topic": "alerts/x", "broker-name": "b", "qos": 1, "retained": true})
            )
        );
        assert_eq!(
            one(
                "stream|from()|alert().snmpTrap('1.3.6.1.4.1.1').data('1.3.6.1.4.1.1.2', 's', '{{ .Message }}')"
            ),
            (
                "snmptrap".into(),
                json!({"trap-oid": "1.3.6.1.4.1.1", "data-list": [
                    {"oid": "1.3.6.1.4.1.1.2", "type": "s", "value": "{{ .Message }}"}]})
            )
        );
        assert_eq!(
            one(
                "stream|from()|alert().kafka().cluster('c').kafkaTopic('t').template('x').disablePartitionById().partitionHashAlgorithm('murmur2')"
            ),
            (
                "kafka".into(),
                json!({"cluster": "c", "topic": "t", "template": "x",
                       "disablePartitionById": true, "partitionAlgorithm": "murmur2"})
            )
        );
    }

    #[test]
    fn key_value_properties_keep_the_value_type() {
        assert_eq!(
            one(
                "stream|from()|alert().sensu().metadata('a', 'x').metadata('n', 3).metadata('ok', TRUE)"
            ),
            (
                "sensu".into(),
                json!({"metadata": {"a": "x", "n": 3, "ok": true}})
            )
        );
    }

    #[test]
    fn go_style_capitalized_property_names_work() {
        assert_eq!(
            one("stream|from()|alert().pushover().URL('http://u').uRLTitle('t').userKey('k')"),
            (
                "pushover".into(),
                json!({"url": "http://u", "url-title": "t", "user-key": "k"})
            )
        );
    }

    #[test]
    fn errors_name_the_handler_type() {
        let err = handlers("stream|from()|alert().slack().foo(1)").unwrap_err();
        assert!(
            err.ends_with("no method or property \"foo\" on *pipeline.SlackHandler"),
            "{err}"
        );
        let err = handlers("stream|from()|alert().slack('x')").unwrap_err();
        assert!(
            err.contains("wrong number of arguments: got 1 exp 0"),
            "{err}"
        );
        let err = handlers("stream|from()|alert().mqtt('t').retained(1)").unwrap_err();
        assert!(err.contains("cannot use int as type bool"), "{err}");
    }
}
