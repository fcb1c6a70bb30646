//! Indirect backlinks: a link to a URL that redirects into the target reaches the target
//! through the redirect. [`RedirectHops`] indexes every hop of every known redirect chain
//! (the generation's `targets` table) by the hop's key, so the URLs redirecting into a target
//! are one key-range lookup.

use crate::QueryError;
use anchorage_core::target::Target;
use anchorage_index::build::table::target_key;
use datafusion::arrow::array::{Array, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field};
use datafusion::parquet::arrow::ProjectionMask;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

/// Every redirect hop: (the hop's key, the URL whose chain passes through it), sorted.
#[derive(Debug, Default)]
pub struct RedirectHops {
    hops: Vec<(String, String)>,
}

impl RedirectHops {
    /// Reads the `url` and `redirect_chain` columns of a `targets` table; a generation
    /// without one has no hops.
    pub fn load(path: &Path) -> Result<RedirectHops, QueryError> {
        if !path.is_file() {
            return Ok(RedirectHops::default());
        }
        let file = File::open(path)
            .map_err(|e| QueryError::Invalid(format!("{}: {e}", path.display())))?;
        let builder = ParquetRecordBatchReaderBuilder::try_new(file)
            .map_err(datafusion::error::DataFusionError::from)?;
        let wanted: Vec<usize> = ["url", "redirect_chain"]
            .iter()
            .filter_map(|name| builder.schema().index_of(name).ok())
            .collect();
        if wanted.len() != 2 {
            return Ok(RedirectHops::default());
        }
        let mask = ProjectionMask::roots(builder.parquet_schema(), wanted);
        let reader = builder
            .with_projection(mask)
            .build()
            .map_err(datafusion::error::DataFusionError::from)?;
        let list_of_strings = DataType::List(Arc::new(Field::new_list_field(DataType::Utf8, true)));
        let mut hops = Vec::new();
        for batch in reader {
            let batch = batch?;
            let urls = cast(batch.column(0), &DataType::Utf8)?;
            let chains = cast(batch.column(1), &list_of_strings)?;
            let (urls, chains) = (urls.as_string::<i32>(), chains.as_list::<i32>());
            for row in 0..batch.num_rows() {
                if chains.is_null(row) || urls.is_null(row) {
                    continue;
                }
                let chain = chains.value(row);
                let chain = chain.as_string::<i32>();
                for hop in chain.iter().flatten() {
                    hops.push((target_key(hop), urls.value(row).to_string()));
                }
            }
        }
        hops.sort_unstable();
        hops.dedup();
        Ok(RedirectHops { hops })
    }

    /// The URLs outside `target` whose redirect chain passes through one of its URLs, sorted
    /// and each once; at most `limit` of them.
    pub fn into_target(&self, target: &Target, limit: usize) -> Vec<String> {
        let range = target.key_range();
        let first = self
            .hops
            .partition_point(|(key, _)| key.as_str() < range.start.as_str());
        let mut urls: Vec<String> = self.hops[first..]
            .iter()
            .take_while(|(key, _)| range.contains(key))
            .filter(|(_, url)| !range.contains(&target_key(url)))
            .map(|(_, url)| url.clone())
            .collect();
        urls.sort_unstable();
        urls.dedup();
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
