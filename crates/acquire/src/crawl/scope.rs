//! Which URLs are crawled, and the keys politeness and robots.txt are kept under.
//!
//! URLs are canonicalised with [`NormalizedUrl`] (the spelling the fetch log uses), so a URL
//! is queued, de-duplicated and fetched under exactly the name its links are recorded with.

use super::config::Scope;
use anchorage_core::NormalizedUrl;
use anchorage_core::domain::root_domain;
use std::collections::HashSet;
use url::Url;

/// The crawl's scope, computed from the seeds and the allow lists.
#[derive(Debug, Clone)]
pub(crate) struct ScopeRules {
    mode: Scope,
    hosts: HashSet<String>,
    domains: HashSet<String>,
    /// `host[:port]/dir/` of each seed, for [`Scope::Seeds`].
    prefixes: Vec<String>,
}

impl ScopeRules {
    pub(crate) fn new(
        mode: Scope,
        seeds: &[NormalizedUrl],
        allow_hosts: &[String],
        allow_domains: &[String],
    ) -> ScopeRules {
        let lower = |s: &String| s.trim().trim_end_matches('.').to_ascii_lowercase();
        let mut hosts: HashSet<String> = allow_hosts.iter().map(lower).collect();
        let mut domains: HashSet<String> = allow_domains.iter().map(lower).collect();
        let mut prefixes = Vec::new();
        for seed in seeds {
            match mode {
                Scope::Hosts => {
                    hosts.insert(seed.host().to_string());
                }
                Scope::Domains => {
                    domains.insert(root_domain(seed.host()).to_string());
                }
                Scope::Seeds => prefixes.push(directory_prefix(seed)),
            }
        }
        ScopeRules {
            mode,
            hosts,
            domains,
            prefixes,
        }
    }

    /// Whether `url` is crawled (rather than only checked).
    pub(crate) fn contains(&self, url: &NormalizedUrl) -> bool {
        let host = url.host();
        if self.hosts.contains(host) || self.in_domains(host) {
            return true;
        }
        self.mode == Scope::Seeds && self.prefixes.iter().any(|p| url.plain().starts_with(p))
    }

    fn in_domains(&self, host: &str) -> bool {
        !self.domains.is_empty() && {
            let root = root_domain(host);
            self.domains.contains(root)
                || self
                    .domains
                    .iter()
                    .any(|d| host == d || host.ends_with(&format!(".{d}")))
        }
    }
}

/// `host[:port]/path-up-to-the-last-slash`.
fn directory_prefix(seed: &NormalizedUrl) -> String {
    let plain = seed.plain();
    let path_start = plain.find('/').unwrap_or(plain.len());
    let before_query = plain.find('?').unwrap_or(plain.len());
    match plain[path_start..before_query].rfind('/') {
        Some(i) => plain[..path_start + i + 1].to_string(),
        None => format!("{plain}/"),
    }
}

/// `scheme://host:port`: robots.txt applies per origin (RFC 9309).
pub(crate) fn origin(url: &Url) -> String {
    format!(
        "{}://{}:{}",
        url.scheme(),
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or(0)
    )
}

/// The robots.txt URL of an origin.
pub(crate) fn robots_url(url: &Url) -> String {
    let mut robots = url.clone();
    robots.set_path("/robots.txt");
    robots.set_query(None);
    robots.set_fragment(None);
    robots.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> NormalizedUrl {
        NormalizedUrl::parse(s).unwrap()
    }

    #[test]
    fn seeds_scope_is_the_seed_directory() {
        let seeds = [
            n("https://docs.python.org/3/index.html"),
            n("https://a.test"),
        ];
        let s = ScopeRules::new(Scope::Seeds, &seeds, &[], &[]);
        assert!(s.contains(&n("https://docs.python.org/3/library/os.html")));
        assert!(s.contains(&n("http://docs.python.org/3/")));
        assert!(!s.contains(&n("https://docs.python.org/2/")));
        assert!(!s.contains(&n("https://docs.python.org/30")));
        assert!(s.contains(&n("https://a.test/anything?x")));
        assert!(!s.contains(&n("https://b.a.test/")));
    }

    #[test]
    fn hosts_and_domains_scopes() {
        let seeds = [n("https://www.example.co.uk/start")];
        let hosts = ScopeRules::new(Scope::Hosts, &seeds, &["extra.test".into()], &[]);
        assert!(hosts.contains(&n("http://www.example.co.uk:8080/x")));
        assert!(!hosts.contains(&n("https://blog.example.co.uk/")));
        assert!(hosts.contains(&n("https://extra.test/")));
        let domains = ScopeRules::new(Scope::Domains, &seeds, &[], &["other.org".into()]);
        assert!(domains.contains(&n("https://blog.example.co.uk/")));
        assert!(domains.contains(&n("https://example.co.uk/")));
        assert!(!domains.contains(&n("https://co.uk/")));
        assert!(!domains.contains(&n("https://example.com/")));
        assert!(domains.contains(&n("https://a.b.other.org/")));
    }

    #[test]
    fn origins_and_robots_urls() {
        let u = Url::parse("https://Example.com/a/b?c#d").unwrap();
        assert_eq!(origin(&u), "https://example.com:443");
        assert_eq!(robots_url(&u), "https://example.com/robots.txt");
        let u = Url::parse("http://example.com:8080/x").unwrap();
        assert_eq!(origin(&u), "http://example.com:8080");
        assert_eq!(robots_url(&u), "http://example.com:8080/robots.txt");
    }
}
