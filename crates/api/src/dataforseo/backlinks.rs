//! `backlinks/live`: the request parsed into a [`BacklinksQuery`], the rows rendered as
//! DataForSEO backlink items, and `search_after_token` keyset pagination.

use super::envelope::DfsError;
use super::fields::{self, RankScale};
use super::filters;
use super::task::Task;
use super::token::PageToken;
use crate::geoip::GeoIp;
use crate::render::{self, DateStyle};
use anchorage_core::catalogue::{BacklinkReport, backlink_column};
use anchorage_core::target::Target;
use anchorage_query::filter::Filter;
use anchorage_query::indirect::Step;
use anchorage_query::{
    Aggregation, BacklinksQuery, Engine, GroupKey, History, LINK_GROUP_COUNT, OrderBy,
};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub const MAX_LIMIT: i64 = 1000;
pub const MAX_OFFSET: i64 = 20_000;
const MAX_ORDER_RULES: usize = 3;

const MODES: &[&str] = &["as_is", "one_per_domain", "one_per_anchor"];
pub const STATUS_TYPES: &[&str] = &["live", "lost", "all"];

/// `custom_mode.field` values: item fields ([`fields::group_key`] says what each groups on).
const CUSTOM_FIELDS: &[&str] = &[
    "anchor",
    "domain_from",
    "domain_from_country",
    "tld_from",
    "page_from_encoding",
    "page_from_language",
    "item_type",
    "page_from_status_code",
    "semantic_location",
];

/// A parsed `backlinks` task.
pub struct Request {
    pub query: BacklinksQuery,
    pub scale: RankScale,
    pub mode: Value,
    pub custom_mode: Value,
    pub token: Option<PageToken>,
    /// Identifies the request apart from its paging, so a token only continues its own query.
    pub fingerprint: String,
    pub include_indirect: bool,
    /// `custom_mode` groups by `domain_from_country`, whose values are known per request.
    pub groups_by_country: bool,
}

pub fn parse(task: &Task) -> Result<Request, DfsError> {
    let target = task.target(true)?;
    let scale = rank_scale(task)?;
    let (aggregation, mode, custom_mode) = grouping(task)?;
    let groups_by_country = custom_mode["field"] == "domain_from_country";
    let filter = item_filter(task, "filters", scale)?;
    if filter
        .as_ref()
        .is_some_and(|f| anchorage_query::backlinks::split_on_group_size(f).is_none())
    {
        return Err(DfsError::invalid(
            "filters",
            "'group_count' is tested on the groups, after the other conditions chose the \
             links: join its conditions to the others with \"and\" only",
        ));
    }
    let order_by = order_by(task)?;
    let limit = task.int("limit", 1, MAX_LIMIT)?.unwrap_or(100);
    let offset = task.int("offset", 0, MAX_OFFSET)?.unwrap_or(0);
    let history = history(task)?;
    let include_internal = !task.bool("exclude_internal_backlinks", true)?;
    let include_indirect = task.bool("include_indirect_links", true)?;
    let raw_token = task.str("search_after_token")?.map(str::to_string);
    task.tag()?;
    task.reject_unknown()?;
    let fingerprint = super::token::fingerprint(&task.echo());
    let token = raw_token
        .map(|t| PageToken::decode(&t, &fingerprint))
        .transpose()?;
    let mut select = fields::item_columns();
    select.extend(backlink_column(LINK_GROUP_COUNT));
    let query = BacklinksQuery {
        report: BacklinkReport::AllBacklinks,
        target,
        protocol: Default::default(),
        select,
        filter,
        order_by,
        limit: limit as usize,
        // A token already knows where the previous page ended.
        offset: if token.is_some() { 0 } else { offset as usize },
        aggregation,
        history,
        include_internal,
        after: token.as_ref().map(|t| t.after.clone()),
        with_sort_keys: true,
    };
    Ok(Request {
        query,
        scale,
        mode,
        custom_mode,
        token,
        fingerprint,
        include_indirect,
        groups_by_country,
    })
}

/// At most this many redirecting or canonicalising URLs bring a target indirect backlinks.
const MAX_INDIRECT_URLS: usize = 10_000;

/// The URLs that lead into a target indirectly, and how (see [`fields::mark_indirect`]).
pub type Indirect = BTreeMap<String, Vec<Step>>;

/// With `include_indirect_links` (the default), the target also covers the URLs that
/// redirect into it or name it as their canonical (or do so in turn), so links to them count
/// as its (indirect) backlinks.
pub async fn add_indirect(
    engine: &Engine,
    target: &mut Target,
    include_indirect: bool,
) -> Result<Indirect, DfsError> {
    if !include_indirect {
        return Ok(Indirect::new());
    }
    let urls = engine.indirect_into(target, MAX_INDIRECT_URLS).await?;
    target.indirect_urls = urls.iter().map(|u| u.url.clone()).collect();
    Ok(urls.into_iter().map(|u| (u.url, u.path)).collect())
}

/// Makes `target` final ([`add_indirect`]) and binds the conditions of `filter` on fields
/// computed per request ([`super::lookups`]) for it.
pub async fn settle_target(
    engine: &Engine,
    geoip: Option<&GeoIp>,
    target: &mut Target,
    include_indirect: bool,
    filter: &mut Option<Filter>,
) -> Result<Indirect, DfsError> {
    let indirect = add_indirect(engine, target, include_indirect).await?;
    let cx = super::lookups::Context {
        engine,
        geoip,
        target,
    };
    super::lookups::bind(filter, &cx).await?;
    Ok(indirect)
}

pub fn rank_scale(task: &Task) -> Result<RankScale, DfsError> {
    Ok(RankScale::parse(task.one_of(
        "rank_scale",
        RankScale::NAMES,
        "one_thousand",
    )?))
}

/// `backlinks_status_type`: live (default), lost or all.
pub fn history(task: &Task) -> Result<History, DfsError> {
    Ok(
        match task.one_of("backlinks_status_type", STATUS_TYPES, "live")? {
            "lost" => History::Lost,
            "all" => History::AllTime,
            _ => History::Live,
        },
    )
}

/// `mode` or `custom_mode` (which wins), and their echoes for the result.
fn grouping(task: &Task) -> Result<(Aggregation, Value, Value), DfsError> {
    let mode = task.one_of("mode", MODES, "as_is")?;
    if let Some(custom) = task.get("custom_mode") {
        let (key, keep) = custom_mode(custom)?;
        return Ok((Aggregation::Top { key, keep }, Value::Null, custom.clone()));
    }
    let one_per = |column| Aggregation::Top {
        key: GroupKey::Column(column),
        keep: 1,
    };
    let aggregation = match mode {
        "one_per_domain" => one_per("name_source"),
        "one_per_anchor" => one_per("anchor"),
        _ => Aggregation::All,
    };
    Ok((aggregation, Value::from(mode), Value::Null))
}

fn custom_mode(custom: &Value) -> Result<(GroupKey, u64), DfsError> {
    let bad = |reason: String| DfsError::invalid("custom_mode", reason);
    let obj = custom.as_object().ok_or_else(|| {
        bad(format!(
            "expected {{\"field\": ..., \"value\": ...}}, got {custom}"
        ))
    })?;
    if let Some(k) = obj.keys().find(|k| *k != "field" && *k != "value") {
        return Err(bad(format!("unknown key '{k}'")));
    }
    let field = obj
        .get("field")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("'field' is required".into()))?;
    if !CUSTOM_FIELDS.contains(&field) {
        return Err(bad(format!(
            "field '{field}' is not one of {}",
            CUSTOM_FIELDS.join(", ")
        )));
    }
    let key = fields::group_key(field).map_err(bad)?;
    let value = obj
        .get("value")
        .and_then(Value::as_u64)
        .filter(|v| (1..=1000).contains(v))
        .ok_or_else(|| bad("'value' must be an integer from 1 to 1000".into()))?;
    Ok((key, value))
}

/// `filters` of `backlinks`: conditions on its items' fields.
fn item_filter(task: &Task, name: &str, scale: RankScale) -> Result<Option<Filter>, DfsError> {
    task.get(name)
        .map(|json| {
            filters::parse(json, &super::fields::filter_field, scale)
                .map_err(|e| DfsError::invalid(name, e))
        })
        .transpose()
}

/// `backlinks_filters` of the aggregates: conditions on the links they count, which are not
/// grouped (no `group_count`).
pub fn link_filter(task: &Task, name: &str, scale: RankScale) -> Result<Option<Filter>, DfsError> {
    let filter = item_filter(task, name, scale)?;
    let mut fields = Vec::new();
    if let Some(f) = &filter {
        f.fields(&mut fields);
    }
    if fields.iter().any(|f| f.name == LINK_GROUP_COUNT) {
        return Err(DfsError::invalid(
            name,
            "'group_count' is a field of grouped backlinks items, not of the links counted here",
        ));
    }
    Ok(filter)
}

/// `order_by`: at most three `"field,asc|desc"` rules.
fn order_by(task: &Task) -> Result<Vec<OrderBy>, DfsError> {
    Ok(order_rules(task, |name| fields::order_key(name, false))?
        .into_iter()
        .map(|(rule, descending)| OrderBy { descending, ..rule })
        .collect())
}

/// Parses `order_by` rules, resolving each field with `resolve`.
pub fn order_rules<T>(
    task: &Task,
    resolve: impl Fn(&str) -> Result<T, String>,
) -> Result<Vec<(T, bool)>, DfsError> {
    let bad = |reason: String| DfsError::invalid("order_by", reason);
    let Some(json) = task.get("order_by") else {
        return Ok(Vec::new());
    };
    let rules = json.as_array().ok_or_else(|| {
        bad(format!(
            "expected an array of \"field,asc|desc\", got {json}"
        ))
    })?;
    if rules.len() > MAX_ORDER_RULES {
        return Err(bad(format!(
            "{} rules, at most {MAX_ORDER_RULES} are allowed",
            rules.len()
        )));
    }
    rules
        .iter()
        .map(|rule| {
            let text = rule
                .as_str()
                .ok_or_else(|| bad(format!("expected \"field,asc|desc\", got {rule}")))?;
            let (name, direction) = text.split_once(',').unwrap_or((text, "asc"));
            let descending = match direction.trim() {
                "asc" => false,
                "desc" => true,
                other => return Err(bad(format!("'{other}' in '{text}' is not asc or desc"))),
            };
            let resolved = resolve(name.trim()).map_err(bad)?;
            Ok((resolved, descending))
        })
        .collect()
}

/// Runs the request: the page of items, the total and the next page's token.
pub async fn run(
    engine: &Engine,
    geoip: Option<&GeoIp>,
    mut request: Request,
    generation: &str,
) -> Result<Value, DfsError> {
    if let Some(token) = &request.token {
        token.check_generation(generation)?;
    }
    let q = &mut request.query;
    let indirect = settle_target(
        engine,
        geoip,
        &mut q.target,
        request.include_indirect,
        &mut q.filter,
    )
    .await?;
    if let Aggregation::Top { key, .. } = &mut q.aggregation
        && request.groups_by_country
    {
        let cx = super::lookups::Context {
            engine,
            geoip,
            target: &q.target,
        };
        *key = GroupKey::Cases(super::lookups::country_cases(&cx).await?);
    }
    let query = &request.query;
    let total = engine.backlinks_count(query).await?;
    let batches = engine.backlinks(query).await?;
    let columns: Vec<_> = query.select.iter().map(|c| (c.name, c.ty)).collect();
    let mut rows = render::rows(&batches, &columns, DateStyle::DataForSeo);
    fields::enrich(engine, geoip, &mut rows).await?;
    fields::mark_indirect(&indirect, &mut rows);
    let items: Vec<Value> = rows
        .iter()
        .map(|row| fields::render_item(row, request.scale))
        .collect();
    let seen = request
        .token
        .as_ref()
        .map_or(query.offset as u64, |t| t.seen)
        + items.len() as u64;
    let next = match query.sort_key_of_last(&batches)? {
        Some(after) if seen < total => Some(
            PageToken {
                generation: generation.to_string(),
                fingerprint: request.fingerprint.clone(),
                after,
                seen,
            }
            .encode()?,
        ),
        _ => None,
    };
    Ok(json!({
        "target": query.target.input,
        "mode": request.mode,
        "custom_mode": request.custom_mode,
        "total_count": total,
        "items_count": items.len(),
        "items": items,
        "search_after_token": next,
    }))
}

/// The item fields `filters` accept, with their DataForSEO types (`available_filters`).
pub fn available_filters() -> Map<String, Value> {
    fields::filterable()
}
