//! Replays every input saved by `fuzz/run.sh` in `tests/fuzz_regressions/` through the
//! archive reader: each once made the `acquire` fuzz target fail, and must now be read to its
//! end without a panic. The bytes are read exactly as the fuzz target reads them (the shared
//! `fuzz/src/archive_input.rs`).

#[path = "../../../fuzz/src/archive_input.rs"]
mod archive_input;

use std::path::Path;

#[test]
fn saved_fuzz_inputs_read_cleanly() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut inputs: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/fuzz_regressions exists")
        .map(|e| e.expect("listing fuzz_regressions").path())
        .filter(|p| p.extension().is_none_or(|e| e != "md"))
        .collect();
    inputs.sort();
    for path in &inputs {
        let data = std::fs::read(path).expect("reading a saved input");
        archive_input::read_archive(&data);
    }
    eprintln!("{} saved fuzz input(s) replayed", inputs.len());
}
