//! `bulk_backlinks` and `bulk_referring_domains`: the `summary` counters of up to 1000
//! targets, each an aggregate over that target's live backlinks.

use super::envelope::DfsError;
use super::ranks::parse_targets;
use super::task::Task;
use crate::render::{self, DateStyle};
use anchorage_core::catalogue::ColType;
use anchorage_core::reports::{DATAFORSEO_COUNTERS, dataforseo_report_named};
use anchorage_core::target::Target;
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
    let report = dataforseo_report_named("referring_domains")
        .ok_or_else(|| DfsError::Internal("report referring_domains is not catalogued".into()))?;
    let wanted = counters(function);
    let select: Vec<_> = DATAFORSEO_COUNTERS
        .iter()
        .filter(|c| wanted.contains(&c.name))
        .collect();
    let columns: Vec<(&str, ColType)> = select.iter().map(|c| (c.name, c.ty)).collect();
    let mut items = Vec::with_capacity(targets.len());
    for (raw, target) in targets {
        let query = ReportQuery {
            report,
            target,
            protocol: Default::default(),
            select: select.clone(),
            link_filter: None,
            group_filter: None,
            order_by: Vec::new(),
            limit: 1,
            offset: 0,
            history: History::Live,
            include_internal: false,
        };
        let batches = engine.report_totals(&query).await?;
        let row = render::rows(&batches, &columns, DateStyle::DataForSeo)
            .into_iter()
            .next()
            .unwrap_or_default();
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
