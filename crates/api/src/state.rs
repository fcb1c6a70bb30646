//! Shared server state: the data directory and the engine over its current generation,
//! replaced when a build switches `CURRENT`.

use crate::error::ApiError;
use anchorage_index::{DataDir, snapshot};
use anchorage_query::{CachePolicy, Engine};
use std::sync::Arc;
use tokio::sync::RwLock;

#[derive(Clone)]
pub struct AppState {
    pub dir: DataDir,
    engine: Arc<RwLock<Option<Arc<Engine>>>>,
    /// The DataForSEO tasks answered (`id_list`, `errors`), kept in the data directory.
    pub dataforseo_tasks: Arc<crate::dataforseo::tasklog::TaskLog>,
    /// Where referring hosts' countries come from, when the server was given a database.
    pub geoip: Option<Arc<crate::geoip::GeoIp>>,
    /// Bytes of decoded link-table pages each generation's engine keeps in memory.
    scan_cache_bytes: usize,
}

impl AppState {
    pub fn new(dir: DataDir) -> Self {
        let tasks = crate::dataforseo::tasklog::TaskLog::open(dir.root());
        AppState {
            dir,
            engine: Arc::new(RwLock::new(None)),
            dataforseo_tasks: Arc::new(tasks),
            geoip: None,
            scan_cache_bytes: anchorage_query::DEFAULT_SCAN_CACHE_BYTES,
        }
    }

    pub fn with_scan_cache(mut self, bytes: usize) -> Self {
        self.scan_cache_bytes = bytes;
        self
    }

    pub fn with_geoip(mut self, geoip: crate::geoip::GeoIp) -> Self {
        self.geoip = Some(Arc::new(geoip));
        self
    }

    /// The engine over the current generation, reopened when `CURRENT` changed.
    pub async fn engine(&self) -> Result<Arc<Engine>, ApiError> {
        let current =
            snapshot::current(&self.dir).map_err(|e| ApiError::internal(e.to_string()))?;
        let Some(current) = current else {
            return Err(ApiError::not_found(
                "the index is empty: run `anchorage build` first",
            ));
        };
        if let Some(engine) = self.engine.read().await.as_ref()
            && engine.generation.manifest.generation == current.manifest.generation
        {
            return Ok(engine.clone());
        }
        let mut slot = self.engine.write().await;
        if let Some(engine) = slot.as_ref()
            && engine.generation.manifest.generation == current.manifest.generation
        {
            return Ok(engine.clone());
        }
        let engine = Arc::new(
            Engine::open_with_cache(current, CachePolicy::of_bytes(self.scan_cache_bytes)).await?,
        );
        tracing::info!(generation = %engine.generation.manifest.generation, "serving generation");
        *slot = Some(engine.clone());
        Ok(engine)
    }
}
