//! Typed errors. Reading never fails on bad record data (that is counted in
//! [`ReadStats`](crate::ReadStats)); only opening a file and writing can fail.

use std::io;
use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum AcquireError {
    #[error("cannot open {path}: {source}")]
    Open { path: PathBuf, source: io::Error },
    #[error("cannot read the start of {name}: {source}")]
    Sniff { name: String, source: io::Error },
    /// Compressions other than gzip are recognised by their magic bytes so that the user gets
    /// a clear message instead of a file full of skipped garbage.
    #[error("{name} is {compression}-compressed; only gzip (or uncompressed) archives are read")]
    UnsupportedCompression {
        name: String,
        compression: &'static str,
    },
    #[error("cannot create {path}: {source}")]
    Create { path: PathBuf, source: io::Error },
    #[error("cannot write to {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
}
