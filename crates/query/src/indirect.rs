//! Indirect backlinks: a link to a URL that redirects into the target, or to a page naming a
//! URL of the target as its canonical, reaches the target through that redirect or canonical.
//! [`IndirectHops`] indexes every hop of every known redirect chain (the generation's
//! `targets` table) and every canonical that names another URL (its `pages` table) by the
//! hop's key, so the URLs leading into a target are one key-range lookup.

use crate::QueryError;
use anchorage_core::target::Target;
use anchorage_index::build::table::target_key;
use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::parquet::arrow::ProjectionMask;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

/// How a URL leads into the target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Via {
    /// Its redirect chain (the link's `url_redirect`) passes through the target.
    Redirect,
    /// The page names this URL of the target as its canonical.
    Canonical(String),
}

/// A URL outside the target that leads into it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct IndirectUrl {
    pub url: String,
    pub via: Via,
}

/// Every hop into a URL: (the hop's key, the URL leading there, how), sorted.
#[derive(Debug, Default)]
pub struct IndirectHops {
    hops: Vec<(String, IndirectUrl)>,
}

impl IndirectHops {
    /// Reads the redirect chains of a `targets` table and the canonicals of a `pages` table;
    /// a missing table or column has no hops.
    pub fn load(targets: &Path, pages: &Path) -> Result<IndirectHops, QueryError> {
        let mut hops = Vec::new();
        let list_of_strings = DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)));
        for_each_row(targets, "redirect_chain", &list_of_strings, |url, chain| {
            let chain = chain.as_list::<i32>();
            for hop in chain.value(0).as_string::<i32>().iter().flatten() {
                let via = Via::Redirect;
                let url = url.to_string();
                hops.push((target_key(hop), IndirectUrl { url, via }));
            }
        })?;
        for_each_row(pages, "canonical", &DataType::Utf8, |url, canonical| {
            let canonical = canonical.as_string::<i32>().value(0);
            let via = Via::Canonical(canonical.to_string());
            let url = url.to_string();
            hops.push((target_key(canonical), IndirectUrl { url, via }));
        })?;
        hops.sort_unstable();
        hops.dedup();
        Ok(IndirectHops { hops })
    }

    /// The URLs outside `target` that lead into it, sorted and each once (a redirect before
    /// a canonical); at most `limit` of them.
    pub fn into_target(&self, target: &Target, limit: usize) -> Vec<IndirectUrl> {
        let range = target.key_range();
        let first = self
            .hops
            .partition_point(|(key, _)| key.as_str() < range.start.as_str());
        let mut urls: Vec<IndirectUrl> = self.hops[first..]
            .iter()
            .take_while(|(key, _)| range.contains(key))
            .filter(|(_, hop)| !range.contains(&target_key(&hop.url)))
            .map(|(_, hop)| hop.clone())
            .collect();
        urls.sort_unstable();
        urls.dedup_by(|later, earlier| later.url == earlier.url);
        urls.truncate(limit);
        urls
    }

    pub fn len(&self) -> usize {
        self.hops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hops.is_empty()
    }
}

/// Calls `visit(url, value)` for each row of the Parquet table at `path` whose `url` and
/// `column` (cast to `ty`, passed as a one-element array) are both set.
fn for_each_row(
    path: &Path,
    column: &str,
    ty: &DataType,
    mut visit: impl FnMut(&str, ArrayRef),
) -> Result<(), QueryError> {
    if !path.is_file() {
        return Ok(());
    }
    let file =
        File::open(path).map_err(|e| QueryError::Invalid(format!("{}: {e}", path.display())))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(datafusion::error::DataFusionError::from)?;
    let wanted: Vec<usize> = ["url", column]
        .iter()
        .filter_map(|name| builder.schema().index_of(name).ok())
        .collect();
    if wanted.len() != 2 {
        return Ok(());
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), wanted);
    let reader = builder
        .with_projection(mask)
        .build()
        .map_err(datafusion::error::DataFusionError::from)?;
    for batch in reader {
        let batch = batch?;
        let (Some(urls), Some(values)) =
            (batch.column_by_name("url"), batch.column_by_name(column))
        else {
            return Ok(());
        };
        let urls = cast(urls, &DataType::Utf8)?;
        let values = cast(values, ty)?;
        let urls = urls.as_string::<i32>();
        for row in 0..batch.num_rows() {
            if !urls.is_null(row) && !values.is_null(row) {
                visit(urls.value(row), values.slice(row, 1));
            }
        }
    }
    Ok(())
}
