//! End-to-end unit tests of [`crate::extract`] on small hand-written pages.

use super::*;

fn fetch_with(url: &str, status: u16, headers: &[(&str, &str)], body: &[u8]) -> FetchRecord {
    FetchRecord {
        url: url.to_string(),
        status,
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        body: body.to_vec(),
        record_id: "<urn:uuid:test>".into(),
        ..FetchRecord::default()
    }
}

fn page(html: &str) -> Extraction {
    run("http://www.example.com/dir/page.html", html)
}

fn run(url: &str, html: &str) -> Extraction {
    let f = fetch_with(
        url,
        200,
        &[("Content-Type", "text/html; charset=utf-8")],
        html.as_bytes(),
    );
    extract(&f, &ExtractConfig::default())
}

fn urls(x: &Extraction) -> Vec<&str> {
    x.links.iter().map(|l| l.url_to.as_str()).collect()
}

fn only(x: &Extraction) -> &LinkRecord {
    assert_eq!(x.links.len(), 1, "links: {:?}", urls(x));
    &x.links[0]
}

#[test]
fn entities_are_decoded_in_urls_and_anchors() {
    let x = page(
        r#"<p><a href="http://www.example.com/search?q&#x3D;examples&amp;n&#x3D;20" rel="nofollow">Examples &amp; more</a></p>"#,
    );
    let l = only(&x);
    assert_eq!(l.url_to, "http://www.example.com/search?q=examples&n=20");
    assert_eq!(l.anchor, "Examples & more");
    assert!(l.nofollow);
}

#[test]
fn first_base_href_applies_to_all_document_links() {
    let x = page(
        r#"<head><link rel=canonical href="canon.html"><base href="http://cdn.example.org/b/"><base href="http://ignored.example/"></head>
           <a href="x.html">x</a><a href="/root">r</a><a href="//other.net/p">o</a>"#,
    );
    assert_eq!(
        urls(&x),
        [
            "http://cdn.example.org/b/canon.html",
            "http://cdn.example.org/b/x.html",
            "http://cdn.example.org/root",
            "http://other.net/p",
        ]
    );
    assert_eq!(
        x.page.canonical.as_deref(),
        Some("http://cdn.example.org/b/canon.html")
    );
}

#[test]
fn http_links_resolve_against_the_response_url_not_base() {
    let f = fetch_with(
        "http://www.example.com/a/b",
        301,
        &[("Content-Type", "text/html"), ("Location", "../moved")],
        br#"<base href="http://elsewhere.org/"><a href="here">moved here</a>"#,
    );
    let x = extract(&f, &ExtractConfig::default());
    assert_eq!(
        urls(&x),
        ["http://www.example.com/moved", "http://elsewhere.org/here"]
    );
    assert_eq!(x.links[0].element, LinkElement::HttpRedirect);
    assert_eq!(x.links[0].redirect_code, Some(301));
    assert_eq!(x.links[1].ordinal, 1);
}

#[test]
fn meta_refresh_is_a_redirect_link() {
    let x = page(
        r#"<meta http-equiv="Refresh" content="5; URL=http:&#x2f;&#x2f;www.example.com&#x2f;redirected.html" />"#,
    );
    let l = only(&x);
    assert_eq!(l.element, LinkElement::MetaRefresh);
    assert_eq!(l.url_to, "http://www.example.com/redirected.html");
    assert_eq!(l.redirect_code, Some(0));
    assert!(!l.is_content && l.semantic_location.is_none());
}

#[test]
fn anchor_whitespace_is_collapsed_across_tags_and_blocks() {
    let x = page(
        "<p>\n  <a href=\"https://example.org/\">Anchor&#xa0;text\twith\n <ul><li>white space\n<li><b>char</b>acter entities and\n<li>HTML block elements\n</ul>\n</a>\n</p>",
    );
    assert_eq!(
        only(&x).anchor,
        "Anchor text with white space character entities and HTML block elements"
    );
}

#[test]
fn nested_anchor_closes_the_previous_one() {
    let x = page(r#"<a href="/1">one <a href="/2">two</a> three"#);
    assert_eq!(x.links[0].anchor, "one");
    assert_eq!(x.links[1].anchor, "two");
    assert_eq!(x.links[1].snippet_left, "one");
    assert_eq!(x.links[1].snippet_right, "three");
}

#[test]
fn rel_flags() {
    let x = page(
        r#"<a href="/a" rel="NOFOLLOW noopener">a</a><a href="/b" rel="ugc">b</a><a href="/c" rel=" sponsored  nofollow ">c</a><a href="/d">d</a>"#,
    );
    let flags: Vec<_> = x
        .links
        .iter()
        .map(|l| (l.nofollow, l.ugc, l.sponsored))
        .collect();
    assert_eq!(
        flags,
        [
            (true, false, false),
            (false, true, false),
            (true, false, true),
            (false, false, false)
        ]
    );
}

#[test]
fn image_links_carry_alt_and_image_url() {
    let x = page(
        r#"<a href="/gallery"><img src="thumb.jpg?a=1&amp;b=2" alt=" A  &quot;cat&quot; "> Gallery</a>
           <a href="/lazy"><img src="data:image/gif;base64,R0lGOD" data-src="/real.png"></a>
           <a href="/noalt"><img src="/i.png"></a>"#,
    );
    let l = &x.links[0];
    assert_eq!(l.element, LinkElement::Image);
    assert_eq!(l.alt.as_deref(), Some("A \"cat\""));
    assert_eq!(
        l.image_url.as_deref(),
        Some("http://www.example.com/dir/thumb.jpg?a=1&b=2")
    );
    assert_eq!(l.anchor, "Gallery");
    assert_eq!(
        x.links[1].image_url.as_deref(),
        Some("http://www.example.com/real.png")
    );
    assert_eq!(x.links[2].alt, None);
    assert_eq!(x.page.links_internal, 3);
}

#[test]
fn canonical_alternate_and_feeds() {
    let x = page(
        r#"<link rel="canonical" href="http:///www.example.com/video.html">
           <link rel="alternate" type="application/rss+xml" title="Videos" href="video.rss">
           <link rel="alternate" type="application/atom+xml" href="/atom">
           <link rel="alternate" hreflang="de" href="/de/">
           <link rel="alternate stylesheet" href="/alt.css">
           <link rel="stylesheet" href="/main.css">"#,
    );
    let kinds: Vec<_> = x
        .links
        .iter()
        .map(|l| (l.element, l.url_to.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (LinkElement::Canonical, "http://www.example.com/video.html"),
            (LinkElement::Rss, "http://www.example.com/dir/video.rss"),
            (LinkElement::Rss, "http://www.example.com/atom"),
            (LinkElement::Alternate, "http://www.example.com/de/"),
        ]
    );
    assert_eq!(
        x.page.canonical.as_deref(),
        Some("http://www.example.com/video.html")
    );
    assert_eq!((x.page.links_internal, x.page.links_external), (0, 0));
}

#[test]
fn link_header_canonical() {
    let f = fetch_with(
        "http://www.example.com/p?utm=1",
        200,
        &[
            ("Content-Type", "application/pdf"),
            ("Link", "</p>; rel=\"canonical\""),
        ],
        b"%PDF-1.4 ...",
    );
    let x = extract(&f, &ExtractConfig::default());
    assert!(!x.page.is_html);
    assert_eq!(only(&x).element, LinkElement::Canonical);
    assert_eq!(
        x.page.canonical.as_deref(),
        Some("http://www.example.com/p")
    );
    assert_eq!(x.page.content_type.as_deref(), Some("application/pdf"));
    assert_eq!(x.page.encoding, None);
}

#[test]
fn frames_and_forms() {
    let x = page(
        r#"<iframe src="http://www.youtube.com/v/x&amp;rel=0" width=500>fallback <a href="/no">no</a></iframe>
           <frameset><frame src="/left.html"></frameset>
           <form action="/search" method=get><input name=q></form>
           <form><input></form><form action=""></form>"#,
    );
    let kinds: Vec<_> = x
        .links
        .iter()
        .map(|l| (l.element, l.url_to.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [
            (LinkElement::Frame, "http://www.youtube.com/v/x&rel=0"),
            (LinkElement::Frame, "http://www.example.com/left.html"),
            (LinkElement::Form, "http://www.example.com/search"),
        ]
    );
}

#[test]
fn other_schemes_fragments_and_garbage_are_dropped() {
    let x = page(
        r##"<a href="mailto:a@b.c">m</a><a href=" javascript:void(0)">j</a><a href="tel:1">t</a>
           <a href="#top">t</a><a href="">e</a><a>no href</a><a href="http://[bad">b</a><a href="ok">ok</a>"##,
    );
    assert_eq!(urls(&x), ["http://www.example.com/dir/ok"]);
    assert_eq!(x.links[0].ordinal, 0);
}

#[test]
fn windows_1252_page_without_declaration_is_detected() {
    let html = "<html><head><title>Cr\u{e8}me br\u{fb}l\u{e9}e</title></head><body><p>La cr\u{e8}me \
                br\u{fb}l\u{e9}e est un dessert compos\u{e9} d\u{2019}une cr\u{e8}me aux \u{e9}ufs, \
                d\u{e9}j\u{e0} c\u{e9}l\u{e8}bre \u{e0} Paris, servie fra\u{ee}che.</p></body></html>";
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(html);
    let f = fetch_with(
        "http://www.example.fr/",
        200,
        &[("Content-Type", "text/html")],
        &bytes,
    );
    let x = extract(&f, &ExtractConfig::default());
    assert_eq!(x.page.encoding.as_deref(), Some("windows-1252"));
    assert_eq!(x.page.title.as_deref(), Some("Cr\u{e8}me br\u{fb}l\u{e9}e"));
    assert_eq!(x.page.languages, ["fr"]);
}

#[test]
fn meta_charset_and_http_charset() {
    let (bytes, _, _) =
        encoding_rs::WINDOWS_1251.encode("<meta charset=windows-1251><title>Привет</title>");
    let f = fetch_with(
        "http://a.ru/",
        200,
        &[("Content-Type", "text/html")],
        &bytes,
    );
    let x = extract(&f, &ExtractConfig::default());
    assert_eq!(x.page.encoding.as_deref(), Some("windows-1251"));
    assert_eq!(x.page.title.as_deref(), Some("Привет"));
    let f = fetch_with(
        "http://a.ru/",
        200,
        &[("Content-Type", "text/html; charset=ISO-8859-1")],
        b"<p>x",
    );
    assert_eq!(
        extract(&f, &ExtractConfig::default())
            .page
            .encoding
            .as_deref(),
        Some("windows-1252")
    );
}

#[test]
fn noindex_nofollow_from_meta_and_header() {
    let x = page(r#"<meta name="ROBOTS" content="noindex, follow"><a href="/a">a</a>"#);
    assert!(x.page.noindex && !x.page.nofollow);
    assert!(
        !x.links[0].nofollow,
        "page-level nofollow is not copied onto links"
    );
    let x = page(
        r#"<meta name="googlebot" content="nofollow"><meta name="bingbot" content="noindex">"#,
    );
    assert!(!x.page.noindex && x.page.nofollow);
    let f = fetch_with(
        "http://a.com/",
        200,
        &[
            ("Content-Type", "text/html"),
            ("X-Robots-Tag", "googlebot: noindex, nofollow"),
        ],
        b"<p>x",
    );
    let x = extract(&f, &ExtractConfig::default());
    assert!(x.page.noindex && x.page.nofollow);
}

#[test]
fn snippets_stay_within_the_block_and_cut_at_words() {
    let long = "word ".repeat(40);
    let x = page(&format!(
        "<div><p>Intro para.</p><p>{long}Read the <a href=\"/a\">full story</a> and the <b>rest</b> of it, \
         then <a href=\"/b\">more</a></p><p>Next para.</p></div>"
    ));
    let a = &x.links[0];
    assert_eq!(a.snippet_right, "and the rest of it, then more");
    assert!(
        a.snippet_left.ends_with("word word Read the"),
        "{}",
        a.snippet_left
    );
    assert!(a.snippet_left.chars().count() <= 100);
    assert!(a.snippet_left.starts_with("word"));
    let b = &x.links[1];
    assert!(
        b.snippet_left
            .ends_with("full story and the rest of it, then")
    );
    assert_eq!(b.snippet_right, "");
}

#[test]
fn script_style_template_noscript_text_is_not_visible() {
    let x = page(
        r#"<p>before <a href="/a">link<script>var x = "<b>no</b>";</script><style>.a{}</style> text</a>
           <template><a href="/t">tpl</a> hidden</template><noscript><a href="/ns">ns</a></noscript> after</p>"#,
    );
    let l = only(&x);
    assert_eq!(l.anchor, "link text");
    assert_eq!(l.snippet_left, "before");
    assert_eq!(l.snippet_right, "after");
}

#[test]
fn semantic_locations() {
    let x = page(
        r#"<header><nav><a href="/1">1</a></nav><a href="/2">2</a></header>
           <main><article><section><p><a href="/3">3</a></section><aside><a href="/4">4</a></aside></article></main>
           <div role="contentinfo"><a href="/5">5</a></div><details><summary><a href="/6">6</a></summary></details>
           <footer><a href="/7">7</a></footer><a href="/8">8</a>"#,
    );
    let locs: Vec<_> = x
        .links
        .iter()
        .map(|l| l.semantic_location.as_deref())
        .collect();
    assert_eq!(
        locs,
        [
            Some("nav"),
            Some("header"),
            Some("section"),
            Some("aside"),
            Some("footer"),
            Some("summary"),
            Some("footer"),
            None
        ]
    );
}

#[test]
fn json_ld_author_date_and_type() {
    let x = page(
        r#"<head><meta property="og:type" content="website">
        <script type="application/ld+json">{"@context":"https://schema.org","@type":"BlogPosting",
          "author":[{"@type":"Person","name":"Ada Lovelace"}],"datePublished":"2024-02-10T14:20:00Z",
          "articleSection":"Technology"}</script></head><body><p>x</p>"#,
    );
    assert_eq!(x.page.author.as_deref(), Some("Ada Lovelace"));
    assert_eq!(x.page.publish_date.as_deref(), Some("2024-02-10"));
    assert_eq!(x.page.page_type.as_deref(), Some("/Article/BlogPosting"));
    assert_eq!(x.page.page_category.as_deref(), Some("/Technology"));
}

#[test]
fn undeclared_type_and_category_stay_null() {
    let x = page("<title>Plain</title><p>An article-looking page with no declarations at all.</p>");
    assert_eq!(x.page.page_type, None);
    assert_eq!(x.page.page_category, None);
    assert_eq!(x.page.author, None);
    assert_eq!(x.page.publish_date, None);
}

#[test]
fn meta_author_date_and_microdata() {
    let x = page(
        r#"<meta name="author" content="Jane &amp; John"><meta name="dc.date" content="2019-07-01">
           <meta property="article:section" content="Travel"><body itemscope itemtype="https://schema.org/Recipe">
           <time itemprop="datePublished" datetime="2018-03-04">March</time>"#,
    );
    assert_eq!(x.page.author.as_deref(), Some("Jane & John"));
    assert_eq!(x.page.publish_date.as_deref(), Some("2018-03-04"));
    assert_eq!(x.page.page_type.as_deref(), Some("/Recipe"));
    assert_eq!(x.page.page_category.as_deref(), Some("/Travel"));
}

#[test]
fn powered_by_from_generator_headers_and_assets() {
    let f = fetch_with(
        "http://blog.example.com/",
        200,
        &[("Content-Type", "text/html"), ("Server", "nginx"), ("X-Powered-By", "PHP/8.1")],
        br#"<meta name="generator" content="WordPress 6.5"><link rel="https://api.w.org/" href="/wp-json/">
            <script src="https://cdn.shopify.com/s/x.js"></script>"#,
    );
    let x = extract(&f, &ExtractConfig::default());
    assert_eq!(x.page.powered_by, ["Nginx", "PHP", "WordPress", "Shopify"]);
}

#[test]
fn titles() {
    assert_eq!(
        page("<title>  A &amp;\n B </title>").page.title.as_deref(),
        Some("A & B")
    );
    assert_eq!(page("<title> </title><p>x").page.title, None);
    assert_eq!(page("<p>no title").page.title, None);
    assert_eq!(
        page("<svg><title>icon</title></svg><title>Real</title>")
            .page
            .title
            .as_deref(),
        Some("Real")
    );
    assert_eq!(
        page("<title>First</title><title>Second</title>")
            .page
            .title
            .as_deref(),
        Some("First")
    );
}

#[test]
fn languages_declared_first_then_detected() {
    let f = fetch_with(
        "http://a.de/",
        200,
        &[("Content-Type", "text/html"), ("Content-Language", "de-DE, en")],
        "<html lang=\"fr-CA\"><meta http-equiv=\"content-language\" content=\"it\"><p>Die Mona Lisa ist ein \
         weltberühmtes Ölgemälde von Leonardo da Vinci aus der Hochphase der italienischen Renaissance \
         Anfang des 16. Jahrhunderts. Das Bild ist im Louvre in Paris ausgestellt.</p>"
            .as_bytes(),
    );
    let x = extract(&f, &ExtractConfig::default());
    assert_eq!(x.page.languages, ["fr", "de", "en", "it"]);
}

#[test]
fn preformatted_code_does_not_decide_the_language() {
    let code = "SELECT relname, relpages FROM pg_class WHERE relkind = 'r' ORDER BY relpages DESC \
                LIMIT 10; CREATE INDEX CONCURRENTLY idx_name ON table_name USING gin (column); ";
    // German documentation whose example comes first: the SQL would read as English.
    let prose = "Der Planer betrachtet die Statistiken, die für jede Tabelle gesammelt wurden, und \
                 wählt den Plan, von dem er erwartet, dass er am günstigsten ist. Deshalb sollten \
                 die Statistiken nach großen Änderungen an den Daten aktualisiert werden.";
    let page = format!("<pre>{}</pre><p>{prose}</p>", code.repeat(20));
    let x = run("http://docs.test/sql.html", &page);
    assert_eq!(x.page.languages, ["de"]);
}

#[test]
fn internal_external_and_linked_domains() {
    let x = run(
        "https://blog.example.co.uk/post",
        r#"<a href="https://www.example.co.uk/">home</a><a href="/about">about</a>
           <a href="https://a.org/">a</a><a href="https://b.a.org/">a2</a><a href="http://c.net/" rel=nofollow>c</a>
           <link rel=canonical href="https://elsewhere.com/"><iframe src="https://d.net/"></iframe>"#,
    );
    assert_eq!(x.page.links_internal, 2);
    assert_eq!(x.page.links_external, 3);
    assert_eq!(x.page.linked_domains, 2);
}

#[test]
fn is_content_picks_the_article_not_the_navigation() {
    let para = "This is a long paragraph of real article prose, with commas, clauses, and enough words \
                to count as content for the scorer, which wants at least a few dozen characters. ";
    let html = format!(
        r#"<body><div id="nav" class="menu"><ul><li><a href="/n1">Home</a><li><a href="/n2">About us</a>
           <li><a href="/n3">Contact</a></ul></div>
           <div id="main-content"><h1>Title</h1><p>{para}<a href="/c1">inline link</a> {para}</p>
           <p>{para}</p><p>{para} <a href="https://other.org/">source</a>.</p></div>
           <div class="footer"><p>Copyright <a href="/f1">Terms</a> <a href="/f2">Privacy</a></p></div></body>"#
    );
    let x = page(&html);
    let content: Vec<_> = x
        .links
        .iter()
        .map(|l| {
            (
                l.url_to
                    .rsplit('/')
                    .nth(usize::from(l.url_to.ends_with('/')))
                    .unwrap_or(""),
                l.is_content,
            )
        })
        .collect();
    assert_eq!(
        content,
        [
            ("n1", false),
            ("n2", false),
            ("n3", false),
            ("c1", true),
            ("other.org", true),
            ("f1", false),
            ("f2", false)
        ]
    );
}

#[test]
fn main_and_article_elements_are_strong_hints() {
    let para =
        "Prose, with commas, and sentences long enough to be counted as a real paragraph here. ";
    let html = format!(
        r#"<div><p>{para}</p><p>{para}</p><a href="/side">side</a></div>
           <article><p>{para}</p><p>{para}<a href="/in">in</a></p></article>"#
    );
    let x = page(&html);
    assert!(!x.links[0].is_content);
    assert!(x.links[1].is_content);
    assert_eq!(x.links[1].semantic_location.as_deref(), Some("article"));
}

#[test]
fn non_html_content_is_not_parsed() {
    let f = fetch_with(
        "http://a.com/data.json",
        200,
        &[("Content-Type", "application/json; charset=utf-8")],
        br#"{"html": "<a href='/x'>x</a>"}"#,
    );
    let x = extract(&f, &ExtractConfig::default());
    assert!(!x.page.is_html);
    assert!(x.links.is_empty());
    assert_eq!(x.page.encoding.as_deref(), Some("utf-8"));
    assert_eq!(x.page.page_size, 30);
}

#[test]
fn missing_content_type_is_sniffed() {
    let f = fetch_with(
        "http://a.com/",
        200,
        &[],
        b"  <!doctype html><a href=/x>x</a>",
    );
    let x = extract(&f, &ExtractConfig::default());
    assert!(x.page.is_html);
    assert_eq!(x.page.content_type, None);
    assert_eq!(urls(&x), ["http://a.com/x"]);
}

#[test]
fn binary_declared_as_html_gives_an_empty_page() {
    let mut body = b"\x89PNG\r\n\x1a\n".to_vec();
    body.extend((0..5000u32).map(|i| (i % 251) as u8));
    let f = fetch_with(
        "http://a.com/",
        200,
        &[("Content-Type", "text/html")],
        &body,
    );
    let x = extract(&f, &ExtractConfig::default());
    assert!(!x.page.is_html);
    assert!(x.links.is_empty());
    assert_eq!(x.page.page_size, body.len() as u64);
}

#[test]
fn random_bytes_never_panic() {
    let mut seed = 0x1234_5678_u64;
    for len in [0usize, 1, 7, 100, 1000, 20_000] {
        let body: Vec<u8> = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                if seed.is_multiple_of(5) {
                    b'<'
                } else {
                    (seed >> 24) as u8
                }
            })
            .collect();
        let f = fetch_with(
            "http://a.com/",
            200,
            &[("Content-Type", "text/html")],
            &body,
        );
        let x = extract(&f, &ExtractConfig::default());
        assert_eq!(x.page.page_size, len as u64);
        let f = fetch_with("not a url", 200, &[], &body);
        let _ = extract(&f, &ExtractConfig::default());
    }
}

#[test]
fn broken_markup_still_yields_links() {
    let x = page(
        r#"<P>paragraph one with <A hRef = http://www.example.com/ >link</a>.<div <a href="/x">x</a>
           <a href='/y' <b>y</b></a><table><tr><td><a href=/z>z<td>cell</table><a href="/q"unclosed"#,
    );
    let got = urls(&x);
    assert!(got.contains(&"http://www.example.com/"), "{got:?}");
    assert!(got.contains(&"http://www.example.com/z"), "{got:?}");
    let z = x
        .links
        .iter()
        .find(|l| l.url_to.ends_with("/z"))
        .map(|l| l.anchor.as_str());
    assert_eq!(z, Some("z"), "a cell end closes the link opened in it");
}

#[test]
fn truncation_at_max_html_bytes() {
    let mut html = String::from("<title>T</title>");
    for i in 0..2000 {
        html.push_str(&format!("<p><a href=\"/p{i}\">link {i}</a></p>"));
    }
    let config = ExtractConfig {
        max_html_bytes: 10_000,
        ..ExtractConfig::default()
    };
    let f = fetch_with(
        "http://a.com/",
        200,
        &[("Content-Type", "text/html")],
        html.as_bytes(),
    );
    let x = extract(&f, &config);
    assert!(x.page.truncated);
    assert_eq!(x.page.page_size, html.len() as u64);
    assert!(
        x.links.len() > 100 && x.links.len() < 400,
        "{}",
        x.links.len()
    );
    let config = ExtractConfig {
        max_links: 50,
        ..ExtractConfig::default()
    };
    let x = extract(&f, &config);
    assert!(!x.page.truncated);
    assert_eq!(x.links.len(), 50);
    assert_eq!(x.page.links_internal, 50);
}

#[test]
fn deep_nesting_and_giant_attributes_are_bounded() {
    let mut html = "<div>".repeat(100_000);
    html.push_str(r#"<a href="/deep">deep</a>"#);
    html.push_str(&format!(
        r#"<a href="/{}" title="{}">{}</a>"#,
        "a".repeat(200_000),
        "t".repeat(1_000_000),
        "w".repeat(100_000)
    ));
    html.push_str(&format!(r#"<a href="/ok">{}</a>"#, "word ".repeat(10_000)));
    let x = page(&html);
    assert_eq!(x.links.len(), 2, "the oversized URL is dropped");
    assert_eq!(x.links[0].anchor, "deep");
    let ok = &x.links[1];
    assert_eq!(ok.anchor.chars().count(), 512);
    assert!(ok.snippet_left.chars().count() <= 100);
}

#[test]
fn parser_memory_limit_keeps_what_was_found() {
    let mut html = String::from(r#"<a href="/first">first</a>"#);
    html.push_str(&"<div>".repeat(50_000));
    html.push_str(r#"<a href="/last">last</a>"#);
    let config = ExtractConfig {
        max_parser_memory: 64 * 1024,
        ..ExtractConfig::default()
    };
    let f = fetch_with(
        "http://a.com/",
        200,
        &[("Content-Type", "text/html")],
        html.as_bytes(),
    );
    let x = extract(&f, &config);
    // The limit stops the pass inside the nested divs: the first link is kept, the last unseen.
    assert_eq!(urls(&x), ["http://a.com/first"]);
}

#[test]
fn fetch_id_and_page_fields() {
    let mut f = fetch_with(
        "HTTP://Example.COM:80/a#frag",
        404,
        &[("Content-Type", "text/html")],
        b"<p>x",
    );
    f.fetched_at = 99;
    f.ip = Some("1.2.3.4".into());
    let x = extract(&f, &ExtractConfig::default());
    assert_eq!(x.page.url, "http://example.com/a");
    assert_eq!(
        x.page.fetch_id,
        fetch_id("<urn:uuid:test>", "HTTP://Example.COM:80/a#frag", 99)
    );
    assert_eq!(x.page.http_code, 404);
    assert_eq!(x.page.ip.as_deref(), Some("1.2.3.4"));
    assert_eq!(x.page.content_type.as_deref(), Some("text/html"));
    let json = serde_json::to_string(&x).unwrap_or_default();
    assert!(json.contains("\"page\"") && json.contains("\"links\""));
}

#[test]
fn oversized_json_ld_block_is_skipped() {
    let big = format!(
        r#"<script type="application/ld+json">{{"@type":"Recipe","x":"{}"}}</script>"#,
        "y".repeat(600 * 1024)
    );
    let x = page(&format!(
        r#"{big}<script type="application/ld+json">{{"@type":"Event"}}</script>"#
    ));
    assert_eq!(x.page.page_type.as_deref(), Some("/Event"));
}

#[test]
fn detection_adds_a_language_the_declaration_misses() {
    let es = "<html lang=\"en\"><p>La Gioconda es una obra pictórica del pintor renacentista italiano \
              Leonardo da Vinci. Fue adquirida por el rey Francisco I de Francia a principios del \
              siglo XVI y desde entonces es propiedad del Estado francés.</p>";
    assert_eq!(page(es).page.languages, ["en", "es"]);
    let en = "<html lang=\"en-GB\"><p>The Mona Lisa is a half-length portrait painting by the \
              Italian artist Leonardo da Vinci, and it is on display at the Louvre in Paris. It \
              has been described as the best known work of art in the world.</p>";
    assert_eq!(page(en).page.languages, ["en"]);
    let undeclared = "<p>Die Mona Lisa ist ein weltberühmtes Ölgemälde von Leonardo da Vinci aus \
                      der Hochphase der italienischen Renaissance Anfang des 16. Jahrhunderts.</p>";
    assert_eq!(page(undeclared).page.languages, ["de"]);
}
