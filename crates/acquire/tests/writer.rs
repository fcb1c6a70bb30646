//! WarcWriter round trip: write, read back with ArchiveReader, compare; and the file checked
//! on its own terms (one gzip member per record, lengths and digests recomputed here).

use anchorage_acquire::{
    ArchiveReader, ResponseHead, RevisitOf, WarcWriter, sha1_base32, warnings,
};
use anchorage_core::record::Capture;
use flate2::bufread::GzDecoder;
use std::io::{BufRead, BufReader, Read};

fn headers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

const T0: i64 = 1_716_000_000_123_456; // 2024-05-18, with microseconds

#[test]
fn written_records_read_back_identically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crawl-00000.warc.gz");
    let page_headers = headers(&[
        ("Content-Type", "text/html; charset=utf-8"),
        ("Server", "test"),
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
    ]);
    let body: Vec<u8> = b"<html><a href=\"/x\">x</a>\x00\xff binary tail</html>".to_vec();
    let mut w = WarcWriter::create(&path).unwrap();
    w.write_warcinfo(
        "anchorage-test/0.1",
        &[("operator", "tests"), ("robots", "obey")],
    )
    .unwrap();
    let response_id = w
        .write_response(
            "https://a.example/p?q=1",
            T0,
            Some("192.0.2.7"),
            200,
            "OK",
            &page_headers,
            &body,
        )
        .unwrap();
    let request_id = w
        .write_request(
            "https://a.example/p?q=1",
            T0,
            "GET",
            &headers(&[("User-Agent", "t")]),
            Some(&response_id),
        )
        .unwrap();
    let missing_id = w
        .write_response(
            "http://b.example/",
            T0 + 1_000_000,
            None,
            404,
            "Not Found",
            &[],
            b"",
        )
        .unwrap();
    let digest = sha1_base32(&[&body]);
    let revisit_id = w
        .write_revisit(
            "https://a.example/p?q=1",
            T0 + 86_400_000_000,
            Some("192.0.2.7"),
            &ResponseHead {
                status: 200,
                reason: "OK",
                headers: &page_headers,
            },
            &RevisitOf {
                record_id: Some(&response_id),
                target_uri: None,
                date: Some(T0),
                payload_digest: &digest,
            },
        )
        .unwrap();
    w.finish().unwrap();
    let ids = [&response_id, &request_id, &missing_id, &revisit_id];
    for (i, id) in ids.iter().enumerate() {
        assert!(id.starts_with("<urn:uuid:") && id.ends_with('>'));
        assert!(ids[i + 1..].iter().all(|other| other != id));
    }

    let mut reader = ArchiveReader::open(&path).unwrap();
    let captures: Vec<Capture> = reader.by_ref().collect();
    let stats = reader.stats();
    assert_eq!(stats.records_of("warcinfo"), 1);
    assert_eq!(stats.records_of("request"), 1);
    assert_eq!(stats.records_of("response"), 2);
    assert_eq!(stats.records_of("revisit"), 1);
    assert_eq!((stats.skipped, stats.warnings.len()), (0, 0));
    assert_eq!(captures.len(), 3);

    let Capture::Response(page) = &captures[0] else {
        panic!("response expected")
    };
    assert_eq!(page.url, "https://a.example/p?q=1");
    assert_eq!(page.fetched_at, T0);
    assert_eq!(page.ip.as_deref(), Some("192.0.2.7"));
    assert_eq!(page.status, 200);
    assert_eq!(page.headers, page_headers);
    assert_eq!(page.body, body);
    assert_eq!(page.record_id, response_id);
    assert!(!page.truncated);

    let Capture::Response(missing) = &captures[1] else {
        panic!("response expected")
    };
    assert_eq!(
        (missing.status, missing.ip.as_deref(), missing.body.len()),
        (404, None, 0)
    );
    assert_eq!(missing.fetched_at, T0 + 1_000_000);
    assert_eq!(missing.record_id, missing_id);

    let Capture::Revisit(revisit) = &captures[2] else {
        panic!("revisit expected")
    };
    assert_eq!(revisit.record_id, revisit_id);
    assert_eq!(
        revisit.refers_to_record.as_deref(),
        Some(response_id.as_str())
    );
    assert_eq!(revisit.refers_to_date, Some(T0));
    assert_eq!(revisit.payload_digest.as_deref(), Some(digest.as_str()));
    assert_eq!(
        (revisit.status, revisit.fetched_at),
        (200, T0 + 86_400_000_000)
    );
}

/// Decompresses member by member (so the count of members is known) and checks every record's
/// Content-Length and block digest, and the response's payload digest, against the bytes.
#[test]
fn one_gzip_member_per_record_with_correct_lengths_and_digests() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.warc.gz");
    let body = vec![b'z'; 100_000];
    let mut w = WarcWriter::create(&path).unwrap();
    w.write_warcinfo("t", &[]).unwrap();
    w.write_response(
        "http://a.example/",
        T0,
        None,
        200,
        "OK",
        &headers(&[("A", "b")]),
        &body,
    )
    .unwrap();
    w.write_request("http://a.example/", T0, "GET", &[], None)
        .unwrap();
    w.finish().unwrap();

    let mut input = BufReader::new(std::fs::File::open(&path).unwrap());
    let mut members = Vec::new();
    while !input.fill_buf().unwrap().is_empty() {
        let mut member = Vec::new();
        let mut decoder = GzDecoder::new(input);
        decoder.read_to_end(&mut member).unwrap();
        input = decoder.into_inner();
        members.push(member);
    }
    assert_eq!(members.len(), 3);
    for member in &members {
        let text_end = member.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8(member[..text_end].to_vec()).unwrap();
        assert!(head.starts_with("WARC/1.1\r\n"));
        let field = |name: &str| {
            head.lines()
                .find_map(|l| l.strip_prefix(&format!("{name}: ")))
                .map(str::to_string)
        };
        let block = &member[text_end + 4..];
        assert!(block.ends_with(b"\r\n\r\n"));
        let block = &block[..block.len() - 4];
        let length: usize = field("Content-Length").unwrap().parse().unwrap();
        assert_eq!(length, block.len());
        assert_eq!(field("WARC-Block-Digest").unwrap(), sha1_base32(&[block]));
        if field("WARC-Type").as_deref() == Some("response") {
            assert_eq!(field("WARC-Payload-Digest").unwrap(), sha1_base32(&[&body]));
            assert!(block.starts_with(b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n"));
            assert_eq!(field("WARC-Date").unwrap(), "2024-05-18T02:40:00.123456Z");
        }
        if field("WARC-Type").as_deref() == Some("request") {
            assert!(block.starts_with(b"GET / HTTP/1.1\r\nHost: a.example\r\n\r\n"));
        }
    }
}

/// A crawler that stores the decoded body but keeps `Content-Encoding: gzip` still gets its
/// body back (the reader keeps bytes it cannot decode) and a counted warning.
#[test]
fn decoded_body_with_stale_content_encoding_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.warc.gz");
    let mut w = WarcWriter::create(&path).unwrap();
    let h = headers(&[("Content-Encoding", "gzip"), ("Content-Type", "text/html")]);
    w.write_response(
        "http://a.example/",
        T0,
        None,
        200,
        "OK",
        &h,
        b"<html>plain</html>",
    )
    .unwrap();
    w.finish().unwrap();
    let mut reader = ArchiveReader::open(&path).unwrap();
    let captures: Vec<Capture> = reader.by_ref().collect();
    let Capture::Response(page) = &captures[0] else {
        panic!("response expected")
    };
    assert_eq!(page.body, b"<html>plain</html>");
    assert_eq!(reader.stats().warnings.len(), 1);
    assert!(
        !reader
            .stats()
            .warnings
            .contains_key(warnings::RECORD_TRUNCATED)
    );
}

#[test]
fn header_injection_is_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.warc.gz");
    let mut w = WarcWriter::create(&path).unwrap();
    let h = headers(&[("X-A", "1\r\nWARC-Type: forged")]);
    w.write_response(
        "http://a.example/\r\nWARC-Type: x",
        T0,
        None,
        200,
        "OK",
        &h,
        b"x",
    )
    .unwrap();
    w.finish().unwrap();
    let mut reader = ArchiveReader::open(&path).unwrap();
    let captures: Vec<Capture> = reader.by_ref().collect();
    assert_eq!(captures.len(), 1);
    let Capture::Response(page) = &captures[0] else {
        panic!("response expected")
    };
    assert_eq!(page.headers.len(), 1);
    assert_eq!(page.body, b"x");
}

#[test]
fn create_in_a_missing_directory_is_a_typed_error() {
    let err = WarcWriter::create("/nonexistent-dir-for-anchorage/x.warc.gz")
        .err()
        .unwrap();
    assert!(err.to_string().contains("cannot create"));
}
