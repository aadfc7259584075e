//! What the `[load] dir` defined: one key per item in the redb table `load_items`
//! (`tasks/<id>`, `templates/<id>`, `handlers/<topic>/<id>`, Kapacitor's names), so a file
//! removed from the directory removes its item at the next load.

use std::sync::Arc;

use redb::{Database, ReadableDatabase, TableDefinition};

use crate::StorageError;

pub(crate) const LOAD_ITEMS: TableDefinition<'_, &str, ()> = TableDefinition::new("load_items");

/// The keys of the items loaded from the load directory.
#[derive(Debug, Clone)]
pub struct LoadItemStore {
    db: Arc<Database>,
}

impl LoadItemStore {
    pub(crate) fn new(db: Arc<Database>) -> Self {
        LoadItemStore { db }
    }

    /// Records an item.
    pub fn put(&self, key: &str) -> Result<(), StorageError> {
        let txn = self.db.begin_write()?;
        {
            let mut table = txn.open_table(LOAD_ITEMS)?;
            table.insert(key, ())?;
        }
        txn.commit()?;
        Ok(())
    }

    /// Forgets an item.
    pub fn delete(&self, key: &str) -> Result<(), StorageError> {
        let txn = self.db.begin_write()?;
        {
            let mut table = txn.open_table(LOAD_ITEMS)?;
            table.remove(key)?;
        }
        txn.commit()?;
        Ok(())
    }

    /// The keys starting with `prefix`, sorted.
    pub fn list(&self, prefix: &str) -> Result<Vec<String>, StorageError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(LOAD_ITEMS)?;
        let mut out = Vec::new();
        for entry in table.range(prefix..)? {
            let (k, _) = entry?;
            let key = k.value();
            if !key.starts_with(prefix) {
                break;
            }
            out.push(key.to_string());
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::Storage;

    #[test]
    fn put_list_delete() {
        let dir = tempfile::tempdir().unwrap();
        let items = Storage::open(dir.path().join("k.db")).unwrap().load_items();
        items.put("tasks/b").unwrap();
        items.put("tasks/a").unwrap();
        items.put("handlers/cpu/x").unwrap();
        items.put("tasksz").unwrap();
        assert_eq!(items.list("tasks/").unwrap(), vec!["tasks/a", "tasks/b"]);
        items.delete("tasks/a").unwrap();
        assert_eq!(items.list("tasks/").unwrap(), vec!["tasks/b"]);
        assert_eq!(items.list("handlers/").unwrap(), vec!["handlers/cpu/x"]);
    }
}
