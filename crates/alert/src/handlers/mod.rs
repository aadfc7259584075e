//! Handler kinds, one module each, created from handler specs by `create`.

mod log;

pub use log::LogHandler;

use kapa_engine::AlertEvent;
use kapa_pipeline::nodes::HandlerSpec;

use crate::AlertError;

/// Something that delivers alert events somewhere.
pub trait Handler: Send + Sync + std::fmt::Debug {
    /// Delivers one event; failures are logged by the handler.
    fn handle(&self, event: &AlertEvent);
}

/// Creates a handler from its spec (kind + options).
pub fn create(spec: &HandlerSpec) -> Result<Box<dyn Handler>, AlertError> {
    match spec.kind.as_str() {
        "log" => Ok(Box::new(LogHandler::from_options(&spec.options)?)),
        other => Err(AlertError::UnknownKind(other.to_string())),
    }
}
