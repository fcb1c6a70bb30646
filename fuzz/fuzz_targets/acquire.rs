//! `anchorage_acquire::ArchiveReader` over arbitrary bytes: any input is read to its end
//! (damaged records skipped and counted) without a panic. Seeded with the small real WARCs,
//! plain and gzip, so mutations reach deep into records and gzip members.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    anchorage_fuzz::read_archive(data);
});
