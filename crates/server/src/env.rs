//! `KAPACITOR_<SECTION>_<KEY>` environment overrides, applied to the merged table the
//! way Kapacitor's `applyEnvOverrides` walks its config struct: dashes become
//! underscores, array sections and array values take an index
//! (`KAPACITOR_INFLUXDB_0_URLS_0`), free-form maps take the key as a suffix
//! (`KAPACITOR_HTTPPOST_0_HEADERS_Example`), and `[[kubernetes]]` also accepts no index.

use std::collections::HashMap;

use toml::{Table, Value};

use crate::ServerError;

/// Environment variables by name.
pub type EnvMap = HashMap<String, String>;

/// The process environment.
pub fn process_env() -> EnvMap {
    std::env::vars().collect()
}

/// Tables that are free-form string maps rather than structs.
const STRING_MAPS: &[&str] = &["headers", "severity-map", "labels", "env"];

/// Sections whose first element can be addressed without an index.
const IMPLICIT_INDEX: &[&str] = &["kubernetes"];

/// Applies every matching variable to `table`.
pub fn apply(table: &mut Table, env: &EnvMap) -> Result<(), ServerError> {
    apply_table(table, "KAPACITOR", env)
}

fn env_name(prefix: &str, key: &str) -> String {
    format!("{prefix}_{}", key.to_uppercase().replace('-', "_"))
}

fn apply_table(table: &mut Table, prefix: &str, env: &EnvMap) -> Result<(), ServerError> {
    for (key, value) in table.iter_mut() {
        let name = env_name(prefix, key);
        match value {
            Value::Table(sub) if STRING_MAPS.contains(&key.as_str()) => apply_map(sub, &name, env),
            Value::Table(sub) => apply_table(sub, &name, env)?,
            Value::Array(items) if items.first().is_some_and(Value::is_table) => {
                for (i, item) in items.iter_mut().enumerate() {
                    if let Value::Table(t) = item {
                        if i == 0 && prefix == "KAPACITOR" && IMPLICIT_INDEX.contains(&key.as_str())
                        {
                            apply_table(t, &name, env)?;
                        }
                        apply_table(t, &format!("{name}_{i}"), env)?;
                    }
                }
            }
            Value::Array(items) => apply_array(items, &name, env)?,
            scalar => {
                if let Some(raw) = env.get(&name) {
                    *scalar = convert(&name, raw, scalar)?;
                }
            }
        }
    }
    Ok(())
}

/// Free-form string maps: every `NAME_<key>` variable sets `<key>`.
fn apply_map(map: &mut Table, name: &str, env: &EnvMap) {
    let prefix = format!("{name}_");
    let mut found: Vec<_> = env
        .iter()
        .filter_map(|(k, v)| {
            k.strip_prefix(&prefix)
                .map(|key| (key.to_string(), v.clone()))
        })
        .filter(|(k, _)| !k.is_empty())
        .collect();
    found.sort();
    for (k, v) in found {
        map.insert(k, Value::String(v));
    }
}

/// `NAME` replaces the whole array (comma separated); `NAME_<i>` sets or appends one value.
fn apply_array(items: &mut Vec<Value>, name: &str, env: &EnvMap) -> Result<(), ServerError> {
    let element_template = items
        .first()
        .cloned()
        .unwrap_or(Value::String(String::new()));
    if let Some(raw) = env.get(name) {
        *items = raw
            .split(',')
            .map(|part| convert(name, part.trim(), &element_template))
            .collect::<Result<_, _>>()?;
    }
    let mut i = 0;
    loop {
        let var = format!("{name}_{i}");
        let Some(raw) = env.get(&var) else { break };
        let v = convert(&var, raw, &element_template)?;
        if i < items.len() {
            items[i] = v;
        } else {
            items.push(v);
        }
        i += 1;
    }
    Ok(())
}

/// Converts `raw` to the type of `current`, as Go's strconv would parse it.
fn convert(var: &str, raw: &str, current: &Value) -> Result<Value, ServerError> {
    let fail = |ty: &str| {
        ServerError::Config(format!(
            "failed to apply {var} using type {ty} and value '{raw}'"
        ))
    };
    Ok(match current {
        Value::Boolean(_) => Value::Boolean(parse_go_bool(raw).ok_or_else(|| fail("bool"))?),
        Value::Integer(_) => match parse_go_int(raw) {
            Some(n) => Value::Integer(n),
            // Durations written as integers in a file may be overridden with "10s".
            None if kapa_models::duration::parse_go(raw).is_ok() => Value::String(raw.to_string()),
            None => return Err(fail("int")),
        },
        Value::Float(_) => Value::Float(raw.parse().map_err(|_| fail("float64"))?),
        _ => Value::String(raw.to_string()),
    })
}

fn parse_go_bool(s: &str) -> Option<bool> {
    match s {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

fn parse_go_int(s: &str) -> Option<i64> {
    let (neg, digits) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let n = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(hex, 16).ok()?
    } else {
        digits.parse::<i64>().ok()?
    };
    Some(if neg { -n } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Config, defaults_table};

    fn env(pairs: &[(&str, &str)]) -> EnvMap {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn overrides_scalars_arrays_and_elements() {
        let mut t = defaults_table().unwrap();
        apply(
            &mut t,
            &env(&[
                ("KAPACITOR_HOSTNAME", "h1"),
                ("KAPACITOR_HTTP_BIND_ADDRESS", "127.0.0.1:0"),
                ("KAPACITOR_HTTP_LOG_ENABLED", "false"),
                ("KAPACITOR_ALERT_TOPIC_BUFFER_LENGTH", "7"),
                ("KAPACITOR_STATS_TIMING_SAMPLE_RATE", "0.5"),
                ("KAPACITOR_INFLUXDB_0_URLS_0", "http://a:8086"),
                ("KAPACITOR_INFLUXDB_0_URLS_1", "http://b:8086"),
                ("KAPACITOR_INFLUXDB_0_ENABLED", "f"),
                ("KAPACITOR_HTTPPOST_0_HEADERS_Example", "v"),
                ("KAPACITOR_KUBERNETES_ENABLED", "true"),
                ("KAPACITOR_SMTP_TO", "a@x, b@x"),
                ("KAPACITOR_DEFAULT_RETENTION_POLICY", "rp1"),
            ]),
        )
        .unwrap();
        assert_eq!(t["httppost"][0]["headers"]["Example"].as_str(), Some("v"));
        assert_eq!(t["kubernetes"][0]["enabled"].as_bool(), Some(true));
        assert_eq!(t["smtp"]["to"].as_array().unwrap().len(), 2);
        assert_eq!(t["stats"]["timing-sample-rate"].as_float(), Some(0.5));
        let cfg = Config::from_table(t).unwrap();
        assert_eq!(cfg.hostname, "h1");
        assert_eq!(cfg.http.bind_address, "127.0.0.1:0");
        assert!(!cfg.http.log_enabled);
        assert_eq!(cfg.alert.topic_buffer_length, 7);
        assert_eq!(cfg.influxdb[0].urls, vec!["http://a:8086", "http://b:8086"]);
        assert!(!cfg.influxdb[0].enabled);
        assert_eq!(cfg.default_retention_policy, "rp1");
    }

    #[test]
    fn bad_values_name_the_variable() {
        let mut t = defaults_table().unwrap();
        let err = apply(&mut t, &env(&[("KAPACITOR_HTTP_LOG_ENABLED", "maybe")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed to apply KAPACITOR_HTTP_LOG_ENABLED using type bool and value 'maybe'"
        );
        let err = apply(&mut t, &env(&[("KAPACITOR_SMTP_PORT", "x")])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "failed to apply KAPACITOR_SMTP_PORT using type int and value 'x'"
        );
    }

    #[test]
    fn go_number_syntax() {
        assert_eq!(parse_go_int("0x10"), Some(16));
        assert_eq!(parse_go_int("-5"), Some(-5));
        assert_eq!(parse_go_bool("T"), Some(true));
        assert_eq!(parse_go_bool("yes"), None);
    }
}
