//! Handler-side Go templates (`[[httppost]]` url and alert-template), executed with
//! `alert.Data` as Go sees the struct: `.ID .Message .Details .Time .Duration .Level
//! .Data .PreviousLevel .Recoverable`.

use std::collections::BTreeMap;
use std::sync::Arc;

use gotmpl::Value;
use kapa_engine::{AlertData, AlertEvent};

/// Key under which the data map carries Go's JSON encoding of the whole struct, so
/// `{{ json . }}` prints the `alert.Data` fields with their JSON names and order.
const JSON_KEY: &str = "\u{1}json";

/// A parsed `text/template`.
pub(crate) struct Template(gotmpl::Template);

impl std::fmt::Debug for Template {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Template")
    }
}

impl Template {
    /// Parses `src`; `with_json` registers the `json` function, which Kapacitor gives
    /// inline templates but not templates read from a file.
    pub(crate) fn parse(src: &str, with_json: bool) -> Result<Template, String> {
        let mut t = gotmpl::Template::new("body");
        if with_json {
            t = t.func("json", |a| Ok(Value::String(Arc::from(json_func(a)))));
        }
        t.parse(src).map(Template).map_err(|e| e.to_string())
    }

    /// Executes the template with `data`.
    pub(crate) fn render(&self, data: &Value) -> Result<String, String> {
        self.0.execute_to_string(data).map_err(|e| e.to_string())
    }
}

/// `json` as `[[httppost]]` templates define it: json.Encoder output, so with a newline.
fn json_func(args: &[Value]) -> String {
    let Some(v) = args.first() else {
        return "null\n".into();
    };
    if let Value::Map(m) = v
        && let Some(Value::String(s)) = m.get(JSON_KEY)
    {
        return format!("{s}\n");
    }
    let mut s = crate::to_go_json(&to_json(v)).unwrap_or_else(|_| "null".into());
    s.push('\n');
    s
}

pub(crate) fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Nil | Value::Function(_) => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Uint(u) => serde_json::Value::from(*u),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::Safe { s, .. } => serde_json::Value::String(s.to_string()),
        Value::List(l) => serde_json::Value::Array(l.iter().map(to_json).collect()),
        Value::Map(m) => serde_json::Value::Object(
            m.iter()
                .filter(|(k, _)| &***k != JSON_KEY)
                .map(|(k, v)| (k.to_string(), to_json(v)))
                .collect(),
        ),
    }
}

fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else if let Some(u) = n.as_u64() {
                Value::Uint(u)
            } else {
                Value::Float(n.as_f64().unwrap_or(f64::NAN))
            }
        }
        serde_json::Value::String(s) => Value::String(Arc::from(s.as_str())),
        serde_json::Value::Array(a) => Value::List(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => map(o
            .iter()
            .map(|(k, v)| (Arc::from(k.as_str()), from_json(v)))
            .collect()),
    }
}

fn map(m: BTreeMap<Arc<str>, Value>) -> Value {
    Value::Map(Arc::new(m))
}

fn string(s: &str) -> Value {
    Value::String(Arc::from(s))
}

/// `alert.Data` of an event as template data.
pub(crate) fn alert_data(event: &AlertEvent) -> Value {
    let d: &AlertData = &event.data;
    let series: Vec<Value> = d
        .data
        .series
        .iter()
        .flatten()
        .map(|row| {
            let tags = row
                .tags
                .iter()
                .map(|(k, v)| (Arc::from(k.as_str()), from_json(v)))
                .collect();
            let columns: Vec<Value> = row.columns.iter().map(|c| string(c)).collect();
            let values: Vec<Value> = row
                .values
                .iter()
                .map(|vals| Value::List(vals.iter().map(from_json).collect()))
                .collect();
            map(BTreeMap::from([
                (Arc::from("Name"), string(&row.name)),
                (Arc::from("Tags"), map(tags)),
                (Arc::from("Columns"), Value::List(columns.into())),
                (Arc::from("Values"), Value::List(values.into())),
                (Arc::from("Partial"), Value::Bool(false)),
            ]))
        })
        .collect();
    let result = map(BTreeMap::from([
        (Arc::from("Series"), Value::List(series.into())),
        (
            Arc::from("Err"),
            d.data.error.as_deref().map_or(Value::Nil, string),
        ),
    ]));
    let mut m: BTreeMap<Arc<str>, Value> = BTreeMap::from([
        (Arc::from("ID"), string(&d.id)),
        (Arc::from("Message"), string(&d.message)),
        (Arc::from("Details"), string(&d.details)),
        (
            Arc::from("Time"),
            string(&kapa_models::time::format_go_string(event.time)),
        ),
        (
            Arc::from("Duration"),
            string(&kapa_models::duration::format_go(d.duration)),
        ),
        (Arc::from("Level"), string(d.level.as_str())),
        (Arc::from("Data"), result),
        (
            Arc::from("PreviousLevel"),
            string(d.previous_level.as_str()),
        ),
        (Arc::from("Recoverable"), Value::Bool(d.recoverable)),
    ]);
    if let Ok(j) = crate::to_go_json(d) {
        m.insert(Arc::from(JSON_KEY), Value::String(Arc::from(j)));
    }
    map(m)
}

/// `alert.TemplateData` of an event, for handler-side templates (Alerta, BigPanda,
/// Discord, MQTT topic-template, PagerDuty2 links, Sensu, SNMP trap values):
/// `.ID .Message .Level .Time .Duration .Name .TaskName .Group .Tags .Fields`.
pub(crate) fn template_data(event: &AlertEvent) -> Value {
    let d: &AlertData = &event.data;
    let tags: BTreeMap<Arc<str>, Value> = event
        .tags
        .iter()
        .map(|(k, v)| (Arc::from(k.as_str()), string(v)))
        .collect();
    map(BTreeMap::from([
        (Arc::from("ID"), string(&d.id)),
        (Arc::from("Message"), string(&d.message)),
        (Arc::from("Level"), string(d.level.as_str())),
        (
            Arc::from("Time"),
            string(&kapa_models::time::format_go_string(event.time)),
        ),
        (
            Arc::from("Duration"),
            string(&kapa_models::duration::format_go(d.duration)),
        ),
        (Arc::from("Name"), string(&event.name)),
        (Arc::from("TaskName"), string(&event.task_name)),
        (Arc::from("Group"), string(&event.group)),
        (Arc::from("Tags"), map(tags)),
        (Arc::from("Fields"), map(fields(event))),
    ]))
}

/// Some entries of [`template_data`] (handlers whose templates see fewer of them).
pub(crate) fn template_subset(event: &AlertEvent, keys: &[&str]) -> BTreeMap<Arc<str>, Value> {
    let mut out = BTreeMap::new();
    if let Value::Map(m) = template_data(event) {
        for k in keys {
            if let Some(v) = m.get(*k) {
                out.insert(Arc::from(*k), v.clone());
            }
        }
    }
    out
}

/// The fields of the point that raised the event: the last row's values, without `time`.
pub(crate) fn fields(event: &AlertEvent) -> BTreeMap<Arc<str>, Value> {
    let Some(row) = event.data.data.series.iter().flatten().next() else {
        return BTreeMap::new();
    };
    let Some(values) = row.values.last() else {
        return BTreeMap::new();
    };
    row.columns
        .iter()
        .zip(values)
        .filter(|(c, _)| c.as_str() != "time")
        .map(|(c, v)| (Arc::from(c.as_str()), from_json(v)))
        .collect()
}
