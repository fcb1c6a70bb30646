//! DataForSEO Backlinks API v3 (`/v3/backlinks/*`): HTTP Basic auth against the same keys
//! as the Ahrefs API, a JSON array of tasks in, DataForSEO's envelope out. Each function
//! parses its task into the query layer's values and renders the rows as DataForSEO items;
//! no query logic lives here.

pub mod aggregates;
pub mod backlinks;
pub mod bulk;
pub mod envelope;
pub mod fields;
pub mod filters;
pub mod intersections;
pub mod lookups;
pub mod ranks;
pub mod task;
pub mod tasklog;
pub mod token;

use crate::access::Access;
use crate::error::ApiError;
use crate::state::AppState;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use envelope::{DfsError, Envelope, TaskOut};
use ranks::SeriesKind;
use serde_json::{Map, Value, json};
use std::sync::Arc;
use std::time::Instant;
use task::Task;

/// The `POST …/live` functions Anchorage serves.
pub const LIVE_FUNCTIONS: &[&str] = &[
    "backlinks",
    "summary",
    "anchors",
    "referring_domains",
    "referring_networks",
    "domain_pages",
    "domain_pages_summary",
    "bulk_ranks",
    "bulk_backlinks",
    "bulk_referring_domains",
    "bulk_new_lost_backlinks",
    "bulk_new_lost_referring_domains",
    "bulk_pages_summary",
    "bulk_spam_score",
    "history",
    "timeseries_summary",
    "timeseries_new_lost_summary",
    "competitors",
    "domain_intersection",
    "page_intersection",
];

/// The `GET` functions Anchorage serves.
pub const GET_FUNCTIONS: &[&str] = &["available_filters", "index"];

/// The `POST` functions about the tasks themselves (no `/live` segment).
pub const TASK_FUNCTIONS: &[&str] = &["id_list", "errors"];

/// Units charged per request, read by [`guard`] (as the Ahrefs side reads its own header).
const UNITS_HEADER: &str = "x-api-units-cost-total-actual";

pub fn routes(access: Arc<Access>) -> Router<AppState> {
    Router::new()
        .route(
            "/v3/backlinks/{function}/live",
            post(live).fallback(not_found),
        )
        .route(
            "/v3/backlinks/available_filters",
            get(available_filters).fallback(not_found),
        )
        .route("/v3/backlinks/index", get(index).fallback(not_found))
        .route("/v3/backlinks/id_list", post(id_list).fallback(not_found))
        .route("/v3/backlinks/errors", post(errors).fallback(not_found))
        .layer(middleware::from_fn_with_state(access, guard))
}

/// Paths of this protocol (the application's fallback answers them with [`not_found`]).
pub fn owns(path: &str) -> bool {
    path == "/v3/backlinks" || path.starts_with("/v3/backlinks/")
}

/// HTTP 404 with the envelope's 40400.
pub async fn not_found() -> Response {
    Envelope::refused(DfsError::NotFound, None, Instant::now()).into_response()
}

/// Basic auth: the password (or, without one, the login) must be an active key when the
/// server requires keys; on a loopback server without keys anything is accepted, as on the
/// Ahrefs side.
async fn guard(State(access): State<Arc<Access>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let key_id = if access.requires_keys() {
        let Some(secret) = basic_secret(request.headers()) else {
            return Envelope::refused(DfsError::NotAuthorized, None, started).into_response();
        };
        match access.authorize_secret(&secret) {
            Ok(id) => id,
            Err(e) => return Envelope::refused(access_error(e), None, started).into_response(),
        }
    } else {
        None
    };
    let response = next.run(request).await;
    if let Some(id) = key_id {
        let units = response
            .headers()
            .get(UNITS_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .unwrap_or(1);
        access.charge(&id, units);
    }
    response
}

/// The key secret of `Authorization: Basic base64(login:password)`.
fn basic_secret(headers: &axum::http::HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (login, password) = text.split_once(':').unwrap_or((&text, ""));
    let secret = if password.is_empty() { login } else { password };
    (!secret.is_empty()).then(|| secret.to_string())
}

/// The key store's refusals in DataForSEO's codes.
fn access_error(e: ApiError) -> DfsError {
    match e.status {
        StatusCode::UNAUTHORIZED => DfsError::NotAuthorized,
        StatusCode::FORBIDDEN => DfsError::PaymentRequired(e.message),
        StatusCode::TOO_MANY_REQUESTS => DfsError::RateLimited(e.message),
        _ => DfsError::Internal(e.message),
    }
}

/// `POST /v3/backlinks/<function>/live`.
async fn live(
    State(state): State<AppState>,
    Path(function): Path<String>,
    body: Bytes,
) -> Response {
    let started = Instant::now();
    if !LIVE_FUNCTIONS.contains(&function.as_str()) {
        return Envelope::refused(DfsError::NotFound, None, started).into_response();
    }
    let fields = match one_task(&body) {
        Ok(fields) => fields,
        Err(e) => return Envelope::refused(e, Some(&function), started).into_response(),
    };
    let posted = anchorage_core::time::now();
    let task = Task::new(fields);
    let outcome = run(&state, &function, &task).await;
    let units = match &outcome {
        Ok(result) => result
            .get("items_count")
            .and_then(Value::as_u64)
            .unwrap_or(1)
            .max(1),
        Err(_) => 0,
    };
    let task_out = TaskOut::new(&function, task.echo(), outcome, started);
    state.dataforseo_tasks.record(&function, posted, &task_out);
    let mut response = Envelope::ok(vec![task_out], started).into_response();
    response
        .headers_mut()
        .insert(UNITS_HEADER, HeaderValue::from(units));
    response
}

/// The one task of a live request, or why the body is not one.
fn one_task(body: &[u8]) -> Result<Map<String, Value>, DfsError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(DfsError::EmptyPost);
    }
    let json: Value = serde_json::from_slice(body)
        .map_err(|e| DfsError::InvalidPost(format!("invalid JSON: {e}")))?;
    let Value::Array(mut tasks) = json else {
        return Err(DfsError::InvalidPost(
            "the body must be a JSON array of tasks".into(),
        ));
    };
    match tasks.len() {
        0 => Err(DfsError::EmptyPost),
        1 => match tasks.remove(0) {
            Value::Object(fields) => Ok(fields),
            other => Err(DfsError::InvalidPost(format!(
                "a task is a JSON object, got {other}"
            ))),
        },
        _ => Err(DfsError::OneTaskAtATime),
    }
}

/// Parses the task (before touching the index, so bad input never waits for it) and runs it.
async fn run(state: &AppState, function: &str, task: &Task) -> Result<Value, DfsError> {
    match function {
        "backlinks" => {
            let request = backlinks::parse(task)?;
            let engine = state.engine().await?;
            let generation = engine.generation.manifest.generation.clone();
            backlinks::run(&engine, state.geoip.as_deref(), request, &generation).await
        }
        "summary" => {
            let request = aggregates::parse_summary(task)?;
            aggregates::run_summary(&*state.engine().await?, state.geoip.as_deref(), request).await
        }
        "bulk_ranks" => {
            let request = ranks::parse_bulk_ranks(task)?;
            ranks::run_bulk_ranks(&*state.engine().await?, request).await
        }
        "bulk_backlinks" | "bulk_referring_domains" => {
            let targets = bulk::parse(task)?;
            bulk::run(&*state.engine().await?, function, targets).await
        }
        "bulk_spam_score" => {
            let targets = bulk::parse(task)?;
            bulk::run_spam_scores(&*state.engine().await?, targets).await
        }
        "bulk_pages_summary" => {
            let request = bulk::parse_pages_summary(task)?;
            let engine = state.engine().await?;
            bulk::run_pages_summary(&engine, state.geoip.as_deref(), request).await
        }
        "bulk_new_lost_backlinks" | "bulk_new_lost_referring_domains" => {
            let engine = state.engine().await?;
            let request = bulk::parse_new_lost(task, engine.horizon())?;
            bulk::run_new_lost(&engine, function, request).await
        }
        "competitors" => {
            let request = intersections::parse_competitors(task)?;
            intersections::run_competitors(&*state.engine().await?, request).await
        }
        "domain_intersection" | "page_intersection" => {
            let kind = if function == "domain_intersection" {
                intersections::Kind::Domains
            } else {
                intersections::Kind::Pages
            };
            let request = intersections::parse_intersection(task, kind)?;
            intersections::run_intersection(
                &*state.engine().await?,
                state.geoip.as_deref(),
                request,
            )
            .await
        }
        "history" | "timeseries_summary" | "timeseries_new_lost_summary" => {
            let engine = state.engine().await?;
            let kind = match function {
                "history" => SeriesKind::History,
                "timeseries_summary" => SeriesKind::Summary,
                _ => SeriesKind::NewLost,
            };
            let series = ranks::parse_series(task, kind, engine.horizon())?;
            ranks::run_series(&engine, series, kind).await
        }
        _ => {
            let agg = aggregates::aggregate(function, task)?;
            let request = aggregates::parse(task, &agg)?;
            aggregates::run(
                &*state.engine().await?,
                state.geoip.as_deref(),
                &agg,
                request,
            )
            .await
        }
    }
}

/// `POST /v3/backlinks/id_list`: the tasks answered in a time range.
async fn id_list(State(state): State<AppState>, body: Bytes) -> Response {
    task_listing(&state, "id_list", &body, |log, task| log.id_list(task))
}

/// `POST /v3/backlinks/errors`: the tasks that failed, newest first.
async fn errors(State(state): State<AppState>, body: Bytes) -> Response {
    task_listing(&state, "errors", &body, |log, task| log.errors(task))
}

/// A function answering from the task log, one result per listed task.
fn task_listing(
    state: &AppState,
    function: &str,
    body: &[u8],
    list: impl Fn(&tasklog::TaskLog, &Task) -> Result<Vec<Value>, DfsError>,
) -> Response {
    let started = Instant::now();
    let fields = match one_task(body) {
        Ok(fields) => fields,
        Err(e) => return Envelope::refused(e, Some(function), started).into_response(),
    };
    let task = Task::new(fields);
    let outcome = list(&state.dataforseo_tasks, &task);
    let task_out = TaskOut::listing(function, task.echo(), outcome, started);
    Envelope::ok(vec![task_out], started).into_response()
}

/// `GET /v3/backlinks/available_filters`: the fields each function's `filters` accept.
async fn available_filters() -> Response {
    let started = Instant::now();
    let mut result = Map::new();
    result.insert(
        "backlinks".into(),
        Value::Object(backlinks::available_filters()),
    );
    for function in [
        "anchors",
        "referring_domains",
        "referring_networks",
        "domain_pages",
        "domain_pages_summary",
    ] {
        let fields = aggregate_filters(function);
        result.insert(function.into(), Value::Object(fields));
    }
    let task = TaskOut::new(
        "available_filters",
        Map::new(),
        Ok(Value::Object(result)),
        started,
    );
    Envelope::ok(vec![task], started).into_response()
}

/// The item fields an aggregate function's `filters` accept, with DataForSEO types.
fn aggregate_filters(function: &str) -> Map<String, Value> {
    let empty = Task::new(Map::new());
    let Ok(agg) = aggregates::aggregate(function, &empty) else {
        return Map::new();
    };
    let mut out = Map::new();
    out.insert(agg.key_name.into(), Value::from("str"));
    let prefix = if agg.key_name == "page" {
        "page_summary."
    } else {
        ""
    };
    for c in agg.report.columns {
        out.insert(
            format!("{prefix}{}", c.name),
            Value::from(fields::type_name(c.ty)),
        );
    }
    out
}

/// `GET /v3/backlinks/index`: how many links and pages the current generation holds.
async fn index(State(state): State<AppState>) -> Response {
    let started = Instant::now();
    let outcome = match state.engine().await {
        Ok(engine) => {
            let tables = &engine.generation.manifest.tables;
            let rows = |file: &str| tables.get(file).copied();
            Ok(json!({
                "total_backlinks": rows(anchorage_index::snapshot::BACKLINKS),
                "total_pages": rows(anchorage_index::snapshot::PAGES),
                "index_history": null,
            }))
        }
        Err(e) => Err(DfsError::from(e)),
    };
    let task = TaskOut::new("index", Map::new(), outcome, started);
    Envelope::ok(vec![task], started).into_response()
}
