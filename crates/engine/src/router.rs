//! Routing of written points to tasks by (db, rp, measurement): a task that matches
//! nothing is never touched.

use std::collections::HashMap;

use kapa_models::Point;
use smol_str::SmolStr;

use crate::exec::TaskHandle;

/// The tasks of one (db, rp).
#[derive(Default)]
struct DbrpRoutes {
    /// Tasks that only read some measurements, by measurement.
    by_measurement: HashMap<SmolStr, Vec<TaskHandle>>,
    /// Tasks that read every measurement.
    any: Vec<TaskHandle>,
}

/// An immutable routing table, rebuilt when tasks start or stop.
#[derive(Default)]
pub(crate) struct Router {
    routes: HashMap<(String, String), DbrpRoutes>,
}

/// What the router needs to know of a task.
pub(crate) struct Route<'a> {
    pub task: &'a TaskHandle,
    pub dbrps: &'a [kapa_pipeline::Dbrp],
    /// `None`: every measurement.
    pub measurements: Option<&'a [SmolStr]>,
}

impl Router {
    pub(crate) fn build<'a>(tasks: impl Iterator<Item = Route<'a>>) -> Self {
        let mut routes: HashMap<(String, String), DbrpRoutes> = HashMap::new();
        for r in tasks {
            for dbrp in r.dbrps {
                let entry = routes
                    .entry((dbrp.db.clone(), dbrp.rp.clone()))
                    .or_default();
                match r.measurements {
                    None => entry.any.push(r.task.clone()),
                    Some(ms) => {
                        for m in ms {
                            entry
                                .by_measurement
                                .entry(m.clone())
                                .or_default()
                                .push(r.task.clone());
                        }
                    }
                }
            }
        }
        Router { routes }
    }

    /// Delivers `points` to every task that reads them, one lock per task per run of
    /// points with the same measurement.
    pub(crate) fn dispatch(&self, db: &str, rp: &str, points: &[Point]) {
        let Some(routes) = self.routes.get(&(db.to_string(), rp.to_string())) else {
            return;
        };
        if routes.by_measurement.is_empty() {
            for t in &routes.any {
                t.lock().process(db, rp, points);
            }
            return;
        }
        let mut start = 0;
        while start < points.len() {
            let name = &points[start].name;
            let mut end = start + 1;
            while end < points.len() && points[end].name == *name {
                end += 1;
            }
            let run = &points[start..end];
            if let Some(tasks) = routes.by_measurement.get(name) {
                for t in tasks {
                    t.lock().process(db, rp, run);
                }
            }
            for t in &routes.any {
                t.lock().process(db, rp, run);
            }
            start = end;
        }
    }

    /// Number of (db, rp) pairs with at least one task.
    #[allow(dead_code)]
    pub(crate) fn len(&self) -> usize {
        self.routes.len()
    }
}
