//! `anchorage build`: turns the fetch log into a snapshot generation.
//!
//! 1. Load every segment and keep one copy of each fetch (`fetch_id`) and link.
//! 2. Replay each page's fetches in time order ([`history`]): link identity and history.
//!    Pages that name no language take their site's ([`site_language`]).
//! 3. Mark the links the index stops keeping ([`drops`]).
//! 4. Resolve linked-to URLs' status and redirect chains ([`targets`]).
//! 5. Compute DR, UR, ranks and distinct counts over live links ([`graph`]).
//! 6. Write the tables ([`table`] for `backlinks` and `outlinks`; `pages`, `domains`,
//!    `targets`, `metrics_history`) into a new generation and switch to it.

pub mod drops;
pub mod explain;
pub mod graph;
pub mod groups;
pub mod history;
pub mod metrics_history;
pub mod site_language;
pub mod table;
pub mod targets;

use crate::error::Result;
use crate::layout::DataDir;
use crate::log::{read_segment, segments};
use crate::parquet_io;
use crate::snapshot::{
    self, BACKLINKS, DOMAIN_LINKS, DOMAINS, Generation, METRICS_HISTORY, Manifest, OUTLINKS, PAGES,
    TARGETS,
};
use anchorage_core::record::{LinkRecord, PageRecord};
use anchorage_core::time::{Micros, now};
use graph::Metrics;
use history::PageHistory;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct BuildConfig {
    /// Generations kept on disk (the current one included).
    pub keep_generations: usize,
    /// Lost links older than this (before the log's latest fetch) are dropped as `tooold`.
    pub lost_retention_days: u32,
}

impl Default for BuildConfig {
    fn default() -> Self {
        BuildConfig {
            keep_generations: 3,
            lost_retention_days: 365,
        }
    }
}

/// The fetch log in memory, de-duplicated.
pub struct Log {
    pub pages: Vec<PageRecord>,
    /// Sorted by (fetch_id, ordinal).
    pub links: Vec<LinkRecord>,
    pub segments: usize,
}

impl Log {
    pub fn load(dir: &DataDir) -> Result<Log> {
        let segs = segments(dir)?;
        let parts: Vec<_> = segs
            .par_iter()
            .map(|s| read_segment(s))
            .collect::<Result<_>>()?;
        let mut pages = Vec::new();
        let mut links = Vec::new();
        for (p, l) in parts {
            pages.extend(p);
            links.extend(l);
        }
        pages.par_sort_by_key(|p| p.fetch_id);
        pages.dedup_by_key(|p| p.fetch_id);
        links.par_sort_by_key(|l| (l.fetch_id, l.ordinal));
        links.dedup_by_key(|l| (l.fetch_id, l.ordinal));
        Ok(Log {
            pages,
            links,
            segments: segs.len(),
        })
    }

    /// The links of one fetch.
    pub fn links_of(&self, fetch_id: u64) -> &[LinkRecord] {
        let start = self.links.partition_point(|l| l.fetch_id < fetch_id);
        let end = self.links.partition_point(|l| l.fetch_id <= fetch_id);
        &self.links[start..end]
    }

    /// Replays every page's fetches.
    pub fn histories(&self) -> Vec<PageHistory<'_>> {
        let mut by_url: HashMap<&str, Vec<&PageRecord>> = HashMap::new();
        for p in &self.pages {
            by_url.entry(p.url.as_str()).or_default().push(p);
        }
        let mut groups: Vec<Vec<&PageRecord>> = by_url.into_values().collect();
        groups
            .par_iter_mut()
            .for_each(|g| g.sort_by_key(|p| (p.fetched_at, p.fetch_id)));
        let links_of = |id: u64| self.links_of(id);
        let mut out: Vec<PageHistory<'_>> = groups
            .par_iter()
            .filter_map(|g| history::replay(g, &links_of))
            .collect();
        out.par_sort_by(|a, b| a.url.cmp(b.url));
        out
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    pub generation: String,
    pub fetches: u64,
    pub pages: u64,
    pub links: u64,
    pub backlinks: u64,
    pub domains: u64,
    pub seconds: f64,
}

/// Tables a later stage derives from a generation's link tables before it becomes current
/// (the query layer's pre-aggregated reports): given the pending generation's directory, it
/// writes its files there and returns each table's file name and row count.
pub type DerivedTables<'a> = &'a (dyn Fn(&std::path::Path) -> Result<Vec<(String, u64)>> + Sync);

/// Builds a new generation from the whole log and makes it current.
pub fn build(dir: &DataDir, config: &BuildConfig) -> Result<(Generation, BuildReport)> {
    build_with(dir, config, &|_| Ok(Vec::new()))
}

/// [`build`], with `derived` tables written into the generation before it is committed, so
/// a generation never becomes current without them.
pub fn build_with(
    dir: &DataDir,
    config: &BuildConfig,
    derived: DerivedTables<'_>,
) -> Result<(Generation, BuildReport)> {
    let started = Instant::now();
    let log = Log::load(dir)?;
    tracing::info!(
        fetches = log.pages.len(),
        links = log.links.len(),
        segments = log.segments,
        "log loaded"
    );
    let log_horizon = log.pages.iter().map(|p| p.fetched_at).max().unwrap_or(0);
    let mut histories = log.histories();
    site_language::apply(&mut histories);
    drops::apply(
        &mut histories,
        log_horizon,
        i64::from(config.lost_retention_days) * drops::DAY,
    );
    let mut metrics = Metrics::compute(&histories);
    metrics.imports = crate::imports::ImportedMetrics::load(dir)?;
    tracing::info!(
        domains = metrics.domains.len(),
        pages = metrics.pages.len(),
        dr_iterations = metrics.domain_iterations,
        ur_iterations = metrics.page_iterations,
        "metrics computed"
    );
    let statuses = targets::resolve(&histories);
    let previous = snapshot::current(dir)?;
    let previous_horizon = previous.as_ref().map(|g| g.manifest.log_horizon);

    tracing::info!(targets = statuses.len(), "targets resolved");
    let pending = snapshot::begin(dir)?;
    let rows = link_rows(&histories, &metrics, &statuses, previous_horizon);
    let (link_rows_written, backlinks) = write_link_tables(&pending.tmp, rows)?;
    tracing::info!(rows = link_rows_written, "backlinks and outlinks written");
    let pages = write_pages(&pending.tmp, &histories, &metrics)?;
    let domains = write_domains(&pending.tmp, &metrics)?;
    let target_rows = write_targets(&pending.tmp, &statuses)?;
    let domain_links =
        explain::write_domain_links(&pending.tmp, &metrics.domains.names, &metrics.domain_edges)?;
    let history_rows =
        metrics_history::write(&pending.tmp, previous.as_ref(), log_horizon, &metrics)?;
    tracing::info!(
        pages,
        domains,
        target_rows,
        "pages, domains and targets written"
    );
    let derived_tables = derived(&pending.tmp)?;
    let manifest = Manifest {
        generation: pending.name.clone(),
        number: pending.number,
        created_at: now(),
        log_horizon,
        previous_horizon,
        segments: log.segments,
        tables: BTreeMap::from([
            (BACKLINKS.to_string(), link_rows_written),
            (OUTLINKS.to_string(), link_rows_written),
            (PAGES.to_string(), pages),
            (DOMAINS.to_string(), domains),
            (TARGETS.to_string(), target_rows),
            (METRICS_HISTORY.to_string(), history_rows),
            (DOMAIN_LINKS.to_string(), domain_links),
        ])
        .into_iter()
        .chain(derived_tables)
        .collect(),
        fetches: log.pages.len() as u64,
        pages: histories.len() as u64,
        links: metrics.nodes.len() as u64,
        domains: metrics.domains.len() as u64,
        build_seconds: started.elapsed().as_secs_f64(),
    };
    let generation = snapshot::commit(dir, pending, &manifest, config.keep_generations)?;
    let report = BuildReport {
        generation: manifest.generation.clone(),
        fetches: manifest.fetches,
        pages: manifest.pages,
        links: manifest.links,
        backlinks,
        domains,
        seconds: started.elapsed().as_secs_f64(),
    };
    tracing::info!(?report, "generation committed");
    Ok((generation, report))
}

/// One row per link (external and internal) with everything its columns need.
fn link_rows<'a>(
    histories: &'a [PageHistory<'a>],
    metrics: &'a Metrics,
    statuses: &'a HashMap<String, targets::TargetStatus>,
    previous_horizon: Option<Micros>,
) -> Vec<table::Row<'a>> {
    metrics
        .nodes
        .par_iter()
        .map(|node| {
            let page = &histories[node.history as usize];
            let hist = &page.links[node.link as usize];
            table::Row {
                page,
                hist,
                node,
                metrics,
                target: statuses.get(&hist.link.url_to),
                is_new: hist.live && previous_horizon.is_none_or(|h| hist.live_since > h),
                key: table::target_key(&hist.link.url_to),
                source_key: table::target_key(page.url),
                groups: Default::default(),
            }
        })
        .collect()
}

/// Writes `backlinks` (by target) and `outlinks` (by source): the same rows, two orders.
/// Returns the rows written and how many of them are external (backlinks).
fn write_link_tables(dir: &std::path::Path, mut rows: Vec<table::Row<'_>>) -> Result<(u64, u64)> {
    let schema = table::schema();
    let sorting = |columns: &[&str]| -> Result<Vec<parquet::file::metadata::SortingColumn>> {
        columns
            .iter()
            .map(|c| {
                Ok(parquet::file::metadata::SortingColumn {
                    column_idx: schema.index_of(c)? as i32,
                    descending: false,
                    nulls_first: false,
                })
            })
            .collect()
    };
    let started = Instant::now();
    table::sort_by_target(&mut rows);
    groups::mark(&mut rows);
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "links sorted by target and grouped"
    );
    let by_target = sorting(&["is_internal", table::TARGET_KEY])?;
    parquet_io::write_stream(
        &dir.join(BACKLINKS),
        schema.clone(),
        table::batch_stream(&rows, 64 * 1024).map(|b| b.map_err(Into::into)),
        link_table_properties(by_target),
    )?;
    tracing::info!(
        seconds = started.elapsed().as_secs_f64(),
        "backlinks written"
    );
    table::sort_by_source(&mut rows);
    let by_source = sorting(&[table::SOURCE_KEY])?;
    parquet_io::write_stream(
        &dir.join(OUTLINKS),
        schema.clone(),
        table::batch_stream(&rows, 64 * 1024).map(|b| b.map_err(Into::into)),
        link_table_properties(by_source),
    )?;
    let external = rows.iter().filter(|r| r.node.external).count();
    Ok((rows.len() as u64, external as u64))
}

fn link_table_properties(
    sorting: Vec<parquet::file::metadata::SortingColumn>,
) -> parquet::file::properties::WriterProperties {
    let enums = anchorage_core::catalogue::BACKLINK_COLUMNS
        .iter()
        .filter(|c| !c.enum_values.is_empty())
        .map(|c| c.name);
    parquet_io::link_table_properties(sorting, &[table::TARGET_KEY, table::SOURCE_KEY], enums)
}

/// A row of the `pages` table.
#[derive(Serialize, Deserialize)]
struct PageRow<'a> {
    url: &'a str,
    key: String,
    http_code: u16,
    title: Option<&'a str>,
    /// Its own languages, else its site's ([`site_language`]).
    languages: Vec<&'a str>,
    /// Another URL this page names as its canonical ([`PageHistory::canonical_elsewhere`]).
    canonical: Option<&'a str>,
    url_rating: f64,
    refdomains: u32,
    first_seen: Micros,
    last_visited: Micros,
    prev_visited: Option<Micros>,
    links: u32,
    /// Facts of the latest answer (`location`: where a 3xx points) and of the latest content.
    location: Option<&'a str>,
    ip: Option<&'a str>,
    content_type: Option<&'a str>,
    encoding: Option<&'a str>,
    page_size: u64,
    powered_by: Vec<&'a str>,
    page_type: Option<&'a str>,
    links_internal: u32,
    links_external: u32,
}

fn write_pages(
    dir: &std::path::Path,
    histories: &[PageHistory<'_>],
    metrics: &Metrics,
) -> Result<u64> {
    let rows: Vec<PageRow<'_>> = histories
        .iter()
        .map(|h| {
            let id = metrics
                .pages
                .get(anchorage_core::urls::plain_of(h.url))
                .unwrap_or(0) as usize;
            PageRow {
                url: h.url,
                key: table::target_key(h.url),
                http_code: h.latest.http_code,
                title: h.content.title.as_deref(),
                languages: h.languages().collect(),
                canonical: h.canonical_elsewhere(),
                url_rating: metrics.url_rating.get(id).copied().unwrap_or(0.0),
                refdomains: metrics.refdomains_of_page.get(id).copied().unwrap_or(0),
                first_seen: h.first_seen,
                last_visited: h.last_visited,
                prev_visited: h.prev_visited,
                links: h.links.len() as u32,
                location: h.location(),
                ip: h.latest.ip.as_deref(),
                content_type: h.latest.content_type.as_deref(),
                encoding: h.content.encoding.as_deref(),
                page_size: h.content.page_size,
                powered_by: h.content.powered_by.iter().map(String::as_str).collect(),
                page_type: h.content.page_type.as_deref(),
                links_internal: h.content.links_internal,
                links_external: h.content.links_external,
            }
        })
        .collect();
    write_serde(&dir.join(PAGES), &rows)
}

#[derive(Serialize, Deserialize)]
struct DomainRow<'a> {
    domain: &'a str,
    domain_rating: f64,
    domain_rating_raw: f64,
    ahrefs_rank: u32,
    refdomains: u32,
    linked_domains: u32,
    dofollow_refdomains: u32,
    dofollow_linked_domains: u32,
    spam_score: u8,
}

fn write_domains(dir: &std::path::Path, metrics: &Metrics) -> Result<u64> {
    let mut rows: Vec<DomainRow<'_>> = (0..metrics.domains.len())
        .map(|i| DomainRow {
            domain: &metrics.domains.names[i],
            domain_rating: metrics.domain_rating[i],
            domain_rating_raw: metrics.domain_raw[i],
            ahrefs_rank: metrics.ahrefs_rank[i],
            refdomains: metrics.refdomains_of_domain[i],
            linked_domains: metrics.linked_domains_of_domain[i],
            dofollow_refdomains: metrics.dofollow_refdomains_of_domain[i],
            dofollow_linked_domains: metrics.dofollow_linked_domains_of_domain[i],
            spam_score: metrics.domain_spam[i],
        })
        .collect();
    rows.sort_by(|a, b| a.domain.cmp(b.domain));
    write_serde(&dir.join(DOMAINS), &rows)
}

#[derive(Serialize, Deserialize)]
struct TargetRow<'a> {
    url: &'a str,
    key: String,
    http_code: u16,
    final_code: u16,
    last_visited: Micros,
    is_html: bool,
    redirect_chain: Vec<String>,
    redirect_codes: Vec<i64>,
    title: Option<&'a str>,
}

fn write_targets(
    dir: &std::path::Path,
    statuses: &HashMap<String, targets::TargetStatus>,
) -> Result<u64> {
    let mut rows: Vec<TargetRow<'_>> = statuses
        .iter()
        .map(|(url, t)| TargetRow {
            url,
            key: table::target_key(url),
            http_code: t.http_code,
            final_code: t.final_code,
            last_visited: t.last_visited,
            is_html: t.is_html,
            redirect_chain: t.chain.clone(),
            redirect_codes: t.chain_codes.clone(),
            title: t.title.as_deref(),
        })
        .collect();
    rows.sort_by(|a, b| a.key.cmp(&b.key).then(a.url.cmp(b.url)));
    write_serde(&dir.join(TARGETS), &rows)
}

pub(crate) fn write_serde<'de, T: Serialize + Deserialize<'de>>(
    path: &std::path::Path,
    rows: &[T],
) -> Result<u64> {
    use serde_arrow::schema::{SchemaLike, TracingOptions};
    let fields = Vec::<arrow::datatypes::FieldRef>::from_type::<T>(
        TracingOptions::default().allow_null_fields(true),
    )?;
    let schema = Arc::new(arrow::datatypes::Schema::new(fields.clone()));
    let batches = rows
        .chunks(64 * 1024)
        .map(|c| serde_arrow::to_record_batch(&fields, &c))
        .collect::<Result<Vec<_>, _>>()?;
    parquet_io::write(path, schema, &batches, parquet_io::writer_properties(None))?;
    Ok(rows.len() as u64)
}
