//! `anchorage crawl --render js` on a local page that builds links with script: the page is
//! logged as `js_rendered`, links present in the served HTML as `http_crawl` (`js_only`
//! false), links that only exist after rendering as `js_crawl` (`js_only` true), and the
//! script-built targets are crawled. Skipped with a notice when /usr/bin/chromium is absent,
//! except in CI (`CI=true`), where `.ci/run` installs it.

use anchorage_index::DataDir;
use anchorage_index::log::{read_segment, segments};
use axum::Router;
use axum::extract::Request;
use axum::response::{Html, IntoResponse};
use std::collections::HashMap;
use std::process::Command;

const PAGE: &str = r#"<!DOCTYPE html><html><head><title>Built by script</title></head><body>
<nav><a href="/served">served</a></nav>
<main id="main"></main>
<script>
  var links = ['/built-1', '/built-2'];
  document.getElementById('main').innerHTML =
    links.map(function (u) { return '<a href="' + u + '">' + u + '</a>'; }).join(' ');
</script>
</body></html>"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn script_built_links_are_js_only() {
    if !std::path::Path::new("/usr/bin/chromium").is_file() {
        assert!(
            !std::env::var("CI").is_ok_and(|v| v == "true"),
            "CI=true but /usr/bin/chromium is missing (.ci/run installs it)"
        );
        eprintln!("notice: /usr/bin/chromium not found, skipping the JavaScript rendering test");
        return;
    }
    let app = Router::new().fallback(|req: Request| async move {
        match req.uri().path() {
            "/" => Html(PAGE).into_response(),
            _ => Html("<p>leaf</p>").into_response(),
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    let seed = format!("http://render.test:{port}/");
    let out = tokio::task::spawn_blocking({
        let (data, seed) = (data.clone(), seed.clone());
        move || {
            Command::new(env!("CARGO_BIN_EXE_anchorage"))
                .args([
                    "crawl",
                    "--render",
                    "js",
                    "--delay",
                    "0",
                    "--max-depth",
                    "1",
                ])
                .args(["--resolve", "render.test:127.0.0.1", "--data-dir"])
                .arg(&data)
                .arg(&seed)
                .output()
                .unwrap()
        }
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let dir = DataDir::open(&data).unwrap();
    let mut js_only: HashMap<String, bool> = HashMap::new();
    let mut pages: HashMap<String, bool> = HashMap::new();
    for segment in segments(&dir).unwrap() {
        let (p, l) = read_segment(&segment).unwrap();
        let home = p.iter().find(|p| p.url == seed).map(|p| p.fetch_id);
        for page in &p {
            pages.insert(page.url.clone(), page.js_rendered);
        }
        for link in l.iter().filter(|l| Some(l.fetch_id) == home) {
            js_only.insert(link.url_to.clone(), link.js_only);
        }
    }
    assert_eq!(pages.get(&seed), Some(&true), "{pages:?}");
    let url = |p: &str| format!("http://render.test:{port}{p}");
    assert_eq!(js_only.get(&url("/served")), Some(&false), "{js_only:?}");
    assert_eq!(js_only.get(&url("/built-1")), Some(&true));
    assert_eq!(js_only.get(&url("/built-2")), Some(&true));
    assert!(pages.contains_key(&url("/built-1")) && pages.contains_key(&url("/built-2")));
}
