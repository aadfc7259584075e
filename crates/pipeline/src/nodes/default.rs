//! `|default()`: fills in missing fields and tags (mirrors pipeline/default.go).

use kapa_models::FieldValue;

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &["field", "tag"];

/// Properties of a default node.
#[derive(Debug, Clone, Default)]
pub struct DefaultSpec {
    /// `.field(name, value)` pairs.
    pub fields: Vec<(String, FieldValue)>,
    /// `.tag(name, value)` pairs.
    pub tags: Vec<(String, String)>,
}

impl DefaultSpec {
    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "field" => {
                if a.len() != 2 {
                    return Err(format!("wrong number of arguments: got {} exp 2", a.len()));
                }
                let key = args::string(&a[..1])?;
                let value = match &a[1] {
                    Val::Float(f) => FieldValue::Float(*f),
                    Val::Int(i) => FieldValue::Int(*i),
                    Val::Bool(b) => FieldValue::Bool(*b),
                    Val::Str(s) => FieldValue::String(s.into()),
                    other => {
                        return Err(format!(
                            "unsupported default field type {}",
                            other.type_name()
                        ));
                    }
                };
                self.fields.push((key, value));
            }
            "tag" => {
                if a.len() != 2 {
                    return Err(format!("wrong number of arguments: got {} exp 2", a.len()));
                }
                self.tags
                    .push((args::string(&a[..1])?, args::string(&a[1..])?));
            }
            _ => return Ok(Set::Unknown),
        }
        Ok(Set::Node)
    }
}
