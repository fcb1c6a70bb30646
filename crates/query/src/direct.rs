//! Target-scoped reads straight from a link table's Parquet file, for queries that would
//! otherwise pay DataFusion's per-query scan set-up (opening the file, decoding the footer and
//! page index, building pruning predicates) on every request.
//!
//! The footer and page index are decoded once, when the generation is opened. A query then
//! reads only the pages whose key range meets the target's, and only the columns its plan
//! refers to; the plan itself (scope predicate included) runs unchanged over those rows, so
//! what a query returns does not depend on this path.

use crate::QueryError;
use anchorage_core::target::KeyRange;
use datafusion::arrow::array::{AsArray, Float64Array};
use datafusion::arrow::compute::kernels::cmp::gt_eq;
use datafusion::arrow::datatypes::Float64Type;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::logical_expr::LogicalPlan;
use datafusion::parquet::arrow::ProjectionMask;
use datafusion::parquet::arrow::arrow_reader::{
    ArrowPredicateFn, ArrowReaderMetadata, ArrowReaderOptions, ParquetRecordBatchReaderBuilder,
    RowFilter, RowSelection, RowSelector,
};
use datafusion::parquet::file::metadata::PageIndexPolicy;
use datafusion::parquet::file::page_index::column_index::ColumnIndexMetaData;
use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};

/// Rows per batch of a direct read.
const BATCH_ROWS: usize = 8192;

/// A link table file with its decoded metadata.
pub struct LinkFile {
    path: PathBuf,
    metadata: ArrowReaderMetadata,
    /// Leaf index of the key column the file is sorted on within each partition.
    key_leaf: usize,
}

impl LinkFile {
    /// Opens `path` and decodes its footer and page index; `None` when the file has no page
    /// index for `key_column` (then queries take the generic scan).
    pub fn open(path: &Path, key_column: &str) -> Result<Option<LinkFile>, QueryError> {
        let file = File::open(path)
            .map_err(|e| QueryError::Invalid(format!("cannot open {}: {e}", path.display())))?;
        let options = ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Optional);
        let metadata = ArrowReaderMetadata::load(&file, options).map_err(parquet_error)?;
        let schema = metadata.metadata().file_metadata().schema_descr();
        let Some(key_leaf) =
            (0..schema.num_columns()).find(|&i| schema.column(i).name() == key_column)
        else {
            return Ok(None);
        };
        let has_index = metadata.metadata().column_index().is_some()
            && metadata.metadata().offset_index().is_some();
        Ok(has_index.then(|| LinkFile {
            path: path.to_path_buf(),
            metadata,
            key_leaf,
        }))
    }

    pub fn schema(&self) -> &SchemaRef {
        self.metadata.schema()
    }

    /// The row groups and rows within them whose key pages meet `range`.
    fn selection(&self, ranges: &[KeyRange]) -> (Vec<usize>, RowSelection) {
        let meta = self.metadata.metadata();
        let (Some(columns), Some(offsets)) = (meta.column_index(), meta.offset_index()) else {
            return (Vec::new(), RowSelection::from(Vec::new()));
        };
        let mut groups = Vec::new();
        let mut selectors = Vec::new();
        for (group, group_meta) in meta.row_groups().iter().enumerate() {
            let rows = group_meta.num_rows() as usize;
            let pages = offsets[group][self.key_leaf].page_locations();
            let index = &columns[group][self.key_leaf];
            let mut wanted = Vec::new();
            for (page, location) in pages.iter().enumerate() {
                let start = location.first_row_index as usize;
                let end = pages
                    .get(page + 1)
                    .map_or(rows, |next| next.first_row_index as usize);
                if ranges.iter().any(|range| page_meets(index, page, range)) {
                    wanted.push(start..end);
                }
            }
            if wanted.is_empty() {
                continue;
            }
            groups.push(group);
            let mut at = 0;
            for rows_wanted in wanted {
                if rows_wanted.start > at {
                    selectors.push(RowSelector::skip(rows_wanted.start - at));
                }
                selectors.push(RowSelector::select(rows_wanted.end - rows_wanted.start));
                at = rows_wanted.end;
            }
            if rows > at {
                selectors.push(RowSelector::skip(rows - at));
            }
        }
        (groups, RowSelection::from(selectors))
    }

    /// How many rows [`Self::read`] of `ranges` reads (from the page index alone).
    pub fn rows_in(&self, ranges: &[KeyRange]) -> usize {
        let (_, selection) = self.selection(ranges);
        selection.row_count()
    }

    /// The columns `names` (those of the file) of every row on a page whose keys meet one of
    /// `ranges`, each row once: a superset of the ranges' rows, which the query's own
    /// predicate narrows.
    pub fn read(
        &self,
        ranges: &[KeyRange],
        names: &HashSet<String>,
    ) -> Result<Vec<RecordBatch>, QueryError> {
        self.read_at_least(ranges, names, None)
    }

    /// [`Self::read`], of the rows whose `floor.0` (a float column) is at least `floor.1`:
    /// the other columns are decoded for those rows only.
    pub fn read_at_least(
        &self,
        ranges: &[KeyRange],
        names: &HashSet<String>,
        floor: Option<(&str, f64)>,
    ) -> Result<Vec<RecordBatch>, QueryError> {
        let schema = self.metadata.schema();
        let roots = mask_roots(schema, names);
        let mask = ProjectionMask::roots(self.metadata.parquet_schema(), roots.clone());
        let (groups, selection) = self.selection(ranges);
        if groups.is_empty() {
            let projected = schema.project(&roots)?;
            return Ok(vec![RecordBatch::new_empty(std::sync::Arc::new(projected))]);
        }
        let file = File::open(&self.path).map_err(|e| {
            QueryError::Invalid(format!("cannot open {}: {e}", self.path.display()))
        })?;
        let mut builder =
            ParquetRecordBatchReaderBuilder::new_with_metadata(file, self.metadata.clone())
                .with_projection(mask)
                .with_row_groups(groups)
                .with_row_selection(selection)
                .with_batch_size(BATCH_ROWS);
        if let Some((column, min)) = floor {
            builder = builder.with_row_filter(self.at_least(column, min)?);
        }
        let reader = builder.build().map_err(parquet_error)?;
        reader.map(|b| b.map_err(QueryError::from)).collect()
    }

    fn at_least(&self, column: &str, min: f64) -> Result<RowFilter, QueryError> {
        let root = self
            .metadata
            .schema()
            .index_of(column)
            .map_err(QueryError::from)?;
        let mask = ProjectionMask::roots(self.metadata.parquet_schema(), [root]);
        let predicate = ArrowPredicateFn::new(mask, move |batch: RecordBatch| {
            let values = batch.column(0).as_primitive::<Float64Type>();
            gt_eq(values, &Float64Array::new_scalar(min))
        });
        Ok(RowFilter::new(vec![Box::new(predicate)]))
    }
}

fn mask_roots(schema: &SchemaRef, names: &HashSet<String>) -> Vec<usize> {
    schema
        .fields()
        .iter()
        .enumerate()
        .filter(|(_, f)| names.contains(f.name()))
        .map(|(i, _)| i)
        .collect()
}

/// Whether page `page` of a string column may hold a key in `range` (min and max are bounds,
/// possibly truncated; a page without them may hold anything).
fn page_meets(index: &ColumnIndexMetaData, page: usize, range: &KeyRange) -> bool {
    let ColumnIndexMetaData::BYTE_ARRAY(index) = index else {
        return true;
    };
    let (Some(min), Some(max)) = (index.min_value(page), index.max_value(page)) else {
        return !index.is_null_page(page);
    };
    min < range.end.as_bytes() && max >= range.start.as_bytes()
}

/// Every column name a logical plan refers to (the table's among them are the ones to read).
pub fn referenced_columns(plan: &LogicalPlan) -> HashSet<String> {
    let mut names = HashSet::new();
    let _ = plan.apply(|node| {
        for expr in node.expressions() {
            for column in expr.column_refs() {
                names.insert(column.name.clone());
            }
        }
        Ok(TreeNodeRecursion::Continue)
    });
    names
}

fn parquet_error(e: datafusion::parquet::errors::ParquetError) -> QueryError {
    QueryError::Engine(datafusion::error::DataFusionError::ParquetError(Box::new(
        e,
    )))
}
