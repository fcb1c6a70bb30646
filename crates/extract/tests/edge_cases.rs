//! Common Crawl's hand-made link-extraction edge cases (`link-extraction-edge-cases.warc`,
//! from commoncrawl/ia-web-commons). The expected links were derived by reading each page's
//! HTML, applying the rules of the crate docs: `<a href>`, `<link rel=canonical|alternate>`,
//! `<iframe src>`, `<form action>`, meta refresh; fragment-only hrefs dropped; `data-href`,
//! `cite`, `<object data>`, `<video>`/`<source>` and `onclick` URLs are not links.

mod support;

use anchorage_core::record::{LinkElement, LinkRecord};
use anchorage_extract::{ExtractConfig, Extraction, extract};
use std::collections::HashMap;

fn pages() -> Option<HashMap<String, Extraction>> {
    let testdata = support::testdata()?;
    let fetches = support::fetches(&testdata.join("warc/link-extraction-edge-cases.warc"));
    assert_eq!(fetches.len(), 9, "nine response records");
    let config = ExtractConfig::default();
    Some(
        fetches
            .iter()
            .map(|f| {
                let x = extract(f, &config);
                (x.page.url.clone(), x)
            })
            .collect(),
    )
}

fn page<'a>(pages: &'a HashMap<String, Extraction>, url: &str) -> &'a Extraction {
    pages.get(url).unwrap_or_else(|| panic!("no page {url}"))
}

fn kinds(x: &Extraction) -> Vec<(LinkElement, &str)> {
    x.links
        .iter()
        .map(|l| (l.element, l.url_to.as_str()))
        .collect()
}

fn texts(l: &LinkRecord) -> (&str, &str, &str) {
    (
        l.anchor.as_str(),
        l.snippet_left.as_str(),
        l.snippet_right.as_str(),
    )
}

#[test]
fn xhtml_with_base_and_meta_refresh() {
    let Some(pages) = pages() else { return };
    let x = page(&pages, "http://www.example.com/html4.html");
    assert!(x.page.is_html, "application/xhtml+xml is HTML");
    assert_eq!(
        x.page.content_type.as_deref(),
        Some("application/xhtml+xml")
    );
    assert_eq!(x.page.title.as_deref(), Some("Test XHTML Link Extraction"));
    assert_eq!(x.page.encoding.as_deref(), Some("utf-8"));
    assert_eq!(
        kinds(x),
        [
            (
                LinkElement::MetaRefresh,
                "http://www.example.com/redirected.html"
            ),
            (LinkElement::Anchor, "http://www.example.com/a-href.html"),
        ],
        "`#anchor` is dropped; img, object, q/blockquote cite are not links"
    );
    assert_eq!(x.links[0].redirect_code, Some(0));
    assert_eq!(x.links[1].anchor, "A@/href");
    assert_eq!((x.page.links_internal, x.page.links_external), (1, 0));
}

#[test]
fn html5_video_page_canonical_and_rss() {
    let Some(pages) = pages() else { return };
    let x = page(
        &pages,
        "http://www.example.com/link-extraction-test-html5-video.html",
    );
    assert_eq!(x.page.title.as_deref(), Some("Test HTML5 Video Tag"));
    assert_eq!(
        kinds(x),
        [
            // `http:///www…`: the URL parser skips the extra slash of a special scheme.
            (LinkElement::Canonical, "http://www.example.com/video.html"),
            (LinkElement::Rss, "http://www.example.com/video.rss"),
        ],
        "video sources and posters are not links"
    );
    assert_eq!(
        x.page.canonical.as_deref(),
        Some("http://www.example.com/video.html")
    );
}

#[test]
fn poor_html5_mixed_case_and_unquoted() {
    let Some(pages) = pages() else { return };
    let x = page(&pages, "http://www.example.com/poor_html5.html");
    assert_eq!(x.page.title.as_deref(), Some("Testing poor HTML5"));
    assert_eq!(kinds(x), [(LinkElement::Anchor, "http://www.example.com/")]);
    assert_eq!(texts(&x.links[0]), ("link", "paragraph one with", "."));
    assert_eq!(
        x.links[0].semantic_location, None,
        "the <header> closed before the link"
    );
}

#[test]
fn facebook_video_embed() {
    let Some(pages) = pages() else { return };
    let x = page(&pages, "http://www.example.com/fb-video.html");
    assert_eq!(
        x.page.title.as_deref(),
        Some("fb-video - Embedded Videos - Social Plugins")
    );
    assert_eq!(
        kinds(x),
        [
            (
                LinkElement::Anchor,
                "https://www.facebook.com/facebook/videos/10153231379946729/"
            ),
            (LinkElement::Anchor, "https://www.facebook.com/facebook/"),
        ],
        "the SDK URL inside <script> is not a link"
    );
    assert_eq!(
        texts(&x.links[0]),
        ("How to Share With Just Friends", "", "")
    );
    assert_eq!(
        texts(&x.links[1]),
        ("Facebook", "Posted by", "on Friday, December 5, 2014")
    );
    assert_eq!(
        (
            x.page.links_internal,
            x.page.links_external,
            x.page.linked_domains
        ),
        (0, 2, 1)
    );
}

#[test]
fn data_href_examples() {
    let Some(pages) = pages() else { return };
    let x = page(&pages, "http://www.example.com/data-href.examples.html");
    assert_eq!(x.page.title, None, "<title></title> is no title");
    assert_eq!(
        kinds(x),
        [
            (
                LinkElement::Anchor,
                "https://www.facebook.com/facebook/videos/10153231379946729/"
            ),
            (LinkElement::Anchor, "https://www.facebook.com/facebook/"),
            (LinkElement::Anchor, "http://www.example.com/content-page"),
            (LinkElement::Anchor, "http://www.example.com/tags/content"),
            (LinkElement::Anchor, "http://www.example.com/tags/headlines"),
            (
                LinkElement::Frame,
                "http://www.youtube.com/v/itTskyFLSS8&rel=0&autohide=1&showinfo=0"
            ),
        ],
        "data-href is not a link; href=\"#\" is dropped; the jackbox <a> has no href"
    );
    assert_eq!(texts(&x.links[2]), ("Headline goes here.", "", ""));
    assert_eq!(texts(&x.links[3]), ("content", "Tags:", ", headlines"));
    assert_eq!(texts(&x.links[4]), ("headlines", "Tags: content,", ""));
    for l in &x.links[2..5] {
        assert_eq!(l.semantic_location.as_deref(), Some("article"));
    }
    assert_eq!(x.links[0].semantic_location, None);
}

#[test]
fn facebook_social_plugins() {
    let Some(pages) = pages() else { return };
    let x = page(&pages, "http://www.example.com/fb-social-plugins.html");
    assert_eq!(
        kinds(x),
        [(LinkElement::Anchor, "https://www.facebook.com/facebook")]
    );
    assert_eq!(x.links[0].anchor, "Facebook");
    assert_eq!(x.page.title, None);
}

#[test]
fn onclick_urls_are_not_links() {
    let Some(pages) = pages() else { return };
    let x = page(
        &pages,
        "http://www.example.com/link-extraction-test-onclick-attr.html",
    );
    assert!(x.links.is_empty(), "got {:?}", kinds(x));
    assert_eq!(
        x.page.title.as_deref(),
        Some("Test Extraction of URLs from INPUT onClick Attributes")
    );
    assert_eq!(x.page.powered_by, ["Apache"]);
}

#[test]
fn entities_in_urls_titles_and_anchors() {
    let Some(pages) = pages() else { return };
    let x = page(
        &pages,
        "http://www.example.com/link-extraction-test-unescaped-entities.xhtml",
    );
    assert_eq!(
        x.page.title.as_deref(),
        Some("Title \u{2013} \"Title\" written using character entities")
    );
    assert_eq!(
        kinds(x),
        [
            (
                LinkElement::MetaRefresh,
                "http://www.example.com/redirected.html"
            ),
            (
                LinkElement::Anchor,
                "http://www.example.com/view?id=logo&action=edit"
            ),
            (
                LinkElement::Anchor,
                "http://www.example.com/search?q=examples&n=20"
            ),
        ],
        "the url() inside <style> is not a link"
    );
    assert_eq!(texts(&x.links[1]), ("logo", "Here is the", ""));
    let examples = &x.links[2];
    assert_eq!(examples.anchor, "Examples & more");
    assert!(examples.nofollow && !examples.ugc && !examples.sponsored);
    assert_eq!(x.page.powered_by, ["Apache"]);
}

#[test]
fn anchor_text_with_whitespace_and_blocks() {
    let Some(pages) = pages() else { return };
    // WARC-Target-URI is written `<…>` in this record (a WARC 1.0 draft habit).
    let x = page(
        &pages,
        "http://example.org/cc/link-extraction-test-anchor-text.html",
    );
    assert_eq!(
        x.page.title.as_deref(),
        Some("Test Anchor Text Extraction With Whitespace")
    );
    assert_eq!(kinds(x), [(LinkElement::Anchor, "https://example.org/")]);
    assert_eq!(
        x.links[0].anchor,
        "Anchor text with white space character entities and HTML block elements"
    );
    assert_eq!(x.page.links_internal, 1);
}
