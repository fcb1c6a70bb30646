//! Replays every input saved by `fuzz/run.sh` in `tests/fuzz_regressions/` through
//! `extract`: each once made the `extract` fuzz target fail, and must now pass. The bytes are
//! read exactly as the fuzz target reads them (the shared `fuzz/src/extract_input.rs`).

#[allow(dead_code)]
#[path = "../../../fuzz/src/extract_input.rs"]
mod extract_input;

use anchorage_extract::extract;
use std::path::Path;

#[test]
fn saved_fuzz_inputs_extract_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/fuzz_regressions exists")
        .map(|e| e.expect("listing fuzz_regressions").path())
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .collect();
    inputs.sort();
    for path in &inputs {
        let data = std::fs::read(path).expect("reading a saved input");
        let (fetch, config) = extract_input::extract_input(&data);
        let x = extract(&fetch, &config);
        // The invariants the fuzz target checks.
        assert_eq!(
            x.page.page_size,
            fetch.body.len() as u64,
            "{}",
            path.display()
        );
        assert!(x.links.len() <= config.max_links, "{}", path.display());
        for (i, link) in x.links.iter().enumerate() {
            assert_eq!(link.ordinal as usize, i, "{}", path.display());
            assert!(link.url_to.starts_with("http"), "{}", path.display());
        }
    }
    eprintln!("{} saved fuzz input(s) replayed", inputs.len());
}
