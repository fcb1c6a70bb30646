//! Anchorage query layer: every protocol parses its request into a query value of this crate
//! ([`BacklinksQuery`], [`Filter`]) and renders the Arrow rows it returns. The query logic —
//! target scope, history, filters, grouping, order, paging — lives here once, as DataFusion
//! plans over the current snapshot generation.

pub mod backlinks;
pub mod filter;

pub use backlinks::{Aggregation, BacklinksQuery, History, LINK_GROUP_COUNT, OrderBy};
pub use filter::{Condition, Filter, Value};

use anchorage_index::DataDir;
use anchorage_index::snapshot::{BACKLINKS, Generation};
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::execution::context::SessionContext;
use datafusion::prelude::{ParquetReadOptions, SessionConfig};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum QueryError {
    /// The request is wrong (bad value, bad regex…): the message names the reason.
    #[error("{0}")]
    Invalid(String),
    #[error("query engine: {0}")]
    Engine(#[from] datafusion::error::DataFusionError),
    #[error(transparent)]
    Index(#[from] anchorage_index::IndexError),
}

/// The query engine over one generation.
pub struct Engine {
    ctx: SessionContext,
    pub generation: Generation,
}

impl Engine {
    /// Opens the data directory's current generation.
    pub async fn open_current(dir: &DataDir) -> Result<Engine, QueryError> {
        let generation = anchorage_index::snapshot::require_current(dir)?;
        Engine::open(generation).await
    }

    pub async fn open(generation: Generation) -> Result<Engine, QueryError> {
        let mut config = SessionConfig::new()
            .with_target_partitions(2)
            .with_batch_size(8192);
        let parquet = &mut config.options_mut().execution.parquet;
        parquet.pushdown_filters = true;
        parquet.reorder_filters = true;
        parquet.enable_page_index = true;
        let ctx = SessionContext::new_with_config(config);
        let path = generation.table(BACKLINKS);
        ctx.register_parquet(
            "backlinks",
            path.to_string_lossy().as_ref(),
            ParquetReadOptions::default(),
        )
        .await?;
        Ok(Engine { ctx, generation })
    }

    /// Runs a backlink query; the batches hold the selected columns in `select` order.
    pub async fn backlinks(&self, query: &BacklinksQuery) -> Result<Vec<RecordBatch>, QueryError> {
        let table = self.ctx.table("backlinks").await?;
        Ok(query.plan(table)?.collect().await?)
    }
}
