//! `is_content` on real Wikipedia articles: links in the article body are content, the
//! navigation, tools and footer links are not.
//!
//! The expectation is computed independently of the extractor: the article body is the byte
//! range of the raw HTML from the body container (`mw-parser-output` in 2024's skin,
//! `mw-content-text` in 2013's) to the print footer that follows it; every `<a href>` found by
//! plain text search inside that range is a body link, every one outside is not. Targets that
//! occur both inside and outside are ambiguous and skipped.

mod support;

use anchorage_core::NormalizedUrl;
use anchorage_core::record::{FetchRecord, LinkElement};
use anchorage_extract::{ExtractConfig, extract};
use std::collections::HashSet;
use url::Url;

/// Resolved targets of the `<a href>`s in `html[range]`.
fn hrefs(html: &str, base: &Url) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut rest = html;
    while let Some(i) = rest.find("<a ") {
        rest = &rest[i + 3..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        let Some(h) = tag.find("href=\"") else {
            continue;
        };
        let value = &tag[h + 6..];
        let value = value[..value.find('"').unwrap_or(value.len())].replace("&amp;", "&");
        if value.starts_with('#') {
            continue;
        }
        if let Ok(u) = NormalizedUrl::join(base, &value) {
            out.insert(u.as_str().to_string());
        }
    }
    out
}

fn check(fetch: &FetchRecord, body_start: &str, body_end: &str) {
    let html = String::from_utf8_lossy(&fetch.body);
    let base = Url::parse(&fetch.url).expect("capture URL");
    let start = html.find(body_start).expect("article body start");
    let end = html.find(body_end).expect("article body end");
    let inside = hrefs(&html[start..end], &base);
    let outside: HashSet<String> = hrefs(&html[..start], &base)
        .union(&hrefs(&html[end..], &base))
        .cloned()
        .collect();

    let x = extract(fetch, &ExtractConfig::default());
    let (mut checked_in, mut checked_out) = (0, 0);
    for link in x
        .links
        .iter()
        .filter(|l| l.element == LinkElement::Anchor || l.element == LinkElement::Image)
    {
        let (is_in, is_out) = (
            inside.contains(&link.url_to),
            outside.contains(&link.url_to),
        );
        if is_in && !is_out {
            assert!(
                link.is_content,
                "body link not content: {} {:?}",
                link.url_to, link.anchor
            );
            checked_in += 1;
        } else if is_out && !is_in {
            assert!(
                !link.is_content,
                "chrome link marked content: {} {:?}",
                link.url_to, link.anchor
            );
            checked_out += 1;
        }
    }
    eprintln!(
        "{}: {checked_in} body links content, {checked_out} other links not",
        fetch.url
    );
    assert!(
        checked_in >= 50 && checked_out >= 30,
        "{checked_in} / {checked_out}: too few to judge"
    );
}

#[test]
fn wikipedia_2024_article_body_is_content() {
    let Some(testdata) = support::testdata() else {
        return;
    };
    let fetches = support::fetches(&testdata.join("warc/cc-2024-22-wikipedia.warc.gz"));
    let page = fetches
        .iter()
        .find(|f| f.url == "https://an.wikipedia.org/wiki/Escopete")
        .expect("the Wikipedia response");
    check(
        page,
        "class=\"mw-content-ltr mw-parser-output\"",
        "class=\"printfooter\"",
    );
}

#[test]
fn wikipedia_2013_mona_lisa_body_is_content() {
    let Some(testdata) = support::testdata() else {
        return;
    };
    let fetches = support::fetches(&testdata.join("warc/wikipedia-mona-lisa-2013.warc.gz"));
    let page = fetches
        .iter()
        .find(|f| f.url == "http://en.wikipedia.org/wiki/Mona_Lisa")
        .expect("the Mona Lisa response");
    check(page, "id=\"mw-content-text\"", "class=\"printfooter\"");
    let x = extract(page, &ExtractConfig::default());
    let leonardo = x
        .links
        .iter()
        .find(|l| l.url_to == "http://en.wikipedia.org/wiki/Leonardo_da_Vinci")
        .expect("the first paragraph links Leonardo");
    assert!(leonardo.is_content);
    assert_eq!(
        leonardo.semantic_location.as_deref(),
        Some("main"),
        "role=main on #content"
    );
    let main_page = x
        .links
        .iter()
        .find(|l| l.anchor == "Main page")
        .expect("the sidebar links the main page");
    assert!(!main_page.is_content);
    assert_eq!(
        main_page.semantic_location.as_deref(),
        Some("nav"),
        "role=navigation"
    );
}
