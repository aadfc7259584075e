//! Durable stores on redb: tasks and their metadata, templates, recordings, replays,
//! alert topic event states, topic handler specs, load-directory items.
//!
//! One redb file holds every store (Kapacitor keeps one BoltDB file, `[storage] boltdb`).
//! Each write is a single committed transaction with redb's default immediate
//! durability, so an acknowledged write survives `kill -9`.
#![warn(missing_docs)]

mod handler_spec;
mod json_table;
mod load_item;
mod replay;
mod storage;
mod task;
mod topic_state;

pub use handler_spec::{HandlerSpecRecord, HandlerSpecStore};
pub use json_table::JsonTable;
pub use load_item::LoadItemStore;
pub use replay::{RecordingRecord, ReplayRecord, TemplateRecord};
pub use storage::Storage;
pub use task::{DbrpRecord, TaskRecord, TaskStore};
pub use topic_state::{EventStateRecord, TopicStateOp, TopicStateStore};

/// Errors raised by the stores.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    /// The database file could not be opened or created.
    #[error("opening store {path}: {source}")]
    Open {
        /// The file path.
        path: String,
        /// The cause.
        source: redb::DatabaseError,
    },
    /// A read or write failed inside redb.
    #[error("storage: {0}")]
    Db(#[from] redb::Error),
    /// A stored value could not be encoded or decoded.
    #[error("invalid stored data for {id:?}: {source}")]
    Codec {
        /// The key of the bad value.
        id: String,
        /// The cause.
        source: serde_json::Error,
    },
}

// redb reports failures through several error types; funnel them into one variant.
macro_rules! from_redb {
    ($($t:ty),*) => {$(
        impl From<$t> for StorageError {
            fn from(e: $t) -> Self {
                StorageError::Db(e.into())
            }
        }
    )*};
}
from_redb!(
    redb::TransactionError,
    redb::TableError,
    redb::StorageError,
    redb::CommitError
);
