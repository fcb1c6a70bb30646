//! Counters: what the progress bar shows and the final report holds.

use anchorage_core::record::FetchError;
use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// Why a URL was not fetched, or fetched without a usable answer. One count per URL (a
/// retried URL counts once, with its last error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorKind {
    /// No address for the host name.
    Dns,
    /// Connection refused, reset or unreachable.
    Connect,
    Timeout,
    Tls,
    /// The host resolves to, or the URL names, a private/loopback/link-local/multicast
    /// address and `--allow-private` is off.
    PrivateAddress,
    /// The URL names a port used by other protocols (SMTP, SSH, ...): never requested.
    BlockedPort,
    /// More redirect hops than `max_redirects`.
    RedirectLimit,
    /// Response headers over the limits.
    HeadersTooLarge,
    /// The body could not be read to its end for another reason than a cap.
    Body,
    /// Longer than `max_url_len`.
    UrlTooLong,
    /// The URL cannot be requested (bad host, unsupported scheme).
    InvalidUrl,
    /// Headless Chromium failed; the page is kept as fetched.
    Render,
    /// robots.txt answered 429 or 5xx: nothing is fetched from the site for now.
    RobotsUnavailable,
    /// An answer with status 4xx.
    Http4xx,
    /// An answer with status 5xx (after the retries).
    Http5xx,
    Other,
}

impl ErrorKind {
    pub const ALL: [ErrorKind; 16] = [
        ErrorKind::Dns,
        ErrorKind::Connect,
        ErrorKind::Timeout,
        ErrorKind::Tls,
        ErrorKind::PrivateAddress,
        ErrorKind::BlockedPort,
        ErrorKind::RedirectLimit,
        ErrorKind::HeadersTooLarge,
        ErrorKind::Body,
        ErrorKind::UrlTooLong,
        ErrorKind::InvalidUrl,
        ErrorKind::Render,
        ErrorKind::RobotsUnavailable,
        ErrorKind::Http4xx,
        ErrorKind::Http5xx,
        ErrorKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Dns => "dns",
            ErrorKind::Connect => "connect",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Tls => "tls",
            ErrorKind::PrivateAddress => "private_address",
            ErrorKind::BlockedPort => "blocked_port",
            ErrorKind::RedirectLimit => "redirect_limit",
            ErrorKind::HeadersTooLarge => "headers_too_large",
            ErrorKind::Body => "body",
            ErrorKind::UrlTooLong => "url_too_long",
            ErrorKind::InvalidUrl => "invalid_url",
            ErrorKind::Render => "render",
            ErrorKind::RobotsUnavailable => "robots_unavailable",
            ErrorKind::Http4xx => "http_4xx",
            ErrorKind::Http5xx => "http_5xx",
            ErrorKind::Other => "other",
        }
    }

    /// How the fetch log records a URL that got no answer for this reason (none for the
    /// kinds that are not about the URL's reachability).
    pub fn fetch_error(self) -> Option<FetchError> {
        Some(match self {
            ErrorKind::Dns => FetchError::Nxdomain,
            ErrorKind::Connect | ErrorKind::Tls | ErrorKind::Body => FetchError::Connect,
            ErrorKind::Timeout => FetchError::Timeout,
            ErrorKind::PrivateAddress => FetchError::Private,
            ErrorKind::BlockedPort => FetchError::BlockedPort,
            ErrorKind::RedirectLimit => FetchError::Redirects,
            ErrorKind::HeadersTooLarge => FetchError::TooLarge,
            // RFC 9309: an unreachable robots.txt means complete disallow.
            ErrorKind::RobotsUnavailable => FetchError::Disallowed,
            ErrorKind::UrlTooLong
            | ErrorKind::InvalidUrl
            | ErrorKind::Render
            | ErrorKind::Http4xx
            | ErrorKind::Http5xx
            | ErrorKind::Other => return None,
        })
    }

    /// Worth another try later (after a backoff).
    pub(crate) fn is_transient(self) -> bool {
        matches!(
            self,
            ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Body
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A snapshot of the crawl's counters.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CrawlProgress {
    pub elapsed: Duration,
    /// Page responses recorded (every redirect hop counts; robots.txt and checks do not).
    pub pages: u64,
    /// Of which 3xx.
    pub redirects: u64,
    /// Target checks recorded.
    pub checks: u64,
    /// robots.txt responses recorded.
    pub robots: u64,
    /// Bodies cut at a size cap.
    pub truncated: u64,
    /// Links the sink recorded.
    pub links: u64,
    /// URLs newly queued.
    pub discovered: u64,
    /// URLs not fetched because robots.txt disallows them.
    pub disallowed: u64,
    /// Answers 429/503 that made the crawler wait and retry.
    pub throttled: u64,
    /// Pages rendered in Chromium.
    pub rendered: u64,
    pub bytes: u64,
    /// URLs waiting and requests in flight.
    pub queued: u64,
    pub in_flight: u64,
    pub errors: BTreeMap<ErrorKind, u64>,
}

impl CrawlProgress {
    pub fn pages_per_second(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs > 0.0 {
            self.pages as f64 / secs
        } else {
            0.0
        }
    }

    pub fn error_total(&self) -> u64 {
        self.errors.values().sum()
    }

    /// `dns 2, timeout 1` (empty when there is none).
    pub fn errors_text(&self) -> String {
        self.errors
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub(crate) fn error(&mut self, kind: ErrorKind) {
        *self.errors.entry(kind).or_default() += 1;
    }
}

/// Why the crawl ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// Nothing left in scope to fetch.
    Exhausted,
    /// `max_pages` reached.
    MaxPages,
    /// Asked to stop (Ctrl-C).
    Interrupted,
}

impl StopReason {
    pub fn as_str(self) -> &'static str {
        match self {
            StopReason::Exhausted => "scope exhausted",
            StopReason::MaxPages => "page limit reached",
            StopReason::Interrupted => "interrupted",
        }
    }
}

/// The outcome of a crawl run.
#[derive(Debug, Clone, PartialEq)]
pub struct CrawlReport {
    pub stats: CrawlProgress,
    pub stop: StopReason,
    /// URLs still queued for a later run.
    pub remaining: u64,
    /// Journal entries found after a crash and committed to the log at start.
    pub recovered: u64,
}
