//! What a crawl is told: seeds and scope, politeness, limits, network safety, rendering,
//! archiving. Every default is the polite and safe choice; the module documentation of
//! [`crate::crawl`] explains each rule.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The product token matched against `User-agent` lines of robots.txt.
pub const ROBOTS_TOKEN: &str = "AnchorageBot";
/// Where a site owner learns what the crawler is and how to reach its operator.
pub const DEFAULT_CONTACT: &str = "https://github.com/anchorage-index/anchorage#crawler";

/// Which discovered URLs are crawled (the others are at most target-checked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scope {
    /// URLs under a seed's directory (same host, path starting with the seed's path up to its
    /// last `/`), either scheme.
    Seeds,
    /// Any URL on a seed's host (either scheme, any port).
    #[default]
    Hosts,
    /// Any URL whose root domain (Public Suffix List) is a seed's root domain.
    Domains,
}

/// Whether pages are rendered in headless Chromium before their links are read.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RenderMode {
    #[default]
    Off,
    /// Every HTML page.
    Js,
    /// HTML pages of these hosts only.
    JsHosts(Vec<String>),
}

/// A fixed address for a host name, like curl's `--resolve`: the operator chose it, so it is
/// used as given (the private-address refusal applies to addresses learned from DNS or
/// written in URLs, not to these).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveRule {
    /// Host name, lower case, without a trailing dot.
    pub host: String,
    pub ip: IpAddr,
    /// Connect to this port instead of the URL's. `scheme` limits the rule to `http` or
    /// `https` URLs (needed when both are remapped to different local ports).
    pub port: Option<u16>,
    pub scheme: Option<String>,
}

impl ResolveRule {
    /// Parses curl's forms `HOST:IP` and `HOST:PORT:IP` (an IPv6 address in brackets). The
    /// port of the second form is accepted for compatibility and ignored: the rule applies to
    /// every port of the host.
    pub fn parse(spec: &str) -> Result<ResolveRule, String> {
        let (host, rest) = spec
            .split_once(':')
            .ok_or_else(|| format!("--resolve {spec}: expected HOST:IP or HOST:PORT:IP"))?;
        let addr = match rest.split_once(':') {
            Some((port, addr)) if port.parse::<u16>().is_ok() && !addr.is_empty() => addr,
            _ => rest,
        };
        let addr = addr.trim_start_matches('[').trim_end_matches(']');
        let ip: IpAddr = addr
            .parse()
            .map_err(|_| format!("--resolve {spec}: '{addr}' is not an IP address"))?;
        let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
        if host.is_empty() {
            return Err(format!("--resolve {spec}: empty host"));
        }
        Ok(ResolveRule {
            host,
            ip,
            port: None,
            scheme: None,
        })
    }
}

/// How hard one host is worked.
#[derive(Debug, Clone, PartialEq)]
pub struct Politeness {
    /// Requests in flight to one host at a time.
    pub per_host: u32,
    /// Least time between the end of one request to a host and the start of the next (and
    /// between two starts when `per_host` > 1).
    pub delay: Duration,
    /// Honour robots.txt `Crawl-delay` when it asks for more than `delay`.
    pub respect_crawl_delay: bool,
    /// A larger `Crawl-delay` is cut to this.
    pub max_crawl_delay: Duration,
    /// First wait after a 429/503 or a transient error; doubles with each one in a row.
    pub backoff: Duration,
    /// Longest wait, `Retry-After` included.
    pub max_backoff: Duration,
    /// Retries of one URL after 429/503 or a transient network error.
    pub max_retries: u8,
}

impl Default for Politeness {
    fn default() -> Self {
        Politeness {
            per_host: 1,
            delay: Duration::from_secs(1),
            respect_crawl_delay: true,
            max_crawl_delay: Duration::from_secs(60),
            backoff: Duration::from_secs(10),
            max_backoff: Duration::from_secs(600),
            max_retries: 2,
        }
    }
}

impl Politeness {
    /// No delays and a high per-host concurrency: for benchmarks against one's own servers.
    pub fn off(per_host: u32) -> Politeness {
        Politeness {
            per_host,
            delay: Duration::ZERO,
            respect_crawl_delay: false,
            ..Politeness::default()
        }
    }
}

/// Caps that keep one response or URL from costing more than it is worth.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Longer URLs are neither queued nor fetched.
    pub max_url_len: usize,
    /// Response header bytes (names and values) and header count.
    pub max_header_bytes: usize,
    pub max_headers: usize,
    /// Body bytes read off the wire; the rest is not read and the page is marked truncated.
    pub max_body_bytes: usize,
    /// Body bytes after content decoding (gzip, deflate, br): a compression bomb stops here.
    pub max_decoded_bytes: usize,
    /// robots.txt bytes read (RFC 9309 asks for at least 500 KiB).
    pub max_robots_bytes: usize,
    pub connect_timeout: Duration,
    /// The whole request: connect, headers and body.
    pub timeout: Duration,
    /// Redirect hops followed from the first URL of a chain.
    pub max_redirects: u8,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_url_len: 2048,
            max_header_bytes: 64 * 1024,
            max_headers: 200,
            max_body_bytes: 16 * 1024 * 1024,
            max_decoded_bytes: 32 * 1024 * 1024,
            max_robots_bytes: 512 * 1024,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            max_redirects: 10,
        }
    }
}

/// Where requests may go.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Network {
    /// Fetch private, loopback, link-local, multicast and other non-global addresses.
    pub allow_private: bool,
    pub resolve: Vec<ResolveRule>,
    /// Extra trusted CA certificates (PEM), on top of the system's.
    pub ca_certs_pem: Vec<Vec<u8>>,
    /// Answers given as if by DNS (and checked like DNS answers): a test hook for names that
    /// resolve to private addresses.
    #[doc(hidden)]
    pub dns_answers: Vec<(String, IpAddr)>,
}

/// Headless Chromium.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderConfig {
    pub mode: RenderMode,
    /// The browser executable (Debian package `chromium`).
    pub chromium: PathBuf,
    /// Pages rendered at once.
    pub max_concurrent: usize,
    /// Time allowed for one page to load and settle.
    pub timeout: Duration,
}

impl Default for RenderConfig {
    fn default() -> Self {
        RenderConfig {
            mode: RenderMode::Off,
            chromium: PathBuf::from("/usr/bin/chromium"),
            max_concurrent: 2,
            timeout: Duration::from_secs(20),
        }
    }
}

/// When fetched pages are committed to the fetch log (and leave the journal).
#[derive(Debug, Clone, PartialEq)]
pub struct CommitPolicy {
    pub pages: u64,
    pub interval: Duration,
}

impl Default for CommitPolicy {
    fn default() -> Self {
        // A commit every 2,000 pages keeps the buffered records (and the journal) to some
        // hundred megabytes on link-heavy pages.
        CommitPolicy {
            pages: 2_000,
            interval: Duration::from_secs(30),
        }
    }
}

/// Everything a crawl needs to know.
#[derive(Debug, Clone, PartialEq)]
pub struct CrawlConfig {
    /// The crawl's own state (frontier store): `DATA_DIR/crawl`.
    pub state_dir: PathBuf,
    pub seeds: Vec<String>,
    pub scope: Scope,
    /// Hosts and root domains crawled on top of the scope's.
    pub allow_hosts: Vec<String>,
    pub allow_domains: Vec<String>,
    /// Page fetches in this run (robots.txt and target checks not counted).
    pub max_pages: Option<u64>,
    /// Link distance from a seed (redirects do not add to it).
    pub max_depth: Option<u32>,
    /// Crawl through `rel=nofollow` links and pages with a robots `nofollow`.
    pub follow_nofollow: bool,
    /// Check linked-to URLs that are not crawled (HEAD, falling back to GET).
    pub check_targets: bool,
    /// Queue sitemaps listed in robots.txt of hosts in scope.
    pub sitemaps: bool,
    /// Revisit known URLs whose next visit is due.
    pub recrawl: bool,
    pub recrawl_interval: Duration,
    pub user_agent: String,
    pub concurrency: usize,
    pub politeness: Politeness,
    pub limits: Limits,
    pub network: Network,
    pub render: RenderConfig,
    /// How long a robots.txt is trusted before it is fetched again.
    pub robots_ttl: Duration,
    pub warc_dir: Option<PathBuf>,
    pub commit: CommitPolicy,
}

impl CrawlConfig {
    /// A polite configuration for `seeds`, keeping its state in `state_dir`.
    pub fn new(state_dir: impl Into<PathBuf>, seeds: Vec<String>) -> CrawlConfig {
        CrawlConfig {
            state_dir: state_dir.into(),
            seeds,
            scope: Scope::default(),
            allow_hosts: Vec::new(),
            allow_domains: Vec::new(),
            max_pages: None,
            max_depth: None,
            follow_nofollow: false,
            check_targets: false,
            sitemaps: true,
            recrawl: false,
            recrawl_interval: Duration::from_secs(7 * 86_400),
            user_agent: user_agent(DEFAULT_CONTACT),
            concurrency: 64,
            politeness: Politeness::default(),
            limits: Limits::default(),
            network: Network::default(),
            render: RenderConfig::default(),
            robots_ttl: Duration::from_secs(86_400),
            warc_dir: None,
            commit: CommitPolicy::default(),
        }
    }

    /// Whether pages of `host` are rendered.
    pub fn renders(&self, host: &str) -> bool {
        match &self.render.mode {
            RenderMode::Off => false,
            RenderMode::Js => true,
            RenderMode::JsHosts(hosts) => hosts.iter().any(|h| h.eq_ignore_ascii_case(host)),
        }
    }
}

/// The user agent string: the robots token, the version and a contact URL.
pub fn user_agent(contact: &str) -> String {
    format!(
        "Mozilla/5.0 (compatible; {ROBOTS_TOKEN}/{}; +{contact})",
        env!("CARGO_PKG_VERSION")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_rules_parse_curl_forms() {
        let r = ResolveRule::parse("Example.COM.:127.0.0.1").unwrap();
        assert_eq!(
            (r.host.as_str(), r.ip.to_string()),
            ("example.com", "127.0.0.1".into())
        );
        let r = ResolveRule::parse("a.test:443:10.1.2.3").unwrap();
        assert_eq!(r.ip.to_string(), "10.1.2.3");
        let r = ResolveRule::parse("v6.test:[::1]").unwrap();
        assert_eq!(r.ip.to_string(), "::1");
        let r = ResolveRule::parse("v6.test:80:[::1]").unwrap();
        assert_eq!(r.ip.to_string(), "::1");
        assert!(ResolveRule::parse("nocolon").is_err());
        assert!(ResolveRule::parse("a.test:notanip").is_err());
        assert!(ResolveRule::parse(":1.2.3.4").is_err());
    }

    #[test]
    fn user_agent_names_token_and_contact() {
        let ua = user_agent("mailto:ops@example.org");
        assert!(ua.contains("AnchorageBot/"));
        assert!(ua.ends_with("+mailto:ops@example.org)"));
    }
}
