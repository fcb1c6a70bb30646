//! The aggregate reports of Site Explorer (refdomains, anchors, pages-by-backlinks,
//! pages-by-internal-links, linkeddomains, linked-anchors-external/internal): parameters into a
//! [`ReportQuery`], rows back in the report's envelope.
//!
//! `where` may name the report's own columns (tested on the aggregated rows) and the link
//! columns of `all-backlinks` (tested on the links before they are grouped). A name that is
//! both is the report's column. Conditions of both kinds combine with a top-level `and`.

use super::{
    common_output, filter_fields, parse_history, request_timeout, respond, target_scope,
    where_json, with_timeout,
};
use crate::error::ApiError;
use crate::output::Payload;
use crate::params::Params;
use crate::render::{self, DateStyle};
use crate::state::AppState;
use anchorage_core::catalogue::{BacklinkReport, FILTER, backlink_column};
use anchorage_core::reports::{Report, ReportColumn, report};
use anchorage_query::{Field, Filter, History, ReportOrder, ReportQuery};
use axum::extract::{RawQuery, State};
use axum::response::Response;
use std::collections::BTreeSet;

pub async fn handle(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
    endpoint: &'static str,
) -> Result<Response, ApiError> {
    let report =
        report(endpoint).ok_or_else(|| ApiError::not_found(format!("no report {endpoint}")))?;
    let params = Params::parse(raw.as_deref());
    let query = parse(&params, report)?;
    let format = common_output(&params)?;
    let timeout = request_timeout(&params)?;
    params.reject_unknown(endpoint)?;
    let engine = state.engine().await?;
    let batches = with_timeout(timeout, engine.report(&query)).await?;
    let columns: Vec<_> = query.select.iter().map(|c| (c.name, c.ty)).collect();
    let rows = render::rows(&batches, &columns, DateStyle::Iso);
    let names: Vec<&str> = query.select.iter().map(|c| c.name).collect();
    Ok(respond(
        format,
        report.wrapper,
        &names,
        Payload::Rows(rows),
        row_cost(&query),
    ))
}

pub fn parse(params: &Params, report: &'static Report) -> Result<ReportQuery, ApiError> {
    let (target, protocol) = target_scope(params)?;
    let history = if report.history {
        params.parsed("history", parse_history)?.unwrap_or_default()
    } else {
        History::Live
    };
    let select = select(params.required("select")?, report)?;
    let (link_filter, group_filter) = match params.get("where") {
        Some(text) => split_filter(
            where_json::parse(text, &|name| resolve(name, report))
                .map_err(ApiError::bad_request)?,
            report,
        )?,
        None => (None, None),
    };
    let order_by = params
        .parsed("order_by", |v| order_by(v, report))?
        .unwrap_or_default();
    Ok(ReportQuery {
        report,
        target,
        protocol,
        select,
        link_filter,
        group_filter,
        order_by,
        limit: params.count("limit", super::MAX_LIMIT)?.unwrap_or(1000),
        offset: params.count("offset", usize::MAX)?.unwrap_or(0),
        history,
        include_internal: false,
    })
}

fn column(name: &str, report: &Report) -> Result<&'static ReportColumn, String> {
    report
        .column(name)
        .ok_or_else(|| format!("'{name}' is not a column of {}", report.endpoint))
}

fn select(v: &str, report: &Report) -> Result<Vec<&'static ReportColumn>, ApiError> {
    let mut seen = BTreeSet::new();
    let out: Vec<&'static ReportColumn> = v
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty() && seen.insert(*n))
        .map(|n| column(n, report).map_err(|e| ApiError::param("select", e)))
        .collect::<Result<_, _>>()?;
    if out.is_empty() {
        return Err(ApiError::param("select", "name at least one column"));
    }
    Ok(out)
}

fn order_by(v: &str, report: &Report) -> Result<Vec<ReportOrder>, String> {
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
            Ok(ReportOrder {
                column: column(name, report)?,
                descending,
            })
        })
        .collect()
}

/// A `where` field: a report column, else a filterable link column.
fn resolve(name: &str, report: &Report) -> Result<Field, String> {
    if let Some(c) = report.column(name) {
        return Ok(Field {
            name: c.name,
            ty: c.ty,
        });
    }
    match backlink_column(name) {
        Some(c) if BacklinkReport::AllBacklinks.access(c) & FILTER != 0 => Ok(Field::from(c)),
        _ => Err(format!("unknown column for {}", report.endpoint)),
    }
}

fn is_report_field(field: &Field, report: &Report) -> bool {
    report.column(field.name).is_some()
}

/// Splits a filter into its link part and its aggregate part.
fn split_filter(
    filter: Filter,
    report: &Report,
) -> Result<(Option<Filter>, Option<Filter>), ApiError> {
    let parts = match filter {
        Filter::And(parts) => parts,
        other => vec![other],
    };
    let (mut links, mut groups) = (Vec::new(), Vec::new());
    for part in parts {
        let mut fields = Vec::new();
        part.fields(&mut fields);
        let on_report = fields.iter().filter(|f| is_report_field(f, report)).count();
        if on_report == fields.len() {
            groups.push(part);
        } else if on_report == 0 {
            links.push(part);
        } else {
            return Err(ApiError::param(
                "where",
                "an \"or\"/\"not\" cannot mix report columns with link columns; combine them with a top-level \"and\"",
            ));
        }
    }
    let join = |mut v: Vec<Filter>| match v.len() {
        0 => None,
        1 => v.pop(),
        _ => Some(Filter::And(v)),
    };
    Ok((join(links), join(groups)))
}

/// Units per row: every distinct report column returned, ordered or filtered on, plus the
/// link columns the filter reads.
pub fn row_cost(query: &ReportQuery) -> u64 {
    let mut names: BTreeSet<&str> = query.select.iter().map(|c| c.name).collect();
    names.extend(query.order_by.iter().map(|o| o.column.name));
    names.extend(filter_fields(query.group_filter.as_ref()));
    let report_cost: u64 = names
        .iter()
        .filter_map(|n| query.report.column(n))
        .map(|c| u64::from(c.cost))
        .sum();
    let link_cost: u64 = filter_fields(query.link_filter.as_ref())
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .filter_map(backlink_column)
        .map(|c| u64::from(c.cost))
        .sum();
    report_cost + link_cost
}
