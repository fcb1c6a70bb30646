//! Records exchanged between the stages: what acquire captures ([`Capture`]), and what extract
//! makes of a page ([`PageRecord`] + [`LinkRecord`]), which is what the fetch log stores.

use crate::time::Micros;
use serde::{Deserialize, Serialize};

/// How a page was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// Read from a WARC/ARC response record.
    #[default]
    Warc,
    /// Read from a WAT metadata record (links without the HTML).
    Wat,
    /// Fetched by Anchorage's crawler.
    Crawl,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Warc => "warc",
            SourceKind::Wat => "wat",
            SourceKind::Crawl => "crawl",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "wat" => SourceKind::Wat,
            "crawl" => SourceKind::Crawl,
            _ => SourceKind::Warc,
        }
    }
}

/// One HTTP response as captured, body already de-chunked and content-decoded.
#[derive(Debug, Clone, Default)]
pub struct FetchRecord {
    /// The URL as captured (not yet normalised).
    pub url: String,
    pub fetched_at: Micros,
    pub status: u16,
    /// Response headers in order, names as sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The body was cut short (record truncated, or over the size cap).
    pub truncated: bool,
    pub ip: Option<String>,
    /// WARC-Record-ID, or an id the crawler made; with the URL it identifies the fetch.
    pub record_id: String,
    pub source: SourceKind,
    /// Links found only after JavaScript rendering (crawler with `--render js`).
    pub js_rendered: bool,
    /// Why no HTTP answer was obtained (the crawler's failed attempts); `status` is then 0.
    pub error: Option<FetchError>,
}

/// A fetch attempt that got no HTTP answer. The build turns these into `drop_reason`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FetchError {
    /// robots.txt forbids the URL.
    Disallowed,
    /// The host does not resolve.
    Nxdomain,
    /// The URL's port is not one the crawler fetches.
    BlockedPort,
    /// The address is private, loopback or link-local (refused for safety).
    Private,
    /// Connection refused or reset, TLS failure.
    Connect,
    Timeout,
    /// Body, headers or decompressed size over a cap.
    TooLarge,
    /// Too many redirects, or a redirect loop.
    Redirects,
}

impl FetchRecord {
    /// First header named `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        header(&self.headers, name)
    }
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A WARC `revisit` record: the page was fetched again and found unchanged.
#[derive(Debug, Clone, Default)]
pub struct RevisitRecord {
    pub url: String,
    pub fetched_at: Micros,
    pub status: u16,
    pub ip: Option<String>,
    pub record_id: String,
    /// The earlier capture this one repeats, when the record names it.
    pub refers_to_record: Option<String>,
    pub refers_to_date: Option<Micros>,
    pub payload_digest: Option<String>,
}

/// What acquire yields for each useful record of an archive or each crawler fetch.
// Captures are moved, not stored: boxing the page would add an allocation per record.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Capture {
    Response(FetchRecord),
    Revisit(RevisitRecord),
    /// A page whose facts and links arrived already extracted (WAT metadata).
    Extracted(PageRecord, Vec<LinkRecord>),
}

/// The element a link came from. Both Ahrefs' `link_type` and DataForSEO's `item_type` are
/// derived from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum LinkElement {
    /// `<a href>` with text.
    Anchor,
    /// `<a href>` wrapping an `<img>`.
    Image,
    /// An HTTP 3xx `Location`.
    HttpRedirect,
    /// `<meta http-equiv=refresh content="0; url=…">`.
    MetaRefresh,
    /// `<iframe src>` or `<frame src>`.
    Frame,
    /// `<form action>`.
    Form,
    /// `<link rel=canonical>` or a `Link: <…>; rel=canonical` header.
    Canonical,
    /// `<link rel=alternate>` (hreflang, other formats).
    Alternate,
    /// A feed: `<link rel=alternate type=application/rss+xml|atom+xml>` or a link inside a feed.
    Rss,
}

impl LinkElement {
    pub const ALL: [LinkElement; 9] = [
        LinkElement::Anchor,
        LinkElement::Image,
        LinkElement::HttpRedirect,
        LinkElement::MetaRefresh,
        LinkElement::Frame,
        LinkElement::Form,
        LinkElement::Canonical,
        LinkElement::Alternate,
        LinkElement::Rss,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkElement::Anchor => "anchor",
            LinkElement::Image => "image",
            LinkElement::HttpRedirect => "http_redirect",
            LinkElement::MetaRefresh => "meta_refresh",
            LinkElement::Frame => "frame",
            LinkElement::Form => "form",
            LinkElement::Canonical => "canonical",
            LinkElement::Alternate => "alternate",
            LinkElement::Rss => "rss",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == s)
    }

    /// Ahrefs' `link_type`.
    pub fn link_type(self) -> &'static str {
        match self {
            LinkElement::Anchor => "text",
            LinkElement::Image => "image",
            LinkElement::HttpRedirect | LinkElement::MetaRefresh => "redirect",
            LinkElement::Frame => "frame",
            LinkElement::Form => "form",
            LinkElement::Canonical => "canonical",
            LinkElement::Alternate => "alternate",
            LinkElement::Rss => "rss",
        }
    }

    /// DataForSEO's `item_type`.
    pub fn item_type(self) -> &'static str {
        match self {
            LinkElement::Anchor => "anchor",
            LinkElement::Image => "image",
            LinkElement::HttpRedirect => "redirect",
            LinkElement::MetaRefresh => "meta",
            LinkElement::Canonical => "canonical",
            LinkElement::Alternate => "alternate",
            LinkElement::Frame | LinkElement::Form | LinkElement::Rss => "link",
        }
    }
}

/// Facts about one fetch of one page: a row of the fetch log's `pages` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PageRecord {
    /// Identifies the fetch; the same capture read twice gets the same id.
    pub fetch_id: u64,
    /// Normalised URL.
    pub url: String,
    pub fetched_at: Micros,
    pub http_code: u16,
    pub content_type: Option<String>,
    pub is_html: bool,
    pub encoding: Option<String>,
    pub title: Option<String>,
    pub languages: Vec<String>,
    pub page_size: u64,
    pub noindex: bool,
    /// Page-level nofollow (meta robots, X-Robots-Tag).
    pub nofollow: bool,
    pub canonical: Option<String>,
    pub links_internal: u32,
    pub links_external: u32,
    pub linked_domains: u32,
    pub author: Option<String>,
    /// `YYYY-MM-DD`.
    pub publish_date: Option<String>,
    pub page_type: Option<String>,
    pub page_category: Option<String>,
    pub powered_by: Vec<String>,
    pub ip: Option<String>,
    pub source: SourceKind,
    pub js_rendered: bool,
    /// A revisit: the content equals an earlier fetch, whose links still hold.
    pub unchanged: bool,
    pub truncated: bool,
    /// The attempt got no HTTP answer, and why.
    pub fetch_error: Option<FetchError>,
    /// xxh3 of the body: pages with the same content under different URLs are duplicates.
    pub content_hash: Option<u64>,
}

/// One link found in one fetch: a row of the fetch log's `links` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkRecord {
    pub fetch_id: u64,
    /// Position among the page's links, from 0, in document order.
    pub ordinal: u32,
    /// Normalised, resolved target URL.
    pub url_to: String,
    pub element: LinkElement,
    pub anchor: String,
    pub alt: Option<String>,
    pub image_url: Option<String>,
    /// rel=nofollow on the link itself (page-level nofollow is on the page record).
    pub nofollow: bool,
    pub ugc: bool,
    pub sponsored: bool,
    pub snippet_left: String,
    pub snippet_right: String,
    pub semantic_location: Option<String>,
    pub is_content: bool,
    /// Found only after JavaScript rendering.
    pub js_only: bool,
    /// For redirects: the HTTP status (or 0 for a meta refresh).
    pub redirect_code: Option<u16>,
}

impl LinkRecord {
    /// A link with only its target and kind known; the rest empty.
    pub fn new(fetch_id: u64, ordinal: u32, url_to: String, element: LinkElement) -> Self {
        LinkRecord {
            fetch_id,
            ordinal,
            url_to,
            element,
            anchor: String::new(),
            alt: None,
            image_url: None,
            nofollow: false,
            ugc: false,
            sponsored: false,
            snippet_left: String::new(),
            snippet_right: String::new(),
            semantic_location: None,
            is_content: false,
            js_only: false,
            redirect_code: None,
        }
    }
}

/// A stable 64-bit id for a fetch: the capture's record id and URL, hashed (FNV-1a), so that
/// reading one archive twice yields the same ids and the build can drop the repeats.
pub fn fetch_id(record_id: &str, url: &str, fetched_at: Micros) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in record_id
        .bytes()
        .chain([0u8])
        .chain(url.bytes())
        .chain([0u8])
        .chain(fetched_at.to_le_bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_map_to_both_vocabularies() {
        assert_eq!(LinkElement::MetaRefresh.link_type(), "redirect");
        assert_eq!(LinkElement::MetaRefresh.item_type(), "meta");
        assert_eq!(LinkElement::Anchor.link_type(), "text");
        assert_eq!(LinkElement::Anchor.item_type(), "anchor");
        for e in LinkElement::ALL {
            assert_eq!(LinkElement::parse(e.as_str()), Some(e));
        }
    }

    #[test]
    fn fetch_ids_are_stable_and_distinct() {
        let a = fetch_id("<urn:uuid:1>", "http://a.com/", 5);
        assert_eq!(a, fetch_id("<urn:uuid:1>", "http://a.com/", 5));
        assert_ne!(a, fetch_id("<urn:uuid:1>", "http://a.com/", 6));
        assert_ne!(a, fetch_id("<urn:uuid:2>", "http://a.com/", 5));
    }
}
