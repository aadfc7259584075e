//! `POST /kapacitor/v1/sideload/reload` and SIGHUP: every sideload source in use reads its
//! files (or HTTP document) again.

use axum::http::StatusCode;

use super::ApiError;

/// 204 once every source reloaded; 500 with the first failure otherwise.
pub async fn reload() -> Result<StatusCode, ApiError> {
    reload_blocking().await.map_err(ApiError::internal)?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reloads off the async workers: sources read files and may fetch over HTTP.
async fn reload_blocking() -> Result<(), String> {
    tokio::task::spawn_blocking(kapa_engine::reload_sideload_sources)
        .await
        .map_err(|e| e.to_string())?
}

/// Reloads the sources on every SIGHUP, for the life of the process.
pub async fn reload_on_sighup() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut hup) = signal(SignalKind::hangup()) else {
            tracing::warn!(service = "sideload", "cannot listen for SIGHUP");
            return;
        };
        while hup.recv().await.is_some() {
            tracing::info!(
                service = "sideload",
                "SIGHUP received, reloading sideload sources"
            );
            if let Err(e) = reload_blocking().await {
                tracing::error!(service = "sideload", err = %e, "failed to reload sideload sources");
            }
        }
    }
}
