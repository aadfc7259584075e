//! Where the service keeps topic handler specs across restarts.

use kapa_storage::{HandlerSpecRecord, HandlerSpecStore};

use crate::spec::TopicHandlerSpec;

/// Durable handler specs; writes are synchronous (specs change through the API, rarely).
pub trait SpecStore: Send + Sync + std::fmt::Debug + 'static {
    /// Every stored spec, with whether it came from the load directory.
    fn load(&self) -> Result<Vec<(TopicHandlerSpec, bool)>, String>;
    /// Creates or replaces a spec.
    fn put(&self, spec: &TopicHandlerSpec, loaded: bool) -> Result<(), String>;
    /// Removes a spec.
    fn delete(&self, topic: &str, id: &str) -> Result<(), String>;
}

impl SpecStore for HandlerSpecStore {
    fn load(&self) -> Result<Vec<(TopicHandlerSpec, bool)>, String> {
        Ok(self
            .list_all()
            .map_err(|e| e.to_string())?
            .into_iter()
            .map(|r| {
                let loaded = r.loaded;
                (
                    TopicHandlerSpec {
                        id: r.id,
                        topic: r.topic,
                        kind: r.kind,
                        options: r.options,
                        match_expr: r.match_expr,
                    },
                    loaded,
                )
            })
            .collect())
    }

    fn put(&self, spec: &TopicHandlerSpec, loaded: bool) -> Result<(), String> {
        HandlerSpecStore::put(
            self,
            &HandlerSpecRecord {
                id: spec.id.clone(),
                topic: spec.topic.clone(),
                kind: spec.kind.clone(),
                options: spec.options.clone(),
                match_expr: spec.match_expr.clone(),
                loaded,
            },
        )
        .map_err(|e| e.to_string())
    }

    fn delete(&self, topic: &str, id: &str) -> Result<(), String> {
        HandlerSpecStore::delete(self, topic, id).map_err(|e| e.to_string())
    }
}
