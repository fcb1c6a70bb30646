//! What stands before every API request: Bearer keys, unit budgets, rate limits and the
//! response cache.
//!
//! - Keys are required when any active key exists or the server listens off loopback
//!   (it refuses to start off loopback without one). Missing or unknown key: 401.
//! - A key whose unit budget is spent: 403. Over its requests-per-minute: 429 with
//!   `Retry-After` (seconds).
//! - Identical requests within one generation are answered from memory: `x-api-cache: hit`,
//!   and they cost 0 units. A new generation empties the cache; a request with
//!   `Cache-Control: no-cache` is answered afresh.
//! - Units charged are those of `x-api-units-cost-total-actual`; usage is saved to the keys
//!   file every few seconds and at shutdown.

use crate::error::ApiError;
use crate::keys::KeyStore;
use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::{HashMap, VecDeque};
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Responses larger than this are not cached.
const CACHE_MAX_BODY: usize = 8 << 20;
const CACHE_MAX_BYTES: usize = 256 << 20;

#[derive(Clone)]
struct Cached {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Default)]
struct ResponseCache {
    generation: String,
    entries: HashMap<String, Cached>,
    order: VecDeque<String>,
    bytes: usize,
}

impl ResponseCache {
    fn get(&mut self, generation: &str, key: &str) -> Option<Cached> {
        if self.generation != generation {
            *self = ResponseCache {
                generation: generation.to_string(),
                ..Default::default()
            };
        }
        self.entries.get(key).cloned()
    }

    fn put(&mut self, key: String, value: Cached) {
        self.bytes += value.body.len();
        self.order.push_back(key.clone());
        self.entries.insert(key, value);
        while self.bytes > CACHE_MAX_BYTES {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some(v) = self.entries.remove(&old) {
                self.bytes -= v.body.len();
            }
        }
    }
}

pub struct Access {
    data_dir: PathBuf,
    store: Mutex<KeyStore>,
    require_keys: bool,
    limiters: Mutex<HashMap<String, Arc<DefaultDirectRateLimiter>>>,
    cache: Mutex<ResponseCache>,
}

impl Access {
    pub fn new(data_dir: PathBuf, store: KeyStore, require_keys: bool) -> Self {
        Access {
            data_dir,
            store: Mutex::new(store),
            require_keys,
            limiters: Mutex::new(HashMap::new()),
            cache: Mutex::new(ResponseCache::default()),
        }
    }

    pub fn requires_keys(&self) -> bool {
        self.require_keys
    }

    /// Saves units used when they changed.
    /// Brings the served keys and `keys.json` together (called every few seconds and at
    /// shutdown): keys created, revoked or changed by `anchorage keys` while the server runs
    /// take effect, and the units spent here are written back — neither side's change is lost.
    pub fn flush(&self) {
        let on_disk = match KeyStore::load(&self.data_dir) {
            Ok(store) => store,
            Err(e) => {
                tracing::error!(error = %e, "cannot read the key store");
                return;
            }
        };
        let mut merged = on_disk.clone();
        {
            let Ok(mut served) = self.store.lock() else {
                return;
            };
            for key in &mut merged.keys {
                if let Some(ours) = served.keys.iter().find(|k| k.id == key.id) {
                    key.units_used = key.units_used.max(ours.units_used);
                }
            }
            *served = merged.clone();
        }
        if merged != on_disk
            && let Err(e) = merged.save(&self.data_dir)
        {
            tracing::error!(error = %e, "cannot save key usage");
        }
    }

    /// Checks the request's Bearer key; returns the key's id (None when keys are not required).
    fn authorize(&self, headers: &HeaderMap) -> Result<Option<String>, ApiError> {
        if !self.require_keys {
            return Ok(None);
        }
        let secret = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .ok_or_else(|| unauthorized("missing API key: send Authorization: Bearer <key>"))?;
        self.authorize_secret(secret)
    }

    /// Checks a key secret however the protocol carried it (Bearer token, Basic password):
    /// known and active, budget left, within its rate. Returns the key's id, or None when
    /// keys are not required.
    pub fn authorize_secret(&self, secret: &str) -> Result<Option<String>, ApiError> {
        if !self.require_keys {
            return Ok(None);
        }
        let store = self
            .store
            .lock()
            .map_err(|_| ApiError::internal("key store unavailable"))?;
        let key = store
            .find(secret)
            .ok_or_else(|| unauthorized("invalid or revoked API key"))?;
        if key.budget_left() == Some(0) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                format!(
                    "the unit budget of key {} is spent ({} units)",
                    key.id, key.units_used
                ),
            ));
        }
        let limiter = self.limiter(&key.id, key.rate_per_minute);
        drop(store);
        if let Err(not_until) = limiter.check() {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(
                &governor::clock::DefaultClock::default(),
            ));
            let secs = wait.as_secs().max(1);
            return Err(ApiError {
                retry_after: Some(secs),
                ..ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    format!("rate limit exceeded: retry in {secs} s"),
                )
            });
        }
        let id = self
            .store
            .lock()
            .ok()
            .and_then(|s| s.find(secret).map(|k| k.id.clone()));
        Ok(id)
    }

    fn limiter(&self, id: &str, per_minute: u32) -> Arc<DefaultDirectRateLimiter> {
        let mut limiters = self.limiters.lock().unwrap_or_else(|e| e.into_inner());
        limiters
            .entry(id.to_string())
            .or_insert_with(|| {
                let rate = NonZeroU32::new(per_minute.max(1)).unwrap_or(NonZeroU32::MIN);
                Arc::new(RateLimiter::direct(Quota::per_minute(rate)))
            })
            .clone()
    }

    /// Adds `units` to the usage of key `id`.
    pub fn charge(&self, id: &str, units: u64) {
        if let Ok(mut store) = self.store.lock()
            && let Some(key) = store.keys.iter_mut().find(|k| k.id == id)
        {
            key.units_used = key.units_used.saturating_add(units);
        }
    }
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, message)
}

/// The generation currently served (cache entries belong to it).
fn current_generation(access: &Access) -> String {
    std::fs::read_to_string(access.data_dir.join("CURRENT"))
        .map(|s| s.trim().to_string())
        .unwrap_or_default()
}

/// A middleware that only checks the key (for endpoints that charge units elsewhere, such as
/// MCP, whose tool calls go through [`guard`]).
pub async fn authenticate(
    State(access): State<Arc<Access>>,
    request: Request,
    next: Next,
) -> Response {
    match access.authorize(request.headers()) {
        Ok(_) => next.run(request).await,
        Err(e) => e.into_response(),
    }
}

fn wants_fresh(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::CACHE_CONTROL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|d| matches!(d.trim(), "no-cache" | "no-store"))
}

/// The middleware of the Ahrefs v3 routes.
pub async fn guard(State(access): State<Arc<Access>>, request: Request, next: Next) -> Response {
    let key_id = match access.authorize(request.headers()) {
        Ok(id) => id,
        Err(e) => return e.into_response(),
    };
    serve_cached(&access, key_id, request, next).await
}

/// What follows a protocol's key check: the answer from the cache (0 units) or from `next`,
/// its units (`x-api-units-cost-total-actual`) charged to `key_id`, and a successful whole
/// answer kept for the next identical request of this generation.
pub async fn serve_cached(
    access: &Access,
    key_id: Option<String>,
    request: Request,
    next: Next,
) -> Response {
    let cache_key = request.uri().to_string();
    let generation = current_generation(access);
    // `Cache-Control: no-cache` asks for a fresh answer (HTTP's meaning; benchmarks use it).
    let cached = (!wants_fresh(request.headers()))
        .then(|| access.cache.lock().ok())
        .flatten()
        .and_then(|mut c| c.get(&generation, &cache_key));
    if let Some(hit) = cached {
        let mut response = (hit.status, hit.body).into_response();
        *response.headers_mut() = hit.headers;
        let h = response.headers_mut();
        h.insert("x-api-cache", HeaderValue::from_static("hit"));
        h.insert("x-api-units-cost-total-actual", HeaderValue::from(0));
        return response;
    }
    let response = next.run(request).await;
    let units = response
        .headers()
        .get("x-api-units-cost-total-actual")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    if let Some(id) = &key_id {
        access.charge(id, units);
    }
    // Handlers answer whole bodies, whose exact size is known before they are read.
    let small = axum::body::HttpBody::size_hint(response.body())
        .exact()
        .is_some_and(|n| n <= CACHE_MAX_BODY as u64);
    if response.status() != StatusCode::OK || !small {
        return response;
    }
    let (parts, body) = response.into_parts();
    match to_bytes(body, CACHE_MAX_BODY).await {
        Ok(bytes) => {
            if let Ok(mut cache) = access.cache.lock() {
                cache.put(
                    cache_key,
                    Cached {
                        status: parts.status,
                        headers: parts.headers.clone(),
                        body: bytes.clone(),
                    },
                );
            }
            Response::from_parts(parts, Body::from(bytes))
        }
        Err(_) => ApiError::internal("the response could not be buffered").into_response(),
    }
}
