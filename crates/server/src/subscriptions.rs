//! InfluxDB subscriptions (Kapacitor's `linkSubscriptions`): InfluxDB forwards every write
//! on the subscribed db/rp pairs to this server's `/write`.
//!
//! For each enabled cluster without `disable-subscriptions`, at startup (once InfluxDB
//! answers), every `subscriptions-sync-interval` and on `POST /kapacitor/v1/subscriptions`:
//! `SHOW DATABASES`, `SHOW RETENTION POLICIES ON` each, `SHOW SUBSCRIPTIONS`; then every
//! wanted pair gets `CREATE SUBSCRIPTION "kapacitor-<cluster id>" ON "db"."rp" DESTINATIONS
//! ANY '<http://host:port>'`, and subscriptions of ours that are no longer wanted or point
//! elsewhere (and the legacy names `kapacitor` / `<cluster id>`) are dropped. With
//! `subscription-protocol = "udp"` each wanted pair gets its own UDP listener on an
//! ephemeral port of `udp-bind`, and the destination is `udp://host:port`.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use kapa_influxdb::{Cluster, Clusters, InfluxError};
use parking_lot::{Condvar, Mutex};

use crate::udp::{Ingest, UdpListener};

/// The UDP listeners of one cluster's subscriptions, by (db, rp).
type UdpListeners = HashMap<(String, String), UdpListener>;

/// What a sync needs besides the cluster.
#[derive(Debug, Clone)]
pub struct Identity {
    /// `hostname` from the config.
    pub hostname: String,
    /// Content of `cluster.id`.
    pub cluster_id: String,
    /// Content of `server.id`.
    pub server_id: String,
    /// The port this server's HTTP API listens on.
    pub http_port: u16,
}

struct Shared {
    /// Sync requests not yet served (`POST /kapacitor/v1/subscriptions`), and stop.
    state: Mutex<(u64, bool)>,
    cv: Condvar,
}

static TRIGGER: OnceLock<Arc<Shared>> = OnceLock::new();
static COUNT: AtomicUsize = AtomicUsize::new(0);

/// Asks every cluster's sync loop to run now; false when subscriptions are off.
pub fn trigger() -> bool {
    match TRIGGER.get() {
        Some(s) => {
            s.state.lock().0 += 1;
            s.cv.notify_all();
            true
        }
        None => false,
    }
}

/// Subscriptions of ours on the last sync (for `num_subscriptions`).
pub fn count() -> usize {
    COUNT.load(Ordering::Relaxed)
}

/// The running sync loops.
pub struct Subscriptions {
    shared: Arc<Shared>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for Subscriptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Subscriptions")
    }
}

impl Subscriptions {
    /// Starts one sync loop per cluster that wants subscriptions.
    pub fn start(clusters: &Clusters, id: Identity, ingest: Ingest) -> Subscriptions {
        let shared = TRIGGER
            .get_or_init(|| {
                Arc::new(Shared {
                    state: Mutex::new((0, false)),
                    cv: Condvar::new(),
                })
            })
            .clone();
        let mut threads = Vec::new();
        for c in clusters.all() {
            if c.config().disable_subscriptions {
                continue;
            }
            let (c, s, id, ingest) = (c.clone(), shared.clone(), id.clone(), ingest.clone());
            match std::thread::Builder::new()
                .name("kapa-subscriptions".into())
                .spawn(move || sync_loop(&c, &s, &id, &ingest))
            {
                Ok(t) => threads.push(t),
                Err(e) => {
                    tracing::error!(service = "influxdb", err = %e, "cannot start subscription sync")
                }
            }
        }
        Subscriptions { shared, threads }
    }

    /// Stops the loops (subscriptions stay on InfluxDB, as in Kapacitor).
    pub fn stop(mut self) {
        self.shared.state.lock().1 = true;
        self.shared.cv.notify_all();
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

fn sync_loop(c: &Cluster, shared: &Shared, id: &Identity, ingest: &Ingest) {
    let mut udp = UdpListeners::new();
    let interval = Duration::from_nanos(
        u64::try_from(c.config().subscriptions_sync_interval)
            .unwrap_or(0)
            .max(1_000_000_000),
    );
    // Wait for InfluxDB before the first sync: a short retry while it starts.
    let mut retry = Duration::from_millis(100);
    let mut seen = shared.state.lock().0;
    loop {
        let wait = match link(c, id, &mut udp, ingest) {
            Ok(n) => {
                COUNT.store(n, Ordering::Relaxed);
                interval
            }
            Err(e) => {
                tracing::warn!(service = "influxdb", cluster = %c.name(), err = %e, "failed to link subscriptions");
                retry = (retry * 2).min(interval);
                retry
            }
        };
        let mut st = shared.state.lock();
        if st.1 {
            return;
        }
        if st.0 == seen {
            let _ = shared.cv.wait_for(&mut st, wait);
        }
        if st.1 {
            return;
        }
        seen = st.0;
    }
}

fn rows(
    resp: &kapa_influxdb::Response,
) -> impl Iterator<Item = (&kapa_influxdb::SeriesRow, &Vec<serde_json::Value>)> {
    resp.results
        .iter()
        .flat_map(|r| r.series.iter())
        .flat_map(|s| s.values.iter().map(move |v| (s, v)))
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The destination InfluxDB should send the writes of `db`.`rp` to; for UDP this starts
/// the pair's listener when it has none.
fn destination(
    c: &Cluster,
    id: &Identity,
    db: &str,
    rp: &str,
    udp: &mut UdpListeners,
    ingest: &Ingest,
) -> Result<String, InfluxError> {
    let cfg = c.config();
    let protocol = cfg.subscription_protocol.as_str();
    let host = if cfg.kapacitor_hostname.is_empty() {
        &id.hostname
    } else {
        &cfg.kapacitor_hostname
    };
    if protocol == "udp" {
        let key = (db.to_string(), rp.to_string());
        if !udp.contains_key(&key) {
            let l = UdpListener::start(&cfg.udp_bind, db, rp, "", ingest.clone())
                .map_err(|e| InfluxError::Config(e.to_string()))?;
            udp.insert(key.clone(), l);
        }
        let port = udp.get(&key).map(|l| l.local_addr().port()).unwrap_or(0);
        return Ok(format!("udp://{host}:{port}"));
    }
    let port = if cfg.http_port > 0 {
        cfg.http_port.to_string()
    } else {
        id.http_port.to_string()
    };
    Ok(format!(
        "{protocol}://{host}:{port}{}",
        cfg.subscription_path
    ))
}

/// One sync; returns the number of subscriptions of ours afterwards.
pub fn link(
    c: &Cluster,
    id: &Identity,
    udp: &mut UdpListeners,
    ingest: &Ingest,
) -> Result<usize, InfluxError> {
    let cfg = c.config();
    let name = format!(
        "kapacitor-{}",
        if cfg.subscription_mode == "server" {
            &id.server_id
        } else {
            &id.cluster_id
        }
    );
    let legacy = ["kapacitor".to_string(), id.cluster_id.clone()];

    let mut all: BTreeSet<(String, String)> = BTreeSet::new();
    let dbs = c.execute("", "SHOW DATABASES")?;
    let db_names: Vec<String> = rows(&dbs)
        .filter_map(|(_, v)| v.first().and_then(|x| x.as_str()).map(str::to_string))
        .collect();
    for db in db_names {
        let rps = c.execute("", &format!("SHOW RETENTION POLICIES ON {}", quote(&db)))?;
        for (_, v) in rows(&rps) {
            if let Some(rp) = v.first().and_then(|x| x.as_str()) {
                all.insert((db.clone(), rp.to_string()));
            }
        }
    }
    let wanted: BTreeSet<(String, String)> = all
        .into_iter()
        .filter(|(db, rp)| {
            (cfg.subscriptions.is_empty()
                || cfg
                    .subscriptions
                    .get(db)
                    .is_some_and(|rps| rps.contains(rp)))
                && !cfg
                    .excluded_subscriptions
                    .get(db)
                    .is_some_and(|rps| rps.contains(rp))
        })
        .collect();
    // Listeners of pairs no longer wanted stop.
    udp.retain(|k, _| wanted.contains(k));
    let mut dests: HashMap<(String, String), String> = HashMap::new();
    for (db, rp) in &wanted {
        let d = destination(c, id, db, rp, udp, ingest)?;
        dests.insert((db.clone(), rp.clone()), d);
    }

    // SHOW SUBSCRIPTIONS: one series per db, columns retention_policy, name, mode, destinations.
    let subs = c.execute("", "SHOW SUBSCRIPTIONS")?;
    let mut have: BTreeSet<(String, String)> = BTreeSet::new();
    for (series, v) in rows(&subs) {
        let col = |n: &str| {
            series
                .columns
                .iter()
                .position(|c| c == n)
                .and_then(|i| v.get(i))
        };
        let (Some(rp), Some(sub)) = (
            col("retention_policy").and_then(|x| x.as_str()),
            col("name").and_then(|x| x.as_str()),
        ) else {
            continue;
        };
        let db = series.name.clone();
        let ours = sub == name;
        if !ours && !legacy.iter().any(|l| l == sub) {
            continue;
        }
        let existing: Vec<&str> = col("destinations")
            .and_then(|x| x.as_array())
            .map(|a| a.iter().filter_map(|d| d.as_str()).collect())
            .unwrap_or_default();
        let key = (db.clone(), rp.to_string());
        if ours && dests.get(&key).is_some_and(|d| existing == [d.as_str()]) {
            have.insert(key);
            continue;
        }
        c.execute(
            "",
            &format!(
                "DROP SUBSCRIPTION {} ON {}.{}",
                quote(sub),
                quote(&db),
                quote(rp)
            ),
        )?;
        tracing::info!(service = "influxdb", cluster = %c.name(), db = %db, rp = %rp, name = %sub, "dropped subscription");
    }
    for (db, rp) in wanted.difference(&have) {
        let dest = dests
            .get(&(db.clone(), rp.clone()))
            .cloned()
            .unwrap_or_default();
        c.execute(
            "",
            &format!(
                "CREATE SUBSCRIPTION {} ON {}.{} DESTINATIONS ANY '{}'",
                quote(&name),
                quote(db),
                quote(rp),
                dest.replace('\\', "\\\\").replace('\'', "\\'")
            ),
        )?;
        tracing::info!(service = "influxdb", cluster = %c.name(), db = %db, rp = %rp, destination = %dest, "created subscription");
    }
    Ok(wanted.len())
}
