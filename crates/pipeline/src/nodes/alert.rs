//! `|alert()`: levels, state and handlers (mirrors pipeline/alert.go).

use std::sync::Arc;

use kapa_expr::Lambda;
use serde_json::{Map, Value};

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &[
    "id",
    "message",
    "details",
    "info",
    "warn",
    "crit",
    "infoReset",
    "warnReset",
    "critReset",
    "flapping",
    "history",
    "stateChangesOnly",
    "noRecoveries",
    "all",
    "inhibit",
    "category",
    "topic",
    "levelTag",
    "idTag",
    "levelField",
    "idField",
    "messageField",
    "durationField",
];

/// TICKscript handler properties of the alert node, with the topic-handler `kind` they map to.
pub(crate) const HANDLERS: &[(&str, &str)] = &[
    ("log", "log"),
    ("post", "post"),
    ("tcp", "tcp"),
    ("email", "smtp"),
    ("exec", "exec"),
    ("victorOps", "victorops"),
    ("pagerDuty", "pagerduty"),
    ("pagerDuty2", "pagerduty2"),
    ("pushover", "pushover"),
    ("sensu", "sensu"),
    ("slack", "slack"),
    ("discord", "discord"),
    ("bigPanda", "bigpanda"),
    ("telegram", "telegram"),
    ("hipChat", "hipchat"),
    ("alerta", "alerta"),
    ("opsGenie", "opsgenie"),
    ("opsGenie2", "opsgenie2"),
    ("talk", "talk"),
    ("mqtt", "mqtt"),
    ("snmpTrap", "snmptrap"),
    ("kafka", "kafka"),
    ("teams", "teams"),
    ("serviceNow", "servicenow"),
    ("zenoss", "zenoss"),
];

/// One handler attached in TICKscript: its kind and options, as a topic-handler spec has them.
#[derive(Debug, Clone, PartialEq)]
pub struct HandlerSpec {
    /// The topic-handler kind (`log`, `post`, `smtp`, ...).
    pub kind: String,
    /// Options with the topic-handler option keys (`path`, `mode`, ...).
    pub options: Map<String, Value>,
}

/// Properties of an alert node.
#[derive(Debug, Clone)]
pub struct AlertSpec {
    /// `.id()` text/template.
    pub id: String,
    /// `.message()` text/template.
    pub message: String,
    /// `.details()` html/template.
    pub details: String,
    /// `.info()`, `.warn()`, `.crit()` by level index 1..=3 (index 0 unused).
    pub levels: [Option<Arc<Lambda>>; 4],
    /// `.infoReset()`, `.warnReset()`, `.critReset()` by level index.
    pub resets: [Option<Arc<Lambda>>; 4],
    /// `.flapping(low, high)`.
    pub flapping: Option<(f64, f64)>,
    /// `.history(n)`.
    pub history: i64,
    /// `.stateChangesOnly()`.
    pub state_changes_only: bool,
    /// `.stateChangesOnly(d)`: re-send an unchanged state after d (ns); 0 = never.
    pub state_changes_only_interval: i64,
    /// `.noRecoveries()`.
    pub no_recoveries: bool,
    /// `.all()`.
    pub all: bool,
    /// `.inhibit(category, tags...)`.
    pub inhibitors: Vec<(String, Vec<String>)>,
    /// `.category()`.
    pub category: String,
    /// `.topic()`.
    pub topic: String,
    /// `.levelTag()`.
    pub level_tag: String,
    /// `.idTag()`.
    pub id_tag: String,
    /// `.levelField()`.
    pub level_field: String,
    /// `.idField()`.
    pub id_field: String,
    /// `.messageField()`.
    pub message_field: String,
    /// `.durationField()`.
    pub duration_field: String,
    /// Handlers in the order they were attached.
    pub handlers: Vec<HandlerSpec>,
}

impl Default for AlertSpec {
    fn default() -> Self {
        AlertSpec {
            id: "{{ .Name }}:{{ .Group }}".into(),
            message: "{{ .ID }} is {{ .Level }}".into(),
            details: "{{ json . }}".into(),
            levels: Default::default(),
            resets: Default::default(),
            flapping: None,
            history: 21,
            state_changes_only: false,
            state_changes_only_interval: 0,
            no_recoveries: false,
            all: false,
            inhibitors: Vec::new(),
            category: String::new(),
            topic: String::new(),
            level_tag: String::new(),
            id_tag: String::new(),
            level_field: String::new(),
            id_field: String::new(),
            message_field: String::new(),
            duration_field: String::new(),
            handlers: Vec::new(),
        }
    }
}

impl AlertSpec {
    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "id" => self.id = args::string(a)?,
            "message" => self.message = args::string(a)?,
            "details" => self.details = args::string(a)?,
            "info" => self.levels[1] = Some(args::lambda(a)?),
            "warn" => self.levels[2] = Some(args::lambda(a)?),
            "crit" => self.levels[3] = Some(args::lambda(a)?),
            "infoReset" => self.resets[1] = Some(args::lambda(a)?),
            "warnReset" => self.resets[2] = Some(args::lambda(a)?),
            "critReset" => self.resets[3] = Some(args::lambda(a)?),
            "flapping" => {
                if a.len() != 2 {
                    return Err(format!("wrong number of arguments: got {} exp 2", a.len()));
                }
                let (low, high) = (args::float_of(&a[0])?, args::float_of(&a[1])?);
                if !(0.0..=1.0).contains(&low) || !(0.0..=1.0).contains(&high) || low > high {
                    return Err("flapping thresholds must be in [0, 1] with low <= high".into());
                }
                self.flapping = Some((low, high));
            }
            "history" => {
                let n = args::int(a)?;
                self.history = n.max(2);
            }
            "stateChangesOnly" => {
                self.state_changes_only = true;
                match a.len() {
                    0 => {}
                    1 => self.state_changes_only_interval = args::duration_of(&a[0])?,
                    n => return Err(format!("wrong number of arguments: got {n} exp 0 or 1")),
                }
            }
            "noRecoveries" => {
                args::none(a)?;
                self.no_recoveries = true;
            }
            "all" => {
                args::none(a)?;
                self.all = true;
            }
            "inhibit" => {
                let mut names = args::strings(a)?;
                if names.is_empty() {
                    return Err("inhibit requires a category".into());
                }
                let category = names.remove(0);
                self.inhibitors.push((category, names));
            }
            "category" => self.category = args::string(a)?,
            "topic" => self.topic = args::string(a)?,
            "levelTag" => self.level_tag = args::string(a)?,
            "idTag" => self.id_tag = args::string(a)?,
            "levelField" => self.level_field = args::string(a)?,
            "idField" => self.id_field = args::string(a)?,
            "messageField" => self.message_field = args::string(a)?,
            "durationField" => self.duration_field = args::string(a)?,
            _ => return self.add_handler(name, a),
        }
        Ok(Set::Node)
    }

    fn add_handler(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        let Some((_, kind)) = HANDLERS.iter().find(|(p, _)| *p == name) else {
            return Ok(Set::Unknown);
        };
        let mut options = Map::new();
        match *kind {
            "log" => {
                options.insert("path".into(), Value::String(args::string(a)?));
                options.insert("mode".into(), Value::from(0o600));
            }
            "post" => {
                // Kapacitor's Post(urls ...string) keeps only the first URL.
                if let Some(url) = args::strings(a)?.into_iter().next() {
                    options.insert("url".into(), Value::String(url));
                }
            }
            "tcp" => {
                options.insert("address".into(), Value::String(args::string(a)?));
            }
            "exec" => {
                let mut command = args::strings(a)?.into_iter();
                let Some(prog) = command.next() else {
                    return Err(format!(
                        "wrong number of arguments: got {} exp at least 1",
                        a.len()
                    ));
                };
                options.insert("prog".into(), Value::String(prog));
                options.insert(
                    "args".into(),
                    Value::Array(command.map(Value::String).collect()),
                );
            }
            other => options = super::alert_handlers::new_options(other, a)?,
        }
        self.handlers.push(HandlerSpec {
            kind: (*kind).to_string(),
            options,
        });
        Ok(Set::Handler(self.handlers.len() - 1))
    }

    /// Sets a property of one of this node's handlers.
    pub(crate) fn set_handler(&mut self, handler: usize, name: &str, a: &[Val]) -> ArgResult<Set> {
        let Some(h) = self.handlers.get_mut(handler) else {
            return Ok(Set::Unknown);
        };
        match (h.kind.as_str(), name) {
            ("log", "mode") => {
                h.options.insert("mode".into(), Value::from(args::int(a)?));
            }
            ("post", "endpoint") => {
                h.options
                    .insert("endpoint".into(), Value::String(args::string(a)?));
            }
            ("post", "header") => {
                let kv = args::strings(a)?;
                let [k, v] = kv.as_slice() else {
                    return Err(format!("wrong number of arguments: got {} exp 2", a.len()));
                };
                // Kapacitor keeps credentials out of scripts (AlertHTTPPostHandler.validate).
                if k.eq_ignore_ascii_case("authenticate") {
                    return Err("cannot set 'authenticate' header".into());
                }
                let headers = h
                    .options
                    .entry("headers")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(m) = headers {
                    m.insert(k.clone(), Value::String(v.clone()));
                }
            }
            ("post", "captureResponse") => {
                args::none(a)?;
                h.options
                    .insert("capture-response".into(), Value::Bool(true));
            }
            ("post", "timeout") => {
                h.options
                    .insert("timeout".into(), Value::from(args::duration(a)?));
            }
            ("post", "skipSSLVerification") => {
                args::none(a)?;
                h.options
                    .insert("skip-ssl-verification".into(), Value::Bool(true));
            }
            (kind, _) => {
                if !super::alert_handlers::set_property(kind, &mut h.options, name, a)? {
                    return Ok(Set::Unknown);
                }
            }
        }
        Ok(Set::Handler(handler))
    }

    /// The Go type of a handler, for messages.
    pub(crate) fn handler_go_type(&self, handler: usize) -> &'static str {
        match self.handlers.get(handler).map(|h| h.kind.as_str()) {
            Some("log") => "*pipeline.LogHandler",
            Some("post") => "*pipeline.AlertHTTPPostHandler",
            Some("tcp") => "*pipeline.TcpHandler",
            Some("exec") => "*pipeline.ExecHandler",
            Some(kind) => super::alert_handlers::go_type(kind).unwrap_or("*pipeline.AlertNode"),
            None => "*pipeline.AlertNode",
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use serde_json::json;

    use crate::nodes::NodeKind;
    use crate::{TaskType, compile};

    fn handlers(script: &str) -> Result<Vec<super::HandlerSpec>, String> {
        let p = compile(script, TaskType::Stream, &HashMap::new()).map_err(|e| e.to_string())?;
        p.nodes
            .iter()
            .find_map(|n| match &n.kind {
                NodeKind::Alert(a) => Some(a.handlers.clone()),
                _ => None,
            })
            .ok_or_else(|| "no alert node".to_string())
    }

    #[test]
    fn post_with_every_sub_property() {
        let h = handlers(
            "stream|from()|alert().post('http://x', 'http://ignored').header('a', 'b').header('c', 'd')\
             .endpoint('ep').captureResponse().timeout(10s).skipSSLVerification()",
        )
        .unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].kind, "post");
        assert_eq!(
            serde_json::Value::Object(h[0].options.clone()),
            json!({
                "url": "http://x",
                "headers": {"a": "b", "c": "d"},
                "endpoint": "ep",
                "capture-response": true,
                "timeout": 10_000_000_000_i64,
                "skip-ssl-verification": true,
            })
        );
    }

    #[test]
    fn post_without_url_uses_an_endpoint() {
        let h = handlers("stream|from()|alert().post().endpoint('example')").unwrap();
        assert_eq!(
            serde_json::Value::Object(h[0].options.clone()),
            json!({"endpoint": "example"})
        );
    }

    #[test]
    fn tcp_and_exec_specs() {
        let h = handlers(
            "stream|from()|alert().tcp('127.0.0.1:9000').exec('/bin/handler', '-v', 'x').crit(lambda: TRUE)",
        )
        .unwrap();
        assert_eq!(h[0].kind, "tcp");
        assert_eq!(
            serde_json::Value::Object(h[0].options.clone()),
            json!({"address": "127.0.0.1:9000"})
        );
        assert_eq!(h[1].kind, "exec");
        assert_eq!(
            serde_json::Value::Object(h[1].options.clone()),
            json!({"prog": "/bin/handler", "args": ["-v", "x"]})
        );
    }

    #[test]
    fn unknown_handler_sub_property_names_the_handler_type() {
        let err = handlers("stream|from()|alert().post('http://x').foo(0644)").unwrap_err();
        assert_eq!(
            err,
            "line 1 char 40: no method or property \"foo\" on *pipeline.AlertHTTPPostHandler"
        );
        let err = handlers("stream|from()|alert().tcp('a:1').header('a', 'b')").unwrap_err();
        assert_eq!(
            err,
            "line 1 char 34: no method or property \"header\" on *pipeline.TcpHandler"
        );
        let err = handlers("stream|from()|alert().exec('/x').timeout(1s)").unwrap_err();
        assert_eq!(
            err,
            "line 1 char 34: no method or property \"timeout\" on *pipeline.ExecHandler"
        );
    }

    #[test]
    fn bad_sub_property_arguments() {
        let err = handlers("stream|from()|alert().post('http://x').header('a')").unwrap_err();
        assert_eq!(
            err,
            "line 1 char 40: error calling func \"header\" on obj *pipeline.AlertHTTPPostHandler: wrong number of arguments: got 1 exp 2"
        );
        let err = handlers("stream|from()|alert().post('http://x').header('Authenticate', 'x')")
            .unwrap_err();
        assert_eq!(
            err,
            "line 1 char 40: error calling func \"header\" on obj *pipeline.AlertHTTPPostHandler: cannot set 'authenticate' header"
        );
        let err = handlers("stream|from()|alert().exec()").unwrap_err();
        assert_eq!(
            err,
            "line 1 char 23: error calling func \"exec\" on obj *pipeline.AlertNode: wrong number of arguments: got 0 exp at least 1"
        );
    }
}
