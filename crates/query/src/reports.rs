//! Aggregate reports (refdomains, anchors, pages, linked domains, linked anchors): the
//! target's links, filtered, grouped by the report's key, aggregated as the catalogue's
//! [`Agg`] says, filtered again on the aggregates, ordered and paged.

use crate::QueryError;
use crate::filter::{Filter, to_expr};
use crate::scope::{self, History};
use anchorage_core::reports::{Agg, Report, ReportColumn};
use anchorage_core::target::{Protocol, Target};
use datafusion::common::ScalarValue;
use datafusion::dataframe::DataFrame;
use datafusion::functions_aggregate::expr_fn::{
    avg, bool_and, bool_or, count, count_distinct, first_value, max, min, sum,
};
use datafusion::functions_nested::expr_fn::array_element;
use datafusion::logical_expr::{Expr, SortExpr, col, lit, when};

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

/// The aggregate expression of a report column (`None` for the group key).
pub fn aggregate(agg: Agg) -> Option<Expr> {
    let count_if = |cond: Expr| {
        sum(when(cond, lit(1i64))
            .otherwise(lit(0i64))
            .unwrap_or(lit(0i64)))
    };
    let best_first = || {
        vec![
            col("domain_rating_source").sort(false, false),
            col("url_from").sort(true, false),
        ]
    };
    Some(match agg {
        Agg::Key => return None,
        Agg::Count => count(lit(1)),
        Agg::CountIf(c) => count_if(col(c).eq(lit(true))),
        Agg::CountEq(c, v) => count_if(col(c).eq(lit(v))),
        Agg::Distinct(c) => count_distinct(col(c)),
        // `when` without `otherwise` is null elsewhere, and nulls are not counted.
        Agg::DistinctIf(c, cond) => count_distinct(
            when(col(cond).eq(lit(true)), col(c))
                .end()
                .unwrap_or(lit(ScalarValue::Null)),
        ),
        Agg::Avg(c) => avg(col(c)),
        Agg::Min(c) => min(col(c)),
        Agg::Max(c) => max(col(c)),
        Agg::First(c) => first_value(col(c), best_first()),
        Agg::AnyTrue(c) => bool_or(col(c)),
        Agg::LastSeen => when(bool_and(col("is_lost")), max(col("last_seen")))
            .end()
            .unwrap_or(lit(ScalarValue::Null)),
        Agg::RootKey => lit(true),
        // Imported figures of linked (target) domains are not joined to the rows yet.
        Agg::Imported => lit(ScalarValue::Int64(Some(0))),
        Agg::FirstRedirect => {
            first_value(array_element(col("url_redirect"), lit(1i64)), best_first())
        }
    })
}

impl ReportQuery {
    fn key_column(&self) -> Option<&'static ReportColumn> {
        self.report.columns.iter().find(|c| c.agg == Agg::Key)
    }

    /// The report's links: target scope, history and link filter.
    fn links(&self, table: DataFrame) -> Result<DataFrame, QueryError> {
        let r = self.report;
        let history = if r.history {
            self.history
        } else {
            History::Live
        };
        let internal = (!self.include_internal).then_some(r.internal);
        let mut predicate =
            scope::predicate_with(r.table, &self.target, self.protocol, internal, history);
        if let Some(f) = &self.link_filter {
            predicate = predicate.and(to_expr(f).map_err(QueryError::Invalid)?);
        }
        Ok(table.filter(predicate)?)
    }

    fn aggregates(&self) -> Vec<Expr> {
        self.report
            .columns
            .iter()
            .filter_map(|c| aggregate(c.agg).map(|e| e.alias(c.name)))
            .collect()
    }

    /// The report's columns aggregated over all of the target's links at once (one row):
    /// DataForSEO's `summary`.
    pub fn totals_plan(&self, table: DataFrame) -> Result<DataFrame, QueryError> {
        let df = self.links(table)?.aggregate(vec![], self.aggregates())?;
        Ok(df.select(self.select.iter().map(|c| col(c.name)).collect::<Vec<_>>())?)
    }

    /// The plan counting the report's rows (after the group filter), without paging.
    pub fn count_plan(&self, table: DataFrame) -> Result<DataFrame, QueryError> {
        let df = self.grouped(table)?;
        Ok(df.aggregate(vec![], vec![count(lit(1)).alias("total")])?)
    }

    /// Links per value of `column` (cast to text), most first.
    pub fn value_counts_plan(
        &self,
        table: DataFrame,
        column: &str,
    ) -> Result<DataFrame, QueryError> {
        let value = datafusion::logical_expr::cast(
            col(column),
            datafusion::arrow::datatypes::DataType::Utf8,
        )
        .alias("value");
        let df = self
            .links(table)?
            .select(vec![value])?
            .aggregate(vec![col("value")], vec![count(lit(1)).alias("count")])?
            .sort(vec![
                col("count").sort(false, false),
                col("value").sort(true, false),
            ])?;
        Ok(df)
    }

    /// One row per group, the key named as the report names it, group filter applied.
    fn grouped(&self, table: DataFrame) -> Result<DataFrame, QueryError> {
        let r = self.report;
        let mut df = self
            .links(table)?
            .aggregate(vec![col(r.group_by)], self.aggregates())?;
        // Name the key as the report does (`domain`, `anchor`, `url_to`…).
        let mut columns: Vec<Expr> = r
            .columns
            .iter()
            .map(|c| match c.agg {
                Agg::Key => col(r.group_by).alias(c.name),
                _ => col(c.name),
            })
            .collect();
        if self.key_column().is_none() {
            columns.push(col(r.group_by));
        }
        df = df.select(columns)?;
        if let Some(f) = &self.group_filter {
            df = df.filter(to_expr(f).map_err(QueryError::Invalid)?)?;
        }
        Ok(df)
    }

    /// The plan of this query over the report's link table. A report without a key column
    /// returns the group key first, under the name of the column grouped on.
    pub fn plan(&self, table: DataFrame) -> Result<DataFrame, QueryError> {
        let df = self
            .grouped(table)?
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
        // The key makes the order total, so pages are stable.
        let key = self.key_column().map_or(self.report.group_by, |k| k.name);
        sort.push(col(key).sort(true, false));
        sort
    }
}
