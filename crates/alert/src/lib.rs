//! Alert topics and handlers: the alert nodes of tasks publish events to topics, and each
//! topic delivers them to its handlers. Every handler has its own bounded queue and
//! thread, so publishing never waits for a delivery; transient failures are retried.
#![warn(missing_docs)]

mod delivery;
pub mod handlers;
mod httppost;
mod service;
pub mod service_tests;
mod state_writer;
mod template;

pub use delivery::{DeliveryConfig, HandlerStats, RetryPolicy};
pub use handlers::{HandlerServices, validate_services};
pub use httppost::validate as validate_httppost;
pub use kapa_models::gojson::to_go_json;
pub use service::{AlertService, ServiceConfig};
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
}
