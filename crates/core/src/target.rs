//! What a query is about: a target (URL, prefix, host or host with subdomains) and a protocol.

use crate::urls::{NormalizedUrl, UrlError, reversed_host};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// Ahrefs' `mode`: the scope of the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum TargetMode {
    /// One URL.
    Exact,
    /// Every URL starting with the target (host and path).
    Prefix,
    /// Every URL of the host, without its subdomains.
    Domain,
    /// Every URL of the host and of all its subdomains.
    #[default]
    Subdomains,
}

impl TargetMode {
    pub const NAMES: &'static [&'static str] = &["exact", "prefix", "domain", "subdomains"];

    pub fn as_str(self) -> &'static str {
        match self {
            TargetMode::Exact => "exact",
            TargetMode::Prefix => "prefix",
            TargetMode::Domain => "domain",
            TargetMode::Subdomains => "subdomains",
        }
    }
}

impl FromStr for TargetMode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "exact" => Ok(TargetMode::Exact),
            "prefix" => Ok(TargetMode::Prefix),
            "domain" => Ok(TargetMode::Domain),
            "subdomains" => Ok(TargetMode::Subdomains),
            other => Err(format!(
                "'{other}' is not one of {}",
                TargetMode::NAMES.join(", ")
            )),
        }
    }
}

/// Ahrefs' `protocol`: which scheme of the target's URLs count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    #[default]
    Both,
    Http,
    Https,
}

impl Protocol {
    pub const NAMES: &'static [&'static str] = &["both", "http", "https"];

    /// `None` when both schemes match, else whether the URL must be https.
    pub fn requires_https(self) -> Option<bool> {
        match self {
            Protocol::Both => None,
            Protocol::Http => Some(false),
            Protocol::Https => Some(true),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Protocol::Both => "both",
            Protocol::Http => "http",
            Protocol::Https => "https",
        }
    }
}

impl FromStr for Protocol {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "both" => Ok(Protocol::Both),
            "http" => Ok(Protocol::Http),
            "https" => Ok(Protocol::Https),
            other => Err(format!(
                "'{other}' is not one of {}",
                Protocol::NAMES.join(", ")
            )),
        }
    }
}

/// A half-open range `[start, end)` of target keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyRange {
    pub start: String,
    pub end: String,
}

impl KeyRange {
    /// Every key starting with `prefix`.
    pub fn prefix(prefix: &str) -> Self {
        KeyRange {
            start: prefix.to_string(),
            end: successor(prefix),
        }
    }

    /// Exactly one key.
    pub fn single(key: &str) -> Self {
        KeyRange {
            start: key.to_string(),
            end: format!("{key}\0"),
        }
    }

    pub fn contains(&self, key: &str) -> bool {
        key >= self.start.as_str() && key < self.end.as_str()
    }
}

/// The smallest string greater than every string starting with `prefix`.
fn successor(prefix: &str) -> String {
    let mut bytes = prefix.as_bytes().to_vec();
    while let Some(last) = bytes.pop() {
        if last < 0x7F {
            bytes.push(last + 1);
            // Keys are ASCII (punycode hosts, percent-encoded paths), so this stays valid UTF-8.
            return String::from_utf8(bytes).unwrap_or_else(|_| "\u{10FFFF}".to_string());
        }
    }
    "\u{10FFFF}".to_string()
}

/// A parsed query target.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// The target as the user wrote it.
    pub input: String,
    pub url: NormalizedUrl,
    pub mode: TargetMode,
    /// Set when the user named a non-default port: only that port matches.
    pub port: Option<u16>,
    /// URLs outside the target that redirect into it or name one of its URLs as their
    /// canonical, sorted: links to them are the target's indirect backlinks (DataForSEO's
    /// `include_indirect_links`). Empty unless a protocol asked for them.
    pub indirect_urls: Vec<String>,
}

impl Target {
    /// Parses a domain, a path prefix or a URL; a missing scheme means `http://` for parsing
    /// only (the `protocol` parameter decides which schemes match).
    pub fn parse(input: &str, mode: TargetMode) -> Result<Self, UrlError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(UrlError::Invalid("empty target".into()));
        }
        let with_scheme = if trimmed.contains("://") {
            trimmed.to_string()
        } else {
            format!("http://{trimmed}")
        };
        if url::Url::parse(&with_scheme)
            .is_ok_and(|u| !u.username().is_empty() || u.password().is_some())
        {
            return Err(UrlError::Invalid(
                "a target cannot carry user credentials ('@')".into(),
            ));
        }
        let url = NormalizedUrl::parse(&with_scheme)?;
        let port = url.url().port();
        Ok(Target {
            input: trimmed.to_string(),
            url,
            mode,
            port,
            indirect_urls: Vec::new(),
        })
    }

    pub fn host(&self) -> &str {
        self.url.host()
    }

    /// The key range holding every URL of this target.
    pub fn key_range(&self) -> KeyRange {
        let host = reversed_host(self.url.host());
        match self.mode {
            TargetMode::Exact => KeyRange::single(&self.url.key()),
            TargetMode::Prefix => KeyRange::prefix(&self.url.key()),
            TargetMode::Domain => KeyRange::prefix(&format!("{host}/")),
            // `.` (0x2E) and `/` (0x2F) are neighbours: one range holds the host's own URLs
            // (`com.example/…`) and its subdomains' (`com.example.www/…`).
            TargetMode::Subdomains => KeyRange {
                start: format!("{host}."),
                end: format!("{host}0"),
            },
        }
    }

    /// Does a URL belong to this target (key range, port) under `protocol`?
    pub fn matches(&self, url: &NormalizedUrl, protocol: Protocol) -> bool {
        if let Some(https) = protocol.requires_https()
            && url.is_https() != https
        {
            return false;
        }
        if let Some(port) = self.port
            && url.port() != port
        {
            return false;
        }
        self.key_range().contains(&url.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> NormalizedUrl {
        NormalizedUrl::parse(s).unwrap()
    }

    #[test]
    fn each_mode_is_one_key_range() {
        let urls = [
            "http://example.com/",
            "https://example.com/blog/post",
            "http://www.example.com/",
            "https://a.b.example.com/x",
            "http://example.community/",
            "http://notexample.com/",
            "http://example.co/",
        ];
        let hits = |target: &str, mode| {
            let t = Target::parse(target, mode).unwrap();
            urls.iter()
                .filter(|u| t.matches(&url(u), Protocol::Both))
                .count()
        };
        assert_eq!(hits("example.com", TargetMode::Subdomains), 4);
        assert_eq!(hits("example.com", TargetMode::Domain), 2);
        assert_eq!(hits("example.com/blog", TargetMode::Prefix), 1);
        assert_eq!(hits("https://example.com/blog/post", TargetMode::Exact), 1);
        assert_eq!(hits("example.com/", TargetMode::Exact), 1);
    }

    #[test]
    fn protocol_and_port_filters() {
        let t = Target::parse("example.com", TargetMode::Domain).unwrap();
        assert!(t.matches(&url("https://example.com/"), Protocol::Https));
        assert!(!t.matches(&url("http://example.com/"), Protocol::Https));
        assert!(t.matches(&url("http://example.com/"), Protocol::Http));
        let p = Target::parse("example.com:8080", TargetMode::Domain).unwrap();
        assert!(p.matches(&url("http://example.com:8080/a"), Protocol::Both));
        assert!(!p.matches(&url("http://example.com/a"), Protocol::Both));
    }

    #[test]
    fn modes_parse_and_reject_unknown() {
        assert_eq!("prefix".parse::<TargetMode>(), Ok(TargetMode::Prefix));
        assert!(
            "everything"
                .parse::<TargetMode>()
                .unwrap_err()
                .contains("exact")
        );
        assert!(Target::parse("", TargetMode::Exact).is_err());
        assert!(Target::parse("ftp://x.org", TargetMode::Exact).is_err());
        assert!(Target::parse("mailto:a@b.org", TargetMode::Exact).is_err());
    }
}
