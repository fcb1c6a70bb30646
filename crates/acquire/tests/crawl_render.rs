//! `--render js`: a local page that builds its links with script (inline, from an external
//! script, from fetched JSON, after a timer) rendered in headless Chromium, for every host or
//! only the hosts named (`--render-host`). Skipped with a
//! notice when Chromium is not installed, except in CI (`CI=true`), where it must be.

mod crawl_support;

use anchorage_acquire::crawl::{FetchPurpose, RenderMode};
use crawl_support::*;
use std::path::PathBuf;
use std::sync::Arc;

const SITE: &str = "js.test";

const PAGE: &str = r#"<!DOCTYPE html><html><head><title>JS links</title></head><body>
<a href="/static">static</a>
<img src="/pixel.png">
<div id="menu"></div>
<script src="/app.js"></script>
<script>
  document.getElementById('menu').innerHTML = '<a href="/inline">inline</a>';
  setTimeout(function () {
    var a = document.createElement('a');
    a.href = '/late'; a.textContent = 'late';
    document.body.appendChild(a);
  }, 50);
</script>
</body></html>"#;

const APP: &str = r#"
document.body.insertAdjacentHTML('beforeend', '<a href="/from-script">s</a>');
fetch('/links.json').then(function (r) { return r.json(); }).then(function (d) {
  d.forEach(function (u) {
    var a = document.createElement('a'); a.href = u; a.textContent = u;
    document.body.appendChild(a);
  });
});
"#;

/// The Chromium to use, or `None` (skip) outside CI.
pub fn chromium() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/chromium");
    if path.is_file() {
        return Some(path);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but /usr/bin/chromium is missing (.ci/run installs it)");
    }
    eprintln!("notice: /usr/bin/chromium not found, skipping the JavaScript rendering test");
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn links_built_by_script_are_found() {
    let Some(chromium) = chromium() else { return };
    let server = TestServer::start(Arc::new(|_, _, path: &str, _| match path {
        "/" => Some(html(PAGE)),
        "/app.js" => Some(with_type(200, "application/javascript", APP)),
        "/links.json" => Some(with_type(200, "application/json", r#"["/from-json"]"#)),
        "/robots.txt" => Some(with_type(
            200,
            "text/plain",
            "User-agent: *\nDisallow: /secret\n",
        )),
        _ => Some(html("leaf")),
    }))
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let seed = vec![format!("http://{SITE}:{}/", server.port())];
    let mut c = config(tmp.path(), &seed, &[SITE]);
    c.render.mode = RenderMode::Js;
    c.render.chromium = chromium;
    c.max_depth = Some(1);
    let sink = MemorySink::default();
    let report = run(c, sink.clone()).await.unwrap();
    let home = &sink.got(&seed[0])[0];
    assert!(home.js_rendered, "{home:?}");
    let dom = home.rendered.as_deref().unwrap_or_default();
    for link in ["/static", "/inline", "/from-script", "/from-json", "/late"] {
        assert!(
            dom.contains(&format!("href=\"{link}\"")),
            "{link} missing from {dom}"
        );
        assert_eq!(server.hits(SITE, link).len(), 1, "{link} not crawled once");
    }
    // The browser asked for nothing the crawler did not fetch for it: the document once (by
    // the crawler), the script and the JSON through the crawler's fetcher, no image.
    assert_eq!(server.hits(SITE, "/").len(), 1);
    assert_eq!(server.hits(SITE, "/app.js").len(), 1);
    assert_eq!(server.hits(SITE, "/links.json").len(), 1);
    assert!(server.hits(SITE, "/pixel.png").is_empty());
    assert!(report.stats.rendered >= 1);
    assert!(
        sink.committed_urls(FetchPurpose::Page)
            .iter()
            .any(|u| u.ends_with("/from-json"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_hosts_named_are_rendered() {
    let Some(chromium) = chromium() else { return };
    const PLAIN: &str = "plain.test";
    let server = TestServer::start(Arc::new(|_, _, path: &str, _| match path {
        "/" => Some(html(PAGE)),
        "/app.js" => Some(with_type(200, "application/javascript", APP)),
        "/links.json" => Some(with_type(200, "application/json", "[]")),
        _ => Some(html("leaf")),
    }))
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let seeds: Vec<String> = [SITE, PLAIN]
        .iter()
        .map(|host| format!("http://{host}:{}/", server.port()))
        .collect();
    let mut c = config(tmp.path(), &seeds, &[SITE, PLAIN]);
    c.render.mode = RenderMode::JsHosts(vec![SITE.to_string()]);
    c.render.chromium = chromium;
    c.max_depth = Some(1);
    let sink = MemorySink::default();
    run(c, sink.clone()).await.unwrap();
    assert!(sink.got(&seeds[0])[0].js_rendered);
    assert!(!sink.got(&seeds[1])[0].js_rendered);
    for (host, script_links) in [(SITE, 1), (PLAIN, 0)] {
        assert_eq!(server.hits(host, "/static").len(), 1, "{host}");
        // Found only in the DOM the script built (the test sink reads `href="…"` as text).
        assert_eq!(server.hits(host, "/late").len(), script_links, "{host}");
        assert_eq!(server.hits(host, "/app.js").len(), script_links, "{host}");
    }
}
