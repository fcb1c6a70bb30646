//! `kill -9` of a running `anchorage crawl`, twice, then a restart that finishes the crawl:
//! no URL is fetched twice except the requests that were in flight at a kill (at most
//! `--per-host` of them per kill: their answers were never made durable), none is lost, and
//! the fetch log holds every page exactly once.
//!
//! The site is 400 pages on one host, each linking to its successor and to two children
//! (so every page is reachable and the frontier is wide), answered after 15 ms so that a
//! crawl lasts a few seconds; the server counts requests per path.

use anchorage_index::DataDir;
use anchorage_index::log::{read_segment, segments};
use axum::Router;
use axum::extract::Request;
use axum::response::{Html, IntoResponse, Response};
use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PAGES: usize = 400;
const PER_HOST: usize = 2;
const HOST: &str = "resume.test";

type Counts = Arc<Mutex<HashMap<String, usize>>>;

fn page(n: usize) -> String {
    let mut links = String::new();
    for to in [n + 1, 2 * n + 1, 2 * n + 2] {
        if to < PAGES {
            links.push_str(&format!("<a href=\"/p/{to}\">page {to}</a>\n"));
        }
    }
    format!("<!DOCTYPE html><title>Page {n}</title><body><p>Page {n}.</p>{links}</body>")
}

async fn serve(counts: Counts) -> u16 {
    let app = Router::new().fallback(move |req: Request| {
        let counts = counts.clone();
        async move {
            let path = req.uri().path().to_string();
            *counts.lock().unwrap().entry(path.clone()).or_default() += 1;
            tokio::time::sleep(Duration::from_millis(15)).await;
            let body: Response = if path == "/robots.txt" {
                "User-agent: *\nAllow: /\n".into_response()
            } else if let Some(n) = path
                .strip_prefix("/p/")
                .and_then(|n| n.parse::<usize>().ok())
            {
                Html(page(n)).into_response()
            } else if path == "/" {
                Html(page(0).replace("Page 0", "Home")).into_response()
            } else {
                (axum::http::StatusCode::NOT_FOUND, "no").into_response()
            };
            body
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    port
}

fn start_crawl(data: &Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_anchorage"))
        .args(["crawl", "--data-dir"])
        .arg(data)
        .args(["--resolve", &format!("{HOST}:127.0.0.1")])
        .args(["--delay", "0", "--per-host", &PER_HOST.to_string()])
        .args(["--commit-pages", "60"])
        .arg(format!("http://{HOST}:{port}/p/0"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting anchorage crawl")
}

fn requests(counts: &Counts) -> usize {
    counts.lock().unwrap().values().sum()
}

/// Waits until the server has seen `n` requests, then kills the crawler with SIGKILL.
async fn kill_after(child: &mut Child, counts: &Counts, n: usize) {
    let started = Instant::now();
    while requests(counts) < n {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the crawl stalled"
        );
        assert!(
            child.try_wait().unwrap().is_none(),
            "the crawl ended before the kill"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_then_restart_loses_nothing_and_refetches_only_in_flight() {
    let counts: Counts = Arc::default();
    let port = serve(counts.clone()).await;
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");

    let mut first = start_crawl(&data, port);
    kill_after(&mut first, &counts, PAGES / 4).await;
    let after_first: HashMap<String, usize> = counts.lock().unwrap().clone();
    let mut second = start_crawl(&data, port);
    kill_after(&mut second, &counts, PAGES * 2 / 3).await;
    let third = start_crawl(&data, port);
    let out = tokio::task::spawn_blocking(move || third.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("stopped: scope exhausted"), "{stdout}");

    let counts = counts.lock().unwrap().clone();
    let mut missing = Vec::new();
    let mut twice = Vec::new();
    for n in 0..PAGES {
        match counts.get(&format!("/p/{n}")).copied().unwrap_or(0) {
            0 => missing.push(n),
            1 => {}
            c => twice.push((n, c)),
        }
    }
    assert!(missing.is_empty(), "pages never fetched: {missing:?}");
    println!(
        "kill -9 twice: {} requests for {PAGES} pages; fetched twice: {twice:?} (at most {PER_HOST} per kill may be)",
        counts.values().sum::<usize>()
    );
    assert!(
        twice.len() <= 2 * PER_HOST && twice.iter().all(|(_, c)| *c == 2),
        "fetched more than once beyond the requests in flight at the kills: {twice:?}"
    );
    // A refetched page was requested before a kill and not answered durably.
    for (n, _) in &twice {
        let path = format!("/p/{n}");
        let seen_first = after_first.get(&path).copied().unwrap_or(0);
        assert!(seen_first <= 1);
    }
    assert!(counts.get("/robots.txt").copied().unwrap_or(0) <= 3);

    // The fetch log: every page exactly once (journaled answers replayed, none repeated).
    let dir = DataDir::open(&data).unwrap();
    let mut in_log: HashMap<String, usize> = HashMap::new();
    for segment in segments(&dir).unwrap() {
        let (pages, _) = read_segment(&segment).unwrap();
        for p in pages.into_iter().filter(|p| p.http_code == 200) {
            *in_log.entry(p.url).or_default() += 1;
        }
    }
    for n in 0..PAGES {
        let url = format!("http://{HOST}:{port}/p/{n}");
        assert_eq!(in_log.get(&url), Some(&1), "{url} in the log");
    }
}
