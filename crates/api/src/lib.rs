//! Anchorage HTTP APIs. Each protocol module parses its requests into the query layer's
//! values and renders the rows in its own envelope: `ahrefs_v3` today; DataForSEO and
//! Ahrefs v2 follow the same pattern.

pub mod ahrefs_v3;
pub mod error;
pub mod params;
pub mod render;
pub mod state;

use anchorage_index::DataDir;
use axum::Router;
use error::ApiError;
use state::AppState;
use std::net::SocketAddr;
use tower_http::trace::TraceLayer;

/// The whole HTTP application.
pub fn app(dir: DataDir) -> Router {
    ahrefs_v3::routes()
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .layer(TraceLayer::new_for_http())
        .with_state(AppState::new(dir))
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "refusing to listen on {0}: off loopback the API requires keys, and key management (`anchorage keys`) is not available yet; listen on 127.0.0.1"
    )]
    PublicWithoutKeys(SocketAddr),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
}

/// Serves the API on `addr` until Ctrl-C or SIGTERM, then finishes the requests under way.
pub async fn serve(
    dir: DataDir,
    addr: SocketAddr,
    on_ready: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    if !addr.ip().is_loopback() {
        return Err(ServeError::PublicWithoutKeys(addr));
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let local = listener.local_addr()?;
    tracing::info!(%local, "listening");
    on_ready(local);
    axum::serve(listener, app(dir))
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
