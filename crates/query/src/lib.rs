//! Anchorage query layer: every protocol parses its request into a query value of this crate
//! ([`BacklinksQuery`], [`Filter`]) and renders the Arrow rows it returns. The query logic —
//! target scope, history, filters, grouping, order, paging — lives here once, as DataFusion
//! plans over the current snapshot generation.

pub mod backlinks;
pub mod direct;
mod eager;
pub mod filter;
pub mod indirect;
pub mod intersect;
pub mod pages;
pub mod preaggregate;
pub mod reports;
pub mod scope;
pub mod stats;

pub use backlinks::{Aggregation, BacklinksQuery, GroupKey, LINK_GROUP_COUNT, OrderBy};
pub use datafusion::common::ScalarValue;
pub use filter::{Condition, Field, Filter, Value};
pub use reports::{GROUP_COUNT, ReportOrder, ReportQuery};
pub use scope::History;

use anchorage_core::reports::LinkTable;
use anchorage_core::target::KeyRange;
use anchorage_core::target::{Protocol, Target};
use anchorage_core::time::{Micros, iso_date};
use anchorage_index::DataDir;
use anchorage_index::build::table::target_key;
use anchorage_index::build::table::{SOURCE_KEY, TARGET_KEY};
use anchorage_index::snapshot::{
    BACKLINKS, DOMAINS, Generation, METRICS_HISTORY, OUTLINKS, PAGES, TARGETS,
};
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::datatypes::{DataType, Float64Type, UInt32Type};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::dataframe::DataFrame;
use datafusion::execution::context::SessionContext;
use datafusion::logical_expr::{col, lit};
use datafusion::prelude::{ParquetReadOptions, SessionConfig};
pub use direct::CachePolicy;
use direct::LinkFile;
use indirect::{IndirectHops, IndirectUrl};
use preaggregate::SCOPE_KEY;
use std::collections::HashMap;
use std::sync::Arc;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum QueryError {
    /// The request is wrong (bad value, bad regex…): the message names the reason.
    #[error("{0}")]
    Invalid(String),
    #[error("query engine: {0}")]
    Engine(#[from] datafusion::error::DataFusionError),
    #[error("query engine: {0}")]
    Arrow(#[from] datafusion::arrow::error::ArrowError),
    #[error(transparent)]
    Index(#[from] anchorage_index::IndexError),
}

/// The settings every session over a generation shares: two partitions, and strings read as
/// `Utf8`, the type the rendering and the pre-aggregated tables expect.
pub(crate) fn session_config() -> SessionConfig {
    let mut config = SessionConfig::new().with_target_partitions(2);
    config
        .options_mut()
        .execution
        .parquet
        .schema_force_view_types = false;
    config
}

/// Decoded link-table pages a server keeps in memory unless told otherwise
/// (`anchorage serve --scan-cache-mb`).
pub const DEFAULT_SCAN_CACHE_BYTES: usize = 512 << 20;

/// The rows a target's key range must span for its backlinks to be read past a source-DR
/// floor ([`Engine::backlinks`]).
const FLOOR_FROM_ROWS: usize = 16 * 1024;

/// The query engine over one generation.
pub struct Engine {
    ctx: SessionContext,
    /// Plans over the few rows of a direct read: one partition and only the optimizer rules
    /// such plans need, as planning would otherwise cost more than running them.
    scoped_ctx: SessionContext,
    pub generation: Generation,
    /// The link tables with their decoded metadata, for target-scoped reads.
    backlinks_file: Option<Arc<LinkFile>>,
    outlinks_file: Option<Arc<LinkFile>>,
    /// The generation's pre-aggregated reports by file name, keyed by scope.
    preaggregated: HashMap<String, Arc<LinkFile>>,
    /// Every redirect hop and canonical of the generation, loaded on first use (indirect
    /// backlinks).
    indirect_hops: tokio::sync::OnceCell<Arc<IndirectHops>>,
    /// [`FLOOR_FROM_ROWS`], or what [`Engine::set_floor_from_rows`] set.
    floor_from_rows: usize,
}

impl Engine {
    /// Opens the data directory's current generation.
    pub async fn open_current(dir: &DataDir) -> Result<Engine, QueryError> {
        let generation = anchorage_index::snapshot::require_current(dir)?;
        Engine::open(generation).await
    }

    /// Opens `generation` with a [`direct::ChunkCache`] of [`DEFAULT_SCAN_CACHE_BYTES`].
    pub async fn open(generation: Generation) -> Result<Engine, QueryError> {
        Engine::open_with_cache(generation, CachePolicy::of_bytes(DEFAULT_SCAN_CACHE_BYTES)).await
    }

    /// Opens `generation`, keeping decoded link-table pages in memory as `cache` says.
    pub async fn open_with_cache(
        generation: Generation,
        cache: CachePolicy,
    ) -> Result<Engine, QueryError> {
        let mut config = session_config().with_batch_size(8192);
        let parquet = &mut config.options_mut().execution.parquet;
        parquet.pushdown_filters = true;
        parquet.reorder_filters = true;
        parquet.enable_page_index = true;
        let ctx = SessionContext::new_with_config(config);
        for (name, file) in [
            ("backlinks", BACKLINKS),
            ("outlinks", OUTLINKS),
            ("metrics_history", METRICS_HISTORY),
            ("domains", DOMAINS),
            ("pages", PAGES),
        ] {
            let path = generation.table(file);
            if path.is_file() {
                ctx.register_parquet(
                    name,
                    path.to_string_lossy().as_ref(),
                    ParquetReadOptions::default(),
                )
                .await?;
            }
        }
        let cache = direct::ChunkCache::new(cache);
        let mut files = 0u16;
        let mut link_file = |path: &std::path::Path, key: &str| {
            files += 1;
            let file = LinkFile::open(path, key)?;
            Ok::<_, QueryError>(file.map(|f| Arc::new(f.with_cache(cache.clone(), files))))
        };
        let backlinks_path = generation.table(BACKLINKS);
        let outlinks_path = generation.table(OUTLINKS);
        let backlinks_file = match backlinks_path.is_file() {
            true => link_file(&backlinks_path, TARGET_KEY)?,
            false => None,
        };
        let outlinks_file = match outlinks_path.is_file() {
            true => link_file(&outlinks_path, SOURCE_KEY)?,
            false => None,
        };
        let mut preaggregated = HashMap::new();
        for name in generation.manifest.tables.keys() {
            if name.starts_with("agg-")
                && let Some(file) = link_file(&generation.table(name), SCOPE_KEY)?
            {
                preaggregated.insert(name.clone(), file);
            }
        }
        Ok(Engine {
            ctx,
            scoped_ctx: scoped_context(),
            generation,
            backlinks_file,
            outlinks_file,
            preaggregated,
            indirect_hops: Default::default(),
            floor_from_rows: FLOOR_FROM_ROWS,
        })
    }

    /// Runs the plan `plan` builds over a link table, restricted to `target`'s rows: over
    /// the pages of its key range read directly when the file has a page index, else over
    /// the generic scan. `plan` must select the target's rows itself (it does: every query
    /// starts with its scope predicate); the direct read only saves reading the rest.
    async fn scoped(
        &self,
        table: LinkTable,
        target: &Target,
        plan: impl Fn(DataFrame) -> Result<DataFrame, QueryError>,
    ) -> Result<Vec<RecordBatch>, QueryError> {
        self.scoped_at_least(table, target, None, plan).await
    }

    /// [`Self::scoped`] over the rows whose source DR is at least `floor` (`plan` must not
    /// need the others).
    async fn scoped_at_least(
        &self,
        table: LinkTable,
        target: &Target,
        floor: Option<f64>,
        plan: impl Fn(DataFrame) -> Result<DataFrame, QueryError>,
    ) -> Result<Vec<RecordBatch>, QueryError> {
        let full = self.ctx.table(table_name(table)).await?;
        let file = match table {
            LinkTable::Backlinks => &self.backlinks_file,
            LinkTable::Outlinks => &self.outlinks_file,
        };
        let Some(file) = file.clone() else {
            return Ok(plan(full)?.collect().await?);
        };
        let full = plan(full)?;
        let range = target.key_range();
        let mut ranges = vec![range.clone()];
        if table == LinkTable::Backlinks {
            let indirect = target.indirect_urls.iter();
            ranges.extend(indirect.map(|url| KeyRange::single(&target_key(url))));
        }
        // A large read of one key range takes exactly the range's rows, so that the plan
        // need not test (nor the read decode) the key of every row.
        let key = match table {
            LinkTable::Backlinks => TARGET_KEY,
            LinkTable::Outlinks => SOURCE_KEY,
        };
        let exact_read = ranges.len() == 1 && !file.caches(&ranges) && {
            let stripped = scope::without_key_range(full.logical_plan(), key, &range);
            !direct::referenced_columns(&stripped).contains(key)
        };
        let columns = direct::referenced_columns(full.logical_plan());
        let floor = floor.map(|f| (backlinks::SOURCE_DR, f));
        let read_range = range.clone();
        let read = move || match exact_read {
            true => file.read_exact(&read_range, &columns, floor),
            false => file.read_at_least(&ranges, &columns, floor),
        };
        let started = std::time::Instant::now();
        let batches = tokio::task::spawn_blocking(read)
            .await
            .map_err(|e| QueryError::Invalid(format!("direct read failed: {e}")))??;
        let read_in = started.elapsed();
        let mut rows = plan(self.scoped_ctx.read_batches(batches.clone())?)?;
        if exact_read {
            let (state, whole) = rows.into_parts();
            rows = DataFrame::new(state, scope::without_key_range(&whole, key, &range));
        }
        let collected = collect_rows(rows, &batches).await;
        tracing::debug!(
            rows = batches.iter().map(RecordBatch::num_rows).sum::<usize>(),
            ?floor,
            exact_read,
            ?read_in,
            run_in = ?(started.elapsed() - read_in),
            "scoped read"
        );
        collected
    }

    /// Runs `plan` over the rows of scope `key` of a pre-aggregated report `file`.
    async fn preaggregated(
        &self,
        file: &Arc<LinkFile>,
        key: &str,
        plan: impl Fn(DataFrame) -> Result<DataFrame, QueryError>,
    ) -> Result<Vec<RecordBatch>, QueryError> {
        let empty = RecordBatch::new_empty(file.schema().clone());
        let columns =
            direct::referenced_columns(plan(self.scoped_ctx.read_batch(empty)?)?.logical_plan());
        let range = KeyRange::single(key);
        let file = file.clone();
        let batches =
            tokio::task::spawn_blocking(move || file.read(std::slice::from_ref(&range), &columns))
                .await
                .map_err(|e| QueryError::Invalid(format!("direct read failed: {e}")))??;
        let rows = self.scoped_ctx.read_batches(batches.clone())?;
        collect_rows(plan(rows)?, &batches).await
    }

    /// From how many rows of a key range backlinks are read past a source-DR floor (tests set
    /// 0 to read every target so).
    pub fn set_floor_from_rows(&mut self, rows: usize) {
        self.floor_from_rows = rows;
    }

    /// Whether `query` is answered from the generation's pre-aggregated reports.
    pub fn serves_from_preaggregates(&self, query: &ReportQuery) -> bool {
        self.preaggregated_source(query).is_some()
    }

    /// The pre-aggregated file and scope key answering `query`, if the generation has them.
    fn preaggregated_source(&self, query: &ReportQuery) -> Option<(&Arc<LinkFile>, String)> {
        let (name, key) = preaggregate::source_of(query)?;
        Some((self.preaggregated.get(&name)?, key))
    }

    /// The URLs outside `target` that redirect into it or name it as their canonical, or do
    /// so in turn ([`IndirectHops::into_target`]; at most `limit`, sorted): set them as the
    /// target's `indirect_urls` to count its indirect backlinks.
    pub async fn indirect_into(
        &self,
        target: &Target,
        limit: usize,
    ) -> Result<Vec<IndirectUrl>, QueryError> {
        let targets = self.generation.table(TARGETS);
        let pages = self.generation.table(PAGES);
        let hops = self
            .indirect_hops
            .get_or_try_init(|| async move {
                let load = move || IndirectHops::load(&targets, &pages).map(Arc::new);
                tokio::task::spawn_blocking(load).await.map_err(|e| {
                    QueryError::Invalid(format!("reading redirects and canonicals failed: {e}"))
                })?
            })
            .await?;
        Ok(hops.into_target(target, limit))
    }

    /// The distinct combinations of `columns` over every backlink of `target` (in any state,
    /// internal ones too): the values a protocol must know to turn a condition on a field it
    /// computes outside the tables into one on these columns.
    pub async fn distinct_of_target(
        &self,
        target: &Target,
        columns: &[&'static str],
    ) -> Result<Vec<RecordBatch>, QueryError> {
        let scope = scope::predicate_with(
            LinkTable::Backlinks,
            target,
            Protocol::Both,
            None,
            History::AllTime,
        );
        let group: Vec<_> = columns.iter().map(|c| col(*c)).collect();
        self.scoped(LinkTable::Backlinks, target, |t| {
            Ok(t.filter(scope.clone())?.aggregate(group.clone(), vec![])?)
        })
        .await
    }

    /// The instant of the index's latest fetch: "now" as far as the data knows.
    pub fn horizon(&self) -> Micros {
        self.generation.manifest.log_horizon
    }

    /// Runs a backlink query; the batches hold the selected columns in `select` order.
    pub async fn backlinks(&self, query: &BacklinksQuery) -> Result<Vec<RecordBatch>, QueryError> {
        let floor = self.source_dr_floor(query).await?;
        self.scoped_at_least(LinkTable::Backlinks, &query.target, floor, |t| {
            query.plan(t)
        })
        .await
    }

    /// The lowest source DR of the query's rows when it is known beforehand
    /// ([`BacklinksQuery::rows_by_source_dr`]): found over the few columns choosing them, so
    /// the full rows of a huge target's weaker links are never decoded.
    async fn source_dr_floor(&self, query: &BacklinksQuery) -> Result<Option<f64>, QueryError> {
        let Some(file) = &self.backlinks_file else {
            return Ok(None);
        };
        // On a few pages, the floor's own plan costs more than decoding them whole; pages
        // the cache keeps are not decoded at all.
        let ranges = [query.target.key_range()];
        if file.rows_in(&ranges) < self.floor_from_rows || file.caches(&ranges) {
            return Ok(None);
        }
        let table = self.ctx.table(table_name(LinkTable::Backlinks)).await?;
        if let Some(groups) = query.groups_by_source_dr(&table) {
            let links = self
                .scoped(LinkTable::Backlinks, &query.target, |t| {
                    query.group_floor_plan(t)
                })
                .await?;
            return nth_best_group_dr(&links, groups);
        }
        let Some(rows) = query.rows_by_source_dr(&table) else {
            return Ok(None);
        };
        let batches = self
            .scoped(LinkTable::Backlinks, &query.target, |t| {
                query.floor_plan(t, rows)
            })
            .await?;
        let best: Vec<Option<f64>> = batches
            .iter()
            .filter_map(|b| b.column(0).as_primitive_opt::<Float64Type>())
            .flat_map(|c| c.iter())
            .collect();
        // Fewer links than asked for: every one of them is a row.
        let last = best.get(rows.saturating_sub(1)).copied().flatten();
        Ok(last.filter(|_| rows > 0 && best.len() >= rows))
    }

    /// How many rows the backlink query returns without paging.
    pub async fn backlinks_count(&self, query: &BacklinksQuery) -> Result<u64, QueryError> {
        single_count(
            self.scoped(LinkTable::Backlinks, &query.target, |t| query.count_plan(t))
                .await?,
        )
    }

    /// Runs an aggregate report over its link table.
    pub async fn report(&self, query: &ReportQuery) -> Result<Vec<RecordBatch>, QueryError> {
        if let Some((file, key)) = self.preaggregated_source(query) {
            return self
                .preaggregated(file, &key, |rows| query.preaggregated_plan(rows, &key))
                .await;
        }
        self.scoped(query.report.table, &query.target, |t| query.plan(t))
            .await
    }

    /// How many rows the report has without paging.
    pub async fn report_count(&self, query: &ReportQuery) -> Result<u64, QueryError> {
        if let Some((file, key)) = self.preaggregated_source(query) {
            return single_count(
                self.preaggregated(file, &key, |rows| {
                    query.preaggregated_count_plan(rows, &key)
                })
                .await?,
            );
        }
        single_count(
            self.scoped(query.report.table, &query.target, |t| query.count_plan(t))
                .await?,
        )
    }

    /// The report's columns over all of the target's links (one row).
    pub async fn report_totals(&self, query: &ReportQuery) -> Result<Vec<RecordBatch>, QueryError> {
        self.scoped(query.report.table, &query.target, |t| query.totals_plan(t))
            .await
    }

    /// How many of the report's links have each combination of `columns`' values: the columns
    /// as stored, then [`GROUP_COUNT`].
    pub async fn group_counts(
        &self,
        query: &ReportQuery,
        columns: &[&str],
    ) -> Result<Vec<RecordBatch>, QueryError> {
        self.scoped(query.report.table, &query.target, |t| {
            query.group_counts_plan(t, columns)
        })
        .await
    }

    /// The target's backlink figures at the end of each period.
    pub async fn link_series(
        &self,
        target: &Target,
        protocol: Protocol,
        periods: &[(String, Micros)],
    ) -> Result<Vec<stats::PeriodFigures>, QueryError> {
        let table = self.ctx.table("backlinks").await?;
        stats::link_series(table, target, protocol, periods).await
    }

    pub async fn backlinks_stats(
        &self,
        target: &Target,
        protocol: Protocol,
        date: Micros,
    ) -> Result<stats::Counts, QueryError> {
        let table = self.ctx.table("backlinks").await?;
        stats::backlinks_stats(table, target, protocol, date, self.horizon()).await
    }

    pub async fn outlinks_stats(
        &self,
        target: &Target,
        protocol: Protocol,
    ) -> Result<stats::Counts, QueryError> {
        let table = self.ctx.table("outlinks").await?;
        stats::outlinks_stats(table, target, protocol).await
    }

    pub async fn refdomains_history(
        &self,
        target: &Target,
        protocol: Protocol,
        periods: &[(String, Micros)],
    ) -> Result<Vec<(String, i64)>, QueryError> {
        let table = self.ctx.table("backlinks").await?;
        stats::refdomains_history(table, target, protocol, periods).await
    }

    /// A domain's DR and Ahrefs Rank as of the build on or before `date` (DR 0 and no rank
    /// when the index knew nothing of it then).
    pub async fn domain_rating(
        &self,
        domain: &str,
        date: Micros,
    ) -> Result<(f64, Option<u32>), QueryError> {
        let day = iso_date(date);
        let rows = self.history_rows("domain", domain).await?;
        Ok(rows
            .into_iter()
            .rev()
            .find(|row| row.date <= day)
            .map_or((0.0, None), |row| (row.rating, row.rank)))
    }

    /// A root domain's link-farm score (0–100, README "Spam"), if the index knows the domain.
    pub async fn domain_spam_score(&self, domain: &str) -> Result<Option<u8>, QueryError> {
        if !self.ctx.table_exist("domains")? {
            return Ok(None);
        }
        let batches = self
            .ctx
            .table("domains")
            .await?
            .filter(col("domain").eq(lit(domain)))?
            .select(vec![col("spam_score")])?
            .collect()
            .await?;
        let Some(batch) = batches.iter().find(|b| b.num_rows() > 0) else {
            return Ok(None);
        };
        let scores = datafusion::arrow::compute::cast(batch.column(0), &DataType::UInt8)?;
        let scores = scores.as_primitive::<datafusion::arrow::datatypes::UInt8Type>();
        Ok((!scores.is_null(0)).then(|| scores.value(0)))
    }

    /// DR (`kind = "domain"`) or UR (`kind = "page"`) at the end of each period, from the
    /// builds on or before it; periods before the first build that knew the key are left out.
    pub async fn rating_history(
        &self,
        kind: &str,
        key: &str,
        periods: &[(String, Micros)],
    ) -> Result<Vec<(String, f64)>, QueryError> {
        let rows = self.history_rows(kind, key).await?;
        Ok(periods
            .iter()
            .filter_map(|(label, end)| {
                let day = iso_date(*end);
                rows.iter()
                    .rev()
                    .find(|row| row.date <= day)
                    .map(|row| (label.clone(), row.rating))
            })
            .collect())
    }

    /// One key's `metrics_history` rows, oldest first.
    async fn history_rows(&self, kind: &str, key: &str) -> Result<Vec<HistoryPoint>, QueryError> {
        if !self.ctx.table_exist("metrics_history")? {
            return Ok(Vec::new());
        }
        let df = self
            .ctx
            .table("metrics_history")
            .await?
            .filter(col("kind").eq(lit(kind)).and(col("key").eq(lit(key))))?
            .select(vec![col("date"), col("rating"), col("rank")])?
            .sort(vec![col("date").sort(true, false)])?;
        let mut out = Vec::new();
        for batch in df.collect().await? {
            let batch = canonical_strings(&batch)?;
            let dates = batch.column(0).as_string::<i32>();
            let ratings = batch.column(1).as_primitive::<Float64Type>();
            let ranks = datafusion::arrow::compute::cast(batch.column(2), &DataType::UInt32)?;
            let ranks = ranks.as_primitive::<UInt32Type>();
            for i in 0..batch.num_rows() {
                out.push(HistoryPoint {
                    date: dates.value(i).to_string(),
                    rating: ratings.value(i),
                    rank: (!ranks.is_null(i)).then(|| ranks.value(i)),
                });
            }
        }
        Ok(out)
    }
}

/// The session of plans over rows already read: one partition, no logical optimization (the
/// rows hold only the columns the plan reads), and the physical rules that make a plan
/// runnable (sorts and distribution a window or aggregate needs) or cheaper to run (limits
/// pushed into sorts).
fn scoped_context() -> SessionContext {
    use datafusion::execution::session_state::SessionStateBuilder;
    use datafusion::physical_optimizer::PhysicalOptimizerRule;
    use datafusion::physical_optimizer::combine_partial_final_agg::CombinePartialFinalAggregate;
    use datafusion::physical_optimizer::ensure_requirements::EnsureRequirements;
    use datafusion::physical_optimizer::limit_pushdown::LimitPushdown;
    use datafusion::physical_optimizer::output_requirements::OutputRequirements;
    let config = SessionConfig::new()
        .with_target_partitions(1)
        .with_batch_size(8192);
    let rules: Vec<Arc<dyn PhysicalOptimizerRule + Send + Sync>> = vec![
        Arc::new(OutputRequirements::new_add_mode()),
        Arc::new(EnsureRequirements::new()),
        Arc::new(CombinePartialFinalAggregate::new()),
        Arc::new(OutputRequirements::new_remove_mode()),
        Arc::new(LimitPushdown::new()),
    ];
    let state = SessionStateBuilder::new()
        .with_config(config)
        .with_default_features()
        .with_optimizer_rules(Vec::new())
        .with_physical_optimizer_rules(rules)
        .build();
    SessionContext::new_with_state(state)
}

/// The source DR of the `n`-th best group of `links` (rows of a group key and the DR every
/// link of the group shares); `None` when there are fewer groups.
fn nth_best_group_dr(links: &[RecordBatch], n: usize) -> Result<Option<f64>, QueryError> {
    use datafusion::arrow::row::{RowConverter, SortField};
    let mut best_of_group: HashMap<Vec<u8>, f64> = HashMap::new();
    for batch in links {
        let (key, dr) = (batch.column(0), batch.column(1));
        let converter = RowConverter::new(vec![SortField::new(key.data_type().clone())])?;
        let keys = converter.convert_columns(std::slice::from_ref(key))?;
        let dr = dr.as_primitive_opt::<Float64Type>().ok_or_else(|| {
            QueryError::Invalid("a group floor needs the source DR as a float".into())
        })?;
        for (row, key) in keys.iter().enumerate() {
            let value = dr.is_valid(row).then(|| dr.value(row));
            // A group without a DR sorts last: no floor can be drawn above it.
            let Some(value) = value else { return Ok(None) };
            let best = best_of_group.entry(key.data().to_vec()).or_insert(value);
            *best = best.max(value);
        }
    }
    if n == 0 || best_of_group.len() < n {
        return Ok(None);
    }
    let mut values: Vec<f64> = best_of_group.into_values().collect();
    let (_, nth, _) = values.select_nth_unstable_by(n - 1, |a, b| b.total_cmp(a));
    Ok(Some(*nth))
}

/// The rows of `df`, a plan over the in-memory `input`: run eagerly when it is only filters,
/// sorts, limits and projections ([`eager`]), else planned by DataFusion.
async fn collect_rows(
    df: DataFrame,
    input: &[RecordBatch],
) -> Result<Vec<RecordBatch>, QueryError> {
    let (state, plan) = df.into_parts();
    match eager::run(&state, &plan, input) {
        Some(Ok(rows)) => return Ok(rows),
        Some(Err(e)) => tracing::debug!(error = %e, "eager run failed: planning it instead"),
        None => {}
    }
    Ok(DataFrame::new(state, plan).collect().await?)
}

/// The one integer a count plan returns (0 when it returns no row).
pub(crate) fn single_count(batches: Vec<RecordBatch>) -> Result<u64, QueryError> {
    let Some(batch) = batches.iter().find(|b| b.num_rows() > 0) else {
        return Ok(0);
    };
    let counts = datafusion::arrow::compute::cast(batch.column(0), &DataType::Int64)?;
    let counts = counts.as_primitive::<datafusion::arrow::datatypes::Int64Type>();
    Ok(u64::try_from(counts.value(0)).unwrap_or(0))
}

struct HistoryPoint {
    date: String,
    rating: f64,
    rank: Option<u32>,
}

fn table_name(table: LinkTable) -> &'static str {
    match table {
        LinkTable::Backlinks => "backlinks",
        LinkTable::Outlinks => "outlinks",
    }
}

/// The batch with every string column as plain `Utf8` (engines may hand out views).
pub fn canonical_strings(batch: &RecordBatch) -> Result<RecordBatch, QueryError> {
    let mut fields = Vec::new();
    let mut columns = Vec::new();
    for (field, column) in batch.schema().fields().iter().zip(batch.columns()) {
        let (field, column) = match column.data_type() {
            DataType::Utf8View | DataType::LargeUtf8 => (
                field.as_ref().clone().with_data_type(DataType::Utf8),
                datafusion::arrow::compute::cast(column, &DataType::Utf8)?,
            ),
            _ => (field.as_ref().clone(), column.clone()),
        };
        fields.push(field);
        columns.push(column);
    }
    Ok(RecordBatch::try_new(
        std::sync::Arc::new(datafusion::arrow::datatypes::Schema::new(fields)),
        columns,
    )?)
}
