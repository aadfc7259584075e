//! A redb table holding one JSON value per string id: the shape shared by the template,
//! recording and replay stores.

use std::marker::PhantomData;
use std::sync::Arc;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::StorageError;

/// Values keyed by id in one named table, cheap to clone and safe to share.
#[derive(Debug)]
pub struct JsonTable<T> {
    db: Arc<Database>,
    name: &'static str,
    _value: PhantomData<fn() -> T>,
}

impl<T> Clone for JsonTable<T> {
    fn clone(&self) -> Self {
        JsonTable {
            db: self.db.clone(),
            name: self.name,
            _value: PhantomData,
        }
    }
}

impl<T: Serialize + DeserializeOwned> JsonTable<T> {
    pub(crate) fn new(db: Arc<Database>, name: &'static str) -> Self {
        JsonTable {
            db,
            name,
            _value: PhantomData,
        }
    }

    fn def(&self) -> TableDefinition<'static, &'static str, &'static [u8]> {
        TableDefinition::new(self.name)
    }

    /// Creates or replaces a value in one committed transaction.
    pub fn put(&self, id: &str, value: &T) -> Result<(), StorageError> {
        let bytes = serde_json::to_vec(value).map_err(|source| StorageError::Codec {
            id: id.to_string(),
            source,
        })?;
        let txn = self.db.begin_write()?;
        {
            let mut table = txn.open_table(self.def())?;
            table.insert(id, bytes.as_slice())?;
        }
        txn.commit()?;
        Ok(())
    }

    /// The value with this id, if any.
    pub fn get(&self, id: &str) -> Result<Option<T>, StorageError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(self.def())?;
        match table.get(id)? {
            Some(v) => decode(id, v.value()).map(Some),
            None => Ok(None),
        }
    }

    /// Removes a value; returns whether it existed.
    pub fn delete(&self, id: &str) -> Result<bool, StorageError> {
        let txn = self.db.begin_write()?;
        let existed = {
            let mut table = txn.open_table(self.def())?;
            table.remove(id)?.is_some()
        };
        txn.commit()?;
        Ok(existed)
    }

    /// Every value, sorted by id.
    pub fn list(&self) -> Result<Vec<T>, StorageError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(self.def())?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (k, v) = entry?;
            out.push(decode(k.value(), v.value())?);
        }
        Ok(out)
    }
}

fn decode<T: DeserializeOwned>(id: &str, bytes: &[u8]) -> Result<T, StorageError> {
    serde_json::from_slice(bytes).map_err(|source| StorageError::Codec {
        id: id.to_string(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use crate::{RecordingRecord, Storage};

    fn rec(id: &str) -> RecordingRecord {
        RecordingRecord {
            id: id.into(),
            rec_type: "stream".into(),
            data_path: format!("/r/{id}.srpl"),
            size: 1,
            date: 2,
            error: String::new(),
            status: "finished".into(),
            progress: 1.0,
        }
    }

    #[test]
    fn put_get_list_delete_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        {
            let s = Storage::open(&path).unwrap();
            let t = s.recordings();
            assert!(t.list().unwrap().is_empty());
            t.put("b", &rec("b")).unwrap();
            t.put("a", &rec("a")).unwrap();
            assert_eq!(t.get("a").unwrap(), Some(rec("a")));
            assert_eq!(t.get("zz").unwrap(), None);
            assert!(
                s.replays().list().unwrap().is_empty(),
                "tables are separate"
            );
        }
        let s = Storage::open(&path).unwrap();
        let t = s.recordings();
        let ids: Vec<_> = t.list().unwrap().into_iter().map(|r| r.id).collect();
        assert_eq!(ids, ["a", "b"]);
        assert!(t.delete("a").unwrap());
        assert!(!t.delete("a").unwrap());
        assert_eq!(t.list().unwrap().len(), 1);
    }
}
