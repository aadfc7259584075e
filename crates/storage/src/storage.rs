//! The one redb file every store shares.

use std::path::Path;
use std::sync::Arc;

use redb::Database;

use crate::StorageError;
use crate::handler_spec::{HandlerSpecStore, TOPIC_HANDLERS};
use crate::json_table::JsonTable;
use crate::load_item::{LOAD_ITEMS, LoadItemStore};
use crate::replay::{
    RECORDINGS, REPLAYS, RecordingRecord, ReplayRecord, TEMPLATES, TemplateRecord,
};
use crate::task::{TASKS, TaskStore};
use crate::topic_state::{TOPIC_EVENTS, TopicStateStore};

/// The open database file; hands out the stores that live in it.
///
/// redb locks its file, so a process opens it once and shares this handle.
#[derive(Debug, Clone)]
pub struct Storage {
    db: Arc<Database>,
}

impl Storage {
    /// Opens (or creates) the file and its tables; missing parent directories are created.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StorageError> {
        let path = path.as_ref();
        let open_err = |source| StorageError::Open {
            path: path.display().to_string(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|e| open_err(redb::DatabaseError::Storage(e.into())))?;
        }
        let db = Database::create(path).map_err(open_err)?;
        // Creating the tables up front lets readers assume they exist.
        let txn = db.begin_write()?;
        txn.open_table(TASKS)?;
        txn.open_table(TOPIC_EVENTS)?;
        txn.open_table(TOPIC_HANDLERS)?;
        txn.open_table(LOAD_ITEMS)?;
        for name in [TEMPLATES, RECORDINGS, REPLAYS] {
            txn.open_table(redb::TableDefinition::<&str, &[u8]>::new(name))?;
        }
        txn.commit()?;
        Ok(Storage { db: Arc::new(db) })
    }

    /// The task definitions.
    pub fn tasks(&self) -> TaskStore {
        TaskStore::new(self.db.clone())
    }

    /// The alert event states of the topics.
    pub fn topic_states(&self) -> TopicStateStore {
        TopicStateStore::new(self.db.clone())
    }

    /// The topic handler specs defined through the API or the load directory.
    pub fn handler_specs(&self) -> HandlerSpecStore {
        HandlerSpecStore::new(self.db.clone())
    }

    /// The items defined by the `[load] dir`.
    pub fn load_items(&self) -> LoadItemStore {
        LoadItemStore::new(self.db.clone())
    }

    /// The task templates.
    pub fn templates(&self) -> JsonTable<TemplateRecord> {
        JsonTable::new(self.db.clone(), TEMPLATES)
    }

    /// The recordings' metadata.
    pub fn recordings(&self) -> JsonTable<RecordingRecord> {
        JsonTable::new(self.db.clone(), RECORDINGS)
    }

    /// The replays' metadata.
    pub fn replays(&self) -> JsonTable<ReplayRecord> {
        JsonTable::new(self.db.clone(), REPLAYS)
    }
}
