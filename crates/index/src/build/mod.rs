//! `anchorage build`: turns the fetch log into a snapshot generation.
//!
//! 1. Load every segment and keep one copy of each fetch (`fetch_id`) and link; or, for an
//!    incremental build, the previous generation's replay checkpoint ([`checkpoint`]) and the
//!    segments that came after it.
//! 2. Replay each page's fetches in time order ([`history`]): link identity and history
//!    (incremental: resume each page's replay with its new fetches). The replay's state is
//!    the new generation's checkpoint.
//!    Pages that name no language take their site's ([`site_language`]).
//! 3. Mark the links the index stops keeping ([`drops`]).
//! 4. Resolve linked-to URLs' status and redirect chains ([`targets`]).
//! 5. Compute DR, UR, ranks and distinct counts over live links ([`graph`]).
//! 6. Write the tables ([`table`] for `backlinks` and `outlinks`; `pages`, `domains`,
//!    `targets`, `metrics_history`) into a new generation and switch to it.

pub mod checkpoint;
pub mod drops;
pub mod explain;
pub mod graph;
pub mod groups;
pub mod history;
pub mod metrics_history;
pub mod site_language;
pub mod table;
pub mod targets;

use crate::error::{IndexError, Result};
use crate::layout::DataDir;
use crate::log::{SegmentRecords, read_segment, segments};
use crate::parquet_io;
use crate::snapshot::{
    self, BACKLINKS, DOMAIN_LINKS, DOMAINS, Generation, METRICS_HISTORY, Manifest, OUTLINKS, PAGES,
    TARGETS,
};
use anchorage_core::record::{LinkRecord, PageRecord};
use anchorage_core::time::{Micros, now};
use checkpoint::{Checkpoint, Records};
use graph::Metrics;
use history::PageHistory;
use history::Replay;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

#[derive(Debug, Clone)]
pub struct BuildConfig {
    /// Generations kept on disk (the current one included).
    pub keep_generations: usize,
    /// Lost links older than this (before the log's latest fetch) are dropped as `tooold`.
    pub lost_retention_days: u32,
    /// Replay the whole log even when the previous generation's checkpoint would allow an
    /// incremental build.
    pub full: bool,
}

impl Default for BuildConfig {
    fn default() -> Self {
        BuildConfig {
            keep_generations: 3,
            lost_retention_days: 365,
            full: false,
        }
    }
}

/// The fetch log in memory, de-duplicated.
pub struct Log {
    /// Sorted by fetch_id.
    pub pages: Vec<PageRecord>,
    /// Sorted by (fetch_id, ordinal).
    pub links: Vec<LinkRecord>,
    /// Every segment of the log, replayed once this build is done.
    pub segment_names: Vec<String>,
    /// For an incremental build, the fetches the checkpoint holds (sorted): the others are
    /// the new fetches to replay.
    resumed: Vec<u64>,
}

impl Log {
    /// The whole log.
    pub fn load(dir: &DataDir) -> Result<Log> {
        let segs = segments(dir)?;
        let parts = read_segments(&segs)?;
        Ok(Log::merge(parts, names(&segs), Vec::new()))
    }

    /// A checkpoint's records and the segments it did not replay, if every segment it
    /// replayed is still in the log (else `None`: the log changed under it).
    fn load_after(dir: &DataDir, checkpoint: &Checkpoint, records: Records) -> Result<Option<Log>> {
        let segs = segments(dir)?;
        let all = names(&segs);
        let replayed: HashSet<&str> = checkpoint.segments.iter().map(String::as_str).collect();
        let present = all.iter().filter(|n| replayed.contains(n.as_str())).count();
        if present != replayed.len() {
            return Ok(None);
        }
        let new: Vec<PathBuf> = segs
            .into_iter()
            .zip(&all)
            .filter(|(_, name)| !replayed.contains(name.as_str()))
            .map(|(path, _)| path)
            .collect();
        let mut resumed: Vec<u64> = records
            .iter()
            .flat_map(|r| &r.0)
            .map(|p| p.fetch_id)
            .collect();
        resumed.sort_unstable();
        let mut parts = read_segments(&new)?;
        parts.extend(records);
        Ok(Some(Log::merge(parts, all, resumed)))
    }

    fn merge(parts: Vec<SegmentRecords>, segment_names: Vec<String>, resumed: Vec<u64>) -> Log {
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
        Log {
            pages,
            links,
            segment_names,
            resumed,
        }
    }

    /// The links of one fetch.
    pub fn links_of(&self, fetch_id: u64) -> &[LinkRecord] {
        let start = self.links.partition_point(|l| l.fetch_id < fetch_id);
        let end = self.links.partition_point(|l| l.fetch_id <= fetch_id);
        &self.links[start..end]
    }

    pub fn page(&self, fetch_id: u64) -> Option<&PageRecord> {
        let i = self
            .pages
            .binary_search_by_key(&fetch_id, |p| p.fetch_id)
            .ok()?;
        Some(&self.pages[i])
    }

    pub fn link(&self, fetch_id: u64, ordinal: u32) -> Option<&LinkRecord> {
        let i = self
            .links
            .binary_search_by_key(&(fetch_id, ordinal), |l| (l.fetch_id, l.ordinal))
            .ok()?;
        Some(&self.links[i])
    }

    /// The fetches to replay (all of them, or for an incremental build those the checkpoint
    /// does not hold), grouped by URL, each group in time order.
    fn fetches_by_url(&self) -> Vec<Vec<&PageRecord>> {
        let mut by_url: HashMap<&str, Vec<&PageRecord>> = HashMap::new();
        for p in &self.pages {
            if self.resumed.binary_search(&p.fetch_id).is_err() {
                by_url.entry(p.url.as_str()).or_default().push(p);
            }
        }
        let mut groups: Vec<Vec<&PageRecord>> = by_url.into_values().collect();
        groups
            .par_iter_mut()
            .for_each(|g| g.sort_by_key(|p| (p.fetched_at, p.fetch_id)));
        groups
    }

    /// Replays every page's fetches.
    pub fn histories(&self) -> Vec<PageHistory<'_>> {
        let links_of = |id: u64| self.links_of(id);
        let mut out: Vec<PageHistory<'_>> = self
            .fetches_by_url()
            .par_iter()
            .filter_map(|g| history::replay(g, &links_of))
            .collect();
        out.par_sort_by(|a, b| a.url.cmp(b.url));
        out
    }

    /// Resumes the checkpoint's replays with the new fetches, if the log allows it: every new
    /// fetch of a page it holds is later than the page's latest replayed fetch. `Ok(None)`
    /// when one is not (the caller replays the whole log).
    fn resumed_histories(&self, checkpoint: &Checkpoint) -> Result<Option<Vec<PageHistory<'_>>>> {
        let mut replays = checkpoint.replays(self)?;
        let at: HashMap<&str, usize> = replays
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((r.url()?, i)))
            .collect();
        let mut next: Vec<Vec<&PageRecord>> = vec![Vec::new(); replays.len()];
        let mut fresh = Vec::new();
        for group in self.fetches_by_url() {
            match at.get(group[0].url.as_str()) {
                Some(&i) => {
                    if replays[i].last_visited() >= Some(group[0].fetched_at) {
                        tracing::info!(
                            url = %group[0].url,
                            "a new fetch is older than the page's replayed ones"
                        );
                        return Ok(None);
                    }
                    next[i] = group;
                }
                None => fresh.push(group),
            }
        }
        let links_of = |id: u64| self.links_of(id);
        replays
            .par_iter_mut()
            .zip(next)
            .for_each(|(replay, fetches)| {
                for fetch in fetches {
                    replay.apply(fetch, &links_of);
                }
            });
        let mut out: Vec<PageHistory<'_>> = replays
            .into_par_iter()
            .filter_map(Replay::finish)
            .chain(
                fresh
                    .par_iter()
                    .filter_map(|g| history::replay(g, &links_of)),
            )
            .collect();
        out.par_sort_by(|a, b| a.url.cmp(b.url));
        Ok(Some(out))
    }

    /// Fetches replayed by this build.
    fn replayed(&self) -> u64 {
        (self.pages.len() - self.resumed.len()) as u64
    }
}

fn read_segments(segs: &[PathBuf]) -> Result<Vec<SegmentRecords>> {
    segs.par_iter().map(|s| read_segment(s)).collect()
}

fn names(segs: &[PathBuf]) -> Vec<String> {
    segs.iter()
        .map(|s| {
            s.file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct BuildReport {
    pub generation: String,
    pub fetches: u64,
    pub pages: u64,
    pub links: u64,
    pub backlinks: u64,
    pub domains: u64,
    /// Resumed from the previous generation's replay checkpoint.
    pub incremental: bool,
    /// Fetches replayed (for an incremental build, only those after the checkpoint).
    pub fetches_replayed: u64,
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
///
/// The build is incremental when it can be ([`checkpoint`]): it resumes the previous
/// generation's replay with the segments that came after it. Everything after the replay
/// (drops, metrics, tables) is computed whole, since any new link can move DR, UR and the
/// counts of every row.
pub fn build_with(
    dir: &DataDir,
    config: &BuildConfig,
    derived: DerivedTables<'_>,
) -> Result<(Generation, BuildReport)> {
    let started = Instant::now();
    let previous = snapshot::current(dir)?;
    if !config.full
        && let Some(log_and_checkpoint) = incremental_log(dir, previous.as_ref())?
    {
        let (log, checkpoint) = log_and_checkpoint;
        if let Some(histories) = log.resumed_histories(&checkpoint)? {
            drop(checkpoint);
            return write_generation(dir, config, derived, &log, histories, previous, started);
        }
    }
    let log = Log::load(dir)?;
    tracing::info!(
        fetches = log.pages.len(),
        links = log.links.len(),
        segments = log.segment_names.len(),
        "log loaded: full replay"
    );
    let histories = log.histories();
    write_generation(dir, config, derived, &log, histories, previous, started)
}

/// The previous generation's replay checkpoint and the log after it, when the log allows an
/// incremental build.
fn incremental_log(
    dir: &DataDir,
    previous: Option<&Generation>,
) -> Result<Option<(Log, Checkpoint)>> {
    let Some(previous) = previous else {
        return Ok(None);
    };
    let Some((checkpoint, records)) = Checkpoint::read(&previous.dir)? else {
        tracing::info!(generation = %previous.manifest.generation, "no replay checkpoint");
        return Ok(None);
    };
    let Some(log) = Log::load_after(dir, &checkpoint, records)? else {
        tracing::info!("a segment the checkpoint replayed is gone from the log");
        return Ok(None);
    };
    tracing::info!(
        fetches = log.replayed(),
        segments = log.segment_names.len() - checkpoint.segments.len(),
        resumed_pages = log.resumed.len(),
        "log loaded: incremental replay"
    );
    Ok(Some((log, checkpoint)))
}

/// Everything after the replay: drops, metrics, targets and the tables, written into a new
/// generation with the replay's checkpoint, which then becomes current.
fn write_generation<'a>(
    dir: &DataDir,
    config: &BuildConfig,
    derived: DerivedTables<'_>,
    log: &'a Log,
    mut histories: Vec<PageHistory<'a>>,
    previous: Option<Generation>,
    started: Instant,
) -> Result<(Generation, BuildReport)> {
    let incremental = !log.resumed.is_empty();
    let fetches = match (&previous, incremental) {
        (Some(p), true) => p.manifest.fetches + log.replayed(),
        _ => log.pages.len() as u64,
    };
    let log_horizon = log.pages.iter().map(|p| p.fetched_at).max().unwrap_or(0);
    let previous_horizon = previous.as_ref().map(|g| g.manifest.log_horizon);
    let pending = snapshot::begin(dir)?;
    let replayed_live = checkpoint::ReplayedLiveness::of(&histories);
    site_language::apply(&mut histories);
    drops::apply(
        &mut histories,
        log_horizon,
        i64::from(config.lost_retention_days) * drops::DAY,
    );
    let (tables, histories, metrics, backlinks) = std::thread::scope(|s| {
        let histories = &histories;
        let saving = s.spawn(|| checkpoint::write(&pending.tmp, histories, &replayed_live, log));
        let mut metrics = Metrics::compute(histories);
        metrics.imports = crate::imports::ImportedMetrics::load(dir)?;
        tracing::info!(
            domains = metrics.domains.len(),
            pages = metrics.pages.len(),
            dr_iterations = metrics.domain_iterations,
            ur_iterations = metrics.page_iterations,
            "metrics computed"
        );
        let statuses = targets::resolve(histories);
        tracing::info!(targets = statuses.len(), "targets resolved");
        let rows = link_rows(histories, &metrics, &statuses, previous_horizon);
        let (link_rows_written, backlinks) = write_link_tables(&pending.tmp, rows)?;
        tracing::info!(rows = link_rows_written, "backlinks and outlinks written");
        let pages = write_pages(&pending.tmp, histories, &metrics)?;
        let domains = write_domains(&pending.tmp, &metrics)?;
        let target_rows = write_targets(&pending.tmp, &statuses)?;
        let domain_links = explain::write_domain_links(
            &pending.tmp,
            &metrics.domains.names,
            &metrics.domain_edges,
        )?;
        let history_rows =
            metrics_history::write(&pending.tmp, previous.as_ref(), log_horizon, &metrics)?;
        tracing::info!(
            pages,
            domains,
            target_rows,
            "pages, domains and targets written"
        );
        let derived_tables = derived(&pending.tmp)?;
        saving
            .join()
            .map_err(|_| IndexError::Invalid("writing the replay checkpoint failed".into()))??;
        let tables: BTreeMap<String, u64> = BTreeMap::from([
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
        .collect();
        Ok::<_, IndexError>((tables, histories.len() as u64, metrics, backlinks))
    })?;
    let manifest = Manifest {
        generation: pending.name.clone(),
        number: pending.number,
        created_at: now(),
        log_horizon,
        previous_horizon,
        segments: log.segment_names.len(),
        tables,
        fetches,
        pages: histories,
        links: metrics.nodes.len() as u64,
        domains: metrics.domains.len() as u64,
        build_seconds: started.elapsed().as_secs_f64(),
        incremental,
        fetches_replayed: log.replayed(),
    };
    let generation = snapshot::commit(dir, pending, &manifest, config.keep_generations)?;
    let report = BuildReport {
        generation: manifest.generation.clone(),
        fetches: manifest.fetches,
        pages: manifest.pages,
        links: manifest.links,
        backlinks,
        domains: manifest.domains,
        incremental,
        fetches_replayed: manifest.fetches_replayed,
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
