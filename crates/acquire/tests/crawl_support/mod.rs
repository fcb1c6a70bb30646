//! Shared pieces of the crawler's integration tests: a scripted HTTP server on loopback that
//! logs every request, a sink that keeps what it is given and finds links with a plain
//! `href="..."` scan, and a crawl runner.
#![allow(dead_code)]

use anchorage_acquire::crawl::{
    Accepted, CrawlConfig, CrawlProgress, CrawlReport, CrawlSink, CrawledPage, Discovered,
    FetchPurpose, LinkKind, Politeness, ResolveRule, SinkError, crawl,
};
use anchorage_core::record::FetchError;
use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One request the server saw.
#[derive(Debug, Clone)]
pub struct Seen {
    pub host: String,
    pub path: String,
    pub method: String,
    pub at: Instant,
}

/// What the server answers: (its port, host, path and query, headers) → response; `None`
/// is 404.
pub type Handler = Arc<dyn Fn(u16, &str, &str, &HeaderMap) -> Option<Response> + Send + Sync>;

/// A loopback HTTP server answering with `handler` and logging requests.
pub struct TestServer {
    pub addr: SocketAddr,
    pub log: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    pub async fn start(handler: Handler) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let port = addr.port();
        let log: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let (log2, h) = (log.clone(), handler.clone());
        let app = Router::new().fallback(move |req: Request| {
            let (log, h) = (log2.clone(), h.clone());
            async move {
                let host = req
                    .headers()
                    .get("host")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .split(':')
                    .next()
                    .unwrap_or("")
                    .to_string();
                let path = req
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str().to_string())
                    .unwrap_or_default();
                log.lock().unwrap().push(Seen {
                    host: host.clone(),
                    path: path.clone(),
                    method: req.method().to_string(),
                    at: Instant::now(),
                });
                h(port, &host, &path, req.headers()).unwrap_or_else(|| status(404, ""))
            }
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        TestServer { addr, log, task }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Requests for `path` on `host` (all methods).
    pub fn hits(&self, host: &str, path: &str) -> Vec<Seen> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|s| s.host == host && s.path == path)
            .cloned()
            .collect()
    }

    pub fn requests(&self) -> Vec<Seen> {
        self.log.lock().unwrap().clone()
    }

    /// Requests per (host, path).
    pub fn counts(&self) -> HashMap<(String, String), usize> {
        let mut out = HashMap::new();
        for s in self.log.lock().unwrap().iter() {
            *out.entry((s.host.clone(), s.path.clone())).or_default() += 1;
        }
        out
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub fn html(body: &str) -> Response {
    with_type(200, "text/html; charset=utf-8", body.to_string())
}

pub fn status(code: u16, body: &str) -> Response {
    with_type(code, "text/html", body.to_string())
}

pub fn with_type(code: u16, content_type: &str, body: impl Into<Body>) -> Response {
    let mut r = Response::new(body.into());
    *r.status_mut() = StatusCode::from_u16(code).unwrap();
    r.headers_mut()
        .insert("content-type", HeaderValue::from_str(content_type).unwrap());
    r
}

pub fn redirect(code: u16, location: &str) -> Response {
    let mut r = status(code, "moved");
    r.headers_mut()
        .insert("location", HeaderValue::from_str(location).unwrap());
    r
}

/// What the sink was given.
#[derive(Debug, Clone)]
pub struct Got {
    pub url: String,
    pub status: u16,
    pub purpose: FetchPurpose,
    pub error: Option<FetchError>,
    pub truncated: bool,
    pub body_len: usize,
    pub ip: Option<String>,
    pub js_rendered: bool,
    pub rendered: Option<String>,
    pub depth: u32,
}

/// A sink that keeps everything in memory; `fail_commits` makes commits fail (a crash
/// before the log commit).
#[derive(Clone, Default)]
pub struct MemorySink {
    pub accepted: Arc<Mutex<Vec<Got>>>,
    pub committed: Arc<Mutex<Vec<Got>>>,
    pub pending: Arc<Mutex<Vec<Got>>>,
    pub markers: Arc<Mutex<HashSet<String>>>,
    pub fail_commits: bool,
}

impl MemorySink {
    pub fn committed_urls(&self, purpose: FetchPurpose) -> Vec<String> {
        self.committed
            .lock()
            .unwrap()
            .iter()
            .filter(|g| g.purpose == purpose && g.error.is_none())
            .map(|g| g.url.clone())
            .collect()
    }

    pub fn got(&self, url: &str) -> Vec<Got> {
        self.committed
            .lock()
            .unwrap()
            .iter()
            .filter(|g| g.url == url)
            .cloned()
            .collect()
    }
}

impl CrawlSink for MemorySink {
    fn accept(&mut self, pages: &[CrawledPage]) -> Result<Vec<Accepted>, SinkError> {
        let mut out = Vec::new();
        for p in pages {
            let got = Got {
                url: p.fetch.url.clone(),
                status: p.fetch.status,
                purpose: p.purpose,
                error: p.fetch.error,
                truncated: p.fetch.truncated,
                body_len: p.fetch.body.len(),
                ip: p.fetch.ip.clone(),
                js_rendered: p.fetch.js_rendered,
                rendered: p
                    .rendered
                    .as_ref()
                    .map(|b| String::from_utf8_lossy(b).into_owned()),
                depth: p.depth,
            };
            self.accepted.lock().unwrap().push(got.clone());
            self.pending.lock().unwrap().push(got);
            out.push(Accepted {
                discovered: links(p),
                links: 0,
            });
        }
        Ok(out)
    }

    fn commit(&mut self, marker: &str) -> Result<(), SinkError> {
        if self.fail_commits {
            return Err("commit refused by the test".into());
        }
        let pending: Vec<Got> = std::mem::take(&mut *self.pending.lock().unwrap());
        self.committed.lock().unwrap().extend(pending);
        self.markers.lock().unwrap().insert(marker.to_string());
        Ok(())
    }

    fn is_committed(&mut self, marker: &str) -> Result<bool, SinkError> {
        Ok(self.markers.lock().unwrap().contains(marker))
    }
}

/// `href="..."` links of an HTML body (the rendered one when there is one) and the
/// `Location` of a 3xx.
pub fn links(page: &CrawledPage) -> Vec<Discovered> {
    let base = url::Url::parse(&page.fetch.url).unwrap();
    let mut out = Vec::new();
    if (300..400).contains(&page.fetch.status)
        && let Some(loc) = page.fetch.header("location")
        && let Ok(u) = base.join(loc)
    {
        out.push(found(u.as_str(), LinkKind::Redirect, false));
    }
    let body = page.rendered.as_deref().unwrap_or(&page.fetch.body);
    let text = String::from_utf8_lossy(body);
    for part in text.split("href=\"").skip(1) {
        let href = part.split('"').next().unwrap_or("");
        let nofollow = part.split('>').next().unwrap_or("").contains("nofollow");
        if let Ok(u) = base.join(href) {
            out.push(found(u.as_str(), LinkKind::Anchor, nofollow));
        }
    }
    out
}

fn found(url: &str, kind: LinkKind, nofollow: bool) -> Discovered {
    Discovered {
        url: anchorage_core::NormalizedUrl::parse(url)
            .map(|u| u.as_str().to_string())
            .unwrap_or_else(|_| url.to_string()),
        kind,
        nofollow,
        quality: 128,
    }
}

/// A configuration for tests: state in `dir`, `host` pinned to 127.0.0.1, no delays.
pub fn config(dir: &Path, seeds: &[String], hosts: &[&str]) -> CrawlConfig {
    let mut c = CrawlConfig::new(dir.join("crawl"), seeds.to_vec());
    c.politeness = Politeness {
        delay: Duration::ZERO,
        backoff: Duration::from_millis(200),
        ..Politeness::default()
    };
    c.network.resolve = hosts
        .iter()
        .map(|h| ResolveRule::parse(&format!("{h}:127.0.0.1")).unwrap())
        .collect();
    c.commit.interval = Duration::from_millis(200);
    c
}

/// Runs a crawl to its end (or 60 s).
pub async fn run(config: CrawlConfig, sink: MemorySink) -> Result<CrawlReport, String> {
    let mut last = CrawlProgress::default();
    let mut progress = |p: &CrawlProgress| last = p.clone();
    let stop = Box::pin(tokio::time::sleep(Duration::from_secs(60)));
    crawl(config, Box::new(sink), &mut progress, stop)
        .await
        .map_err(|e| e.to_string())
}
