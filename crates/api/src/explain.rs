//! `/v3/anchorage/explain-domain-rating`: an Anchorage extension that shows where a domain's
//! DR comes from (the referring domains' shares, teleport and dangling mass), so the metric
//! can be checked rather than trusted.

use crate::ahrefs_v3::{common_output, respond};
use crate::error::ApiError;
use crate::output::Payload;
use crate::params::Params;
use crate::state::AppState;
use anchorage_core::domain::root_domain;
use axum::extract::{RawQuery, State};
use axum::response::Response;
use serde_json::{Map, Value};

/// Largest `top` (referring domains listed).
const MAX_TOP: usize = 1000;

pub async fn explain_domain_rating(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref());
    let target = anchorage_core::Target::parse(params.required("target")?, Default::default())
        .map_err(|e| ApiError::param("target", e))?;
    let top = params.count("top", MAX_TOP)?.unwrap_or(10);
    let format = common_output(&params)?;
    params.reject_unknown("explain-domain-rating")?;
    let domain = root_domain(target.host()).to_ascii_lowercase();
    let engine = state.engine().await?;
    let generation = engine.generation.clone();
    let explained = tokio::task::spawn_blocking(move || {
        anchorage_index::build::explain::explain_dr(&generation, &domain)
    })
    .await
    .map_err(|e| ApiError::internal(e.to_string()))?
    .map_err(|e| ApiError::internal(e.to_string()))?;
    let Some(mut explanation) = explained else {
        return Err(ApiError::not_found(format!(
            "target: {} is not in the index",
            root_domain(target.host())
        )));
    };
    explanation.contributions.truncate(top);
    let body: Map<String, Value> = match serde_json::to_value(&explanation) {
        Ok(Value::Object(map)) => map,
        _ => return Err(ApiError::internal("cannot render the explanation")),
    };
    Ok(respond(
        format,
        "explanation",
        &[],
        Payload::Object(body),
        1,
    ))
}
