//! `--warc-dir`: every recorded response (pages, redirect hops, checks, robots.txt, sitemaps)
//! as a WARC/1.1 `response` record, in files `anchorage-crawl-<time>-<pid>-<n>.warc.gz` of at
//! most [`MAX_FILE_BYTES`].
//!
//! Bodies are stored decoded: `Content-Encoding` and `Transfer-Encoding` are renamed
//! `X-Crawler-Content-Encoding` / `X-Crawler-Transfer-Encoding` and `Content-Length` is the
//! stored body's, so any WARC reader gets the page bytes back. The record id becomes the
//! fetch's `record_id`, so re-ingesting the WARC gives the same fetch ids. The file is
//! fsynced when the crawl ends; after a `kill -9` its last records may be missing or
//! repeated (the fetch log, not the WARC, is the crawl's record).

use super::error::CrawlError;
use super::sink::CrawledPage;
use crate::WarcWriter;
use anchorage_core::time::now;
use std::path::PathBuf;

/// A file is closed and another begun past this size.
pub(crate) const MAX_FILE_BYTES: u64 = 1 << 30;

pub(crate) struct WarcOut {
    dir: PathBuf,
    writer: Option<WarcWriter>,
    written: u64,
    files: u32,
}

impl WarcOut {
    pub(crate) fn new(dir: PathBuf) -> Result<WarcOut, CrawlError> {
        std::fs::create_dir_all(&dir).map_err(|source| CrawlError::Io {
            path: dir.clone(),
            source,
        })?;
        Ok(WarcOut {
            dir,
            writer: None,
            written: 0,
            files: 0,
        })
    }

    /// Writes `page` and sets its record id to the WARC record's (failed fetches are skipped).
    pub(crate) fn write(&mut self, page: &mut CrawledPage) -> Result<(), CrawlError> {
        // A URL that got no answer has nothing to archive.
        if page.fetch.error.is_some() {
            return Ok(());
        }
        if self.written >= MAX_FILE_BYTES {
            self.finish()?;
        }
        let writer = match &mut self.writer {
            Some(w) => w,
            None => self.open()?,
        };
        let f = &page.fetch;
        let headers = stored_headers(&f.headers, f.body.len());
        let reason = reqwest::StatusCode::from_u16(f.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("");
        let id = writer.write_response(
            &f.url,
            f.fetched_at,
            f.ip.as_deref(),
            f.status,
            reason,
            &headers,
            &f.body,
        )?;
        self.written += f.body.len() as u64 + 512;
        page.fetch.record_id = id;
        Ok(())
    }

    fn open(&mut self) -> Result<&mut WarcWriter, CrawlError> {
        self.files += 1;
        let name = format!(
            "anchorage-crawl-{}-{}-{}.warc.gz",
            now(),
            std::process::id(),
            self.files
        );
        let mut writer = WarcWriter::create(self.dir.join(name))?;
        writer.write_warcinfo(
            &format!("anchorage crawler {}", env!("CARGO_PKG_VERSION")),
            &[("format", "WARC File Format 1.1")],
        )?;
        self.written = 0;
        Ok(self.writer.insert(writer))
    }

    /// Flushes and fsyncs the current file.
    pub(crate) fn finish(&mut self) -> Result<(), CrawlError> {
        if let Some(writer) = self.writer.take() {
            writer.finish()?;
        }
        Ok(())
    }
}

fn stored_headers(headers: &[(String, String)], body_len: usize) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = headers
        .iter()
        .filter(|(k, _)| !k.eq_ignore_ascii_case("content-length"))
        .map(|(k, v)| {
            let k = if k.eq_ignore_ascii_case("content-encoding") {
                "X-Crawler-Content-Encoding".to_string()
            } else if k.eq_ignore_ascii_case("transfer-encoding") {
                "X-Crawler-Transfer-Encoding".to_string()
            } else {
                k.clone()
            };
            (k, v.clone())
        })
        .collect();
    out.push(("Content-Length".to_string(), body_len.to_string()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ArchiveReader;
    use crate::crawl::sink::FetchPurpose;
    use anchorage_core::record::{Capture, FetchRecord};

    #[test]
    fn records_read_back_with_their_ids() {
        let tmp = tempfile::tempdir().unwrap();
        let mut out = WarcOut::new(tmp.path().join("w")).unwrap();
        let mut page = CrawledPage {
            fetch: FetchRecord {
                url: "http://a.test/".into(),
                fetched_at: 1_700_000_000_000_000,
                status: 200,
                headers: vec![
                    ("content-type".into(), "text/html".into()),
                    ("content-encoding".into(), "gzip".into()),
                    ("content-length".into(), "3".into()),
                ],
                body: b"<p>decoded</p>".to_vec(),
                ip: Some("127.0.0.1".into()),
                ..FetchRecord::default()
            },
            rendered: None,
            purpose: FetchPurpose::Page,
            depth: 0,
        };
        out.write(&mut page).unwrap();
        out.finish().unwrap();
        let file = std::fs::read_dir(tmp.path().join("w"))
            .unwrap()
            .next()
            .unwrap()
            .unwrap();
        let captures: Vec<Capture> = ArchiveReader::open(file.path()).unwrap().collect();
        let Some(Capture::Response(f)) = captures.into_iter().next() else {
            panic!("no response read back");
        };
        assert_eq!(f.body, b"<p>decoded</p>");
        assert_eq!(f.record_id, page.fetch.record_id);
        assert_eq!(f.ip.as_deref(), Some("127.0.0.1"));
    }
}
