//! The backlink query: target scope, history, report, filter, grouping, order and page,
//! planned as one DataFusion DataFrame over the generation's `backlinks` table.

use crate::QueryError;
use crate::filter::{Filter, to_expr};
use crate::scope::{self, History};
use anchorage_core::catalogue::{BacklinkReport, Column};
use anchorage_core::reports::LinkTable;
use anchorage_core::target::{Protocol, Target};
use anchorage_index::build::table::{ORDINAL, SIMILAR_GROUP};
use datafusion::common::ScalarValue;
use datafusion::dataframe::DataFrame;
use datafusion::functions_aggregate::count::count_udaf;
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::expr::WindowFunction;
use datafusion::logical_expr::{
    Expr, ExprFunctionExt, SortExpr, WindowFunctionDefinition, col, lit,
};

/// Ahrefs' `aggregation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Aggregation {
    /// One row per group of similar links (same referring domain, target, anchor and text).
    #[default]
    SimilarLinks,
    /// One row per referring domain.
    OnePerDomain,
    /// Every link.
    All,
}

impl Aggregation {
    pub const NAMES: &'static [&'static str] = &["similar_links", "1_per_domain", "all"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "similar_links" => Some(Aggregation::SimilarLinks),
            "1_per_domain" => Some(Aggregation::OnePerDomain),
            "all" => Some(Aggregation::All),
            _ => None,
        }
    }
}

/// One `ORDER BY` item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderBy {
    pub column: &'static Column,
    pub descending: bool,
}

/// The name the group size is returned under.
pub const LINK_GROUP_COUNT: &str = "link_group_count";
/// The window column holding the group size before it is renamed.
const GROUP_SIZE: &str = "_group_size";

/// A backlink query, whatever protocol asked it.
#[derive(Debug, Clone)]
pub struct BacklinksQuery {
    pub report: BacklinkReport,
    pub target: Target,
    pub protocol: Protocol,
    /// Columns to return, in order; `link_group_count` is computed by the grouping.
    pub select: Vec<&'static Column>,
    pub filter: Option<Filter>,
    pub order_by: Vec<OrderBy>,
    pub limit: usize,
    pub offset: usize,
    pub aggregation: Aggregation,
    pub history: History,
}

impl BacklinksQuery {
    /// The rows of the report for the target, before grouping.
    fn scope(&self, df: DataFrame) -> Result<DataFrame, QueryError> {
        let mut predicate = scope::predicate(
            LinkTable::Backlinks,
            &self.target,
            self.protocol,
            false,
            self.history,
        );
        if self.report == BacklinkReport::BrokenBacklinks {
            predicate = predicate
                .and(col("is_broken").eq(lit(true)))
                .and(col("is_lost").eq(lit(false)));
        }
        if let Some(filter) = &self.filter {
            predicate = predicate.and(to_expr(filter).map_err(QueryError::Invalid)?);
        }
        Ok(df.filter(predicate)?)
    }

    /// Source quality: the order in which a group's representative is chosen.
    fn quality() -> Vec<SortExpr> {
        vec![
            col("domain_rating_source").sort(false, false),
            col("url_rating_source").sort(false, false),
            col("url_from").sort(true, false),
            col("url_to").sort(true, false),
            col(ORDINAL).sort(true, false),
        ]
    }

    fn group(&self, df: DataFrame) -> Result<DataFrame, QueryError> {
        let partition = match self.aggregation {
            Aggregation::All => return Ok(df),
            Aggregation::SimilarLinks => col(SIMILAR_GROUP),
            Aggregation::OnePerDomain => col("root_name_source"),
        };
        let rank = row_number()
            .partition_by(vec![partition.clone()])
            .order_by(Self::quality())
            .build()?
            .alias("_group_rank");
        let size = Expr::from(WindowFunction::new(
            WindowFunctionDefinition::AggregateUDF(count_udaf()),
            vec![lit(1)],
        ))
        .partition_by(vec![partition])
        .build()?
        .alias(GROUP_SIZE);
        Ok(df
            .window(vec![rank, size])?
            .filter(col("_group_rank").eq(lit(1u64)))?)
    }

    fn order(&self, df: DataFrame) -> Result<DataFrame, QueryError> {
        let mut sort: Vec<SortExpr> = self
            .order_by
            .iter()
            .map(|o| col(o.column.name).sort(!o.descending, false))
            .collect();
        // Stable pages: the same request always returns the same rows in the same order.
        sort.extend(Self::quality());
        sort.push(col("link_type").sort(true, false));
        sort.push(col(SIMILAR_GROUP).sort(true, false));
        Ok(df.sort(sort)?)
    }

    fn project(&self, df: DataFrame) -> Result<DataFrame, QueryError> {
        let grouped = self.aggregation != Aggregation::All;
        let exprs: Vec<Expr> = self
            .select
            .iter()
            .map(|c| {
                if c.name == LINK_GROUP_COUNT {
                    if grouped {
                        col(GROUP_SIZE).alias(LINK_GROUP_COUNT)
                    } else {
                        lit(ScalarValue::Int64(None)).alias(LINK_GROUP_COUNT)
                    }
                } else {
                    col(c.name)
                }
            })
            .collect();
        Ok(df.select(exprs)?)
    }

    /// The plan of this query over the `backlinks` table.
    pub fn plan(&self, table: DataFrame) -> Result<DataFrame, QueryError> {
        let df = self.scope(table)?;
        let df = self.group(df)?;
        let df = self.order(df)?;
        let df = df.limit(self.offset, Some(self.limit))?;
        self.project(df)
    }
}
