//! Aggregate reports (refdomains, anchors, pages, linked domains, linked anchors): the
//! target's links, filtered, grouped by the report's key, aggregated as the catalogue's
//! [`Agg`] says, filtered again on the aggregates, ordered and paged.

use crate::QueryError;
use crate::filter::{Filter, to_expr};
use crate::preaggregate::SCOPE_KEY;
use crate::scope::{self, History};
use anchorage_core::reports::{Agg, Report, ReportColumn};
use anchorage_core::target::{Protocol, Target};
use datafusion::common::ScalarValue;
use datafusion::dataframe::DataFrame;
use datafusion::functions_aggregate::expr_fn::{
    avg, bool_and, bool_or, count, count_distinct, first_value, max, min, sum,
};
use datafusion::functions_nested::expr_fn::array_element;
use datafusion::logical_expr::{Expr, SortExpr, col, ident, lit, when};

/// The column of [`ReportQuery::group_counts_plan`] counting each group's links.
pub const GROUP_COUNT: &str = "links";

/// One `ORDER BY` item of a report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportOrder {
    pub column: &'static ReportColumn,
    pub descending: bool,
}

/// A query of one aggregate report, whatever protocol asked it.
#[derive(Debug, Clone)]
pub struct ReportQuery {
    pub report: &'static Report,
    pub target: Target,
    pub protocol: Protocol,
    /// Columns to return, in order.
    pub select: Vec<&'static ReportColumn>,
    /// Conditions on the links, before grouping.
    pub link_filter: Option<Filter>,
    /// Conditions on the report's columns, after grouping.
    pub group_filter: Option<Filter>,
    pub order_by: Vec<ReportOrder>,
    pub limit: usize,
    pub offset: usize,
    pub history: History,
    /// Internal links count as well as the report's own kind (DataForSEO's
    /// `exclude_internal_backlinks: false`).
    pub include_internal: bool,
}

/// A report column as the aggregates it needs over a group's links (aliased) and the value
/// computed from them once the group is aggregated (`None` for the group key). Aggregate plan
/// nodes hold aggregate functions only, so constants and expressions over several aggregates
/// are computed in the projection after them.
fn computation(column: &ReportColumn) -> Option<(Vec<Expr>, Expr)> {
    let name = column.name;
    let single = |aggregate: Expr| Some((vec![aggregate.alias(name)], ident(name)));
    let count_if = |cond: Expr| {
        single(sum(when(cond, lit(1i64))
            .otherwise(lit(0i64))
            .unwrap_or(lit(0i64))))
    };
    let best_first = || {
        vec![
            col("domain_rating_source").sort(false, false),
            col("url_from").sort(true, false),
        ]
    };
    match column.agg {
        Agg::Key => None,
        Agg::Count => single(count(lit(1))),
        Agg::CountIf(c) => count_if(col(c).eq(lit(true))),
        Agg::CountIfNot(c) => count_if(col(c).eq(lit(false))),
        Agg::CountEq(c, v) => count_if(col(c).eq(lit(v))),
        Agg::Distinct(c) => single(count_distinct(col(c))),
        // `when` without `otherwise` is null elsewhere, and nulls are not counted.
        Agg::DistinctIf(c, cond) => single(count_distinct(
            when(col(cond).eq(lit(true)), col(c))
                .end()
                .unwrap_or(lit(ScalarValue::Null)),
        )),
        Agg::Avg(c) => single(avg(col(c))),
        Agg::Min(c) => single(min(col(c))),
        Agg::Max(c) => single(max(col(c))),
        Agg::First(c) => single(first_value(col(c), best_first())),
        Agg::AnyTrue(c) => single(bool_or(col(c))),
        Agg::FirstRedirect => single(first_value(
            array_element(col("url_redirect"), lit(1i64)),
            best_first(),
        )),
        Agg::RootKey => Some((vec![], lit(true))),
        // Imported figures of linked (target) domains are not joined to the rows yet.
        Agg::Imported => Some((vec![], lit(ScalarValue::Int64(Some(0))))),
        Agg::LastSeen => {
            let all_lost = format!("{name}__all_lost");
            let latest = format!("{name}__latest");
            let value = when(ident(&all_lost), ident(&latest))
                .end()
                .unwrap_or(lit(ScalarValue::Null));
            let aggregates = vec![
                bool_and(col("is_lost")).alias(all_lost),
                max(col("last_seen")).alias(latest),
            ];
            Some((aggregates, value))
        }
    }
}

/// Each needed column with the expression computing it from the aggregates.
type ColumnValues = Vec<(&'static ReportColumn, Expr)>;

/// Aggregates `links` per `group_by` (none: one row) into the `needed` columns.
fn aggregate_columns(
    links: DataFrame,
    group_by: Vec<Expr>,
    needed: &[&'static ReportColumn],
) -> Result<(DataFrame, ColumnValues), QueryError> {
    let mut aggregates = Vec::new();
    let mut values = Vec::new();
    for &column in needed {
        if let Some((needs, value)) = computation(column) {
            aggregates.extend(needs);
            values.push((column, value));
        }
    }
    Ok((links.aggregate(group_by, aggregates)?, values))
}

impl ReportQuery {
    fn key_column(&self) -> Option<&'static ReportColumn> {
        self.report.columns.iter().find(|c| c.agg == Agg::Key)
    }

    /// The history the report's links are taken from (live for reports without one).
    pub fn effective_history(&self) -> History {
        if self.report.history {
            self.history
        } else {
            History::Live
        }
    }

    /// The report's links: target scope, history and link filter.
    fn links(&self, table: DataFrame) -> Result<DataFrame, QueryError> {
        let r = self.report;
        let history = self.effective_history();
        let internal = (!self.include_internal).then_some(r.internal);
        let mut predicate =
            scope::predicate_with(r.table, &self.target, self.protocol, internal, history);
        if let Some(f) = &self.link_filter {
            predicate = predicate.and(to_expr(f).map_err(QueryError::Invalid)?);
        }
        Ok(table.filter(predicate)?)
    }

    /// The report's columns a query needs: the selected, ordered and group-filtered ones.
    /// Only these are aggregated, since each count-distinct costs a hash table per group.
    fn needed_columns(&self, for_rows: bool) -> Vec<&'static ReportColumn> {
        let mut names: Vec<&str> = Vec::new();
        if let Some(f) = &self.group_filter {
            let mut fields = Vec::new();
            f.fields(&mut fields);
            names.extend(fields.iter().map(|f| f.name));
        }
        if for_rows {
            names.extend(self.select.iter().map(|c| c.name));
            names.extend(self.order_by.iter().map(|o| o.column.name));
            names.push(self.report.default_order.0);
        }
        self.report
            .columns
            .iter()
            .filter(|c| c.agg == Agg::Key || names.contains(&c.name))
            .collect()
    }

    /// The report's columns aggregated over all of the target's links at once (one row):
    /// DataForSEO's `summary`.
    pub fn totals_plan(&self, table: DataFrame) -> Result<DataFrame, QueryError> {
        let (df, values) = aggregate_columns(self.links(table)?, vec![], &self.select)?;
        let by_name = |c: &ReportColumn| values.iter().find(|(v, _)| v.name == c.name);
        let select = self
            .select
            .iter()
            .map(|c| match by_name(c) {
                Some((_, value)) => value.clone().alias(c.name),
                None => lit(ScalarValue::Null).alias(c.name),
            })
            .collect::<Vec<_>>();
        Ok(df.select(select)?)
    }

    /// The plan counting the report's rows (after the group filter), without paging.
    pub fn count_plan(&self, table: DataFrame) -> Result<DataFrame, QueryError> {
        let needed = self.needed_columns(false);
        let df = group_rows(self.report, self.links(table)?, None, &needed)?;
        count_rows(self.filter_groups(df)?)
    }

    /// [`Self::count_plan`] over the report's pre-aggregated rows of the scope `key`.
    pub fn preaggregated_count_plan(
        &self,
        rows: DataFrame,
        key: &str,
    ) -> Result<DataFrame, QueryError> {
        count_rows(self.filter_groups(in_scope(rows, key)?)?)
    }

    /// How many of the report's links have each combination of `columns`' values.
    pub fn group_counts_plan(
        &self,
        table: DataFrame,
        columns: &[&str],
    ) -> Result<DataFrame, QueryError> {
        let keys: Vec<Expr> = columns.iter().map(|c| col(*c)).collect();
        Ok(self
            .links(table)?
            .aggregate(keys, vec![count(lit(1)).alias(GROUP_COUNT)])?)
    }

    fn filter_groups(&self, df: DataFrame) -> Result<DataFrame, QueryError> {
        Ok(match &self.group_filter {
            Some(f) => df.filter(to_expr(f).map_err(QueryError::Invalid)?)?,
            None => df,
        })
    }

    /// The plan of this query over the report's link table. A report without a key column
    /// returns the group key first, under the name of the column grouped on.
    pub fn plan(&self, table: DataFrame) -> Result<DataFrame, QueryError> {
        let needed = self.needed_columns(true);
        let df = group_rows(self.report, self.links(table)?, None, &needed)?;
        self.page(self.filter_groups(df)?)
    }

    /// [`Self::plan`] over the report's pre-aggregated rows of the scope `key`: the rows
    /// [`group_rows`] wrote at build time for every scope at once.
    pub fn preaggregated_plan(&self, rows: DataFrame, key: &str) -> Result<DataFrame, QueryError> {
        self.page(self.filter_groups(in_scope(rows, key)?)?)
    }

    /// Ordered, paged and reduced to the selected columns.
    fn page(&self, groups: DataFrame) -> Result<DataFrame, QueryError> {
        let df = groups
            .sort(self.order())?
            .limit(self.offset, Some(self.limit))?;
        let mut select: Vec<Expr> = Vec::new();
        if self.key_column().is_none() {
            select.push(col(self.report.group_by));
        }
        select.extend(self.select.iter().map(|c| col(c.name)));
        Ok(df.select(select)?)
    }

    fn order(&self) -> Vec<SortExpr> {
        let mut sort: Vec<SortExpr> = self
            .order_by
            .iter()
            .map(|o| col(o.column.name).sort(!o.descending, false))
            .collect();
        if self.order_by.is_empty() {
            let (name, descending) = self.report.default_order;
            sort.push(col(name).sort(!descending, false));
        }
        sort.push(key_order(self.report));
        sort
    }
}

/// The report's key, ascending: the last order rule, which makes the order total so that
/// pages are stable.
pub fn key_order(report: &Report) -> SortExpr {
    let key = report.columns.iter().find(|c| c.agg == Agg::Key);
    col(key.map_or(report.group_by, |k| k.name)).sort(true, false)
}

/// One row per group of `links` (per `scope` too when given: an expression over the links,
/// which becomes the [`SCOPE_KEY`] column),
/// with the `needed` columns, the key named as the report names it (`domain`, `anchor`,
/// `url_to`…) and the grouped-on column as well when the report has no key column.
pub fn group_rows(
    report: &Report,
    links: DataFrame,
    scope: Option<Expr>,
    needed: &[&'static ReportColumn],
) -> Result<DataFrame, QueryError> {
    let scoped = scope.is_some();
    let mut group_by: Vec<Expr> = scope.map(|s| s.alias(SCOPE_KEY)).into_iter().collect();
    group_by.push(col(report.group_by));
    let (df, values) = aggregate_columns(links, group_by, needed)?;
    let mut columns: Vec<Expr> = Vec::new();
    if scoped {
        columns.push(ident(SCOPE_KEY));
    }
    columns.extend(
        needed
            .iter()
            .filter(|c| c.agg == Agg::Key)
            .map(|c| col(report.group_by).alias(c.name)),
    );
    columns.extend(values.into_iter().map(|(c, value)| value.alias(c.name)));
    if !report.columns.iter().any(|c| c.agg == Agg::Key) {
        columns.push(col(report.group_by));
    }
    Ok(df.select(columns)?)
}

/// The rows of one scope of a pre-aggregated report.
fn in_scope(rows: DataFrame, key: &str) -> Result<DataFrame, QueryError> {
    Ok(rows.filter(col(SCOPE_KEY).eq(lit(key.to_string())))?)
}

fn count_rows(df: DataFrame) -> Result<DataFrame, QueryError> {
    Ok(df.aggregate(vec![], vec![count(lit(1)).alias("total")])?)
}
