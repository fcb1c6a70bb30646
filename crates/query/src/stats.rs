//! Single-object and history reports: backlinks-stats, outlinks-stats, domain-rating and the
//! `*-history` series.

use crate::QueryError;
use crate::scope::{self, History, live_at, timestamp};
use anchorage_core::reports::LinkTable;
use anchorage_core::target::{Protocol, Target};
use anchorage_core::time::{Micros, iso_date, parse_date};
use chrono::{Datelike, Days, NaiveDate};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{Int64Type, TimestampMicrosecondType};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::dataframe::DataFrame;
use datafusion::functions_aggregate::expr_fn::{count_distinct, sum};
use datafusion::logical_expr::{Expr, col, lit, when};

/// Figures of one target.
pub type Counts = Vec<(&'static str, i64)>;

fn count_if(cond: Expr) -> Expr {
    sum(when(cond, lit(1i64))
        .otherwise(lit(0i64))
        .unwrap_or(lit(0i64)))
}

fn distinct_if(cond: Expr, value: &str) -> Expr {
    count_distinct(when(cond, col(value)).end().unwrap_or(col(value)))
}

/// Reads one-row integer aggregates (a null sum is 0).
fn one_row(batches: &[RecordBatch], names: &[&'static str]) -> Counts {
    names
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let value = batches
                .iter()
                .find(|b| b.num_rows() > 0)
                .map(|b| {
                    datafusion::arrow::compute::cast(
                        b.column(i),
                        &datafusion::arrow::datatypes::DataType::Int64,
                    )
                })
                .and_then(Result::ok)
                .map(|a| {
                    if a.is_null(0) {
                        0
                    } else {
                        a.as_primitive::<Int64Type>().value(0)
                    }
                })
                .unwrap_or(0);
            (*name, value)
        })
        .collect()
}

/// `backlinks-stats`: live and all-time backlinks and referring domains as of `date` (the end
/// of that day); at or after the index's latest fetch, "live" is the current state.
pub async fn backlinks_stats(
    table: DataFrame,
    target: &Target,
    protocol: Protocol,
    date: Micros,
    horizon: Micros,
) -> Result<Counts, QueryError> {
    let end_of_day = date + 86_400_000_000 - 1;
    let live = if end_of_day >= horizon {
        col("is_lost").eq(lit(false))
    } else {
        live_at(end_of_day)
    };
    let existed = col("first_seen_link").lt_eq(timestamp(end_of_day));
    let df = table
        .filter(scope::predicate(
            LinkTable::Backlinks,
            target,
            protocol,
            false,
            History::AllTime,
        ))?
        .aggregate(
            vec![],
            vec![
                count_if(live.clone()).alias("live"),
                count_if(existed.clone()).alias("all_time"),
                distinct_if(live, "root_name_source").alias("live_refdomains"),
                distinct_if(existed, "root_name_source").alias("all_time_refdomains"),
            ],
        )?;
    Ok(one_row(
        &df.collect().await?,
        &["live", "all_time", "live_refdomains", "all_time_refdomains"],
    ))
}

/// `outlinks-stats`: the target's live external links and the domains they reach.
pub async fn outlinks_stats(
    table: DataFrame,
    target: &Target,
    protocol: Protocol,
) -> Result<Counts, QueryError> {
    let dofollow = col("is_dofollow").eq(lit(true));
    let df = table
        .filter(scope::predicate(
            LinkTable::Outlinks,
            target,
            protocol,
            false,
            History::Live,
        ))?
        .aggregate(
            vec![],
            vec![
                count_if(lit(true)).alias("outgoing_links"),
                count_if(dofollow.clone()).alias("outgoing_links_dofollow"),
                count_distinct(col("root_name_target")).alias("linked_domains"),
                distinct_if(dofollow, "root_name_target").alias("linked_domains_dofollow"),
            ],
        )?;
    Ok(one_row(
        &df.collect().await?,
        &[
            "outgoing_links",
            "outgoing_links_dofollow",
            "linked_domains",
            "linked_domains_dofollow",
        ],
    ))
}

/// `history_grouping`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Grouping {
    Daily,
    Weekly,
    #[default]
    Monthly,
    Yearly,
}

impl Grouping {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "daily" => Some(Grouping::Daily),
            "weekly" => Some(Grouping::Weekly),
            "monthly" => Some(Grouping::Monthly),
            _ => None,
        }
    }
}

/// The periods of a series: (label date, last instant of the period, clipped to `to`).
/// Weeks start on Monday, months on the 1st; each period is labelled by its first day.
pub fn periods(from: Micros, to: Micros, grouping: Grouping) -> Vec<(String, Micros)> {
    let day = |t: Micros| NaiveDate::parse_from_str(&iso_date(t), "%Y-%m-%d").ok();
    let (Some(mut start), Some(last)) = (day(from), day(to)) else {
        return Vec::new();
    };
    start = match grouping {
        Grouping::Daily => start,
        Grouping::Weekly => start - Days::new(u64::from(start.weekday().num_days_from_monday())),
        Grouping::Monthly => start.with_day(1).unwrap_or(start),
        Grouping::Yearly => start.with_ordinal(1).unwrap_or(start),
    };
    let mut out = Vec::new();
    while start <= last && out.len() < 10_000 {
        let next = match grouping {
            Grouping::Daily => start + Days::new(1),
            Grouping::Weekly => start + Days::new(7),
            Grouping::Monthly => start
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(last + Days::new(1)),
            Grouping::Yearly => start
                .checked_add_months(chrono::Months::new(12))
                .unwrap_or(last + Days::new(1)),
        };
        let end = (next.min(last + Days::new(1)))
            .and_hms_opt(0, 0, 0)
            .map(|d| d.and_utc().timestamp_micros() - 1)
            .unwrap_or(to);
        out.push((start.format("%Y-%m-%d").to_string(), end));
        start = next;
    }
    out
}

/// `refdomains-history`: distinct referring domains live at the end of each period,
/// recomputed from the links' first-seen and lost dates.
pub async fn refdomains_history(
    table: DataFrame,
    target: &Target,
    protocol: Protocol,
    periods: &[(String, Micros)],
) -> Result<Vec<(String, i64)>, QueryError> {
    let df = table
        .filter(scope::predicate(
            LinkTable::Backlinks,
            target,
            protocol,
            false,
            History::AllTime,
        ))?
        .select(vec![
            col("root_name_source"),
            col("first_seen_link"),
            col("last_seen"),
            col("is_lost"),
        ])?;
    let mut intervals: Vec<(String, Micros, Micros)> = Vec::new();
    for batch in df.collect().await? {
        let batch = crate::canonical_strings(&batch)?;
        let roots = batch.column(0).as_string::<i32>();
        let first = batch.column(1).as_primitive::<TimestampMicrosecondType>();
        let lost = batch.column(2).as_primitive::<TimestampMicrosecondType>();
        let is_lost = batch.column(3).as_boolean();
        for i in 0..batch.num_rows() {
            let end = if lost.is_null(i) {
                if is_lost.value(i) {
                    first.value(i)
                } else {
                    Micros::MAX
                }
            } else {
                lost.value(i)
            };
            intervals.push((roots.value(i).to_string(), first.value(i), end));
        }
    }
    Ok(periods
        .iter()
        .map(|(label, at)| {
            let live: std::collections::BTreeSet<&str> = intervals
                .iter()
                .filter(|(_, from, to)| from <= at && *at < *to)
                .map(|(root, _, _)| root.as_str())
                .collect();
            (label.clone(), live.len() as i64)
        })
        .collect())
}

/// The target's backlink figures at the end of one period (DataForSEO's `history` and
/// `timeseries_summary`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeriodFigures {
    /// The period's label (its first day, `YYYY-MM-DD`).
    pub date: String,
    pub backlinks: i64,
    pub backlinks_nofollow: i64,
    /// Links found during the period.
    pub new_backlinks: i64,
    /// Links lost during the period.
    pub lost_backlinks: i64,
    pub referring_pages: i64,
    pub referring_pages_nofollow: i64,
    /// Distinct referring hosts.
    pub referring_domains: i64,
    pub referring_domains_nofollow: i64,
    /// Distinct referring root domains.
    pub referring_main_domains: i64,
    pub referring_main_domains_nofollow: i64,
    /// Referring hosts live at the period's end that were not live at the previous end.
    pub new_referring_domains: i64,
    /// Referring hosts live at the previous end that are not live at this one.
    pub lost_referring_domains: i64,
    /// Referring root domains live at the period's end that were not live at the previous end.
    pub new_referring_main_domains: i64,
    /// Referring root domains live at the previous end that are not live at this one.
    pub lost_referring_main_domains: i64,
    pub referring_ips: i64,
    pub referring_subnets: i64,
}

/// One link's life and its source, as the series need it.
struct LinkSpan {
    from: Micros,
    /// First instant it is no longer live (`Micros::MAX` while live).
    to: Micros,
    nofollow: bool,
    page: String,
    host: String,
    root: String,
    ip: Option<String>,
    subnet: Option<String>,
}

impl LinkSpan {
    fn live_at(&self, t: Micros) -> bool {
        self.from <= t && t < self.to
    }
}

/// The target's backlink figures at the end of each period, recomputed from the links'
/// first-seen and lost dates (every link ever seen, as `refdomains_history` does).
pub async fn link_series(
    table: DataFrame,
    target: &Target,
    protocol: Protocol,
    periods: &[(String, Micros)],
) -> Result<Vec<PeriodFigures>, QueryError> {
    let spans = link_spans(table, target, protocol).await?;
    let mut out = Vec::with_capacity(periods.len());
    let mut previous_end: Option<Micros> = None;
    for (label, end) in periods {
        let start = parse_date(label).unwrap_or(*end);
        let before = previous_end.unwrap_or(start - 1);
        out.push(figures_at(&spans, label, before, *end));
        previous_end = Some(*end);
    }
    Ok(out)
}

fn figures_at(spans: &[LinkSpan], label: &str, before: Micros, end: Micros) -> PeriodFigures {
    use std::collections::BTreeSet;
    let live: Vec<&LinkSpan> = spans.iter().filter(|s| s.live_at(end)).collect();
    let nofollow: Vec<&LinkSpan> = live.iter().copied().filter(|s| s.nofollow).collect();
    type Part = fn(&LinkSpan) -> &str;
    let live_at = |t: Micros, of: Part| -> BTreeSet<&str> {
        spans.iter().filter(|s| s.live_at(t)).map(of).collect()
    };
    let host: Part = |s| s.host.as_str();
    let root: Part = |s| s.root.as_str();
    let (now, then) = (live_at(end, host), live_at(before, host));
    let (roots_now, roots_then) = (live_at(end, root), live_at(before, root));
    PeriodFigures {
        date: label.to_string(),
        backlinks: live.len() as i64,
        backlinks_nofollow: nofollow.len() as i64,
        new_backlinks: spans
            .iter()
            .filter(|s| s.from > before && s.from <= end)
            .count() as i64,
        lost_backlinks: spans
            .iter()
            .filter(|s| s.to > before && s.to <= end)
            .count() as i64,
        referring_pages: distinct(&live, |s| Some(&s.page)),
        referring_pages_nofollow: distinct(&nofollow, |s| Some(&s.page)),
        referring_domains: now.len() as i64,
        referring_domains_nofollow: distinct(&nofollow, |s| Some(&s.host)),
        referring_main_domains: distinct(&live, |s| Some(&s.root)),
        referring_main_domains_nofollow: distinct(&nofollow, |s| Some(&s.root)),
        new_referring_domains: now.difference(&then).count() as i64,
        lost_referring_domains: then.difference(&now).count() as i64,
        new_referring_main_domains: roots_now.difference(&roots_then).count() as i64,
        lost_referring_main_domains: roots_then.difference(&roots_now).count() as i64,
        referring_ips: distinct(&live, |s| s.ip.as_ref()),
        referring_subnets: distinct(&live, |s| s.subnet.as_ref()),
    }
}

/// Distinct values of `value` among `spans`.
fn distinct<'a>(spans: &[&'a LinkSpan], value: impl Fn(&'a LinkSpan) -> Option<&'a String>) -> i64 {
    spans
        .iter()
        .copied()
        .filter_map(value)
        .collect::<std::collections::BTreeSet<&String>>()
        .len() as i64
}

async fn link_spans(
    table: DataFrame,
    target: &Target,
    protocol: Protocol,
) -> Result<Vec<LinkSpan>, QueryError> {
    let df = table
        .filter(scope::predicate(
            LinkTable::Backlinks,
            target,
            protocol,
            false,
            History::AllTime,
        ))?
        .select(vec![
            col("first_seen_link"),
            col("last_seen"),
            col("is_lost"),
            col("is_nofollow"),
            col("url_from"),
            col("name_source"),
            col("root_name_source"),
            col("ip_source"),
            col("subnet_source"),
        ])?;
    let mut spans = Vec::new();
    for batch in df.collect().await? {
        let batch = crate::canonical_strings(&batch)?;
        let first = batch.column(0).as_primitive::<TimestampMicrosecondType>();
        let lost = batch.column(1).as_primitive::<TimestampMicrosecondType>();
        let is_lost = batch.column(2).as_boolean();
        let nofollow = batch.column(3).as_boolean();
        let text = |i: usize, row: usize| {
            let a = batch.column(i).as_string::<i32>();
            (!a.is_null(row)).then(|| a.value(row).to_string())
        };
        for row in 0..batch.num_rows() {
            // A link lost without a date (dropped) stops counting when it was found.
            let to = match (lost.is_null(row), is_lost.value(row)) {
                (false, _) => lost.value(row),
                (true, true) => first.value(row),
                (true, false) => Micros::MAX,
            };
            spans.push(LinkSpan {
                from: first.value(row),
                to,
                nofollow: !nofollow.is_null(row) && nofollow.value(row),
                page: text(4, row).unwrap_or_default(),
                host: text(5, row).unwrap_or_default(),
                root: text(6, row).unwrap_or_default(),
                ip: text(7, row),
                subnet: text(8, row),
            });
        }
    }
    Ok(spans)
}

/// A `YYYY-MM-DD` parameter.
pub fn date_param(v: &str) -> Result<Micros, String> {
    parse_date(v).ok_or_else(|| format!("'{v}' is not a date (YYYY-MM-DD)"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_labelled_by_their_first_day() {
        let from = parse_date("2024-01-10").unwrap();
        let to = parse_date("2024-03-05").unwrap();
        let months: Vec<String> = periods(from, to, Grouping::Monthly)
            .into_iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(months, ["2024-01-01", "2024-02-01", "2024-03-01"]);
        let weeks = periods(from, parse_date("2024-01-22").unwrap(), Grouping::Weekly);
        assert_eq!(weeks[0].0, "2024-01-08");
        assert_eq!(weeks.len(), 3);
        let days = periods(from, from, Grouping::Daily);
        assert_eq!(days.len(), 1);
        assert_eq!(iso_date(days[0].1), "2024-01-10");
    }
}
