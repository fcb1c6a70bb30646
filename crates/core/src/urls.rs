//! URL normalisation and target keys.
//!
//! Every URL stored or queried goes through [`NormalizedUrl`], so one page has one spelling:
//! scheme and host in lower case, IDNA hosts in punycode, default ports dropped, dot segments
//! resolved, fragments removed, percent-escapes of unreserved characters decoded and the other
//! escapes in upper case, an empty path written `/`, a trailing dot on the host dropped.
//!
//! The *target key* is the host with its labels reversed, then the path and query:
//! `https://www.example.com/a?b` → `com.example.www/a?b`. Scheme and port are not part of the
//! key (they are filtered separately), so every target mode is one contiguous key range:
//! a host's own URLs share the prefix `com.example/` and its subdomains the prefix
//! `com.example.`, and `.` and `/` are neighbours in byte order.

use std::fmt;
use thiserror::Error;
use url::{Position, Url};

/// Longest URL the index keeps; longer ones are rejected as malformed.
pub const MAX_URL_LEN: usize = 8192;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum UrlError {
    #[error("not a valid URL: {0}")]
    Invalid(String),
    #[error("unsupported scheme '{0}' (only http and https are indexed)")]
    Scheme(String),
    #[error("URL has no host")]
    NoHost,
    #[error("URL longer than {MAX_URL_LEN} bytes")]
    TooLong,
}

/// A URL in Anchorage's canonical spelling (http or https only).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NormalizedUrl(Url);

impl NormalizedUrl {
    /// Parses an absolute http(s) URL.
    pub fn parse(input: &str) -> Result<Self, UrlError> {
        let url = Url::parse(input.trim()).map_err(|e| UrlError::Invalid(e.to_string()))?;
        Self::from_url(url)
    }

    /// Resolves `href` against `base` (which may itself come from `<base href>`).
    pub fn join(base: &Url, href: &str) -> Result<Self, UrlError> {
        let url = base
            .join(href.trim())
            .map_err(|e| UrlError::Invalid(e.to_string()))?;
        Self::from_url(url)
    }

    /// Normalises an already parsed URL.
    pub fn from_url(mut url: Url) -> Result<Self, UrlError> {
        match url.scheme() {
            "http" | "https" => {}
            other => return Err(UrlError::Scheme(other.to_string())),
        }
        let host = url.host_str().ok_or(UrlError::NoHost)?;
        if host.is_empty() {
            return Err(UrlError::NoHost);
        }
        if let Some(stripped) = host.strip_suffix('.') {
            let stripped = stripped.to_string();
            url.set_host(Some(&stripped))
                .map_err(|e| UrlError::Invalid(e.to_string()))?;
        }
        url.set_fragment(None);
        // Credentials are never part of a page's identity (and must not leak into an index).
        if !url.username().is_empty() || url.password().is_some() {
            let _ = url.set_username("");
            let _ = url.set_password(None);
        }
        if url.path().contains('%') {
            let path = normalize_escapes(url.path());
            url.set_path(&path);
        }
        match url.query() {
            Some("") => url.set_query(None),
            Some(query) if query.contains('%') => {
                let query = normalize_escapes(query);
                url.set_query(Some(&query));
            }
            _ => {}
        }
        if url.as_str().len() > MAX_URL_LEN {
            return Err(UrlError::TooLong);
        }
        Ok(Self(url))
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn url(&self) -> &Url {
        &self.0
    }

    pub fn host(&self) -> &str {
        self.0.host_str().unwrap_or_default()
    }

    pub fn is_https(&self) -> bool {
        self.0.scheme() == "https"
    }

    /// The port, with the scheme's default filled in.
    pub fn port(&self) -> u16 {
        self.0.port_or_known_default().unwrap_or(80)
    }

    /// Path plus `?query`, e.g. `/a/b?c=d`.
    pub fn path_and_query(&self) -> &str {
        &self.0[Position::BeforePath..Position::AfterQuery]
    }

    /// The URL without its scheme: `host[:port]/path?query` (Ahrefs' `url_*_plain`).
    pub fn plain(&self) -> &str {
        &self.0[Position::BeforeHost..Position::AfterQuery]
    }

    /// The target key: reversed host, then path and query.
    pub fn key(&self) -> String {
        let mut key = reversed_host(self.host());
        key.push_str(self.path_and_query());
        key
    }

    /// The page is its host's homepage: path `/` and no query.
    pub fn is_homepage(&self) -> bool {
        self.0.path() == "/" && self.0.query().is_none()
    }
}

impl fmt::Display for NormalizedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for NormalizedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NormalizedUrl({})", self.as_str())
    }
}

/// The host of an already normalised URL string, without parsing it again.
pub fn host_of(normalized: &str) -> &str {
    let rest = plain_of(normalized);
    let end = if rest.starts_with('[') {
        rest.find(']').map_or(rest.len(), |i| i + 1)
    } else {
        rest.find([':', '/', '?']).unwrap_or(rest.len())
    };
    &rest[..end]
}

/// An already normalised URL without its scheme (see [`NormalizedUrl::plain`]).
pub fn plain_of(normalized: &str) -> &str {
    // The two schemes the index keeps first: a general substring search costs more than the
    // rest of a host lookup.
    normalized
        .strip_prefix("https://")
        .or_else(|| normalized.strip_prefix("http://"))
        .unwrap_or_else(|| normalized.split_once("://").map_or(normalized, |(_, r)| r))
}

/// `www.example.com` → `com.example.www`; IP addresses and bracketed IPv6 stay as written,
/// since reversing their parts would group unrelated addresses.
pub fn reversed_host(host: &str) -> String {
    if host.starts_with('[') || host.parse::<std::net::Ipv4Addr>().is_ok() {
        return host.to_string();
    }
    let mut out = String::with_capacity(host.len() + 1);
    for (i, label) in host.rsplit('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        out.push_str(label);
    }
    out
}

/// Decodes percent-escapes of unreserved characters (RFC 3986 §6.2.2.2) and upper-cases the
/// hex digits of the remaining escapes, so equivalent spellings of one URL compare equal.
fn normalize_escapes(s: &str) -> String {
    if !s.contains('%') {
        return s.to_string();
    }
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex_val(bytes[i + 1]), hex_val(bytes[i + 2]))
        {
            let c = (h << 4) | l;
            if c.is_ascii_alphanumeric() || matches!(c, b'-' | b'.' | b'_' | b'~') {
                out.push(c as char);
            } else {
                out.push('%');
                out.push(bytes[i + 1].to_ascii_uppercase() as char);
                out.push(bytes[i + 2].to_ascii_uppercase() as char);
            }
            i += 3;
            continue;
        }
        let ch_len = utf8_len(bytes[i]);
        out.push_str(&s[i..i + ch_len]);
        i += ch_len;
    }
    out
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

fn hex_val(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(s: &str) -> String {
        NormalizedUrl::parse(s).unwrap().as_str().to_string()
    }

    #[test]
    fn normalises_case_ports_fragments_and_escapes() {
        assert_eq!(
            n("HTTP://WWW.Example.COM:80/a/./b/../c#frag"),
            "http://www.example.com/a/c"
        );
        assert_eq!(n("https://example.com:443"), "https://example.com/");
        assert_eq!(
            n("https://example.com:8443/x"),
            "https://example.com:8443/x"
        );
        assert_eq!(
            n("http://example.com/%7euser/%2fa%2Fb"),
            "http://example.com/~user/%2Fa%2Fb"
        );
        assert_eq!(
            n("http://example.com/a?q=%41%3d"),
            "http://example.com/a?q=A%3D"
        );
        assert_eq!(n("http://example.com./"), "http://example.com/");
        assert_eq!(n("http://example.com/a?"), "http://example.com/a");
    }

    #[test]
    fn idna_hosts_become_punycode() {
        assert_eq!(n("http://Bücher.example/"), "http://xn--bcher-kva.example/");
        assert_eq!(
            n("http://ÉXAMPLE.com/ü"),
            "http://xn--xample-9ua.com/%C3%BC"
        );
    }

    #[test]
    fn rejects_other_schemes_and_garbage() {
        assert!(matches!(
            NormalizedUrl::parse("mailto:a@b.c"),
            Err(UrlError::Scheme(_))
        ));
        assert!(matches!(
            NormalizedUrl::parse("javascript:void(0)"),
            Err(UrlError::Scheme(_))
        ));
        assert!(NormalizedUrl::parse("http://").is_err());
        assert!(NormalizedUrl::parse("not a url").is_err());
        let long = format!("http://e.com/{}", "a".repeat(MAX_URL_LEN));
        assert_eq!(NormalizedUrl::parse(&long), Err(UrlError::TooLong));
    }

    #[test]
    fn joins_relative_references() {
        let base = Url::parse("http://example.com/dir/page.html").unwrap();
        assert_eq!(
            NormalizedUrl::join(&base, "../x#y").unwrap().as_str(),
            "http://example.com/x"
        );
        assert_eq!(
            NormalizedUrl::join(&base, " sub ").unwrap().as_str(),
            "http://example.com/dir/sub"
        );
        assert_eq!(
            NormalizedUrl::join(&base, "//other.org").unwrap().as_str(),
            "http://other.org/"
        );
    }

    #[test]
    fn key_reverses_host_and_keeps_path() {
        let u = NormalizedUrl::parse("https://www.Example.com:8080/a/b?c=1").unwrap();
        assert_eq!(u.key(), "com.example.www/a/b?c=1");
        assert_eq!(u.plain(), "www.example.com:8080/a/b?c=1");
        assert_eq!(u.path_and_query(), "/a/b?c=1");
        assert_eq!(u.port(), 8080);
        assert_eq!(
            NormalizedUrl::parse("http://10.1.2.3/x").unwrap().key(),
            "10.1.2.3/x"
        );
        assert!(NormalizedUrl::parse("http://a.com/").unwrap().is_homepage());
        assert!(
            !NormalizedUrl::parse("http://a.com/?x")
                .unwrap()
                .is_homepage()
        );
        assert_eq!(host_of("https://www.a.com:81/x"), "www.a.com");
        assert_eq!(host_of("http://[::1]:8080/"), "[::1]");
        assert_eq!(host_of("http://a.com?x"), "a.com");
        assert_eq!(plain_of("https://a.com/x?y"), "a.com/x?y");
    }
}
