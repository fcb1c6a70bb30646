//! Anchorage index: the fetch log, ingestion into it, the build and the snapshot generations.

pub mod build;
pub mod crawl;
pub mod error;
pub mod imports;
pub mod ingest;
pub mod layout;
pub mod log;
pub mod parquet_io;
pub mod snapshot;

pub use error::{IndexError, Result};
pub use layout::DataDir;
