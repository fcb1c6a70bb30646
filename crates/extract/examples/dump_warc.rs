//! Prints what `extract` makes of every response in a WARC file, as JSON lines (one
//! `Extraction` per line). For eyeballing results:
//! `cargo run -p anchorage-extract --example dump_warc -- FILE.warc.gz`

#[path = "../tests/support/mod.rs"]
mod support;

use anchorage_extract::{ExtractConfig, extract};

fn main() {
    let config = ExtractConfig::default();
    for path in std::env::args().skip(1) {
        for fetch in support::fetches(std::path::Path::new(&path)) {
            let x = extract(&fetch, &config);
            match serde_json::to_string(&x) {
                Ok(line) => println!("{line}"),
                Err(e) => eprintln!("{}: {e}", fetch.url),
            }
        }
    }
}
