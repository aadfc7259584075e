//! The `pagerduty2` handler (`.pagerDuty2()`): PagerDuty's Events API v2, with link
//! templates over the event's template data (`[pagerduty2]`, services/pagerduty2).

use kapa_engine::{AlertEvent, Level};
use kapa_models::SeriesResult;
use serde::Serialize;
use serde_json::{Map, Value};

use super::http::{self, Client};
use super::options::Options;
use super::services::HandlerServices;
use super::{Deliver, Failure};
use crate::AlertError;
use crate::template::{Template, template_data};

/// A link with its href and optional text templates.
#[derive(Debug)]
struct LinkTemplate {
    href: Template,
    text: Option<Template>,
}

/// Triggers and resolves PagerDuty incidents through Events v2.
#[derive(Debug)]
pub struct PagerDuty2Handler {
    enabled: bool,
    url: String,
    routing_key: String,
    client_url: String,
    links: Vec<LinkTemplate>,
    client: Client,
}

#[derive(Serialize)]
struct Link {
    href: String,
    text: String,
}

#[derive(Serialize)]
struct CustomDetails<'a> {
    result: &'a SeriesResult,
}

/// PD-CEF, Go's struct order.
#[derive(Serialize)]
struct Payload<'a> {
    summary: &'a str,
    source: &'a str,
    severity: &'a str,
    timestamp: String,
    class: &'a str,
    component: &'a str,
    group: &'a str,
    custom_details: CustomDetails<'a>,
}

#[derive(Serialize)]
struct Trigger<'a> {
    routing_key: &'a str,
    event_action: &'a str,
    dedup_key: &'a str,
    payload: Payload<'a>,
    images: Option<Vec<Value>>,
    links: Option<Vec<Link>>,
    client: &'a str,
    client_url: &'a str,
}

#[derive(Serialize)]
struct Resolve<'a> {
    routing_key: &'a str,
    dedup_key: &'a str,
    event_action: &'a str,
}

impl PagerDuty2Handler {
    /// Builds the handler from the options `routing-key` and `links` (`[{href, text}]`)
    /// over the `[pagerduty2]` section.
    pub(crate) fn from_options(
        options: &Map<String, Value>,
        services: &HandlerServices,
    ) -> Result<Self, AlertError> {
        let o = Options::new("pagerduty2", options);
        let c = services.section("pagerduty2", "pagerduty2");
        let mut links = Vec::new();
        match o.get("links") {
            None | Some(Value::Null) => {}
            Some(Value::Array(list)) => {
                for l in list {
                    let field = |k: &str| l.get(k).and_then(Value::as_str).unwrap_or("");
                    let parse = |src: &str| {
                        Template::parse(src, false).map_err(|e| AlertError::Handler {
                            kind: "pagerduty2".into(),
                            reason: e,
                        })
                    };
                    let text = field("text");
                    links.push(LinkTemplate {
                        href: parse(field("href"))?,
                        text: if text.is_empty() {
                            None
                        } else {
                            Some(parse(text)?)
                        },
                    });
                }
            }
            Some(_) => return Err(o.err("links", "must be a list of {href, text}")),
        }
        Ok(PagerDuty2Handler {
            enabled: c.bool("enabled")?,
            url: c.string("url")?,
            routing_key: o.string_or("routing-key", &c.string("routing-key")?)?,
            client_url: services.external_url().to_string(),
            links,
            client: Client::new(None, false),
        })
    }

    fn render_links(&self, event: &AlertEvent) -> Result<Vec<Link>, Failure> {
        let td = template_data(event);
        let fail = |e: String| Failure::Permanent(format!("failed to handle event: {e}"));
        self.links
            .iter()
            .map(|l| {
                let href = l.href.render(&td).map_err(fail)?;
                let text = match &l.text {
                    Some(t) => t.render(&td).map_err(fail)?,
                    None => href.clone(),
                };
                Ok(Link { href, text })
            })
            .collect()
    }
}

/// `2006-01-02T15:04:05.000000000Z07:00` in UTC.
fn timestamp(ns: i64) -> String {
    let (y, mo, d, h, mi, s, nanos, _) = kapa_models::time::civil(ns);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{nanos:09}Z")
}

impl Deliver for PagerDuty2Handler {
    fn kind(&self) -> &'static str {
        "pagerduty2"
    }

    fn deliver(&mut self, event: &AlertEvent) -> Result<(), Failure> {
        if !self.enabled {
            return Err(Failure::Permanent("service is not enabled".into()));
        }
        let d = &event.data;
        let severity = match d.level {
            Level::Warning => "warning",
            Level::Critical => "critical",
            Level::Info => "info",
            Level::Ok => "",
        };
        let body = if severity.is_empty() {
            http::encode(&Resolve {
                routing_key: &self.routing_key,
                dedup_key: &d.id,
                event_action: "resolve",
            })?
        } else {
            let links = self.render_links(event)?;
            let source = event
                .tags
                .iter()
                .find(|(k, _)| k == "host")
                .map_or("unknown", |(_, v)| v.as_str());
            http::encode(&Trigger {
                routing_key: &self.routing_key,
                event_action: "trigger",
                dedup_key: &d.id,
                payload: Payload {
                    summary: &d.message,
                    source,
                    severity,
                    timestamp: timestamp(event.time),
                    class: &event.task_name,
                    component: "",
                    group: "",
                    custom_details: CustomDetails { result: &d.data },
                },
                images: None,
                links: (!links.is_empty()).then_some(links),
                client: "kapacitor",
                client_url: &self.client_url,
            })?
        };
        let reply = self.client.post(
            &self.url,
            &[
                ("Content-Type", "application/json"),
                ("Accept", "application/vnd.pagerduty+json;version=2"),
            ],
            body.as_bytes(),
        )?;
        if reply.status == 200 || reply.status == 202 {
            return Ok(());
        }
        #[derive(serde::Deserialize, Default)]
        struct Response {
            #[serde(default)]
            status: String,
            #[serde(default)]
            message: Option<String>,
            #[serde(default)]
            errors: Vec<String>,
        }
        let r: Response = serde_json::from_str(&reply.body).unwrap_or_default();
        let message = r.message.unwrap_or_else(|| {
            format!(
                "failed to understand PagerDuty2 response. code: {} content: {}",
                reply.status, reply.body
            )
        });
        Err(reply.failure(format!(
            "Status: {}, Message: {} Errors: [{}]",
            r.status,
            message,
            r.errors.join(" ")
        )))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn timestamp_has_nine_fraction_digits() {
        assert_eq!(
            super::timestamp(1_500_000_000),
            "1970-01-01T00:00:01.500000000Z"
        );
    }
}
