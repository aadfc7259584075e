//! Sideload sources: directories of YAML/JSON files or HTTP documents, loaded once and
//! shared by every node naming the same source (as Kapacitor's sideload service), and
//! reloaded on demand.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Weak};
use std::time::Duration;

use parking_lot::{Mutex, RwLock};
use serde_json::{Map, Value};

use super::yaml;

/// Values of one file (or one key of an HTTP document), by key.
type Values = Map<String, Value>;

/// How long fetching an HTTP source may take (Kapacitor's client timeout).
const HTTP_TIMEOUT: Duration = Duration::from_secs(10);

enum Origin {
    Dir(PathBuf),
    Http {
        url: String,
        auth: Option<(String, String)>,
    },
}

/// One loaded source.
pub(crate) struct Source {
    id: String,
    origin: Origin,
    cache: RwLock<HashMap<String, Values>>,
}

/// Every source in use, by id; entries die with the last node using them.
static SOURCES: LazyLock<Mutex<HashMap<String, Weak<Source>>>> = LazyLock::new(Default::default);

/// Opens (or shares) the source a sideload node names: `file:///abs/dir`, an `http(s)://`
/// URL, or the name of an `[[httppost]]` endpoint.
pub(crate) fn open(source: &str, user: &str, password: &str) -> Result<Arc<Source>, String> {
    let (url, mut auth) = if scheme_of(source).is_some() {
        (source.to_string(), None)
    } else {
        let e = kapa_models::httppost::endpoint(source)
            .ok_or_else(|| format!("endpoint '{source}' does not exist"))?;
        (e.url, e.basic_auth)
    };
    if !user.is_empty() && !password.is_empty() {
        auth = Some((user.to_string(), password.to_string()));
    }
    let (scheme, rest) = scheme_of(&url).unwrap_or(("", url.as_str()));
    let origin = match scheme {
        "file" => {
            // Only the URL's path counts, as Go's url.Parse splits it: `file://host/p` is
            // `/p`, an opaque `file:p` has none.
            let path = match rest.strip_prefix("//") {
                Some(r) => r.find('/').map_or("", |i| &r[i..]),
                None if rest.starts_with('/') => rest,
                None => "",
            };
            if !Path::new(path).is_absolute() {
                return Err(format!("sideload source path must be absolute {path:?}"));
            }
            Origin::Dir(clean(path))
        }
        "http" | "https" => Origin::Http {
            url: url.clone(),
            auth,
        },
        other => {
            return Err(format!(
                "unsupported source scheme {other:?}, must be 'file', 'http', or 'https'"
            ));
        }
    };
    let id = match &origin {
        Origin::Dir(d) => d.to_string_lossy().into_owned(),
        Origin::Http { url, .. } => url.clone(),
    };
    let mut all = SOURCES.lock();
    all.retain(|_, w| w.strong_count() > 0);
    if let Some(src) = all.get(&id).and_then(Weak::upgrade) {
        return Ok(src);
    }
    let src = Arc::new(Source {
        id: id.clone(),
        origin,
        cache: RwLock::new(HashMap::new()),
    });
    src.update().map_err(|e| match &src.origin {
        Origin::Http { .. } => format!("Error fetching sideload data from {id} :: {e}"),
        Origin::Dir(_) => e,
    })?;
    all.insert(id, Arc::downgrade(&src));
    Ok(src)
}

/// `scheme:rest` when `s` starts with a URL scheme (a letter, then letters, digits, `+-.`).
fn scheme_of(s: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = s.split_once(':')?;
    let mut chars = scheme.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    ok.then_some((scheme, rest))
}

/// Reloads every source in use; the first failure is reported after all were tried.
pub fn reload_sources() -> Result<(), String> {
    let mut live: Vec<Arc<Source>> = SOURCES.lock().values().filter_map(Weak::upgrade).collect();
    live.sort_by(|a, b| a.id.cmp(&b.id));
    let mut first = None;
    for src in live {
        if let Err(e) = src.update() {
            tracing::error!(service = "sideload", source = %src.id, err = %e, "failed to reload sideload source");
            first.get_or_insert(format!("failed to update source {:?}: {e}", src.id));
        }
    }
    first.map_or(Ok(()), Err)
}

impl Source {
    /// The first value of `key` found in the files of `order`, in order.
    pub(crate) fn lookup(&self, order: &[String], key: &str) -> Option<Value> {
        let cache = self.cache.read();
        order.iter().find_map(|o| cache.get(o)?.get(key)).cloned()
    }

    /// Loads the whole source, replacing the cache only when everything loaded.
    fn update(&self) -> Result<(), String> {
        let fresh = match &self.origin {
            Origin::Dir(dir) => load_dir(dir).map_err(|e| {
                format!(
                    "failed to update sideload cache for source file {:?}: {e}",
                    self.id
                )
            })?,
            Origin::Http { url, auth } => load_http(url, auth.as_ref())?,
        };
        *self.cache.write() = fresh;
        Ok(())
    }
}

/// Lexical cleaning of an absolute path (Go's `filepath.Clean`).
fn clean(path: &str) -> PathBuf {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    PathBuf::from(format!("/{}", parts.join("/")))
}

fn load_dir(dir: &Path) -> Result<HashMap<String, Values>, String> {
    let mut out = HashMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| format!("open {}: {e}", d.display()))?;
        for entry in entries {
            let entry = entry.map_err(|e| format!("read {}: {e}", d.display()))?;
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(dir)
                .map_err(|_| "invalid relative path".to_string())?
                .to_string_lossy()
                .into_owned();
            out.insert(rel, read_values(&path)?);
        }
    }
    Ok(out)
}

/// One file's values by its extension; other files load as empty (as Kapacitor).
fn read_values(path: &Path) -> Result<Values, String> {
    let data = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "failed to read values file {:?}: {e}",
            path.display().to_string()
        )
    })?;
    let shown = path.display().to_string();
    match path.extension().and_then(|e| e.to_str()) {
        Some("yaml" | "yml") => yaml::parse_mapping(&data)
            .map_err(|e| format!("failed to unmarshal yaml values {shown:?}: {e}")),
        Some("json") => serde_json::from_str::<Values>(&data)
            .map_err(|e| format!("failed to unmarshal json values {shown:?}: {e}")),
        _ => Ok(Values::new()),
    }
}

/// An HTTP document: `{ "<order path>": { key: value, ... }, ... }`, JSON unless served as
/// `application/yaml`.
fn load_http(
    url: &str,
    auth: Option<&(String, String)>,
) -> Result<HashMap<String, Values>, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(HTTP_TIMEOUT))
        .build()
        .into();
    let mut req = agent.get(url);
    if let Some((u, p)) = auth {
        req = req.header(
            "Authorization",
            kapa_models::httppost::basic_auth_header(u, p),
        );
    }
    let mut resp = req.call().map_err(|e| e.to_string())?;
    let mime = resp
        .headers()
        .get("Content-Type")
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    let body = resp
        .body_mut()
        .read_to_string()
        .map_err(|e| format!("Failed to read response body: {e}"))?;
    let doc: Values = if mime == "application/yaml" {
        yaml::parse_mapping(&body)
            .map_err(|e| format!("failed to unmarshal yaml values in response body: {e}"))?
    } else {
        serde_json::from_str(&body)
            .map_err(|e| format!("failed to unmarshal json values in response body: {e}"))?
    };
    let mut out = HashMap::new();
    for (k, v) in doc {
        match v {
            Value::Object(m) => {
                out.insert(k, m);
            }
            Value::Null => {
                out.insert(k, Values::new());
            }
            _ => {
                return Err(format!(
                    "failed to unmarshal json values in response body: value of {k:?} is not an object"
                ));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_paths() {
        assert_eq!(clean("/a/./b/../c/"), PathBuf::from("/a/c"));
    }
}
