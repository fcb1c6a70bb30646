//! Anchorage extract: one streaming pass over an HTML page yields the page's facts
//! ([`PageRecord`]) and every link with its attributes ([`LinkRecord`]).
//!
//! ```
//! use anchorage_core::record::FetchRecord;
//! use anchorage_extract::{ExtractConfig, extract};
//!
//! let fetch = FetchRecord {
//!     url: "https://www.example.com/post".into(),
//!     status: 200,
//!     headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
//!     body: br#"<title>Hi</title><p>See <a href="/docs?a=1&amp;b=2" rel="nofollow">the docs</a>.</p>"#.to_vec(),
//!     ..FetchRecord::default()
//! };
//! let out = extract(&fetch, &ExtractConfig::default());
//! assert_eq!(out.page.title.as_deref(), Some("Hi"));
//! assert_eq!(out.links[0].url_to, "https://www.example.com/docs?a=1&b=2");
//! assert_eq!((out.links[0].anchor.as_str(), out.links[0].nofollow), ("the docs", true));
//! assert_eq!((out.links[0].snippet_left.as_str(), out.links[0].snippet_right.as_str()), ("See", "."));
//! ```
//!
//! Any bytes in, a page out: [`extract`] never fails and never panics. The rules, each
//! documented where it is implemented:
//!
//! - content type, HTML or not, charset detection and decoding: [`encoding`]
//! - the pass itself — element stack, visible text, anchors, snippets, semantic locations,
//!   which elements give which links, caps: [`html`]
//! - URL resolution, dropped links, internal/external and the page's link counts: [`links`]
//! - the main content block behind `is_content`: [`content`]
//! - redirects, `Link:` canonical, `X-Robots-Tag`: [`http`]
//! - robots meta, author, publish date: [`meta`]; page type and category: [`schema`];
//!   `powered_by`: [`powered_by`]; languages: [`language`]
//!
//! Page-level rules kept here:
//!
//! - `page_size` is the size of the whole body in bytes; only the first `max_html_bytes`
//!   (default 5 MiB) are parsed, and a page cut there has `truncated = true` (as has a page
//!   whose capture was already cut).
//! - `title`: the first `<title>`, entities decoded, whitespace collapsed, capped at 1,024
//!   characters; a missing or empty (whitespace-only) title is `None`, never `""`.
//! - `canonical`: the first `<link rel=canonical>` of the document, else the first `Link:`
//!   header canonical; resolved like every link.
//! - `encoding` is set for every HTML page; for other content only when the `Content-Type`
//!   charset or a BOM declares it.
//! - A non-HTML body is not parsed: its only links are the HTTP redirect and `Link:`
//!   canonical. A 3xx response with an HTML body yields the redirect link and the body's links.
//! - The page URL is the normalised response URL (or the raw one when it does not parse);
//!   `fetch_id` is [`anchorage_core::record::fetch_id`] of the record id, the URL as captured
//!   and the fetch time.

mod attrs;
pub mod content;
pub mod encoding;
mod error;
pub mod html;
pub mod http;
pub mod language;
pub mod links;
pub mod meta;
pub mod powered_by;
pub mod schema;
mod stopwords;
mod tags;
mod text;

use anchorage_core::NormalizedUrl;
use anchorage_core::domain::root_domain;
use anchorage_core::record::{FetchRecord, LinkElement, LinkRecord, PageRecord, fetch_id};
use serde::{Deserialize, Serialize};
use url::Url;

/// Limits and switches of the pass. The defaults suit a web-scale ingest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ExtractConfig {
    /// Bytes of body parsed as HTML; the rest is ignored and the page marked truncated.
    pub max_html_bytes: usize,
    /// Links recorded per page (HTTP links included); later ones are not recorded.
    pub max_links: usize,
    /// Longest anchor text and `alt`, in characters.
    pub max_anchor_chars: usize,
    /// Longest snippet on each side of a link, in characters.
    pub snippet_chars: usize,
    /// Deepest element nesting tracked for structure (deeper elements count as inline).
    pub max_depth: usize,
    /// lol_html's memory limit; past it the pass stops and keeps what it found.
    pub max_parser_memory: usize,
    /// Detect the language of the visible text with whatlang.
    pub detect_language: bool,
    /// Bytes of visible text given to language detection.
    pub language_sample_bytes: usize,
}

impl Default for ExtractConfig {
    fn default() -> Self {
        ExtractConfig {
            max_html_bytes: 5 * 1024 * 1024,
            max_links: 10_000,
            max_anchor_chars: 512,
            snippet_chars: 100,
            max_depth: 512,
            max_parser_memory: 64 * 1024 * 1024,
            detect_language: true,
            language_sample_bytes: 2048,
        }
    }
}

/// Everything extracted from one fetch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Extraction {
    pub page: PageRecord,
    pub links: Vec<LinkRecord>,
}

/// Extracts the page facts and links of one HTTP response.
pub fn extract(fetch: &FetchRecord, config: &ExtractConfig) -> Extraction {
    let response = Response::read(fetch);
    let mut page = response.page_record(fetch);
    http::robots(fetch, &mut page.noindex, &mut page.nofollow);
    let mut powered = powered_by::PoweredBy::default();
    powered.headers(&fetch.headers);
    let mut raw_links = http::links(fetch);

    let scan = if page.is_html {
        Some(scan_body(fetch, config, &response, &mut page))
    } else {
        page.encoding = encoding::declared(&fetch.body, response.http_charset).map(encoding::name);
        None
    };
    page.languages = languages(fetch, scan.as_ref(), config);
    let (mut base_href, mut best) = (None, None);
    if let Some(scan) = scan {
        apply_scan_facts(&mut page, &scan, &mut powered);
        base_href = scan.base_href;
        best = scan.best;
        raw_links.extend(scan.links);
    }
    raw_links.truncate(config.max_links);
    page.powered_by = powered.into_vec();

    let resolver = links::Resolver::new(response.url, base_href.as_deref());
    page.canonical = canonical(&raw_links, &resolver);
    let page_root = response.host.as_deref().map(root_domain);
    let (links, counts) = links::assemble(raw_links, &resolver, page.fetch_id, best, page_root);
    page.links_internal = counts.internal;
    page.links_external = counts.external;
    page.linked_domains = counts.linked_domains;
    Extraction { page, links }
}

/// What the response line and headers say, before the body is looked at.
struct Response<'a> {
    normalized: Option<NormalizedUrl>,
    /// The URL relative references resolve against.
    url: Option<Url>,
    host: Option<String>,
    essence: Option<String>,
    http_charset: Option<&'a str>,
}

impl<'a> Response<'a> {
    fn read(fetch: &'a FetchRecord) -> Self {
        let normalized = NormalizedUrl::parse(&fetch.url).ok();
        let url = normalized
            .as_ref()
            .map(|u| u.url().clone())
            .or_else(|| Url::parse(fetch.url.trim()).ok());
        let host = url.as_ref().and_then(|u| u.host_str().map(str::to_string));
        let content_type = fetch.header("content-type");
        Response {
            normalized,
            url,
            host,
            essence: content_type
                .map(encoding::mime_essence)
                .filter(|e| !e.is_empty()),
            http_charset: content_type.and_then(encoding::charset_param),
        }
    }

    /// The page record with everything known without parsing the body.
    fn page_record(&self, fetch: &FetchRecord) -> PageRecord {
        PageRecord {
            fetch_id: fetch_id(&fetch.record_id, &fetch.url, fetch.fetched_at),
            url: self
                .normalized
                .as_ref()
                .map_or_else(|| fetch.url.trim().to_string(), |u| u.as_str().to_string()),
            fetched_at: fetch.fetched_at,
            http_code: fetch.status,
            content_type: self.essence.clone(),
            is_html: encoding::is_html(self.essence.as_deref(), &fetch.body, self.http_charset),
            page_size: fetch.body.len() as u64,
            ip: fetch.ip.clone(),
            source: fetch.source,
            js_rendered: fetch.js_rendered,
            truncated: fetch.truncated,
            fetch_error: fetch.error,
            content_hash: (fetch.error.is_none() && !fetch.body.is_empty())
                .then(|| xxhash_rust::xxh3::xxh3_64(&fetch.body)),
            ..PageRecord::default()
        }
    }
}

/// Decodes the (capped) body and runs the HTML pass over it.
fn scan_body(
    fetch: &FetchRecord,
    config: &ExtractConfig,
    response: &Response<'_>,
    page: &mut PageRecord,
) -> html::ScanOutput {
    let body = &fetch.body[..fetch.body.len().min(config.max_html_bytes)];
    if body.len() < fetch.body.len() {
        page.truncated = true;
        tracing::debug!(url = %fetch.url, size = fetch.body.len(), "HTML cut at max_html_bytes");
    }
    let tld = response
        .host
        .as_deref()
        .and_then(|h| h.rsplit('.').next())
        .map(str::as_bytes);
    let (enc, source) = encoding::detect(body, response.http_charset, tld);
    tracing::trace!(encoding = enc.name(), ?source, "encoding");
    page.encoding = Some(encoding::name(enc));
    let scan = html::scan(&encoding::decode(body, enc), config);
    if scan.links_capped {
        tracing::debug!(url = %fetch.url, cap = config.max_links, "link cap reached");
    }
    scan
}

/// Declared languages in order (`<html lang>`, `Content-Language`, meta), then the detected one.
fn languages(
    fetch: &FetchRecord,
    scan: Option<&html::ScanOutput>,
    config: &ExtractConfig,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(lang) = scan.and_then(|s| s.html_lang.as_deref()) {
        language::push_declared(lang, &mut out);
    }
    for (name, value) in &fetch.headers {
        if name.trim().eq_ignore_ascii_case("content-language") {
            language::push_declared(value, &mut out);
        }
    }
    if let Some(lang) = scan.and_then(|s| s.meta.content_language.as_deref()) {
        language::push_declared(lang, &mut out);
    }
    if config.detect_language
        && let Some(code) = scan.and_then(|s| {
            language::detect_unless_confirmed(out.first().map(String::as_str), &s.lang_sample)
        })
    {
        language::push_unique(&mut out, code);
    }
    out
}

/// Copies the facts of the HTML pass onto the page.
fn apply_scan_facts(
    page: &mut PageRecord,
    scan: &html::ScanOutput,
    powered: &mut powered_by::PoweredBy,
) {
    page.title = scan.title.clone();
    page.noindex |= scan.meta.noindex;
    page.nofollow |= scan.meta.nofollow;
    page.author = scan.meta.author();
    page.publish_date = scan.meta.publish_date();
    page.page_type = scan.meta.page_type();
    page.page_category = scan.meta.page_category();
    powered.merge(&scan.powered);
    if let Some(e) = &scan.parse_error {
        tracing::debug!(url = %page.url, error = %e, "partial extraction");
    }
}

/// The document's first canonical, else the header's, resolved.
fn canonical(raw: &[links::RawLink], resolver: &links::Resolver) -> Option<String> {
    let canonicals = raw.iter().filter(|l| l.element == LinkElement::Canonical);
    let chosen = canonicals
        .clone()
        .find(|l| !l.http_level)
        .or_else(|| canonicals.clone().next())?;
    // A canonical that does not resolve falls back to the next one of the same origin.
    canonicals
        .filter(|l| l.http_level == chosen.http_level)
        .find_map(|l| resolver.resolve(&l.href, l.http_level))
        .map(|u| u.as_str().to_string())
}

#[cfg(test)]
mod tests;
