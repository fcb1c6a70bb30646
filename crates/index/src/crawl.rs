//! The crawler's sink: crawled responses → extraction → the fetch log, and the URLs each page
//! links to back to the crawler.
//!
//! - A response is extracted exactly as an archived one ([`anchorage_extract::extract`]), in
//!   parallel over the batch; the records are buffered in a [`LogWriter`] that never flushes
//!   on its own: a segment is written only at [`CrawlSink::commit`], carrying the crawler's
//!   batch marker in its `sources`, which is how a restarted crawl learns which of its
//!   journaled batches reached the log ([`CrawlSink::is_committed`]).
//! - A rendered page (`--render js`) is extracted twice: as served and as rendered. The
//!   rendered document gives the page record (`js_rendered`) and the links; a link is
//!   `js_only` when the served HTML does not have it (same target and element, counted as a
//!   multiset).
//! - A feed (RSS or Atom, by content type) fetched as a page gives its links too: the
//!   channel's `<link>` and each item's (Atom: `<link href>` of the feed and of each entry),
//!   element `rss`, anchor = the title.
//! - Discovered URLs: every link but forms is followable; `nofollow` is the link's
//!   `nofollow|ugc|sponsored` or the page's own nofollow. Quality (priority among URLs of the
//!   same depth): 128, +64 for a link in the page's main content, −32 for one in a header,
//!   nav, footer or aside, −64 when nofollow.

use crate::error::IndexError;
use crate::layout::DataDir;
use crate::log::{LogWriter, SourceFile, ingested_sources};
use anchorage_acquire::crawl::{
    Accepted, CrawlSink, CrawledPage, Discovered, FetchPurpose, LinkKind, SinkError,
};
use anchorage_core::NormalizedUrl;
use anchorage_core::record::{FetchRecord, LinkElement, LinkRecord, PageRecord};
use anchorage_extract::{ExtractConfig, Extraction, extract};
use quick_xml::Reader;
use quick_xml::events::Event;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// Appends crawled pages and their links to the fetch log.
pub struct LogSink {
    dir: DataDir,
    writer: LogWriter,
    config: ExtractConfig,
    /// Markers of committed batches (loaded on first use).
    committed: Option<HashSet<String>>,
    /// Segments this sink wrote.
    pub segments: u64,
}

impl LogSink {
    pub fn new(dir: DataDir, config: ExtractConfig) -> LogSink {
        let mut writer = LogWriter::new(dir.clone());
        // Segments are cut at the crawler's commits only, so each carries its marker.
        writer.flush_links = usize::MAX;
        LogSink {
            dir,
            writer,
            config,
            committed: None,
            segments: 0,
        }
    }
}

impl CrawlSink for LogSink {
    fn accept(&mut self, pages: &[CrawledPage]) -> Result<Vec<Accepted>, SinkError> {
        let config = &self.config;
        let records: Vec<(PageRecord, Vec<LinkRecord>)> =
            pages.par_iter().map(|p| records_of(p, config)).collect();
        let mut out = Vec::with_capacity(records.len());
        for ((page, links), crawled) in records.into_iter().zip(pages) {
            let follows = crawled.purpose != FetchPurpose::Robots;
            out.push(Accepted {
                discovered: if follows {
                    discovered(&page, &links)
                } else {
                    Vec::new()
                },
                links: links.len() as u64,
            });
            self.writer.add(page, links).map_err(boxed)?;
        }
        Ok(out)
    }

    fn commit(&mut self, marker: &str) -> Result<(), SinkError> {
        self.writer
            .finish_source(SourceFile {
                path: marker.to_string(),
                sha256: marker.to_string(),
                bytes: 0,
            })
            .map_err(boxed)?;
        self.segments += 1;
        if let Some(set) = &mut self.committed {
            set.insert(marker.to_string());
        }
        Ok(())
    }

    fn is_committed(&mut self, marker: &str) -> Result<bool, SinkError> {
        if self.committed.is_none() {
            self.committed = Some(ingested_sources(&self.dir).map_err(boxed)?);
        }
        Ok(self.committed.as_ref().is_some_and(|s| s.contains(marker)))
    }
}

fn boxed(e: IndexError) -> SinkError {
    Box::new(e)
}

/// The log records of one crawled response.
pub fn records_of(page: &CrawledPage, config: &ExtractConfig) -> (PageRecord, Vec<LinkRecord>) {
    let served = extract(&page.fetch, config);
    let Extraction {
        page: mut record,
        mut links,
    } = match &page.rendered {
        Some(dom) => rendered(&page.fetch, dom, &served, config),
        None => served,
    };
    if page.purpose == FetchPurpose::Page && is_feed(&page.fetch) {
        let feed = feed_links(&page.fetch, record.fetch_id, links.len() as u32);
        links.extend(feed);
    }
    if page.rendered.is_some() {
        record.page_size = page.fetch.body.len() as u64;
    }
    (record, links)
}

/// The rendered document's extraction, its links marked `js_only` when the served HTML lacks
/// them.
fn rendered(
    fetch: &FetchRecord,
    dom: &[u8],
    served: &Extraction,
    config: &ExtractConfig,
) -> Extraction {
    let mut headers: Vec<(String, String)> = fetch
        .headers
        .iter()
        .filter(|(k, _)| {
            !k.eq_ignore_ascii_case("content-type") && !k.eq_ignore_ascii_case("content-encoding")
        })
        .cloned()
        .collect();
    // Chromium serialises the DOM as UTF-8 whatever the page was served in.
    headers.push(("Content-Type".into(), "text/html; charset=utf-8".into()));
    let dom_fetch = FetchRecord {
        body: dom.to_vec(),
        headers,
        js_rendered: true,
        ..fetch.clone()
    };
    let mut out = extract(&dom_fetch, config);
    let mut plain: HashMap<(&str, LinkElement), usize> = HashMap::new();
    for l in &served.links {
        *plain.entry((l.url_to.as_str(), l.element)).or_default() += 1;
    }
    for l in &mut out.links {
        match plain.get_mut(&(l.url_to.as_str(), l.element)) {
            Some(n) if *n > 0 => *n -= 1,
            _ => l.js_only = true,
        }
    }
    out
}

/// The URLs a page links to, one entry per URL (its best link).
pub fn discovered(page: &PageRecord, links: &[LinkRecord]) -> Vec<Discovered> {
    let mut out: Vec<Discovered> = Vec::new();
    let mut index: HashMap<&str, usize> = HashMap::new();
    for l in links {
        let d = Discovered {
            url: l.url_to.clone(),
            kind: kind_of(l.element),
            nofollow: l.nofollow || l.ugc || l.sponsored || page.nofollow,
            quality: quality(l, page.nofollow),
        };
        match index.get(l.url_to.as_str()) {
            Some(&i) => merge(&mut out[i], d),
            None => {
                index.insert(l.url_to.as_str(), out.len());
                out.push(d);
            }
        }
    }
    out
}

/// Two links to one URL: followed if either is, at the better quality; a redirect stays a
/// redirect (its hop count matters).
fn merge(kept: &mut Discovered, other: Discovered) {
    let redirect = kept.kind.is_redirect() || other.kind.is_redirect();
    if !kept.kind.followable() || (redirect && !kept.kind.is_redirect()) {
        kept.kind = other.kind;
    }
    kept.nofollow &= other.nofollow;
    kept.quality = kept.quality.max(other.quality);
}

fn kind_of(element: LinkElement) -> LinkKind {
    match element {
        LinkElement::Anchor | LinkElement::Image => LinkKind::Anchor,
        LinkElement::HttpRedirect => LinkKind::Redirect,
        LinkElement::MetaRefresh => LinkKind::MetaRefresh,
        LinkElement::Frame => LinkKind::Frame,
        LinkElement::Canonical => LinkKind::Canonical,
        LinkElement::Alternate => LinkKind::Alternate,
        LinkElement::Rss => LinkKind::Feed,
        LinkElement::Form => LinkKind::Other,
    }
}

fn quality(link: &LinkRecord, page_nofollow: bool) -> u8 {
    let mut q: i32 = 128;
    if link.is_content {
        q += 64;
    }
    if matches!(
        link.semantic_location.as_deref(),
        Some("header" | "nav" | "footer" | "aside")
    ) {
        q -= 32;
    }
    if link.nofollow || link.ugc || link.sponsored || page_nofollow {
        q -= 64;
    }
    q.clamp(0, 255) as u8
}

fn is_feed(fetch: &FetchRecord) -> bool {
    let ct = fetch
        .header("content-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    (200..300).contains(&fetch.status)
        && [
            "application/rss+xml",
            "application/atom+xml",
            "application/rss",
            "text/rss",
        ]
        .iter()
        .any(|t| ct.starts_with(t))
}

/// The links of an RSS or Atom feed, numbered from `first_ordinal`.
pub fn feed_links(fetch: &FetchRecord, fetch_id: u64, first_ordinal: u32) -> Vec<LinkRecord> {
    let Ok(base) = NormalizedUrl::parse(&fetch.url) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (title, href) in feed_entries(&fetch.body) {
        let Ok(url) = NormalizedUrl::join(base.url(), &href) else {
            continue;
        };
        let ordinal = first_ordinal + out.len() as u32;
        let mut link = LinkRecord::new(
            fetch_id,
            ordinal,
            url.as_str().to_string(),
            LinkElement::Rss,
        );
        link.anchor = title.split_whitespace().collect::<Vec<_>>().join(" ");
        out.push(link);
    }
    out
}

/// (title, link) of the channel/feed, then of each item/entry, in document order.
fn feed_entries(xml: &[u8]) -> Vec<(String, String)> {
    let mut reader = Reader::from_reader(xml);
    let mut out: Vec<(String, String)> = Vec::new();
    // The title and link of the element being read (channel/feed first, then each item).
    let mut current: (String, Option<String>) = (String::new(), None);
    let mut text: Option<String> = None;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "item" | "entry" => flush_entry(&mut out, &mut current),
                "title" | "link" => {
                    atom_href(&e, &mut current);
                    text = Some(String::new());
                }
                _ => {}
            },
            Ok(Event::Empty(e)) if e.local_name().as_ref() == "link" => atom_href(&e, &mut current),
            Ok(Event::Text(t)) => {
                if let Some(s) = text.as_mut() {
                    s.push_str(&t.xml10_content());
                }
            }
            Ok(Event::CData(t)) => {
                if let Some(s) = text.as_mut() {
                    s.push_str(&t.into_inner());
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let Some(s) = text.as_mut() {
                    push_entity(s, &r);
                }
            }
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                "title" if current.0.is_empty() => current.0 = text.take().unwrap_or_default(),
                "link" => {
                    let t = text.take().unwrap_or_default();
                    if current.1.is_none() && !t.trim().is_empty() {
                        current.1 = Some(t.trim().to_string());
                    }
                }
                "item" | "entry" | "channel" | "feed" => flush_entry(&mut out, &mut current),
                _ => text = None,
            },
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        buf.clear();
    }
    out
}

fn flush_entry(out: &mut Vec<(String, String)>, current: &mut (String, Option<String>)) {
    let (title, link) = std::mem::take(current);
    if let Some(link) = link {
        out.push((title, link));
    }
}

/// Atom's `<link href>` (rel absent or `alternate`).
fn atom_href(e: &quick_xml::events::BytesStart<'_>, current: &mut (String, Option<String>)) {
    let mut href = None;
    let mut alternate = true;
    for attr in e.attributes().flatten() {
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map(|v| v.into_owned())
            .unwrap_or_else(|_| attr.value.to_string());
        match attr.key.local_name().as_ref() {
            "href" => href = Some(value),
            "rel" => alternate = value.eq_ignore_ascii_case("alternate"),
            _ => {}
        }
    }
    if let (Some(href), true, None) = (href, alternate, &current.1) {
        current.1 = Some(href);
    }
}

fn push_entity(text: &mut String, r: &quick_xml::events::BytesRef<'_>) {
    if r.is_char_ref() {
        if let Ok(Some(c)) = r.resolve_char_ref() {
            text.push(c);
        }
    } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r.xml10_content()) {
        text.push_str(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchorage_core::record::SourceKind;

    fn page(url: &str, ct: &str, body: &str) -> CrawledPage {
        CrawledPage {
            fetch: FetchRecord {
                url: url.into(),
                status: 200,
                headers: vec![("Content-Type".into(), ct.into())],
                body: body.as_bytes().to_vec(),
                record_id: "<urn:uuid:1>".into(),
                source: SourceKind::Crawl,
                ..FetchRecord::default()
            },
            rendered: None,
            purpose: FetchPurpose::Page,
            depth: 0,
        }
    }

    #[test]
    fn discovered_urls_merge_duplicates() {
        let p = page(
            "http://a.test/",
            "text/html",
            r#"<nav><a href="/x">x</a></nav><main><p>Read <a href="/x">x</a> and
               <a href="/n" rel="nofollow">n</a></p></main><form action="/f"></form>"#,
        );
        let (record, links) = records_of(&p, &ExtractConfig::default());
        let d = discovered(&record, &links);
        let x = d.iter().find(|d| d.url == "http://a.test/x").unwrap();
        assert_eq!(x.kind, LinkKind::Anchor);
        assert!(!x.nofollow);
        let n = d.iter().find(|d| d.url == "http://a.test/n").unwrap();
        assert!(n.nofollow);
        assert!(n.quality < x.quality);
        let f = d.iter().find(|d| d.url == "http://a.test/f").unwrap();
        assert_eq!(f.kind, LinkKind::Other);
    }

    #[test]
    fn rendered_links_are_js_only_when_new() {
        let mut p = page(
            "http://a.test/",
            "text/html; charset=iso-8859-1",
            r#"<a href="/a">a</a><script>document.write('<a href=/b>b</a>')</script>"#,
        );
        p.rendered = Some(r#"<html><body><a href="/a">a</a><a href="/b">b</a><a href="/a">a again</a></body></html>"#.into());
        p.fetch.js_rendered = true;
        let (record, links) = records_of(&p, &ExtractConfig::default());
        assert!(record.js_rendered);
        let flags: Vec<(&str, bool)> = links
            .iter()
            .map(|l| (l.url_to.as_str(), l.js_only))
            .collect();
        assert_eq!(
            flags,
            [
                ("http://a.test/a", false),
                ("http://a.test/b", true),
                ("http://a.test/a", true)
            ]
        );
    }

    #[test]
    fn feeds_give_rss_links() {
        let rss = r#"<?xml version="1.0"?><rss><channel><title>Blog</title>
            <link>http://a.test/</link>
            <item><title>One &amp; two</title><link>http://a.test/1</link></item>
            <item><title><![CDATA[Three]]></title><link>/3</link></item></channel></rss>"#;
        let p = page(
            "http://a.test/feed",
            "application/rss+xml; charset=UTF-8",
            rss,
        );
        let (_, links) = records_of(&p, &ExtractConfig::default());
        let got: Vec<(&str, &str)> = links
            .iter()
            .map(|l| (l.url_to.as_str(), l.anchor.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("http://a.test/", "Blog"),
                ("http://a.test/1", "One & two"),
                ("http://a.test/3", "Three")
            ]
        );
        assert!(links.iter().all(|l| l.element == LinkElement::Rss));
        let atom = r#"<feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>
            <link rel="self" href="/atom"/><link href="http://a.test/"/>
            <entry><title>E</title><link href="http://a.test/e"/></entry></feed>"#;
        let p = page("http://a.test/atom", "application/atom+xml", atom);
        let (_, links) = records_of(&p, &ExtractConfig::default());
        let got: Vec<&str> = links.iter().map(|l| l.url_to.as_str()).collect();
        assert_eq!(got, ["http://a.test/", "http://a.test/e"]);
    }

    #[test]
    fn commits_carry_markers() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(tmp.path()).unwrap();
        let mut sink = LogSink::new(dir.clone(), ExtractConfig::default());
        let p = page("http://a.test/", "text/html", r#"<a href="/x">x</a>"#);
        let acc = sink.accept(std::slice::from_ref(&p)).unwrap();
        assert_eq!(acc[0].links, 1);
        assert!(!sink.is_committed("crawl:s:1").unwrap());
        sink.commit("crawl:s:1").unwrap();
        assert!(sink.is_committed("crawl:s:1").unwrap());
        let mut fresh = LogSink::new(dir.clone(), ExtractConfig::default());
        assert!(fresh.is_committed("crawl:s:1").unwrap());
        let segs = crate::log::segments(&dir).unwrap();
        let (pages, links) = crate::log::read_segment(&segs[0]).unwrap();
        assert_eq!((pages.len(), links.len()), (1, 1));
    }
}
