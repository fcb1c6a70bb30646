//! `domain_intersection` and `page_intersection` (the referring domains or pages several
//! targets share, without those linking to `exclude_targets`) and `competitors` (the domains
//! sharing most referring domains with a target). Each request becomes the query layer's
//! [`Intersection`] or [`Competitors`]; the joined rows are rendered as DataForSEO items.

use super::aggregates;
use super::backlinks::{self, MAX_LIMIT, order_rules, rank_scale};
use super::envelope::DfsError;
use super::fields::{self, RankScale};
use super::filters::{self, FilterField};
use super::task::{Task, target_of};
use crate::geoip::GeoIp;
use crate::render::{self, DateStyle};
use anchorage_core::catalogue::{BacklinkReport, ColType};
use anchorage_core::reports::{DATAFORSEO_COUNTERS, Report, dataforseo_report_named};
use anchorage_core::target::{Target, TargetMode};
use anchorage_query::filter::{Condition, Field, Filter, Value as FilterValue};
use anchorage_query::intersect::{
    COMPETITOR, COMPETITOR_INTERSECTIONS, COMPETITOR_RATING, Competitors, INTERSECTIONS,
    Intersection, KEY, part_column,
};
use anchorage_query::{Aggregation, BacklinksQuery, Engine, History, ReportQuery};
use serde_json::{Map, Value, json};
use std::collections::HashMap;

const MAX_TARGETS: usize = 20;
const MAX_EXCLUDED: usize = 10;
const MAX_OFFSET: i64 = 1_000_000;
/// Links listed per page and target in `page_intersection` (the best first) unless
/// `internal_list_limit` says otherwise.
pub const LINKS_PER_PAGE: usize = 10;

/// What the joined rows are: referring domains or referring pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Domains,
    Pages,
}

impl Kind {
    fn report(self) -> Result<&'static Report, DfsError> {
        let name = match self {
            Kind::Domains => "referring_domains",
            Kind::Pages => "referring_pages",
        };
        dataforseo_report_named(name)
            .ok_or_else(|| DfsError::Internal(format!("report {name} is not catalogued")))
    }
}

/// A parsed intersection task.
pub struct IntersectionRequest {
    kind: Kind,
    /// The `targets` keys, in part order, with the targets as given.
    targets: Vec<(String, String)>,
    parts: Vec<Target>,
    history: History,
    include_internal: bool,
    include_indirect: bool,
    /// `internal_list_limit`: links listed per page and target in `page_intersection`.
    links_per_page: usize,
    query: Intersection,
    scale: RankScale,
}

pub fn parse_intersection(task: &Task, kind: Kind) -> Result<IntersectionRequest, DfsError> {
    let report = kind.report()?;
    let include_subdomains = task.bool("include_subdomains", true)?;
    let targets = targets_map(task)?;
    let parts = targets
        .iter()
        .map(|(key, raw)| {
            target_of(raw, include_subdomains)
                .map_err(|e| DfsError::invalid("targets", format!("'{key}': {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let excluded = excluded_targets(task, include_subdomains)?;
    let scale = rank_scale(task)?;
    let history = backlinks::history(task)?;
    let link_filter = match kind {
        Kind::Domains => backlinks::link_filter(task, "backlinks_filters", scale)?,
        Kind::Pages => None,
    };
    let include_internal = !task.bool("exclude_internal_backlinks", true)?;
    let include_indirect = task.bool("include_indirect_links", true)?;
    let links_per_page = task
        .int("internal_list_limit", 1, 1000)?
        .map_or(LINKS_PER_PAGE, |n| n as usize);
    let require_all = task.one_of("intersection_mode", &["all", "partial"], "all")? == "all";
    let keys: Vec<&str> = targets.iter().map(|(k, _)| k.as_str()).collect();
    let resolve = |name: &str| joined_field(&keys, report, name);
    let filter = task
        .get("filters")
        .map(|json| {
            filters::parse(json, &resolve, scale).map_err(|e| DfsError::invalid("filters", e))
        })
        .transpose()?;
    let mut order_by = order_rules(task, |name| resolve(name).map(|f| f.field.name))?;
    if order_by.is_empty() {
        order_by.push((part_column(1, "rank"), true));
    }
    let limit = task.int("limit", 1, MAX_LIMIT)?.unwrap_or(100) as usize;
    let offset = task.int("offset", 0, MAX_OFFSET)?.unwrap_or(0) as usize;
    task.tag()?;
    task.reject_unknown()?;
    let part = |target: &Target, select| ReportQuery {
        report,
        target: target.clone(),
        protocol: Default::default(),
        select,
        link_filter: link_filter.clone(),
        group_filter: None,
        order_by: Vec::new(),
        limit,
        offset: 0,
        history,
        include_internal,
    };
    let query = Intersection {
        parts: parts
            .iter()
            .map(|t| part(t, DATAFORSEO_COUNTERS.iter().collect()))
            .collect(),
        excluded: excluded.iter().map(|t| part(t, Vec::new())).collect(),
        require_all,
        filter,
        order_by,
        limit,
        offset,
    };
    Ok(IntersectionRequest {
        kind,
        targets,
        parts,
        history,
        include_internal,
        include_indirect,
        links_per_page,
        query,
        scale,
    })
}

/// `targets`: an object of up to 20 keys, each a domain, subdomain or absolute URL.
fn targets_map(task: &Task) -> Result<Vec<(String, String)>, DfsError> {
    let bad = |reason: String| DfsError::invalid("targets", reason);
    let map = task
        .get("targets")
        .and_then(Value::as_object)
        .filter(|m| !m.is_empty())
        .ok_or_else(|| {
            bad(
                "an object such as {\"1\": \"example.com\", \"2\": \"example.org\"} is required"
                    .into(),
            )
        })?;
    if map.len() > MAX_TARGETS {
        return Err(bad(format!(
            "{} targets, at most {MAX_TARGETS} are allowed",
            map.len()
        )));
    }
    map.iter()
        .map(|(key, v)| match v.as_str() {
            Some(raw) if !key.is_empty() && !key.contains('.') => {
                Ok((key.clone(), raw.to_string()))
            }
            Some(_) => Err(bad(format!(
                "'{key}' is not a usable key (non-empty, no '.')"
            ))),
            None => Err(bad(format!("'{key}': expected a string, got {v}"))),
        })
        .collect()
}

/// `exclude_targets`: up to 10 domains or URLs; a URL ending in `*` stands for every URL
/// under it.
fn excluded_targets(task: &Task, include_subdomains: bool) -> Result<Vec<Target>, DfsError> {
    let bad = |reason: String| DfsError::invalid("exclude_targets", reason);
    let Some(json) = task.get("exclude_targets") else {
        return Ok(Vec::new());
    };
    let list = json
        .as_array()
        .ok_or_else(|| bad(format!("expected an array of domains or URLs, got {json}")))?;
    if list.len() > MAX_EXCLUDED {
        return Err(bad(format!(
            "{} targets, at most {MAX_EXCLUDED} are allowed",
            list.len()
        )));
    }
    list.iter()
        .map(|v| {
            let raw = v
                .as_str()
                .ok_or_else(|| bad(format!("expected strings, got {v}")))?;
            match raw.strip_suffix('*') {
                Some(prefix) if prefix.contains("://") => {
                    Target::parse(prefix, TargetMode::Prefix).map_err(|e| bad(e.to_string()))
                }
                _ => target_of(raw, include_subdomains).map_err(bad),
            }
        })
        .collect()
}

/// A field of the joined rows: `intersections_count`, or `KEY.field` with `KEY` one of the
/// `targets` keys and `field` a counter (or `target`, the referring domain or page).
fn joined_field(keys: &[&str], report: &Report, name: &str) -> Result<FilterField, String> {
    if name == INTERSECTIONS {
        return Ok(FilterField::column(
            Field {
                name: INTERSECTIONS,
                ty: ColType::Int,
            },
            false,
        ));
    }
    let (key, field) = name.split_once('.').ok_or_else(|| {
        format!("'{name}' is neither intersections_count nor '<targets key>.<field>'")
    })?;
    let part = keys
        .iter()
        .position(|k| *k == key)
        .ok_or_else(|| format!("'{key}' in '{name}' is not a key of targets"))?
        + 1;
    if field == "target" {
        return Ok(FilterField::column(
            Field {
                name: part_column(part, KEY),
                ty: ColType::Str,
            },
            false,
        ));
    }
    let column = report
        .column(field)
        .ok_or_else(|| format!("'{field}' in '{name}' is not a field of the intersection"))?;
    Ok(FilterField::column(
        Field {
            name: part_column(part, column.name),
            ty: column.ty,
        },
        column.name == "rank",
    ))
}

pub async fn run_intersection(
    engine: &Engine,
    geoip: Option<&GeoIp>,
    mut request: IntersectionRequest,
) -> Result<Value, DfsError> {
    let indirect = settle_targets(engine, geoip, &mut request).await?;
    let (total, batches) = engine.intersect(&request.query).await?;
    let mut columns: Vec<(&str, ColType)> =
        vec![(KEY, ColType::Str), (INTERSECTIONS, ColType::Int)];
    for part in 1..=request.parts.len() {
        columns.push((part_column(part, KEY), ColType::Str));
        for c in DATAFORSEO_COUNTERS {
            columns.push((part_column(part, c.name), c.ty));
        }
    }
    let rows = render::rows(&batches, &columns, DateStyle::DataForSeo);
    let items = match request.kind {
        Kind::Domains => rows
            .iter()
            .map(|row| domain_item(row, &request))
            .collect::<Vec<_>>(),
        Kind::Pages => page_items(engine, geoip, &rows, &request, &indirect).await?,
    };
    let targets: Map<String, Value> = request
        .targets
        .iter()
        .map(|(k, raw)| (k.clone(), Value::from(raw.as_str())))
        .collect();
    Ok(json!({
        "targets": targets,
        "total_count": total,
        "items_count": items.len(),
        "items": items,
    }))
}

/// With `include_indirect_links`, every target and excluded target also covers the URLs
/// leading into it, and each one's link filter is bound for it ([`backlinks::settle_target`]);
/// the targets' indirect URLs, in part order.
async fn settle_targets(
    engine: &Engine,
    geoip: Option<&GeoIp>,
    request: &mut IntersectionRequest,
) -> Result<Vec<backlinks::Indirect>, DfsError> {
    let include = request.include_indirect;
    let mut indirect = Vec::with_capacity(request.parts.len());
    for (target, part) in request.parts.iter_mut().zip(&mut request.query.parts) {
        let filter = &mut part.link_filter;
        indirect.push(backlinks::settle_target(engine, geoip, target, include, filter).await?);
        part.target = target.clone();
    }
    for excluded in &mut request.query.excluded {
        let (target, filter) = (&mut excluded.target, &mut excluded.link_filter);
        backlinks::settle_target(engine, geoip, target, include, filter).await?;
    }
    Ok(indirect)
}

fn summary(row: &Map<String, Value>) -> Value {
    json!({ "intersections_count": row.get(INTERSECTIONS).cloned().unwrap_or(Value::from(0)) })
}

/// The part's counters of a joined row, or `None` where the key does not link to it.
fn part_counters(row: &Map<String, Value>, part: usize) -> Option<Map<String, Value>> {
    row.get(part_column(part, KEY)).filter(|v| !v.is_null())?;
    Some(
        DATAFORSEO_COUNTERS
            .iter()
            .map(|c| {
                let v = row.get(part_column(part, c.name)).cloned();
                (c.name.to_string(), v.unwrap_or(Value::Null))
            })
            .collect(),
    )
}

fn domain_item(row: &Map<String, Value>, request: &IntersectionRequest) -> Value {
    let key = row.get(KEY).cloned().unwrap_or(Value::Null);
    let per_target: Map<String, Value> = request
        .targets
        .iter()
        .enumerate()
        .map(|(i, (name, _))| {
            let value = part_counters(row, i + 1).map_or(Value::Null, |counters| {
                let mut item = Map::new();
                item.insert("type".into(), Value::from("referring_domain"));
                item.insert("target".into(), key.clone());
                item.extend(aggregates::counters(&counters, request.scale));
                Value::Object(item)
            });
            (name.clone(), value)
        })
        .collect();
    json!({ "domain_intersection": per_target, "summary": summary(row) })
}

/// Each page with, per target it links to, its links to that target as backlink items.
async fn page_items(
    engine: &Engine,
    geoip: Option<&GeoIp>,
    rows: &[Map<String, Value>],
    request: &IntersectionRequest,
    indirect: &[backlinks::Indirect],
) -> Result<Vec<Value>, DfsError> {
    let pages: Vec<String> = rows
        .iter()
        .filter_map(|r| r.get(KEY).and_then(Value::as_str).map(str::to_string))
        .collect();
    let mut links_by_part = Vec::with_capacity(request.parts.len());
    for (target, indirect) in request.parts.iter().zip(indirect) {
        let links = links_from(engine, geoip, target, indirect, &pages, request).await?;
        links_by_part.push(links);
    }
    Ok(rows
        .iter()
        .map(|row| {
            let page = row.get(KEY).and_then(Value::as_str).unwrap_or_default();
            let per_target: Map<String, Value> = request
                .targets
                .iter()
                .zip(&links_by_part)
                .enumerate()
                .map(|(i, ((name, _), links))| {
                    let value = match part_counters(row, i + 1) {
                        Some(_) => Value::Array(links.get(page).cloned().unwrap_or_default()),
                        None => Value::Null,
                    };
                    (name.clone(), value)
                })
                .collect();
            json!({ "page_intersection": per_target, "summary": summary(row) })
        })
        .collect())
}

/// The target's links from `pages`, up to `internal_list_limit` per page, as backlink items.
async fn links_from(
    engine: &Engine,
    geoip: Option<&GeoIp>,
    target: &Target,
    indirect: &backlinks::Indirect,
    pages: &[String],
    request: &IntersectionRequest,
) -> Result<HashMap<String, Vec<Value>>, DfsError> {
    let mut out: HashMap<String, Vec<Value>> = HashMap::new();
    if pages.is_empty() {
        return Ok(out);
    }
    let url_from = Field {
        name: "url_from",
        ty: ColType::Str,
    };
    let query = BacklinksQuery {
        report: BacklinkReport::AllBacklinks,
        target: target.clone(),
        protocol: Default::default(),
        select: fields::item_columns(),
        filter: Some(Filter::Cond {
            column: url_from,
            modifier: None,
            condition: Condition::In(pages.iter().cloned().map(FilterValue::Str).collect()),
        }),
        order_by: Vec::new(),
        limit: pages.len() * request.links_per_page,
        offset: 0,
        aggregation: Aggregation::Top {
            key: anchorage_query::GroupKey::Column("url_from"),
            keep: request.links_per_page as u64,
        },
        history: request.history,
        include_internal: request.include_internal,
        after: None,
        with_sort_keys: false,
    };
    let batches = engine.backlinks(&query).await?;
    let columns: Vec<_> = query.select.iter().map(|c| (c.name, c.ty)).collect();
    let mut rows = render::rows(&batches, &columns, DateStyle::DataForSeo);
    fields::enrich(engine, geoip, &mut rows).await?;
    fields::mark_indirect(indirect, &mut rows);
    for row in rows {
        let page = row
            .get("url_from")
            .and_then(Value::as_str)
            .unwrap_or_default();
        out.entry(page.to_string())
            .or_default()
            .push(fields::render_item(&row, request.scale));
    }
    Ok(out)
}

/// A parsed `competitors` task.
pub struct CompetitorsRequest {
    target: String,
    query: Competitors,
    scale: RankScale,
    include_indirect: bool,
}

pub fn parse_competitors(task: &Task) -> Result<CompetitorsRequest, DfsError> {
    let raw = task.required_str("target")?.to_string();
    let by_root = task.bool("main_domain", true)?;
    let target = target_of(&raw, true).map_err(|e| DfsError::invalid("target", e))?;
    let exclude_large = task.bool("exclude_large_domains", true)?;
    let include_internal = !task.bool("exclude_internal_backlinks", true)?;
    let include_indirect = task.bool("include_indirect_links", true)?;
    let scale = rank_scale(task)?;
    let filter = task
        .get("filters")
        .map(|json| {
            filters::parse(json, &competitor_field, scale)
                .map_err(|e| DfsError::invalid("filters", e))
        })
        .transpose()?;
    let order_by = order_rules(task, |name| competitor_field(name).map(|f| f.field.name))?;
    let limit = task.int("limit", 1, MAX_LIMIT)?.unwrap_or(100) as usize;
    let offset = task.int("offset", 0, MAX_OFFSET)?.unwrap_or(0) as usize;
    task.tag()?;
    task.reject_unknown()?;
    Ok(CompetitorsRequest {
        target: raw,
        query: Competitors {
            target,
            by_root,
            exclude_large,
            include_internal,
            filter,
            order_by,
            limit,
            offset,
        },
        scale,
        include_indirect,
    })
}

fn competitor_field(name: &str) -> Result<FilterField, String> {
    let (name, ty) = match name {
        "target" => (COMPETITOR, ColType::Str),
        "rank" => (COMPETITOR_RATING, ColType::Float),
        "intersections" => (COMPETITOR_INTERSECTIONS, ColType::Int),
        other => {
            return Err(format!(
                "'{other}' is not a field of competitors (target, rank, intersections)"
            ));
        }
    };
    Ok(FilterField::column(
        Field { name, ty },
        name == COMPETITOR_RATING,
    ))
}

pub async fn run_competitors(
    engine: &Engine,
    mut request: CompetitorsRequest,
) -> Result<Value, DfsError> {
    let target = &mut request.query.target;
    backlinks::add_indirect(engine, target, request.include_indirect).await?;
    let (total, batches) = engine.competitors(&request.query).await?;
    let columns = [
        (COMPETITOR, ColType::Str),
        (COMPETITOR_RATING, ColType::Float),
        (COMPETITOR_INTERSECTIONS, ColType::Int),
    ];
    let items: Vec<Value> = render::rows(&batches, &columns, DateStyle::DataForSeo)
        .iter()
        .map(|row| {
            json!({
                "type": "backlinks_competitors",
                "target": row.get(COMPETITOR),
                "rank": request.scale.rank(row.get(COMPETITOR_RATING).unwrap_or(&Value::Null)),
                "intersections": row.get(COMPETITOR_INTERSECTIONS),
            })
        })
        .collect();
    Ok(json!({
        "target": request.target,
        "total_count": total,
        "items_count": items.len(),
        "items": items,
    }))
}
