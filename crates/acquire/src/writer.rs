//! [`WarcWriter`]: the crawler's fetches as WARC/1.1, one gzip member per record (the layout
//! Common Crawl uses, so any record can be read alone from its offset).
//!
//! Headers and bodies are written as given: pass the body as it should read back. A body that
//! was already content-decoded may keep its `Content-Encoding` header; the reader then fails
//! to decode it, keeps the bytes as they are and counts a warning, so the body still
//! round-trips.

use crate::digest::{new_record_id, sha1_base32};
use crate::error::AcquireError;
use anchorage_core::time::Micros;
use chrono::{DateTime, Utc};
use flate2::Compression;
use flate2::write::GzEncoder;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

/// The status line and headers of a response, for [`WarcWriter::write_revisit`].
#[derive(Debug, Clone, Copy)]
pub struct ResponseHead<'a> {
    pub status: u16,
    pub reason: &'a str,
    pub headers: &'a [(String, String)],
}

/// The earlier capture a revisit repeats.
#[derive(Debug, Clone, Copy, Default)]
pub struct RevisitOf<'a> {
    /// `WARC-Refers-To`: the earlier record's id (`<urn:uuid:…>`), when known.
    pub record_id: Option<&'a str>,
    /// `WARC-Refers-To-Target-URI`, when the earlier capture had another URL.
    pub target_uri: Option<&'a str>,
    /// `WARC-Refers-To-Date`.
    pub date: Option<Micros>,
    /// The identical payload's digest (`sha1:…`, see [`sha1_base32`]).
    pub payload_digest: &'a str,
}

const PROFILE_IDENTICAL: &str = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest";

/// Writes a WARC/1.1 file. Call [`WarcWriter::finish`] to flush and fsync.
pub struct WarcWriter {
    path: PathBuf,
    out: BufWriter<File>,
    /// Reused per record for the compressed member.
    member: Vec<u8>,
}

impl WarcWriter {
    pub fn create(path: impl AsRef<Path>) -> Result<WarcWriter, AcquireError> {
        let path = path.as_ref().to_path_buf();
        let file = File::create(&path).map_err(|source| AcquireError::Create {
            path: path.clone(),
            source,
        })?;
        Ok(WarcWriter {
            path,
            out: BufWriter::with_capacity(256 * 1024, file),
            member: Vec::new(),
        })
    }

    /// A `warcinfo` record: `software`, the format, and `fields` (`name: value` lines).
    pub fn write_warcinfo(
        &mut self,
        software: &str,
        fields: &[(&str, &str)],
    ) -> Result<String, AcquireError> {
        let mut block = String::new();
        let mut field = |name: &str, value: &str| {
            block.push_str(&clean(name));
            block.push_str(": ");
            block.push_str(&clean(value));
            block.push_str("\r\n");
        };
        field("software", software);
        field("format", "WARC File Format 1.1");
        field(
            "conformsTo",
            "http://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        );
        for (name, value) in fields {
            field(name, value);
        }
        let filename = self
            .path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        let headers = vec![
            ("WARC-Date", warc_date(anchorage_core::time::now())),
            ("WARC-Filename", clean(&filename)),
            ("Content-Type", "application/warc-fields".to_string()),
        ];
        self.write_record("warcinfo", headers, &[block.as_bytes()])
    }

    /// A `response` record; returns its WARC-Record-ID. `headers` are written as given (see the
    /// module documentation about encodings).
    // The flat argument list is the interface the crawler was promised; a struct would only
    // rename the same seven values.
    #[allow(clippy::too_many_arguments)]
    pub fn write_response(
        &mut self,
        url: &str,
        fetched_at: Micros,
        ip: Option<&str>,
        status: u16,
        reason: &str,
        headers: &[(String, String)],
        body: &[u8],
    ) -> Result<String, AcquireError> {
        let head = http_response_head(status, reason, headers);
        let mut warc = vec![
            ("WARC-Date", warc_date(fetched_at)),
            ("WARC-Target-URI", clean(url)),
        ];
        if let Some(ip) = ip {
            warc.push(("WARC-IP-Address", clean(ip)));
        }
        warc.push((
            "Content-Type",
            "application/http;msgtype=response".to_string(),
        ));
        warc.push(("WARC-Payload-Digest", sha1_base32(&[body])));
        self.write_record("response", warc, &[head.as_bytes(), body])
    }

    /// A `request` record (`method` on the URL's path and query, HTTP/1.1; a `Host` header is
    /// added when `headers` lack one). `concurrent_to`: the response's record id.
    pub fn write_request(
        &mut self,
        url: &str,
        fetched_at: Micros,
        method: &str,
        headers: &[(String, String)],
        concurrent_to: Option<&str>,
    ) -> Result<String, AcquireError> {
        let parsed = url::Url::parse(url).ok();
        let target = parsed
            .as_ref()
            .map(|u| u[url::Position::BeforePath..url::Position::AfterQuery].to_string())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| "/".to_string());
        let mut head = format!("{} {} HTTP/1.1\r\n", clean(method), clean(&target));
        let has_host = headers.iter().any(|(k, _)| k.eq_ignore_ascii_case("host"));
        if let (false, Some(host)) = (has_host, parsed.as_ref().and_then(host_header)) {
            head.push_str(&format!("Host: {}\r\n", clean(&host)));
        }
        push_headers(&mut head, headers);
        let mut warc = vec![
            ("WARC-Date", warc_date(fetched_at)),
            ("WARC-Target-URI", clean(url)),
        ];
        if let Some(id) = concurrent_to {
            warc.push(("WARC-Concurrent-To", clean(id)));
        }
        warc.push((
            "Content-Type",
            "application/http;msgtype=request".to_string(),
        ));
        self.write_record("request", warc, &[head.as_bytes()])
    }

    /// A `revisit` record (identical-payload-digest profile): the response's status line and
    /// headers only, pointing at the earlier capture.
    pub fn write_revisit(
        &mut self,
        url: &str,
        fetched_at: Micros,
        ip: Option<&str>,
        head: &ResponseHead,
        of: &RevisitOf,
    ) -> Result<String, AcquireError> {
        let block = http_response_head(head.status, head.reason, head.headers);
        let mut warc = vec![
            ("WARC-Date", warc_date(fetched_at)),
            ("WARC-Target-URI", clean(url)),
        ];
        if let Some(ip) = ip {
            warc.push(("WARC-IP-Address", clean(ip)));
        }
        warc.push(("WARC-Profile", PROFILE_IDENTICAL.to_string()));
        if let Some(id) = of.record_id {
            warc.push(("WARC-Refers-To", clean(id)));
        }
        if let Some(uri) = of.target_uri {
            warc.push(("WARC-Refers-To-Target-URI", clean(uri)));
        }
        if let Some(date) = of.date {
            warc.push(("WARC-Refers-To-Date", warc_date(date)));
        }
        warc.push(("WARC-Payload-Digest", clean(of.payload_digest)));
        warc.push((
            "Content-Type",
            "application/http;msgtype=response".to_string(),
        ));
        self.write_record("revisit", warc, &[block.as_bytes()])
    }

    /// Flushes and fsyncs the file.
    pub fn finish(self) -> Result<(), AcquireError> {
        let path = self.path;
        let file = self.out.into_inner().map_err(|e| AcquireError::Write {
            path: path.clone(),
            source: e.into_error(),
        })?;
        file.sync_all()
            .map_err(|source| AcquireError::Write { path, source })
    }

    /// Writes one record as one gzip member: version line, `WARC-Type`, `WARC-Record-ID`,
    /// the given headers, the block digest and length, the block, and the closing CRLFs.
    fn write_record(
        &mut self,
        warc_type: &str,
        headers: Vec<(&str, String)>,
        block: &[&[u8]],
    ) -> Result<String, AcquireError> {
        let id = new_record_id();
        let length: usize = block.iter().map(|part| part.len()).sum();
        let mut head = format!("WARC/1.1\r\nWARC-Type: {warc_type}\r\nWARC-Record-ID: {id}\r\n");
        for (name, value) in &headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("WARC-Block-Digest: {}\r\n", sha1_base32(block)));
        head.push_str(&format!("Content-Length: {length}\r\n\r\n"));
        self.member.clear();
        let compressed = gzip_member(std::mem::take(&mut self.member), head.as_bytes(), block);
        let written = compressed.and_then(|member| {
            let result = self.out.write_all(&member);
            self.member = member;
            result
        });
        written.map_err(|source| AcquireError::Write {
            path: self.path.clone(),
            source,
        })?;
        Ok(id)
    }
}

fn gzip_member(buf: Vec<u8>, head: &[u8], block: &[&[u8]]) -> io::Result<Vec<u8>> {
    let mut gz = GzEncoder::new(buf, Compression::default());
    gz.write_all(head)?;
    for part in block {
        gz.write_all(part)?;
    }
    gz.write_all(b"\r\n\r\n")?;
    gz.finish()
}

fn http_response_head(status: u16, reason: &str, headers: &[(String, String)]) -> String {
    let mut head = format!("HTTP/1.1 {status} {}\r\n", clean(reason));
    push_headers(&mut head, headers);
    head
}

fn push_headers(head: &mut String, headers: &[(String, String)]) {
    for (name, value) in headers {
        head.push_str(&clean(name));
        head.push_str(": ");
        head.push_str(&clean(value));
        head.push_str("\r\n");
    }
    head.push_str("\r\n");
}

/// `host[:port]` for a Host header.
fn host_header(url: &url::Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

/// A header value cannot contain a line break: one would end the header early and let the
/// rest of the value forge headers.
fn clean(value: &str) -> String {
    value.replace(['\r', '\n'], " ")
}

/// WARC 1.1 date: seconds, plus microseconds when there are any.
fn warc_date(ts: Micros) -> String {
    let dt = DateTime::<Utc>::from_timestamp_micros(ts).unwrap_or_default();
    if ts.rem_euclid(1_000_000) == 0 {
        dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    } else {
        dt.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_cleaning() {
        assert_eq!(warc_date(0), "1970-01-01T00:00:00Z");
        assert_eq!(warc_date(1_500_000), "1970-01-01T00:00:01.500000Z");
        assert_eq!(clean("a\r\nX-Evil: 1"), "a  X-Evil: 1");
    }
}
