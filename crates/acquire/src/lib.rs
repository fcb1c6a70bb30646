//! Anchorage acquire, archive side: reading web archives into [`Capture`]s and writing the
//! crawler's fetches as WARC.
//!
//! - [`ArchiveReader`]: WARC 0.18/1.0/1.1, ARC v1/v2, Common Crawl WAT (links already
//!   extracted) and WET (read, nothing yielded); plain or gzip (per-record members or whole
//!   file, told by magic bytes). HTTP bodies come out de-chunked and content-decoded. Damaged
//!   input is skipped and counted in [`ReadStats`], never a panic or an abort of the file.
//! - [`WarcWriter`]: WARC/1.1, one gzip member per record, with SHA-1 block and payload
//!   digests.
//!
//! - [`crawl`]: the polite, resumable crawler producing the same fetch records.
//!
//! [`Capture`]: anchorage_core::record::Capture

mod body;
pub mod crawl;
mod digest;
mod error;
mod http;
mod reader;
mod source;
mod warc;
mod wat;
mod writer;

pub use digest::{new_record_id, sha1_base32};
pub use error::AcquireError;
pub use reader::{ArchiveReader, ReadStats, ReaderConfig, reasons, warnings};
pub use writer::{ResponseHead, RevisitOf, WarcWriter};
