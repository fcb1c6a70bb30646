//! Contract test: every Ahrefs v3 answer validated against the official OpenAPI document
//! (`../shared/spec/ahrefs-v3-site-explorer.openapi.json`) by a JSON Schema validator
//! (Python's `jsonschema` from PyPI, in a throwaway virtualenv), through
//! `tests/tools/ahrefs_contract.py`. Without Python or PyPI the test is skipped with a
//! notice, except in CI (`CI=true`), where it fails.

mod support;

use std::path::Path;
use support::{Index, serve_on_loopback};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_answer_validates_against_the_official_openapi() {
    let spec = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/spec/ahrefs-v3-site-explorer.openapi.json");
    if !spec.is_file() {
        assert!(
            !anchorage_core::testing::in_ci(),
            "CI=true but {} is missing",
            spec.display()
        );
        eprintln!(
            "notice: {} not found, skipping the contract test",
            spec.display()
        );
        return;
    }
    let venv = tempfile::tempdir().expect("temp dir");
    let Some(python) = anchorage_core::testing::python_venv(
        venv.path(),
        &["jsonschema>=4.20,<5"],
        "the OpenAPI contract test",
    ) else {
        return;
    };
    let (index, web) = Index::of_synthetic_web(7);
    let base = serve_on_loopback(index.app()).await;
    let target = web.sites_by_popularity()[0].root_domain.clone();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/tools/ahrefs_contract.py");
    let mut check = std::process::Command::new(&python);
    check
        .arg(&script)
        .arg("--openapi")
        .arg(&spec)
        .args(["--base", &base, "--target", &target]);
    // The server runs on this runtime's workers meanwhile.
    let out = tokio::task::spawn_blocking(move || check.output())
        .await
        .expect("joined")
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the contract check failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_str(stdout.trim()).expect("summary line");
    assert_eq!(summary["served"], 15, "{summary}");
    assert_eq!(summary["validated"], 28, "{summary}");
    assert_eq!(summary["refused"], 13, "{summary}");
    println!("{summary}");
}
