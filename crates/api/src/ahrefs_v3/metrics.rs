//! Site Explorer's single-object and history reports: backlinks-stats, outlinks-stats,
//! domain-rating, domain-rating-history, url-rating-history, refdomains-history.

use super::{common_output, request_timeout, respond, target_scope, with_timeout};
use crate::error::ApiError;
use crate::output::Payload;
use crate::params::Params;
use crate::render::float;
use crate::state::AppState;
use anchorage_core::domain::root_domain;
use anchorage_core::reports::object_report;
use anchorage_core::time::Micros;
use anchorage_query::stats::{Grouping, date_param, periods};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde_json::{Map, Value};

type Handler = Result<Response, ApiError>;

fn object(pairs: impl IntoIterator<Item = (&'static str, Value)>) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Units of one row of an object report, from the catalogue.
fn row_cost(endpoint: &str) -> u64 {
    object_report(endpoint).map_or(1, |r| r.row_cost())
}

pub async fn backlinks_stats(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Handler {
    let params = Params::parse(raw.as_deref());
    let (target, protocol) = target_scope(&params)?;
    let date = params
        .parsed("date", date_param)?
        .ok_or_else(|| ApiError::param("date", "this parameter is required"))?;
    let format = common_output(&params)?;
    let timeout = request_timeout(&params)?;
    params.reject_unknown("backlinks-stats")?;
    let engine = state.engine().await?;
    let counts = with_timeout(timeout, engine.backlinks_stats(&target, protocol, date)).await?;
    let metrics = object(counts.into_iter().map(|(k, v)| (k, Value::from(v))));
    Ok(respond(
        format,
        "metrics",
        &[],
        Payload::Object(metrics),
        row_cost("backlinks-stats"),
    ))
}

pub async fn outlinks_stats(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Handler {
    let params = Params::parse(raw.as_deref());
    let (target, protocol) = target_scope(&params)?;
    let format = common_output(&params)?;
    let timeout = request_timeout(&params)?;
    params.reject_unknown("outlinks-stats")?;
    let engine = state.engine().await?;
    let counts = with_timeout(timeout, engine.outlinks_stats(&target, protocol)).await?;
    let metrics = object(counts.into_iter().map(|(k, v)| (k, Value::from(v))));
    Ok(respond(
        format,
        "metrics",
        &[],
        Payload::Object(metrics),
        row_cost("outlinks-stats"),
    ))
}

/// The root domain a rating request is about.
fn rated_domain(params: &Params) -> Result<String, ApiError> {
    let target = anchorage_core::Target::parse(params.required("target")?, Default::default())
        .map_err(|e| ApiError::param("target", e))?;
    Ok(root_domain(target.host()).to_string())
}

pub async fn domain_rating(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Handler {
    let params = Params::parse(raw.as_deref());
    let domain = rated_domain(&params)?;
    let date = params
        .parsed("date", date_param)?
        .ok_or_else(|| ApiError::param("date", "this parameter is required"))?;
    let _ = params.get("protocol");
    let format = common_output(&params)?;
    let timeout = request_timeout(&params)?;
    params.reject_unknown("domain-rating")?;
    let engine = state.engine().await?;
    let (dr, rank) = with_timeout(timeout, engine.domain_rating(&domain, date)).await?;
    let body = object([
        ("domain_rating", float(dr)),
        ("ahrefs_rank", rank.map_or(Value::Null, Value::from)),
    ]);
    Ok(respond(
        format,
        "domain_rating",
        &[],
        Payload::Object(body),
        row_cost("domain-rating"),
    ))
}

/// `date_from` (required), `date_to` (default: today) and `history_grouping`.
fn series_periods(params: &Params) -> Result<Vec<(String, Micros)>, ApiError> {
    let from = params
        .parsed("date_from", date_param)?
        .ok_or_else(|| ApiError::param("date_from", "this parameter is required"))?;
    let to = params
        .parsed("date_to", date_param)?
        .unwrap_or_else(anchorage_core::time::now);
    if to < from {
        return Err(ApiError::param("date_to", "is before date_from"));
    }
    let grouping = params
        .parsed("history_grouping", |v| {
            Grouping::parse(v).ok_or_else(|| format!("'{v}' is not one of daily, weekly, monthly"))
        })?
        .unwrap_or_default();
    Ok(periods(from, to, grouping))
}

fn dated(rows: Vec<(String, Value)>, value_name: &'static str) -> Vec<Map<String, Value>> {
    rows.into_iter()
        .map(|(date, v)| object([("date", Value::String(date)), (value_name, v)]))
        .collect()
}

pub async fn domain_rating_history(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Handler {
    let params = Params::parse(raw.as_deref());
    let domain = rated_domain(&params)?;
    let periods = series_periods(&params)?;
    let format = common_output(&params)?;
    let timeout = request_timeout(&params)?;
    params.reject_unknown("domain-rating-history")?;
    let engine = state.engine().await?;
    let series = with_timeout(timeout, engine.rating_history("domain", &domain, &periods)).await?;
    let rows = dated(
        series.into_iter().map(|(d, r)| (d, float(r))).collect(),
        "domain_rating",
    );
    Ok(respond(
        format,
        "domain_ratings",
        &["date", "domain_rating"],
        Payload::Rows(rows),
        row_cost("domain-rating-history"),
    ))
}

pub async fn url_rating_history(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Handler {
    let params = Params::parse(raw.as_deref());
    let target = anchorage_core::Target::parse(params.required("target")?, Default::default())
        .map_err(|e| ApiError::param("target", e))?;
    let periods = series_periods(&params)?;
    let format = common_output(&params)?;
    let timeout = request_timeout(&params)?;
    params.reject_unknown("url-rating-history")?;
    let engine = state.engine().await?;
    let key = target.url.plain().to_string();
    let series = with_timeout(timeout, engine.rating_history("page", &key, &periods)).await?;
    let rows = dated(
        series.into_iter().map(|(d, r)| (d, float(r))).collect(),
        "url_rating",
    );
    Ok(respond(
        format,
        "url_ratings",
        &["date", "url_rating"],
        Payload::Rows(rows),
        row_cost("url-rating-history"),
    ))
}

pub async fn refdomains_history(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Handler {
    let params = Params::parse(raw.as_deref());
    let (target, protocol) = target_scope(&params)?;
    let periods = series_periods(&params)?;
    let format = common_output(&params)?;
    let timeout = request_timeout(&params)?;
    params.reject_unknown("refdomains-history")?;
    let engine = state.engine().await?;
    let series = with_timeout(
        timeout,
        engine.refdomains_history(&target, protocol, &periods),
    )
    .await?;
    let rows = dated(
        series
            .into_iter()
            .map(|(d, n)| (d, Value::from(n)))
            .collect(),
        "refdomains",
    );
    Ok(respond(
        format,
        "refdomains",
        &["date", "refdomains"],
        Payload::Rows(rows),
        row_cost("refdomains-history"),
    ))
}
