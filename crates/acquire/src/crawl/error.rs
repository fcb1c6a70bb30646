//! The crawl's typed errors. A failed fetch is not one of them (it is counted by
//! [`ErrorKind`](super::ErrorKind) and the crawl goes on); these stop the crawl.

use super::sink::SinkError;
use crate::AcquireError;
use std::path::PathBuf;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CrawlError {
    /// A setting that cannot work (bad seed, unreadable CA file, ...).
    #[error("{0}")]
    Config(String),
    #[error("crawl state {path}: {source}")]
    Store {
        path: PathBuf,
        #[source]
        source: redb::Error,
    },
    #[error("crawl state: undecodable entry in table {table}: {source}")]
    Decode {
        table: &'static str,
        #[source]
        source: postcard::Error,
    },
    #[error("crawl state {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("recording crawled pages: {0}")]
    Sink(#[source] SinkError),
    #[error("WARC output: {0}")]
    Warc(#[from] AcquireError),
    #[error("headless Chromium: {0}")]
    Render(String),
    /// A crawler task ended unexpectedly (a bug, or the process is shutting down).
    #[error("crawler stopped unexpectedly: {0}")]
    Internal(String),
}
