//! `[[httppost]]` endpoints: named URLs with headers, basic auth and an optional alert
//! body template, used by `.post().endpoint(name)`.

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use kapa_models::httppost::HttpPostEndpoint;

use crate::AlertError;
use crate::template::Template;

/// Kapacitor's checks of one `[[httppost]]` section (`httppost.Config.Validate`).
pub fn validate(c: &HttpPostEndpoint) -> Result<(), String> {
    if c.endpoint.is_empty() {
        return Err("must specify endpoint name".into());
    }
    if c.url.is_empty() {
        return Err("must specify url".into());
    }
    Template::parse(&c.url, true)
        .map_err(|e| format!("invalid URL template syntax {:?}: {e}", c.url))?;
    if !c.alert_template.is_empty() && !c.alert_template_file.is_empty() {
        return Err("must specify only one of alert-template and alert-template-file".into());
    }
    if !c.alert_template_file.is_empty() && !Path::new(&c.alert_template_file).is_absolute() {
        return Err("must use an absolute path for alert-template-file".into());
    }
    if !c.row_template.is_empty() && !c.row_template_file.is_empty() {
        return Err("must specify only one of row-template and row-template-file".into());
    }
    if !c.row_template_file.is_empty() && !Path::new(&c.row_template_file).is_absolute() {
        return Err("must use an absolute path for row-template-file".into());
    }
    Ok(())
}

/// A URL that is a template only when it has actions.
#[derive(Debug)]
pub(crate) enum UrlTemplate {
    /// No `{{`: used as is.
    Plain(String),
    /// Executed with `alert.Data` for every event.
    Template(Template),
}

impl UrlTemplate {
    pub(crate) fn parse(url: &str) -> Result<UrlTemplate, String> {
        if url.contains("{{") {
            Template::parse(url, true).map(UrlTemplate::Template)
        } else {
            Ok(UrlTemplate::Plain(url.to_string()))
        }
    }
}

/// A ready endpoint.
#[derive(Debug)]
pub(crate) struct Endpoint {
    pub(crate) url: UrlTemplate,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) basic_auth: Option<(String, String)>,
    pub(crate) alert_template: Option<Template>,
}

impl Endpoint {
    /// An endpoint made of a bare URL (`.post(url)` without a known endpoint).
    pub(crate) fn from_url(url: &str) -> Result<Endpoint, String> {
        Ok(Endpoint {
            url: UrlTemplate::parse(url).map_err(|e| format!("failed to parse template: {e}"))?,
            headers: Vec::new(),
            basic_auth: None,
            alert_template: None,
        })
    }

    fn from_config(c: &HttpPostEndpoint) -> Result<Endpoint, String> {
        let name = &c.endpoint;
        let alert_template = if !c.alert_template.is_empty() {
            Some(Template::parse(&c.alert_template, true).map_err(|e| {
                format!("failed to get alert-template for endpoint {name:?}: failed to parse template: {e}")
            })?)
        } else if !c.alert_template_file.is_empty() {
            let path = &c.alert_template_file;
            let text = std::fs::read_to_string(path).map_err(|e| {
                format!("failed to get alert-template for endpoint {name:?}: failed to read template file {path:?}: {e}")
            })?;
            Some(Template::parse(&text, false).map_err(|e| {
                format!("failed to get alert-template for endpoint {name:?}: failed to parse template from file {path:?}: {e}")
            })?)
        } else {
            None
        };
        let basic_auth = c
            .basic_auth
            .clone()
            .filter(|(user, pass)| !user.is_empty() && !pass.is_empty());
        Ok(Endpoint {
            url: UrlTemplate::parse(&c.url)
                .map_err(|e| format!("failed to get url for endpoint {name:?}: {e}"))?,
            headers: c
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
            basic_auth,
            alert_template,
        })
    }
}

/// Endpoints by name.
pub(crate) type Endpoints = HashMap<String, Arc<Endpoint>>;

/// Checks and compiles the `[[httppost]]` sections; a later section with the same name wins.
pub(crate) fn compile(configs: &[HttpPostEndpoint]) -> Result<Endpoints, AlertError> {
    let mut out = Endpoints::new();
    for c in configs {
        let wrap = |reason: String| AlertError::Config(format!("httppost: {reason}"));
        validate(c).map_err(wrap)?;
        out.insert(
            c.endpoint.clone(),
            Arc::new(Endpoint::from_config(c).map_err(wrap)?),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(endpoint: &str, url: &str) -> HttpPostEndpoint {
        HttpPostEndpoint {
            endpoint: endpoint.into(),
            url: url.into(),
            ..Default::default()
        }
    }

    #[test]
    fn validation_messages() {
        assert_eq!(
            validate(&cfg("", "http://x")).unwrap_err(),
            "must specify endpoint name"
        );
        assert_eq!(validate(&cfg("a", "")).unwrap_err(), "must specify url");
        let mut c = cfg("a", "http://x");
        c.alert_template = "x".into();
        c.alert_template_file = "/x".into();
        assert_eq!(
            validate(&c).unwrap_err(),
            "must specify only one of alert-template and alert-template-file"
        );
        let mut c = cfg("a", "http://x");
        c.alert_template_file = "rel/x".into();
        assert_eq!(
            validate(&c).unwrap_err(),
            "must use an absolute path for alert-template-file"
        );
        let err = compile(&[cfg("a", "")]).unwrap_err();
        assert_eq!(err.to_string(), "httppost: must specify url");
    }

    #[test]
    fn missing_template_file_is_an_error() {
        let mut c = cfg("a", "http://x");
        c.alert_template_file = "/nonexistent/kapa-template".into();
        let err = compile(&[c]).unwrap_err().to_string();
        assert!(
            err.starts_with("httppost: failed to get alert-template for endpoint \"a\": failed to read template file \"/nonexistent/kapa-template\": "),
            "{err}"
        );
    }
}
