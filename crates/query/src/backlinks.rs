//! The backlink query: target scope, history, report, filter, grouping, order and page,
//! planned as one DataFusion DataFrame over the generation's `backlinks` table.

use crate::QueryError;
use crate::filter::{Field, Filter, Modifier, modified, to_expr};
use crate::scope::{self, History};
use anchorage_core::catalogue::{BacklinkReport, Column};
use anchorage_core::domain::highest_registrable;
use anchorage_core::reports::LinkTable;
use anchorage_core::target::{Protocol, Target, TargetMode};
use anchorage_index::build::groups::Grouping;
use anchorage_index::build::table::{ORDINAL, SIMILAR_GROUP};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::ScalarValue;
use datafusion::dataframe::DataFrame;
use datafusion::functions_aggregate::count::count_udaf;
use datafusion::functions_aggregate::expr_fn::count;
use datafusion::functions_window::expr_fn::row_number;
use datafusion::logical_expr::expr::WindowFunction;
use datafusion::logical_expr::{
    Expr, ExprFunctionExt, SortExpr, WindowFunctionDefinition, col, lit,
};

/// Ahrefs' `aggregation`.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Aggregation {
    /// One row per group of similar links (same referring domain, target, anchor and text);
    /// without a link filter the groups the build stored ([`Grouping`]).
    #[default]
    SimilarLinks,
    /// One row per referring domain (stored too, for a URL, host or registrable domain).
    OnePerDomain,
    /// Every link.
    All,
    /// Up to `keep` links (the best by source quality) per distinct value of `key`
    /// (DataForSEO's `one_per_domain`, `one_per_anchor` and `custom_mode`).
    Top { key: GroupKey, keep: u64 },
}

/// What [`Aggregation::Top`] groups links by.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupKey {
    Column(&'static str),
    /// A function of a column (the last label of a host, a list's first element…).
    Modified(Field, Modifier),
    /// The value of the first filter that holds; null when none does.
    Cases(Vec<(Filter, crate::filter::Value)>),
}

impl GroupKey {
    fn expr(&self) -> Result<Expr, QueryError> {
        Ok(match self {
            GroupKey::Column(name) => col(*name),
            GroupKey::Modified(field, m) => modified(field, *m),
            GroupKey::Cases(cases) => first_holding(cases)?,
        })
    }
}

/// `CASE WHEN f1 THEN v1 WHEN f2 THEN v2 … ELSE NULL END`.
fn first_holding(cases: &[(Filter, crate::filter::Value)]) -> Result<Expr, QueryError> {
    let Some(((first, value), rest)) = cases.split_first() else {
        return Ok(lit(ScalarValue::Utf8(None)));
    };
    let when = |f: &Filter| to_expr(f).map_err(QueryError::Invalid);
    let mut case = datafusion::logical_expr::when(when(first)?, value.to_expr());
    for (filter, value) in rest {
        case = case.when(when(filter)?, value.to_expr());
    }
    Ok(case.otherwise(lit(ScalarValue::Utf8(None)))?)
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
#[derive(Debug, Clone, PartialEq)]
pub struct OrderBy {
    pub column: &'static Column,
    pub descending: bool,
    /// How the sorted value derives from `column`; `None`: the column as stored.
    pub derived: Option<SortDerivation>,
}

impl OrderBy {
    /// A stored column, sorted as it is.
    pub fn column(column: &'static Column, descending: bool) -> Self {
        OrderBy {
            column,
            descending,
            derived: None,
        }
    }

    fn key(&self) -> Result<Expr, QueryError> {
        Ok(match &self.derived {
            None => col(self.column.name),
            Some(SortDerivation::Modified(m)) => modified(&Field::from(self.column), *m),
            Some(SortDerivation::Holds(filter)) => to_expr(filter).map_err(QueryError::Invalid)?,
            Some(SortDerivation::GroupSize) => col(LINK_GROUP_COUNT),
        })
    }
}

/// A sorted value computed from a column.
#[derive(Debug, Clone, PartialEq)]
pub enum SortDerivation {
    /// A function of the column (the last label of a host, a list's first element…).
    Modified(Modifier),
    /// Whether the filter holds (false sorts first, ascending).
    Holds(Filter),
    /// The size of the row's group ([`LINK_GROUP_COUNT`]; 1 when nothing is grouped).
    GroupSize,
}

/// The column source quality is ordered by first.
pub const SOURCE_DR: &str = "domain_rating_source";
/// The group of a link in [`BacklinksQuery::group_floor_plan`].
pub const GROUP_KEY: &str = "_group";

/// The name the group size is returned under.
pub const LINK_GROUP_COUNT: &str = "link_group_count";
/// The window column holding the group size before it is renamed.
const GROUP_SIZE: &str = "_group_size";
/// The keys [`BacklinksQuery::sort_keys`] adds after the requested order: source quality,
/// then what makes the order total.
const TIE_BREAKERS: [(&str, bool); 7] = [
    ("domain_rating_source", true),
    ("url_rating_source", true),
    ("url_from", false),
    ("url_to", false),
    (ORDINAL, false),
    ("link_type", false),
    (SIMILAR_GROUP, false),
];

/// Prefix of the sort-key columns appended when [`BacklinksQuery::with_sort_keys`] is set.
const SORT_KEY: &str = "_sort_key_";

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
    /// Internal links (same root domain as the target) count too.
    pub include_internal: bool,
    /// Keyset pagination: only rows sorting after this sort key (see [`Self::sort_key_of`]).
    pub after: Option<Vec<ScalarValue>>,
    /// Append the sort key of every row after the selected columns, for keyset pagination.
    pub with_sort_keys: bool,
}

impl BacklinksQuery {
    /// The rows of the report for the target, before grouping.
    fn scope(&self, df: DataFrame) -> Result<DataFrame, QueryError> {
        // Internal links only when asked for: `None` keeps both kinds.
        let internal = (!self.include_internal).then_some(false);
        let mut predicate = scope::predicate_with(
            LinkTable::Backlinks,
            &self.target,
            self.protocol,
            internal,
            self.history,
        );
        if self.report == BacklinkReport::BrokenBacklinks {
            predicate = predicate
                .and(col("is_broken").eq(lit(true)))
                .and(col("is_lost").eq(lit(false)));
        }
        if let (Some(filter), _) = self.split_filter()? {
            predicate = predicate.and(to_expr(&filter).map_err(QueryError::Invalid)?);
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

    /// The column holding the groups of this query's rows, when the build stored them
    /// ([`Grouping`]): no link filter, rows that are all links or the live ones (broken
    /// backlinks are live ones in either history, and keep only similar links' groups whole),
    /// and for one per domain, a URL, host or registrable domain with both protocols.
    fn stored_groups(&self, df: &DataFrame) -> Option<&'static str> {
        if !matches!(self.split_filter(), Ok((None, _))) {
            return None;
        }
        let grouping = match self.aggregation {
            Aggregation::SimilarLinks => Grouping::Similar,
            Aggregation::OnePerDomain if self.report == BacklinkReport::AllBacklinks => {
                self.domain_grouping()?
            }
            _ => return None,
        };
        let live = match (self.report, self.history) {
            (_, History::Live) | (BacklinkReport::BrokenBacklinks, History::AllTime) => true,
            (BacklinkReport::AllBacklinks, History::AllTime) => false,
            _ => return None,
        };
        let column = grouping.column(live);
        // A generation built before the groups were stored lacks the column.
        df.schema()
            .has_column_with_unqualified_name(column)
            .then_some(column)
    }

    fn domain_grouping(&self) -> Option<Grouping> {
        let target = &self.target;
        if self.protocol != Protocol::Both
            || target.port.is_some()
            || !target.indirect_urls.is_empty()
        {
            return None;
        }
        let host = target.url.host();
        match target.mode {
            TargetMode::Exact => Some(Grouping::DomainPerUrl),
            TargetMode::Domain => Some(Grouping::DomainPerHost),
            TargetMode::Subdomains if highest_registrable(host) == Some(host) => {
                Some(Grouping::DomainPerRoot)
            }
            _ => None,
        }
    }

    fn group(&self, df: DataFrame) -> Result<DataFrame, QueryError> {
        if let Some(size) = self.stored_groups(&df) {
            return Ok(df.filter(col(size).is_not_null())?);
        }
        let (partition, keep) = match &self.aggregation {
            Aggregation::All => return Ok(df),
            Aggregation::SimilarLinks => (col(SIMILAR_GROUP), 1),
            Aggregation::OnePerDomain => (col("root_name_source"), 1),
            Aggregation::Top { key, keep } => (key.expr()?, (*keep).max(1)),
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
            .filter(col("_group_rank").lt_eq(lit(keep)))?)
    }

    /// The filter as conditions on the links (tested before grouping) and on
    /// `link_group_count` (tested on the groups): the conditions on the group size must be
    /// joined to the others by "and", as they are tested on other rows.
    fn split_filter(&self) -> Result<(Option<Filter>, Option<Filter>), QueryError> {
        let Some(filter) = &self.filter else {
            return Ok((None, None));
        };
        split_on_group_size(filter).ok_or_else(|| {
            QueryError::Invalid(format!(
                "'{LINK_GROUP_COUNT}' is tested on the groups, after the other conditions \
                 chose the links: join its conditions to the others with \"and\" only"
            ))
        })
    }

    /// The grouped rows that pass the conditions on `link_group_count` (1 for each link when
    /// nothing is grouped), with that column when a condition or the order needs it.
    fn grouped(&self, df: DataFrame) -> Result<DataFrame, QueryError> {
        let df = self.group(df)?;
        let (_, on_groups) = self.split_filter()?;
        let sorts_on_size =
            (self.order_by.iter()).any(|o| o.derived == Some(SortDerivation::GroupSize));
        if on_groups.is_none() && !sorts_on_size {
            return Ok(df);
        }
        let size = match self.aggregation {
            Aggregation::All => lit(1i64),
            _ => col(self.stored_groups(&df).unwrap_or(GROUP_SIZE)),
        };
        let df = df.with_column(LINK_GROUP_COUNT, size)?;
        match on_groups {
            Some(f) => Ok(df.filter(to_expr(&f).map_err(QueryError::Invalid)?)?),
            None => Ok(df),
        }
    }

    /// The total order of the rows: the requested order, then source quality and tie-breakers,
    /// so the same request always returns the same rows in the same order (stable pages).
    /// Each key is an expression and whether it sorts descending; nulls sort last.
    fn sort_keys(&self) -> Result<Vec<(Expr, bool)>, QueryError> {
        let mut keys = self
            .order_by
            .iter()
            .map(|o| Ok((o.key()?, o.descending)))
            .collect::<Result<Vec<_>, QueryError>>()?;
        keys.extend(TIE_BREAKERS.map(|(name, descending)| (col(name), descending)));
        Ok(keys)
    }

    fn order(&self, df: DataFrame) -> Result<DataFrame, QueryError> {
        let sort: Vec<SortExpr> = self
            .sort_keys()?
            .into_iter()
            .map(|(key, descending)| key.sort(!descending, false))
            .collect();
        Ok(df.sort(sort)?)
    }

    /// Keyset pagination: keeps the rows that sort strictly after `after`.
    fn resume(&self, df: DataFrame) -> Result<DataFrame, QueryError> {
        let Some(after) = &self.after else {
            return Ok(df);
        };
        let keys = self.sort_keys()?;
        if after.len() != keys.len() {
            return Err(QueryError::Invalid(format!(
                "the pagination key has {} values, this query sorts on {}",
                after.len(),
                keys.len()
            )));
        }
        Ok(df.filter(keyset_after(&keys, after))?)
    }

    fn project(&self, df: DataFrame) -> Result<DataFrame, QueryError> {
        let grouped = self.aggregation != Aggregation::All;
        let group_size = self.stored_groups(&df).unwrap_or(GROUP_SIZE);
        let mut exprs: Vec<Expr> = self
            .select
            .iter()
            .map(|c| {
                if c.name == LINK_GROUP_COUNT {
                    if grouped {
                        col(group_size).alias(LINK_GROUP_COUNT)
                    } else {
                        lit(ScalarValue::Int64(None)).alias(LINK_GROUP_COUNT)
                    }
                } else {
                    col(c.name)
                }
            })
            .collect();
        if self.with_sort_keys {
            exprs.extend(
                self.sort_keys()?
                    .into_iter()
                    .enumerate()
                    .map(|(i, (key, _))| key.alias(format!("{SORT_KEY}{i}"))),
            );
        }
        Ok(df.select(exprs)?)
    }

    /// The plan of this query over the `backlinks` table.
    pub fn plan(&self, table: DataFrame) -> Result<DataFrame, QueryError> {
        let df = self.scope(table)?;
        let df = self.grouped(df)?;
        let df = self.resume(df)?;
        let df = self.order(df)?;
        let df = df.limit(self.offset, Some(self.limit))?;
        self.project(df)
    }

    /// How many of the best links by source DR this query returns (`offset + limit`), when it
    /// judges each link on its own (no window over others, which a stored grouping spares)
    /// and orders by source DR first: its rows then all have at least the DR of that many
    /// links' worst, and only such links need reading in full ([`Self::floor_plan`]).
    pub fn rows_by_source_dr(&self, table: &DataFrame) -> Option<usize> {
        let row_local = self.aggregation == Aggregation::All || self.stored_groups(table).is_some();
        let dr_first = self
            .order_by
            .first()
            .is_none_or(|o| o.column.name == SOURCE_DR && o.descending && o.derived.is_none());
        (row_local && dr_first).then_some(self.offset + self.limit)
    }

    /// How many of the best groups by source DR this query returns (`offset + limit`), when
    /// it ranks links in a window whose groups share their source DR (similar links and one
    /// per domain: a group's links come from one referring domain) and orders by source DR
    /// first, with nothing tested on the groups nor resumed after: its rows then all have at
    /// least the DR of that many groups' worst, and so do all the links of their groups.
    pub fn groups_by_source_dr(&self, table: &DataFrame) -> Option<usize> {
        let one_domain_groups = matches!(
            self.aggregation,
            Aggregation::SimilarLinks | Aggregation::OnePerDomain
        );
        let windowed = one_domain_groups && self.stored_groups(table).is_none();
        let untested = matches!(self.split_filter(), Ok((_, None))) && self.after.is_none();
        let dr_first = self
            .order_by
            .first()
            .is_none_or(|o| o.column.name == SOURCE_DR && o.descending && o.derived.is_none());
        (windowed && untested && dr_first).then_some(self.offset + self.limit)
    }

    /// Each link's group (column [`GROUP_KEY`]) and source DR, for
    /// [`Self::groups_by_source_dr`].
    pub fn group_floor_plan(&self, table: DataFrame) -> Result<DataFrame, QueryError> {
        let key = match self.aggregation {
            Aggregation::OnePerDomain => col("root_name_source"),
            _ => col(SIMILAR_GROUP),
        };
        Ok(self
            .scope(table)?
            .select(vec![key.alias(GROUP_KEY), col(SOURCE_DR)])?)
    }

    /// The source DR of the query's best `rows` links (fewer when it has fewer), best first:
    /// the last is the floor past which the rest need not be read.
    pub fn floor_plan(&self, table: DataFrame, rows: usize) -> Result<DataFrame, QueryError> {
        let df = self.resume(self.grouped(self.scope(table)?)?)?;
        Ok(df
            .select(vec![col(SOURCE_DR)])?
            .sort(vec![col(SOURCE_DR).sort(false, false)])?
            .limit(0, Some(rows))?)
    }

    /// The plan counting every row the query would return without paging.
    pub fn count_plan(&self, table: DataFrame) -> Result<DataFrame, QueryError> {
        let df = self.grouped(self.scope(table)?)?;
        Ok(df.aggregate(vec![], vec![count(lit(1)).alias("total")])?)
    }

    /// The sort key of the last row of `batches` (run with `with_sort_keys`): the `after` of
    /// the next page; `None` when there are no rows.
    pub fn sort_key_of_last(
        &self,
        batches: &[RecordBatch],
    ) -> Result<Option<Vec<ScalarValue>>, QueryError> {
        let Some(batch) = batches.iter().rev().find(|b| b.num_rows() > 0) else {
            return Ok(None);
        };
        let row = batch.num_rows() - 1;
        let first = self.select.len();
        let keys = self.order_by.len() + TIE_BREAKERS.len();
        if batch.num_columns() < first + keys {
            return Err(QueryError::Invalid(
                "the query was not run with its sort keys".into(),
            ));
        }
        (first..first + keys)
            .map(|i| Ok(ScalarValue::try_from_array(batch.column(i), row)?))
            .collect::<Result<Vec<_>, QueryError>>()
            .map(Some)
    }
}

/// A filter as its conditions on the links and those on `link_group_count`, or `None` when
/// they are not joined by "and" (and so cannot be tested apart).
pub fn split_on_group_size(filter: &Filter) -> Option<(Option<Filter>, Option<Filter>)> {
    let mut parts = Vec::new();
    conjuncts(filter, &mut parts);
    let (on_groups, on_links): (Vec<Filter>, Vec<Filter>) =
        parts.into_iter().partition(tests_only_group_size);
    if on_links.iter().any(mentions_group_size) {
        return None;
    }
    Some((all_of(on_links), all_of(on_groups)))
}

/// The parts of a filter joined by "and", flattened.
fn conjuncts(filter: &Filter, out: &mut Vec<Filter>) {
    match filter {
        Filter::And(parts) => parts.iter().for_each(|p| conjuncts(p, out)),
        other => out.push(other.clone()),
    }
}

fn all_of(mut parts: Vec<Filter>) -> Option<Filter> {
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(Filter::And(parts)),
    }
}

fn tested_fields(filter: &Filter) -> Vec<&'static str> {
    let mut fields = Vec::new();
    filter.fields(&mut fields);
    fields.into_iter().map(|f| f.name).collect()
}

fn mentions_group_size(filter: &Filter) -> bool {
    tested_fields(filter).contains(&LINK_GROUP_COUNT)
}

fn tests_only_group_size(filter: &Filter) -> bool {
    let fields = tested_fields(filter);
    !fields.is_empty() && fields.iter().all(|f| *f == LINK_GROUP_COUNT)
}

/// Rows sorting strictly after `values` in the order `keys` (column, descending; nulls last):
/// `k0 > v0 OR (k0 = v0 AND (k1 > v1 OR (k1 = v1 AND …)))`.
fn keyset_after(keys: &[(Expr, bool)], values: &[ScalarValue]) -> Expr {
    let mut after = lit(false);
    for ((key, descending), value) in keys.iter().zip(values).rev() {
        let c = key.clone();
        let (beyond, equal) = if value.is_null() {
            // Nulls sort last: nothing lies beyond a null on this key.
            (lit(false), c.is_null())
        } else {
            let v = lit(value.clone());
            let beyond = if *descending {
                c.clone().lt(v.clone())
            } else {
                c.clone().gt(v.clone())
            };
            (beyond.or(c.clone().is_null()), c.eq(v))
        };
        after = beyond.or(equal.and(after));
    }
    after
}
