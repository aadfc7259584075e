//! Kapacitor's batch recording format (`.brpl`): a ZIP archive with one entry per query node
//! (`"0"`, `"1"`, ...), each newline-delimited JSON, one batch per line:
//! `{"name", "tmax", "group", "byname", "tags", "points": [{"fields", "tags", "time"}]}`.
//! Kapacitor's test fixtures keep each entry in a plain file `<name>.<i>.brpl` instead.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use kapa_engine::{Batch, BatchPoint, Dimensions, Group};
use kapa_models::{FieldValue, Fields, GroupId, Tags};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use smol_str::SmolStr;

/// One recorded batch as JSON.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct JsonBatch {
    /// Measurement.
    #[serde(default)]
    pub name: String,
    /// RFC 3339 upper bound; absent in Kapacitor's fixtures.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tmax: Option<String>,
    /// Group id (informative; rebuilt from the tags).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub group: String,
    /// Whether the group includes the measurement.
    #[serde(default)]
    pub byname: bool,
    /// Group tags.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub tags: Map<String, Value>,
    /// The points.
    #[serde(default)]
    pub points: Vec<JsonPoint>,
}

/// One recorded batch point.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct JsonPoint {
    /// Fields.
    #[serde(default)]
    pub fields: Map<String, Value>,
    /// Tags; a point without tags has the batch's.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub tags: Map<String, Value>,
    /// RFC 3339 time.
    pub time: String,
}

fn tags_of(m: &Map<String, Value>) -> Tags {
    Tags::from_pairs(
        m.iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => SmolStr::new(s),
                    other => SmolStr::new(other.to_string()),
                };
                (SmolStr::new(k), v)
            })
            .collect(),
    )
}

fn fields_of(m: &Map<String, Value>) -> Result<Fields, String> {
    let mut pairs = Vec::with_capacity(m.len());
    for (k, v) in m {
        // Go decodes JSON numbers into float64, so recorded numbers are floats.
        let f = match v {
            Value::Number(n) => FieldValue::Float(n.as_f64().unwrap_or(0.0)),
            Value::String(s) => FieldValue::String(SmolStr::new(s)),
            Value::Bool(b) => FieldValue::Bool(*b),
            Value::Null => continue,
            other => return Err(format!("field {k} has an unsupported value {other}")),
        };
        pairs.push((SmolStr::new(k), f));
    }
    Ok(Fields::from_pairs(pairs))
}

fn time_of(s: &str) -> Result<i64, String> {
    kapa_models::time::parse_rfc3339(s).map_err(|_| format!("invalid time {s:?}"))
}

impl JsonBatch {
    /// The engine's batch; `tmax` defaults to the last point's time.
    pub fn to_batch(&self) -> Result<Batch, String> {
        let tags = tags_of(&self.tags);
        let dims: Vec<SmolStr> = tags.keys().cloned().collect();
        let mut points = Vec::with_capacity(self.points.len());
        for p in &self.points {
            points.push(BatchPoint {
                time: time_of(&p.time)?,
                fields: fields_of(&p.fields)?,
                tags: if p.tags.is_empty() {
                    tags.clone()
                } else {
                    tags_of(&p.tags)
                },
            });
        }
        let last = points.last().map(|p| p.time).unwrap_or(0);
        let tmax = match &self.tmax {
            Some(t) => time_of(t)?.max(last),
            None => last,
        };
        Ok(Batch {
            group: Group {
                id: GroupId::build(&self.name, &tags, &dims, self.byname),
                dims: Arc::new(Dimensions {
                    tags: dims,
                    by_name: self.byname,
                }),
            },
            name: SmolStr::new(&self.name),
            tags,
            tmax,
            points: points.into(),
        })
    }

    /// The JSON form of an engine batch.
    pub fn from_batch(b: &Batch) -> JsonBatch {
        let json_tags = |t: &Tags| t.to_json();
        JsonBatch {
            name: b.name.to_string(),
            tmax: Some(kapa_models::time::format_rfc3339(b.tmax)),
            group: String::new(),
            byname: b.group.dims.by_name,
            tags: json_tags(&b.tags),
            points: b
                .points
                .iter()
                .map(|p| JsonPoint {
                    fields: p.fields.to_json(),
                    tags: if p.tags == b.tags {
                        Map::new()
                    } else {
                        json_tags(&p.tags)
                    },
                    time: kapa_models::time::format_rfc3339(p.time),
                })
                .collect(),
        }
    }
}

fn parse_lines(r: impl Read, what: &str) -> Result<Vec<Batch>, String> {
    let mut out = Vec::new();
    for (i, line) in BufReader::new(r).lines().enumerate() {
        let line = line.map_err(|e| format!("reading {what}: {e}"))?;
        if line.trim().is_empty() {
            continue;
        }
        let b: JsonBatch = serde_json::from_str(&line)
            .map_err(|e| format!("invalid batch in {what} line {}: {e}", i + 1))?;
        out.push(
            b.to_batch()
                .map_err(|e| format!("{what} line {}: {e}", i + 1))?,
        );
    }
    Ok(out)
}

/// Whether a file is a ZIP archive (a recording made by Kapacitor or by us).
pub fn is_zip(path: &Path) -> bool {
    let mut magic = [0u8; 4];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .is_ok()
        && magic == *b"PK\x03\x04"
}

/// The batches of each source (query node, in order) of a recording.
pub fn read(path: &Path) -> Result<Vec<Vec<Batch>>, String> {
    let open_err = |e: std::io::Error| format!("reading {}: {e}", path.display());
    if is_zip(path) {
        let file = std::fs::File::open(path).map_err(open_err)?;
        let mut zip = zip::ZipArchive::new(file)
            .map_err(|e| format!("invalid batch recording {}: {e}", path.display()))?;
        let mut sources = Vec::new();
        for i in 0.. {
            let name = i.to_string();
            let Ok(entry) = zip.by_name(&name) else { break };
            sources.push(parse_lines(
                entry,
                &format!("{} entry {name}", path.display()),
            )?);
        }
        return Ok(sources);
    }
    // A fixture: `<name>.0.brpl`, `<name>.1.brpl`, ... until one is missing.
    let mut sources = Vec::new();
    for file in fixture_files(path) {
        let f = std::fs::File::open(&file).map_err(open_err)?;
        sources.push(parse_lines(f, &file.display().to_string())?);
    }
    Ok(sources)
}

/// `<name>.0.brpl` → its siblings `<name>.0.brpl`, `<name>.1.brpl`, ... that exist.
fn fixture_files(first: &Path) -> Vec<PathBuf> {
    let s = first.to_string_lossy();
    let Some(base) = s.strip_suffix(".0.brpl") else {
        return vec![first.to_path_buf()];
    };
    (0..)
        .map(|i| PathBuf::from(format!("{base}.{i}.brpl")))
        .take_while(|p| p.exists())
        .collect()
}

/// Writes a recording: one ZIP entry per source, into `<path>.tmp` renamed into place.
pub fn write(path: &Path, sources: &[Vec<Batch>]) -> Result<u64, String> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let io = |e: std::io::Error| format!("writing {}: {e}", tmp.display());
    let file = std::fs::File::create(&tmp).map_err(io)?;
    let mut zip = zip::ZipWriter::new(file);
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (i, batches) in sources.iter().enumerate() {
        zip.start_file(i.to_string(), opts)
            .map_err(|e| format!("writing {}: {e}", tmp.display()))?;
        for b in batches {
            let line = serde_json::to_string(&JsonBatch::from_batch(b))
                .map_err(|e| format!("encoding batch: {e}"))?;
            zip.write_all(line.as_bytes()).map_err(io)?;
            zip.write_all(b"\n").map_err(io)?;
        }
    }
    let file = zip
        .finish()
        .map_err(|e| format!("writing {}: {e}", tmp.display()))?;
    file.sync_all().map_err(io)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io)?;
    std::fs::metadata(path).map(|m| m.len()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"name":"cpu","tags":{"cpu":"cpu0"},"points":[{"fields":{"mean":90.5},"time":"2015-10-30T17:14:12Z"},{"fields":{"mean":91},"tags":{"cpu":"cpu0","host":"a"},"time":"2015-10-30T17:14:14Z"}]}"#;

    #[test]
    fn fixture_lines_become_batches() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("T.0.brpl"), format!("{LINE}\n")).unwrap();
        std::fs::write(dir.path().join("T.1.brpl"), format!("{LINE}\n{LINE}\n")).unwrap();
        let sources = read(&dir.path().join("T.0.brpl")).unwrap();
        assert_eq!(sources.len(), 2);
        assert_eq!(sources[1].len(), 2);
        let b = &sources[0][0];
        assert_eq!(b.name, "cpu");
        assert_eq!(b.tags.get("cpu").map(|s| s.as_str()), Some("cpu0"));
        assert_eq!(b.points.len(), 2);
        assert_eq!(b.points[0].tags, b.tags, "inherits the batch tags");
        assert_eq!(b.points[1].tags.len(), 2);
        assert_eq!(b.tmax, b.points[1].time);
        assert_eq!(
            b.points[1].fields.get("mean"),
            Some(&FieldValue::Float(91.0))
        );
    }

    #[test]
    fn zip_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let b = serde_json::from_str::<JsonBatch>(LINE)
            .unwrap()
            .to_batch()
            .unwrap();
        let path = dir.path().join("r.brpl");
        let size = write(&path, &[vec![b.clone()], vec![b.clone(), b.clone()]]).unwrap();
        assert!(size > 0 && is_zip(&path));
        assert!(!dir.path().join("r.brpl.tmp").exists());
        let sources = read(&path).unwrap();
        assert_eq!(sources.len(), 2);
        assert_eq!(sources[0][0], b);
        assert_eq!(sources[1].len(), 2);
    }

    #[test]
    fn bad_lines_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("B.0.brpl");
        std::fs::write(&p, "{not json\n").unwrap();
        assert!(read(&p).unwrap_err().contains("line 1"));
        std::fs::write(&p, r#"{"name":"x","points":[{"fields":{},"time":"soon"}]}"#).unwrap();
        assert!(read(&p).unwrap_err().contains("invalid time"));
    }
}
