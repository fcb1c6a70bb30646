//! Links as found (raw, unresolved) and their resolution into [`LinkRecord`]s.
//!
//! Resolution waits for the end of the document because HTML resolves every URL against the
//! *first* `<base href>`, wherever it appears. Document links resolve against that base (itself
//! resolved against the response URL), HTTP-level links (`Location`, `Link:`) against the
//! response URL. Entities are decoded before resolving (`&amp;` in hrefs). What does not
//! resolve to an http(s) URL is dropped: other schemes (`mailto:`, `javascript:`, `tel:`,
//! `data:`), unparsable references, and URLs longer than
//! [`anchorage_core::urls::MAX_URL_LEN`]. So are hrefs that only name a fragment (`#top`) or
//! are empty: they point back at the page itself. Ordinals number the kept links from 0.
//!
//! **Internal or external**: a link is internal when its target's root domain (Public Suffix
//! List) equals the page's root domain, so `blog.example.com` → `www.example.com` is internal.
//! `links_internal` / `links_external` count hyperlinks only — `Anchor` and `Image` links, as
//! Ahrefs does — nofollow ones included; `linked_domains` counts the distinct root domains of
//! the external ones.

use crate::content::Best;
use anchorage_core::NormalizedUrl;
use anchorage_core::domain::root_domain;
use anchorage_core::record::{LinkElement, LinkRecord};
use std::collections::HashSet;
use url::Url;

/// Position of links that are not in the document body (HTTP headers, `<head>`).
pub(crate) const NOT_IN_BODY: u32 = u32::MAX;

/// A link as found in the page, before resolution.
#[derive(Debug, Clone)]
pub(crate) struct RawLink {
    pub element: LinkElement,
    /// Entity-decoded, trimmed, not yet resolved.
    pub href: String,
    pub anchor: String,
    pub alt: Option<String>,
    pub image_src: Option<String>,
    pub nofollow: bool,
    pub ugc: bool,
    pub sponsored: bool,
    pub snippet_left: String,
    pub snippet_right: String,
    pub semantic: Option<&'static str>,
    /// Document-order position (see [`crate::html`]) or [`NOT_IN_BODY`].
    pub pos: u32,
    pub redirect_code: Option<u16>,
    /// Resolved against the response URL rather than the document base.
    pub http_level: bool,
}

impl RawLink {
    pub(crate) fn new(element: LinkElement, href: String) -> RawLink {
        RawLink {
            element,
            href,
            anchor: String::new(),
            alt: None,
            image_src: None,
            nofollow: false,
            ugc: false,
            sponsored: false,
            snippet_left: String::new(),
            snippet_right: String::new(),
            semantic: None,
            pos: NOT_IN_BODY,
            redirect_code: None,
            http_level: false,
        }
    }
}

/// Whether an href can possibly resolve to an http(s) URL: not empty, not fragment-only, and
/// no other scheme. Checked before storing so `javascript:` links cost no allocation.
pub(crate) fn worth_keeping(href: &str) -> bool {
    if href.is_empty() || href.starts_with('#') {
        return false;
    }
    match scheme(href) {
        Some(s) => s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"),
        None => true,
    }
}

/// The scheme of an absolute URL reference (`[A-Za-z][A-Za-z0-9+.-]*:`).
fn scheme(href: &str) -> Option<&str> {
    let colon = href.find(':')?;
    let candidate = &href[..colon];
    let mut chars = candidate.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(candidate)
}

/// Resolves hrefs against the response URL and the document's base.
pub(crate) struct Resolver {
    page: Option<Url>,
    document: Option<Url>,
}

impl Resolver {
    /// `page`: the response URL; `base_href`: the first `<base href>` (decoded), if any.
    pub(crate) fn new(page: Option<Url>, base_href: Option<&str>) -> Resolver {
        // HTML falls back to the document URL when the base is unusable (unparsable, or a
        // scheme such as `javascript:` that nothing can be resolved against usefully).
        let base = |b: &str| {
            match &page {
                Some(p) => p.join(b.trim()),
                None => Url::parse(b.trim()),
            }
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
        };
        let document = base_href.and_then(base).or_else(|| page.clone());
        Resolver { page, document }
    }

    pub(crate) fn resolve(&self, href: &str, http_level: bool) -> Option<NormalizedUrl> {
        let base = if http_level {
            &self.page
        } else {
            &self.document
        };
        match base {
            Some(b) => NormalizedUrl::join(b, href).ok(),
            None => NormalizedUrl::parse(href).ok(),
        }
    }
}

/// Page-level link counts.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counts {
    pub internal: u32,
    pub external: u32,
    pub linked_domains: u32,
}

/// Resolves the raw links into records (in order, numbering the kept ones) and counts them.
pub(crate) fn assemble(
    raw: Vec<RawLink>,
    resolver: &Resolver,
    fetch_id: u64,
    best: Option<Best>,
    page_root: Option<&str>,
) -> (Vec<LinkRecord>, Counts) {
    let mut records = Vec::with_capacity(raw.len());
    let mut counts = Counts::default();
    let mut domains: HashSet<String> = HashSet::new();
    for link in raw {
        let Some(target) = resolver.resolve(&link.href, link.http_level) else {
            continue;
        };
        if matches!(link.element, LinkElement::Anchor | LinkElement::Image) {
            let root = root_domain(target.host());
            if page_root == Some(root) {
                counts.internal += 1;
            } else {
                counts.external += 1;
                if !domains.contains(root) {
                    domains.insert(root.to_string());
                }
            }
        }
        let ordinal = u32::try_from(records.len()).unwrap_or(u32::MAX);
        records.push(record(link, target, resolver, fetch_id, ordinal, best));
    }
    counts.linked_domains = u32::try_from(domains.len()).unwrap_or(u32::MAX);
    (records, counts)
}

fn record(
    link: RawLink,
    target: NormalizedUrl,
    resolver: &Resolver,
    fetch_id: u64,
    ordinal: u32,
    best: Option<Best>,
) -> LinkRecord {
    let image_url = link
        .image_src
        .as_deref()
        .and_then(|src| resolver.resolve(src, false))
        .map(|u| u.as_str().to_string());
    let in_body = link.pos != NOT_IN_BODY;
    LinkRecord {
        anchor: link.anchor,
        alt: link.alt,
        image_url,
        nofollow: link.nofollow,
        ugc: link.ugc,
        sponsored: link.sponsored,
        snippet_left: link.snippet_left,
        snippet_right: link.snippet_right,
        semantic_location: link.semantic.map(str::to_string),
        is_content: in_body && best.is_some_and(|b| b.contains(link.pos)),
        redirect_code: link.redirect_code,
        ..LinkRecord::new(fetch_id, ordinal, target.as_str().to_string(), link.element)
    }
}

/// Sets the rel flags from a `rel` attribute value (tokens, case-insensitive).
pub(crate) fn apply_rel(link: &mut RawLink, rel: &str) {
    for token in rel.split_ascii_whitespace() {
        if token.eq_ignore_ascii_case("nofollow") {
            link.nofollow = true;
        } else if token.eq_ignore_ascii_case("ugc") {
            link.ugc = true;
        } else if token.eq_ignore_ascii_case("sponsored") {
            link.sponsored = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_what_cannot_be_an_http_link() {
        assert!(worth_keeping("/a"));
        assert!(worth_keeping("http://x.com"));
        assert!(worth_keeping("HTTPS://x.com"));
        assert!(worth_keeping("a/b:c"));
        assert!(!worth_keeping("mailto:a@b.c"));
        assert!(!worth_keeping("javascript:void(0)"));
        assert!(!worth_keeping("tel:+123"));
        assert!(!worth_keeping("data:image/png;base64,xx"));
        assert!(!worth_keeping("#top"));
        assert!(!worth_keeping(""));
    }

    #[test]
    fn resolves_against_base_and_counts() {
        let page = Url::parse("http://www.example.com/dir/page.html").ok();
        let resolver = Resolver::new(page, Some("http://cdn.example.com/base/"));
        let mut raw = vec![
            RawLink::new(LinkElement::Anchor, "x.html".into()),
            RawLink::new(LinkElement::Anchor, "http://other.org/".into()),
            RawLink::new(LinkElement::Image, "https://sub.other.org/i".into()),
            RawLink::new(LinkElement::Canonical, "http://third.net/".into()),
            RawLink::new(LinkElement::Anchor, "http://".into()),
            RawLink::new(LinkElement::HttpRedirect, "/moved".into()),
        ];
        raw[5].http_level = true;
        let (records, counts) = assemble(raw, &resolver, 7, None, Some("example.com"));
        let urls: Vec<_> = records.iter().map(|r| r.url_to.as_str()).collect();
        assert_eq!(
            urls,
            [
                "http://cdn.example.com/base/x.html",
                "http://other.org/",
                "https://sub.other.org/i",
                "http://third.net/",
                "http://www.example.com/moved",
            ]
        );
        assert_eq!(
            records.iter().map(|r| r.ordinal).collect::<Vec<_>>(),
            [0, 1, 2, 3, 4]
        );
        assert_eq!(
            counts,
            Counts {
                internal: 1,
                external: 2,
                linked_domains: 1
            }
        );
    }

    #[test]
    fn unusable_bases_fall_back_to_the_page() {
        let page = Url::parse("http://a.com/x/").ok();
        for base in ["javascript:void(0)", "http://[bad", "data:text/html,hi"] {
            let r = Resolver::new(page.clone(), Some(base));
            assert_eq!(
                r.resolve("y", false)
                    .map(|u| u.as_str().to_string())
                    .as_deref(),
                Some("http://a.com/x/y")
            );
        }
        let r = Resolver::new(None, Some("https://b.org/"));
        assert_eq!(
            r.resolve("z", false)
                .map(|u| u.as_str().to_string())
                .as_deref(),
            Some("https://b.org/z")
        );
    }

    #[test]
    fn rel_tokens_are_case_insensitive() {
        let mut l = RawLink::new(LinkElement::Anchor, "/".into());
        apply_rel(&mut l, " NoFollow\tUGC noopener ");
        assert!(l.nofollow && l.ugc && !l.sponsored);
    }
}
