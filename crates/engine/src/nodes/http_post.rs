//! `|httpPost(url)`: posts each point or batch, as a one-series result JSON or through the
//! endpoint's row template, then passes the data on, optionally with the HTTP status in a
//! field (mirrors http_post.go).
//!
//! The request is made synchronously with a blocking client (ureq), as Kapacitor does, so
//! the order of posts follows the data; a timeout bounds how long one post can hold the
//! task (`.timeout(d)`, else [`DEFAULT_TIMEOUT`]: Kapacitor waits without limit).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use gotmpl::Value as TV;
use kapa_models::{FieldValue, Row, SeriesResult};
use kapa_pipeline::nodes::HttpPostSpec;
use serde_json::Value;

use super::{batch_to_row, point_to_row};
use crate::message::{Batch, PointMsg};
use crate::node::{Emit, Node, TaskCtx};
use crate::template::{GoTemplate, TemplateKind};

/// Timeout of one post when the script sets none.
pub(crate) const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

pub(crate) struct HttpPostNode {
    spec: HttpPostSpec,
    url: GoTemplate,
    /// Endpoint headers then node headers (a node header replaces an endpoint one).
    headers: Vec<(String, String)>,
    row_template: Option<GoTemplate>,
    agent: ureq::Agent,
    name: String,
}

impl HttpPostNode {
    pub(crate) fn new(spec: HttpPostSpec, name: String) -> Result<Self, String> {
        let mut headers = Vec::new();
        let (url, row_template) = if let Some(u) = spec.urls.first() {
            (u.clone(), None)
        } else {
            let ep_name = spec
                .endpoints
                .first()
                .map(String::as_str)
                .unwrap_or_default();
            let ep = kapa_models::httppost::endpoint(ep_name)
                .ok_or_else(|| format!("endpoint '{ep_name}' does not exist"))?;
            headers.extend(ep.headers.clone());
            if let Some((u, p)) = &ep.basic_auth {
                headers.push((
                    "Authorization".into(),
                    kapa_models::httppost::basic_auth_header(u, p),
                ));
            }
            let tmpl = if !ep.row_template.is_empty() {
                Some(ep.row_template.clone())
            } else if !ep.row_template_file.is_empty() {
                Some(std::fs::read_to_string(&ep.row_template_file).map_err(|e| {
                    format!(
                        "failed to read row template file {:?}: {e}",
                        ep.row_template_file
                    )
                })?)
            } else {
                None
            };
            (ep.url, tmpl)
        };
        let url = GoTemplate::parse("url", &url, TemplateKind::Text)
            .map_err(|e| format!("error in url templating: {e}"))?;
        let row_template = row_template
            .map(|t| GoTemplate::parse("row", &t, TemplateKind::Text))
            .transpose()?;
        for (k, v) in &spec.headers {
            headers.retain(|(hk, _)| !hk.eq_ignore_ascii_case(k));
            headers.push((k.clone(), v.clone()));
        }
        let timeout = match spec.timeout {
            t if t > 0 => Duration::from_nanos(t as u64),
            _ => DEFAULT_TIMEOUT,
        };
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(timeout))
            .build()
            .into();
        Ok(HttpPostNode {
            spec,
            url,
            headers,
            row_template,
            agent,
            name,
        })
    }

    /// Posts one row; the HTTP status, or 0 when no answer came.
    fn post(&self, ctx: &TaskCtx, row: Row, times: &[i64]) -> u16 {
        match self.send(row, times) {
            Ok((code, body)) => {
                if code / 100 != 2 {
                    let err = match body {
                        Some(b) => b,
                        None => {
                            "unknown error, use .captureResponse() to capture the HTTP response"
                                .into()
                        }
                    };
                    tracing::error!(task = %ctx.task, node = %self.name, err = %err, code = code, "POST returned non 2xx status code");
                }
                code
            }
            Err(e) => {
                tracing::error!(task = %ctx.task, node = %self.name, err = %e, "failed to POST data");
                0
            }
        }
    }

    fn send(&self, row: Row, times: &[i64]) -> Result<(u16, Option<String>), String> {
        let mapped = mapped_row(&row, times);
        let url = self.url.render(&mapped)?;
        let (body, json) = match &self.row_template {
            Some(t) => (
                t.render(&mapped)
                    .map_err(|e| format!("failed to execute template: {e}"))?,
                false,
            ),
            None => (result_json(row)?, true),
        };
        let mut req = self.agent.post(&url);
        if json {
            req = req.header("Content-Type", "application/json");
        }
        for (k, v) in &self.headers {
            req = req.header(k, v);
        }
        let mut resp = req.send(body.as_bytes()).map_err(|e| e.to_string())?;
        let code = resp.status().as_u16();
        let body = if code / 100 != 2 && self.spec.capture_response {
            Some(
                resp.body_mut()
                    .read_to_string()
                    .map_err(|e| e.to_string())?,
            )
        } else {
            None
        };
        Ok((code, body))
    }
}

/// `{"series":[row]}` and a newline, escaped as Go's `json.Encoder` does.
fn result_json(row: Row) -> Result<String, String> {
    let result = SeriesResult {
        series: Some(vec![row]),
        error: None,
    };
    let mut out = kapa_models::gojson::to_go_json(&result)
        .map_err(|e| format!("failed to marshal row data json: {e}"))?;
    out.push('\n');
    Ok(out)
}

fn json_tv(v: &Value) -> TV {
    match v {
        Value::Null => TV::Nil,
        Value::Bool(b) => TV::Bool(*b),
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) if !n.is_f64() => TV::Int(i),
            (_, Some(u)) if !n.is_f64() => TV::Uint(u),
            _ => TV::Float(n.as_f64().unwrap_or_default()),
        },
        Value::String(s) => TV::String(Arc::from(s.as_str())),
        Value::Array(a) => TV::List(a.iter().map(json_tv).collect::<Vec<_>>().into()),
        Value::Object(m) => TV::Map(Arc::new(
            m.iter()
                .map(|(k, v)| (Arc::from(k.as_str()), json_tv(v)))
                .collect(),
        )),
    }
}

/// The template data Kapacitor gives URL and row templates: `.Name`, `.Tags` and `.Values`
/// (one map per point, column to value, `time` as Go prints a time).
fn mapped_row(row: &Row, times: &[i64]) -> TV {
    let values: Vec<TV> = row
        .values
        .iter()
        .enumerate()
        .map(|(i, vals)| {
            let m: BTreeMap<Arc<str>, TV> = row
                .columns
                .iter()
                .zip(vals)
                .map(|(c, v)| {
                    let tv = match (c.as_str(), times.get(i)) {
                        ("time", Some(t)) => {
                            TV::String(Arc::from(kapa_models::time::format_go_string(*t)))
                        }
                        _ => json_tv(v),
                    };
                    (Arc::from(c.as_str()), tv)
                })
                .collect();
            TV::Map(Arc::new(m))
        })
        .collect();
    let tags: BTreeMap<Arc<str>, TV> = row
        .tags
        .iter()
        .map(|(k, v)| (Arc::from(k.as_str()), json_tv(v)))
        .collect();
    let mut m: BTreeMap<Arc<str>, TV> = BTreeMap::new();
    m.insert(Arc::from("Name"), TV::String(Arc::from(row.name.as_str())));
    m.insert(Arc::from("Tags"), TV::Map(Arc::new(tags)));
    m.insert(Arc::from("Values"), TV::List(values.into()));
    TV::Map(Arc::new(m))
}

impl Node for HttpPostNode {
    fn point(&mut self, ctx: &TaskCtx, msg: &PointMsg<'_>) -> Result<Emit, String> {
        let code = self.post(ctx, point_to_row(msg.point), &[msg.point.time]);
        if self.spec.code_field.is_empty() {
            return Ok(Emit::Same);
        }
        let mut p = msg.point.clone();
        p.fields.insert(
            self.spec.code_field.as_str(),
            FieldValue::Int(i64::from(code)),
        );
        Ok(Emit::Point {
            point: Some(p),
            group: None,
        })
    }

    fn batch(&mut self, ctx: &TaskCtx, b: &Batch) -> Result<Emit, String> {
        let times: Vec<i64> = b.points.iter().map(|p| p.time).collect();
        let code = self.post(ctx, batch_to_row(b), &times);
        if self.spec.code_field.is_empty() {
            return Ok(Emit::Same);
        }
        let mut out = b.clone();
        for p in &mut out.points {
            p.fields.insert(
                self.spec.code_field.as_str(),
                FieldValue::Int(i64::from(code)),
            );
        }
        Ok(Emit::Batch(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_json_escapes_like_go() {
        let row = Row {
            name: "a<b>&".into(),
            ..Default::default()
        };
        assert_eq!(
            result_json(row).unwrap(),
            "{\"series\":[{\"name\":\"a\\u003cb\\u003e\\u0026\"}]}\n"
        );
    }
}
