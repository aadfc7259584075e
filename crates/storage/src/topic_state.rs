//! Alert event states per topic: one small JSON value per (topic, event id) in the redb
//! table `topic_events`, so a state change costs one row, not a rewrite of the topic.

use std::sync::Arc;

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use crate::StorageError;

pub(crate) const TOPIC_EVENTS: TableDefinition<'_, (&str, &str), &[u8]> =
    TableDefinition::new("topic_events");

/// The last state of one alert event in a topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventStateRecord {
    /// Event id.
    pub id: String,
    /// `OK`, `INFO`, `WARNING` or `CRITICAL`.
    pub level: String,
    /// Time of the last event, ns since the epoch.
    pub time: i64,
    /// Duration of the non-OK state at that event, ns.
    #[serde(default)]
    pub duration: i64,
    /// The rendered message of the last event.
    #[serde(default)]
    pub message: String,
    /// The rendered details of the last event.
    #[serde(default)]
    pub details: String,
}

/// One change applied by [`TopicStateStore::apply`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TopicStateOp {
    /// Creates or replaces the state of one event.
    Put {
        /// Topic name.
        topic: String,
        /// The new state.
        state: EventStateRecord,
    },
    /// Removes every event state of a topic.
    DeleteTopic(String),
}

/// Durable topic event states, cheap to clone and safe to share between threads.
#[derive(Debug, Clone)]
pub struct TopicStateStore {
    db: Arc<Database>,
}

impl TopicStateStore {
    pub(crate) fn new(db: Arc<Database>) -> Self {
        TopicStateStore { db }
    }

    /// Applies the changes in order, in one committed transaction.
    pub fn apply(&self, ops: &[TopicStateOp]) -> Result<(), StorageError> {
        if ops.is_empty() {
            return Ok(());
        }
        let txn = self.db.begin_write()?;
        {
            let mut table = txn.open_table(TOPIC_EVENTS)?;
            for op in ops {
                match op {
                    TopicStateOp::Put { topic, state } => {
                        let value =
                            serde_json::to_vec(state).map_err(|source| StorageError::Codec {
                                id: format!("{topic}/{}", state.id),
                                source,
                            })?;
                        table.insert((topic.as_str(), state.id.as_str()), value.as_slice())?;
                    }
                    TopicStateOp::DeleteTopic(topic) => {
                        let ids = ids_of(&table, topic)?;
                        for id in &ids {
                            table.remove((topic.as_str(), id.as_str()))?;
                        }
                    }
                }
            }
        }
        txn.commit()?;
        Ok(())
    }

    /// Creates or replaces one event state.
    pub fn put(&self, topic: &str, state: &EventStateRecord) -> Result<(), StorageError> {
        self.apply(&[TopicStateOp::Put {
            topic: topic.to_string(),
            state: state.clone(),
        }])
    }

    /// Removes every event state of a topic.
    pub fn delete_topic(&self, topic: &str) -> Result<(), StorageError> {
        self.apply(&[TopicStateOp::DeleteTopic(topic.to_string())])
    }

    /// The state of one event, if stored.
    pub fn get(&self, topic: &str, id: &str) -> Result<Option<EventStateRecord>, StorageError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(TOPIC_EVENTS)?;
        match table.get((topic, id))? {
            Some(v) => decode(topic, id, v.value()).map(Some),
            None => Ok(None),
        }
    }

    /// The event states of one topic, sorted by id.
    pub fn list(&self, topic: &str) -> Result<Vec<EventStateRecord>, StorageError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(TOPIC_EVENTS)?;
        let mut out = Vec::new();
        for entry in table.range((topic, "")..)? {
            let (k, v) = entry?;
            let (t, id) = k.value();
            if t != topic {
                break;
            }
            out.push(decode(t, id, v.value())?);
        }
        Ok(out)
    }

    /// Every stored state with its topic, sorted by topic then id.
    pub fn list_all(&self) -> Result<Vec<(String, EventStateRecord)>, StorageError> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(TOPIC_EVENTS)?;
        let mut out = Vec::new();
        for entry in table.iter()? {
            let (k, v) = entry?;
            let (topic, id) = k.value();
            out.push((topic.to_string(), decode(topic, id, v.value())?));
        }
        Ok(out)
    }
}

fn ids_of(
    table: &impl ReadableTable<(&'static str, &'static str), &'static [u8]>,
    topic: &str,
) -> Result<Vec<String>, StorageError> {
    let mut ids = Vec::new();
    for entry in table.range((topic, "")..)? {
        let (k, _) = entry?;
        let (t, id) = k.value();
        if t != topic {
            break;
        }
        ids.push(id.to_string());
    }
    Ok(ids)
}

fn decode(topic: &str, id: &str, bytes: &[u8]) -> Result<EventStateRecord, StorageError> {
    serde_json::from_slice(bytes).map_err(|source| StorageError::Codec {
        id: format!("{topic}/{id}"),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Storage;

    fn state(id: &str, level: &str, time: i64) -> EventStateRecord {
        EventStateRecord {
            id: id.to_string(),
            level: level.to_string(),
            time,
            duration: 5,
            message: format!("{id} is {level}"),
            details: String::new(),
        }
    }

    #[test]
    fn put_get_list_delete_topic() {
        let dir = tempfile::tempdir().unwrap();
        let store = Storage::open(dir.path().join("k.db"))
            .unwrap()
            .topic_states();
        store
            .put("main:t:alert2", &state("b", "CRITICAL", 1))
            .unwrap();
        store.put("main:t:alert2", &state("a", "OK", 2)).unwrap();
        store
            .put("main:t2:alert2", &state("a", "WARNING", 3))
            .unwrap();
        store.put("main:t", &state("z", "INFO", 4)).unwrap();
        assert_eq!(
            store.get("main:t:alert2", "b").unwrap(),
            Some(state("b", "CRITICAL", 1))
        );
        assert_eq!(store.get("main:t:alert2", "c").unwrap(), None);
        let ids: Vec<_> = store
            .list("main:t:alert2")
            .unwrap()
            .into_iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(ids, vec!["a", "b"]);

        store.put("main:t:alert2", &state("b", "OK", 9)).unwrap();
        assert_eq!(
            store.get("main:t:alert2", "b").unwrap().unwrap().level,
            "OK"
        );

        store.delete_topic("main:t:alert2").unwrap();
        assert!(store.list("main:t:alert2").unwrap().is_empty());
        let all: Vec<_> = store
            .list_all()
            .unwrap()
            .into_iter()
            .map(|(t, s)| format!("{t}/{}", s.id))
            .collect();
        assert_eq!(all, vec!["main:t/z", "main:t2:alert2/a"]);
    }

    #[test]
    fn apply_keeps_order_in_one_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let store = Storage::open(dir.path().join("k.db"))
            .unwrap()
            .topic_states();
        store
            .apply(&[
                TopicStateOp::Put {
                    topic: "x".into(),
                    state: state("1", "CRITICAL", 1),
                },
                TopicStateOp::DeleteTopic("x".into()),
                TopicStateOp::Put {
                    topic: "x".into(),
                    state: state("2", "WARNING", 2),
                },
            ])
            .unwrap();
        assert_eq!(store.list("x").unwrap(), vec![state("2", "WARNING", 2)]);
    }

    #[test]
    fn states_and_tasks_share_one_file_and_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k.db");
        {
            let storage = Storage::open(&path).unwrap();
            storage
                .topic_states()
                .put("t", &state("a", "CRITICAL", 7))
                .unwrap();
            assert!(storage.tasks().list().unwrap().is_empty());
        }
        let storage = Storage::open(&path).unwrap();
        assert_eq!(
            storage.topic_states().get("t", "a").unwrap(),
            Some(state("a", "CRITICAL", 7))
        );
    }
}
