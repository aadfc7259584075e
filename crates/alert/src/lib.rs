//! Alert topics and handlers: the alert nodes of tasks publish events to topics, and each
//! topic delivers them to its handlers.
#![warn(missing_docs)]

mod gojson;
pub mod handlers;
mod service;

pub use gojson::to_go_json;
pub use service::AlertService;

/// Errors raised while creating handlers.
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
}
