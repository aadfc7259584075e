//! The task store: one JSON value per task id in the redb table `tasks`.

use std::path::Path;
use std::sync::Arc;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use crate::StorageError;

pub(crate) const TASKS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("tasks");

/// A database / retention policy pair as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DbrpRecord {
    /// Database.
    pub db: String,
    /// Retention policy.
    pub rp: String,
}

/// A task definition and its persisted state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TaskRecord {
    /// Unique id.
    pub id: String,
    /// Template the task was created from; empty when none.
    #[serde(default)]
    pub template_id: String,
    /// `stream` or `batch`.
    pub task_type: String,
    /// The DBRPs the task reads.
    #[serde(default)]
    pub dbrps: Vec<DbrpRecord>,
    /// The TICKscript as given.
    pub script: String,
    /// Vars in the API's JSON form (`{name: {type, value, description}}`).
    #[serde(default)]
    pub vars: serde_json::Value,
    /// `enabled` or `disabled`.
    pub status: String,
    /// The last start or execution error; empty when none.
    #[serde(default)]
    pub error: String,
    /// Creation time, ns since the epoch.
    pub created: i64,
    /// Last modification time, ns since the epoch.
    pub modified: i64,
    /// Last time the task was enabled, ns since the epoch; 0 = never.
    #[serde(default)]
    pub last_enabled: i64,
}

/// Durable task definitions, cheap to clone and safe to share between threads.
#[derive(Debug, Clone)]
pub struct TaskStore {
    db: Arc<Database>,
}

impl TaskStore {
    /// Opens (or creates) the store file; missing parent directories are created.
    /// Prefer [`crate::Storage::open`] when other stores share the file.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StorageError> {
        Ok(crate::Storage::open(path)?.tasks())
    }

    pub(crate) fn new(db: Arc<Database>) -> Self {
        TaskStore { db }
    }

    /// Creates or replaces a task in one committed transaction.
    pub fn put(&self, task: &TaskRecord) -> Result<(), StorageError> {
        let value = serde_json::to_vec(task).map_err(|source| StorageError::Codec {
            id: task.id.clone(),
            source,
        })?;
        let txn = self.db.begin_write()?;
        {
            let mut table = txn.open_table(TASKS)?;
            table.insert(task.id.as_str(), value.as_slice())?;
        }
        txn.commit()?;
        Ok(())
    }

    /// The task with this id, if any.
    pub fn get(&self, id: &str) -> Result<Option<TaskRecord>, StorageError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(TASKS)?;
        match table.get(id)? {
            Some(v) => decode(id, v.value()).map(Some),
            None => Ok(None),
        }
    }

    /// Removes a task; returns whether it existed.
    pub fn delete(&self, id: &str) -> Result<bool, StorageError> {
        let txn = self.db.begin_write()?;
        let existed = {
            let mut table = txn.open_table(TASKS)?;
            table.remove(id)?.is_some()
        };
        txn.commit()?;
        Ok(existed)
    }

    /// Every task, sorted by id.
    pub fn list(&self) -> Result<Vec<TaskRecord>, StorageError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(TASKS)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (k, v) = entry?;
            out.push(decode(k.value(), v.value())?);
        }
        Ok(out)
    }
}

fn decode(id: &str, bytes: &[u8]) -> Result<TaskRecord, StorageError> {
    serde_json::from_slice(bytes).map_err(|source| StorageError::Codec {
        id: id.to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str) -> TaskRecord {
        TaskRecord {
            id: id.to_string(),
            template_id: String::new(),
            task_type: "stream".into(),
            dbrps: vec![DbrpRecord {
                db: "telegraf".into(),
                rp: "autogen".into(),
            }],
            script: "stream|from()".into(),
            vars: serde_json::json!({}),
            status: "enabled".into(),
            error: String::new(),
            created: 1,
            modified: 2,
            last_enabled: 3,
        }
    }

    #[test]
    fn put_get_list_delete() {
        let dir = tempfile::tempdir().unwrap();
        let store = TaskStore::open(dir.path().join("kapacitor.db")).unwrap();
        assert_eq!(store.list().unwrap(), vec![]);
        store.put(&record("b")).unwrap();
        store.put(&record("a")).unwrap();
        assert_eq!(store.get("a").unwrap(), Some(record("a")));
        assert_eq!(store.get("zz").unwrap(), None);
        let ids: Vec<_> = store.list().unwrap().into_iter().map(|t| t.id).collect();
        assert_eq!(ids, vec!["a", "b"]);

        let mut changed = record("a");
        changed.status = "disabled".into();
        store.put(&changed).unwrap();
        assert_eq!(store.get("a").unwrap().unwrap().status, "disabled");

        assert!(store.delete("a").unwrap());
        assert!(!store.delete("a").unwrap());
        assert_eq!(store.list().unwrap().len(), 1);
    }

    #[test]
    fn reopen_keeps_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/dir/kapacitor.db");
        {
            let store = TaskStore::open(&path).unwrap();
            store.put(&record("t1")).unwrap();
        }
        let store = TaskStore::open(&path).unwrap();
        assert_eq!(store.get("t1").unwrap(), Some(record("t1")));
    }

    #[test]
    fn clones_share_the_database() {
        let dir = tempfile::tempdir().unwrap();
        let store = TaskStore::open(dir.path().join("k.db")).unwrap();
        let other = store.clone();
        store.put(&record("x")).unwrap();
        assert!(other.get("x").unwrap().is_some());
    }
}
