//! JavaScript rendering in headless Chromium, driven over the DevTools protocol
//! (chromiumoxide).
//!
//! The browser never touches the network itself. Every request it makes is paused (`Fetch`
//! domain) and answered by the crawler: the page's own document with the response already
//! fetched (so rendering costs no second request), scripts and XHR/fetch data of the page's
//! own origin through the crawler's fetcher (address checks, caps and timeouts apply) when
//! the origin's robots.txt allows them; requests to other origins, non-GET requests and
//! images, fonts, media and style sheets (which add no links) fail at once. As a second
//! fence the browser resolves no host name at all (`--host-resolver-rules`).
//!
//! A page is rendered in its own tab: navigation (load event), then [`SETTLE`] for timers and
//! late scripts, then the DOM is serialised (`document.documentElement.outerHTML`, UTF-8).
//! At most `max_concurrent` tabs at a time; each render is bounded by the render timeout.

use super::config::RenderConfig;
use super::error::CrawlError;
use super::fetch::{Fetcher, Method};
use super::robots::{Robots, Verdict};
use super::scope::origin;
use anchorage_core::record::FetchRecord;
use chromiumoxide::cdp::browser_protocol::fetch::{
    EventRequestPaused, FailRequestParams, FulfillRequestParams, HeaderEntry,
};
use chromiumoxide::cdp::browser_protocol::network::{ErrorReason, ResourceType};
use chromiumoxide::{Browser, BrowserConfig, Page};
use futures::StreamExt;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

/// Time given to timers and late scripts after the load event.
const SETTLE: Duration = Duration::from_millis(500);
/// Body bytes of one subresource.
const SUBRESOURCE_BYTES: usize = 4 * 1024 * 1024;
/// Response headers not passed to the browser: the body it gets is already decoded.
const DROPPED_HEADERS: [&str; 4] = [
    "content-encoding",
    "content-length",
    "transfer-encoding",
    "connection",
];

/// A running browser.
pub(crate) struct Renderer {
    browser: Browser,
    handler: JoinHandle<()>,
    tabs: Semaphore,
    timeout: Duration,
    _profile: tempfile::TempDir,
}

impl Renderer {
    /// Starts Chromium (a fresh profile in a temporary directory).
    pub(crate) async fn launch(config: &RenderConfig) -> Result<Renderer, CrawlError> {
        if !config.chromium.is_file() {
            return Err(CrawlError::Render(format!(
                "{} not found: install Chromium (Debian: apt-get install chromium) or give --chromium",
                config.chromium.display()
            )));
        }
        let profile = tempfile::tempdir().map_err(|e| CrawlError::Render(e.to_string()))?;
        let browser_config = BrowserConfig::builder()
            .chrome_executable(&config.chromium)
            .user_data_dir(profile.path())
            .no_sandbox()
            .enable_request_intercept()
            .disable_cache()
            .launch_timeout(Duration::from_secs(30))
            .request_timeout(config.timeout)
            .arg("--host-resolver-rules=MAP * ~NOTFOUND")
            .arg("--disable-gpu")
            .arg("--disable-dev-shm-usage")
            .arg("--disable-background-networking")
            .build()
            .map_err(CrawlError::Render)?;
        let (browser, mut events) = Browser::launch(browser_config)
            .await
            .map_err(|e| CrawlError::Render(format!("starting Chromium: {e}")))?;
        let handler = tokio::spawn(async move {
            while let Some(event) = events.next().await {
                if let Err(e) = event {
                    tracing::debug!(error = %e, "DevTools connection");
                }
            }
        });
        Ok(Renderer {
            browser,
            handler,
            tabs: Semaphore::new(config.max_concurrent.max(1)),
            timeout: config.timeout,
            _profile: profile,
        })
    }

    /// The DOM of `fetch`'s page after its scripts ran.
    pub(crate) async fn render(
        &self,
        fetch: &FetchRecord,
        fetcher: &Fetcher,
        robots: Arc<Robots>,
    ) -> Result<Vec<u8>, String> {
        let _tab = self.tabs.acquire().await.map_err(|e| e.to_string())?;
        let page = self
            .browser
            .new_page("about:blank")
            .await
            .map_err(|e| format!("opening a tab: {e}"))?;
        let answering = answer_requests(&page, fetch, fetcher.clone(), robots).await;
        let result = match answering {
            Ok(task) => {
                let dom = tokio::time::timeout(self.timeout, load(&page, &fetch.url)).await;
                task.abort();
                match dom {
                    Ok(dom) => dom,
                    Err(_) => Err(format!("no result within {:?}", self.timeout)),
                }
            }
            Err(e) => Err(e),
        };
        let _ = page.close().await;
        result.map(String::into_bytes)
    }
}

impl Drop for Renderer {
    fn drop(&mut self) {
        // The child process is killed on drop (chromiumoxide sets kill_on_drop).
        self.handler.abort();
    }
}

async fn load(page: &Page, url: &str) -> Result<String, String> {
    page.goto(url).await.map_err(|e| format!("loading: {e}"))?;
    tokio::time::sleep(SETTLE).await;
    let value = page
        .evaluate("document.documentElement ? document.documentElement.outerHTML : ''")
        .await
        .map_err(|e| format!("reading the DOM: {e}"))?;
    let html: String = value
        .into_value()
        .map_err(|e| format!("reading the DOM: {e}"))?;
    Ok(format!("<!DOCTYPE html>{html}"))
}

/// Answers every request the tab makes (see the module documentation).
async fn answer_requests(
    page: &Page,
    fetch: &FetchRecord,
    fetcher: Fetcher,
    robots: Arc<Robots>,
) -> Result<JoinHandle<()>, String> {
    let mut paused = page
        .event_listener::<EventRequestPaused>()
        .await
        .map_err(|e| format!("intercepting requests: {e}"))?;
    let page = page.clone();
    let document = fetch.clone();
    let own_origin = url::Url::parse(&fetch.url)
        .map(|u| origin(&u))
        .unwrap_or_default();
    Ok(tokio::spawn(async move {
        while let Some(event) = paused.next().await {
            let (page, fetcher, robots) = (page.clone(), fetcher.clone(), robots.clone());
            let (document, own_origin) = (document.clone(), own_origin.clone());
            // Answer concurrently: a page may wait on several scripts at once.
            tokio::spawn(async move {
                let answer = answer(&event, &document, &own_origin, &fetcher, &robots).await;
                let id = event.request_id.clone();
                let sent = match answer {
                    Some((status, headers, body)) => {
                        let mut params = FulfillRequestParams::new(id, i64::from(status));
                        params.response_headers = Some(headers);
                        params.body = Some(base64(&body).into());
                        page.execute(params).await.map(|_| ())
                    }
                    None => page
                        .execute(FailRequestParams::new(id, ErrorReason::BlockedByClient))
                        .await
                        .map(|_| ()),
                };
                if let Err(e) = sent {
                    tracing::debug!(error = %e, "answering a paused request");
                }
            });
        }
    }))
}

type Answer = (u16, Vec<HeaderEntry>, Vec<u8>);

async fn answer(
    event: &EventRequestPaused,
    document: &FetchRecord,
    own_origin: &str,
    fetcher: &Fetcher,
    robots: &Robots,
) -> Option<Answer> {
    let url = event.request.url.split('#').next().unwrap_or_default();
    if url == document.url || same_url(url, &document.url) {
        return Some((
            document.status,
            headers(&document.headers),
            document.body.clone(),
        ));
    }
    let wanted = matches!(
        event.resource_type,
        ResourceType::Script | ResourceType::Xhr | ResourceType::Fetch | ResourceType::Document
    );
    if !wanted || event.request.method != "GET" {
        return None;
    }
    let parsed = url::Url::parse(url).ok()?;
    if origin(&parsed) != own_origin {
        return None;
    }
    let path = &parsed[url::Position::BeforePath..url::Position::AfterQuery];
    if robots.verdict(path) != Verdict::Allowed {
        return None;
    }
    let fetched = fetcher
        .fetch(url, Method::Get, Some(SUBRESOURCE_BYTES))
        .await
        .ok()?;
    Some((fetched.status, headers(&fetched.headers), fetched.body))
}

fn same_url(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn headers(headers: &[(String, String)]) -> Vec<HeaderEntry> {
    headers
        .iter()
        .filter(|(k, _)| !DROPPED_HEADERS.iter().any(|d| k.eq_ignore_ascii_case(d)))
        .map(|(k, v)| HeaderEntry::new(k.clone(), v.clone()))
        .collect()
}

fn base64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
