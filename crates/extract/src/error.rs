//! Why a pass stopped early. Extraction itself never fails: these are logged and the page
//! keeps what was extracted before the stop.

use thiserror::Error;

#[derive(Debug, Error)]
pub(crate) enum ExtractError {
    /// lol_html gave up, e.g. over its memory limit (`max_parser_memory`).
    #[error("HTML parser stopped: {0}")]
    Parser(#[from] lol_html::errors::RewritingError),
    /// The parser panicked; caught so one page cannot stop an ingest.
    #[error("HTML parser panicked")]
    Panic,
}
