//! `bulk_backlinks` and `bulk_referring_domains`: the `summary` counters of up to 1000
//! targets, each an aggregate over that target's live backlinks; `bulk_new_lost_backlinks` and
//! `bulk_new_lost_referring_domains`: what each target gained and lost since `date_from`;
//! `bulk_pages_summary`: every `summary` counter of each target, with its ranks;
//! `bulk_spam_score`: each target's root domain's link-farm score.

use super::aggregates;
use super::backlinks::rank_scale;
use super::envelope::DfsError;
use super::fields::RankScale;
use super::ranks::{date, parse_targets, target_rating};
use super::task::Task;
use crate::geoip::GeoIp;
use crate::render::{self, DateStyle};
use anchorage_core::catalogue::ColType;
use anchorage_core::domain::root_domain;
use anchorage_core::reports::{DATAFORSEO_COUNTERS, ReportColumn, dataforseo_report_named};
use anchorage_core::target::{Target, TargetMode};
use anchorage_core::time::{Micros, iso_date};
use anchorage_query::{Engine, History, ReportQuery};
use serde_json::{Map, Value, json};

/// Which counters a bulk function returns per target.
pub fn counters(function: &str) -> &'static [&'static str] {
    match function {
        "bulk_backlinks" => &["backlinks"],
        _ => &[
            "referring_domains",
            "referring_domains_nofollow",
            "referring_main_domains",
            "referring_main_domains_nofollow",
        ],
    }
}

pub fn parse(task: &Task) -> Result<Vec<(String, Target)>, DfsError> {
    let targets = parse_targets(task)?;
    task.tag()?;
    task.reject_unknown()?;
    Ok(targets)
}

pub async fn run(
    engine: &Engine,
    function: &str,
    targets: Vec<(String, Target)>,
) -> Result<Value, DfsError> {
    let wanted = counters(function);
    let select: Vec<&'static ReportColumn> = DATAFORSEO_COUNTERS
        .iter()
        .filter(|c| wanted.contains(&c.name))
        .collect();
    let mut items = Vec::with_capacity(targets.len());
    for (raw, target) in targets {
        let row = live_counters(engine, target, &select).await?;
        let mut item = Map::new();
        item.insert("target".into(), Value::from(raw));
        for name in wanted {
            item.insert(
                name.to_string(),
                row.get(*name).cloned().unwrap_or(Value::from(0)),
            );
        }
        items.push(Value::Object(item));
    }
    Ok(json!({ "items_count": items.len(), "items": items }))
}

/// The `select`ed counters over the target's live backlinks (one row).
async fn live_counters(
    engine: &Engine,
    target: Target,
    select: &[&'static ReportColumn],
) -> Result<Map<String, Value>, DfsError> {
    counters_of(engine, &live_query(target, select)?).await
}

async fn counters_of(engine: &Engine, query: &ReportQuery) -> Result<Map<String, Value>, DfsError> {
    let batches = engine.report_totals(query).await?;
    let columns: Vec<(&str, ColType)> = query.select.iter().map(|c| (c.name, c.ty)).collect();
    Ok(render::rows(&batches, &columns, DateStyle::DataForSeo)
        .into_iter()
        .next()
        .unwrap_or_default())
}

/// The `select`ed counters' query over the target's live external backlinks.
fn live_query(target: Target, select: &[&'static ReportColumn]) -> Result<ReportQuery, DfsError> {
    let report = dataforseo_report_named("referring_domains")
        .ok_or_else(|| DfsError::Internal("report referring_domains is not catalogued".into()))?;
    Ok(ReportQuery {
        report,
        target,
        protocol: Default::default(),
        select: select.to_vec(),
        link_filter: None,
        group_filter: None,
        order_by: Vec::new(),
        limit: 1,
        offset: 0,
        history: History::Live,
        include_internal: false,
    })
}

/// Entries per `referring_links_*` breakdown of `bulk_pages_summary`, which takes no
/// `internal_list_limit` (`summary`'s default).
const LIST_LIMIT: usize = 10;

/// `bulk_pages_summary`: targets (subdomains included unless `include_subdomains: false`)
/// and the rank scale.
pub struct PagesSummary {
    targets: Vec<(String, Target)>,
    scale: RankScale,
}

pub fn parse_pages_summary(task: &Task) -> Result<PagesSummary, DfsError> {
    let mut targets = parse_targets(task)?;
    if !task.bool("include_subdomains", true)? {
        for (_, target) in &mut targets {
            if target.mode == TargetMode::Subdomains {
                target.mode = TargetMode::Domain;
            }
        }
    }
    let scale = rank_scale(task)?;
    task.tag()?;
    task.reject_unknown()?;
    Ok(PagesSummary { targets, scale })
}

/// Per target: every `summary` counter, its own rank (UR of a page, DR of a domain), its
/// root domain's, and the breakdowns of its links (as `summary`'s, 10 entries each).
pub async fn run_pages_summary(
    engine: &Engine,
    geoip: Option<&GeoIp>,
    request: PagesSummary,
) -> Result<Value, DfsError> {
    let select: Vec<&'static ReportColumn> = DATAFORSEO_COUNTERS.iter().collect();
    let scale = request.scale;
    let mut items = Vec::with_capacity(request.targets.len());
    for (raw, target) in request.targets {
        let rating = target_rating(engine, &target).await?.unwrap_or(0.0);
        let (domain_rating, _) = engine
            .domain_rating(root_domain(target.host()), engine.horizon())
            .await?;
        let query = live_query(target, &select)?;
        let row = counters_of(engine, &query).await?;
        let mut item = Map::new();
        item.insert("type".into(), Value::from("backlinks_bulk_pages_summary"));
        item.insert("url".into(), Value::from(raw));
        item.extend(aggregates::counters(&row, scale));
        item.extend(aggregates::target_link_maps(engine, geoip, &query, LIST_LIMIT).await?);
        item.insert("rank".into(), scale.rank(&Value::from(rating)));
        item.insert(
            "main_domain_rank".into(),
            scale.rank(&Value::from(domain_rating)),
        );
        items.push(Value::Object(item));
    }
    Ok(json!({ "total_count": items.len(), "items_count": items.len(), "items": items }))
}

/// `bulk_new_lost_*`: targets and the instant from which links count as new or lost.
pub struct NewLost {
    targets: Vec<(String, Target)>,
    from: Micros,
}

const DAY: Micros = 86_400_000_000;

/// `date_from` defaults to a month before the index's latest fetch, as DataForSEO's to a
/// month before today; any earlier date is allowed (the index keeps every link's history).
pub fn parse_new_lost(task: &Task, horizon: Micros) -> Result<NewLost, DfsError> {
    let targets = parse_targets(task)?;
    let from = date(task, "date_from")?.unwrap_or(horizon - 30 * DAY);
    if from > horizon {
        return Err(DfsError::invalid(
            "date_from",
            format!(
                "must not be after the index's latest fetch ({})",
                iso_date(horizon)
            ),
        ));
    }
    task.tag()?;
    task.reject_unknown()?;
    Ok(NewLost { targets, from })
}

/// Links found and lost from `date_from` to the index's latest fetch, and referring domains
/// (hosts) and main (root) domains live at the end and not at the start, or the reverse.
pub async fn run_new_lost(
    engine: &Engine,
    function: &str,
    request: NewLost,
) -> Result<Value, DfsError> {
    let period = [(iso_date(request.from), engine.horizon())];
    let mut items = Vec::with_capacity(request.targets.len());
    for (raw, target) in &request.targets {
        let figures = engine
            .link_series(target, Default::default(), &period)
            .await?;
        let f = figures.first().cloned().unwrap_or_default();
        items.push(if function == "bulk_new_lost_backlinks" {
            json!({
                "target": raw,
                "new_backlinks": f.new_backlinks,
                "lost_backlinks": f.lost_backlinks,
            })
        } else {
            json!({
                "target": raw,
                "new_referring_domains": f.new_referring_domains,
                "lost_referring_domains": f.lost_referring_domains,
                "new_referring_main_domains": f.new_referring_main_domains,
                "lost_referring_main_domains": f.lost_referring_main_domains,
            })
        });
    }
    Ok(json!({ "items_count": items.len(), "items": items }))
}

/// `bulk_spam_score`: the link-farm score (0–100, README "Spam") of each target's root domain;
/// the index scores domains, not pages, so a page gets its domain's score; 0 for a domain the
/// index has not seen.
pub async fn run_spam_scores(
    engine: &Engine,
    targets: Vec<(String, Target)>,
) -> Result<Value, DfsError> {
    let mut items = Vec::with_capacity(targets.len());
    for (raw, target) in targets {
        let score = engine
            .domain_spam_score(root_domain(target.host()))
            .await?
            .unwrap_or(0);
        items.push(json!({
            "type": "backlinks_bulk_spam_score",
            "target": raw,
            "spam_score": score,
        }));
    }
    Ok(json!({ "items_count": items.len(), "items": items }))
}
