//! Where Anchorage and the independent lxml extractor (`tests/tools/lxml_links.py`, compared in
//! `crates/cli/tests/extract_agreement.rs`) disagree on the real test WARCs, and why
//! Anchorage's answer is the right one. One test per class of difference: a minimal page
//! showing the rule, then the real page where the corpus has it.

mod support;

use anchorage_core::record::{FetchRecord, LinkElement};
use anchorage_extract::{ExtractConfig, Extraction, extract};

fn page(url: &str, html: &str) -> Extraction {
    let fetch = FetchRecord {
        url: url.into(),
        status: 200,
        headers: vec![("Content-Type".into(), "text/html; charset=utf-8".into())],
        body: html.as_bytes().to_vec(),
        ..FetchRecord::default()
    };
    extract(&fetch, &ExtractConfig::default())
}

/// `(url_to, anchor)` of the hyperlinks (`Anchor` and `Image` links).
fn hyperlinks(x: &Extraction) -> Vec<(&str, &str)> {
    x.links
        .iter()
        .filter(|l| matches!(l.element, LinkElement::Anchor | LinkElement::Image))
        .map(|l| (l.url_to.as_str(), l.anchor.as_str()))
        .collect()
}

/// The extraction of one response of a test WARC, if the test data is there.
fn real_page(file: &str, url: &str) -> Option<Extraction> {
    let testdata = support::testdata()?;
    let fetch = support::fetches(&testdata.join("warc").join(file))
        .into_iter()
        .find(|f| f.url == url)
        .unwrap_or_else(|| panic!("{url} not in {file}"));
    Some(extract(&fetch, &ExtractConfig::default()))
}

/// lxml's `text_content()` concatenates the text nodes of the blocks inside a link
/// ("AristoThe Aristo Project…"); a reader sees the blocks apart, and HTML's `innerText`
/// puts line breaks between them. Anchorage puts one space at each block boundary (and at
/// `<br>`), so no word is made up that is not on the page. 40 links of the corpus
/// (allenai.org cards, commoncrawl.org and semanticscholar.org lists).
#[test]
fn blocks_inside_an_anchor_are_separated_by_a_space() {
    let x = page(
        "https://allenai.org/",
        r#"<a href="/aristo"><div class="title">Aristo</div><p>The Aristo Project aims…</p><span>Learn more</span></a>
           <a href="/x">one<br>two</a> <a href="/y">in<b>line</b></a>"#,
    );
    assert_eq!(
        hyperlinks(&x),
        [
            (
                "https://allenai.org/aristo",
                "Aristo The Aristo Project aims… Learn more"
            ),
            ("https://allenai.org/x", "one two"),
            // Inline elements add no space: `in<b>line</b>` reads "inline".
            ("https://allenai.org/y", "inline"),
        ]
    );

    let Some(x) = real_page("wget-2024-academic-sites-b.warc.gz", "https://allenai.org/") else {
        return;
    };
    assert!(hyperlinks(&x).contains(&(
        "https://allenai.org/aristo",
        "Aristo The Aristo Project aims to build systems that demonstrate a deep understanding \
         of the world, integrating technologies for reading, learning, reasoning, and \
         explanation. Learn more"
    )));
}

/// Python's `urljoin` drops empty path segments, so `href='"https://allenai.org/"'` (quotes
/// typed into the attribute value) on talaugust.github.io becomes `/%22https:/allenai.org/%22`.
/// The WHATWG URL Standard, which browsers follow, keeps every segment:
/// `new URL('"https://allenai.org/"', 'https://talaugust.github.io/').href` is
/// `https://talaugust.github.io/%22https://allenai.org/%22`. `a//b` is a different resource
/// from `a/b` to a server, so the slashes stay.
#[test]
fn empty_path_segments_are_kept_as_the_url_standard_says() {
    let x = page(
        "https://talaugust.github.io/",
        r#"<a href='"https://allenai.org/"'>Allen Institute for AI</a><a href="docs//v2/">v2</a>"#,
    );
    assert_eq!(
        hyperlinks(&x),
        [
            (
                "https://talaugust.github.io/%22https://allenai.org/%22",
                "Allen Institute for AI"
            ),
            ("https://talaugust.github.io/docs//v2/", "v2"),
        ]
    );

    let Some(x) = real_page(
        "wget-2024-academic-sites-a.warc.gz",
        "https://talaugust.github.io/",
    ) else {
        return;
    };
    assert!(hyperlinks(&x).contains(&(
        "https://talaugust.github.io/%22https://allenai.org/%22",
        "Allen Institute for AI"
    )));
}

/// libxml2 parses `<noscript>` content as markup, so lxml reports the ad links written there.
/// The HTML parsing algorithm with scripting enabled — what browsers and rendering crawlers
/// run — treats `<noscript>` in the body as raw text ("in body" insertion mode, start tag
/// "noscript" with the scripting flag set): its content is not elements, the links in it are
/// never shown to a visitor with JavaScript. Anchorage parses as such a browser does (crate
/// docs, `html.rs`), and so skips them: the 4 `ads.adtiger.de/adnoclick.php` fallbacks of
/// live-radsport.ch in the corpus.
#[test]
fn links_inside_noscript_are_raw_text() {
    let x = page(
        "http://06.live-radsport.ch/",
        r#"<script src="http://ads.example/ad.js"></script>
           <noscript><a href="http://ads.example/noclick"><img src="http://ads.example/i.gif" alt="Hier klicken!"></a></noscript>
           <a href="/after">after</a>"#,
    );
    assert_eq!(
        hyperlinks(&x),
        [("http://06.live-radsport.ch/after", "after")]
    );

    let Some(x) = real_page(
        "cc-2020-34-sample.warc.gz",
        "http://06.live-radsport.ch/tippspiel/stats_140_petzi.html",
    ) else {
        return;
    };
    assert!(!x.links.is_empty());
    assert!(!x.links.iter().any(|l| l.url_to.contains("adnoclick")));
}

/// `href="http://"` names no host. `urljoin` treats a same-scheme reference without a host
/// as relative and returns the base (the page itself); the URL Standard fails to parse it
/// (a special scheme's authority is empty: "host-missing" validation error, failure), so
/// there is no link. One `<area>` of 0760.jxtdw.com in the corpus.
#[test]
fn an_http_url_without_a_host_is_no_link() {
    let x = page(
        "http://0760.jxtdw.com/area/sanxiang/",
        r#"<map name="m"><area shape="rect" href="http://" alt="empty"><area href="http://www.jxtdw.com" alt="home"></map>
           <a href="https://">nothing</a><a href="http:/other">relative</a>"#,
    );
    assert_eq!(
        hyperlinks(&x),
        [
            ("http://www.jxtdw.com/", "home"),
            // Unlike `http://`, `http:/other` has a host once resolved: a same-scheme
            // special URL with one slash is relative to the base's authority.
            ("http://0760.jxtdw.com/other", "relative"),
        ]
    );
}

/// Both tools drop same-document references (empty or fragment-only hrefs) and targets that
/// are not http(s) — `javascript:`, `mailto:`, `tel:`, `data:` — which are no links to
/// another page. Shown here because the reference mirrors this rule rather than finding it.
#[test]
fn same_document_and_non_http_hrefs_are_no_links() {
    let x = page(
        "https://example.com/page",
        r##"<a href="">self</a><a href="#top">top</a><a href=" #note ">note</a>
           <a href="javascript:void(0)">js</a><a href="JavaScript:go()">JS</a>
           <a href="mailto:a@example.com">mail</a><a href="tel:+4412">tel</a>
           <a href="data:text/html,hi">data</a><a href="?p=2#x">next</a>"##,
    );
    assert_eq!(hyperlinks(&x), [("https://example.com/page?p=2", "next")]);
}
