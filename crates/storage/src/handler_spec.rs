//! Topic handler specs: one JSON value per (topic, handler id) in the redb table
//! `topic_handlers`, so specs created through the API survive a restart.

use std::sync::Arc;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use crate::StorageError;

pub(crate) const TOPIC_HANDLERS: TableDefinition<'_, (&str, &str), &[u8]> =
    TableDefinition::new("topic_handlers");

/// One stored handler spec, as the API and the load directory define it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HandlerSpecRecord {
    /// Handler id, unique within its topic.
    pub id: String,
    /// Topic the handler listens on.
    pub topic: String,
    /// Handler kind (`log`, `post`, `aggregate`, ...).
    pub kind: String,
    /// Kind-specific options.
    #[serde(default)]
    pub options: serde_json::Map<String, serde_json::Value>,
    /// The match lambda, empty for "every event".
    #[serde(default, rename = "match")]
    pub match_expr: String,
    /// Defined by a file of the `[load] dir`, so the API must not change it.
    #[serde(default)]
    pub loaded: bool,
}

/// Durable handler specs, cheap to clone and safe to share between threads.
#[derive(Debug, Clone)]
pub struct HandlerSpecStore {
    db: Arc<Database>,
}

impl HandlerSpecStore {
    pub(crate) fn new(db: Arc<Database>) -> Self {
        HandlerSpecStore { db }
    }

    /// Creates or replaces one spec, in one committed transaction.
    pub fn put(&self, spec: &HandlerSpecRecord) -> Result<(), StorageError> {
        let value = serde_json::to_vec(spec).map_err(|source| StorageError::Codec {
            id: format!("{}/{}", spec.topic, spec.id),
            source,
        })?;
        let txn = self.db.begin_write()?;
        {
            let mut table = txn.open_table(TOPIC_HANDLERS)?;
            table.insert((spec.topic.as_str(), spec.id.as_str()), value.as_slice())?;
        }
        txn.commit()?;
        Ok(())
    }

    /// Removes one spec; removing a missing one is not an error.
    pub fn delete(&self, topic: &str, id: &str) -> Result<(), StorageError> {
        let txn = self.db.begin_write()?;
        {
            let mut table = txn.open_table(TOPIC_HANDLERS)?;
            table.remove((topic, id))?;
        }
        txn.commit()?;
        Ok(())
    }

    /// Every stored spec, sorted by topic then id.
    pub fn list_all(&self) -> Result<Vec<HandlerSpecRecord>, StorageError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(TOPIC_HANDLERS)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (k, v) = entry?;
            let (topic, id) = k.value();
            out.push(
                serde_json::from_slice(v.value()).map_err(|source| StorageError::Codec {
                    id: format!("{topic}/{id}"),
                    source,
                })?,
            );
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Storage;

    fn spec(topic: &str, id: &str) -> HandlerSpecRecord {
        HandlerSpecRecord {
            id: id.into(),
            topic: topic.into(),
            kind: "log".into(),
            options: serde_json::json!({"path": "/tmp/x.log"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            match_expr: "changed()".into(),
            loaded: false,
        }
    }

    #[test]
    fn put_list_delete_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        {
            let store = Storage::open(&path).unwrap().handler_specs();
            store.put(&spec("cpu", "b")).unwrap();
            store.put(&spec("cpu", "a")).unwrap();
            store.put(&spec("app", "z")).unwrap();
            store.delete("cpu", "b").unwrap();
            store.delete("cpu", "missing").unwrap();
        }
        let store = Storage::open(&path).unwrap().handler_specs();
        let got: Vec<_> = store
            .list_all()
            .unwrap()
            .into_iter()
            .map(|s| format!("{}/{}", s.topic, s.id))
            .collect();
        assert_eq!(got, vec!["app/z", "cpu/a"]);
        assert_eq!(store.list_all().unwrap()[1], spec("cpu", "a"));
    }
}
