//! The synthetic web served on loopback (HTTP, and HTTPS with a throwaway CA and HTTP/2 by
//! ALPN) and crawled into a fetch log through the index's sink — what `anchorage demo` does.
//!
//! Checked: every crawlable page of the web is requested exactly once and no
//! robots-disallowed page ever (they are logged as `disallowed` failures instead); the log
//! holds the same pages and the same links as ingesting the web's WARC (crawled and archived
//! pages are alike downstream); feeds give their links (element `rss`) as the ground truth
//! lists them; the crawl's own WARC reads back.

use anchorage_acquire::ArchiveReader;
use anchorage_acquire::crawl::{CrawlConfig, Politeness, Scope, crawl};
use anchorage_core::NormalizedUrl;
use anchorage_core::record::{Capture, FetchError, LinkElement, LinkRecord, PageRecord};
use anchorage_extract::ExtractConfig;
use anchorage_index::DataDir;
use anchorage_index::crawl::LogSink;
use anchorage_index::ingest::{IngestConfig, ingest_files};
use anchorage_index::log::{read_segment, segments};
use anchorage_synth::server::SynthServer;
use anchorage_synth::{SynthConfig, generate};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

type Log = (Vec<PageRecord>, Vec<LinkRecord>);

fn read_log(dir: &DataDir) -> Log {
    let (mut pages, mut links) = (Vec::new(), Vec::new());
    for segment in segments(dir).unwrap() {
        let (p, l) = read_segment(&segment).unwrap();
        pages.extend(p);
        links.extend(l);
    }
    (pages, links)
}

/// Page facts that must not depend on how the page was obtained.
fn page_key(p: &PageRecord) -> String {
    format!(
        "{} {} {:?} {:?} {} {} {} {} {}",
        p.url,
        p.http_code,
        p.title,
        p.canonical,
        p.noindex,
        p.nofollow,
        p.links_internal,
        p.links_external,
        p.is_html
    )
}

/// Links as (page URL, ordinal, target, element, anchor, flags), feeds' links excepted.
fn link_keys(log: &Log) -> BTreeMap<String, usize> {
    let urls: HashMap<u64, &str> = log.0.iter().map(|p| (p.fetch_id, p.url.as_str())).collect();
    let mut out = BTreeMap::new();
    for l in log
        .1
        .iter()
        .filter(|l| l.element != LinkElement::Rss || !is_feed(&log.0, l))
    {
        let key = format!(
            "{} #{} -> {} {:?} {:?} nf={} ugc={} sp={} content={} loc={:?} code={:?}",
            urls.get(&l.fetch_id).unwrap_or(&"?"),
            l.ordinal,
            l.url_to,
            l.element,
            l.anchor,
            l.nofollow,
            l.ugc,
            l.sponsored,
            l.is_content,
            l.semantic_location,
            l.redirect_code
        );
        *out.entry(key).or_default() += 1;
    }
    out
}

fn is_feed(pages: &[PageRecord], link: &LinkRecord) -> bool {
    pages
        .iter()
        .find(|p| p.fetch_id == link.fetch_id)
        .is_some_and(|p| p.content_type.as_deref() == Some("application/rss+xml"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn crawling_the_synthetic_web_equals_ingesting_its_warc() {
    let web = generate(&SynthConfig::default(), 0);
    let server = SynthServer::start(Arc::new(web.clone())).await.unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let crawled = DataDir::open(tmp.path().join("crawled")).unwrap();
    // What a user would type: every host of every site, and the plain-HTTP address of an
    // HTTPS site, where the web answers them (with redirects; no page links to them all).
    let answered: std::collections::HashSet<&str> =
        web.responses.iter().map(|r| r.url.as_str()).collect();
    let seeds = web
        .sites
        .iter()
        .flat_map(|s| {
            let mut entry: Vec<String> = s
                .hosts
                .iter()
                .map(|h| format!("{}://{h}/", s.scheme))
                .collect();
            if s.scheme == "https" {
                entry.push(format!("http://{}/", s.primary_host));
            }
            entry
        })
        .filter(|u| answered.contains(u.as_str()))
        .collect();
    let mut config = CrawlConfig::new(tmp.path().join("crawled/crawl"), seeds);
    config.scope = Scope::Domains;
    config.network.resolve = server.resolve_rules();
    config.network.ca_certs_pem = vec![server.ca_pem.clone().into_bytes()];
    config.politeness = Politeness::off(4);
    config.concurrency = 16;
    config.warc_dir = Some(tmp.path().join("warc"));
    let sink = LogSink::new(crawled.clone(), ExtractConfig::default());
    let stop = Box::pin(tokio::time::sleep(Duration::from_secs(300)));
    let report = crawl(config, Box::new(sink), &mut |_| {}, stop)
        .await
        .unwrap();
    assert!(
        report.stats.errors.is_empty() || only_http(&report.stats.errors),
        "{:?}",
        report.stats.errors
    );

    // Requests: each crawlable URL once, robots-disallowed ones never.
    let mut requested: HashMap<String, u64> = HashMap::new();
    for (url, n) in server.requests() {
        let url = NormalizedUrl::parse(&url)
            .map(|u| u.as_str().to_string())
            .unwrap_or(url);
        *requested.entry(url).or_default() += n;
    }
    let mut unreached = Vec::new();
    for r in &web.responses {
        match requested.get(&r.url) {
            Some(1) => {}
            Some(n) => panic!("{} requested {n} times", r.url),
            None => unreached.push(r.url.clone()),
        }
    }
    assert!(unreached.is_empty(), "never requested: {unreached:?}");
    for r in &web.disallowed {
        assert!(!requested.contains_key(&r.url), "{} is disallowed", r.url);
    }

    // The log equals the WARC's ingestion (robots.txt and failure records aside).
    let archived = DataDir::open(tmp.path().join("archived")).unwrap();
    let warc = tmp.path().join("synthetic.warc.gz");
    web.write_warc(&warc).unwrap();
    ingest_files(&archived, &[warc], &IngestConfig::default(), &|_| {}).unwrap();
    let (crawl_log, warc_log) = (read_log(&crawled), read_log(&archived));
    let pages = |log: &Log| -> Vec<String> {
        let mut v: Vec<String> = log
            .0
            .iter()
            .filter(|p| p.fetch_error.is_none() && !p.url.ends_with("/robots.txt"))
            .map(page_key)
            .collect();
        v.sort();
        v
    };
    assert_eq!(pages(&crawl_log), pages(&warc_log));
    let (c, w) = (link_keys(&crawl_log), link_keys(&warc_log));
    let only_crawl: Vec<_> = c
        .iter()
        .filter(|(k, n)| w.get(*k) != Some(n))
        .take(5)
        .collect();
    let only_warc: Vec<_> = w
        .iter()
        .filter(|(k, n)| c.get(*k) != Some(n))
        .take(5)
        .collect();
    assert!(
        only_crawl.is_empty() && only_warc.is_empty(),
        "crawl {only_crawl:?}\nwarc {only_warc:?}"
    );
    let disallowed: Vec<&PageRecord> = crawl_log
        .0
        .iter()
        .filter(|p| p.fetch_error == Some(FetchError::Disallowed))
        .collect();
    assert!(!web.disallowed.is_empty() && disallowed.len() >= web.disallowed.len().min(1));
    assert!(
        crawl_log
            .0
            .iter()
            .filter(|p| p.fetch_error.is_none())
            .all(|p| p.ip.as_deref() == Some("127.0.0.1"))
    );

    // Feeds: their links as the truth has them.
    let mut feed: Vec<(String, String)> = crawl_log
        .1
        .iter()
        .filter(|l| l.element == LinkElement::Rss && is_feed(&crawl_log.0, l))
        .map(|l| (l.url_to.clone(), l.anchor.clone()))
        .collect();
    let mut truth: Vec<(String, String)> = web
        .truth
        .feed_links
        .iter()
        .map(|l| (l.to.clone(), l.anchor.clone()))
        .collect();
    feed.sort();
    truth.sort();
    assert_eq!(feed, truth);

    // The crawl's WARC holds every response it recorded.
    let mut archived_responses = 0;
    for file in std::fs::read_dir(tmp.path().join("warc")).unwrap() {
        let reader = ArchiveReader::open(file.unwrap().path()).unwrap();
        archived_responses += reader.filter(|c| matches!(c, Capture::Response(_))).count();
    }
    let recorded = crawl_log
        .0
        .iter()
        .filter(|p| p.fetch_error.is_none())
        .count();
    assert_eq!(archived_responses, recorded);
}

fn only_http(
    errors: &std::collections::BTreeMap<anchorage_acquire::crawl::ErrorKind, u64>,
) -> bool {
    use anchorage_acquire::crawl::ErrorKind;
    errors
        .keys()
        .all(|k| matches!(k, ErrorKind::Http4xx | ErrorKind::Http5xx))
}
