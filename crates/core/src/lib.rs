//! Anchorage core: the vocabulary every stage of the data flow shares.
//!
//! - [`urls`]: URL normalisation and the target key (reversed host + path) that turns each
//!   target mode into one key range.
//! - [`domain`]: root domains by the Public Suffix List, `is_root`, `tld_class`.
//! - [`target`]: the four target modes and the protocol filter.
//! - [`catalogue`]: the one column catalogue driving validation, docs and OpenAPI output.
//! - [`record`]: fetch, page and link records exchanged between acquire, extract and index.
//! - [`time`]: timestamps (UTC microseconds) and their ISO-8601 rendering.

pub mod catalogue;
pub mod domain;
pub mod record;
pub mod reports;
pub mod target;
#[doc(hidden)]
pub mod testing;
pub mod time;
pub mod urls;

pub use catalogue::{ColType, Column};
pub use target::{Protocol, Target, TargetMode};
pub use urls::NormalizedUrl;
