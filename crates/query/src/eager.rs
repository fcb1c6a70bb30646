//! Plans over the few rows of a direct read, run without DataFusion's physical planner.
//!
//! A target-scoped query reads a few thousand rows ([`crate::direct`]), then filters, sorts,
//! pages and projects them. Planning that as a physical plan (optimizer rules, distribution
//! and ordering requirements, streams) costs more than running it: most of a small target's
//! time went there. A plan made only of those four steps over its scanned rows is run here
//! instead, node by node, each expression compiled by the same session (type coercion and
//! function rewrites included) into the physical expression DataFusion itself would run.
//! So are the windows of the groupings (a link's rank in its group and the group's size,
//! [`window`]). Any other plan (aggregates, joins) takes DataFusion's planner: [`run`] says
//! so by returning `None`.

mod window;

use crate::QueryError;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, RecordBatch, UInt32Array, make_comparator,
};
use datafusion::arrow::compute::{
    SortColumn, SortOptions, concat_batches, filter, filter_record_batch, lexsort_to_indices, take,
};
use datafusion::arrow::datatypes::{Field, Float64Type, Schema, SchemaRef};
use datafusion::common::{DFSchema, DFSchemaRef};
use datafusion::execution::context::SessionState;
use datafusion::logical_expr::simplify::SimplifyContext;
use datafusion::logical_expr::{Expr, FetchType, LogicalPlan, SkipType, SortExpr};
use datafusion::optimizer::simplify_expressions::ExprSimplifier;
use datafusion::physical_expr::PhysicalExpr;
use std::cmp::Ordering;
use std::sync::Arc;

/// Runs `plan`, whose only table is the in-memory `input` (scanned whole), when it is made
/// only of filters, sorts, limits, projections and grouping windows; `None` when it is not.
pub fn run(
    state: &SessionState,
    plan: &LogicalPlan,
    input: &[RecordBatch],
) -> Option<Result<Vec<RecordBatch>, QueryError>> {
    if !is_simple(plan) {
        return None;
    }
    Some(execute(state, plan, input))
}

/// Whether every node is one [`execute`] runs, over one plain scan.
fn is_simple(plan: &LogicalPlan) -> bool {
    match plan {
        LogicalPlan::TableScan(scan) => {
            scan.filters.is_empty() && scan.fetch.is_none() && scan.projection.is_none()
        }
        LogicalPlan::Filter(_)
        | LogicalPlan::Sort(_)
        | LogicalPlan::Limit(_)
        | LogicalPlan::Projection(_) => plan.inputs().iter().all(|input| is_simple(input)),
        LogicalPlan::Window(w) => window::runs(&w.window_expr) && is_simple(&w.input),
        _ => false,
    }
}

/// The rows of `plan`: batch by batch until a sort or a limit needs them as one.
fn execute(
    state: &SessionState,
    plan: &LogicalPlan,
    input: &[RecordBatch],
) -> Result<Vec<RecordBatch>, QueryError> {
    let below = |node: &LogicalPlan| execute(state, node, input);
    Ok(match plan {
        LogicalPlan::TableScan(_) => input.to_vec(),
        LogicalPlan::Filter(filter) => {
            let predicate = compile_predicate(state, &filter.predicate, filter.input.schema())?;
            let mut kept = Vec::new();
            for rows in below(&filter.input)? {
                let keep = predicate.evaluate(&rows)?.into_array(rows.num_rows())?;
                kept.push(filter_record_batch(&rows, keep.as_boolean())?);
            }
            kept
        }
        LogicalPlan::Sort(sort) => {
            let rows = one_batch(&sort.input, below(&sort.input)?)?;
            vec![sorted(
                state,
                &rows,
                &sort.expr,
                sort.input.schema(),
                sort.fetch,
            )?]
        }
        LogicalPlan::Limit(limit) => {
            let (SkipType::Literal(skip), FetchType::Literal(fetch)) =
                (limit.get_skip_type()?, limit.get_fetch_type()?)
            else {
                return Err(QueryError::Invalid("a limit must be a number".into()));
            };
            // A sort below a limit only needs to order the rows the limit keeps.
            let rows = match limit.input.as_ref() {
                LogicalPlan::Sort(sort) => {
                    let rows = one_batch(&sort.input, below(&sort.input)?)?;
                    let kept = fetch.map(|f| f.saturating_add(skip));
                    let fetch = match (sort.fetch, kept) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    sorted(state, &rows, &sort.expr, sort.input.schema(), fetch)?
                }
                input => one_batch(input, below(input)?)?,
            };
            let start = skip.min(rows.num_rows());
            let len = fetch.unwrap_or(usize::MAX).min(rows.num_rows() - start);
            vec![rows.slice(start, len)]
        }
        LogicalPlan::Projection(projection) => {
            let schema = projection.input.schema();
            let exprs = (projection.expr.iter())
                .map(|e| compile(state, e, schema))
                .collect::<Result<Vec<_>, QueryError>>()?;
            // Picking columns of filtered rows: filter only the columns picked.
            let picked_filter = match projection.input.as_ref() {
                LogicalPlan::Filter(filter) if projection.expr.iter().all(is_plain) => Some(filter),
                _ => None,
            };
            let (batches, predicate) = match picked_filter {
                Some(filter) => (
                    below(&filter.input)?,
                    Some(compile_predicate(
                        state,
                        &filter.predicate,
                        filter.input.schema(),
                    )?),
                ),
                None => (below(&projection.input)?, None),
            };
            let mut projected = Vec::new();
            for rows in batches {
                let mut columns = (exprs.iter())
                    .map(|e| Ok(e.evaluate(&rows)?.into_array(rows.num_rows())?))
                    .collect::<Result<Vec<ArrayRef>, QueryError>>()?;
                if let Some(predicate) = &predicate {
                    // `filter` drops the rows whose predicate is null, as a filter node does.
                    let keep = predicate.evaluate(&rows)?.into_array(rows.num_rows())?;
                    for column in &mut columns {
                        *column = filter(column, keep.as_boolean())?;
                    }
                }
                // Named as the plan names them, typed as evaluated.
                let fields: Vec<Field> = (projection.schema.fields().iter())
                    .zip(&columns)
                    .map(|(f, c)| Field::new(f.name(), c.data_type().clone(), true))
                    .collect();
                projected.push(RecordBatch::try_new(
                    Arc::new(Schema::new(fields)),
                    columns,
                )?);
            }
            projected
        }
        LogicalPlan::Window(w) => {
            let rows = one_batch(&w.input, below(&w.input)?)?;
            let schema = w.input.schema();
            let mut fields: Vec<Field> = (rows.schema().fields().iter())
                .map(|f| f.as_ref().clone())
                .collect();
            let mut columns = rows.columns().to_vec();
            let names = w.schema.fields().iter().skip(columns.len());
            for (expr, name) in w.window_expr.iter().zip(names) {
                let values = window::column(state, expr, schema, &rows)?;
                fields.push(Field::new(name.name(), values.data_type().clone(), true));
                columns.push(values);
            }
            vec![RecordBatch::try_new(
                Arc::new(Schema::new(fields)),
                columns,
            )?]
        }
        other => {
            return Err(QueryError::Invalid(format!(
                "cannot run a {} eagerly",
                other.display()
            )));
        }
    })
}

/// A column, possibly renamed, or a constant: evaluated on rows a filter drops, it cannot fail.
fn is_plain(expr: &Expr) -> bool {
    match expr {
        Expr::Alias(alias) => is_plain(&alias.expr),
        Expr::Column(_) | Expr::Literal(..) => true,
        _ => false,
    }
}

/// `batches`, the rows of `node`, as one batch.
fn one_batch(node: &LogicalPlan, batches: Vec<RecordBatch>) -> Result<RecordBatch, QueryError> {
    if let [only] = batches.as_slice() {
        return Ok(only.clone());
    }
    let schema: SchemaRef = match batches.first() {
        Some(first) => first.schema(),
        None => Arc::new(node.schema().as_arrow().clone()),
    };
    Ok(concat_batches(&schema, &batches)?)
}

/// A filter's predicate compiled as the optimizer would leave it: `flag = false` becomes
/// `NOT flag`, a bitwise step, where comparing booleans goes value by value (13 % of a huge
/// target's best links). It stays as written if it cannot be simplified.
fn compile_predicate(
    state: &SessionState,
    predicate: &Expr,
    schema: &DFSchemaRef,
) -> Result<Arc<dyn PhysicalExpr>, QueryError> {
    let context = SimplifyContext::builder()
        .with_schema(schema.clone())
        .with_config_options(state.config_options().clone())
        .build();
    let simple = ExprSimplifier::new(context).simplify(predicate.clone());
    compile(state, simple.as_ref().unwrap_or(predicate), schema)
}

fn compile(
    state: &SessionState,
    expr: &Expr,
    schema: &DFSchema,
) -> Result<Arc<dyn PhysicalExpr>, QueryError> {
    Ok(state.create_physical_expr(expr.clone(), schema)?)
}

fn evaluate(
    state: &SessionState,
    expr: &Expr,
    schema: &DFSchema,
    rows: &RecordBatch,
) -> Result<ArrayRef, QueryError> {
    let value = compile(state, expr, schema)?.evaluate(rows)?;
    Ok(value.into_array(rows.num_rows())?)
}

/// From how many rows a sort keeping the first `fetch` narrows them on its first key alone
/// before sorting on every key.
const NARROW_FROM_ROWS: usize = 4096;

/// `rows` in the order of `keys` (the first `fetch` of them, if given).
fn sorted(
    state: &SessionState,
    rows: &RecordBatch,
    keys: &[SortExpr],
    schema: &DFSchema,
    fetch: Option<usize>,
) -> Result<RecordBatch, QueryError> {
    let mut columns = keys
        .iter()
        .map(|key| {
            Ok(SortColumn {
                values: evaluate(state, &key.expr, schema, rows)?,
                options: Some(SortOptions {
                    descending: !key.asc,
                    nulls_first: key.nulls_first,
                }),
            })
        })
        .collect::<Result<Vec<_>, QueryError>>()?;
    let mut rows = rows.clone();
    // One key: `best_rows` below keeps its first rows without ordering the rest.
    let narrowed = fetch.filter(|_| columns.len() > 1);
    if let Some(keep) =
        narrowed.and_then(|k| contenders(&columns[0], k, rows.num_rows()).transpose())
    {
        let keep = keep?;
        rows = filter_record_batch(&rows, &keep)?;
        for column in &mut columns {
            column.values = filter(&column.values, &keep)?;
        }
    }
    let order = match (fetch, columns.as_slice()) {
        (Some(fetch), [only]) => best_rows(&only.values, only.options.unwrap_or_default(), fetch)?,
        _ => lexsort_to_indices(&columns, fetch)?,
    };
    let taken = rows
        .columns()
        .iter()
        .map(|c| take(c.as_ref(), &order, None))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(RecordBatch::try_new(rows.schema(), taken)?)
}

/// The first `n` rows (fewer if there are fewer) of `values` sorted by `options`, in one
/// pass: the best `n` so far are kept in a heap whose root is the worst of them, and most rows
/// lose to it at once. (Arrow's sort with a limit orders every row when nulls sort last, as
/// the best links, source DR descending, do.) Source DRs, the usual key, are compared
/// without the dynamic comparator's indirection.
fn best_rows(values: &ArrayRef, options: SortOptions, n: usize) -> Result<UInt32Array, QueryError> {
    let best = match values.as_primitive_opt::<Float64Type>() {
        Some(floats) => {
            let (numbers, nulls) = (floats.values(), floats.nulls());
            let is_null = |row: usize| nulls.is_some_and(|n| n.is_null(row));
            best_by(values.len(), n, |a, b| match (is_null(a), is_null(b)) {
                (false, false) => {
                    let order = numbers[a].total_cmp(&numbers[b]);
                    if options.descending {
                        order.reverse()
                    } else {
                        order
                    }
                }
                (true, true) => Ordering::Equal,
                (true, false) if options.nulls_first => Ordering::Less,
                (true, false) => Ordering::Greater,
                (false, true) if options.nulls_first => Ordering::Greater,
                (false, true) => Ordering::Less,
            })
        }
        None => {
            let compare = make_comparator(values.as_ref(), values.as_ref(), options)?;
            best_by(values.len(), n, compare)
        }
    };
    Ok(UInt32Array::from_iter_values(
        best.into_iter().map(|row| row as u32),
    ))
}

/// The first `n` of rows `0..rows` in the order of `compare`, sorted.
fn best_by(rows: usize, n: usize, compare: impl Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let n = n.min(rows);
    // A binary heap, worst kept row at the root.
    let mut kept: Vec<usize> = Vec::with_capacity(n);
    let sift_down = |kept: &mut Vec<usize>| {
        let mut at = 0;
        loop {
            let (left, right) = (2 * at + 1, 2 * at + 2);
            let mut worst = at;
            for child in [left, right] {
                if child < kept.len() && compare(kept[child], kept[worst]) == Ordering::Greater {
                    worst = child;
                }
            }
            if worst == at {
                break;
            }
            kept.swap(at, worst);
            at = worst;
        }
    };
    for row in 0..rows {
        if kept.len() < n {
            kept.push(row);
            let mut at = kept.len() - 1;
            while at > 0 && compare(kept[at], kept[(at - 1) / 2]) == Ordering::Greater {
                kept.swap(at, (at - 1) / 2);
                at = (at - 1) / 2;
            }
        } else if n > 0 && compare(row, kept[0]) == Ordering::Less {
            kept[0] = row;
            sift_down(&mut kept);
        }
    }
    kept.sort_by(|a, b| compare(*a, *b));
    kept
}

/// The rows that may be among the first `fetch` of `rows` rows sorted on `first` then other
/// keys: those whose first key ties or beats the `fetch`-th best value of it. `None` when
/// there are too few rows for narrowing to pay.
fn contenders(
    first: &SortColumn,
    fetch: usize,
    rows: usize,
) -> Result<Option<BooleanArray>, QueryError> {
    if rows < NARROW_FROM_ROWS || fetch == 0 || fetch >= rows / 4 {
        return Ok(None);
    }
    let options = first.options.unwrap_or_default();
    let best = best_rows(&first.values, options, fetch)?;
    let worst = first.values.slice(best.value(fetch - 1) as usize, 1);
    let compare = make_comparator(&first.values, &worst, options)?;
    Ok(Some(
        (0..rows)
            .map(|i| Some(compare(i, 0) != Ordering::Greater))
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{Float64Array, StringArray};
    use datafusion::arrow::compute::sort_to_indices;

    /// `best_rows` keeps the values a full sort puts first, whichever way nulls sort, for
    /// floats (compared directly) and strings (through Arrow's comparator).
    #[test]
    fn best_rows_agree_with_a_full_sort() {
        let floats = (0..200).map(|i| match i % 7 {
            0 => None,
            3 => Some(-0.0),
            _ => Some(((i * 37) % 23) as f64 / 2.0),
        });
        let words = (0..200).map(|i| (i % 5 != 0).then(|| format!("w{}", (i * 13) % 17)));
        let arrays: [ArrayRef; 2] = [
            Arc::new(Float64Array::from_iter(floats)),
            Arc::new(StringArray::from_iter(words)),
        ];
        for values in &arrays {
            let sorted = |order: &UInt32Array| take(values.as_ref(), order, None).unwrap();
            for descending in [false, true] {
                for nulls_first in [false, true] {
                    let options = SortOptions {
                        descending,
                        nulls_first,
                    };
                    let full = sort_to_indices(values, Some(options), None).unwrap();
                    for n in [0, 1, 2, 5, 28, 29, 100, 199, 200, 201] {
                        let expected = sorted(&full.slice(0, n.min(values.len())));
                        let found = sorted(&best_rows(values, options, n).unwrap());
                        assert_eq!(&found, &expected, "n {n}, {options:?}");
                    }
                }
            }
        }
    }
}
