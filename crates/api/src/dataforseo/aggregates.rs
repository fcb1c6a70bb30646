//! The aggregate functions — `anchors`, `referring_domains`, `referring_networks`,
//! `domain_pages`, `domain_pages_summary` — and `summary`: each request becomes a [`ReportQuery`] over one of the
//! catalogue's [`DATAFORSEO_REPORTS`]; the rows are rendered as DataForSEO items.

use super::backlinks::{self, link_filter, order_rules};
use super::envelope::DfsError;
use super::fields::{REL_ATTRIBUTES, RankScale, platform_types, tld};
use super::filters::{self, FilterField};
use super::task::Task;
use crate::geoip::{GeoIp, host_country};
use crate::render::{self, DateStyle};
use anchorage_core::catalogue::{ColType, backlink_column};
use anchorage_core::reports::{
    Agg, DATAFORSEO_COUNTERS, Report, ReportColumn, dataforseo_report_named,
};
use anchorage_extract::powered_by;
use anchorage_query::filter::{Condition, Field, Filter, Value as Test};
use anchorage_query::pages::PAGE_FACTS;
use anchorage_query::{Engine, GROUP_COUNT, ReportOrder, ReportQuery};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

const MAX_OFFSET: i64 = 1_000_000;
const MAX_LIST_LIMIT: i64 = 1000;

/// One aggregate function: the report it reads, its item `type`, and the name its items
/// give the group key.
pub struct Aggregate {
    pub report: &'static Report,
    pub item_type: &'static str,
    pub key_name: &'static str,
}

/// The group keys as sortable report columns (`order_by: ["anchor,asc"]`).
static KEYS: &[ReportColumn] = &[
    key_column("anchor"),
    key_column("name_source"),
    key_column("ip_source"),
    key_column("subnet_source"),
    key_column("url_to"),
];

const fn key_column(name: &'static str) -> ReportColumn {
    ReportColumn {
        name,
        ty: ColType::Str,
        nullable: true,
        cost: 1,
        agg: Agg::Key,
        description: "The group key.",
    }
}

/// The aggregate function a request names.
pub fn aggregate(function: &str, task: &Task) -> Result<Aggregate, DfsError> {
    let (endpoint, item_type, key_name) = match function {
        "anchors" => ("anchors", "anchor", "anchor"),
        "referring_domains" => ("referring_domains", "referring_domain", "domain"),
        "domain_pages" => ("domain_pages", "domain_page", "page"),
        // The same groups as `domain_pages`, each item the page's URL and flat counters.
        "domain_pages_summary" => ("domain_pages", "backlinks_domain_pages_summary", "url"),
        "referring_networks" => {
            match task.one_of("network_address_type", &["ip", "subnet"], "ip")? {
                "subnet" => (
                    "referring_networks_subnet",
                    "referring_network",
                    "network_address",
                ),
                _ => (
                    "referring_networks_ip",
                    "referring_network",
                    "network_address",
                ),
            }
        }
        other => return Err(DfsError::NotImplemented(format!("no aggregate '{other}'"))),
    };
    let report = dataforseo_report_named(endpoint)
        .ok_or_else(|| DfsError::Internal(format!("report {endpoint} is not catalogued")))?;
    Ok(Aggregate {
        report,
        item_type,
        key_name,
    })
}

/// A parsed aggregate request.
pub struct Request {
    pub query: ReportQuery,
    pub scale: RankScale,
    pub list_limit: usize,
    pub include_indirect: bool,
}

/// The fields every aggregate function and `summary` share.
fn common(task: &Task, report: &'static Report) -> Result<Request, DfsError> {
    let target = task.target(true)?;
    let scale = backlinks::rank_scale(task)?;
    let history = backlinks::history(task)?;
    let link_filter = link_filter(task, "backlinks_filters", scale)?;
    let include_internal = !task.bool("exclude_internal_backlinks", true)?;
    let include_indirect = task.bool("include_indirect_links", true)?;
    let list_limit = task
        .int("internal_list_limit", 1, MAX_LIST_LIMIT)?
        .unwrap_or(10) as usize;
    task.tag()?;
    Ok(Request {
        query: ReportQuery {
            report,
            target,
            protocol: Default::default(),
            select: DATAFORSEO_COUNTERS.iter().collect(),
            link_filter,
            group_filter: None,
            order_by: Vec::new(),
            limit: 100,
            offset: 0,
            history,
            include_internal,
        },
        scale,
        list_limit,
        include_indirect,
    })
}

/// Parses an aggregate function's task.
pub fn parse(task: &Task, agg: &Aggregate) -> Result<Request, DfsError> {
    let mut request = common(task, agg.report)?;
    let scale = request.scale;
    let resolve = |name: &str| item_filter_field(agg, name);
    request.query.group_filter = task
        .get("filters")
        .map(|json| {
            filters::parse(json, &resolve, scale).map_err(|e| DfsError::invalid("filters", e))
        })
        .transpose()?;
    request.query.order_by = order_rules(task, |name| order_column(agg, name))?
        .into_iter()
        .map(|(column, descending)| ReportOrder { column, descending })
        .collect();
    request.query.limit = task.int("limit", 1, backlinks::MAX_LIMIT)?.unwrap_or(100) as usize;
    request.query.offset = task.int("offset", 0, MAX_OFFSET)?.unwrap_or(0) as usize;
    task.reject_unknown()?;
    Ok(request)
}

/// An item field name without the `page_summary.` prefix `domain_pages` filters use.
fn counter_name(name: &str) -> &str {
    name.strip_prefix("page_summary.").unwrap_or(name)
}

fn item_filter_field(agg: &Aggregate, name: &str) -> Result<FilterField, String> {
    if name == agg.key_name {
        return Ok(FilterField::column(
            Field {
                name: agg.report.group_by,
                ty: ColType::Str,
            },
            false,
        ));
    }
    let column = agg
        .report
        .column(counter_name(name))
        .ok_or_else(|| format!("'{name}' is not a field of {} items", agg.item_type))?;
    Ok(FilterField::column(
        Field {
            name: column.name,
            ty: column.ty,
        },
        column.name == "rank",
    ))
}

fn order_column(agg: &Aggregate, name: &str) -> Result<&'static ReportColumn, String> {
    if name == agg.key_name {
        return KEYS
            .iter()
            .find(|k| k.name == agg.report.group_by)
            .ok_or_else(|| format!("'{name}' cannot be sorted on"));
    }
    agg.report
        .column(counter_name(name))
        .ok_or_else(|| format!("'{name}' is not a field of {} items", agg.item_type))
}

/// The counters of one row as DataForSEO fields (ranks scaled, spam scores whole numbers).
pub(super) fn counters(row: &Map<String, Value>, scale: RankScale) -> Map<String, Value> {
    let mut out = Map::new();
    for c in DATAFORSEO_COUNTERS {
        let v = row.get(c.name).cloned().unwrap_or(Value::Null);
        let v = match c.name {
            "rank" => scale.rank(&v),
            "backlinks_spam_score" => v
                .as_f64()
                .map_or(Value::Null, |x| Value::from(x.round() as i64)),
            _ => v,
        };
        out.insert(c.name.to_string(), v);
    }
    for map in LINK_MAPS {
        out.insert(map.to_string(), Value::Null);
    }
    out
}

/// The `referring_links_*` breakdowns (null until [`link_maps`] fills them), in the order
/// [`LinkCounts::into_maps`] pairs them with their counts.
const LINK_MAPS: [&str; 6] = [
    "referring_links_tld",
    "referring_links_types",
    "referring_links_attributes",
    "referring_links_platform_types",
    "referring_links_semantic_locations",
    "referring_links_countries",
];

/// Runs an aggregate function.
pub async fn run(
    engine: &Engine,
    geoip: Option<&GeoIp>,
    agg: &Aggregate,
    mut request: Request,
) -> Result<Value, DfsError> {
    let q = &mut request.query;
    let include = request.include_indirect;
    backlinks::settle_target(engine, geoip, &mut q.target, include, &mut q.link_filter).await?;
    let query = &request.query;
    let total = engine.report_count(query).await?;
    let batches = engine.report(query).await?;
    let mut columns: Vec<(&str, ColType)> = vec![(agg.report.group_by, ColType::Str)];
    columns.extend(query.select.iter().map(|c| (c.name, c.ty)));
    let rows = render::rows(&batches, &columns, DateStyle::DataForSeo);
    let maps = item_link_maps(engine, geoip, query, &rows, request.list_limit).await?;
    let pages = if agg.key_name == "page" {
        page_facts(engine, &rows, agg.report.group_by).await?
    } else {
        BTreeMap::new()
    };
    let items: Vec<Value> = rows
        .iter()
        .map(|row| {
            let key = group_key(row.get(agg.report.group_by));
            let mut item = item(agg, row, request.scale, maps.get(&key));
            if let (Some(out), Some(page)) = (item.as_object_mut(), pages.get(&key)) {
                page_facts_fields(out, page);
            }
            item
        })
        .collect();
    Ok(json!({
        "target": query.target.input,
        "total_count": total,
        "items_count": items.len(),
        "items": items,
    }))
}

fn item(
    agg: &Aggregate,
    row: &Map<String, Value>,
    scale: RankScale,
    maps: Option<&Map<String, Value>>,
) -> Value {
    let key = row.get(agg.report.group_by).cloned().unwrap_or(Value::Null);
    let mut figures = counters(row, scale);
    figures.extend(
        maps.into_iter()
            .flatten()
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    let mut out = Map::new();
    out.insert("type".into(), Value::from(agg.item_type));
    if agg.key_name == "page" {
        page_fields(&mut out, &key);
        out.insert("page_summary".into(), Value::Object(figures));
    } else {
        out.insert(agg.key_name.into(), key);
        out.extend(figures);
    }
    Value::Object(out)
}

/// The facts of the items' pages the index fetched, by URL ([`anchorage_query::pages`]).
async fn page_facts(
    engine: &Engine,
    rows: &[Map<String, Value>],
    group_by: &str,
) -> Result<BTreeMap<String, Map<String, Value>>, DfsError> {
    let urls: Vec<String> = rows
        .iter()
        .filter_map(|r| r.get(group_by).and_then(Value::as_str).map(String::from))
        .collect();
    let batches = engine.page_facts(&urls).await?;
    Ok(render::rows(&batches, PAGE_FACTS, DateStyle::DataForSeo)
        .into_iter()
        .map(|row| (group_key(row.get("url")), row))
        .collect())
}

/// A `domain_pages` item's crawl facts, from the page's row of the `pages` table. The index
/// keeps no transfer size or content coding (`encoded_size`, `content_encoding`) and no
/// counts of images, words or headings: those stay null.
fn page_facts_fields(out: &mut Map<String, Value>, page: &Map<String, Value>) {
    let get = |name: &str| page.get(name).cloned().unwrap_or(Value::Null);
    let software: Vec<&str> = page
        .get("powered_by")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let media_type = page
        .get("content_type")
        .and_then(Value::as_str)
        .map(|t| t.split(';').next().unwrap_or(t).trim().to_ascii_lowercase());
    let platform = platform_types(&Map::from_iter([
        ("powered_by".to_string(), get("powered_by")),
        ("page_type_source".to_string(), get("page_type")),
    ]));
    for (name, value) in [
        ("ip", get("ip")),
        ("first_visited", get("first_seen")),
        ("prev_visited", get("prev_visited")),
        ("fetch_time", get("last_visited")),
        ("status_code", get("http_code")),
        ("location", get("location")),
        ("size", get("page_size")),
        ("media_type", json!(media_type)),
        (
            "server",
            json!(software.iter().find(|s| powered_by::is_web_server(s))),
        ),
    ] {
        out.insert(name.into(), value);
    }
    let language = page
        .get("languages")
        .and_then(Value::as_array)
        .and_then(|l| l.first())
        .cloned();
    out.insert(
        "meta".into(),
        json!({
            "title": get("title"),
            "canonical": get("canonical"),
            "internal_links_count": get("links_internal"),
            "external_links_count": get("links_external"),
            "images_count": null,
            "words_count": null,
            "page_spam_score": null,
            "social_media_tags": null,
            "h1": null,
            "h2": null,
            "h3": null,
            "images_alt": null,
            "powered_by": software,
            "language": language,
            "charset": get("encoding"),
            "platform_type": platform,
            "technologies": null,
        }),
    );
}

/// A `domain_pages` item: the page's URL parts; its crawl facts are null until
/// [`page_facts_fields`] fills those the index has.
fn page_fields(out: &mut Map<String, Value>, page: &Value) {
    let url = page.as_str().unwrap_or_default();
    let host = anchorage_core::urls::host_of(url);
    out.insert(
        "main_domain".into(),
        Value::from(anchorage_core::domain::root_domain(host)),
    );
    out.insert("domain".into(), Value::from(host));
    out.insert("tld".into(), Value::from(tld(host)));
    out.insert("page".into(), page.clone());
    for name in [
        "ip",
        "first_visited",
        "prev_visited",
        "fetch_time",
        "status_code",
        "location",
        "size",
        "encoded_size",
        "content_encoding",
        "media_type",
        "server",
        "meta",
    ] {
        out.insert(name.into(), Value::Null);
    }
}

/// Parses `summary`.
pub fn parse_summary(task: &Task) -> Result<Request, DfsError> {
    let report = dataforseo_report_named("referring_domains")
        .ok_or_else(|| DfsError::Internal("report referring_domains is not catalogued".into()))?;
    let request = common(task, report)?;
    task.reject_unknown()?;
    Ok(request)
}

/// Runs `summary`: the counters over every link of the target, its own rank and the
/// breakdowns of its links.
pub async fn run_summary(
    engine: &Engine,
    geoip: Option<&GeoIp>,
    mut request: Request,
) -> Result<Value, DfsError> {
    let q = &mut request.query;
    let include = request.include_indirect;
    backlinks::settle_target(engine, geoip, &mut q.target, include, &mut q.link_filter).await?;
    let query = &request.query;
    let batches = engine.report_totals(query).await?;
    let columns: Vec<(&str, ColType)> = query.select.iter().map(|c| (c.name, c.ty)).collect();
    let row = render::rows(&batches, &columns, DateStyle::DataForSeo)
        .into_iter()
        .next()
        .unwrap_or_default();
    let mut figures = counters(&row, request.scale);
    let own_rank = super::ranks::target_rating(engine, &query.target).await?;
    figures.insert(
        "rank".into(),
        own_rank.map_or(Value::from(0), |r| request.scale.rank(&Value::from(r))),
    );
    let outlinks = engine.outlinks_stats(&query.target, query.protocol).await?;
    let external = outlinks
        .iter()
        .find(|(k, _)| *k == "outgoing_links")
        .map_or(Value::Null, |(_, v)| Value::from(*v));
    let maps = target_link_maps(engine, geoip, query, request.list_limit).await?;
    let mut out = Map::new();
    out.insert("target".into(), Value::from(query.target.input.clone()));
    for name in [
        "first_seen",
        "lost_date",
        "rank",
        "backlinks",
        "backlinks_spam_score",
    ] {
        out.insert(name.into(), figures.remove(name).unwrap_or(Value::Null));
    }
    out.insert("crawled_pages".into(), Value::Null);
    out.insert("info".into(), info(engine, geoip, query).await?);
    out.insert("internal_links_count".into(), Value::Null);
    out.insert("external_links_count".into(), external);
    out.extend(figures);
    out.extend(maps);
    Ok(Value::Object(out))
}

/// `summary.info`: the target's own facts, from its pages the index fetched (seen through
/// their outgoing links, internal ones included): the web server and the CMS most of those
/// links' pages name, the platform types of those pages, their most common IP address and its
/// country ([`host_country`]), and the target root domain's link-farm score.
async fn info(
    engine: &Engine,
    geoip: Option<&GeoIp>,
    query: &ReportQuery,
) -> Result<Value, DfsError> {
    let host = query.target.host();
    let own_pages = ReportQuery {
        report: anchorage_core::reports::report("linkeddomains")
            .ok_or_else(|| DfsError::Internal("report linkeddomains is not catalogued".into()))?,
        target: anchorage_core::target::Target {
            indirect_urls: Vec::new(),
            ..query.target.clone()
        },
        link_filter: None,
        group_filter: None,
        history: anchorage_query::History::Live,
        include_internal: true,
        ..query.clone()
    };
    let mut software: BTreeMap<String, i64> = BTreeMap::new();
    let mut platforms: BTreeMap<String, i64> = BTreeMap::new();
    let mut ips: BTreeMap<String, i64> = BTreeMap::new();
    let columns = ["powered_by", "page_type_source", "ip_source"];
    for (row, n) in grouped(engine, &own_pages, &columns).await? {
        if let Some(names) = row.get("powered_by").and_then(Value::as_array) {
            for name in names.iter().filter_map(Value::as_str) {
                *software.entry(name.to_string()).or_default() += n;
            }
        }
        if let Value::Array(types) = platform_types(&row) {
            for t in types.iter().filter_map(Value::as_str) {
                *platforms.entry(t.to_string()).or_default() += n;
            }
        }
        if let Some(ip) = row.get("ip_source").and_then(Value::as_str) {
            *ips.entry(ip.to_string()).or_default() += n;
        }
    }
    let most_common = |counts: &BTreeMap<String, i64>, keep: &dyn Fn(&str) -> bool| {
        counts
            .iter()
            .filter(|(name, _)| keep(name))
            .max_by_key(|(name, n)| (**n, std::cmp::Reverse(name.as_str())))
            .map(|(name, _)| name.clone())
    };
    let ip = most_common(&ips, &|_| true);
    let spam = engine
        .domain_spam_score(anchorage_core::domain::root_domain(host))
        .await?;
    Ok(json!({
        "server": most_common(&software, &powered_by::is_web_server),
        "cms": most_common(&software, &powered_by::is_site_software),
        "platform_type": (!platforms.is_empty()).then(|| platforms.keys().cloned().collect::<Vec<_>>()),
        "ip_address": ip,
        "country": host_country(geoip, host, ip.as_deref()),
        "is_ip": anchorage_core::domain::is_ip(host),
        "target_spam_score": spam,
    }))
}

/// The `referring_links_*` breakdowns of all of the query's links (empty maps without links).
pub(super) async fn target_link_maps(
    engine: &Engine,
    geoip: Option<&GeoIp>,
    query: &ReportQuery,
    limit: usize,
) -> Result<Map<String, Value>, DfsError> {
    Ok(link_maps(engine, geoip, query, None, limit)
        .await?
        .remove("")
        .unwrap_or_else(|| LinkCounts::default().into_maps(limit)))
}

/// The breakdowns of the items' links, by group key: the `referring_links_*` of each item.
async fn item_link_maps(
    engine: &Engine,
    geoip: Option<&GeoIp>,
    query: &ReportQuery,
    rows: &[Map<String, Value>],
    limit: usize,
) -> Result<BTreeMap<String, Map<String, Value>>, DfsError> {
    let group_by = query.report.group_by;
    let keys: Vec<Test> = rows
        .iter()
        .filter_map(|r| r.get(group_by).and_then(Value::as_str))
        .map(|k| Test::Str(k.to_string()))
        .collect();
    let null_key = rows
        .iter()
        .any(|r| r.get(group_by).is_none_or(Value::is_null));
    let Some(column) = backlink_column(group_by) else {
        return Ok(BTreeMap::new());
    };
    // Only the links of the items shown: a page of groups, not the whole target.
    let key_is = |condition| Filter::Cond {
        column: Field::from(column),
        modifier: None,
        condition,
    };
    let of_the_items = match (keys.is_empty(), null_key) {
        (true, false) => return Ok(BTreeMap::new()),
        (false, false) => key_is(Condition::In(keys)),
        (true, true) => key_is(Condition::IsNull),
        (false, true) => Filter::Or(vec![key_is(Condition::In(keys)), key_is(Condition::IsNull)]),
    };
    let mut query = query.clone();
    query.link_filter = Some(match query.link_filter.take() {
        Some(f) => Filter::And(vec![f, of_the_items]),
        None => of_the_items,
    });
    link_maps(engine, geoip, &query, Some(group_by), limit).await
}

/// A group key as the maps of [`link_maps`] are keyed.
fn group_key(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn counts_of<'m>(
    by_key: &'m mut BTreeMap<String, LinkCounts>,
    key: Option<&str>,
    row: &Map<String, Value>,
) -> &'m mut LinkCounts {
    by_key
        .entry(group_key(key.and_then(|k| row.get(k))))
        .or_default()
}

/// The link counts behind one set of `referring_links_*` breakdowns.
#[derive(Default)]
struct LinkCounts {
    tlds: BTreeMap<String, i64>,
    countries: BTreeMap<String, i64>,
    platforms: BTreeMap<String, i64>,
    types: BTreeMap<String, i64>,
    attributes: BTreeMap<String, i64>,
    locations: BTreeMap<String, i64>,
}

impl LinkCounts {
    /// Each breakdown at most `limit` entries, the most frequent first, named as [`LINK_MAPS`]
    /// lists them.
    fn into_maps(self, limit: usize) -> Map<String, Value> {
        let in_map_order = [
            self.tlds,
            self.types,
            self.attributes,
            self.platforms,
            self.locations,
            self.countries,
        ];
        LINK_MAPS
            .iter()
            .zip(in_map_order)
            .map(|(name, counts)| {
                let counts = counts_map(counts.into_iter().collect(), limit);
                (name.to_string(), counts)
            })
            .collect()
    }
}

/// The breakdowns of the query's links: TLDs and countries ([`host_country`]) of the
/// referring hosts, platform types of the referring pages, link types, rel attributes and
/// semantic locations; each at most `limit` entries, the most frequent first. Per value of
/// the column `key`, or of all the links under the key "" when `key` is `None`.
async fn link_maps(
    engine: &Engine,
    geoip: Option<&GeoIp>,
    query: &ReportQuery,
    key: Option<&'static str>,
    limit: usize,
) -> Result<BTreeMap<String, Map<String, Value>>, DfsError> {
    let mut by_key: BTreeMap<String, LinkCounts> = BTreeMap::new();
    // The key once, then the breakdown's columns (`referring_domains` is keyed by one of them).
    let columns = |of: &[&'static str]| -> Vec<&'static str> {
        let rest = of.iter().copied().filter(|c| Some(*c) != key);
        key.into_iter().chain(rest).collect()
    };
    let counts = async |of: &[&'static str]| -> Result<Counted, DfsError> {
        grouped(engine, query, &columns(of)).await
    };
    let text =
        |row: &Map<String, Value>, c: &str| row.get(c).and_then(Value::as_str).map(str::to_string);
    let rows = counts(&["name_source", "ip_source"]).await?;
    for (row, n) in rows {
        let c = counts_of(&mut by_key, key, &row);
        let host = text(&row, "name_source").unwrap_or_default();
        *c.tlds.entry(tld(&host).to_string()).or_default() += n;
        let ip = row.get("ip_source").and_then(Value::as_str);
        if let Some(country) = host_country(geoip, &host, ip) {
            *c.countries.entry(country).or_default() += n;
        }
    }
    for (row, n) in counts(&["powered_by", "page_type_source"]).await? {
        let c = counts_of(&mut by_key, key, &row);
        if let Value::Array(types) = platform_types(&row) {
            for t in types.iter().filter_map(Value::as_str) {
                *c.platforms.entry(t.to_string()).or_default() += n;
            }
        }
    }
    for (row, n) in counts(&["item_type", "semantic_location"]).await? {
        let c = counts_of(&mut by_key, key, &row);
        if let Some(t) = text(&row, "item_type") {
            *c.types.entry(t).or_default() += n;
        }
        if let Some(location) = text(&row, "semantic_location") {
            *c.locations.entry(location).or_default() += n;
        }
    }
    for (row, n) in counts(&REL_ATTRIBUTES.map(|(c, _)| c)).await? {
        let c = counts_of(&mut by_key, key, &row);
        for (column, name) in REL_ATTRIBUTES {
            if row.get(column) == Some(&Value::Bool(true)) {
                *c.attributes.entry(name.to_string()).or_default() += n;
            }
        }
    }
    Ok(by_key
        .into_iter()
        .map(|(k, c)| (k, c.into_maps(limit)))
        .collect())
}

/// Rows of [`grouped`]: the columns' values and how many links have them.
type Counted = Vec<(Map<String, Value>, i64)>;

/// The report's links grouped by `columns` (rendered as DataForSEO values), with how many
/// links each group has.
async fn grouped(
    engine: &Engine,
    query: &ReportQuery,
    columns: &[&str],
) -> Result<Counted, DfsError> {
    let batches = engine.group_counts(query, columns).await?;
    let mut typed: Vec<(&str, ColType)> = columns
        .iter()
        .map(|c| (*c, backlink_column(c).map_or(ColType::Str, |c| c.ty)))
        .collect();
    typed.push((GROUP_COUNT, ColType::Int));
    Ok(render::rows(&batches, &typed, DateStyle::DataForSeo)
        .into_iter()
        .map(|row| {
            let n = row.get(GROUP_COUNT).and_then(Value::as_i64).unwrap_or(0);
            (row, n)
        })
        .collect())
}

/// `{value: count}`, the `limit` most frequent values.
fn counts_map(mut counts: Vec<(String, i64)>, limit: usize) -> Value {
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Value::Object(
        counts
            .into_iter()
            .take(limit)
            .map(|(k, n)| (k, Value::from(n)))
            .collect(),
    )
}
