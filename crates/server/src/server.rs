//! Startup, the command dispatch, wiring of the services, and shutdown.

use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use kapa_engine::{EngineConfig, ServerInfo, TaskMaster};
use kapa_models::time::SystemClock;
use kapa_storage::Storage;
use tokio::net::TcpListener;

use crate::cli::{self, Command, RunOptions};
use crate::config::{self, Config};
use crate::http::{self, IngressStats};
use crate::logging::{self, LevelHandle};
use crate::state::{AppState, Identity};
use crate::tasks::TaskService;
use crate::{ServerError, VERSION, env};

/// Runs `kapacitord` with its arguments (program name excluded); returns the exit code.
pub fn main_with_args(args: &[String]) -> i32 {
    match cli::parse(args) {
        Ok(Command::Run(opts)) => match run(opts) {
            Ok(()) => 0,
            Err(e) => {
                logging::early_error(&format!("run: {e}"));
                1
            }
        },
        Ok(Command::Config { config, hostname }) => {
            match print_config(config.as_deref(), hostname.as_deref()) {
                Ok(text) => {
                    print!("{text}");
                    0
                }
                Err(e) => {
                    eprintln!("{e}");
                    1
                }
            }
        }
        Ok(Command::Version) => {
            println!(
                "Kapacitor OSS {VERSION} (kapa-rs {})",
                env!("CARGO_PKG_VERSION")
            );
            0
        }
        Ok(Command::Help(topic)) => {
            print!("{}", usage_for(topic.as_deref()));
            0
        }
        Err(ServerError::Help) => {
            let topic = args
                .first()
                .filter(|a| !a.starts_with('-'))
                .map(String::as_str);
            eprint!("{}", usage_for(topic.or(Some("run"))));
            0
        }
        Err(e) => {
            eprintln!("{e}");
            1
        }
    }
}

fn usage_for(topic: Option<&str>) -> &'static str {
    match topic {
        Some("run") => cli::RUN_USAGE,
        Some("config") => cli::CONFIG_USAGE,
        _ => cli::USAGE,
    }
}

fn home_dir(env: &env::EnvMap) -> Option<PathBuf> {
    env.get("HOME").filter(|h| !h.is_empty()).map(PathBuf::from)
}

/// `kapacitord config`: the commented defaults, or the defaults merged with a file.
pub fn print_config(path: Option<&str>, hostname: Option<&str>) -> Result<String, ServerError> {
    if path.is_none() && hostname.is_none() {
        return Ok(config::DEFAULTS.to_string());
    }
    let mut table = config::defaults_table()?;
    if let Some(p) = path {
        let mut warnings = Vec::new();
        config::merge(&mut table, config::read_file(Path::new(p))?, &mut warnings);
    }
    if let Some(h) = hostname {
        config::set_string(&mut table, "", "hostname", h);
    }
    toml::to_string(&table).map_err(|e| ServerError::Config(e.to_string()))
}

struct Loaded {
    config: Config,
    source: Option<PathBuf>,
    relocated: Option<PathBuf>,
    warnings: Vec<String>,
}

fn load_config(opts: &RunOptions, env: &env::EnvMap) -> Result<Loaded, ServerError> {
    let home = home_dir(env);
    let source = config::find_config_path(opts.config.as_deref(), env, home.as_deref());
    let mut table = config::defaults_table()?;
    let mut warnings = Vec::new();
    let mut relocated = None;
    match &source {
        Some(p) => config::merge(&mut table, config::read_file(p)?, &mut warnings),
        None => relocated = config::relocate_defaults_if_unwritable(&mut table, home.as_deref()),
    }
    env::apply(&mut table, env)?;
    if let Some(h) = &opts.hostname {
        config::set_string(&mut table, "", "hostname", h);
    }
    if let Some(f) = &opts.log_file {
        config::set_string(&mut table, "logging", "file", f);
    }
    if let Some(l) = &opts.log_level {
        config::set_string(&mut table, "logging", "level", l);
    }
    Ok(Loaded {
        config: Config::from_table(table)?,
        source,
        relocated,
        warnings,
    })
}

/// `kapacitord run`.
pub fn run(opts: RunOptions) -> Result<(), ServerError> {
    let env = env::process_env();
    let loaded = load_config(&opts, &env)?;
    let cfg = loaded.config;
    let level = logging::init(&cfg.logging.file, &cfg.logging.level)?;
    tracing::info!(
        service = "run",
        version = VERSION,
        implementation = concat!("kapa-rs ", env!("CARGO_PKG_VERSION")),
        "kapacitor starting"
    );
    match &loaded.source {
        Some(p) => tracing::info!(service = "run", path = %p.display(), "loading config file"),
        None => tracing::info!(
            service = "run",
            "no configuration provided, using default settings"
        ),
    }
    if let Some(dir) = &loaded.relocated {
        tracing::info!(
            service = "run", dir = %dir.display(),
            "default directories are not writable; data, recordings and the database are stored under this directory"
        );
    }
    for key in &loaded.warnings {
        tracing::warn!(service = "run", key = %key, "unknown configuration key; it is kept but not used");
    }
    for (flag, value) in &opts.unsupported {
        tracing::warn!(service = "run", flag = %format!("-{flag}"), value = %value, "flag is not supported and is ignored");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("kapacitord")
        .build()
        .map_err(|e| ServerError::Io(format!("starting runtime: {e}")))?;
    let result = runtime.block_on(serve(
        cfg,
        opts.pidfile.clone(),
        level,
        opts.disable_handlers.clone(),
    ));
    if let Err(e) = &result {
        tracing::error!(service = "run", err = %e, "kapacitord failed");
    }
    result
}

/// Reads an id file, creating it with a new UUID on first start.
fn identity_file(path: &Path) -> Result<String, ServerError> {
    if let Ok(text) = std::fs::read_to_string(path) {
        let id = text.trim();
        if !id.is_empty() {
            return Ok(id.to_string());
        }
    }
    let id = uuid::Uuid::new_v4().to_string();
    std::fs::write(path, &id)
        .map_err(|e| ServerError::Io(format!("writing {}: {e}", path.display())))?;
    Ok(id)
}

fn create_dir(dir: &str, what: &str) -> Result<(), ServerError> {
    std::fs::create_dir_all(dir).map_err(|e| ServerError::Io(format!("creating {what} {dir}: {e}")))
}

/// Binds `[http] bind-address`; `:port` means every interface, IPv6 and IPv4.
async fn bind(addr: &str) -> Result<TcpListener, ServerError> {
    let fail = |e: std::io::Error| ServerError::Io(format!("listening on {addr}: {e}"));
    if let Some(port) = addr.strip_prefix(':') {
        if let Ok(l) = TcpListener::bind(format!("[::]:{port}")).await {
            return Ok(l);
        }
        return TcpListener::bind(format!("0.0.0.0:{port}"))
            .await
            .map_err(fail);
    }
    TcpListener::bind(addr).await.map_err(fail)
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        match (term, int) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn write_pidfile(path: &str) -> Result<(), ServerError> {
    let p = Path::new(path);
    if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| ServerError::Io(format!("pidfile {path}: {e}")))?;
    }
    let mut f =
        std::fs::File::create(p).map_err(|e| ServerError::Io(format!("pidfile {path}: {e}")))?;
    write!(f, "{}", std::process::id()).map_err(|e| ServerError::Io(format!("pidfile {path}: {e}")))
}

async fn serve(
    cfg: Config,
    pidfile: Option<String>,
    level: LevelHandle,
    disabled_handlers: Vec<String>,
) -> Result<(), ServerError> {
    create_dir(&cfg.data_dir, "data dir")?;
    create_dir(&cfg.replay.dir, "replay dir")?;
    let identity = Identity {
        cluster_id: identity_file(&Path::new(&cfg.data_dir).join("cluster.id"))?,
        server_id: identity_file(&Path::new(&cfg.data_dir).join("server.id"))?,
        hostname: cfg.hostname.clone(),
    };
    tracing::info!(service = "run", cluster_id = %identity.cluster_id, server_id = %identity.server_id, "server identity");

    kapa_pipeline::nodes::set_deadman_config(deadman_config(&cfg.raw));
    let endpoints = httppost_endpoints(&cfg.raw);
    kapa_models::httppost::set_endpoints(endpoints.clone());
    // One redb file holds the tasks and the alert event states; redb locks it, so it is
    // opened once and shared.
    let storage = Storage::open(&cfg.storage.boltdb)?;
    tracing::info!(service = "storage", path = %cfg.storage.boltdb, "opened task store");
    let state_store: Option<Arc<dyn kapa_alert::StateStore>> = cfg
        .alert
        .persist_topics
        .then(|| Arc::new(storage.topic_states()) as Arc<dyn kapa_alert::StateStore>);
    let alerts = alert_service(&cfg, endpoints, state_store, disabled_handlers)?;
    // Handlers of specs whose kind this build lacks are logged and kept in the store.
    alerts
        .restore_specs(Arc::new(storage.handler_specs()))
        .map_err(|e| ServerError::Io(format!("restoring topic handlers: {e}")))?;
    let store = storage.tasks();
    let engine = TaskMaster::new(EngineConfig {
        clock: Arc::new(SystemClock),
        alerts: alerts.clone(),
        server: ServerInfo {
            hostname: identity.hostname.clone(),
            cluster_id: identity.cluster_id.clone(),
            server_id: identity.server_id.clone(),
        },
        topic_prefix: "main".into(),
    });
    // [[influxdb]] clusters: batch queries and influxDBOut use them; InfluxDB need not be up.
    let clusters = Arc::new(crate::influx::clusters(&cfg.raw)?);
    let stats_cfg = crate::stats::StatsConfig::from_raw(&cfg.raw)?;
    engine.set_influxdb(clusters.clone());
    crate::influx::probe_in_background(clusters.clone());
    let tasks =
        Arc::new(TaskService::new(store, engine.clone()).with_templates(storage.templates()));
    let expiry = cfg
        .raw
        .get("task")
        .and_then(|t| t.get("group-idle-expiry"))
        .and_then(|v| v.as_str())
        .map(kapa_models::duration::parse_go)
        .transpose()
        .map_err(|e| ServerError::Io(format!("[task] group-idle-expiry: {e}")))?
        .unwrap_or(0);
    if expiry > 0 {
        tracing::info!(service = "task_master", expiry = %kapa_models::duration::format_go(expiry), "idle groups expire");
    }
    engine.set_group_idle_expiry(expiry);
    // Barrier, stats and deadman nodes act on the wall clock.
    engine.start_ticker(std::time::Duration::from_millis(100));
    {
        let tasks = tasks.clone();
        tokio::task::spawn_blocking(move || tasks.start_enabled())
            .await
            .map_err(|e| ServerError::Io(format!("starting tasks: {e}")))?
            .map_err(|e| ServerError::Io(e.message))?;
    }
    let loaded_tasks = crate::load::LoadedTasks::default();
    if cfg.load.enabled {
        let loader = crate::load::Loader::new(
            &cfg.load.dir,
            tasks.clone(),
            alerts.clone(),
            storage.load_items(),
            loaded_tasks.clone(),
        );
        let first = loader.clone();
        tokio::task::spawn_blocking(move || first.load())
            .await
            .map_err(|e| ServerError::Io(format!("loading {}: {e}", cfg.load.dir)))?;
        tokio::spawn(crate::load::reload_on_sighup(loader));
    }

    let listener = bind(&cfg.http.bind_address).await?;
    let addr: SocketAddr = listener
        .local_addr()
        .map_err(|e| ServerError::Io(e.to_string()))?;
    tracing::info!(service = "http", addr = %addr, protocol = "http", "listening on");

    if let Some(p) = &pidfile {
        write_pidfile(p)?;
    }

    let recordings = Arc::new(crate::recording::RecordingService::new(
        storage.recordings(),
        &cfg.replay.dir,
        engine.clone(),
        tasks.clone(),
    ));
    recordings.fail_interrupted();
    recordings.adopt_files();
    let replays = Arc::new(crate::replay::ReplayService::new(
        storage.replays(),
        recordings.clone(),
        tasks.clone(),
        alerts.clone(),
        ServerInfo {
            hostname: identity.hostname.clone(),
            cluster_id: identity.cluster_id.clone(),
            server_id: identity.server_id.clone(),
        },
    ));
    replays.fail_interrupted();
    let state = Arc::new(AppState {
        tasks: tasks.clone(),
        engine,
        alerts: alerts.clone(),
        ingress: IngressStats::default(),
        identity,
        default_rp: cfg.default_retention_policy.clone(),
        log_level: level,
        loaded_tasks,
        recordings,
        replays,
    });
    // Points from UDP listeners take the same path as a /write body.
    let ingest: crate::udp::Ingest = {
        let app = state.clone();
        Arc::new(move |db: &str, rp: &str, points: &[kapa_models::Point]| {
            app.engine.write_points(db, rp, points);
            app.ingress.record(db, rp, points);
        })
    };
    let mut udp_inputs = Vec::new();
    for u in crate::udp::configs(&cfg.raw)? {
        if u.enabled {
            udp_inputs.push(crate::udp::UdpListener::start(
                &u.bind_address,
                &u.database,
                &u.retention_policy,
                &u.precision,
                ingest.clone(),
            )?);
        }
    }
    let subscriptions = crate::subscriptions::Subscriptions::start(
        &clusters,
        crate::subscriptions::Identity {
            hostname: state.identity.hostname.clone(),
            cluster_id: state.identity.cluster_id.clone(),
            server_id: state.identity.server_id.clone(),
            http_port: addr.port(),
        },
        ingest,
    );
    let scheduler =
        crate::batch_scheduler::BatchScheduler::start(state.engine.clone(), clusters.clone());
    let stats = crate::stats::StatsService::start(stats_cfg, state.clone(), clusters.clone());
    let app = tower::ServiceBuilder::new()
        .map_request(http::rewrite_preview)
        .service(http::router(state));
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            axum::ServiceExt::<axum::extract::Request>::into_make_service(app),
        )
        .with_graceful_shutdown(async {
            let _ = stop_rx.await;
        })
        .await
    });
    tracing::info!(service = "run", "listening for signals");
    tokio::spawn(http::sideload::reload_on_sighup());

    shutdown_signal().await;
    tracing::info!(
        service = "run",
        "signal received, initializing clean shutdown..."
    );
    let _ = stop_tx.send(());
    let grace = Duration::from_nanos(u64::try_from(cfg.http.shutdown_timeout).unwrap_or(0).max(1));
    match tokio::time::timeout(grace, server).await {
        Ok(Ok(Err(e))) => tracing::error!(service = "http", err = %e, "http server failed"),
        Err(_) => tracing::warn!(
            service = "http",
            "open requests did not finish before the shutdown timeout"
        ),
        _ => {}
    }
    tokio::task::spawn_blocking(move || {
        scheduler.stop();
        subscriptions.stop();
        drop(udp_inputs);
        if let Some(s) = stats {
            s.stop();
        }
    })
    .await
    .map_err(|e| ServerError::Io(format!("stopping the batch scheduler: {e}")))?;
    tokio::task::spawn_blocking(move || tasks.stop_all())
        .await
        .map_err(|e| ServerError::Io(format!("stopping tasks: {e}")))?;
    // Queued alert events get the same grace as open requests.
    let (drained, stored) =
        tokio::task::spawn_blocking(move || (alerts.wait_idle(grace), alerts.flush_states(grace)))
            .await
            .unwrap_or((false, false));
    if !drained {
        tracing::warn!(
            service = "alert",
            "alert handlers did not deliver every queued event before the shutdown timeout"
        );
    }
    if !stored {
        tracing::warn!(
            service = "alert",
            "alert event states were not all stored before the shutdown timeout"
        );
    }
    if let Some(p) = &pidfile {
        let _ = std::fs::remove_file(p);
    }
    tracing::info!(service = "run", "server shutdown completed");
    Ok(())
}

/// The alert service: handler queues sized by `[alert] topic-buffer-length`, and the
/// `[[httppost]]` endpoints (checked as Kapacitor does: a bad section stops startup).
fn alert_service(
    cfg: &Config,
    endpoints: Vec<kapa_models::httppost::HttpPostEndpoint>,
    state_store: Option<Arc<dyn kapa_alert::StateStore>>,
    disabled_handlers: Vec<String>,
) -> Result<Arc<kapa_alert::AlertService>, ServerError> {
    let mut delivery = kapa_alert::DeliveryConfig::default();
    if let Ok(n) = usize::try_from(cfg.alert.topic_buffer_length)
        && n > 0
    {
        delivery.queue_capacity = n;
    }
    let service_cfg = kapa_alert::ServiceConfig {
        delivery,
        httppost: endpoints,
        services: crate::handler_config::handler_services(&cfg.raw)
            .with_disabled(disabled_handlers),
    };
    kapa_alert::validate_services(&service_cfg.services).map_err(ServerError::Config)?;
    match state_store {
        Some(store) => kapa_alert::AlertService::with_store(service_cfg, store),
        None => kapa_alert::AlertService::with_config(service_cfg),
    }
    .map_err(|e| ServerError::Config(e.to_string()))
}

/// The `[[httppost]]` elements.
fn httppost_endpoints(raw: &toml::Table) -> Vec<kapa_models::httppost::HttpPostEndpoint> {
    let Some(list) = raw.get("httppost").and_then(|v| v.as_array()) else {
        return Vec::new();
    };
    let text = |t: &toml::Table, k: &str| {
        t.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or_default()
            .to_string()
    };
    list.iter()
        .filter_map(|v| v.as_table())
        .map(|t| kapa_models::httppost::HttpPostEndpoint {
            endpoint: text(t, "endpoint"),
            url: text(t, "url"),
            headers: t
                .get("headers")
                .and_then(|h| h.as_table())
                .map(|h| {
                    h.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default(),
            basic_auth: t
                .get("basic-auth")
                .and_then(|b| b.as_table())
                .map(|b| (text(b, "username"), text(b, "password"))),
            alert_template: text(t, "alert-template"),
            alert_template_file: text(t, "alert-template-file"),
            row_template: text(t, "row-template"),
            row_template_file: text(t, "row-template-file"),
        })
        .collect()
}

/// The `[deadman]` section, over Kapacitor's defaults.
fn deadman_config(raw: &toml::Table) -> kapa_pipeline::nodes::DeadmanConfig {
    let mut c = kapa_pipeline::nodes::DeadmanConfig::default();
    let Some(t) = raw.get("deadman").and_then(|v| v.as_table()) else {
        return c;
    };
    if let Some(v) = t
        .get("threshold")
        .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
    {
        c.threshold = v;
    }
    if let Some(v) = t
        .get("interval")
        .and_then(|v| v.as_str())
        .and_then(|s| kapa_models::duration::parse_go(s).ok())
    {
        c.interval = v;
    }
    if let Some(v) = t.get("id").and_then(|v| v.as_str()) {
        c.id = v.to_string();
    }
    if let Some(v) = t.get("message").and_then(|v| v.as_str()) {
        c.message = v.to_string();
    }
    if let Some(v) = t.get("global").and_then(|v| v.as_bool()) {
        c.global = v;
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_command_prints_defaults_or_merged() {
        let text = print_config(None, None).unwrap();
        assert!(text.starts_with("# kapacitord configuration"));
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("k.conf");
        std::fs::write(&f, "[http]\nbind-address = \":1234\"\n").unwrap();
        let merged: toml::Table = print_config(Some(f.to_str().unwrap()), Some("h9"))
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(merged["http"]["bind-address"].as_str(), Some(":1234"));
        assert_eq!(merged["http"]["log-enabled"].as_bool(), Some(true));
        assert_eq!(merged["hostname"].as_str(), Some("h9"));
    }

    #[test]
    fn alert_service_from_config() {
        let mut base = config::defaults_table().unwrap();
        let mut w = Vec::new();
        let user = "[alert]\ntopic-buffer-length = 7\n[[httppost]]\nendpoint = \"e\"\nurl = \"\"\n";
        config::merge(&mut base, user.parse().unwrap(), &mut w);
        let cfg = Config::from_table(base).unwrap();
        let err = alert_service(&cfg, httppost_endpoints(&cfg.raw), None, Vec::new()).unwrap_err();
        assert_eq!(err.to_string(), "httppost: must specify url");
        let ok = alert_service(&cfg, Vec::new(), None, Vec::new()).unwrap();
        assert!(ok.handler_stats().is_empty());
    }

    #[test]
    fn identity_files_are_stable() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("cluster.id");
        let a = identity_file(&p).unwrap();
        assert_eq!(a.len(), 36);
        assert_eq!(identity_file(&p).unwrap(), a);
    }
}
