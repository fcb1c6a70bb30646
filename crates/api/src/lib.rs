//! Anchorage HTTP APIs. Each protocol module parses its requests into the query layer's
//! values and renders the rows in its own envelope: `ahrefs_v3` (`/v3/site-explorer/*`),
//! `dataforseo` (`/v3/backlinks/*`) and `ahrefs_v2` (the root path, `/?token=&from=...`).

pub mod access;
pub mod ahrefs_v2;
pub mod ahrefs_v3;
pub mod dataforseo;
pub mod error;
pub mod explain;
pub mod geoip;
pub mod keys;
pub mod openapi;
pub mod output;
pub mod params;
pub mod render;
pub mod state;

use access::Access;
use anchorage_index::DataDir;
use axum::Router;
use axum::middleware;
use error::ApiError;
use keys::KeyStore;
use state::AppState;
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

/// The whole HTTP application, without keys (a local, loopback-only server).
pub fn app(dir: DataDir) -> Router {
    let access = Arc::new(Access::new(
        dir.root().to_path_buf(),
        KeyStore::default(),
        false,
    ));
    app_with_access(dir, access)
}

/// The whole HTTP application behind `access` (keys, budgets, rate limits, cache).
pub fn app_with_access(dir: DataDir, access: Arc<Access>) -> Router {
    app_with_state(AppState::new(dir), access)
}

/// The whole HTTP application over `state`; one state, so every protocol shares the engine
/// over the current generation.
pub fn app_with_state(state: AppState, access: Arc<Access>) -> Router {
    let site_explorer = ahrefs_v3::routes()
        .layer(middleware::from_fn_with_state(
            access.clone(),
            access::guard,
        ))
        .with_state(state.clone());
    let ahrefs_v2 = ahrefs_v2::routes(access.clone()).with_state(state.clone());
    let dataforseo = dataforseo::routes(access).with_state(state);
    Router::new()
        .route(
            "/openapi.json",
            axum::routing::get(|| async { axum::Json(openapi::document()) }),
        )
        .merge(site_explorer)
        .merge(ahrefs_v2)
        .merge(dataforseo)
        .fallback(not_found)
        .layer(CatchPanicLayer::custom(panicked))
        .layer(TraceLayer::new_for_http())
}

/// A request whose handling panicked (a bug) gets a 500 in Ahrefs' error shape, and the
/// server goes on serving.
fn panicked(payload: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let what = (payload.downcast_ref::<String>().map(String::as_str))
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or("unknown cause");
    tracing::error!(panic = what, "request handler panicked");
    ApiError::internal(format!(
        "internal error while answering this request: {what}"
    ))
    .into_response()
}

/// Unknown paths: in DataForSEO's envelope under `/v3/backlinks`, Ahrefs' error elsewhere.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    use axum::response::IntoResponse;
    if dataforseo::owns(uri.path()) {
        dataforseo::not_found().await
    } else {
        ApiError::not_found("no such endpoint").into_response()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(
        "refusing to listen on {0}: off loopback every request needs an API key, and there is none; create one with `anchorage keys create --data-dir ...`"
    )]
    PublicWithoutKeys(SocketAddr),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    #[error(transparent)]
    Keys(#[from] keys::KeyError),
    #[error("server: {0}")]
    Io(#[from] std::io::Error),
}

/// Serves the API on `addr` until Ctrl-C or SIGTERM, then finishes the requests under way.
/// Keys are required off loopback (the server refuses to start without one) and whenever
/// any key exists.
pub async fn serve(
    dir: DataDir,
    addr: SocketAddr,
    on_ready: impl FnOnce(SocketAddr, bool),
) -> Result<(), ServeError> {
    serve_with(AppState::new(dir), addr, on_ready, |app, _| app).await
}

/// [`serve`], with `extend` adding routes (such as MCP's) to the application; they share the
/// server's [`Access`] (keys, budgets, units).
pub async fn serve_with(
    state: AppState,
    addr: SocketAddr,
    on_ready: impl FnOnce(SocketAddr, bool),
    extend: impl FnOnce(Router, Arc<Access>) -> Router,
) -> Result<(), ServeError> {
    let dir = state.dir.clone();
    let store = KeyStore::load(dir.root())?;
    let has_keys = store.active().next().is_some();
    if !addr.ip().is_loopback() && !has_keys {
        return Err(ServeError::PublicWithoutKeys(addr));
    }
    let access = Arc::new(Access::new(dir.root().to_path_buf(), store, has_keys));
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let local = listener.local_addr()?;
    tracing::info!(%local, keys = has_keys, "listening");
    on_ready(local, has_keys);
    let flusher = {
        let access = access.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(std::time::Duration::from_secs(5)).await;
                access.flush();
            }
        })
    };
    let app = extend(app_with_state(state, access.clone()), access.clone());
    let result = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await;
    flusher.abort();
    access.flush();
    Ok(result?)
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
