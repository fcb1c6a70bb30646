//! The two window functions the query layer's groupings use, run eagerly: `row_number()`
//! over one partition key in a total order (a link's rank in its group), and `count(1)` over
//! the same partition with no order (its group's size). Rows are bucketed by their key's
//! row encoding and each bucket is sorted on its own: groups are small, so this costs far
//! less than sorting every row on (key, order), as DataFusion's window plan does.

use crate::QueryError;
use datafusion::arrow::array::{ArrayRef, Int64Array, RecordBatch, UInt64Array};
use datafusion::arrow::compute::{LexicographicalComparator, SortColumn, SortOptions};
use datafusion::arrow::row::{RowConverter, SortField};
use datafusion::common::DFSchema;
use datafusion::execution::context::SessionState;
use datafusion::logical_expr::Expr;
use datafusion::logical_expr::expr::WindowFunction;
use std::collections::HashMap;
use std::hash::BuildHasherDefault;

/// What a supported window expression computes.
enum Kind {
    RowNumber,
    PartitionSize,
}

/// The window function of `expr` (aliased), when it is one this module runs.
fn supported(expr: &Expr) -> Option<(&WindowFunction, Kind)> {
    let Expr::Alias(alias) = expr else {
        return None;
    };
    let Expr::WindowFunction(function) = alias.expr.as_ref() else {
        return None;
    };
    let params = &function.params;
    if params.partition_by.len() != 1 || params.filter.is_some() || params.distinct {
        return None;
    }
    let kind = match (function.fun.name(), params.args.as_slice()) {
        ("row_number", []) if !params.order_by.is_empty() => Kind::RowNumber,
        ("count", [Expr::Literal(value, _)]) if params.order_by.is_empty() && !value.is_null() => {
            Kind::PartitionSize
        }
        _ => return None,
    };
    Some((function, kind))
}

/// Whether every expression of a window node is one [`column`] computes.
pub fn runs(window_expr: &[Expr]) -> bool {
    window_expr.iter().all(|e| supported(e).is_some())
}

/// The values of the window expression `expr` over `rows`.
pub fn column(
    state: &SessionState,
    expr: &Expr,
    schema: &DFSchema,
    rows: &RecordBatch,
) -> Result<ArrayRef, QueryError> {
    let (function, kind) = supported(expr)
        .ok_or_else(|| QueryError::Invalid(format!("window {expr} not run eagerly")))?;
    let params = &function.params;
    let key = super::evaluate(state, &params.partition_by[0], schema, rows)?;
    let groups = Groups::of(&key)?;
    Ok(match kind {
        Kind::PartitionSize => {
            let sizes: Vec<i64> = groups.members.iter().map(|m| m.len() as i64).collect();
            let values = groups.of_row.iter().map(|g| sizes[*g as usize]);
            std::sync::Arc::new(Int64Array::from_iter_values(values))
        }
        Kind::RowNumber => {
            let order = params
                .order_by
                .iter()
                .map(|key| {
                    Ok(SortColumn {
                        values: super::evaluate(state, &key.expr, schema, rows)?,
                        options: Some(SortOptions {
                            descending: !key.asc,
                            nulls_first: key.nulls_first,
                        }),
                    })
                })
                .collect::<Result<Vec<_>, QueryError>>()?;
            let compare = LexicographicalComparator::try_new(&order)?;
            let mut numbers = vec![0u64; rows.num_rows()];
            for mut members in groups.members {
                members.sort_unstable_by(|a, b| compare.compare(*a as usize, *b as usize));
                for (n, row) in members.into_iter().enumerate() {
                    numbers[row as usize] = n as u64 + 1;
                }
            }
            std::sync::Arc::new(UInt64Array::from(numbers))
        }
    })
}

type FxBuild = BuildHasherDefault<rustc_hash::FxHasher>;

/// The rows of each distinct key value (nulls together, as SQL partitions them).
struct Groups {
    of_row: Vec<u32>,
    members: Vec<Vec<u32>>,
}

impl Groups {
    fn of(key: &ArrayRef) -> Result<Groups, QueryError> {
        let converter = RowConverter::new(vec![SortField::new(key.data_type().clone())])?;
        let encoded = converter.convert_columns(std::slice::from_ref(key))?;
        let mut ids: HashMap<&[u8], u32, FxBuild> = HashMap::default();
        let mut of_row = Vec::with_capacity(key.len());
        let mut members: Vec<Vec<u32>> = Vec::new();
        for (row, bytes) in encoded.iter().enumerate() {
            let next = members.len() as u32;
            let id = *ids.entry(bytes.data()).or_insert(next);
            if id == next {
                members.push(Vec::new());
            }
            members[id as usize].push(row as u32);
            of_row.push(id);
        }
        Ok(Groups { of_row, members })
    }
}
