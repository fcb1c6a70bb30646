//! `bulk_ranks`, `history`, `timeseries_summary` and `timeseries_new_lost_summary`: ranks from
//! the index's DR/UR history and backlink figures per period from the links' first-seen and
//! lost dates.

use super::backlinks::rank_scale;
use super::envelope::DfsError;
use super::fields::RankScale;
use super::task::{Task, target_of};
use anchorage_core::domain::root_domain;
use anchorage_core::target::{Target, TargetMode};
use anchorage_core::time::{Micros, dataforseo, iso_date, parse_date};
use anchorage_query::Engine;
use anchorage_query::stats::{Grouping, PeriodFigures, periods};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

const MAX_TARGETS: usize = 1000;
const DAY: Micros = 86_400_000_000;

/// The 0–100 rating of a target: UR for a page, DR of its root domain otherwise.
pub async fn target_rating(engine: &Engine, target: &Target) -> Result<Option<f64>, DfsError> {
    let now = engine.horizon();
    if target.mode == TargetMode::Exact {
        let key = target.url.plain().to_string();
        let series = engine
            .rating_history("page", &key, &[("now".to_string(), now)])
            .await?;
        return Ok(Some(series.first().map_or(0.0, |(_, r)| *r)));
    }
    let (rating, _) = engine
        .domain_rating(root_domain(target.host()), now)
        .await?;
    Ok(Some(rating))
}

/// `bulk_ranks`: `targets` (up to 1000 domains or URLs) and their ranks.
pub struct BulkRanks {
    targets: Vec<(String, Target)>,
    scale: RankScale,
}

pub fn parse_bulk_ranks(task: &Task) -> Result<BulkRanks, DfsError> {
    let targets = parse_targets(task)?;
    let scale = rank_scale(task)?;
    task.tag()?;
    task.reject_unknown()?;
    Ok(BulkRanks { targets, scale })
}

/// `targets` of the bulk functions: up to 1000 domains or URLs, each with its parsed target.
pub fn parse_targets(task: &Task) -> Result<Vec<(String, Target)>, DfsError> {
    let bad = |reason: String| DfsError::invalid("targets", reason);
    let list = task
        .get("targets")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| bad("a non-empty array of domains or URLs is required".into()))?;
    if list.len() > MAX_TARGETS {
        return Err(bad(format!(
            "{} targets, at most {MAX_TARGETS} are allowed",
            list.len()
        )));
    }
    list.iter()
        .map(|v| {
            let raw = v
                .as_str()
                .ok_or_else(|| bad(format!("expected strings, got {v}")))?;
            let target = target_of(raw, true).map_err(bad)?;
            Ok((raw.to_string(), target))
        })
        .collect()
}

pub async fn run_bulk_ranks(engine: &Engine, request: BulkRanks) -> Result<Value, DfsError> {
    let mut items = Vec::with_capacity(request.targets.len());
    for (raw, target) in &request.targets {
        let rating = target_rating(engine, target).await?.unwrap_or(0.0);
        items.push(json!({
            "target": raw,
            "rank": request.scale.rank(&Value::from(rating)),
        }));
    }
    Ok(json!({ "items_count": items.len(), "items": items }))
}

/// Which function a [`Series`] answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeriesKind {
    /// `history`: monthly figures with ranks.
    History,
    /// `timeseries_summary`: figures per `group_range`.
    Summary,
    /// `timeseries_new_lost_summary`: what was found and lost per `group_range`.
    NewLost,
}

/// `history` and the timeseries functions: a domain and a date range split into periods.
pub struct Series {
    target: Target,
    from: Micros,
    to: Micros,
    grouping: Grouping,
    group_range: Option<&'static str>,
    scale: RankScale,
}

const GROUP_RANGES: &[&str] = &["day", "week", "month", "year"];

/// Parses `history` (monthly) or a timeseries function (`group_range`, `include_subdomains`).
pub fn parse_series(task: &Task, kind: SeriesKind, horizon: Micros) -> Result<Series, DfsError> {
    let grouped = kind != SeriesKind::History;
    let raw = task.required_str("target")?;
    let include_subdomains = if grouped {
        task.bool("include_subdomains", true)?
    } else {
        true
    };
    if raw.contains("://") {
        return Err(DfsError::invalid(
            "target",
            "a domain is required, not a URL",
        ));
    }
    let target = target_of(raw, include_subdomains).map_err(|e| DfsError::invalid("target", e))?;
    let to = date(task, "date_to")?.unwrap_or(horizon);
    let from = date(task, "date_from")?.unwrap_or(to - 365 * DAY);
    if from > to {
        return Err(DfsError::invalid("date_from", "must not be after date_to"));
    }
    let (grouping, group_range) = if grouped {
        let range = task.one_of("group_range", GROUP_RANGES, "month")?;
        let grouping = match range {
            "day" => Grouping::Daily,
            "week" => Grouping::Weekly,
            "year" => Grouping::Yearly,
            _ => Grouping::Monthly,
        };
        (grouping, Some(range))
    } else {
        (Grouping::Monthly, None)
    };
    let scale = rank_scale(task)?;
    task.tag()?;
    task.reject_unknown()?;
    Ok(Series {
        target,
        from,
        to,
        grouping,
        group_range,
        scale,
    })
}

pub fn date(task: &Task, name: &str) -> Result<Option<Micros>, DfsError> {
    task.str(name)?
        .map(|v| {
            parse_date(v)
                .ok_or_else(|| DfsError::invalid(name, format!("'{v}' is not a date (yyyy-mm-dd)")))
        })
        .transpose()
}

/// Runs `history` or a timeseries function.
pub async fn run_series(
    engine: &Engine,
    series: Series,
    kind: SeriesKind,
) -> Result<Value, DfsError> {
    let periods = periods(series.from, series.to, series.grouping);
    let figures = engine
        .link_series(&series.target, Default::default(), &periods)
        .await?;
    let domain = root_domain(series.target.host()).to_string();
    let ratings: BTreeMap<String, f64> = engine
        .rating_history("domain", &domain, &periods)
        .await?
        .into_iter()
        .collect();
    let items: Vec<Value> = figures
        .iter()
        .map(|f| {
            let rank = ratings
                .get(&f.date)
                .map_or(Value::from(0), |r| series.scale.rank(&Value::from(*r)));
            match kind {
                SeriesKind::History => history_item(f, rank),
                SeriesKind::Summary => timeseries_item(f, rank),
                SeriesKind::NewLost => new_lost_item(f),
            }
        })
        .collect();
    let mut out = Map::new();
    out.insert("target".into(), Value::from(series.target.input.clone()));
    out.insert("date_from".into(), Value::from(iso_date(series.from)));
    out.insert("date_to".into(), Value::from(iso_date(series.to)));
    if let Some(range) = series.group_range {
        out.insert("group_range".into(), Value::from(range));
    }
    out.insert("items_count".into(), Value::from(items.len()));
    out.insert("items".into(), Value::Array(items));
    Ok(Value::Object(out))
}

/// `2024-01-01 00:00:00 +00:00`: the first instant of the period.
fn period_date(label: &str) -> Value {
    parse_date(label).map_or(Value::Null, |t| Value::from(dataforseo(t)))
}

fn timeseries_item(f: &PeriodFigures, rank: Value) -> Value {
    json!({
        "type": "backlinks_timeseries_summary",
        "date": period_date(&f.date),
        "rank": rank,
        "backlinks": f.backlinks,
        "backlinks_nofollow": f.backlinks_nofollow,
        "referring_pages": f.referring_pages,
        "referring_pages_nofollow": f.referring_pages_nofollow,
        "referring_domains": f.referring_domains,
        "referring_domains_nofollow": f.referring_domains_nofollow,
        "referring_main_domains": f.referring_main_domains,
        "referring_main_domains_nofollow": f.referring_main_domains_nofollow,
        "referring_ips": f.referring_ips,
        "referring_subnets": f.referring_subnets,
    })
}

fn new_lost_item(f: &PeriodFigures) -> Value {
    json!({
        "type": "backlinks_timeseries_new_lost_summary",
        "date": period_date(&f.date),
        "new_backlinks": f.new_backlinks,
        "lost_backlinks": f.lost_backlinks,
        "new_referring_domains": f.new_referring_domains,
        "lost_referring_domains": f.lost_referring_domains,
        "new_referring_main_domains": f.new_referring_main_domains,
        "lost_referring_main_domains": f.lost_referring_main_domains,
    })
}

fn history_item(f: &PeriodFigures, rank: Value) -> Value {
    json!({
        "type": "backlinks_history",
        "date": period_date(&f.date),
        "rank": rank,
        "backlinks": f.backlinks,
        "new_backlinks": f.new_backlinks,
        "lost_backlinks": f.lost_backlinks,
        "new_referring_domains": f.new_referring_domains,
        "lost_referring_domains": f.lost_referring_domains,
        "crawled_pages": null,
        "info": null,
        "internal_links_count": null,
        "external_links_count": null,
        "broken_backlinks": null,
        "broken_pages": null,
        "referring_domains": f.referring_domains,
        "referring_domains_nofollow": f.referring_domains_nofollow,
        "referring_main_domains": f.referring_main_domains,
        "referring_main_domains_nofollow": f.referring_main_domains_nofollow,
        "referring_ips": f.referring_ips,
        "referring_subnets": f.referring_subnets,
        "referring_pages": f.referring_pages,
        "referring_pages_nofollow": f.referring_pages_nofollow,
        "referring_links_tld": null,
        "referring_links_types": null,
        "referring_links_attributes": null,
        "referring_links_platform_types": null,
        "referring_links_semantic_locations": null,
        "referring_links_countries": null,
    })
}
