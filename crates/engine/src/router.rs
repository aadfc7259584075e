//! Routing of written points to tasks by (db, rp, measurement): a task that matches
//! nothing is never touched.

use std::collections::HashMap;
use std::sync::Arc;

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
    /// A task writes back through kapacitorLoopback: tasks then run one after the other, so
    /// the points they write back keep a deterministic order.
    serial: bool,
}

/// Writes of at least this many points that reach several tasks are spread over the cores.
const PARALLEL_MIN_POINTS: usize = 1024;

/// The runs of a write one task must process, in order.
struct Work<'a> {
    task: &'a TaskHandle,
    runs: Vec<&'a [Point]>,
    points: usize,
}

/// What the router needs to know of a task.
pub(crate) struct Route<'a> {
    pub task: &'a TaskHandle,
    pub dbrps: &'a [kapa_pipeline::Dbrp],
    /// `None`: every measurement.
    pub measurements: Option<&'a [SmolStr]>,
    /// The task has a kapacitorLoopback node.
    pub loopback: bool,
}

impl Router {
    pub(crate) fn build<'a>(tasks: impl Iterator<Item = Route<'a>>) -> Self {
        let mut routes: HashMap<(String, String), DbrpRoutes> = HashMap::new();
        let mut serial = false;
        for r in tasks {
            serial |= r.loopback;
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
        Router { routes, serial }
    }

    /// Delivers `points` to every task that reads them, one lock per task per run of
    /// points with the same measurement.
    pub(crate) fn dispatch(&self, db: &str, rp: &str, points: &[Point]) {
        let Some(routes) = self.routes.get(&(db.to_string(), rp.to_string())) else {
            return;
        };
        if points.len() >= PARALLEL_MIN_POINTS && !self.serial && kapa_models::available_cores() > 1
        {
            let work = Self::work(routes, points);
            if work.len() > 1 {
                Self::run_parallel(db, rp, work);
                return;
            }
        }
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

    /// What each task reading (db, rp) must process of `points`.
    fn work<'a>(routes: &'a DbrpRoutes, points: &'a [Point]) -> Vec<Work<'a>> {
        let mut work: Vec<Work<'a>> = Vec::new();
        let mut add = |task: &'a TaskHandle, run: &'a [Point]| match work
            .iter_mut()
            .find(|w| Arc::ptr_eq(w.task, task))
        {
            Some(w) => {
                w.runs.push(run);
                w.points += run.len();
            }
            None => work.push(Work {
                task,
                runs: vec![run],
                points: run.len(),
            }),
        };
        if routes.by_measurement.is_empty() {
            for t in &routes.any {
                add(t, points);
            }
            return work;
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
                    add(t, run);
                }
            }
            for t in &routes.any {
                add(t, run);
            }
            start = end;
        }
        work
    }

    /// Runs each task's share on one of the cores; a task's runs stay in order on one
    /// thread, and tasks share no state, so the results equal a sequential run.
    fn run_parallel(db: &str, rp: &str, mut work: Vec<Work<'_>>) {
        let lanes = kapa_models::available_cores().min(work.len());
        // Largest first onto the least loaded lane.
        work.sort_by_key(|w| std::cmp::Reverse(w.points));
        let mut buckets: Vec<(usize, Vec<Work<'_>>)> =
            (0..lanes).map(|_| (0, Vec::new())).collect();
        for w in work {
            if let Some(b) = buckets.iter_mut().min_by_key(|b| b.0) {
                b.0 += w.points;
                b.1.push(w);
            }
        }
        let run = |ws: Vec<Work<'_>>| {
            for w in ws {
                let mut task = w.task.lock();
                for r in w.runs {
                    task.process(db, rp, r);
                }
            }
        };
        let mut buckets = buckets.into_iter().map(|b| b.1);
        let mine = buckets.next().unwrap_or_default();
        std::thread::scope(|s| {
            for ws in buckets {
                s.spawn(move || run(ws));
            }
            run(mine);
        });
    }

    /// Number of (db, rp) pairs with at least one task.
    #[allow(dead_code)]
    pub(crate) fn len(&self) -> usize {
        self.routes.len()
    }
}
