//! Startup checks of the handler sections, with Kapacitor's messages (each service's
//! `Config.Validate`), so a bad section stops the daemon instead of failing every alert.

use serde_json::{Map, Value};

use super::services::HandlerServices;

fn elements<'a>(services: &'a HandlerServices, name: &str) -> Vec<&'a Map<String, Value>> {
    match services.raw(name) {
        Some(Value::Array(a)) => a.iter().filter_map(Value::as_object).collect(),
        Some(Value::Object(m)) => vec![m],
        _ => Vec::new(),
    }
}

fn b(m: &Map<String, Value>, k: &str) -> bool {
    m.get(k).and_then(Value::as_bool).unwrap_or(false)
}

fn s<'a>(m: &'a Map<String, Value>, k: &str) -> &'a str {
    m.get(k).and_then(Value::as_str).unwrap_or("")
}

/// `[[slack]]` (and `[[discord]]`, which has the same rules): `url` when enabled, names
/// when several, one default, `global` and `state-changes-only` only on the default.
fn workspaces(list: &[&Map<String, Value>], product: &str) -> Result<(), String> {
    let many = list.len() > 1;
    let mut has_default = list.len() == 1;
    for c in list {
        if b(c, "enabled") && s(c, "url").is_empty() {
            return Err("must specify url".into());
        }
        if many && s(c, "workspace").is_empty() {
            return Err("id must not be empty".into());
        }
        has_default |= b(c, "default");
        if b(c, "global") && !b(c, "default") && many {
            return Err("only the default config may be assigned as global".into());
        }
        if b(c, "state-changes-only") && !b(c, "global") {
            return Err(
                "stateChangesOnly may only be assigned when the config is both default and global"
                    .into(),
            );
        }
    }
    if !list.is_empty() && !has_default {
        return Err(format!(
            "at least one {product} config must be set as default"
        ));
    }
    Ok(())
}

/// `[[mqtt]]`: a name, a url when enabled, at most one default (one when several).
fn brokers(list: &[&Map<String, Value>]) -> Result<(), String> {
    let mut defaults = 0;
    for c in list {
        if b(c, "default") {
            defaults += 1;
        }
        if s(c, "name").is_empty() {
            return Err("must specify a name for the mqtt broker".into());
        }
        if b(c, "enabled") && s(c, "url").is_empty() {
            return Err("must specify a url for mqtt service".into());
        }
    }
    if defaults > 1 {
        return Err("more than one configuration is marked as the default".into());
    }
    if defaults == 0 && list.len() > 1 {
        return Err("no configuration is marked as the default".into());
    }
    Ok(())
}

/// Checks every section; the error names the section (`slack: must specify url`).
pub fn validate(services: &HandlerServices) -> Result<(), String> {
    workspaces(&elements(services, "slack"), "Slack").map_err(|e| format!("slack: {e}"))?;
    workspaces(&elements(services, "discord"), "Discord").map_err(|e| format!("discord: {e}"))?;
    brokers(&elements(services, "mqtt")).map_err(|e| format!("mqtt: {e}"))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(v: Value) -> Result<(), String> {
        let Value::Object(m) = v else {
            panic!("object")
        };
        validate(&HandlerServices::new(m, String::new()))
    }

    #[test]
    fn kapacitor_messages() {
        assert!(check(json!({"slack": [{"enabled": false, "default": true}]})).is_ok());
        assert_eq!(
            check(json!({"slack": [{"enabled": true, "url": ""}]})).unwrap_err(),
            "slack: must specify url"
        );
        assert_eq!(
            check(json!({"slack": [{"workspace": "a", "default": true}, {"workspace": ""}]}))
                .unwrap_err(),
            "slack: id must not be empty"
        );
        assert_eq!(
            check(json!({"slack": [{"workspace": "a"}, {"workspace": "b"}]})).unwrap_err(),
            "slack: at least one Slack config must be set as default"
        );
        assert_eq!(
            check(json!({"mqtt": [{"name": "", "url": "tcp://x:1"}]})).unwrap_err(),
            "mqtt: must specify a name for the mqtt broker"
        );
        assert_eq!(
            check(
                json!({"mqtt": [{"name": "a", "default": true}, {"name": "b", "default": true}]})
            )
            .unwrap_err(),
            "mqtt: more than one configuration is marked as the default"
        );
    }
}
