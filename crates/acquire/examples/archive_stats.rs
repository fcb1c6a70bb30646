//! Prints what `ArchiveReader` makes of archive files: `cargo run -p anchorage-acquire
//! --example archive_stats -- FILE...` (also a quick throughput check in release mode).

use anchorage_acquire::ArchiveReader;
use anchorage_core::record::Capture;
use std::time::Instant;

fn main() {
    for path in std::env::args().skip(1) {
        let start = Instant::now();
        let mut reader = match ArchiveReader::open(&path) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{e}");
                continue;
            }
        };
        let (mut links, mut body_bytes) = (0usize, 0usize);
        for capture in reader.by_ref() {
            match capture {
                Capture::Response(f) => body_bytes += f.body.len(),
                Capture::Extracted(_, l) => links += l.len(),
                Capture::Revisit(_) => {}
            }
        }
        let secs = start.elapsed().as_secs_f64();
        let file_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        println!("{path}: {:?}", reader.stats());
        println!(
            "  body bytes {body_bytes}, WAT links {links}, {:.1} MB/s of file, {:.1} MB/s decompressed",
            file_bytes as f64 / secs / 1e6,
            reader.stats().bytes as f64 / secs / 1e6
        );
    }
}
