//! The crawler's rules against scripted loopback servers: robots.txt (disallow, crawl-delay,
//! sitemaps), redirects (loops, endless chains), size caps (an endless body, a gzip bomb),
//! refused addresses, too many response headers, backoff on 429 and 503 with `Retry-After`,
//! `max_pages`, target checks, recrawl and the journal's recovery after a failed commit.

mod crawl_support;

use anchorage_acquire::crawl::{ErrorKind, FetchPurpose, StopReason};
use anchorage_core::record::FetchError;
use crawl_support::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

const SITE: &str = "site.test";

fn seed(server: &TestServer, path: &str) -> Vec<String> {
    vec![format!("http://{SITE}:{}{path}", server.port())]
}

fn url(server: &TestServer, path: &str) -> String {
    format!("http://{SITE}:{}{path}", server.port())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_disallow_is_never_fetched_and_pages_once() {
    let server = TestServer::start(Arc::new(|_, _, path: &str, _| match path {
        "/robots.txt" => Some(with_type(
            200,
            "text/plain",
            "User-agent: *\nDisallow: /private\n",
        )),
        "/" => Some(html(
            r#"<a href="/a">a</a> <a href="/private/x">p</a> <a href="/b">b</a>"#,
        )),
        "/a" => Some(html(r#"<a href="/">home</a> <a href="/b">b</a>"#)),
        "/b" => Some(html(r#"<a href="/private/y">p</a>"#)),
        _ => None,
    }))
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let sink = MemorySink::default();
    let report = run(
        config(tmp.path(), &seed(&server, "/"), &[SITE]),
        sink.clone(),
    )
    .await
    .unwrap();
    assert_eq!(report.stop, StopReason::Exhausted);
    assert_eq!(report.stats.pages, 3);
    assert_eq!(report.stats.disallowed, 2);
    for (path, n) in [("/robots.txt", 1), ("/", 1), ("/a", 1), ("/b", 1)] {
        assert_eq!(server.hits(SITE, path).len(), n, "{path}");
    }
    assert!(
        server
            .requests()
            .iter()
            .all(|s| !s.path.starts_with("/private")),
        "a disallowed URL was requested"
    );
    let got = sink.got(&url(&server, "/private/x"));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].error, Some(FetchError::Disallowed));
    let page = &sink.got(&url(&server, "/a"))[0];
    assert_eq!(page.ip.as_deref(), Some("127.0.0.1"));
    assert_eq!(page.depth, 1);
    // Robots.txt first, before any page of the host.
    let first = &server.requests()[0];
    assert_eq!(first.path, "/robots.txt");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawl_delay_spaces_requests() {
    let server = TestServer::start(Arc::new(|_, _, path: &str, _| match path {
        "/robots.txt" => Some(with_type(
            200,
            "text/plain",
            "User-agent: *\nCrawl-delay: 1\n",
        )),
        "/" => Some(html(
            r#"<a href="/1">1</a><a href="/2">2</a><a href="/3">3</a>"#,
        )),
        "/1" | "/2" | "/3" => Some(html("leaf")),
        _ => None,
    }))
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let report = run(
        config(tmp.path(), &seed(&server, "/"), &[SITE]),
        MemorySink::default(),
    )
    .await
    .unwrap();
    assert_eq!(report.stats.pages, 4);
    let times: Vec<_> = server
        .requests()
        .iter()
        .filter(|s| s.path != "/robots.txt")
        .map(|s| s.at)
        .collect();
    assert_eq!(times.len(), 4);
    for pair in times.windows(2) {
        let gap = pair[1] - pair[0];
        assert!(gap >= Duration::from_millis(990), "requests {gap:?} apart");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirect_loops_end_and_chains_are_capped() {
    let server = TestServer::start(Arc::new(|_, _, path: &str, _| {
        if let Some(n) = path.strip_prefix("/chain/") {
            let n: u32 = n.parse().ok()?;
            return Some(redirect(302, &format!("/chain/{}", n + 1)));
        }
        match path {
            "/" => Some(html(
                r#"<a href="/loop-a">l</a> <a href="/chain/0">c</a> <a href="/self">s</a>"#,
            )),
            "/loop-a" => Some(redirect(301, "/loop-b")),
            "/loop-b" => Some(redirect(301, "/loop-a")),
            "/self" => Some(redirect(307, "/self")),
            _ => None,
        }
    }))
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let mut c = config(tmp.path(), &seed(&server, "/"), &[SITE]);
    c.limits.max_redirects = 5;
    let sink = MemorySink::default();
    let report = run(c, sink.clone()).await.unwrap();
    for path in ["/loop-a", "/loop-b", "/self"] {
        assert_eq!(server.hits(SITE, path).len(), 1, "{path}");
    }
    // /chain/0 is the first URL; hops 1..=5 are followed; the 6th is refused.
    for n in 0..=5 {
        assert_eq!(
            server.hits(SITE, &format!("/chain/{n}")).len(),
            1,
            "/chain/{n}"
        );
    }
    assert!(server.hits(SITE, "/chain/6").is_empty());
    assert_eq!(report.stats.errors.get(&ErrorKind::RedirectLimit), Some(&1));
    assert_eq!(report.stats.redirects, 9);
    let refused = sink.got(&url(&server, "/chain/6"));
    assert_eq!(refused[0].error, Some(FetchError::Redirects));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endless_body_is_cut_at_the_cap() {
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    let server = TestServer::start(Arc::new(move |_, _, path: &str, _| match path {
        "/" => Some(html(r#"<a href="/endless">e</a>"#)),
        "/endless" => {
            // 10 GB announced and streamed lazily, 64 KiB at a time.
            let counter = counter.clone();
            let chunks = futures::stream::iter(0..(10u64 << 30) / 65_536).map(move |_| {
                counter.fetch_add(65_536, Ordering::Relaxed);
                Ok::<_, std::io::Error>(axum::body::Bytes::from(vec![b'a'; 65_536]))
            });
            let mut r = with_type(200, "text/html", axum::body::Body::from_stream(chunks));
            r.headers_mut()
                .insert("content-length", (10u64 << 30).to_string().parse().unwrap());
            Some(r)
        }
        _ => None,
    }))
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let mut c = config(tmp.path(), &seed(&server, "/"), &[SITE]);
    c.limits.max_body_bytes = 2 << 20;
    let sink = MemorySink::default();
    let started = std::time::Instant::now();
    let report = run(c, sink.clone()).await.unwrap();
    assert!(started.elapsed() < Duration::from_secs(30));
    let got = &sink.got(&url(&server, "/endless"))[0];
    assert!(got.truncated);
    assert_eq!(got.body_len, 2 << 20);
    assert_eq!(report.stats.truncated, 1);
    assert!(
        sent.load(Ordering::Relaxed) < 64 << 20,
        "the server kept sending"
    );
}

use futures::StreamExt;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gzip_bomb_stops_at_the_decoded_cap() {
    let bomb = Arc::new(gzip_of_zeros(1 << 30));
    assert!(bomb.len() < 2 << 20, "bomb is {} bytes", bomb.len());
    let server = TestServer::start(Arc::new(move |_, _, path: &str, _| match path {
        "/" => Some(html(r#"<a href="/bomb">b</a>"#)),
        "/bomb" => {
            let mut r = with_type(200, "text/html", bomb.as_ref().clone());
            r.headers_mut()
                .insert("content-encoding", "gzip".parse().unwrap());
            Some(r)
        }
        _ => None,
    }))
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let mut c = config(tmp.path(), &seed(&server, "/"), &[SITE]);
    c.limits.max_decoded_bytes = 4 << 20;
    let sink = MemorySink::default();
    run(c, sink.clone()).await.unwrap();
    let got = &sink.got(&url(&server, "/bomb"))[0];
    assert!(got.truncated);
    assert_eq!(got.body_len, 4 << 20);
}

fn gzip_of_zeros(n: usize) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![0u8; 1 << 20];
    for _ in 0..n / block.len() {
        gz.write_all(&block).unwrap();
    }
    gz.finish().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_addresses_are_refused() {
    let server = TestServer::start(Arc::new(|port, host: &str, path: &str, _| {
        match (host, path) {
            (_, "/robots.txt") => None,
            (SITE, "/") => Some(html(&format!(
                r#"<a href="http://10.0.0.1/x">ten</a>
                   <a href="http://evil.test:{port}/secret">evil</a>
                   <a href="http://localhost:{port}/secret">localhost</a>
                   <a href="/to-loopback">r</a>"#
            ))),
            (SITE, "/to-loopback") => {
                Some(redirect(302, &format!("http://127.0.0.1:{port}/secret")))
            }
            _ => Some(html("secret")),
        }
    }))
    .await;
    let port = server.port();
    let tmp = tempfile::tempdir().unwrap();
    let mut c = config(tmp.path(), &seed(&server, "/"), &[SITE]);
    c.check_targets = true;
    c.network.dns_answers = vec![("evil.test".into(), "127.0.0.1".parse().unwrap())];
    let sink = MemorySink::default();
    let report = run(c, sink.clone()).await.unwrap();
    assert_eq!(
        report.stats.errors.get(&ErrorKind::PrivateAddress),
        Some(&4),
        "{:?}",
        report.stats.errors
    );
    let reached: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|s| s.host != SITE)
        .collect();
    assert!(
        reached.is_empty(),
        "refused hosts were reached: {reached:?}"
    );
    for target in [
        "http://10.0.0.1/x".to_string(),
        format!("http://evil.test:{port}/secret"),
        format!("http://localhost:{port}/secret"),
        format!("http://127.0.0.1:{port}/secret"),
    ] {
        let got = sink.got(&target);
        assert!(
            got.iter().any(|g| g.error == Some(FetchError::Private)),
            "{target}: {got:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn service_unavailable_backs_off_and_retries() {
    backs_off_and_retries_after(503).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_requests_backs_off_and_retries() {
    backs_off_and_retries_after(429).await;
}

/// `/busy` answers `code` with `Retry-After: 1` once, then 200.
async fn backs_off_and_retries_after(code: u16) {
    let calls = Arc::new(AtomicUsize::new(0));
    let c2 = calls.clone();
    let server = TestServer::start(Arc::new(move |_, _, path: &str, _| match path {
        "/" => Some(html(r#"<a href="/busy">b</a>"#)),
        "/busy" => {
            if c2.fetch_add(1, Ordering::SeqCst) == 0 {
                let mut r = status(code, "busy");
                r.headers_mut().insert("retry-after", "1".parse().unwrap());
                Some(r)
            } else {
                Some(html("ok now"))
            }
        }
        _ => None,
    }))
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let sink = MemorySink::default();
    let report = run(
        config(tmp.path(), &seed(&server, "/"), &[SITE]),
        sink.clone(),
    )
    .await
    .unwrap();
    let hits = server.hits(SITE, "/busy");
    assert_eq!(hits.len(), 2, "{code}");
    assert!(hits[1].at - hits[0].at >= Duration::from_millis(990));
    assert_eq!(report.stats.throttled, 1);
    let got = sink.got(&url(&server, "/busy"));
    assert_eq!(got.len(), 1, "only the final answer is recorded");
    assert_eq!(got[0].status, 200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_pages_stops_the_crawl() {
    let server = TestServer::start(Arc::new(|_, _, path: &str, _| match path {
        "/" => Some(html(
            &(1..=9)
                .map(|i| format!(r#"<a href="/{i}">{i}</a>"#))
                .collect::<String>(),
        )),
        _ if path.len() == 2 => Some(html("leaf")),
        _ => None,
    }))
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let mut c = config(tmp.path(), &seed(&server, "/"), &[SITE]);
    c.max_pages = Some(4);
    let sink = MemorySink::default();
    let report = run(c, sink.clone()).await.unwrap();
    assert_eq!(report.stop, StopReason::MaxPages);
    assert_eq!(report.stats.pages, 4);
    assert_eq!(sink.committed_urls(FetchPurpose::Page).len(), 4);
    let leaves = (1..=9).filter(|i| !server.hits(SITE, &format!("/{i}")).is_empty());
    assert_eq!(leaves.count(), 3, "the seed and three of its links");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_response_headers_are_refused() {
    let server = TestServer::start(Arc::new(|_, _, path: &str, _| match path {
        "/" => Some(html(r#"<a href="/heavy">h</a>"#)),
        "/heavy" => {
            let mut r = html("never read");
            for i in 0..40 {
                let name = format!("x-filler-{i}");
                let name = axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap();
                r.headers_mut()
                    .insert(name, "x".repeat(64).parse().unwrap());
            }
            Some(r)
        }
        _ => None,
    }))
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let mut c = config(tmp.path(), &seed(&server, "/"), &[SITE]);
    c.limits.max_headers = 32;
    let sink = MemorySink::default();
    let report = run(c, sink.clone()).await.unwrap();
    assert_eq!(
        report.stats.errors.get(&ErrorKind::HeadersTooLarge),
        Some(&1)
    );
    let got = sink.got(&url(&server, "/heavy"));
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].error, Some(FetchError::TooLarge), "{:?}", got[0]);
    assert_eq!(got[0].body_len, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sitemaps_from_robots_are_read() {
    let server = TestServer::start(Arc::new(|port, host: &str, path: &str, _| {
        let origin = format!("http://{host}:{port}");
        match path {
            "/robots.txt" => Some(with_type(
                200,
                "text/plain",
                format!("Sitemap: {origin}/sitemap.xml\n"),
            )),
            "/sitemap.xml" => Some(with_type(
                200,
                "application/xml",
                format!("<urlset><url><loc>{origin}/only-in-sitemap</loc></url></urlset>"),
            )),
            "/" | "/only-in-sitemap" => Some(html("no links")),
            _ => None,
        }
    }))
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let sink = MemorySink::default();
    run(
        config(tmp.path(), &seed(&server, "/"), &[SITE]),
        sink.clone(),
    )
    .await
    .unwrap();
    assert_eq!(server.hits(SITE, "/only-in-sitemap").len(), 1);
    let got = &sink.got(&url(&server, "/only-in-sitemap"))[0];
    assert_eq!(got.depth, 2);
    assert_eq!(
        sink.got(&url(&server, "/sitemap.xml"))[0].purpose,
        FetchPurpose::Sitemap
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn target_checks_use_head_then_get() {
    let server = TestServer::start(Arc::new(|port, host: &str, path: &str, _| {
        match (host, path) {
            (_, "/robots.txt") => None,
            (SITE, "/") => Some(html(&format!(
                r#"<a href="http://other.test:{port}/ok">ok</a>
                   <a href="http://other.test:{port}/gone">gone</a>"#
            ))),
            (_, "/ok") => Some(html("fine")),
            _ => None,
        }
    }))
    .await;
    let port = server.port();
    let tmp = tempfile::tempdir().unwrap();
    let mut c = config(tmp.path(), &seed(&server, "/"), &[SITE, "other.test"]);
    c.check_targets = true;
    let sink = MemorySink::default();
    let report = run(c, sink.clone()).await.unwrap();
    assert_eq!(report.stats.checks, 2);
    let methods = |path: &str| -> Vec<String> {
        server
            .hits("other.test", path)
            .into_iter()
            .map(|s| s.method)
            .collect()
    };
    assert_eq!(methods("/ok"), ["HEAD"]);
    assert_eq!(methods("/gone"), ["HEAD", "GET"]);
    let gone = &sink.got(&format!("http://other.test:{port}/gone"))[0];
    assert_eq!(
        (gone.status, gone.purpose, gone.body_len),
        (404, FetchPurpose::Check, 0)
    );
    // Out of scope: never crawled as a page.
    assert!(
        sink.committed_urls(FetchPurpose::Page)
            .iter()
            .all(|u| u.contains(SITE))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recrawl_revisits_what_is_due() {
    let server = TestServer::start(Arc::new(|_, _, path: &str, _| match path {
        "/" => Some(html(r#"<a href="/a">a</a>"#)),
        "/a" => Some(html("leaf")),
        _ => None,
    }))
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let base = config(tmp.path(), &seed(&server, "/"), &[SITE]);
    run(base.clone(), MemorySink::default()).await.unwrap();
    // Again without --recrawl: nothing new.
    let again = run(base.clone(), MemorySink::default()).await.unwrap();
    assert_eq!(again.stats.pages, 0);
    // --recrawl with a week's interval: nothing due.
    let mut recrawl = base.clone();
    recrawl.recrawl = true;
    assert_eq!(
        run(recrawl.clone(), MemorySink::default())
            .await
            .unwrap()
            .stats
            .pages,
        0
    );
    assert_eq!(server.hits(SITE, "/a").len(), 1);
    // The interval applies at recrawl time: with zero, every page is due at once.
    let mut now_due = base;
    now_due.recrawl = true;
    now_due.recrawl_interval = Duration::ZERO;
    let r = run(now_due, MemorySink::default()).await.unwrap();
    assert_eq!(r.stats.pages, 2);
    assert_eq!(server.hits(SITE, "/a").len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_log_commit_is_replayed_from_the_journal() {
    let server = TestServer::start(Arc::new(|_, _, path: &str, _| match path {
        "/" => Some(html(r#"<a href="/a">a</a><a href="/b">b</a>"#)),
        "/a" => Some(html(r#"<a href="/c">c</a>"#)),
        "/b" | "/c" => Some(html("leaf")),
        _ => None,
    }))
    .await;
    let tmp = tempfile::tempdir().unwrap();
    let mut c = config(tmp.path(), &seed(&server, "/"), &[SITE]);
    c.commit.interval = Duration::from_secs(3600);
    let broken = MemorySink {
        fail_commits: true,
        ..MemorySink::default()
    };
    assert!(run(c.clone(), broken.clone()).await.is_err());
    assert!(broken.committed.lock().unwrap().is_empty());
    // The restart gives the journal to the sink and commits it; nothing is fetched again.
    let before = server.requests().len();
    let good = MemorySink::default();
    let report = run(c, good.clone()).await.unwrap();
    assert_eq!(report.recovered, 5, "robots.txt and four pages");
    assert_eq!(server.requests().len(), before);
    let mut urls = good.committed_urls(FetchPurpose::Page);
    urls.sort();
    assert_eq!(urls, ["/", "/a", "/b", "/c"].map(|p| url(&server, p)));
}
