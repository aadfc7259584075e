//! Go `text/template` and `html/template` rendering (through gotmpl) with Kapacitor's
//! extra functions `json` and `jsonCompact`.

use std::sync::Arc;

use gotmpl::Value;

/// Which Go template package the text follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TemplateKind {
    /// `text/template` (alert id, message).
    Text,
    /// `html/template` (alert details): output is HTML-escaped by context.
    Html,
}

/// Key under which a data map carries its own JSON rendering in Go field order, so
/// `{{ json . }}` prints fields as Go's encoding/json does for the struct.
pub(crate) const JSON_KEY: &str = "\u{1}json";

/// A parsed Go template.
pub struct GoTemplate {
    inner: Inner,
}

enum Inner {
    Text(gotmpl::Template),
    Html(gotmpl::html::Template),
}

impl std::fmt::Debug for GoTemplate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("GoTemplate")
    }
}

fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Nil => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Uint(u) => serde_json::Value::from(*u),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::String(s) => serde_json::Value::String(s.to_string()),
        Value::List(l) => serde_json::Value::Array(l.iter().map(to_json).collect()),
        Value::Map(m) => serde_json::Value::Object(
            m.iter()
                .filter(|(k, _)| &***k != JSON_KEY)
                .map(|(k, v)| (k.to_string(), to_json(v)))
                .collect(),
        ),
        Value::Function(_) => serde_json::Value::Null,
        Value::Safe { s, .. } => serde_json::Value::String(s.to_string()),
    }
}

fn json_text(args: &[Value], pretty: bool) -> String {
    let Some(v) = args.first() else {
        return "null".into();
    };
    if !pretty
        && let Value::Map(m) = v
        && let Some(Value::String(s)) = m.get(JSON_KEY)
    {
        return s.to_string();
    }
    let j = to_json(v);
    if pretty {
        serde_json::to_string_pretty(&j).unwrap_or_default()
    } else {
        serde_json::to_string(&j).unwrap_or_default()
    }
}

impl GoTemplate {
    /// Parses a template; the error text is Go-like (`template: id:1:8: ...`).
    pub fn parse(name: &str, src: &str, kind: TemplateKind) -> Result<Self, String> {
        let inner = match kind {
            TemplateKind::Text => Inner::Text(
                gotmpl::Template::new(name)
                    .func("json", |a| {
                        Ok(Value::String(Arc::from(json_text(a, false))))
                    })
                    .func("jsonCompact", |a| {
                        Ok(Value::String(Arc::from(json_text(a, false))))
                    })
                    .parse(src)
                    .map_err(|e| e.to_string())?,
            ),
            TemplateKind::Html => Inner::Html(
                gotmpl::html::Template::new(name)
                    .func("json", |a| {
                        Ok(gotmpl::html::JS::from(json_text(a, false)).into())
                    })
                    .func("jsonCompact", |a| {
                        Ok(gotmpl::html::JS::from(json_text(a, false)).into())
                    })
                    .parse(src)
                    .map_err(|e| e.to_string())?,
            ),
        };
        Ok(GoTemplate { inner })
    }

    /// Renders the template with `data`.
    pub fn render(&self, data: &Value) -> Result<String, String> {
        match &self.inner {
            Inner::Text(t) => t.execute_to_string(data),
            Inner::Html(t) => t.execute_to_string(data),
        }
        .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn map(pairs: &[(&str, Value)]) -> Value {
        let m: BTreeMap<Arc<str>, Value> = pairs
            .iter()
            .map(|(k, v)| (Arc::from(*k), v.clone()))
            .collect();
        Value::Map(Arc::new(m))
    }

    #[test]
    fn renders_text_with_index() {
        let t = GoTemplate::parse(
            "id",
            r#"{{ .Name }}/{{ index .Tags "host" }}"#,
            TemplateKind::Text,
        )
        .unwrap();
        let data = map(&[
            ("Name", Value::String("cpu".into())),
            ("Tags", map(&[("host", Value::String("a".into()))])),
        ]);
        assert_eq!(t.render(&data).unwrap(), "cpu/a");
    }

    #[test]
    fn html_details_escape_json_like_go() {
        let t = GoTemplate::parse("details", "{{ json . }}", TemplateKind::Html).unwrap();
        let data = map(&[(JSON_KEY, Value::String(r#"{"Name":"cpu"}"#.into()))]);
        assert_eq!(t.render(&data).unwrap(), "{&#34;Name&#34;:&#34;cpu&#34;}");
    }

    #[test]
    fn parse_error_is_reported() {
        assert!(GoTemplate::parse("id", "{{ .Name ", TemplateKind::Text).is_err());
    }
}
