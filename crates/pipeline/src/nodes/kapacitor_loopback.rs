//! `|kapacitorLoopback()`: writes the data back into this Kapacitor's own stream, for
//! other tasks to read (mirrors pipeline/kapacitor_loopback.go).

use super::Set;
use crate::args::{self, ArgResult};
use crate::value::Val;

pub(super) const PROPERTIES: &[&str] = &["database", "retentionPolicy", "measurement", "tag"];

/// Properties of a kapacitorLoopback node.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoopbackSpec {
    /// `.database()`.
    pub database: String,
    /// `.retentionPolicy()`.
    pub retention_policy: String,
    /// `.measurement()`: overrides the name.
    pub measurement: String,
    /// `.tag(k, v)`: static tags added.
    pub tags: Vec<(String, String)>,
}

impl LoopbackSpec {
    pub(super) fn new(a: &[Val]) -> ArgResult<Self> {
        args::none(a)?;
        Ok(LoopbackSpec::default())
    }

    pub(super) fn set(&mut self, name: &str, a: &[Val]) -> ArgResult<Set> {
        match name {
            "database" => self.database = args::string(a)?,
            "retentionPolicy" => self.retention_policy = args::string(a)?,
            "measurement" => self.measurement = args::string(a)?,
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

    pub(crate) fn validate(&self) -> Result<(), String> {
        if self.database.is_empty() || self.retention_policy.is_empty() {
            return Err("must specify a database and a retention policy".into());
        }
        Ok(())
    }
}
