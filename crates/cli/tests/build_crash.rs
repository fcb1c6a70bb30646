//! `kill -9` during builds: whatever the moment, the generation `CURRENT` names stays complete
//! and readable, and the next build completes.

use anchorage_index::snapshot::{BACKLINKS, require_current};
use anchorage_index::{DataDir, parquet_io};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_anchorage");

fn run(args: &[&str]) {
    let status = Command::new(BIN)
        .args(args)
        .stdout(Stdio::null())
        .status()
        .expect("run anchorage");
    assert!(status.success(), "anchorage {args:?} failed");
}

/// The current generation is complete: its manifest loads and its tables hold what it says.
fn assert_serving(dir: &Path) -> String {
    let data = DataDir::open(dir).unwrap();
    let generation = require_current(&data).expect("a current generation");
    let rows: usize = parquet_io::read(&generation.table(BACKLINKS))
        .unwrap()
        .iter()
        .map(|b| b.num_rows())
        .sum();
    assert_eq!(rows as u64, generation.manifest.tables[BACKLINKS]);
    generation.manifest.generation
}

#[test]
fn builds_killed_at_random_points_never_break_the_served_generation() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("data");
    let d = dir.to_str().unwrap();
    run(&["demo", "--data-dir", d, "--no-serve", "--sites", "60"]);
    let started = Instant::now();
    run(&["build", "--data-dir", d]);
    let full = started.elapsed();
    let mut served = assert_serving(&dir);
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    for round in 0..20 {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        let delay = Duration::from_micros((state >> 33) % (full.as_micros() as u64 + 1));
        let mut child = Command::new(BIN)
            .args(["build", "--data-dir", d])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        let now = assert_serving(&dir);
        assert!(
            now >= served,
            "round {round}: went back from {served} to {now}"
        );
        served = now;
    }
    run(&["build", "--data-dir", d]);
    assert!(assert_serving(&dir) > served);
}
