//! Target-scoped reads straight from a link table's Parquet file, for queries that would
//! otherwise pay DataFusion's per-query scan set-up (opening the file, decoding the footer and
//! page index, building pruning predicates) on every request.
//!
//! The footer and page index are decoded once, when the generation is opened, and the key
//! column's pages are laid out as sorted runs, so the pages a target's key range meets are
//! found by binary search. A query then reads only those pages' rows, and only the columns
//! its plan refers to; the plan itself (scope predicate included) runs unchanged over those
//! rows, so what a query returns does not depend on this path.
//!
//! Decoding those pages (decompression, UTF-8 checks, copies) is most of a small target's
//! cost, so the decoded columns of each key page read are kept in a [`ChunkCache`] shared by
//! the generation's files: a target asked for again, by any query, is assembled from memory.
//! Reads of many pages (huge targets) bypass it, so one of them cannot flush the others.

use crate::QueryError;
use anchorage_core::target::KeyRange;
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, BooleanArray, Float64Array, new_null_array,
};
use datafusion::arrow::compute::kernels::cmp::gt_eq;
use datafusion::arrow::compute::{concat_batches, filter_record_batch};
use datafusion::arrow::datatypes::Float64Type;
use datafusion::arrow::datatypes::{Schema, SchemaRef};
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
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Rows per batch of a direct read.
const BATCH_ROWS: usize = 8192;

/// Narrow columns (fixed-width values) of reads of at most this many rows go through the
/// [`ChunkCache`] whatever the read's size: a few megabytes for the largest targets.
const NARROW_CACHED_ROWS: usize = 4 << 20;

/// How much a [`ChunkCache`] holds and which reads it keeps whole.
#[derive(Debug, Clone, Copy)]
pub struct CachePolicy {
    /// Bytes of decoded columns (0: no cache).
    pub bytes: usize,
    /// Reads of at most this many rows keep all their columns; larger ones (a few huge
    /// targets) only their narrow ones, and decode the rest each time, past a source-DR
    /// floor where they can, rather than fill the cache with rows one query reads once.
    pub whole_read_rows: usize,
}

impl CachePolicy {
    pub fn of_bytes(bytes: usize) -> Self {
        CachePolicy {
            bytes,
            whole_read_rows: 64 * 1024,
        }
    }
}

/// The rows of one page of the key column: what the cache keeps decoded, column by column.
#[derive(Debug, Clone, PartialEq)]
struct Chunk {
    group: usize,
    /// Rows within the row group.
    rows: Range<usize>,
}

/// A page of the key column with its key bounds (possibly truncated: bounds, not values).
struct KeyPage {
    chunk: Chunk,
    /// `None`: the page has no statistics and may hold any key.
    bounds: Option<(Vec<u8>, Vec<u8>)>,
}

/// The key column's pages in file order, as runs along which both bounds never decrease
/// (a file sorted on its key within partitions has one run per partition).
struct KeyPages {
    pages: Vec<KeyPage>,
    runs: Vec<Range<usize>>,
}

impl KeyPages {
    fn new(pages: Vec<KeyPage>) -> Self {
        let mut runs = Vec::new();
        let mut start = 0;
        for i in 1..pages.len() {
            let sorted = match (&pages[i - 1].bounds, &pages[i].bounds) {
                (Some((min0, max0)), Some((min1, max1))) => min0 <= min1 && max0 <= max1,
                _ => false,
            };
            if !sorted {
                runs.push(start..i);
                start = i;
            }
        }
        if !pages.is_empty() {
            runs.push(start..pages.len());
        }
        KeyPages { pages, runs }
    }

    /// The rows of the pages that may hold a key of one of `ranges`.
    fn meeting(&self, ranges: &[KeyRange]) -> Vec<&Chunk> {
        let pages = self.meeting_pages(ranges).into_iter();
        pages.map(|p| &p.chunk).collect()
    }

    /// The pages that may hold a key of one of `ranges`, in file order, each once.
    fn meeting_pages(&self, ranges: &[KeyRange]) -> Vec<&KeyPage> {
        let mut wanted = vec![false; self.pages.len()];
        for run in &self.runs {
            let pages = &self.pages[run.clone()];
            for range in ranges {
                let (start, end) = (range.start.as_bytes(), range.end.as_bytes());
                if pages[0].bounds.is_none() {
                    // A page without statistics (a run of its own) may hold any key.
                    wanted[run.start] = true;
                    continue;
                }
                // Along a run, "max >= start" holds from some page on and "min < end" up
                // to some page: the pages meeting the range lie between.
                let first = pages.partition_point(|p| bounds(p).1 < start);
                let last = pages.partition_point(|p| bounds(p).0 < end);
                for hit in &mut wanted[run.start + first..run.start + last.max(first)] {
                    *hit = true;
                }
            }
        }
        (self.pages.iter().zip(wanted))
            .filter(|(_, w)| *w)
            .map(|(p, _)| p)
            .collect()
    }
}

fn bounds(page: &KeyPage) -> (&[u8], &[u8]) {
    let (min, max) = page
        .bounds
        .as_ref()
        .expect("runs of several pages have bounds");
    (min, max)
}

/// Decoded columns of key pages, shared by the link tables of one generation and bounded in
/// bytes (scan-resistant eviction: S3-FIFO).
pub struct ChunkCache {
    columns: quick_cache::sync::Cache<ChunkKey, ArrayRef, ArrayBytes>,
    whole_read_rows: usize,
}

/// (file, row group, first and end row of the chunk, column).
type ChunkKey = (u16, u32, u32, u32, u16);

#[derive(Clone)]
struct ArrayBytes;

impl quick_cache::Weighter<ChunkKey, ArrayRef> for ArrayBytes {
    fn weight(&self, _key: &ChunkKey, array: &ArrayRef) -> u64 {
        array.get_array_memory_size().max(1) as u64
    }
}

impl ChunkCache {
    /// A cache as `policy` says; `None` for 0 bytes (no cache).
    pub fn new(policy: CachePolicy) -> Option<Arc<ChunkCache>> {
        let bytes = policy.bytes;
        if bytes == 0 {
            return None;
        }
        // quick_cache sizes its tables by an estimate of the entries it will hold. A target
        // read once lands among the "cold" entries and stays only if read again before they
        // are evicted: a cold share of 40% (not the default 3%) keeps a large target's pages
        // long enough for its next page of results.
        let options = quick_cache::OptionsBuilder::new()
            .estimated_items_capacity((bytes / (16 * 1024)).max(64))
            .weight_capacity(bytes as u64)
            .hot_allocation(0.6)
            .build()
            .ok()?;
        let columns = quick_cache::sync::Cache::with_options(
            options,
            ArrayBytes,
            Default::default(),
            Default::default(),
        );
        Some(Arc::new(ChunkCache {
            columns,
            whole_read_rows: policy.whole_read_rows,
        }))
    }

    /// Bytes held.
    pub fn weight(&self) -> u64 {
        self.columns.weight()
    }
}

/// A link table file with its decoded metadata.
pub struct LinkFile {
    path: PathBuf,
    metadata: ArrowReaderMetadata,
    key_column: String,
    key_pages: KeyPages,
    cache: Option<(Arc<ChunkCache>, u16)>,
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
        Ok(key_pages(&metadata, key_leaf).map(|key_pages| LinkFile {
            path: path.to_path_buf(),
            metadata,
            key_column: key_column.to_string(),
            key_pages,
            cache: None,
        }))
    }

    /// Keeps the decoded pages of small reads in `cache`, under the number `file` (one per
    /// file sharing the cache).
    pub fn with_cache(mut self, cache: Option<Arc<ChunkCache>>, file: u16) -> Self {
        self.cache = cache.map(|c| (c, file));
        self
    }

    pub fn schema(&self) -> &SchemaRef {
        self.metadata.schema()
    }

    /// Whether [`Self::read`] of `ranges` goes through the cache.
    pub fn caches(&self, ranges: &[KeyRange]) -> bool {
        (self.cache.as_ref()).is_some_and(|(c, _)| self.rows_in(ranges) <= c.whole_read_rows)
    }

    /// How many rows [`Self::read`] of `ranges` reads (from the page index alone).
    pub fn rows_in(&self, ranges: &[KeyRange]) -> usize {
        rows_of(&self.key_pages.meeting(ranges))
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
        let roots = mask_roots(self.schema(), names);
        let chunks = self.key_pages.meeting(ranges);
        if chunks.is_empty() {
            let projected = self.schema().project(&roots)?;
            return Ok(vec![RecordBatch::new_empty(Arc::new(projected))]);
        }
        if let Some((cache, file)) = &self.cache
            && floor.is_none()
            && rows_of(&chunks) <= cache.whole_read_rows
        {
            return self.read_cached(cache, *file, &chunks, &roots);
        }
        self.decode(&chunks, &roots, floor)
    }

    /// [`Self::read_at_least`] of exactly the rows whose key lies in `range`, with the key
    /// column left null (not decoded): for a plan that no longer tests the key
    /// ([`crate::scope::without_key_range`]). Pages wholly inside the range are taken whole;
    /// the keys of the pages at its ends say which of their rows are in.
    pub fn read_exact(
        &self,
        range: &KeyRange,
        names: &HashSet<String>,
        floor: Option<(&str, f64)>,
    ) -> Result<Vec<RecordBatch>, QueryError> {
        let key_root = self.schema().index_of(&self.key_column)?;
        let roots = mask_roots(self.schema(), names);
        let mut exact = Vec::new();
        for page in self.key_pages.meeting_pages(std::slice::from_ref(range)) {
            match &page.bounds {
                Some((min, max))
                    if min.as_slice() >= range.start.as_bytes()
                        && max.as_slice() < range.end.as_bytes() =>
                {
                    exact.push(page.chunk.clone());
                }
                _ => exact.extend(self.rows_of_page_in(&page.chunk, key_root, range)?),
            }
        }
        let projected = self.schema().project(&roots)?;
        let nullable_key = projected
            .fields()
            .iter()
            .map(|f| match f.name() == &self.key_column {
                true => Arc::new(f.as_ref().clone().with_nullable(true)),
                false => f.clone(),
            });
        let schema = Arc::new(Schema::new(nullable_key.collect::<Vec<_>>()));
        let decoded: Vec<usize> = roots.iter().copied().filter(|r| *r != key_root).collect();
        let batches = if exact.is_empty() {
            vec![RecordBatch::new_empty(Arc::new(
                self.schema().project(&decoded)?,
            ))]
        } else {
            self.decode_exact(&exact, &decoded, floor)?
        };
        batches
            .into_iter()
            .map(|batch| {
                let mut decoded = batch.columns().iter();
                let columns: Vec<ArrayRef> = (roots.iter().zip(schema.fields()))
                    .map(|(root, field)| {
                        let column = (*root != key_root).then(|| decoded.next()).flatten();
                        let null = || new_null_array(field.data_type(), batch.num_rows());
                        column.cloned().unwrap_or_else(null)
                    })
                    .collect();
                Ok(RecordBatch::try_new(schema.clone(), columns)?)
            })
            .collect()
    }

    /// The columns `roots` of the `exact` rows (of those at least `floor`, if given). The
    /// narrow columns of large reads — flags, numbers and dates, a few bytes a row — go
    /// through the cache: that is all a source-DR floor's own plan reads, and it is the
    /// floor column that then picks the rows whose every column is decoded.
    fn decode_exact(
        &self,
        exact: &[Chunk],
        roots: &[usize],
        floor: Option<(&str, f64)>,
    ) -> Result<Vec<RecordBatch>, QueryError> {
        let chunks: Vec<&Chunk> = exact.iter().collect();
        let Some((cache, file)) = self
            .cache
            .as_ref()
            .filter(|_| rows_of(&chunks) <= NARROW_CACHED_ROWS)
        else {
            return self.decode(&chunks, roots, floor);
        };
        match floor {
            None if roots.iter().all(|r| self.is_narrow(*r)) => {
                // One batch rather than one a page: a plan then evaluates each expression
                // once, not once per 2,048 rows, and fixed-width values copy cheaply.
                let pages = self.read_cached(cache, *file, &chunks, roots)?;
                let schema = Arc::new(self.schema().project(roots)?);
                Ok(vec![concat_batches(&schema, &pages)?])
            }
            Some((column, min)) if self.is_narrow(self.schema().index_of(column)?) => {
                let root = self.schema().index_of(column)?;
                let values = self.read_cached(cache, *file, &chunks, &[root])?;
                let above = runs_at_least(&chunks, &values, min)?;
                if above.is_empty() {
                    let schema = Arc::new(self.schema().project(roots)?);
                    return Ok(vec![RecordBatch::new_empty(schema)]);
                }
                // The best links of a huge target lie in a few pages: those are kept whole,
                // so that asking again reads them from memory.
                let holding = holding(&chunks, &above);
                if rows_of(&holding) <= cache.whole_read_rows {
                    let pages = self.read_cached(cache, *file, &holding, roots)?;
                    return only_runs(&holding, pages, &above);
                }
                self.decode(&above.iter().collect::<Vec<_>>(), roots, None)
            }
            _ => self.decode(&chunks, roots, floor),
        }
    }

    /// Whether column `root` holds fixed-width values (flags, numbers, dates).
    fn is_narrow(&self, root: usize) -> bool {
        let ty = self.schema().field(root).data_type();
        ty.is_primitive() || ty == &datafusion::arrow::datatypes::DataType::Boolean
    }

    /// The runs of a page's rows whose key lies in `range`.
    fn rows_of_page_in(
        &self,
        page: &Chunk,
        key_root: usize,
        range: &KeyRange,
    ) -> Result<Vec<Chunk>, QueryError> {
        let mut runs: Vec<Chunk> = Vec::new();
        let mut at = page.rows.start;
        // The pages at a range's ends are met again by every read of it.
        let keys = match &self.cache {
            Some((cache, file)) => self.read_cached(cache, *file, &[page], &[key_root])?,
            None => self.decode(&[page], &[key_root], None)?,
        };
        for batch in keys {
            let keys = batch.column(0).as_string::<i32>();
            for (i, key) in keys.iter().enumerate() {
                let row = at + i;
                if key.is_some_and(|k| range.contains(k)) {
                    add_row(&mut runs, page.group, row);
                }
            }
            at += batch.num_rows();
        }
        Ok(runs)
    }

    /// Decodes the columns `roots` of `chunks`' rows (of those at least `floor`, if given).
    fn decode(
        &self,
        chunks: &[&Chunk],
        roots: &[usize],
        floor: Option<(&str, f64)>,
    ) -> Result<Vec<RecordBatch>, QueryError> {
        let mask = ProjectionMask::roots(self.metadata.parquet_schema(), roots.iter().copied());
        let (groups, selection) = self.selection(chunks);
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

    /// The chunks' rows, each from the cache when it holds all of the chunk's columns, else
    /// decoded (and kept there for the next read).
    fn read_cached(
        &self,
        cache: &ChunkCache,
        file: u16,
        chunks: &[&Chunk],
        roots: &[usize],
    ) -> Result<Vec<RecordBatch>, QueryError> {
        let key = |chunk: &Chunk, root: usize| {
            let (start, end) = (chunk.rows.start as u32, chunk.rows.end as u32);
            (file, chunk.group as u32, start, end, root as u16)
        };
        let schema = Arc::new(self.schema().project(roots)?);
        let mut batches = Vec::with_capacity(chunks.len());
        for chunk in chunks {
            let kept: Option<Vec<ArrayRef>> = roots
                .iter()
                .map(|r| cache.columns.get(&key(chunk, *r)))
                .collect();
            if let Some(columns) = kept {
                batches.push(RecordBatch::try_new(schema.clone(), columns)?);
                continue;
            }
            // One batch per chunk (a page holds fewer rows than a batch).
            for batch in self.decode(&[chunk], roots, None)? {
                for (column, root) in batch.columns().iter().zip(roots) {
                    // An array of its own, so that an entry's weight is what it keeps alive.
                    let own = datafusion::arrow::compute::concat(&[column.as_ref()])?;
                    cache.columns.insert(key(chunk, *root), own);
                }
                batches.push(batch);
            }
        }
        Ok(batches)
    }

    /// The row groups of `chunks` and the selection of their rows.
    fn selection(&self, chunks: &[&Chunk]) -> (Vec<usize>, RowSelection) {
        let row_groups = self.metadata.metadata().row_groups();
        let mut groups: Vec<usize> = Vec::new();
        let mut selectors = Vec::new();
        let mut at = 0;
        for chunk in chunks {
            if groups.last() != Some(&chunk.group) {
                if let Some(&previous) = groups.last() {
                    let rows = row_groups[previous].num_rows() as usize;
                    if rows > at {
                        selectors.push(RowSelector::skip(rows - at));
                    }
                }
                groups.push(chunk.group);
                at = 0;
            }
            if chunk.rows.start > at {
                selectors.push(RowSelector::skip(chunk.rows.start - at));
            }
            selectors.push(RowSelector::select(chunk.rows.len()));
            at = chunk.rows.end;
        }
        if let Some(&last) = groups.last() {
            let rows = row_groups[last].num_rows() as usize;
            if rows > at {
                selectors.push(RowSelector::skip(rows - at));
            }
        }
        (groups, RowSelection::from(selectors))
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

/// The runs of `chunks`' rows whose value in `values` (a float column, the chunks' rows in
/// order, in batches of any size) is at least `min`.
fn runs_at_least(
    chunks: &[&Chunk],
    values: &[RecordBatch],
    min: f64,
) -> Result<Vec<Chunk>, QueryError> {
    // Where each chunk's rows start among all the values.
    let starts: Vec<usize> = (chunks.iter())
        .scan(0, |at, chunk| {
            let start = *at;
            *at += chunk.rows.len();
            Some(start)
        })
        .collect();
    let mut runs: Vec<Chunk> = Vec::new();
    let mut offset = 0;
    for batch in values {
        let column = batch.column(0).as_primitive::<Float64Type>();
        // Most rows fall short: test the plain values first, validity only for the others.
        let above = (column.values().iter().enumerate())
            .filter(|(i, v)| **v >= min && column.is_valid(*i))
            .map(|(i, _)| offset + i);
        for at in above {
            let c = starts
                .partition_point(|start| *start <= at)
                .saturating_sub(1);
            let row = (chunks.get(c).zip(starts.get(c)))
                .map(|(chunk, start)| (chunk, at - start))
                .filter(|(chunk, row)| *row < chunk.rows.len());
            let (chunk, row) = row.ok_or_else(|| {
                QueryError::Invalid("a cached column is longer than its rows".into())
            })?;
            add_row(&mut runs, chunk.group, chunk.rows.start + row);
        }
        offset += column.len();
    }
    Ok(runs)
}

/// The chunks holding a row of `runs` (both in file order).
fn holding<'a>(chunks: &[&'a Chunk], runs: &[Chunk]) -> Vec<&'a Chunk> {
    let mut next = 0;
    (chunks.iter().copied())
        .filter(|chunk| !runs_meeting(runs, chunk, &mut next).is_empty())
        .collect()
}

/// The runs of `runs` (in file order) meeting `chunk`. `next` skips those wholly before it:
/// asked of chunks in file order, in turn, the walk over the runs is linear.
fn runs_meeting<'r>(runs: &'r [Chunk], chunk: &Chunk, next: &mut usize) -> &'r [Chunk] {
    let before = |run: &Chunk| (run.group, run.rows.end) <= (chunk.group, chunk.rows.start);
    while runs.get(*next).is_some_and(before) {
        *next += 1;
    }
    let rest = &runs[*next..];
    let meeting = (rest.iter())
        .take_while(|run| (run.group, run.rows.start) < (chunk.group, chunk.rows.end))
        .count();
    &rest[..meeting]
}

/// The rows of `runs` among `batches`, which hold the rows of `chunks` in order.
fn only_runs(
    chunks: &[&Chunk],
    batches: Vec<RecordBatch>,
    runs: &[Chunk],
) -> Result<Vec<RecordBatch>, QueryError> {
    let mut keep = Vec::with_capacity(rows_of(chunks));
    let mut next = 0;
    for chunk in chunks {
        let first = keep.len();
        keep.resize(first + chunk.rows.len(), false);
        for run in runs_meeting(runs, chunk, &mut next) {
            let start = run.rows.start.max(chunk.rows.start);
            let end = run.rows.end.min(chunk.rows.end);
            for row in start..end {
                keep[first + row - chunk.rows.start] = true;
            }
        }
    }
    if batches.iter().map(RecordBatch::num_rows).sum::<usize>() != keep.len() {
        return Err(QueryError::Invalid(
            "cached pages do not hold their rows".into(),
        ));
    }
    let mut at = 0;
    let kept = batches.into_iter().map(|batch| {
        let mask = BooleanArray::from(keep[at..at + batch.num_rows()].to_vec());
        at += batch.num_rows();
        Ok(filter_record_batch(&batch, &mask)?)
    });
    kept.collect()
}

/// Adds `row` of row group `group` to `runs`, extending the last run when it ends there.
fn add_row(runs: &mut Vec<Chunk>, group: usize, row: usize) {
    match runs.last_mut() {
        Some(run) if run.group == group && run.rows.end == row => run.rows.end += 1,
        _ => runs.push(Chunk {
            group,
            rows: row..row + 1,
        }),
    }
}

fn rows_of(chunks: &[&Chunk]) -> usize {
    chunks.iter().map(|c| c.rows.len()).sum()
}

/// The key column's pages with their bounds; `None` without a page index.
fn key_pages(metadata: &ArrowReaderMetadata, key_leaf: usize) -> Option<KeyPages> {
    let meta = metadata.metadata();
    let (columns, offsets) = (meta.column_index()?, meta.offset_index()?);
    let mut pages = Vec::new();
    for (group, group_meta) in meta.row_groups().iter().enumerate() {
        let rows = group_meta.num_rows() as usize;
        let locations = offsets[group][key_leaf].page_locations();
        let index = &columns[group][key_leaf];
        for (page, location) in locations.iter().enumerate() {
            let end = locations
                .get(page + 1)
                .map_or(rows, |next| next.first_row_index as usize);
            pages.push(KeyPage {
                chunk: Chunk {
                    group,
                    rows: location.first_row_index as usize..end,
                },
                bounds: page_bounds(index, page),
            });
        }
    }
    Some(KeyPages::new(pages))
}

/// Page `page`'s min and max of a string column; `None` when it may hold anything (no
/// statistics). A page of nulls only holds no key: its bounds match nothing.
fn page_bounds(index: &ColumnIndexMetaData, page: usize) -> Option<(Vec<u8>, Vec<u8>)> {
    let ColumnIndexMetaData::BYTE_ARRAY(index) = index else {
        return None;
    };
    match (index.min_value(page), index.max_value(page)) {
        (Some(min), Some(max)) => Some((min.to_vec(), max.to_vec())),
        _ if index.is_null_page(page) => Some((vec![0xFF; 8], Vec::new())),
        _ => None,
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

#[cfg(test)]
mod tests {
    use super::*;
    use datafusion::arrow::array::{BooleanArray, StringArray, UInt32Array};
    use datafusion::arrow::datatypes::{DataType, Field, Schema};
    use datafusion::parquet::file::metadata::SortingColumn;

    /// Keys `k00000`… in two partitions (as the backlinks table sorts external, then internal
    /// links), several row groups of 2,048-row pages; `n` is each row's number.
    fn link_file(dir: &Path, rows: u32) -> PathBuf {
        let schema = Arc::new(Schema::new(vec![
            Field::new("internal", DataType::Boolean, false),
            Field::new("key", DataType::Utf8, false),
            Field::new("n", DataType::UInt32, false),
            Field::new("dr", DataType::Float64, true),
        ]));
        let half = rows / 2;
        let key = |n: u32| format!("k{:05}", (n % half) / 3);
        let batch = RecordBatch::try_new(
            schema.clone(),
            vec![
                Arc::new(BooleanArray::from_iter((0..rows).map(|n| Some(n >= half)))),
                Arc::new(StringArray::from_iter_values((0..rows).map(key))),
                Arc::new(UInt32Array::from_iter_values(0..rows)),
                Arc::new(Float64Array::from_iter((0..rows).map(dr))),
            ],
        )
        .unwrap();
        let path = dir.join("links.parquet");
        let sorting = vec![SortingColumn {
            column_idx: 1,
            descending: false,
            nulls_first: false,
        }];
        let props =
            anchorage_index::parquet_io::link_table_properties(sorting, &["key"], [].into_iter());
        anchorage_index::parquet_io::write(&path, schema, &[batch], props).unwrap();
        path
    }

    /// Row `n`'s value in the float column `dr` (null for every 50th row).
    fn dr(n: u32) -> Option<f64> {
        (!n.is_multiple_of(50)).then_some(((n * 7) % 101) as f64)
    }

    fn numbers(batches: &[RecordBatch], ranges: &[KeyRange]) -> Vec<u32> {
        let mut out = Vec::new();
        for b in batches {
            let keys = b.column_by_name("key").unwrap().as_string::<i32>();
            let n = b
                .column_by_name("n")
                .unwrap()
                .as_primitive::<datafusion::arrow::datatypes::UInt32Type>();
            for row in 0..b.num_rows() {
                if ranges.iter().any(|r| r.contains(keys.value(row))) {
                    out.push(n.value(row));
                }
            }
        }
        out.sort();
        out
    }

    #[test]
    fn key_pages_found_by_binary_search_hold_every_row_of_the_range() {
        let dir = tempfile::tempdir().unwrap();
        let rows = 300_000;
        let path = link_file(dir.path(), rows);
        let file = LinkFile::open(&path, "key").unwrap().expect("page index");
        // One run per partition, and one more for the page holding the end of the first and
        // the start of the second.
        assert_eq!(file.key_pages.runs.len(), 3);
        let cached = LinkFile::open(&path, "key")
            .unwrap()
            .unwrap()
            .with_cache(ChunkCache::new(CachePolicy::of_bytes(64 << 20)), 1);
        let names: HashSet<String> = ["key", "n"].map(String::from).into();
        let half = rows / 2;
        let want = |ranges: &[KeyRange]| -> Vec<u32> {
            let key = |n: u32| format!("k{:05}", (n % half) / 3);
            (0..rows)
                .filter(|n| ranges.iter().any(|r| r.contains(&key(*n))))
                .collect()
        };
        let cases = [
            vec![KeyRange::single("k00000")],
            vec![KeyRange::single("k12345")],
            vec![KeyRange::prefix("k0")],
            vec![KeyRange::prefix("k1234"), KeyRange::single("k40000")],
            vec![KeyRange::single("k99999")],
            vec![KeyRange::prefix("a")],
        ];
        for ranges in cases {
            let expected = want(&ranges);
            let whole = file.read(&ranges, &names).unwrap();
            assert_eq!(numbers(&whole, &ranges), expected, "{ranges:?}");
            // Twice through the cache: decoded, then assembled from memory (one batch per
            // page): the same rows.
            let one = |batches: &[RecordBatch]| {
                datafusion::arrow::compute::concat_batches(&batches[0].schema(), batches).unwrap()
            };
            for _ in 0..2 {
                let again = cached.read(&ranges, &names).unwrap();
                assert_eq!(one(&again), one(&whole), "{ranges:?}");
            }
            // Only the pages meeting the ranges are read: at most two more per range and
            // partition than its rows fill.
            let pages = ranges.len() * 2 * 2 + expected.len().div_ceil(2048);
            assert!(file.rows_in(&ranges) <= pages * 2048, "{ranges:?}");
        }
        let cache = cached.cache.as_ref().unwrap();
        assert!(cache.0.weight() > 0);
    }

    #[test]
    fn a_cache_too_small_for_a_read_still_answers_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = link_file(dir.path(), 100_000);
        let tiny = LinkFile::open(&path, "key")
            .unwrap()
            .unwrap()
            .with_cache(ChunkCache::new(CachePolicy::of_bytes(1024)), 1);
        let names: HashSet<String> = ["key", "n"].map(String::from).into();
        let ranges = [KeyRange::prefix("k0")];
        let batches = tiny.read(&ranges, &names).unwrap();
        let whole = LinkFile::open(&path, "key").unwrap().unwrap();
        assert_eq!(
            numbers(&batches, &ranges),
            numbers(&whole.read(&ranges, &names).unwrap(), &ranges)
        );
    }

    /// An exact read past a floor keeps the rows of the range at least the floor, whether it
    /// decodes them, keeps their pages in the cache or finds them there.
    #[test]
    fn exact_reads_past_a_floor_keep_the_rows_at_least_it() {
        let dir = tempfile::tempdir().unwrap();
        let rows = 100_000;
        let path = link_file(dir.path(), rows);
        let open = || LinkFile::open(&path, "key").unwrap().unwrap();
        let cached = |whole_read_rows| {
            let policy = CachePolicy {
                bytes: 64 << 20,
                whole_read_rows,
            };
            open().with_cache(ChunkCache::new(policy), 1)
        };
        let files = [open(), cached(64 * 1024), cached(4096)];
        let names: HashSet<String> = ["n", "dr"].map(String::from).into();
        let half = rows / 2;
        let key = |n: u32| format!("k{:05}", (n % half) / 3);
        let cases = [
            (KeyRange::prefix("k0"), 90.0),
            (KeyRange::prefix("k1"), 99.5),
            (KeyRange::single("k00042"), 0.0),
            (KeyRange::prefix("k0"), 101.0),
        ];
        for (range, min) in cases {
            let expected: Vec<u32> = (0..rows)
                .filter(|n| range.contains(&key(*n)) && dr(*n).is_some_and(|v| v >= min))
                .collect();
            for file in files.iter().chain(&files[1..]) {
                let batches = file.read_exact(&range, &names, Some(("dr", min))).unwrap();
                let mut got: Vec<u32> = (batches.iter())
                    .flat_map(|b| {
                        let n = b.column_by_name("n").unwrap();
                        n.as_primitive::<datafusion::arrow::datatypes::UInt32Type>()
                            .values()
                            .to_vec()
                    })
                    .collect();
                got.sort();
                assert_eq!(got, expected, "{range:?} at least {min}");
            }
        }
    }
}
