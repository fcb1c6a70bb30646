//! Every archive in `../shared/testdata/warc` read end to end.
//!
//! The expected numbers were derived independently of this crate, with a short Python script
//! (zlib `decompressobj(31)` member by member, records split on the `WARC/` line and
//! `Content-Length`, types counted from `WARC-Type`; a response counts as a capture when its
//! block starts with `HTTP/` and its `WARC-Date` parses as ISO 8601), and by reading the files
//! with `zcat | less`. Where a number needs more explanation it is given beside the file.

use anchorage_acquire::{ArchiveReader, ReadStats, reasons, warnings};
use anchorage_core::record::{Capture, FetchRecord, RevisitRecord};
use anchorage_core::time::parse_warc_date;
use sha1::{Digest, Sha1};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// `../shared/testdata/warc`, or None (with a notice) when it is absent outside CI.
fn warc_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata/warc");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("testdata missing in CI: {}", dir.display());
    }
    eprintln!(
        "notice: {} not found, skipping testdata tests",
        dir.display()
    );
    None
}

fn read(name: &str) -> Option<(Vec<Capture>, ReadStats)> {
    let path = warc_dir()?.join(name);
    let mut reader = ArchiveReader::open(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    let captures: Vec<Capture> = reader.by_ref().collect();
    Some((captures, reader.stats().clone()))
}

fn responses(captures: &[Capture]) -> Vec<&FetchRecord> {
    captures
        .iter()
        .filter_map(|c| match c {
            Capture::Response(f) => Some(f),
            _ => None,
        })
        .collect()
}

fn revisits(captures: &[Capture]) -> Vec<&RevisitRecord> {
    captures
        .iter()
        .filter_map(|c| match c {
            Capture::Revisit(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn map(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

struct Expect {
    file: &'static str,
    records: &'static [(&'static str, u64)],
    responses: u64,
    revisits: u64,
    skips: &'static [(&'static str, u64)],
}

const EXPECTED: &[Expect] = &[
    // wget 1.14 capture: 16 request/response pairs (7 are 302, 2 are 301), 3 wget resources.
    Expect {
        file: "archive-org-redirects.warc.gz",
        records: &[
            ("request", 16),
            ("resource", 3),
            ("response", 16),
            ("warcinfo", 1),
        ],
        responses: 16,
        revisits: 0,
        skips: &[],
    },
    // Target URIs written as `<http://…>` (WARC 1.0 grammar as wget reads it).
    Expect {
        file: "archiveteam-wiki-nofollow.warc",
        records: &[
            ("metadata", 1),
            ("request", 2),
            ("resource", 2),
            ("response", 2),
            ("warcinfo", 1),
        ],
        responses: 2,
        revisits: 0,
        skips: &[],
    },
    Expect {
        file: "cc-2019-commoncrawl-org.warc.gz",
        records: &[("response", 1)],
        responses: 1,
        revisits: 0,
        skips: &[],
    },
    // 17 requests for 16 responses: one request (a robots.txt fetch) has no response.
    Expect {
        file: "cc-2020-34-sample.warc.gz",
        records: &[
            ("metadata", 16),
            ("request", 17),
            ("response", 16),
            ("warcinfo", 1),
        ],
        responses: 16,
        revisits: 0,
        skips: &[],
    },
    Expect {
        file: "cc-2024-22-wikipedia.warc.gz",
        records: &[
            ("metadata", 1),
            ("request", 1),
            ("response", 1),
            ("warcinfo", 1),
        ],
        responses: 1,
        revisits: 0,
        skips: &[],
    },
    // The WAT's one metadata record describes the *request*: no Links, nothing to yield.
    Expect {
        file: "cc-2024-22-wikipedia.warc.wat.gz",
        records: &[("metadata", 1), ("warcinfo", 1)],
        responses: 0,
        revisits: 0,
        skips: &[],
    },
    // WET: plain-text `conversion` records only.
    Expect {
        file: "cc-2024-22-wikipedia.warc.wet.gz",
        records: &[("conversion", 1), ("warcinfo", 1)],
        responses: 0,
        revisits: 0,
        skips: &[],
    },
    // WARC/0.18. Every record's WARC-Date is `2008-10-294T05:21:46-0700`: a day-of-year (294)
    // written into the day-of-month field, and an offset without a colon. No date can be
    // read from it, so all 29 responses are skipped with that reason (the warcinfo needs no
    // date). Their HTTP heads use bare LF and say `Content-Encoding: gzip` over bodies stored
    // already decoded.
    Expect {
        file: "clueweb09-malformed-date.warc.gz",
        records: &[("response", 29), ("warcinfo", 1)],
        responses: 0,
        revisits: 0,
        skips: &[(reasons::MALFORMED_DATE, 29)],
    },
    // Heritrix 3.1.1: 10 responses of which 3 are DNS lookups (`dns:` URIs, `text/dns`
    // blocks), skipped as not HTTP; 55 revisits (identical-payload-digest profile).
    Expect {
        file: "data-gov-uk-2014-revisits.warc.gz",
        records: &[
            ("metadata", 62),
            ("request", 62),
            ("response", 10),
            ("revisit", 55),
            ("warcinfo", 1),
        ],
        responses: 7,
        revisits: 55,
        skips: &[(reasons::NOT_HTTP, 3)],
    },
    Expect {
        file: "iana-chunked.warc",
        records: &[("request", 1), ("response", 1), ("warcinfo", 1)],
        responses: 1,
        revisits: 0,
        skips: &[],
    },
    // Hand-made: several Content-Lengths are one byte short, one record is followed by a stray
    // CR, and no record has a WARC-Record-ID (see `records_without_ids_get_stable_ids`); none
    // of that loses a record.
    Expect {
        file: "link-extraction-edge-cases.warc",
        records: &[("response", 9), ("warcinfo", 1)],
        responses: 9,
        revisits: 0,
        skips: &[],
    },
    // See `truncated_record_yields_a_partial_page`.
    Expect {
        file: "truncated-record.warc.gz",
        records: &[("response", 1)],
        responses: 1,
        revisits: 0,
        skips: &[],
    },
    Expect {
        file: "wget-2024-academic-sites-a.warc.gz",
        records: &[
            ("metadata", 1),
            ("request", 22),
            ("resource", 2),
            ("response", 22),
            ("warcinfo", 1),
        ],
        responses: 22,
        revisits: 0,
        skips: &[],
    },
    Expect {
        file: "wget-2024-academic-sites-b.warc.gz",
        records: &[
            ("metadata", 1),
            ("request", 15),
            ("resource", 2),
            ("response", 15),
            ("warcinfo", 1),
        ],
        responses: 15,
        revisits: 0,
        skips: &[],
    },
    Expect {
        file: "wikipedia-mona-lisa-2013.warc.gz",
        records: &[
            ("request", 39),
            ("resource", 3),
            ("response", 39),
            ("warcinfo", 1),
        ],
        responses: 39,
        revisits: 0,
        skips: &[],
    },
];

#[test]
fn every_testdata_file_reads_with_the_expected_counts() {
    let Some(dir) = warc_dir() else { return };
    let mut listed: Vec<String> = std::fs::read_dir(&dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    listed.sort();
    let expected: Vec<&str> = EXPECTED.iter().map(|e| e.file).collect();
    assert_eq!(listed, expected, "a testdata file without expectations");
    for e in EXPECTED {
        let Some((captures, stats)) = read(e.file) else {
            return;
        };
        assert_eq!(stats.records, map(e.records), "{}: records", e.file);
        assert_eq!(stats.responses, e.responses, "{}: responses", e.file);
        assert_eq!(stats.revisits, e.revisits, "{}: revisits", e.file);
        assert_eq!(stats.skip_reasons, map(e.skips), "{}: skips", e.file);
        assert_eq!(
            stats.skipped,
            e.skips.iter().map(|s| s.1).sum::<u64>(),
            "{}",
            e.file
        );
        assert_eq!(stats.captures, captures.len() as u64, "{}", e.file);
        assert_eq!(responses(&captures).len() as u64, e.responses, "{}", e.file);
        for f in responses(&captures) {
            assert!(f.url.starts_with("http"), "{}: {}", e.file, f.url);
            assert!(f.record_id.starts_with("<urn:"), "{}", e.file);
            assert!(f.status >= 100, "{}", e.file);
        }
    }
}

#[test]
fn chunked_response_decodes_to_the_real_html() {
    let Some((captures, stats)) = read("iana-chunked.warc") else {
        return;
    };
    let page = responses(&captures)[0];
    assert_eq!(page.url, "http://www.iana.org/");
    assert_eq!(page.ip.as_deref(), Some("192.0.32.8"));
    assert_eq!(
        page.record_id,
        "<urn:uuid:a96ae1a5-931d-4c45-96f3-98576d155f8b>"
    );
    assert_eq!(
        Some(page.fetched_at),
        parse_warc_date("2017-03-06T16:54:09Z")
    );
    assert_eq!(page.header("transfer-encoding"), Some("chunked"));
    // One chunk of 0x1c37 = 7223 bytes; SHA-1 of the de-chunked body computed with Python.
    assert_eq!(page.body.len(), 7223);
    assert!(page.body.starts_with(b"<!doctype html>"));
    assert!(page.body.ends_with(b"</html>\n"));
    let sha1: String = Sha1::digest(&page.body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(sha1, "8846f23ce943a3b70089f86345626778cd93f11e");
    assert!(!page.truncated);
    assert!(stats.warnings.is_empty());
}

#[test]
fn revisits_are_yielded_as_revisits() {
    let Some((captures, _)) = read("data-gov-uk-2014-revisits.warc.gz") else {
        return;
    };
    let revisits = revisits(&captures);
    assert_eq!(revisits.len(), 55);
    let first = revisits[0];
    assert_eq!(first.url, "http://data.gov.uk/robots.txt");
    assert_eq!(first.status, 200);
    assert_eq!(first.ip.as_deref(), Some("46.43.41.10"));
    assert_eq!(
        first.record_id,
        "<urn:uuid:b11d7217-ebbe-4bfe-8aed-1c5ceb295726>"
    );
    assert_eq!(
        first.payload_digest.as_deref(),
        Some("sha1:4TQ6OVT3YQEBKZHIGEBGFUSXB4MUIUIO")
    );
    assert_eq!(
        Some(first.fetched_at),
        parse_warc_date("2014-03-25T12:23:41Z")
    );
    // Heritrix 3.1 wrote no WARC-Refers-To: the earlier capture is found by digest.
    assert!(
        revisits
            .iter()
            .all(|r| r.refers_to_record.is_none() && r.refers_to_date.is_none())
    );
    assert!(revisits.iter().all(|r| r.payload_digest.is_some()));
    let mut statuses = BTreeMap::new();
    for r in &revisits {
        *statuses.entry(r.status).or_insert(0) += 1;
    }
    assert_eq!(statuses, BTreeMap::from([(200, 51), (302, 1), (404, 3)]));
    // The seven HTTP responses: one 403, six 200.
    let codes: Vec<u16> = responses(&captures).iter().map(|f| f.status).collect();
    assert_eq!(codes.iter().filter(|&&c| c == 403).count(), 1);
    assert_eq!(codes.iter().filter(|&&c| c == 200).count(), 6);
}

/// The file is one gzip member cut off after 18,184 compressed bytes: 75,657 bytes inflate, of
/// a record announcing Content-Length 88,275. The WARC and HTTP headers are intact and 74,970
/// bytes of HTML follow (Python's zlib), so the reader yields the page marked truncated rather
/// than dropping it: its links up to the cut are real links.
#[test]
fn truncated_record_yields_a_partial_page() {
    let Some((captures, stats)) = read("truncated-record.warc.gz") else {
        return;
    };
    let page = responses(&captures)[0];
    assert!(page.truncated);
    assert_eq!(page.status, 200);
    assert!(
        page.url
            .starts_with("http://www.houstonpress.com/music/a-humble-chance")
    );
    assert!(page.body.starts_with(b"<!DOCTYPE html>"));
    // Everything inflatable is kept: the same 74,970 bytes Python's zlib gets.
    assert_eq!(page.body.len(), 74_970);
    assert_eq!(stats.warnings.get(warnings::RECORD_TRUNCATED), Some(&1));
    assert_eq!(stats.warnings.get(warnings::READ_ERROR), Some(&1));
}

#[test]
fn angle_bracketed_target_uris_are_unwrapped() {
    let Some((captures, _)) = read("archiveteam-wiki-nofollow.warc") else {
        return;
    };
    let pages = responses(&captures);
    assert_eq!(pages[0].url, "http://www.archiveteam.org/");
    assert_eq!(pages[0].status, 307);
    assert_eq!(
        pages[0].header("location"),
        Some("https://wiki.archiveteam.org/")
    );
    assert_eq!(pages[1].url, "https://wiki.archiveteam.org/");
    // wget stored it chunked.
    assert!(pages[1].body.ends_with(b"</html>\n") || pages[1].body.ends_with(b"</html>"));
}

#[test]
fn wat_and_wet_read_without_captures_or_skips() {
    for file in [
        "cc-2024-22-wikipedia.warc.wat.gz",
        "cc-2024-22-wikipedia.warc.wet.gz",
    ] {
        let Some((captures, stats)) = read(file) else {
            return;
        };
        assert!(captures.is_empty(), "{file}");
        assert_eq!(stats.skipped, 0, "{file}");
        assert!(stats.warnings.is_empty(), "{file}");
    }
}

#[test]
fn common_crawl_response_fields() {
    let Some((captures, _)) = read("cc-2024-22-wikipedia.warc.gz") else {
        return;
    };
    let page = responses(&captures)[0];
    assert_eq!(page.url, "https://an.wikipedia.org/wiki/Escopete");
    assert_eq!(page.ip.as_deref(), Some("208.80.154.224"));
    assert_eq!(
        Some(page.fetched_at),
        parse_warc_date("2024-05-18T01:58:10Z")
    );
    assert!(String::from_utf8_lossy(&page.body).contains("Escopete"));
}

#[test]
fn records_without_ids_get_stable_ids() {
    let Some((captures, stats)) = read("link-extraction-edge-cases.warc") else {
        return;
    };
    let pages = responses(&captures);
    assert_eq!(
        pages[0].record_id,
        "<urn:warc:2017-02-20T14:00:56Z:http://www.example.com/html4.html>"
    );
    assert_eq!(stats.warnings.get(warnings::NO_RECORD_ID), Some(&9));
    let last = pages[8];
    assert_eq!(
        last.url,
        "http://example.org/cc/link-extraction-test-anchor-text.html"
    );
    let again = read("link-extraction-edge-cases.warc").map(|(c, _)| c);
    let again = again.as_deref().map(responses).unwrap_or_default();
    assert_eq!(again[0].record_id, pages[0].record_id);
}
