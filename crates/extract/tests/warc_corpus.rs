//! Every response record of every test WARC goes through `extract` without a panic, and the
//! page facts every consumer relies on are always there.

mod support;

use anchorage_extract::{ExtractConfig, extract};

#[test]
fn every_record_of_every_warc_extracts_cleanly() {
    let Some(testdata) = support::testdata() else {
        return;
    };
    let config = ExtractConfig::default();
    let (mut pages, mut html_pages, mut links) = (0, 0, 0);
    for file in support::warc_files(&testdata) {
        for fetch in support::fetches(&file) {
            let x = extract(&fetch, &config);
            pages += 1;
            assert_eq!(x.page.page_size, fetch.body.len() as u64, "{}", fetch.url);
            if x.page.is_html {
                html_pages += 1;
                assert!(x.page.encoding.is_some(), "no encoding for {}", fetch.url);
            }
            for (i, link) in x.links.iter().enumerate() {
                assert_eq!(link.ordinal as usize, i);
                assert!(link.url_to.starts_with("http://") || link.url_to.starts_with("https://"));
                assert!(link.snippet_left.chars().count() <= config.snippet_chars);
                assert!(link.snippet_right.chars().count() <= config.snippet_chars);
                assert!(link.anchor.chars().count() <= config.max_anchor_chars);
            }
            links += x.links.len();
        }
    }
    eprintln!("{pages} responses, {html_pages} HTML pages, {links} links");
    assert!(
        html_pages >= 100,
        "expected the corpus's HTML pages, got {html_pages}"
    );
}

#[test]
fn truncated_record_gives_a_partial_page() {
    let Some(testdata) = support::testdata() else {
        return;
    };
    let fetches = support::fetches(&testdata.join("warc/truncated-record.warc.gz"));
    let fetch = fetches
        .first()
        .expect("the truncated record is still a response");
    let x = extract(fetch, &ExtractConfig::default());
    assert!(x.page.is_html);
    assert!(x.page.truncated, "the capture was cut short");
    assert!(!x.links.is_empty());
}

/// Facts stated in `testdata/SOURCES.md`, checked against what we extract.
#[test]
fn corpus_facts_from_the_sources() {
    let Some(testdata) = support::testdata() else {
        return;
    };
    let config = ExtractConfig::default();
    let extract_all = |name: &str| -> Vec<_> {
        support::fetches(&testdata.join("warc").join(name))
            .iter()
            .map(|f| extract(f, &config))
            .filter(|x| x.page.is_html)
            .collect()
    };
    let nofollow = |xs: &[anchorage_extract::Extraction]| -> usize {
        xs.iter()
            .flat_map(|x| &x.links)
            .filter(|l| l.nofollow)
            .count()
    };

    // "16 HTML pages on 15 hosts … 14 nofollow": two of the 14 are `tel:` links, not http(s).
    let cc2020 = extract_all("cc-2020-34-sample.warc.gz");
    assert_eq!(cc2020.len(), 16);
    assert_eq!(nofollow(&cc2020), 12);

    // "1,464 links, 190 nofollow" over the two captures of the article.
    let mona = extract_all("wikipedia-mona-lisa-2013.warc.gz");
    assert_eq!(nofollow(&mona), 190);

    // "many rel=nofollow links, a canonical, a redirect".
    let wiki = extract_all("archiveteam-wiki-nofollow.warc");
    let redirect = wiki
        .iter()
        .flat_map(|x| &x.links)
        .find(|l| l.redirect_code.is_some());
    assert_eq!(
        redirect.map(|l| (l.url_to.as_str(), l.redirect_code)),
        Some(("https://wiki.archiveteam.org/", Some(307)))
    );
    assert!(
        wiki.iter().any(|x| x.page.canonical.as_deref()
            == Some("https://wiki.archiveteam.org/index.php/Main_Page"))
    );
    assert!(nofollow(&wiki) > 50);

    // "one Common Crawl 2019 response record (… canonical, nofollow)".
    let cc2019 = extract_all("cc-2019-commoncrawl-org.warc.gz");
    assert_eq!(cc2019.len(), 1);
    assert!(cc2019[0].page.canonical.is_some());
    assert!(nofollow(&cc2019) >= 1);
}

/// Real pages cut at arbitrary points and sprinkled with random bytes still extract.
#[test]
fn mangled_real_pages_never_panic() {
    let Some(testdata) = support::testdata() else {
        return;
    };
    let config = ExtractConfig::default();
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let pages: Vec<_> = support::warc_files(&testdata)
        .iter()
        .flat_map(|f| support::fetches(f))
        .filter(|f| f.body.len() > 100)
        .take(40)
        .collect();
    for page in pages {
        for _ in 0..4 {
            let mut fetch = page.clone();
            let cut = (next() as usize) % fetch.body.len();
            fetch.body.truncate(cut.max(1));
            for _ in 0..(next() % 50) {
                let at = (next() as usize) % fetch.body.len();
                fetch.body[at] = (next() & 0xff) as u8;
            }
            let x = extract(&fetch, &config);
            assert_eq!(x.page.page_size, fetch.body.len() as u64);
        }
    }
}
