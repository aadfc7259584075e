//! `|sideload()`: adds fields and tags looked up in hierarchical files (mirrors pipeline/sideload.go).

use kapa_models::FieldValue;

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &[
    "source",
    "order",
    "field",
    "tag",
    "httpUser",
    "httpPassword",
];

/// Properties of a sideload node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SideloadSpec {
    /// `.source()`: `file:///abs/dir`, `http(s)://...`, or a `[[httppost]]` endpoint name.
    pub source: String,
    /// `.order(templates...)`: paths relative to the source, Go templates over the point's tags.
    pub order: Vec<String>,
    /// `.field(name, default)`, sorted by name (Kapacitor keeps a map).
    pub fields: Vec<(String, FieldValue)>,
    /// `.tag(name, default)`, sorted by name.
    pub tags: Vec<(String, String)>,
    /// `.httpUser()`: basic-auth user for HTTP sources.
    pub http_user: String,
    /// `.httpPassword()`: basic-auth password for HTTP sources.
    pub http_password: String,
}

fn two(a: &[Val]) -> ArgResult<()> {
    if a.len() != 2 {
        return Err(format!("wrong number of arguments: got {} exp 2", a.len()));
    }
    Ok(())
}

impl SideloadSpec {
    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "source" => self.source = args::string(a)?,
            "order" => self.order = args::strings(a)?,
            "httpUser" => self.http_user = args::string(a)?,
            "httpPassword" => self.http_password = args::string(a)?,
            "field" => {
                two(a)?;
                let key = args::string(&a[..1])?;
                let value = match &a[1] {
                    Val::Float(f) => FieldValue::Float(*f),
                    Val::Int(i) => FieldValue::Int(*i),
                    Val::Bool(b) => FieldValue::Bool(*b),
                    Val::Str(s) => FieldValue::String(s.into()),
                    other => {
                        return Err(format!("cannot use {} as a field value", other.type_name()));
                    }
                };
                match self.fields.binary_search_by(|(k, _)| k.as_str().cmp(&key)) {
                    Ok(i) => self.fields[i].1 = value,
                    Err(i) => self.fields.insert(i, (key, value)),
                }
            }
            "tag" => {
                two(a)?;
                let key = args::string(&a[..1])?;
                let value = args::string(&a[1..])?;
                match self.tags.binary_search_by(|(k, _)| k.as_str().cmp(&key)) {
                    Ok(i) => self.tags[i].1 = value,
                    Err(i) => self.tags.insert(i, (key, value)),
                }
            }
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }
}
