//! The rows a query is about: a target's key range in one of the link tables, the protocol,
//! internal or external links, and the history window. Shared by every query kind.

use anchorage_core::reports::LinkTable;
use anchorage_core::target::{KeyRange, Protocol, Target};
use anchorage_core::time::Micros;
use anchorage_index::build::table::{SOURCE_KEY, TARGET_HTTPS, TARGET_KEY};
use datafusion::common::ScalarValue;
use datafusion::common::tree_node::{Transformed, TreeNode};
use datafusion::functions::expr_fn::starts_with;
use datafusion::logical_expr::{BinaryExpr, Expr, LogicalPlan, Operator, col, lit};

/// Which links count: live only, live plus those lost since a date, lost only, or every link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum History {
    Live,
    Since(Micros),
    /// Only links that are lost now (DataForSEO's `backlinks_status_type: lost`).
    Lost,
    #[default]
    AllTime,
}

pub fn timestamp(t: Micros) -> Expr {
    lit(ScalarValue::TimestampMicrosecond(
        Some(t),
        Some("UTC".into()),
    ))
}

/// A link live at `t`: found by then and not lost (nor dropped) by then.
pub fn live_at(t: Micros) -> Expr {
    col("first_seen_link")
        .lt_eq(timestamp(t))
        .and(
            col("last_seen")
                .is_null()
                .or(col("last_seen").gt(timestamp(t))),
        )
        .and(
            col("drop_reason")
                .is_null()
                .or(col("last_seen").is_not_null()),
        )
}

/// The predicate selecting a target's links.
pub fn predicate(
    table: LinkTable,
    target: &Target,
    protocol: Protocol,
    internal: bool,
    history: History,
) -> Expr {
    predicate_with(table, target, protocol, Some(internal), history)
}

/// [`predicate`] where `internal: None` keeps internal and external links alike (DataForSEO's
/// `exclude_internal_backlinks: false`).
pub fn predicate_with(
    table: LinkTable,
    target: &Target,
    protocol: Protocol,
    internal: Option<bool>,
    history: History,
) -> Expr {
    let range = target.key_range();
    let (key, port) = match table {
        LinkTable::Backlinks => (TARGET_KEY, "port_target"),
        LinkTable::Outlinks => (SOURCE_KEY, "port_source"),
    };
    let mut p = col(key)
        .gt_eq(lit(range.start.clone()))
        .and(col(key).lt(lit(range.end.clone())));
    if let Some(port_number) = target.port {
        p = p.and(col(port).eq(lit(i64::from(port_number))));
    }
    if table == LinkTable::Backlinks && !target.indirect_urls.is_empty() {
        let indirect = target.indirect_urls.iter().map(|u| lit(u.as_str()));
        p = p.or(col("url_to").in_list(indirect.collect(), false));
    }
    p.and(rows_predicate(table, protocol, internal, history))
}

/// The conditions of [`predicate_with`] other than the target's: kind, protocol and history.
pub fn rows_predicate(
    table: LinkTable,
    protocol: Protocol,
    internal: Option<bool>,
    history: History,
) -> Expr {
    let mut p = match internal {
        Some(internal) => col("is_internal").eq(lit(internal)),
        None => lit(true),
    };
    if let Some(https) = protocol.requires_https() {
        p = p.and(match table {
            LinkTable::Backlinks => col(TARGET_HTTPS).eq(lit(https)),
            LinkTable::Outlinks => starts_with(col("url_from"), lit("https:")).eq(lit(https)),
        });
    }
    match history {
        History::Live => p.and(col("is_lost").eq(lit(false))),
        History::Since(t) => p.and(
            col("is_lost")
                .eq(lit(false))
                .or(col("last_seen").gt_eq(timestamp(t))),
        ),
        History::Lost => p.and(col("is_lost").eq(lit(true))),
        History::AllTime => p,
    }
}

/// `plan` with the conditions [`predicate_with`] puts on `key` for `range` replaced by `true`:
/// the plan to run over rows already known to lie in the range (so the key column need not
/// be read).
pub fn without_key_range(plan: &LogicalPlan, key: &str, range: &KeyRange) -> LogicalPlan {
    let is_bound = |e: &Expr| match e {
        Expr::BinaryExpr(BinaryExpr { left, op, right }) => {
            let on_key = matches!(left.as_ref(), Expr::Column(c) if c.name == key);
            let bound = match op {
                Operator::GtEq => &range.start,
                Operator::Lt => &range.end,
                _ => return false,
            };
            let is_bound_value = matches!(
                right.as_ref(),
                Expr::Literal(ScalarValue::Utf8(Some(v)), _) if v == bound
            );
            on_key && is_bound_value
        }
        _ => false,
    };
    let rewritten = plan.clone().transform_up(|node| {
        node.map_expressions(|expr| {
            expr.transform_up(|e| {
                Ok(if is_bound(&e) {
                    Transformed::yes(lit(true))
                } else {
                    Transformed::no(e)
                })
            })
        })
    });
    rewritten.map_or_else(|_| plan.clone(), |t| t.data)
}
