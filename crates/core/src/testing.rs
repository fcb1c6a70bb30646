//! Test support shared by the crates' test suites (not used by the product).

use std::path::PathBuf;

/// `../shared/testdata` beside the checkout. When it is absent, tests print a notice and
/// skip — except in CI (`CI=true`), where its absence is a failure.
pub fn shared_testdata() -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata");
    if root.is_dir() {
        return root.canonicalize().ok();
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but {} is missing", root.display());
    }
    eprintln!(
        "notice: {} not found, skipping a test that needs the shared test data",
        root.display()
    );
    None
}
