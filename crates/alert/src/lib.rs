//! Alert topics and handlers: the alert nodes of tasks publish events to topics, and each
//! topic delivers them to its handlers. Every handler has its own bounded queue and
//! thread, so publishing never waits for a delivery; transient failures are retried.
#![warn(missing_docs)]

mod aggregate;
mod delivery;
pub mod handlers;
mod httppost;
mod inhibit;
mod matching;
mod service;
pub mod service_tests;
mod spec;
mod spec_store;
mod state_writer;
mod template;

pub use delivery::{DeliveryConfig, HandlerStats, RetryPolicy};
pub use handlers::{HandlerServices, validate_services};
pub use httppost::validate as validate_httppost;
pub use kapa_models::gojson::to_go_json;
pub use matching::Matcher;
pub use service::{AlertService, EventView, ServiceConfig, TopicSummary};
pub use spec::{TopicHandlerSpec, valid_topic_id};
pub use spec_store::SpecStore;
pub use state_writer::StateStore;

/// Errors raised while configuring the service or creating handlers.
#[derive(Debug, thiserror::Error, PartialEq)]
#[non_exhaustive]
pub enum AlertError {
    /// A handler option has the wrong type or is missing.
    #[error("invalid option {option:?} for {kind} handler: {reason}")]
    InvalidOption {
        /// Handler kind.
        kind: String,
        /// Option key.
        option: String,
        /// What is wrong.
        reason: String,
    },
    /// A handler kind this build does not have.
    #[error("the {0:?} alert handler is not implemented yet in this build of Kapacitor")]
    UnknownKind(String),
    /// The options are well-formed but the handler cannot work with them.
    #[error("failed to create {kind} handler: {reason}")]
    Handler {
        /// Handler kind.
        kind: String,
        /// Kapacitor's reason.
        reason: String,
    },
    /// An invalid service configuration section (`[[httppost]]`).
    #[error("{0}")]
    Config(String),
    /// The event state store could not be read or its writer started.
    #[error("alert state store: {0}")]
    Storage(String),
    /// A handler spec breaks Kapacitor's rules (ids, kind, match expression).
    #[error("{0}")]
    InvalidSpec(String),
    /// A handler with that id already exists in the topic.
    #[error("handler spec already exists")]
    SpecExists,
    /// No handler with that id exists in the topic.
    #[error("no handler spec exists")]
    NoSuchSpec,
    /// The handler came from the load directory and cannot be changed through the API.
    #[error("cannot modify handler {0:?}: it was loaded from the load directory")]
    LoadedSpec(String),
    /// A list pattern that is not a valid glob (Go's `path.ErrBadPattern` text).
    #[error("syntax error in pattern")]
    InvalidPattern(String),
}
