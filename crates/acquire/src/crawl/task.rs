//! What one dispatched request does: a page (rendered when asked), a target check, a sitemap
//! or a robots.txt, ending in an [`Outcome`] for the engine.
//!
//! **Target checks** send `HEAD`; when it is answered with 4xx/5xx (other than 429/503) or
//! the connection breaks, `GET` is sent instead (servers that mishandle `HEAD` are common)
//! and its body is read up to [`CHECK_BODY`] and dropped: a check records status and headers
//! only, never links (except a redirect's `Location`).
//!
//! **Retries**: 429 and 503 answers and transient network errors (connect, timeout, broken
//! body) are retried up to `max_retries` times after a backoff; the last answer is recorded.

use super::config::CrawlConfig;
use super::fetch::{FetchError, Fetched, Fetcher, Method};
use super::frontier::Job;
use super::render::Renderer;
use super::robots::{MAX_ROBOTS_REDIRECTS, Robots, RobotsRecord};
use super::sink::{CrawledPage, Discovered, FetchPurpose, LinkKind};
use super::sitemap;
use super::stats::ErrorKind;
use crate::digest::new_record_id;
use anchorage_core::record::{FetchRecord, SourceKind, header};
use anchorage_core::time::{Micros, now};
use std::sync::Arc;
use std::time::Duration;
use url::Url;

/// Body bytes read by a `GET` target check.
pub(crate) const CHECK_BODY: usize = 64 * 1024;
/// Quality given to the pages a sitemap lists.
const SITEMAP_QUALITY: u8 = 128;

/// How a request ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// A response to record.
    Response {
        host: usize,
        job: Job,
        page: Box<CrawledPage>,
        /// URLs found by the crawler itself (a sitemap's locations).
        extra: Vec<Discovered>,
        render_error: Option<String>,
    },
    /// A robots.txt fetch ended (every hop of it is in `captures`).
    Robots {
        host: usize,
        origin: String,
        record: RobotsRecord,
        captures: Vec<CrawledPage>,
        /// Transient failure with retries left: wait and try again.
        retry: Option<Option<Duration>>,
    },
    /// Try again later (429/503 or a transient error, retries left).
    Retry {
        host: usize,
        job: Job,
        after: Option<Duration>,
        throttled: bool,
    },
    Failed {
        host: usize,
        job: Job,
        error: FetchError,
    },
}

/// Runs jobs; cheap to clone into each task.
#[derive(Clone)]
pub(crate) struct Worker {
    pub fetcher: Fetcher,
    pub renderer: Option<Arc<Renderer>>,
    pub config: Arc<CrawlConfig>,
}

impl Worker {
    /// Fetches a page, check or sitemap job.
    /// `robots`: the job's origin's rules (rendering fetches only what they allow).
    pub(crate) async fn run(&self, host: usize, job: Job, robots: Arc<Robots>) -> Outcome {
        let result = match job.purpose {
            FetchPurpose::Check => self.check(&job.url).await,
            _ => self.fetcher.fetch(&job.url, Method::Get, None).await,
        };
        let retries_left = job.attempts < self.config.politeness.max_retries;
        let fetched = match result {
            Err(error) if error.kind.is_transient() && retries_left => {
                return Outcome::Retry {
                    host,
                    job,
                    after: None,
                    throttled: false,
                };
            }
            Err(error) => return Outcome::Failed { host, job, error },
            Ok(f) => f,
        };
        if matches!(fetched.status, 429 | 503) && retries_left {
            return Outcome::Retry {
                host,
                after: retry_after(&fetched.headers, now()),
                job,
                throttled: true,
            };
        }
        self.response(host, job, fetched, robots).await
    }

    async fn response(
        &self,
        host: usize,
        job: Job,
        mut fetched: Fetched,
        robots: Arc<Robots>,
    ) -> Outcome {
        let mut extra = Vec::new();
        if job.purpose == FetchPurpose::Check {
            fetched.body.clear();
            fetched.truncated = false;
        }
        if job.purpose == FetchPurpose::Sitemap && (200..300).contains(&fetched.status) {
            extra = sitemap_links(&fetched.body, self.config.limits.max_decoded_bytes);
        }
        let mut page = CrawledPage {
            fetch: record_of(&job.url, fetched),
            rendered: None,
            purpose: job.purpose,
            depth: job.depth,
        };
        let mut render_error = None;
        if self.should_render(&job, &page.fetch)
            && let Some(renderer) = &self.renderer
        {
            match renderer.render(&page.fetch, &self.fetcher, robots).await {
                Ok(dom) => {
                    page.rendered = Some(dom);
                    page.fetch.js_rendered = true;
                }
                Err(e) => render_error = Some(e),
            }
        }
        Outcome::Response {
            host,
            job,
            page: Box::new(page),
            extra,
            render_error,
        }
    }

    fn should_render(&self, job: &Job, fetch: &FetchRecord) -> bool {
        job.purpose == FetchPurpose::Page
            && (200..300).contains(&fetch.status)
            && is_html(fetch)
            && self.config.renders(&job.host)
    }

    /// `HEAD`, then `GET` when `HEAD` is refused or mishandled.
    async fn check(&self, url: &str) -> Result<Fetched, FetchError> {
        let head = self.fetcher.fetch(url, Method::Head, None).await;
        let fall_back = match &head {
            Ok(r) => r.status >= 400 && !matches!(r.status, 429 | 503),
            Err(e) => matches!(
                e.kind,
                ErrorKind::Body | ErrorKind::Other | ErrorKind::Connect
            ),
        };
        if !fall_back {
            return head;
        }
        self.fetcher.fetch(url, Method::Get, Some(CHECK_BODY)).await
    }

    /// Fetches the robots.txt of `origin`, following up to five redirects.
    pub(crate) async fn robots(
        &self,
        host: usize,
        origin: String,
        url: String,
        attempts: u8,
    ) -> Outcome {
        let mut captures = Vec::new();
        let mut url = url;
        let retries_left = attempts < self.config.politeness.max_retries;
        let cap = Some(self.config.limits.max_robots_bytes);
        let mut hop = 0;
        loop {
            let fetched = match self.fetcher.fetch(&url, Method::Get, cap).await {
                Ok(f) => f,
                Err(e) => {
                    let retry = (e.kind.is_transient() && retries_left).then_some(None);
                    let record = unreachable(&e);
                    return Outcome::Robots {
                        host,
                        origin,
                        record,
                        captures,
                        retry,
                    };
                }
            };
            let status = fetched.status;
            let location = redirect_target(&url, status, &fetched.headers);
            let retry_after = retry_after(&fetched.headers, now());
            let record = RobotsRecord {
                status,
                body: fetched.body.clone(),
                fetched_at: fetched.fetched_at,
                error: None,
            };
            captures.push(CrawledPage {
                fetch: record_of(&url, fetched),
                rendered: None,
                purpose: FetchPurpose::Robots,
                depth: 0,
            });
            match location {
                Some(next) if hop < MAX_ROBOTS_REDIRECTS => {
                    url = next;
                    hop += 1;
                }
                // A redirect still after five hops is read as 4xx (no rules).
                _ => {
                    let retry =
                        (matches!(status, 429 | 500..=599) && retries_left).then_some(retry_after);
                    return Outcome::Robots {
                        host,
                        origin,
                        record,
                        captures,
                        retry,
                    };
                }
            }
        }
    }
}

fn unreachable(error: &FetchError) -> RobotsRecord {
    RobotsRecord {
        status: 0,
        body: Vec::new(),
        fetched_at: now(),
        error: Some(error.kind.as_str().to_string()),
    }
}

/// A fetch as the sink receives it.
fn record_of(url: &str, f: Fetched) -> FetchRecord {
    FetchRecord {
        url: url.to_string(),
        fetched_at: f.fetched_at,
        status: f.status,
        headers: f.headers,
        body: f.body,
        truncated: f.truncated,
        ip: f.ip,
        record_id: new_record_id(),
        source: SourceKind::Crawl,
        js_rendered: false,
        error: None,
    }
}

pub(crate) fn is_html(fetch: &FetchRecord) -> bool {
    let ct = fetch
        .header("content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    ct.starts_with("text/html") || ct.starts_with("application/xhtml+xml")
}

/// The absolute `Location` of a 3xx answer.
pub(crate) fn redirect_target(
    url: &str,
    status: u16,
    headers: &[(String, String)],
) -> Option<String> {
    if !(300..400).contains(&status) {
        return None;
    }
    let location = header(headers, "location")?;
    let base = Url::parse(url).ok()?;
    base.join(location.trim()).ok().map(|u| u.to_string())
}

fn sitemap_links(body: &[u8], max_decoded: usize) -> Vec<Discovered> {
    let locs = sitemap::parse(body, max_decoded);
    let page = |url: String| Discovered {
        url,
        kind: LinkKind::Anchor,
        nofollow: false,
        quality: SITEMAP_QUALITY,
    };
    let map = |url: String| Discovered {
        url,
        kind: LinkKind::Sitemap,
        nofollow: false,
        quality: SITEMAP_QUALITY,
    };
    let mut out: Vec<Discovered> = locs.pages.into_iter().map(page).collect();
    out.extend(locs.sitemaps.into_iter().map(map));
    out
}

/// `Retry-After`: delta-seconds or an HTTP date.
pub(crate) fn retry_after(headers: &[(String, String)], now: Micros) -> Option<Duration> {
    let value = header(headers, "retry-after")?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.timestamp_micros().saturating_sub(now);
    Some(Duration::from_micros(u64::try_from(wait).unwrap_or(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(name: &str, value: &str) -> Vec<(String, String)> {
        vec![(name.to_string(), value.to_string())]
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(
            retry_after(&h("Retry-After", "120"), 0),
            Some(Duration::from_secs(120))
        );
        let now = chrono::DateTime::parse_from_rfc2822("Wed, 21 Oct 2015 07:28:00 GMT")
            .unwrap()
            .timestamp_micros();
        assert_eq!(
            retry_after(&h("retry-after", "Wed, 21 Oct 2015 07:28:30 GMT"), now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after(&h("retry-after", "Wed, 21 Oct 2015 07:27:00 GMT"), now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after(&h("retry-after", "soon"), 0), None);
        assert_eq!(retry_after(&[], 0), None);
    }

    #[test]
    fn redirect_targets_resolve() {
        let loc = h("Location", "../b?x");
        assert_eq!(
            redirect_target("http://a.test/d/e/f", 301, &loc).as_deref(),
            Some("http://a.test/d/b?x")
        );
        assert_eq!(redirect_target("http://a.test/", 200, &loc), None);
        assert_eq!(redirect_target("http://a.test/", 302, &[]), None);
    }
}
