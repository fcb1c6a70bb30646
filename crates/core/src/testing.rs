//! Test support shared by the crates' test suites (not used by the product).

use std::path::{Path, PathBuf};
use std::process::Command;

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

/// Whether this run is CI's, where skipping for want of a prerequisite is a failure.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// A Python virtualenv made in `dir` with `packages` installed from PyPI (pip honours the
/// machine's `PIP_*` settings); its interpreter. When Python or PyPI is out of reach the test
/// `purpose` names is skipped with a notice (`None`) — except in CI, where it fails.
pub fn python_venv(dir: &Path, packages: &[&str], purpose: &str) -> Option<PathBuf> {
    let venv = dir.join("venv");
    let python = venv.join(if cfg!(windows) {
        "Scripts/python.exe"
    } else {
        "bin/python"
    });
    let base_python = std::env::var_os("PYTHON").unwrap_or_else(|| "python3".into());
    let ready = run_step(
        "python3 -m venv",
        Command::new(&base_python).arg("-m").arg("venv").arg(&venv),
    )
    .and_then(|()| {
        run_step(
            "pip install",
            Command::new(&python)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                ])
                .args(packages),
        )
    });
    match ready {
        Ok(()) => Some(python),
        Err(e) if in_ci() => panic!("{purpose} needs its Python environment in CI: {e}"),
        Err(e) => {
            eprintln!("notice: skipping {purpose}: {e}");
            None
        }
    }
}

/// `packages` installed from npm into `dir/node_modules` (a script copied into `dir` can
/// import them). `false` after a notice when Node or npm is out of reach outside CI (in CI: a
/// panic), naming the test `purpose`.
pub fn npm_install(dir: &Path, packages: &[&str], purpose: &str) -> bool {
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let ready = run_step(
        "npm install",
        Command::new(npm)
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(dir)
            .args(packages),
    );
    match ready {
        Ok(()) => true,
        Err(e) if in_ci() => panic!("{purpose} needs its npm packages in CI: {e}"),
        Err(e) => {
            eprintln!("notice: skipping {purpose}: {e}");
            false
        }
    }
}

fn run_step(what: &str, cmd: &mut Command) -> Result<(), String> {
    match cmd.output() {
        Ok(o) if o.status.success() => Ok(()),
        Ok(o) => Err(format!(
            "{what} failed: {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Err(e) => Err(format!("{what} could not start: {e}")),
    }
}
