//! `metrics_history`: every build's DR, UR and referring-domain figures, so the `*-history`
//! endpoints can answer for past dates. Each build copies the previous generation's rows,
//! replaces those of its own date (the date of the log's latest fetch) and adds its own.

use super::graph::Metrics;
use super::write_serde;
use crate::error::Result;
use crate::parquet_io;
use crate::snapshot::{Generation, METRICS_HISTORY};
use anchorage_core::time::{Micros, iso_date};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// One figure of one domain or page on one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryRow {
    /// `domain` (root domain) or `page` (URL without scheme).
    pub kind: String,
    pub key: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// DR for domains, UR for pages.
    pub rating: f64,
    pub refdomains: u32,
    /// Ahrefs Rank (domains only).
    pub rank: Option<u32>,
}

pub fn write(
    dir: &Path,
    previous: Option<&Generation>,
    horizon: Micros,
    metrics: &Metrics,
) -> Result<u64> {
    let date = iso_date(horizon);
    let mut rows: Vec<HistoryRow> = match previous {
        Some(g) if g.table(METRICS_HISTORY).is_file() => read(&g.table(METRICS_HISTORY))?,
        _ => Vec::new(),
    };
    rows.retain(|r| r.date != date);
    rows.extend(current(metrics, &date));
    rows.sort_by(|a, b| (&a.kind, &a.key, &a.date).cmp(&(&b.kind, &b.key, &b.date)));
    write_serde(&dir.join(METRICS_HISTORY), &rows)
}

fn current<'a>(metrics: &'a Metrics, date: &'a str) -> impl Iterator<Item = HistoryRow> + 'a {
    let domains = (0..metrics.domains.len())
        .filter(|&d| metrics.refdomains_of_domain[d] > 0 || metrics.linked_domains_of_domain[d] > 0)
        .map(move |d| HistoryRow {
            kind: "domain".into(),
            key: metrics.domains.names[d].clone(),
            date: date.to_string(),
            rating: metrics.domain_rating[d],
            refdomains: metrics.refdomains_of_domain[d],
            rank: Some(metrics.ahrefs_rank[d]),
        });
    let pages = (0..metrics.pages.len())
        .filter(|&p| metrics.url_rating[p] > 0.0 || metrics.refdomains_of_page[p] > 0)
        .map(move |p| HistoryRow {
            kind: "page".into(),
            key: metrics.pages.names[p].clone(),
            date: date.to_string(),
            rating: metrics.url_rating[p],
            refdomains: metrics.refdomains_of_page[p],
            rank: None,
        });
    domains.chain(pages)
}

pub fn read(path: &Path) -> Result<Vec<HistoryRow>> {
    let mut out = Vec::new();
    for batch in parquet_io::read(path)? {
        out.extend(serde_arrow::from_record_batch::<Vec<HistoryRow>>(&batch)?);
    }
    Ok(out)
}
