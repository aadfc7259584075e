//! The alert handler services' sections of kapacitor.conf (`[smtp]`, `[[slack]]`, ...),
//! handed to the alert service as JSON, with the URL handlers report for this Kapacitor.

use serde_json::Map;
use toml::Table;

/// Sections read by the handler kinds (and the service-tests API).
pub const SECTIONS: &[&str] = &[
    "smtp",
    "snmptrap",
    "opsgenie",
    "opsgenie2",
    "victorops",
    "pagerduty",
    "pagerduty2",
    "pushover",
    "zenoss",
    "slack",
    "discord",
    "telegram",
    "hipchat",
    "kafka",
    "alerta",
    "bigpanda",
    "servicenow",
    "sensu",
    "talk",
    "teams",
    "mqtt",
];

/// The handler sections of `raw` and the external URL `http://<hostname>:<port>`.
pub fn handler_services(raw: &Table) -> kapa_alert::HandlerServices {
    let mut sections = Map::new();
    for name in SECTIONS {
        if let Some(v) = raw.get(*name)
            && let Ok(json) = serde_json::to_value(v)
        {
            sections.insert((*name).to_string(), json);
        }
    }
    kapa_alert::HandlerServices::new(sections, external_url(raw))
}

/// Kapacitor's httpd URL: the configured hostname and the port of `[http] bind-address`.
fn external_url(raw: &Table) -> String {
    let host = raw
        .get("hostname")
        .and_then(|v| v.as_str())
        .unwrap_or("localhost");
    let bind = raw
        .get("http")
        .and_then(|h| h.get("bind-address"))
        .and_then(|v| v.as_str())
        .unwrap_or(":9092");
    let port = bind.rsplit_once(':').map_or("9092", |(_, p)| p);
    format!("http://{host}:{port}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_and_url_from_the_defaults() {
        let mut raw = crate::config::defaults_table().unwrap();
        raw.insert("hostname".into(), toml::Value::String("kap".into()));
        let s = handler_services(&raw);
        assert_eq!(external_url(&raw), "http://kap:9092");
        let (globals, sco) = s.global_handlers(&[]);
        assert!(globals.is_empty() && !sco);
    }
}
