use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum IndexError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("parquet {path}: {source}")]
    Parquet {
        path: PathBuf,
        #[source]
        source: parquet::errors::ParquetError,
    },
    #[error("arrow: {0}")]
    Arrow(#[from] arrow::error::ArrowError),
    #[error("record conversion: {0}")]
    Convert(#[from] serde_arrow::Error),
    #[error("{path}: invalid JSON: {source}")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("reading {path}: {source}")]
    Acquire {
        path: PathBuf,
        #[source]
        source: anchorage_acquire::AcquireError,
    },
    #[error("no snapshot has been built in {0} yet: run `anchorage build`")]
    NoGeneration(PathBuf),
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = IndexError> = std::result::Result<T, E>;

/// Attaches a path to an IO error.
pub(crate) trait IoContext<T> {
    fn at(self, path: impl Into<PathBuf>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn at(self, path: impl Into<PathBuf>) -> Result<T> {
        self.map_err(|source| IndexError::Io {
            path: path.into(),
            source,
        })
    }
}
