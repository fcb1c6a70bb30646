//! The legacy Ahrefs API v2 (`GET /?token=&from=&target=&mode=...`): the request parsed into
//! the query layer's values ([`BacklinksQuery`] for the link tables, [`ReportQuery`] for the
//! grouped ones), the rows rendered under v2's keys and column names. No query logic lives
//! here: [`columns`] maps each v2 column onto the catalogues, [`conditions`] each v2
//! condition onto the shared filters, [`expr`] reads the `where`/`having` language.
//!
//! The token is an Anchorage API key, checked by the same key store as v3's Bearer keys; a
//! loopback server without keys accepts any token or none, as v3 accepts any request there.

pub mod columns;
pub mod conditions;
pub mod error;
pub mod expr;

use crate::access::{self, Access};
use crate::output::{self, Format, Payload};
use crate::params::Params;
use crate::render::{self, DateStyle};
use crate::state::AppState;
use anchorage_core::catalogue::{Column, backlink_column};
use anchorage_core::reports::ReportColumn;
use anchorage_core::target::{Target, TargetMode};
use anchorage_query::{
    Aggregation, BacklinksQuery, Engine, History, OrderBy, ReportOrder, ReportQuery,
};
use axum::Router;
use axum::extract::{RawQuery, Request, State};
use axum::http::HeaderValue;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use columns::{Kind, Table, V2Column};
use conditions::{Clause, Filters};
use error::V2Error;
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Largest `limit` (as v3's).
pub const MAX_LIMIT: usize = crate::ahrefs_v3::MAX_LIMIT;
/// v2's default `limit`.
pub const DEFAULT_LIMIT: usize = 1000;
/// Rows v2 charged for using `where`, `having` or `offset`, each.
const ROWS_PER_OPTION: f64 = 5.0;

/// The v2 routes: the API answers at the root path, as `https://apiv2.ahrefs.com/?...` did.
pub fn routes(access: Arc<Access>) -> Router<AppState> {
    Router::new()
        .route("/", get(handle))
        .layer(middleware::from_fn_with_state(access, guard))
}

/// The request's `output`, json when absent or unknown (so errors about it can be read).
fn requested_format(query: Option<&str>) -> Format {
    Params::parse(query)
        .get("output")
        .and_then(|v| parse_output(v).ok())
        .unwrap_or(Format::Json)
}

/// v2's outputs: json, xml or php.
fn parse_output(v: &str) -> Result<Format, String> {
    match v {
        "json" => Ok(Format::Json),
        "xml" => Ok(Format::Xml),
        "php" => Ok(Format::Php),
        other => Err(format!("'{other}' is not one of json, xml, php")),
    }
}

/// The key check: `token` must be an active key when the server requires keys. Then the
/// shared cache and unit accounting of the key store.
async fn guard(State(access): State<Arc<Access>>, request: Request, next: Next) -> Response {
    let query = request.uri().query().map(str::to_string);
    let format = requested_format(query.as_deref());
    let key_id = if access.requires_keys() {
        let params = Params::parse(query.as_deref());
        let Some(token) = params.get("token") else {
            return V2Error::Token(
                "this parameter is required: pass an Anchorage API key (anchorage keys create)"
                    .into(),
            )
            .respond(format);
        };
        match access.authorize_secret(token) {
            Ok(id) => id,
            // An unknown or revoked key is the parameter's fault; a spent budget (403) or the
            // rate limit (429) keep their own status.
            Err(e) if e.status == axum::http::StatusCode::UNAUTHORIZED => {
                return V2Error::Token(e.message).respond(format);
            }
            Err(e) => return V2Error::Api(e).respond(format),
        }
    } else {
        None
    };
    access::serve_cached(&access, key_id, request, next).await
}

async fn handle(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let format = requested_format(raw.as_deref());
    match answer(&state, raw.as_deref()).await {
        Ok(response) => response,
        Err(e) => e.respond(format),
    }
}

/// A parsed v2 request.
struct V2Request {
    table: &'static Table,
    target: Target,
    select: Vec<&'static V2Column>,
    filters: Filters,
    order_by: Vec<(&'static V2Column, bool)>,
    limit: usize,
    offset: usize,
    format: Format,
    /// v2's price of the request before its result rows.
    base_rows: f64,
}

async fn answer(state: &AppState, raw: Option<&str>) -> Result<Response, V2Error> {
    let params = Params::parse(raw);
    let request = parse(&params)?;
    // Bad input never waits for the index.
    let engine = state.engine().await?;
    let rows = match request.table.kind {
        Kind::Links { .. } => link_rows(&engine, &request).await?,
        Kind::Grouped { .. } => grouped_rows(&engine, &request).await?,
    };
    let names: Vec<&str> = request.select.iter().map(|c| c.name).collect();
    let count = rows.len();
    let mut response = output::render_items(
        request.format,
        request.table.wrapper,
        request.table.item,
        &names,
        Payload::Rows(rows),
    );
    let cost = request.base_rows + request.table.rows_per_result * count as f64;
    units_headers(&mut response, count, cost);
    Ok(response)
}

fn parse(params: &Params) -> Result<V2Request, V2Error> {
    // Checked by the guard; read here so it does not count as unknown.
    params.get("token");
    let format = params
        .parsed("output", parse_output)?
        .unwrap_or(Format::Json);
    let from = params
        .get("from")
        .ok_or(V2Error::Missing { param: "from" })?;
    let table = columns::table(from).ok_or_else(|| V2Error::UnknownTable {
        name: from.to_string(),
        tables: columns::table_names(),
    })?;
    let target = params
        .get("target")
        .ok_or(V2Error::Missing { param: "target" })?;
    let mode: TargetMode = params
        .get("mode")
        .ok_or(V2Error::Missing { param: "mode" })?
        .parse()
        .map_err(|reason| V2Error::Invalid {
            param: "mode",
            reason,
        })?;
    let target = Target::parse(target, mode).map_err(|e| V2Error::Invalid {
        param: "target",
        reason: e.to_string(),
    })?;
    let select = select(table, params.get("select").unwrap_or("*"))?;
    let mut filters = Filters::default();
    let mut options = 0.0;
    for clause in [Clause::Where, Clause::Having] {
        if let Some(text) = params.get(clause.param()) {
            let parsed = expr::parse(text).map_err(|source| V2Error::Syntax {
                param: clause.param(),
                source,
            })?;
            conditions::add(table, clause, &parsed, &mut filters)?;
            options += ROWS_PER_OPTION;
        }
    }
    let order_by = match params.get("order_by") {
        Some(text) => order_by(table, text)?,
        None => Vec::new(),
    };
    let limit = params.count("limit", MAX_LIMIT)?.unwrap_or(DEFAULT_LIMIT);
    let offset = params.count("offset", usize::MAX)?.unwrap_or(0);
    if offset > 0 {
        options += ROWS_PER_OPTION;
    }
    params.reject_unknown("Ahrefs API v2")?;
    Ok(V2Request {
        table,
        target,
        select,
        filters,
        order_by,
        limit,
        offset,
        format,
        base_rows: table.rows_per_request + options,
    })
}

/// `select`: `*` (the table's columns) or column names, comma-separated.
fn select(table: &'static Table, text: &str) -> Result<Vec<&'static V2Column>, V2Error> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for name in text.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let names: Vec<&str> = if name == "*" {
            table.star.to_vec()
        } else {
            vec![name]
        };
        for name in names {
            let column = table.column(name).ok_or_else(|| V2Error::UnknownColumn {
                param: "select",
                column: name.to_string(),
                table: table.name,
            })?;
            if !table.selectable(column) {
                return Err(V2Error::column(
                    "select",
                    name,
                    format!("can only be used in where in {}", table.name),
                ));
            }
            if seen.insert(column.name) {
                out.push(column);
            }
        }
    }
    if out.is_empty() {
        return Err(V2Error::Invalid {
            param: "select",
            reason: "name at least one column, or *".into(),
        });
    }
    Ok(out)
}

/// `order_by`: `column[:asc|desc]`, comma-separated.
fn order_by(table: &'static Table, text: &str) -> Result<Vec<(&'static V2Column, bool)>, V2Error> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|part| {
            let (name, direction) = part.split_once(':').unwrap_or((part, "asc"));
            let descending = match direction.trim() {
                "asc" => false,
                "desc" => true,
                other => {
                    return Err(V2Error::Invalid {
                        param: "order_by",
                        reason: format!("'{other}' in '{part}' is not asc or desc"),
                    });
                }
            };
            let name = name.trim();
            let column = table.column(name).ok_or_else(|| V2Error::UnknownColumn {
                param: "order_by",
                column: name.to_string(),
                table: table.name,
            })?;
            let sortable = if table.is_grouped() {
                column.group.is_some()
            } else {
                column.link.and_then(|l| l.order()).is_some()
            };
            if !sortable {
                return Err(V2Error::column(
                    "order_by",
                    name,
                    format!("{} cannot be sorted on in {}", column.name, table.name),
                ));
            }
            Ok((column, descending))
        })
        .collect()
}

fn catalogue(name: &str) -> Result<&'static Column, V2Error> {
    backlink_column(name).ok_or_else(|| {
        V2Error::Api(crate::error::ApiError::internal(format!(
            "'{name}' is missing from the column catalogue"
        )))
    })
}

/// The rows of a link table.
async fn link_rows(
    engine: &Engine,
    request: &V2Request,
) -> Result<Vec<Map<String, Value>>, V2Error> {
    let Kind::Links { report, history } = request.table.kind else {
        return Ok(Vec::new());
    };
    // The catalogue columns the selected v2 columns are computed from, once each.
    let mut reads: Vec<&'static str> = Vec::new();
    for column in &request.select {
        for name in column.link.as_ref().map_or(&[][..], |l| l.reads()) {
            if !reads.contains(name) {
                reads.push(name);
            }
        }
    }
    let select = reads
        .iter()
        .map(|name| catalogue(name))
        .collect::<Result<Vec<_>, _>>()?;
    let order_by = request
        .order_by
        .iter()
        .filter_map(|(column, descending)| {
            column.link.and_then(|l| l.order()).map(|(name, reversed)| {
                catalogue(name).map(|column| OrderBy::column(column, *descending != reversed))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let query = BacklinksQuery {
        report,
        target: request.target.clone(),
        protocol: Default::default(),
        select,
        filter: request.filters.link_filter(),
        order_by,
        limit: request.limit,
        offset: request.offset,
        aggregation: Aggregation::All,
        history,
        include_internal: false,
        after: None,
        with_sort_keys: false,
    };
    let batches = engine.backlinks(&query).await?;
    let columns: Vec<_> = query.select.iter().map(|c| (c.name, c.ty)).collect();
    Ok(render::rows(&batches, &columns, DateStyle::Iso)
        .iter()
        .map(|row| {
            request
                .select
                .iter()
                .map(|c| {
                    let value = c.link.map_or(Value::Null, |l| l.render(row));
                    (c.name.to_string(), value)
                })
                .collect()
        })
        .collect())
}

/// The rows of a grouped table.
async fn grouped_rows(
    engine: &Engine,
    request: &V2Request,
) -> Result<Vec<Map<String, Value>>, V2Error> {
    let (Kind::Grouped { both_kinds, .. }, Some(report)) =
        (request.table.kind, request.table.report())
    else {
        return Ok(Vec::new());
    };
    let report_column = |name: &str| -> Result<&'static ReportColumn, V2Error> {
        report.column(name).ok_or_else(|| {
            V2Error::Api(crate::error::ApiError::internal(format!(
                "{} has no column {name}",
                report.endpoint
            )))
        })
    };
    let mut select: Vec<&'static ReportColumn> = Vec::new();
    for column in &request.select {
        if let Some(group) = column.group {
            let c = report_column(group.name())?;
            if !select.iter().any(|s| s.name == c.name) {
                select.push(c);
            }
        }
    }
    let order_by = request
        .order_by
        .iter()
        .filter_map(|(column, descending)| {
            column.group.map(|g| {
                report_column(g.name()).map(|column| ReportOrder {
                    column,
                    descending: *descending,
                })
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let query = ReportQuery {
        report,
        target: request.target.clone(),
        protocol: Default::default(),
        select,
        link_filter: request.filters.link_filter(),
        group_filter: request.filters.group_filter(),
        order_by,
        limit: request.limit,
        offset: request.offset,
        history: History::Live,
        include_internal: both_kinds,
    };
    let batches = engine.report(&query).await?;
    let columns: Vec<_> = query.select.iter().map(|c| (c.name, c.ty)).collect();
    Ok(render::rows(&batches, &columns, DateStyle::Iso)
        .iter()
        .map(|row| {
            request
                .select
                .iter()
                .map(|c| {
                    let value = c.group.map_or(Value::Null, |g| g.render(row));
                    (c.name.to_string(), value)
                })
                .collect()
        })
        .collect())
}

/// The unit headers of the key store, in v2's rows: a price per request, per result row and
/// per option used (`where`, `having`, `offset`), rounded up to whole units.
fn units_headers(response: &mut Response, rows: usize, cost: f64) {
    let units = cost.ceil() as u64;
    let headers = response.headers_mut();
    for (name, value) in [
        ("x-api-rows", rows as u64),
        ("x-api-units-cost-total", units),
        ("x-api-units-cost-total-actual", units),
    ] {
        headers.insert(name, HeaderValue::from(value));
    }
    headers.insert("x-api-cache", HeaderValue::from_static("miss"));
}
