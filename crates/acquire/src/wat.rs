//! Common Crawl WAT records: JSON envelopes (WARC-Type `metadata`, Content-Type
//! `application/json`) describing one record of the original WARC. For a `response` whose HTML
//! links were extracted (`Envelope.Payload-Metadata.HTTP-Response-Metadata.HTML-Metadata.Links`)
//! they become a page record and its links, without the HTML.
//!
//! Layout (ia-web-commons, the extractor Common Crawl runs):
//! ```text
//! {"Container": {...},
//!  "Envelope": {"Format": "WARC", "WARC-Header-Length": "..", "Block-Digest": "..",
//!    "WARC-Header-Metadata": {"WARC-Type": "response", "WARC-Target-URI": "..",
//!       "WARC-Date": "..", "WARC-Record-ID": "<urn:uuid:..>", "WARC-IP-Address": ".."},
//!    "Payload-Metadata": {"Actual-Content-Type": "application/http; msgtype=response",
//!      "HTTP-Response-Metadata": {
//!        "Response-Message": {"Version": "HTTP/1.1", "Status": "200", "Reason": "OK"},
//!        "Headers": {"Content-Type": "..", ...}, "Entity-Length": "..",
//!        "HTML-Metadata": {
//!          "Head": {"Title": "..", "Base": "..", "Metas": [{"name": "..", "content": ".."}],
//!                   "Link": [{"path": "LINK@/href", "url": "..", "rel": "canonical"}]},
//!          "Links": [{"path": "A@/href", "url": "..", "text": "..", "rel": "nofollow"},
//!                    {"path": "IMG@/src", "url": "..", "alt": ".."}, ...]}}}}}
//! ```
//! All scalar values are JSON strings there; numbers are accepted too.

use crate::reader::reasons;
use anchorage_core::NormalizedUrl;
use anchorage_core::domain::root_domain;
use anchorage_core::record::{LinkElement, LinkRecord, PageRecord, SourceKind, fetch_id, header};
use anchorage_core::time::parse_warc_date;
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};
use std::collections::{BTreeSet, HashSet};
use url::Url;

/// What a WAT record amounts to.
#[derive(Debug)]
pub(crate) enum WatOutcome {
    Page(Box<PageRecord>, Vec<LinkRecord>),
    /// Metadata of a request, a metadata record, a non-HTML response…: nothing to yield.
    Nothing,
}

/// Parses one WAT JSON payload. `fallback_id` is the WAT record's `WARC-Refers-To` (the id of
/// the described record), used when the envelope lacks `WARC-Record-ID`. Errors are skip
/// reasons.
pub(crate) fn extract(json: &[u8], fallback_id: Option<&str>) -> Result<WatOutcome, &'static str> {
    let doc: WatDoc = serde_json::from_slice(json).map_err(|_| reasons::MALFORMED_WAT_JSON)?;
    let env = doc.envelope;
    let is_response = env
        .warc
        .warc_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("response"));
    match env.payload.http.filter(|_| is_response) {
        Some(http) => page_from(&env.warc, http, fallback_id),
        None => Ok(WatOutcome::Nothing),
    }
}

/// The page and links of a response envelope; nothing when it has neither `Links` nor a
/// redirect (a non-HTML payload, or a page the extractor found no links in).
fn page_from(
    warc: &WarcMeta,
    http: HttpMeta,
    fallback_id: Option<&str>,
) -> Result<WatOutcome, &'static str> {
    let status = http
        .message
        .status
        .as_deref()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(0);
    let headers = header_pairs(&http.headers);
    let html = http.html.unwrap_or_default();
    let location = redirect_target(status, &headers);
    if !html.links.is_array() && location.is_none() {
        return Ok(WatOutcome::Nothing);
    }
    let capture = Capture::from_envelope(warc, fallback_id)?;
    let page_url = NormalizedUrl::parse(&capture.url).map_err(|_| reasons::PAGE_URL)?;
    let base = html
        .head
        .base
        .as_deref()
        .and_then(|b| page_url.url().join(b.trim()).ok())
        .unwrap_or_else(|| page_url.url().clone());
    let id = fetch_id(&capture.record_id, &capture.url, capture.fetched_at);
    let mut links = Links::new(id, base);
    if let Some(target) = location {
        links.push_redirect(page_url.url(), target, status);
    }
    links.push_all(&html.head.link, &html.links, &html.head.metas);
    let entity_length = http.entity_length.as_deref();
    let page = page_record(
        id,
        &page_url,
        &capture,
        status,
        &headers,
        &html,
        entity_length,
    );
    let page = counted(page, &page_url, &links.out);
    Ok(WatOutcome::Page(Box::new(page), links.out))
}

/// The described capture's identity, from `WARC-Header-Metadata`.
struct Capture {
    url: String,
    record_id: String,
    fetched_at: i64,
    ip: Option<String>,
}

impl Capture {
    fn from_envelope(warc: &WarcMeta, fallback_id: Option<&str>) -> Result<Self, &'static str> {
        let url = warc.target_uri.as_deref().map(strip_brackets).unwrap_or("");
        if url.is_empty() {
            return Err(reasons::MISSING_URI);
        }
        let fetched_at = warc
            .date
            .as_deref()
            .and_then(parse_warc_date)
            .ok_or(reasons::MALFORMED_DATE)?;
        let record_id = warc
            .record_id
            .as_deref()
            .or(fallback_id)
            .map(str::trim)
            .unwrap_or_default()
            .to_string();
        Ok(Capture {
            url: url.to_string(),
            record_id,
            fetched_at,
            ip: warc.ip.clone().filter(|ip| !ip.is_empty()),
        })
    }
}

fn strip_brackets(s: &str) -> &str {
    let s = s.trim();
    s.strip_prefix('<')
        .and_then(|u| u.strip_suffix('>'))
        .unwrap_or(s)
}

/// The page row; link counts are filled in by [`counted`].
fn page_record(
    id: u64,
    page_url: &NormalizedUrl,
    capture: &Capture,
    status: u16,
    headers: &[(String, String)],
    html: &HtmlMeta,
    entity_length: Option<&str>,
) -> PageRecord {
    let content_type = header(headers, "content-type");
    let mime = content_type
        .and_then(|ct| ct.split(';').next())
        .map(|m| m.trim().to_ascii_lowercase())
        .filter(|m| !m.is_empty());
    let (robots_noindex, robots_nofollow) = robots(&html.head.metas, headers);
    PageRecord {
        fetch_id: id,
        url: page_url.as_str().to_string(),
        fetched_at: capture.fetched_at,
        http_code: status,
        is_html: mime.as_deref().is_none_or(|m| m.contains("html")),
        content_type: mime,
        encoding: content_type.and_then(charset),
        title: html
            .head
            .title
            .as_deref()
            .map(collapse)
            .filter(|t| !t.is_empty()),
        page_size: entity_length
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(0),
        noindex: robots_noindex,
        nofollow: robots_nofollow,
        ip: capture.ip.clone(),
        source: SourceKind::Wat,
        ..PageRecord::default()
    }
}

/// Fills canonical and the internal/external counts (by root domain, as Ahrefs counts them).
fn counted(mut page: PageRecord, page_url: &NormalizedUrl, links: &[LinkRecord]) -> PageRecord {
    let page_root = root_domain(page_url.host()).to_string();
    let mut external_roots = BTreeSet::new();
    for link in links {
        let Ok(target) = Url::parse(&link.url_to) else {
            continue;
        };
        let root = root_domain(target.host_str().unwrap_or_default());
        if root == page_root {
            page.links_internal += 1;
        } else {
            page.links_external += 1;
            external_roots.insert(root.to_string());
        }
        if link.element == LinkElement::Canonical && page.canonical.is_none() {
            page.canonical = Some(link.url_to.clone());
        }
    }
    page.linked_domains = u32::try_from(external_roots.len()).unwrap_or(u32::MAX);
    page
}

/// `charset=` of a Content-Type, lower-cased.
fn charset(content_type: &str) -> Option<String> {
    content_type.split(';').skip(1).find_map(|param| {
        let (k, v) = param.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| v.trim().trim_matches(['"', '\'']).to_ascii_lowercase())
            .filter(|v| !v.is_empty())
    })
}

/// Page-level noindex / nofollow from `<meta name=robots>` and `X-Robots-Tag`.
fn robots(metas: &Value, headers: &[(String, String)]) -> (bool, bool) {
    let mut directives: Vec<String> = headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("x-robots-tag"))
        .map(|(_, v)| v.to_ascii_lowercase())
        .collect();
    for meta in metas.as_array().into_iter().flatten() {
        let Some(obj) = meta.as_object() else {
            continue;
        };
        if get(obj, "name").is_some_and(|n| n.trim().eq_ignore_ascii_case("robots")) {
            directives.extend(get(obj, "content").map(str::to_ascii_lowercase));
        }
    }
    let has = |word: &str| {
        directives.iter().any(|d| {
            d.split(|c: char| c == ',' || c == ':' || c.is_whitespace())
                .any(|t| t == word)
        })
    };
    (
        has("noindex") || has("none"),
        has("nofollow") || has("none"),
    )
}

/// `Location` of a 3xx response.
fn redirect_target(status: u16, headers: &[(String, String)]) -> Option<&str> {
    if !(300..400).contains(&status) {
        return None;
    }
    header(headers, "location")
        .map(str::trim)
        .filter(|l| !l.is_empty())
}

/// Collects a page's links in document order.
struct Links {
    fetch_id: u64,
    base: Url,
    out: Vec<LinkRecord>,
}

impl Links {
    fn new(fetch_id: u64, base: Url) -> Self {
        Links {
            fetch_id,
            base,
            out: Vec::new(),
        }
    }

    fn push_redirect(&mut self, page: &Url, target: &str, status: u16) {
        if let Ok(to) = NormalizedUrl::join(page, target) {
            let mut link = self.link(to, LinkElement::HttpRedirect);
            link.redirect_code = Some(status);
            self.out.push(link);
        }
    }

    /// In document order: `<head>` links, a meta refresh known only from `Metas` (when
    /// `Links` has no `META@/content` entry for it), then the body links.
    fn push_all(&mut self, head_links: &Value, body_links: &Value, metas: &Value) {
        let path_of =
            |entry: &Map<String, Value>| get(entry, "path").unwrap_or_default().to_string();
        let mut seen_head: HashSet<(String, String)> = HashSet::new();
        for entry in objects(head_links) {
            seen_head.insert(entry_key(entry));
            self.push_entry(entry);
        }
        let has_refresh =
            objects(body_links).any(|e| path_of(e).eq_ignore_ascii_case("META@/content"));
        if !has_refresh {
            self.push_meta_refresh(metas);
        }
        for entry in objects(body_links) {
            // A `<link>` listed in both places is one link.
            let is_link_tag = path_of(entry).eq_ignore_ascii_case("LINK@/href");
            if is_link_tag && seen_head.contains(&entry_key(entry)) {
                continue;
            }
            self.push_entry(entry);
        }
    }

    fn push_entry(&mut self, entry: &Map<String, Value>) {
        let path = get(entry, "path").unwrap_or_default();
        let Some(element) = element_for(path, entry) else {
            return;
        };
        let raw = get(entry, "url").unwrap_or_default();
        let target = if element == LinkElement::MetaRefresh {
            refresh_target(raw)
        } else {
            Some(raw)
        };
        let Some(to) = target.and_then(|t| NormalizedUrl::join(&self.base, t).ok()) else {
            return;
        };
        let mut link = self.link(to, element);
        link.anchor = get(entry, "text").map(collapse).unwrap_or_default();
        link.alt = get(entry, "alt").map(collapse).filter(|a| !a.is_empty());
        let rel = get(entry, "rel").unwrap_or_default().to_ascii_lowercase();
        for token in rel.split_ascii_whitespace() {
            match token {
                "nofollow" => link.nofollow = true,
                "ugc" => link.ugc = true,
                "sponsored" => link.sponsored = true,
                _ => {}
            }
        }
        if element == LinkElement::MetaRefresh {
            link.redirect_code = Some(0);
        }
        self.out.push(link);
    }

    fn push_meta_refresh(&mut self, metas: &Value) {
        for meta in objects(metas) {
            let is_refresh =
                get(meta, "http-equiv").is_some_and(|h| h.trim().eq_ignore_ascii_case("refresh"));
            let target = get(meta, "content").and_then(refresh_target);
            if let (true, Some(target)) = (is_refresh, target)
                && let Ok(to) = NormalizedUrl::join(&self.base, target)
            {
                let mut link = self.link(to, LinkElement::MetaRefresh);
                link.redirect_code = Some(0);
                self.out.push(link);
            }
        }
    }

    fn link(&self, to: NormalizedUrl, element: LinkElement) -> LinkRecord {
        let ordinal = u32::try_from(self.out.len()).unwrap_or(u32::MAX);
        LinkRecord::new(self.fetch_id, ordinal, to.as_str().to_string(), element)
    }
}

/// Maps a WAT link path (`TAG@/attribute`) to the element kind; None for what is not a link
/// in the backlink sense (images, scripts, stylesheets, icons…).
fn element_for(path: &str, entry: &Map<String, Value>) -> Option<LinkElement> {
    let (tag, attr) = path.split_once("@/")?;
    let tag = tag.rsplit('/').next().unwrap_or(tag).to_ascii_uppercase();
    let attr = attr.to_ascii_lowercase();
    match (tag.as_str(), attr.as_str()) {
        ("A" | "AREA", "href") => Some(LinkElement::Anchor),
        ("IFRAME" | "FRAME", "src") => Some(LinkElement::Frame),
        ("FORM", "action") => Some(LinkElement::Form),
        ("LINK", "href") => link_rel_element(entry),
        // ia-web-commons emits META@/content for refresh; an explicit other http-equiv or a
        // name/property attribute means some other meta.
        ("META", "content") => {
            let other = get(entry, "http-equiv")
                .is_some_and(|h| !h.eq_ignore_ascii_case("refresh"))
                || get(entry, "name").is_some()
                || get(entry, "property").is_some();
            (!other).then_some(LinkElement::MetaRefresh)
        }
        _ => None,
    }
}

/// `<link rel=…>`: canonical, alternate (feeds as Rss); other rels are resources, not links.
fn link_rel_element(entry: &Map<String, Value>) -> Option<LinkElement> {
    let rel = get(entry, "rel")?.to_ascii_lowercase();
    let tokens: Vec<&str> = rel.split_ascii_whitespace().collect();
    if tokens.contains(&"canonical") {
        return Some(LinkElement::Canonical);
    }
    if !tokens.contains(&"alternate") {
        return None;
    }
    let kind = get(entry, "type").unwrap_or_default().to_ascii_lowercase();
    if kind.contains("rss") || kind.contains("atom") {
        Some(LinkElement::Rss)
    } else {
        Some(LinkElement::Alternate)
    }
}

/// The URL of a refresh `content` (`0; url=/next`, `5;URL='/x'`, or a bare URL).
fn refresh_target(content: &str) -> Option<&str> {
    let mut s = content.trim();
    let delay = s
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    if delay > 0 {
        s = s[delay..].trim_start();
        s = s.strip_prefix([';', ','])?.trim_start();
    }
    if s.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("url"))
        && let Some(rest) = s[3..].trim_start().strip_prefix('=')
    {
        s = rest.trim();
    }
    let s = s.trim_matches(['"', '\'']).trim();
    (!s.is_empty()).then_some(s)
}

fn objects(v: &Value) -> impl Iterator<Item = &Map<String, Value>> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

/// A string field, looked up exactly and then case-insensitively.
fn get<'a>(obj: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    obj.get(key)
        .or_else(|| {
            obj.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        })
        .and_then(Value::as_str)
}

fn entry_key(entry: &Map<String, Value>) -> (String, String) {
    let field = |k| get(entry, k).unwrap_or_default().to_string();
    (field("url"), field("rel"))
}

/// Whitespace runs collapsed to one space, ends trimmed.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn header_pairs(headers: &Value) -> Vec<(String, String)> {
    let Some(obj) = headers.as_object() else {
        return Vec::new();
    };
    obj.iter()
        .filter_map(|(k, v)| {
            let value = match v {
                Value::String(s) => s.clone(),
                Value::Array(items) => items
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
                Value::Number(n) => n.to_string(),
                _ => return None,
            };
            Some((k.clone(), value))
        })
        .collect()
}

// The parts of the envelope read; everything else is skipped by serde without allocation.

#[derive(Deserialize, Default)]
#[serde(default)]
struct WatDoc {
    #[serde(rename = "Envelope")]
    envelope: Envelope,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Envelope {
    #[serde(rename = "WARC-Header-Metadata")]
    warc: WarcMeta,
    #[serde(rename = "Payload-Metadata")]
    payload: PayloadMeta,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct WarcMeta {
    #[serde(rename = "WARC-Type", deserialize_with = "lenient")]
    warc_type: Option<String>,
    #[serde(rename = "WARC-Target-URI", deserialize_with = "lenient")]
    target_uri: Option<String>,
    #[serde(rename = "WARC-Date", deserialize_with = "lenient")]
    date: Option<String>,
    #[serde(rename = "WARC-Record-ID", deserialize_with = "lenient")]
    record_id: Option<String>,
    #[serde(rename = "WARC-IP-Address", deserialize_with = "lenient")]
    ip: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PayloadMeta {
    #[serde(rename = "HTTP-Response-Metadata")]
    http: Option<HttpMeta>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HttpMeta {
    #[serde(rename = "Response-Message")]
    message: ResponseMessage,
    #[serde(rename = "Headers")]
    headers: Value,
    #[serde(rename = "Entity-Length", deserialize_with = "lenient")]
    entity_length: Option<String>,
    #[serde(rename = "HTML-Metadata")]
    html: Option<HtmlMeta>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ResponseMessage {
    #[serde(rename = "Status", deserialize_with = "lenient")]
    status: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HtmlMeta {
    #[serde(rename = "Head")]
    head: Head,
    #[serde(rename = "Links")]
    links: Value,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Head {
    #[serde(rename = "Title", deserialize_with = "lenient")]
    title: Option<String>,
    #[serde(rename = "Base", deserialize_with = "lenient")]
    base: Option<String>,
    #[serde(rename = "Link")]
    link: Value,
    #[serde(rename = "Metas")]
    metas: Value,
}

/// Any JSON scalar as a string; arrays, objects and null as None.
fn lenient<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_targets() {
        assert_eq!(refresh_target("0; url=/next"), Some("/next"));
        assert_eq!(
            refresh_target("5;URL='http://a.com/x'"),
            Some("http://a.com/x")
        );
        assert_eq!(refresh_target("0.5, url = b.html"), Some("b.html"));
        assert_eq!(refresh_target("http://a.com/"), Some("http://a.com/"));
        assert_eq!(refresh_target("30"), None);
        assert_eq!(refresh_target("é"), Some("é"));
    }

    #[test]
    fn charset_and_collapse() {
        assert_eq!(
            charset("text/html; Charset=\"UTF-8\"").as_deref(),
            Some("utf-8")
        );
        assert_eq!(charset("text/html"), None);
        assert_eq!(collapse("  Examples \n\t & more "), "Examples & more");
    }

    #[test]
    fn non_response_and_linkless_records_yield_nothing() {
        let request = br#"{"Envelope":{"WARC-Header-Metadata":{"WARC-Type":"request"}}}"#;
        assert!(matches!(extract(request, None), Ok(WatOutcome::Nothing)));
        let no_links = br#"{"Envelope":{"WARC-Header-Metadata":{"WARC-Type":"response"},
            "Payload-Metadata":{"HTTP-Response-Metadata":{"Response-Message":{"Status":"200"},
            "HTML-Metadata":{"Head":{"Title":"x"}}}}}}"#;
        assert!(matches!(extract(no_links, None), Ok(WatOutcome::Nothing)));
        assert!(matches!(
            extract(b"{not json", None),
            Err(reasons::MALFORMED_WAT_JSON)
        ));
        assert!(matches!(
            extract(b"[1,2]", None),
            Err(reasons::MALFORMED_WAT_JSON)
        ));
    }

    #[test]
    fn redirect_without_html_is_a_link() {
        let json = br#"{"Envelope":{"WARC-Header-Metadata":{"WARC-Type":"response",
            "WARC-Target-URI":"http://a.com/old","WARC-Date":"2024-05-18T01:58:10Z",
            "WARC-Record-ID":"<urn:uuid:r>"},
            "Payload-Metadata":{"HTTP-Response-Metadata":{"Response-Message":{"Status":"301"},
            "Headers":{"Location":"/new"}}}}}"#;
        let Ok(WatOutcome::Page(page, links)) = extract(json, None) else {
            panic!("expected a page");
        };
        assert_eq!(page.http_code, 301);
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].element, LinkElement::HttpRedirect);
        assert_eq!(links[0].url_to, "http://a.com/new");
        assert_eq!(links[0].redirect_code, Some(301));
    }
}
