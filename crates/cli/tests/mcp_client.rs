//! Anchorage's MCP server driven by a real MCP client: the official Python SDK (`mcp` from
//! PyPI, in a throwaway virtualenv) runs `tests/tools/mcp_client_check.py` against
//! `anchorage mcp` (stdio) and `anchorage serve --mcp` (streamable HTTP, with an API key).
//! Every tool is called and its answer compared with the HTTP API's; bad arguments must
//! come back as MCP errors with the API's message. Without Python or PyPI the test is
//! skipped with a notice, except in CI (`CI=true`), where it fails.

use anchorage_synth::{SynthConfig, generate};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const SITES: usize = 12;
const SEED: u64 = 2026;
/// The SDK's last 1.x release: the 2.x line renamed its transports.
const PIP_PACKAGES: &[&str] = &["mcp==1.30.0", "jsonschema>=4.20,<5", "httpx>=0.27,<1"];

fn anchorage() -> Command {
    Command::new(env!("CARGO_BIN_EXE_anchorage"))
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("anchorage runs");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The server process, stopped when the test ends however it ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
}

fn serve_with_mcp(data_dir: &Path, addr: SocketAddr) -> Server {
    let child = anchorage()
        .args([
            "serve",
            "--mcp",
            "--listen",
            &addr.to_string(),
            "--data-dir",
        ])
        .arg(data_dir)
        .stdout(Stdio::null())
        .spawn()
        .expect("anchorage serve");
    let server = Server(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(addr).is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    server
}

#[test]
fn the_official_python_sdk_calls_every_tool_over_stdio_and_http() {
    let venv_dir = tempfile::tempdir().expect("temp dir");
    let Some(python) =
        anchorage_core::testing::python_venv(venv_dir.path(), PIP_PACKAGES, "the MCP client test")
    else {
        return;
    };
    let data = tempfile::tempdir().expect("temp dir");
    let data_dir = data.path().join("index");
    run(anchorage()
        .args([
            "demo",
            "--no-serve",
            "--sites",
            &SITES.to_string(),
            "--seed",
            &SEED.to_string(),
        ])
        .arg("--data-dir")
        .arg(&data_dir));
    let created = run(anchorage()
        .args(["keys", "--data-dir"])
        .arg(&data_dir)
        .args(["create", "--name", "mcp-test", "--rate-limit", "100000"]));
    let key = created
        .lines()
        .last()
        .expect("the key's secret")
        .trim()
        .to_string();
    let web = generate(
        &SynthConfig {
            seed: SEED,
            sites: SITES,
            ..SynthConfig::default()
        },
        0,
    );
    let target = web.sites_by_popularity()[0].root_domain.clone();

    let addr = free_port();
    let _server = serve_with_mcp(&data_dir, addr);
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/tools/mcp_client_check.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg("--anchorage")
        .arg(env!("CARGO_BIN_EXE_anchorage"))
        .arg("--data-dir")
        .arg(&data_dir)
        .args([
            "--http",
            &format!("http://{addr}"),
            "--key",
            &key,
            "--target",
            &target,
        ])
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the MCP client check failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary: serde_json::Value = serde_json::from_str(stdout.trim()).expect("summary line");
    assert_eq!(summary["stdio_tool_calls"], 16, "{summary}");
    assert_eq!(summary["http_tool_calls"], 16, "{summary}");
}
