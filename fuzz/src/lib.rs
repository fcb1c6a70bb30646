//! Fuzzer bytes → inputs, shared by the fuzz targets and by the tests that replay saved crash
//! inputs: `crates/extract/tests/fuzz_regressions.rs` and
//! `crates/acquire/tests/fuzz_regressions.rs` include these files with `#[path]`, so a saved
//! input means the same thing to both. Each file uses only the crate it feeds.

mod archive_input;
mod extract_input;

pub use archive_input::read_archive;
pub use extract_input::extract_input;
