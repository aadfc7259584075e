//! The handler services' configuration sections (`[slack]`, `[[mqtt]]`, ...), as the
//! server read them from kapacitor.conf, and the `global` handlers they attach.

use std::sync::LazyLock;

use kapa_pipeline::nodes::HandlerSpec;
use serde_json::{Map, Value};

use super::options::Options;

static EMPTY: LazyLock<Map<String, Value>> = LazyLock::new(Map::new);

/// Handler kinds whose service can be `global`, with the section that configures it,
/// and whether the service honours `state-changes-only` (Kapacitor's alert.go).
const GLOBAL_KINDS: &[(&str, bool)] = &[
    ("smtp", true),
    ("victorops", false),
    ("pagerduty", false),
    ("pagerduty2", false),
    ("slack", true),
    ("telegram", true),
    ("hipchat", true),
    ("opsgenie", false),
    ("opsgenie2", false),
    ("bigpanda", true),
    ("discord", true),
    ("servicenow", true),
    ("teams", true),
    ("zenoss", true),
];

/// Every service section (JSON of the TOML tables) and the API's external URL.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HandlerServices {
    sections: Map<String, Value>,
    external_url: String,
    /// Kinds switched off by `kapacitord run -disable-handlers`.
    disabled: Vec<String>,
}

impl HandlerServices {
    /// Services from the configuration sections by name (`smtp` -> table, `slack` -> array
    /// of tables) and the URL under which this Kapacitor is reached (PagerDuty's
    /// `client_url`).
    pub fn new(sections: Map<String, Value>, external_url: String) -> Self {
        HandlerServices {
            sections,
            external_url,
            disabled: Vec::new(),
        }
    }

    /// The same services with these handler kinds switched off (`-disable-handlers`).
    pub fn with_disabled(mut self, kinds: Vec<String>) -> Self {
        self.disabled = kinds;
        self
    }

    /// Whether handlers of `kind` are switched off.
    pub fn is_disabled(&self, kind: &str) -> bool {
        self.disabled.iter().any(|k| k == kind)
    }

    /// The raw JSON of a section.
    pub(crate) fn raw(&self, name: &str) -> Option<&Value> {
        self.sections.get(name)
    }

    /// `http://host:port` of this Kapacitor.
    pub(crate) fn external_url(&self) -> &str {
        &self.external_url
    }

    /// A single-table section; an absent one reads as empty (every key at its zero value).
    pub(crate) fn section(&self, kind: &'static str, name: &str) -> Options<'_> {
        let map = match self.sections.get(name) {
            Some(Value::Object(m)) => m,
            // A one-element array written as `[[telegram]]` still configures the service.
            Some(Value::Array(a)) => match a.first() {
                Some(Value::Object(m)) => m,
                _ => &EMPTY,
            },
            _ => &EMPTY,
        };
        Options::new(kind, map)
    }

    /// The element of an array section (`[[slack]]`) whose `key` is `id`; an empty `id`
    /// picks the default element (the only one, or the one with `default = true`).
    /// Errors are Kapacitor's texts.
    pub(crate) fn element(
        &self,
        kind: &'static str,
        name: &str,
        key: &str,
        id: &str,
    ) -> Result<Options<'_>, String> {
        let elements: Vec<&Map<String, Value>> = match self.sections.get(name) {
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_object).collect(),
            Some(Value::Object(m)) => vec![m],
            _ => Vec::new(),
        };
        if elements.is_empty() {
            return Err(format!("no {name} configuration found"));
        }
        fn id_of<'m>(m: &'m Map<String, Value>, key: &str) -> &'m str {
            m.get(key).and_then(Value::as_str).unwrap_or("")
        }
        let is_default = |m: &Map<String, Value>| {
            elements.len() == 1 || m.get("default").and_then(Value::as_bool) == Some(true)
        };
        let found = elements.iter().find(|m| id_of(m, key) == id).or_else(|| {
            if id.is_empty() {
                elements
                    .iter()
                    .find(|m| is_default(m) && !id_of(m, key).is_empty())
            } else {
                None
            }
        });
        match found {
            Some(m) => Ok(Options::new(kind, m)),
            None => Err(format!("{} id not found", key_name(key))),
        }
    }

    /// The handlers that `global = true` services add to an alert node that has no handler
    /// of their kind, and whether one of them forces `stateChangesOnly`.
    pub fn global_handlers(&self, existing: &[HandlerSpec]) -> (Vec<HandlerSpec>, bool) {
        let mut out = Vec::new();
        let mut state_changes_only = false;
        for (kind, honours_sco) in GLOBAL_KINDS {
            let section = self.default_section(kind);
            if !section.bool("global").unwrap_or(false) {
                continue;
            }
            if !existing.iter().any(|h| h.kind == *kind) {
                out.push(HandlerSpec {
                    kind: (*kind).to_string(),
                    options: Map::new(),
                });
            }
            if *honours_sco && section.bool("state-changes-only").unwrap_or(false) {
                state_changes_only = true;
            }
        }
        (out, state_changes_only)
    }

    /// The section of a kind, or the default element of an array section.
    fn default_section(&self, kind: &'static str) -> Options<'_> {
        match kind {
            "slack" | "discord" => self
                .element(kind, kind, "workspace", "")
                .unwrap_or_else(|_| Options::new(kind, &EMPTY)),
            _ => self.section(kind, kind),
        }
    }
}

/// Kapacitor names the element key in its "not found" errors.
fn key_name(key: &str) -> &str {
    match key {
        "workspace" => "workspace",
        "name" => "broker",
        other => other,
    }
}
