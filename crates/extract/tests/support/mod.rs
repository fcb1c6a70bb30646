//! TEST SUPPORT ONLY — not the project's WARC reader (that lives in `crates/acquire`).
//!
//! A minimal WARC record splitter so the extractor's tests can run over the real captures in
//! `../shared/testdata/warc` without depending on the acquire crate: plain or gzip
//! (`MultiGzDecoder`, per-record members) files, records cut at `Content-Length`, the HTTP
//! head split at the first CRLFCRLF, chunked transfer decoding and gzip/deflate content
//! decoding. Lenient on purpose (truncated files yield what they hold); not for production.

#![allow(dead_code)]

use anchorage_core::record::{FetchRecord, SourceKind};
use flate2::read::{GzDecoder, MultiGzDecoder, ZlibDecoder};
use std::io::Read;
use std::path::{Path, PathBuf};

/// `../shared/testdata`, or `None` (with a printed notice) when it is absent outside CI.
/// In CI (`CI=true`) a missing folder fails the test.
pub fn testdata() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "shared test data missing at {} (required in CI)",
            dir.display()
        );
    }
    eprintln!(
        "notice: {} not found; skipping tests over real WARC data",
        dir.display()
    );
    None
}

/// Every WARC file of the test data.
pub fn warc_files(testdata: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(testdata.join("warc"))
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| {
        let name = p.to_string_lossy();
        name.ends_with(".warc") || name.ends_with(".warc.gz")
    });
    files.sort();
    files
}

/// One WARC record: its header fields and its block.
pub struct WarcRecord {
    pub headers: Vec<(String, String)>,
    pub block: Vec<u8>,
    pub truncated: bool,
}

impl WarcRecord {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The raw bytes of a WARC file, gunzipped when needed (a cut gzip stream yields its prefix).
pub fn read_bytes(path: &Path) -> Vec<u8> {
    let raw = std::fs::read(path).unwrap_or_default();
    if !raw.starts_with(&[0x1f, 0x8b]) {
        return raw;
    }
    let mut out = Vec::new();
    let _ = MultiGzDecoder::new(&raw[..]).read_to_end(&mut out);
    out
}

/// Splits a WARC file into records.
pub fn records(path: &Path) -> Vec<WarcRecord> {
    let data = read_bytes(path);
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(start) = find(&data[pos..], b"WARC/").map(|i| pos + i) {
        let Some(head_end) = find(&data[start..], b"\r\n\r\n").map(|i| start + i) else {
            break;
        };
        let head = String::from_utf8_lossy(&data[start..head_end]);
        let headers: Vec<(String, String)> = head
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        let len: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let body_start = head_end + 4;
        let body_end = (body_start + len).min(data.len());
        out.push(WarcRecord {
            headers,
            block: data[body_start..body_end].to_vec(),
            truncated: body_start + len > data.len(),
        });
        pos = body_end;
    }
    out
}

/// The response records of a WARC file as fetch records.
pub fn fetches(path: &Path) -> Vec<FetchRecord> {
    records(path)
        .into_iter()
        .filter(|r| r.header("WARC-Type") == Some("response"))
        .filter(|r| r.block.starts_with(b"HTTP/"))
        .map(to_fetch)
        .collect()
}

fn to_fetch(record: WarcRecord) -> FetchRecord {
    let block = &record.block;
    let (head_end, sep) = match find(block, b"\r\n\r\n") {
        Some(i) => (i, 4),
        None => (find(block, b"\n\n").unwrap_or(block.len()), 2),
    };
    let head = String::from_utf8_lossy(&block[..head_end]);
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = block.get(head_end + sep..).unwrap_or_default().to_vec();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.to_ascii_lowercase())
    };
    if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        body = dechunk(&body);
    }
    if let Some(enc) = header("content-encoding") {
        body = decode_content(body, &enc);
    }
    let uri = record.header("WARC-Target-URI").unwrap_or_default();
    let uri = uri
        .trim_start_matches('<')
        .trim_end_matches('>')
        .to_string();
    FetchRecord {
        url: uri,
        fetched_at: record
            .header("WARC-Date")
            .and_then(anchorage_core::time::parse_warc_date)
            .unwrap_or(0),
        status,
        headers,
        body,
        truncated: record.truncated,
        ip: record.header("WARC-IP-Address").map(str::to_string),
        record_id: record
            .header("WARC-Record-ID")
            .unwrap_or_default()
            .to_string(),
        source: SourceKind::Warc,
        js_rendered: false,
        error: None,
    }
}

/// Chunked transfer decoding; a malformed stream yields what decoded cleanly.
pub fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = find(data, b"\r\n") {
        let line = String::from_utf8_lossy(&data[..line_end]);
        let size_hex = line.split(';').next().unwrap_or_default().trim();
        let Ok(size) = usize::from_str_radix(size_hex, 16) else {
            break;
        };
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        let end = (start + size).min(data.len());
        out.extend_from_slice(&data[start..end]);
        data = data.get(end + 2..).unwrap_or_default();
    }
    out
}

fn decode_content(body: Vec<u8>, encoding: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let ok = match encoding.trim() {
        "gzip" | "x-gzip" => GzDecoder::new(&body[..]).read_to_end(&mut out).is_ok(),
        "deflate" => ZlibDecoder::new(&body[..]).read_to_end(&mut out).is_ok(),
        _ => false,
    };
    if ok { out } else { body }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
