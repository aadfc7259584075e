//! `match` expressions of topic handlers: a lambda over the event with `changed()`,
//! `level()`, `name()`, `taskName()`, `alertDuration()`, the level constants and `"tag"`
//! references, evaluated per event per handler before it is queued.

use kapa_engine::{AlertEvent, Level};
use kapa_expr::{ExprError, Lambda, Scope, Value};

use crate::AlertError;

const FUNCTIONS: &[&str] = &["changed", "level", "name", "taskName", "alertDuration"];

/// A compiled match expression.
#[derive(Debug, Clone)]
pub struct Matcher {
    lambda: Lambda,
}

impl Matcher {
    /// Compiles `text`; an empty text is `None` (every event matches).
    pub fn compile(text: &str) -> Result<Option<Matcher>, AlertError> {
        if text.trim().is_empty() {
            return Ok(None);
        }
        let invalid = |e: String| AlertError::InvalidSpec(format!("invalid match expression: {e}"));
        let expr = kapa_tick::parse_lambda(text).map_err(|e| invalid(e.to_string()))?;
        let vars = |name: &str| {
            Some(Value::Int(match name {
                "OK" => Level::Ok as i64,
                "INFO" => Level::Info as i64,
                "WARNING" => Level::Warning as i64,
                "CRITICAL" => Level::Critical as i64,
                _ => return None,
            }))
        };
        let lambda = Lambda::compile_with_scope_functions(&expr, &vars, FUNCTIONS)
            .map_err(|e| invalid(e.to_string()))?;
        Ok(Some(Matcher { lambda }))
    }

    /// Whether the event matches; `previous` is the level the topic last saw for the event
    /// id. An evaluation error is logged and counts as no match, as in Kapacitor.
    pub fn matches(&self, event: &AlertEvent, previous: Level) -> bool {
        let scope = EventScope { event, previous };
        let mut state = self.lambda.new_state();
        match self.lambda.eval_bool(&scope, &mut state) {
            Ok(b) => b,
            Err(e) => {
                tracing::error!(service = "alert", err = %e, expr = %self.lambda.source(), "failed to evaluate match expression");
                false
            }
        }
    }
}

struct EventScope<'a> {
    event: &'a AlertEvent,
    previous: Level,
}

impl Scope for EventScope<'_> {
    fn lookup(&self, name: &str) -> Result<Value, ExprError> {
        Ok(self
            .event
            .tags
            .iter()
            .find(|(k, _)| k == name)
            .map_or(Value::Missing, |(_, v)| Value::String(v.as_str().into())))
    }

    fn time(&self) -> i64 {
        self.event.time
    }

    fn call(&self, name: &str, args: &[Value]) -> Option<Result<Value, ExprError>> {
        if !args.is_empty() {
            return None;
        }
        let e = self.event;
        Some(Ok(match name {
            "changed" => Value::Bool(e.data.level != self.previous),
            "level" => Value::Int(e.data.level as i64),
            "name" => Value::String(e.name.as_str().into()),
            "taskName" => Value::String(e.task_name.as_str().into()),
            "alertDuration" => Value::Duration(e.data.duration),
            _ => return None,
        }))
    }
}
