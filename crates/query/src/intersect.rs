//! Link-gap questions over several targets. An [`Intersection`] joins the rows of one report
//! (referring domains, referring pages) of each target on the report's key: the keys that
//! link to every target (or to any), without those that link to an excluded one
//! (DataForSEO's `domain_intersection` and `page_intersection`). [`Competitors`] are the
//! domains that share the most referring domains with a target.

use crate::filter::{Filter, to_expr};
use crate::reports::ReportQuery;
use crate::scope::{self, History};
use crate::{Engine, QueryError};
use anchorage_core::reports::LinkTable;
use anchorage_core::target::{Protocol, Target};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::JoinType;
use datafusion::dataframe::DataFrame;
use datafusion::functions_aggregate::expr_fn::{count, count_distinct};
use datafusion::logical_expr::{Expr, SortExpr, col, ident, lit};
use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

/// The joined key column.
pub const KEY: &str = "key";
/// How many of the targets a key links to.
pub const INTERSECTIONS: &str = "intersections_count";
/// How many rows of a report one part may join: far above any target's referring domains.
const MAX_GROUPS: usize = 50_000_000;

/// The name of report column `name` of part `part` (numbered from 1) in the joined rows:
/// `"{part}:{name}"`. Names are interned (parts × report columns, a bounded set) so that
/// filters can name them as they name catalogue columns.
pub fn part_column(part: usize, name: &str) -> &'static str {
    static NAMES: LazyLock<Mutex<HashSet<&'static str>>> = LazyLock::new(Default::default);
    let wanted = format!("{part}:{name}");
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(known) = names.get(wanted.as_str()) {
        return known;
    }
    let interned: &'static str = Box::leak(wanted.into_boxed_str());
    names.insert(interned);
    interned
}

/// Several targets' rows of one report, joined on the report's key.
#[derive(Debug, Clone)]
pub struct Intersection {
    /// One query per target, all of the same report; their `select`ed columns are joined.
    pub parts: Vec<ReportQuery>,
    /// Keys that appear in any of these queries' rows are left out.
    pub excluded: Vec<ReportQuery>,
    /// A key must link to every target (else to at least one).
    pub require_all: bool,
    /// On [`part_column`]s, [`INTERSECTIONS`] and [`KEY`].
    pub filter: Option<Filter>,
    /// Columns of the joined rows and descending; the key breaks ties.
    pub order_by: Vec<(&'static str, bool)>,
    pub limit: usize,
    pub offset: usize,
}

/// The domains that receive links from a target's referring domains.
#[derive(Debug, Clone)]
pub struct Competitors {
    pub target: Target,
    /// Competitors are root domains (else hosts).
    pub by_root: bool,
    /// Leave out domains linked from at least [`LARGE_SHARE`] of the index's linking
    /// domains (and at least [`LARGE_MIN`] of them).
    pub exclude_large: bool,
    pub include_internal: bool,
    /// On [`COMPETITOR`], [`COMPETITOR_RATING`] and [`COMPETITOR_INTERSECTIONS`].
    pub filter: Option<Filter>,
    pub order_by: Vec<(&'static str, bool)>,
    pub limit: usize,
    pub offset: usize,
}

/// Columns of a competitor row: its domain, its root domain's Domain Rating, and how many
/// of the target's referring root domains link to it.
pub const COMPETITOR: &str = "target";
pub const COMPETITOR_RATING: &str = "rank";
pub const COMPETITOR_INTERSECTIONS: &str = "intersections";
/// A "large" domain is linked from this share of the root domains that link anywhere…
pub const LARGE_SHARE: f64 = 0.1;
/// …and from at least this many.
pub const LARGE_MIN: u64 = 20;

impl Engine {
    /// The joined rows of the page the intersection asks for, and how many rows it has
    /// unpaged. Columns: [`KEY`], [`INTERSECTIONS`], then per part its key and `select`ed
    /// columns as [`part_column`]s (null where the key does not link to that target).
    pub async fn intersect(
        &self,
        query: &Intersection,
    ) -> Result<(u64, Vec<RecordBatch>), QueryError> {
        let mut parts = Vec::with_capacity(query.parts.len());
        for (i, part) in query.parts.iter().enumerate() {
            parts.push(self.prefixed_groups(part, i + 1).await?);
        }
        let mut keys: Option<DataFrame> = None;
        for (i, part) in parts.iter().enumerate() {
            let key = part
                .clone()
                .select(vec![ident(part_column(i + 1, KEY)).alias(KEY)])?;
            keys = Some(match keys {
                Some(all) => all.union(key)?,
                None => key,
            });
        }
        let Some(keys) = keys else {
            return Ok((0, Vec::new()));
        };
        let mut rows = keys.aggregate(vec![col(KEY)], vec![count(lit(1)).alias(INTERSECTIONS)])?;
        if query.require_all {
            rows = rows.filter(col(INTERSECTIONS).eq(lit(parts.len() as i64)))?;
        }
        for excluded in &query.excluded {
            let other = self
                .groups(excluded)
                .await?
                .select(vec![ident(excluded.report.group_by).alias("excluded_key")])?;
            rows = rows.join(other, JoinType::LeftAnti, &[KEY], &["excluded_key"], None)?;
        }
        for (i, part) in parts.into_iter().enumerate() {
            rows = rows.join(
                part,
                JoinType::Left,
                &[KEY],
                &[part_column(i + 1, KEY)],
                None,
            )?;
        }
        if let Some(filter) = &query.filter {
            rows = rows.filter(to_expr(filter).map_err(QueryError::Invalid)?)?;
        }
        page(rows, &query.order_by, KEY, query.offset, query.limit).await
    }

    /// Every row of the report `query` asks (unpaged), as a frame of the engine's session.
    async fn groups(&self, query: &ReportQuery) -> Result<DataFrame, QueryError> {
        let mut all = query.clone();
        all.limit = MAX_GROUPS;
        all.offset = 0;
        all.order_by = Vec::new();
        let batches = self.report(&all).await?;
        let schema = match batches.first() {
            Some(batch) => batch.schema(),
            None => self.report_schema(&all).await?,
        };
        frame(self, schema, batches)
    }

    /// The report's rows with every column renamed for part `part`.
    async fn prefixed_groups(
        &self,
        query: &ReportQuery,
        part: usize,
    ) -> Result<DataFrame, QueryError> {
        let groups = self.groups(query).await?;
        let key = query.report.group_by;
        let columns: Vec<Expr> = groups
            .schema()
            .fields()
            .iter()
            .map(|f| {
                let name = if f.name() == key { KEY } else { f.name() };
                ident(f.name()).alias(part_column(part, name))
            })
            .collect();
        Ok(groups.select(columns)?)
    }

    /// The schema of a report's rows, planned over no links.
    async fn report_schema(&self, query: &ReportQuery) -> Result<SchemaRef, QueryError> {
        let table = self
            .ctx
            .table(crate::table_name(query.report.table))
            .await?;
        let empty = RecordBatch::new_empty(std::sync::Arc::new(table.schema().as_arrow().clone()));
        let plan = query.plan(self.scoped_ctx.read_batch(empty)?)?;
        Ok(std::sync::Arc::new(plan.schema().as_arrow().clone()))
    }

    /// The page of competitors the query asks for, and how many there are unpaged. Columns:
    /// [`COMPETITOR`], [`COMPETITOR_RATING`], [`COMPETITOR_INTERSECTIONS`].
    pub async fn competitors(
        &self,
        query: &Competitors,
    ) -> Result<(u64, Vec<RecordBatch>), QueryError> {
        let internal = (!query.include_internal).then_some(false);
        let own = scope::predicate_with(
            LinkTable::Backlinks,
            &query.target,
            Protocol::Both,
            internal,
            History::Live,
        );
        let referrers = self
            .scoped(LinkTable::Backlinks, &query.target, |t| {
                Ok(t.filter(own.clone())?
                    .aggregate(vec![col("root_name_source")], vec![])?)
            })
            .await?;
        let Some(first) = referrers.first() else {
            return Ok((0, Vec::new()));
        };
        let referrers = frame(self, first.schema(), referrers.clone())?
            .select(vec![col("root_name_source").alias("referrer")])?;
        let (own_key, competitor) = if query.by_root {
            (
                anchorage_core::domain::root_domain(query.target.host()).to_string(),
                col("root_name_target"),
            )
        } else {
            (query.target.host().to_string(), col("name_target"))
        };
        let links = self
            .ctx
            .table("backlinks")
            .await?
            .filter(scope::rows_predicate(
                LinkTable::Backlinks,
                Protocol::Both,
                Some(false),
                History::Live,
            ))?
            .select(vec![
                col("root_name_source"),
                col("root_name_target").alias("competitor_root"),
                competitor.alias(COMPETITOR),
            ])?
            .filter(col(COMPETITOR).not_eq(lit(own_key)))?
            .join(
                referrers,
                JoinType::LeftSemi,
                &["root_name_source"],
                &["referrer"],
                None,
            )?;
        let mut rows = links.aggregate(
            vec![col(COMPETITOR), col("competitor_root")],
            vec![count_distinct(col("root_name_source")).alias(COMPETITOR_INTERSECTIONS)],
        )?;
        rows = self.with_domain_figures(rows).await?;
        if query.exclude_large {
            let threshold = self.large_domain_threshold().await?;
            rows = rows.filter(
                col("refdomains")
                    .is_null()
                    .or(col("refdomains").lt(lit(threshold))),
            )?;
        }
        let mut rows = rows.select(vec![
            col(COMPETITOR),
            col(COMPETITOR_RATING),
            col(COMPETITOR_INTERSECTIONS),
        ])?;
        if let Some(filter) = &query.filter {
            rows = rows.filter(to_expr(filter).map_err(QueryError::Invalid)?)?;
        }
        let mut order = query.order_by.clone();
        if order.is_empty() {
            order = vec![(COMPETITOR_INTERSECTIONS, true), (COMPETITOR_RATING, true)];
        }
        page(rows, &order, COMPETITOR, query.offset, query.limit).await
    }

    /// Competitor rows with their root domain's Domain Rating (0 when unknown) and
    /// referring root domains.
    async fn with_domain_figures(&self, rows: DataFrame) -> Result<DataFrame, QueryError> {
        if !self.ctx.table_exist("domains")? {
            return Ok(rows.select(vec![
                col(COMPETITOR),
                col(COMPETITOR_INTERSECTIONS),
                lit(0.0f64).alias(COMPETITOR_RATING),
                lit(datafusion::common::ScalarValue::Int64(None)).alias("refdomains"),
            ])?);
        }
        let domains = self.ctx.table("domains").await?.select(vec![
            col("domain"),
            col("domain_rating"),
            datafusion::logical_expr::cast(
                col("refdomains"),
                datafusion::arrow::datatypes::DataType::Int64,
            )
            .alias("refdomains"),
        ])?;
        let joined = rows.join(
            domains,
            JoinType::Left,
            &["competitor_root"],
            &["domain"],
            None,
        )?;
        Ok(joined.select(vec![
            col(COMPETITOR),
            col(COMPETITOR_INTERSECTIONS),
            datafusion::functions::expr_fn::coalesce(vec![col("domain_rating"), lit(0.0f64)])
                .alias(COMPETITOR_RATING),
            col("refdomains"),
        ])?)
    }

    /// The referring root domains from which a domain counts as large.
    async fn large_domain_threshold(&self) -> Result<i64, QueryError> {
        let linking = crate::single_count(
            self.ctx
                .table("domains")
                .await?
                .filter(col("linked_domains").gt(lit(0u32)))?
                .aggregate(vec![], vec![count(lit(1))])?
                .collect()
                .await?,
        )?;
        let share = (linking as f64 * LARGE_SHARE).ceil() as u64;
        Ok(share.max(LARGE_MIN) as i64)
    }
}

fn frame(
    engine: &Engine,
    schema: SchemaRef,
    mut batches: Vec<RecordBatch>,
) -> Result<DataFrame, QueryError> {
    if batches.is_empty() {
        batches.push(RecordBatch::new_empty(schema));
    }
    Ok(engine.ctx.read_batches(batches)?)
}

/// The unpaged row count and the ordered page of `rows`.
async fn page(
    rows: DataFrame,
    order_by: &[(&'static str, bool)],
    key: &str,
    offset: usize,
    limit: usize,
) -> Result<(u64, Vec<RecordBatch>), QueryError> {
    let total = crate::single_count(
        rows.clone()
            .aggregate(vec![], vec![count(lit(1))])?
            .collect()
            .await?,
    )?;
    let mut sort: Vec<SortExpr> = order_by
        .iter()
        .map(|(name, descending)| ident(*name).sort(!descending, false))
        .collect();
    sort.push(ident(key).sort(true, false));
    let batches = rows
        .sort(sort)?
        .limit(offset, Some(limit))?
        .collect()
        .await?;
    Ok((total, batches))
}
