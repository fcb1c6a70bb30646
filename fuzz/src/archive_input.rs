//! Fuzz input for `anchorage_acquire`: the bytes are an archive file as is.

use anchorage_acquire::{ArchiveReader, ReaderConfig};
use std::io::Cursor;

/// Reads every capture of `data` as an archive file; returns how many were yielded. Panics
/// only if the reader's own accounting is inconsistent (or the reader panics).
pub fn read_archive(data: &[u8]) -> u64 {
    let Ok(mut reader) = ArchiveReader::from_reader(
        "fuzz-input",
        Cursor::new(data.to_vec()),
        ReaderConfig::default(),
    ) else {
        return 0;
    };
    let yielded = reader.by_ref().count() as u64;
    let stats = reader.stats();
    assert_eq!(
        stats.captures, yielded,
        "ReadStats.captures counts what was yielded"
    );
    assert_eq!(
        stats.captures,
        stats.responses + stats.revisits + stats.extracted
    );
    yielded
}
