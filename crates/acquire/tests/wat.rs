//! WAT records with `Links`, in Common Crawl's layout (ia-web-commons' envelope: every scalar a
//! JSON string, `Head.Link` for `<link>` tags, `Links` for the body's links with their
//! `TAG@/attribute` paths), ingested as pages and links.

use anchorage_acquire::{ArchiveReader, ReaderConfig};
use anchorage_core::record::{Capture, LinkElement, LinkRecord, PageRecord, SourceKind, fetch_id};
use anchorage_core::time::parse_warc_date;
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::{Cursor, Write};

/// One WARC record as its own gzip member, as Common Crawl writes WAT files.
fn record(headers: &[(&str, &str)], block: &[u8]) -> Vec<u8> {
    let mut raw = b"WARC/1.0\r\n".to_vec();
    for (k, v) in headers {
        raw.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    raw.extend_from_slice(format!("Content-Length: {}\r\n\r\n", block.len()).as_bytes());
    raw.extend_from_slice(block);
    raw.extend_from_slice(b"\r\n\r\n");
    let mut gz = GzEncoder::new(Vec::new(), Compression::default());
    gz.write_all(&raw).unwrap();
    gz.finish().unwrap()
}

fn wat_record(target: &str, json: &str) -> Vec<u8> {
    record(
        &[
            ("WARC-Type", "metadata"),
            ("WARC-Target-URI", target),
            ("WARC-Date", "2024-05-31T01:17:49Z"),
            (
                "WARC-Record-ID",
                "<urn:uuid:3d3f4785-c69a-4f8c-968c-d23302c55ef4>",
            ),
            (
                "WARC-Refers-To",
                "<urn:uuid:11111111-2222-4333-8444-555555555555>",
            ),
            ("Content-Type", "application/json"),
        ],
        json.as_bytes(),
    )
}

const PAGE_URL: &str = "https://www.example.com/dir/page.html";
const RECORD_ID: &str = "<urn:uuid:11111111-2222-4333-8444-555555555555>";
const CAPTURE_DATE: &str = "2024-05-18T01:58:10Z";

/// A response envelope as Common Crawl's WAT extractor writes it.
const RESPONSE_JSON: &str = r##"{"Container":{"Filename":"CC-MAIN-20240517233122-20240518023122-00000.warc.gz","Compressed":true,"Offset":"80610731","Gzip-Metadata":{"Deflate-Length":"18431","Header-Length":"10","Footer-Length":"8","Inflated-CRC":"-1163128787","Inflated-Length":"75102"}},"Envelope":{"Format":"WARC","WARC-Header-Length":"521","Actual-Content-Length":"74581","WARC-Header-Metadata":{"WARC-Type":"response","WARC-Date":"2024-05-18T01:58:10Z","WARC-Record-ID":"<urn:uuid:11111111-2222-4333-8444-555555555555>","Content-Length":"74581","Content-Type":"application/http; msgtype=response","WARC-Warcinfo-ID":"<urn:uuid:668d88fc-4208-41fc-b327-1aa6cb783331>","WARC-Concurrent-To":"<urn:uuid:292f457d-203c-42f2-a1b5-69a4dabefd4f>","WARC-IP-Address":"93.184.216.34","WARC-Target-URI":"https://www.example.com/dir/page.html","WARC-Payload-Digest":"sha1:4RUZFQLEBLD46HZUN3VDGDW5FRMAHDDM","WARC-Block-Digest":"sha1:IE7NEN3QEJHUCYRRGVMHDDW3BEHFRQ6V","WARC-Identified-Payload-Type":"text/html"},"Block-Digest":"sha1:IE7NEN3QEJHUCYRRGVMHDDW3BEHFRQ6V","Payload-Metadata":{"Actual-Content-Type":"application/http; msgtype=response","HTTP-Response-Metadata":{"Response-Message":{"Version":"HTTP/1.1","Status":"200","Reason":"OK"},"Headers-Length":"612","Headers":{"Date":"Sat, 18 May 2024 01:58:10 GMT","Content-Type":"text/html; charset=UTF-8","Server":"ECS (nyb/1D2A)","X-Crawler-Content-Length":"1234"},"Entity-Length":"1234","Entity-Digest":"sha1:4RUZFQLEBLD46HZUN3VDGDW5FRMAHDDM","Entity-Trailing-Slop-Length":"0","HTML-Metadata":{"Head":{"Title":"  Example \n  Page ","Base":"https://www.example.com/dir/","Metas":[{"name":"viewport","content":"width=device-width"},{"name":"robots","content":"index, follow"},{"http-equiv":"refresh","content":"5; url=/next"}],"Link":[{"path":"LINK@/href","url":"https://www.example.com/canonical","rel":"canonical"},{"path":"LINK@/href","url":"/feed.xml","rel":"alternate","type":"application/rss+xml","title":"Feed"},{"path":"LINK@/href","url":"/fr/","rel":"alternate","hreflang":"fr"},{"path":"LINK@/href","url":"/style.css","rel":"stylesheet","type":"text/css"}],"Scripts":[{"path":"SCRIPT@/src","url":"/app.js","type":"text/javascript"}]},"Links":[{"path":"A@/href","url":"about.html","text":"About \n\t us"},{"path":"A@/href","url":"https://other.org/page","text":"Other site","rel":"nofollow"},{"path":"A@/href","url":"https://blog.example.com/x","text":"Blog","rel":"ugc sponsored"},{"path":"IMG@/src","url":"/logo.png","alt":"Logo"},{"path":"A@/href","url":"https://third.net/","title":"Third","alt":"Third logo"},{"path":"A@/href","url":"mailto:x@example.com","text":"Mail"},{"path":"A@/href","url":"javascript:void(0)","text":"JS"},{"path":"IFRAME@/src","url":"https://video.other.org/embed/1"},{"path":"FORM@/action","url":"/search","method":"get"},{"path":"A@/href","url":"#top","text":"Top"}]}}}}}"##;

/// A request envelope (the only record in the real WAT of the testdata).
const REQUEST_JSON: &str = r#"{"Container":{"Filename":"x.warc.gz","Compressed":true,"Offset":"80610308"},"Envelope":{"Payload-Metadata":{"Actual-Content-Type":"application/http; msgtype=request","HTTP-Request-Metadata":{"Request-Message":{"Method":"GET","Path":"/wiki/Escopete","Version":"HTTP/1.1"},"Headers":{"Host":"an.wikipedia.org"}}},"Format":"WARC","WARC-Header-Length":"357","WARC-Header-Metadata":{"WARC-Type":"request","WARC-Date":"2024-05-18T01:58:10Z","WARC-Record-ID":"<urn:uuid:292f457d-203c-42f2-a1b5-69a4dabefd4f>","WARC-Target-URI":"https://an.wikipedia.org/wiki/Escopete"}}}"#;

/// A response without HTML metadata (an image): nothing to yield.
const IMAGE_JSON: &str = r#"{"Envelope":{"Format":"WARC","WARC-Header-Metadata":{"WARC-Type":"response","WARC-Date":"2024-05-18T01:58:11Z","WARC-Record-ID":"<urn:uuid:aaaaaaaa-2222-4333-8444-555555555555>","WARC-Target-URI":"https://www.example.com/logo.png"},"Payload-Metadata":{"Actual-Content-Type":"application/http; msgtype=response","HTTP-Response-Metadata":{"Response-Message":{"Version":"HTTP/1.1","Status":"200","Reason":"OK"},"Headers":{"Content-Type":"image/png"},"Entity-Length":"5000"}}}}"#;

/// A page whose meta refresh is listed in `Links` (`META@/content`) and which is noindex.
const REFRESH_JSON: &str = r#"{"Envelope":{"Format":"WARC","WARC-Header-Metadata":{"WARC-Type":"response","WARC-Date":"2024-05-18T01:58:12Z","WARC-Record-ID":"<urn:uuid:bbbbbbbb-2222-4333-8444-555555555555>","WARC-Target-URI":"http://old.example.org/","WARC-IP-Address":"10.0.0.1"},"Payload-Metadata":{"Actual-Content-Type":"application/http; msgtype=response","HTTP-Response-Metadata":{"Response-Message":{"Version":"HTTP/1.1","Status":"200","Reason":"OK"},"Headers":{"Content-Type":"text/html","X-Robots-Tag":"noindex"},"HTML-Metadata":{"Head":{"Title":"","Metas":[{"name":"robots","content":"nofollow"},{"http-equiv":"refresh","content":"0;URL='http://new.example.org/'"}]},"Links":[{"path":"META@/content","url":"http://new.example.org/"}]}}}}}"#;

fn read(members: Vec<Vec<u8>>) -> (Vec<Capture>, anchorage_acquire::ReadStats) {
    let data: Vec<u8> = members.concat();
    let mut reader =
        ArchiveReader::from_reader("test.wat.gz", Cursor::new(data), ReaderConfig::default())
            .unwrap();
    let captures: Vec<Capture> = reader.by_ref().collect();
    (captures, reader.stats().clone())
}

fn extracted(captures: &[Capture]) -> Vec<(&PageRecord, &Vec<LinkRecord>)> {
    captures
        .iter()
        .filter_map(|c| match c {
            Capture::Extracted(p, l) => Some((p, l)),
            _ => None,
        })
        .collect()
}

fn warcinfo() -> Vec<u8> {
    record(
        &[
            ("WARC-Type", "warcinfo"),
            ("WARC-Date", "2024-05-31T01:16:45Z"),
            (
                "WARC-Record-ID",
                "<urn:uuid:b4fe2291-40c2-4492-b4ab-7a7776be6c73>",
            ),
            ("Content-Type", "application/warc-fields"),
        ],
        b"Software-Info: ia-web-commons.1.1.10-SNAPSHOT-20240513074037\r\n",
    )
}

#[test]
fn wat_links_are_ingested_with_their_attributes() {
    let (captures, stats) = read(vec![
        warcinfo(),
        wat_record("https://an.wikipedia.org/wiki/Escopete", REQUEST_JSON),
        wat_record(PAGE_URL, RESPONSE_JSON),
        wat_record("https://www.example.com/logo.png", IMAGE_JSON),
    ]);
    assert_eq!(stats.records_of("metadata"), 3);
    assert_eq!((stats.captures, stats.extracted, stats.skipped), (1, 1, 0));
    let pages = extracted(&captures);
    let (page, links) = pages[0];

    let fetched_at = parse_warc_date(CAPTURE_DATE).unwrap();
    let id = fetch_id(RECORD_ID, PAGE_URL, fetched_at);
    assert_eq!(page.fetch_id, id);
    assert_eq!(page.url, PAGE_URL);
    // The capture's date, not the WAT record's.
    assert_eq!(page.fetched_at, fetched_at);
    assert_eq!(page.http_code, 200);
    assert_eq!(page.title.as_deref(), Some("Example Page"));
    assert_eq!(page.content_type.as_deref(), Some("text/html"));
    assert_eq!(page.encoding.as_deref(), Some("utf-8"));
    assert!(page.is_html);
    assert_eq!(page.page_size, 1234);
    assert_eq!(page.ip.as_deref(), Some("93.184.216.34"));
    assert_eq!(page.source, SourceKind::Wat);
    assert_eq!(
        page.canonical.as_deref(),
        Some("https://www.example.com/canonical")
    );
    assert!(!page.noindex && !page.nofollow);

    let got: Vec<(u32, &str, LinkElement, &str)> = links
        .iter()
        .map(|l| (l.ordinal, l.url_to.as_str(), l.element, l.anchor.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                0,
                "https://www.example.com/canonical",
                LinkElement::Canonical,
                ""
            ),
            (1, "https://www.example.com/feed.xml", LinkElement::Rss, ""),
            (2, "https://www.example.com/fr/", LinkElement::Alternate, ""),
            (
                3,
                "https://www.example.com/next",
                LinkElement::MetaRefresh,
                ""
            ),
            // Relative to Head.Base; anchor whitespace collapsed.
            (
                4,
                "https://www.example.com/dir/about.html",
                LinkElement::Anchor,
                "About us"
            ),
            (
                5,
                "https://other.org/page",
                LinkElement::Anchor,
                "Other site"
            ),
            (6, "https://blog.example.com/x", LinkElement::Anchor, "Blog"),
            (7, "https://third.net/", LinkElement::Anchor, ""),
            (8, "https://video.other.org/embed/1", LinkElement::Frame, ""),
            (9, "https://www.example.com/search", LinkElement::Form, ""),
            (
                10,
                "https://www.example.com/dir/",
                LinkElement::Anchor,
                "Top"
            ),
        ]
    );
    assert!(links.iter().all(|l| l.fetch_id == id));
    let flags: Vec<(bool, bool, bool)> = links
        .iter()
        .map(|l| (l.nofollow, l.ugc, l.sponsored))
        .collect();
    assert_eq!(flags[5], (true, false, false));
    assert_eq!(flags[6], (false, true, true));
    assert_eq!(
        flags
            .iter()
            .filter(|f| **f != (false, false, false))
            .count(),
        2
    );
    assert_eq!(links[7].alt.as_deref(), Some("Third logo"));
    assert_eq!(links[3].redirect_code, Some(0));
    // By root domain: other.org (twice: page and video subdomain) and third.net are external;
    // blog.example.com is internal.
    assert_eq!(
        (
            page.links_internal,
            page.links_external,
            page.linked_domains
        ),
        (8, 3, 2)
    );
}

#[test]
fn meta_refresh_from_links_and_robots() {
    let (captures, _) = read(vec![wat_record("http://old.example.org/", REFRESH_JSON)]);
    let pages = extracted(&captures);
    let (page, links) = pages[0];
    assert_eq!(page.title, None);
    assert!(page.noindex && page.nofollow);
    assert_eq!(
        links.len(),
        1,
        "the Metas refresh is the same link as META@/content"
    );
    assert_eq!(links[0].element, LinkElement::MetaRefresh);
    assert_eq!(links[0].url_to, "http://new.example.org/");
    assert_eq!((page.links_internal, page.links_external), (1, 0));
}

#[test]
fn damaged_wat_json_is_a_counted_skip() {
    let truncated_json = &RESPONSE_JSON[..RESPONSE_JSON.len() / 2];
    let bad_date = RESPONSE_JSON.replace(CAPTURE_DATE, "2024-13-45T99:00:00Z");
    let (captures, stats) = read(vec![
        wat_record(PAGE_URL, truncated_json),
        wat_record(PAGE_URL, &bad_date),
        wat_record(PAGE_URL, RESPONSE_JSON),
    ]);
    assert_eq!(captures.len(), 1);
    assert_eq!(stats.skip_reasons.get("malformed WAT JSON"), Some(&1));
    assert_eq!(stats.skip_reasons.get("malformed WARC-Date"), Some(&1));
}
