//! Ahrefs API v3 Site Explorer (`/v3/site-explorer/*`): request parsing into the query layer's
//! values and rendering in Ahrefs' envelopes. No query logic lives here.

pub mod metrics;
pub mod reports;
pub mod where_json;

use crate::error::ApiError;
use crate::output::{self, Format, Payload};
use crate::params::Params;
use crate::render::{self, DateStyle};
use crate::state::AppState;
use anchorage_core::catalogue::{BacklinkReport, Column, FILTER, ORDER, SELECT, backlink_column};
use anchorage_core::reports::REPORTS;
use anchorage_core::target::{Protocol, Target, TargetMode};
use anchorage_core::time::parse_date;
use anchorage_query::{Aggregation, BacklinksQuery, Field, History, LINK_GROUP_COUNT, OrderBy};
use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::HeaderValue;
use axum::response::Response;
use axum::routing::get;
use std::collections::BTreeSet;

/// Largest `limit` one request may ask for.
pub const MAX_LIMIT: usize = 100_000;

pub fn routes() -> Router<AppState> {
    let mut router = Router::new()
        .route("/v3/site-explorer/all-backlinks", get(all_backlinks))
        .route("/v3/site-explorer/broken-backlinks", get(broken_backlinks))
        .route(
            "/v3/site-explorer/backlinks-stats",
            get(metrics::backlinks_stats),
        )
        .route(
            "/v3/site-explorer/outlinks-stats",
            get(metrics::outlinks_stats),
        )
        .route(
            "/v3/site-explorer/domain-rating",
            get(metrics::domain_rating),
        )
        .route(
            "/v3/site-explorer/domain-rating-history",
            get(metrics::domain_rating_history),
        )
        .route(
            "/v3/site-explorer/url-rating-history",
            get(metrics::url_rating_history),
        )
        .route(
            "/v3/site-explorer/refdomains-history",
            get(metrics::refdomains_history),
        )
        .route(
            "/v3/anchorage/explain-domain-rating",
            get(crate::explain::explain_domain_rating),
        );
    for report in REPORTS {
        let endpoint = report.endpoint;
        router = router.route(
            &format!("/v3/site-explorer/{endpoint}"),
            get(move |state: State<AppState>, raw: RawQuery| reports::handle(state, raw, endpoint)),
        );
    }
    for (endpoint, reason) in UNSERVED {
        router = router.route(
            &format!("/v3/site-explorer/{endpoint}"),
            get(move || async move {
                Err::<Response, _>(ApiError::bad_request(format!("{endpoint}: {reason}")))
            }),
        );
    }
    router
}

/// Endpoints of the official Site Explorer that need data a link index does not have.
pub const UNSERVED: &[(&str, &str)] = &[
    ("metrics", SEARCH_DATA),
    ("metrics-history", SEARCH_DATA),
    ("metrics-by-country", SEARCH_DATA),
    ("keywords-history", SEARCH_DATA),
    ("organic-keywords", SEARCH_DATA),
    ("organic-competitors", SEARCH_DATA),
    ("top-pages", SEARCH_DATA),
    ("pages-by-traffic", SEARCH_DATA),
    ("pages-history", SEARCH_DATA),
    ("paid-pages", "paid search data is not part of a link index"),
    ("total-search-volume-history", SEARCH_DATA),
    (
        "ai-responses-count",
        "AI assistant answers are not part of a link index",
    ),
    (
        "crawled-pages",
        "not served yet: use DataForSEO's domain_pages or the pages table of the snapshot",
    ),
];

const SEARCH_DATA: &str = "this report needs search-ranking data (keywords, positions, traffic) that a link index does not have";

async fn all_backlinks(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    backlinks(state, raw, BacklinkReport::AllBacklinks).await
}

async fn broken_backlinks(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    backlinks(state, raw, BacklinkReport::BrokenBacklinks).await
}

async fn backlinks(
    state: AppState,
    raw: Option<String>,
    report: BacklinkReport,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref());
    let query = parse_backlinks(&params, report)?;
    let format = common_output(&params)?;
    let timeout = request_timeout(&params)?;
    params.reject_unknown(report.name())?;
    let engine = state.engine().await?;
    let batches = with_timeout(timeout, engine.backlinks(&query)).await?;
    let columns: Vec<_> = query.select.iter().map(|c| (c.name, c.ty)).collect();
    let rows = render::rows(&batches, &columns, DateStyle::Iso);
    let names: Vec<&str> = query.select.iter().map(|c| c.name).collect();
    Ok(respond(
        format,
        "backlinks",
        &names,
        Payload::Rows(rows),
        row_cost(&query),
    ))
}

/// `output`, default json.
pub fn common_output(params: &Params) -> Result<Format, ApiError> {
    Ok(params
        .parsed("output", Format::parse)?
        .unwrap_or(Format::Json))
}

/// `target`, `mode` and `protocol`.
pub fn target_scope(params: &Params) -> Result<(Target, Protocol), ApiError> {
    let mode = params
        .parsed("mode", |v| v.parse::<TargetMode>())?
        .unwrap_or_default();
    let target = Target::parse(params.required("target")?, mode)
        .map_err(|e| ApiError::param("target", e))?;
    let protocol = params
        .parsed("protocol", |v| v.parse::<Protocol>())?
        .unwrap_or_default();
    Ok((target, protocol))
}

/// The request's `timeout`, in seconds: read with the other parameters, before the unknown
/// ones are refused.
pub fn request_timeout(params: &Params) -> Result<Option<usize>, ApiError> {
    params.count("timeout", 3600)
}

/// Runs `work` within `timeout` seconds ([`request_timeout`]) when the request gives one.
pub async fn with_timeout<T>(
    timeout: Option<usize>,
    work: impl std::future::Future<Output = Result<T, anchorage_query::QueryError>>,
) -> Result<T, ApiError> {
    match timeout {
        Some(secs) => {
            tokio::time::timeout(std::time::Duration::from_secs(secs.max(1) as u64), work)
                .await
                .map_err(|_| {
                    ApiError::param("timeout", format!("the query took longer than {secs} s"))
                })?
                .map_err(ApiError::from)
        }
        None => work.await.map_err(ApiError::from),
    }
}

/// The response in the requested format with Ahrefs' unit headers.
pub fn respond(
    format: Format,
    wrapper: &str,
    columns: &[&str],
    payload: Payload,
    row_cost: u64,
) -> Response {
    let rows = payload.rows();
    let mut response = output::render(format, wrapper, columns, payload);
    units_headers(&mut response, rows, row_cost);
    response
}

/// Parses the parameters of `all-backlinks` / `broken-backlinks`.
pub fn parse_backlinks(
    params: &Params,
    report: BacklinkReport,
) -> Result<BacklinksQuery, ApiError> {
    let mode = params
        .parsed("mode", |v| v.parse::<TargetMode>())?
        .unwrap_or_default();
    let target = Target::parse(params.required("target")?, mode)
        .map_err(|e| ApiError::param("target", e))?;
    let protocol = params
        .parsed("protocol", |v| v.parse::<Protocol>())?
        .unwrap_or_default();
    let aggregation = params
        .parsed("aggregation", |v| {
            Aggregation::parse(v)
                .ok_or_else(|| format!("'{v}' is not one of {}", Aggregation::NAMES.join(", ")))
        })?
        .unwrap_or_default();
    let history = match report {
        BacklinkReport::AllBacklinks => {
            params.parsed("history", parse_history)?.unwrap_or_default()
        }
        BacklinkReport::BrokenBacklinks => History::Live,
    };
    let select = parse_select(params.required("select")?, report, &aggregation)?;
    let filter = params
        .parsed("where", |v| {
            where_json::parse(v, &|name| resolve(name, report, FILTER).map(Field::from)).map(Some)
        })?
        .flatten();
    let order_by = params
        .parsed("order_by", |v| parse_order_by(v, report))?
        .unwrap_or_default();
    Ok(BacklinksQuery {
        report,
        target,
        protocol,
        select,
        filter,
        order_by,
        limit: params.count("limit", MAX_LIMIT)?.unwrap_or(1000),
        offset: params.count("offset", usize::MAX)?.unwrap_or(0),
        aggregation,
        history,
        include_internal: false,
        after: None,
        with_sort_keys: false,
    })
}

/// A column of `report` usable for `access`, or why not.
fn resolve(name: &str, report: BacklinkReport, access: u8) -> Result<&'static Column, String> {
    let column =
        backlink_column(name).ok_or_else(|| format!("unknown column for {}", report.name()))?;
    if report.access(column) & access == 0 {
        let what = match access {
            SELECT => "returned",
            FILTER => "filtered on",
            _ => "ordered by",
        };
        return Err(format!("this column cannot be {what} in {}", report.name()));
    }
    Ok(column)
}

fn parse_select(
    v: &str,
    report: BacklinkReport,
    aggregation: &Aggregation,
) -> Result<Vec<&'static Column>, ApiError> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for name in v.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let column = resolve(name, report, SELECT)
            .map_err(|e| ApiError::param("select", format!("'{name}': {e}")))?;
        if name == LINK_GROUP_COUNT && *aggregation == Aggregation::All {
            return Err(ApiError::param(
                "select",
                "'link_group_count' is not available with aggregation=all",
            ));
        }
        if seen.insert(name) {
            out.push(column);
        }
    }
    if out.is_empty() {
        return Err(ApiError::param("select", "name at least one column"));
    }
    Ok(out)
}

fn parse_order_by(v: &str, report: BacklinkReport) -> Result<Vec<OrderBy>, String> {
    v.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|part| {
            let (name, dir) = part.split_once(':').unwrap_or((part, "asc"));
            let descending = match dir {
                "asc" => false,
                "desc" => true,
                other => return Err(format!("'{other}' in '{part}' is not asc or desc")),
            };
            let column = resolve(name, report, ORDER).map_err(|e| format!("'{name}': {e}"))?;
            Ok(OrderBy::column(column, descending))
        })
        .collect()
}

pub fn parse_history(v: &str) -> Result<History, String> {
    match v {
        "live" => Ok(History::Live),
        "all_time" => Ok(History::AllTime),
        other => other
            .strip_prefix("since:")
            .and_then(parse_date)
            .map(History::Since)
            .ok_or_else(|| format!("'{other}' is not live, all_time or since:YYYY-MM-DD")),
    }
}

/// Units per row: the cost of every distinct column selected, filtered or sorted on.
pub fn row_cost(query: &BacklinksQuery) -> u64 {
    let mut names: BTreeSet<&str> = query.select.iter().map(|c| c.name).collect();
    names.extend(query.order_by.iter().map(|o| o.column.name));
    names.extend(filter_fields(query.filter.as_ref()));
    names
        .iter()
        .filter_map(|n| backlink_column(n))
        .map(|c| u64::from(c.cost))
        .sum()
}

/// The names of the fields a filter tests.
pub fn filter_fields(filter: Option<&anchorage_query::Filter>) -> Vec<&'static str> {
    let mut fields = Vec::new();
    if let Some(f) = filter {
        f.fields(&mut fields);
    }
    fields.into_iter().map(|f| f.name).collect()
}

/// Ahrefs' unit accounting headers: cost = max(50, per-row cost × rows).
pub fn units_headers(response: &mut Response, rows: usize, row_cost: u64) {
    let total = (row_cost * rows as u64).max(50);
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-api-rows", rows as u64),
        ("x-api-units-cost-row", row_cost),
        ("x-api-units-cost-total", total),
        ("x-api-units-cost-total-actual", total),
    ] {
        headers.insert(name, HeaderValue::from(value));
    }
    headers.insert("x-api-cache", HeaderValue::from_static("miss"));
}
