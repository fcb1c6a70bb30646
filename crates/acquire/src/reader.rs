//! [`ArchiveReader`]: WARC (0.18, 1.0, 1.1), ARC (v1, v2) and WAT files, plain or gzip, as an
//! iterator of [`Capture`]s.
//!
//! The reader never fails after opening. Every record is counted by type in [`ReadStats`];
//! every record that should have yielded a capture but could not is counted as skipped with a
//! reason and logged (`tracing::warn!` with file, offset and reason); damaged data (a broken
//! gzip member, bytes that are not a record) is skipped up to the next readable record.

use crate::body::decode_body;
use crate::error::AcquireError;
use crate::http::{HeadError, HttpHead, read_response_head};
use crate::source::{Source, read_line_limited, trim_eol};
use crate::warc::{ArcLine, HeaderError, WarcHead, parse_arc_line, read_warc_head};
use crate::wat::{self, WatOutcome};
use anchorage_core::record::{Capture, FetchRecord, RevisitRecord, SourceKind};
use anchorage_core::time::{Micros, parse_arc_date, parse_warc_date};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Take};
use std::path::Path;

/// Longest line kept while looking for a record start.
const MAX_LINE: usize = 64 * 1024;
/// Consecutive read errors without a record in between after which the file is given up.
const MAX_FAILURES_IN_ROW: u32 = 64;

/// Skip reasons: stable strings, the keys of [`ReadStats::skip_reasons`].
pub mod reasons {
    pub const MALFORMED_DATE: &str = "malformed WARC-Date";
    pub const MISSING_DATE: &str = "missing WARC-Date";
    pub const MALFORMED_ARC_DATE: &str = "malformed ARC date";
    pub const MISSING_URI: &str = "missing WARC-Target-URI";
    pub const NOT_HTTP: &str = "not an HTTP response";
    pub const BAD_STATUS: &str = "malformed HTTP status line";
    pub const NO_LENGTH: &str = "missing or invalid Content-Length";
    pub const HEADER_TOO_LONG: &str = "oversized WARC header";
    pub const TRUNCATED: &str = "truncated record";
    pub const WAT_TOO_LARGE: &str = "WAT record over size cap";
    pub const GARBAGE: &str = "unparseable bytes between records";
    pub const BAD_ARC_HEADER: &str = "malformed ARC file header";
    pub const MALFORMED_WAT_JSON: &str = "malformed WAT JSON";
    pub const PAGE_URL: &str = "page URL not an indexable http(s) URL";
}

/// Non-fatal problems: the capture was still yielded (keys of [`ReadStats::warnings`]).
pub mod warnings {
    pub const RECORD_TRUNCATED: &str = "record truncated";
    pub const READ_ERROR: &str = "damaged gzip data or read error";
    pub const NO_RECORD_ID: &str = "missing WARC-Record-ID (one was derived from date and URL)";
}

/// Reader settings.
#[derive(Debug, Clone)]
pub struct ReaderConfig {
    /// Decoded bodies are cut at this size and marked truncated.
    pub max_body_bytes: usize,
}

impl Default for ReaderConfig {
    fn default() -> Self {
        ReaderConfig {
            max_body_bytes: 50 * 1024 * 1024,
        }
    }
}

/// What a reader saw.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ReadStats {
    /// Records seen by WARC-Type, lower-cased (`(none)` when absent). ARC files count their
    /// header as `filedesc` and each record as `arc`.
    pub records: BTreeMap<String, u64>,
    /// Captures yielded (= responses + revisits + extracted).
    pub captures: u64,
    pub responses: u64,
    pub revisits: u64,
    pub extracted: u64,
    /// Records (or runs of unreadable bytes) that could not be turned into what they should
    /// have yielded.
    pub skipped: u64,
    pub skip_reasons: BTreeMap<String, u64>,
    /// Problems with captures that were still yielded (truncation, undecodable bodies…).
    pub warnings: BTreeMap<String, u64>,
    /// Bytes of (decompressed) archive read.
    pub bytes: u64,
}

impl ReadStats {
    /// All records seen, of every type.
    pub fn total_records(&self) -> u64 {
        self.records.values().sum()
    }

    /// Records of one type (`"response"`, `"revisit"`, `"arc"`…).
    pub fn records_of(&self, kind: &str) -> u64 {
        self.records.get(kind).copied().unwrap_or(0)
    }
}

/// Where a record starts: offset in the decompressed stream and, for gzip input, the
/// compressed offset of the gzip member it is in.
#[derive(Debug, Clone, Copy)]
struct Pos {
    offset: u64,
    member: Option<u64>,
}

enum Start {
    Warc(Pos),
    ArcHeader(Pos, Option<ArcLine>),
    Arc(Pos, ArcLine),
}

/// What one record amounts to. Returned once per record and unpacked at once, so the size of
/// the `Yield` variant costs a move, where boxing it would cost an allocation per capture.
#[allow(clippy::large_enum_variant)]
enum Outcome {
    Yield(Capture),
    Skip(&'static str),
    Nothing,
}

/// How reading the rest of a record block went.
struct BlockEnd {
    /// All of Content-Length was there.
    complete: bool,
    /// The kept bytes were cut at the cap.
    capped: bool,
}

/// Reads captures from an archive file. See the module documentation.
pub struct ArchiveReader {
    src: Source,
    ctx: Ctx,
}

/// The reader's state apart from the byte source (so a record block can borrow the source
/// while the state is updated).
struct Ctx {
    name: String,
    config: ReaderConfig,
    stats: ReadStats,
    line: Vec<u8>,
    /// Set by an ARC `filedesc://` header: its version (1 or 2).
    arc_version: Option<u8>,
    seen_warc: bool,
    /// A read error happened in the current record: its block must not be drained (the gzip
    /// layer has already moved on to the next member).
    io_failed: bool,
    /// The previous record's framing could not be trusted, so bytes skipped before the next
    /// record start belong to it and are not counted again.
    resyncing: bool,
    failures_in_row: u32,
    done: bool,
}

impl ArchiveReader {
    /// Opens a WARC, ARC or WAT/WET file, gzip-compressed or not (told by its magic bytes).
    pub fn open(path: impl AsRef<Path>) -> Result<ArchiveReader, AcquireError> {
        Self::open_with(path, ReaderConfig::default())
    }

    pub fn open_with(
        path: impl AsRef<Path>,
        config: ReaderConfig,
    ) -> Result<ArchiveReader, AcquireError> {
        let path = path.as_ref();
        let file = File::open(path).map_err(|source| AcquireError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        Self::from_reader(path.display().to_string(), file, config)
    }

    /// Reads an archive from any byte stream (stdin, a download); `name` is used in logs.
    pub fn from_reader<R: Read + Send + 'static>(
        name: impl Into<String>,
        reader: R,
        config: ReaderConfig,
    ) -> Result<ArchiveReader, AcquireError> {
        let name = name.into();
        let src = Source::new(reader, &name)?;
        Ok(ArchiveReader {
            src,
            ctx: Ctx {
                name,
                config,
                stats: ReadStats::default(),
                line: Vec::with_capacity(256),
                arc_version: None,
                seen_warc: false,
                io_failed: false,
                resyncing: false,
                failures_in_row: 0,
                done: false,
            },
        })
    }

    pub fn stats(&self) -> &ReadStats {
        &self.ctx.stats
    }

    /// The name given at opening (the path for [`ArchiveReader::open`]).
    pub fn name(&self) -> &str {
        &self.ctx.name
    }

    /// Reads one record; a capture if it yields one.
    fn step(&mut self) -> Option<Capture> {
        let Some(start) = self.find_record_start() else {
            self.ctx.done = true;
            return None;
        };
        self.ctx.io_failed = false;
        self.ctx.resyncing = false;
        match start {
            Start::Warc(pos) => self.warc_record(pos),
            Start::ArcHeader(pos, line) => {
                self.arc_header(pos, line);
                None
            }
            Start::Arc(pos, line) => self.arc_record(pos, line),
        }
    }

    /// Skips blank lines (and counts anything else) up to the next `WARC/` line or ARC record
    /// line, which is consumed.
    fn find_record_start(&mut self) -> Option<Start> {
        let mut garbage: Option<(Pos, u64)> = None;
        loop {
            let pos = self.pos();
            let n = match read_line_limited(&mut self.src, &mut self.ctx.line, MAX_LINE) {
                Ok(n) => n,
                Err(e) => {
                    if self.ctx.read_failed(pos, &e) {
                        continue;
                    }
                    return None;
                }
            };
            if n == 0 {
                self.ctx.report_garbage(garbage);
                return None;
            }
            if let Some(start) = self.ctx.classify(pos) {
                self.ctx.report_garbage(garbage);
                return Some(start);
            }
            // Whitespace between records (writers disagree on how many CRLFs, some leave a
            // stray CR) is not garbage.
            if !self.ctx.line.iter().all(u8::is_ascii_whitespace) {
                garbage.get_or_insert((pos, 0)).1 += n as u64;
            }
        }
    }

    fn pos(&self) -> Pos {
        Pos {
            offset: self.src.offset(),
            member: self.src.member_offset(),
        }
    }

    fn warc_record(&mut self, pos: Pos) -> Option<Capture> {
        let head = match read_warc_head(&mut self.src, &mut self.ctx.line) {
            Ok(head) => head,
            Err(HeaderError::TooLong) => {
                self.ctx.count_record("(unreadable)");
                self.ctx.resyncing = true;
                return self.ctx.skip(pos, reasons::HEADER_TOO_LONG, false);
            }
            Err(HeaderError::Truncated) => {
                self.ctx.count_record("(unreadable)");
                return self.ctx.skip(pos, reasons::TRUNCATED, false);
            }
            Err(HeaderError::Io(e)) => {
                self.ctx.count_record("(unreadable)");
                self.ctx.read_failed(pos, &e);
                return self.ctx.skip(pos, reasons::TRUNCATED, false);
            }
        };
        self.ctx.seen_warc = true;
        let kind = head.kind();
        self.ctx.count_record(&kind);
        let Some(len) = head.content_length else {
            // Without a length the record's end is unknown: its block is skipped as garbage
            // up to the next `WARC/` line.
            self.ctx.resyncing = true;
            return self.ctx.skip(pos, reasons::NO_LENGTH, false);
        };
        let mut block = (&mut self.src).take(len);
        let outcome = match kind.as_str() {
            "response" => self.ctx.warc_response(pos, &head, &mut block),
            "revisit" => self.ctx.revisit(pos, &head, &mut block),
            "metadata" if is_json(&head) => self.ctx.wat(pos, &head, &mut block),
            _ => Outcome::Nothing,
        };
        self.ctx.drain(pos, &mut block);
        self.ctx.conclude(pos, outcome, head.url())
    }

    /// An ARC file header (`filedesc://…`): its version block says v1 or v2 record lines.
    fn arc_header(&mut self, pos: Pos, line: Option<ArcLine>) {
        self.ctx.count_record("filedesc");
        self.ctx.arc_version = Some(1);
        let Some(line) = line else {
            // Its version block has no known length: skipped as garbage, not counted again.
            self.ctx.resyncing = true;
            self.ctx.skip(pos, reasons::BAD_ARC_HEADER, false);
            return;
        };
        let mut block = (&mut self.src).take(line.length);
        match read_line_limited(&mut block, &mut self.ctx.line, MAX_LINE) {
            Ok(_) => {
                // `1 0 Alexa Internet`: the major version comes first.
                let version = trim_eol(&self.ctx.line)
                    .split(u8::is_ascii_whitespace)
                    .next()
                    .and_then(|v| std::str::from_utf8(v).ok())
                    .and_then(|v| v.parse().ok());
                self.ctx.arc_version = version.or(Some(1));
            }
            Err(e) => {
                self.ctx.read_failed(pos, &e);
            }
        }
        self.ctx.drain(pos, &mut block);
    }

    fn arc_record(&mut self, pos: Pos, line: ArcLine) -> Option<Capture> {
        self.ctx.count_record("arc");
        let mut block = (&mut self.src).take(line.length);
        let outcome = self.ctx.arc_response(pos, &line, &mut block);
        self.ctx.drain(pos, &mut block);
        self.ctx.conclude(pos, outcome, Some(&line.url))
    }
}

impl Iterator for ArchiveReader {
    type Item = Capture;

    fn next(&mut self) -> Option<Capture> {
        while !self.ctx.done {
            let capture = self.step();
            self.ctx.stats.bytes = self.src.offset();
            if let Some(capture) = capture {
                self.ctx.count_capture(&capture);
                return Some(capture);
            }
        }
        None
    }
}

impl std::iter::FusedIterator for ArchiveReader {}

type Block<'a> = Take<&'a mut Source>;

impl Ctx {
    /// The record start the current line is, if any.
    fn classify(&self, pos: Pos) -> Option<Start> {
        let line = trim_eol(&self.line);
        if line.starts_with(b"WARC/") && line.get(5).is_some_and(u8::is_ascii_digit) {
            return Some(Start::Warc(pos));
        }
        if line.starts_with(b"filedesc://") {
            // The header line has the shape of the file's record lines, v1 or v2.
            let header = parse_arc_line(line, 2).or_else(|| parse_arc_line(line, 1));
            return Some(Start::ArcHeader(pos, header));
        }
        // ARC record lines only in an ARC file (or before any WARC record), so that a stray
        // line in damaged WARC data is not taken for one.
        if self.arc_version.is_some() || !self.seen_warc {
            let version = self.arc_version.unwrap_or(1);
            return parse_arc_line(line, version).map(|arc| Start::Arc(pos, arc));
        }
        None
    }

    fn warc_response(&mut self, pos: Pos, head: &WarcHead, block: &mut Block) -> Outcome {
        let Some(url) = head.url() else {
            return Outcome::Skip(reasons::MISSING_URI);
        };
        let fetched_at = match warc_date(head.date.as_deref()) {
            Ok(t) => t,
            Err(reason) => return Outcome::Skip(reason),
        };
        let record_id = self.record_id(pos, head, url);
        let meta = FetchMeta {
            url,
            fetched_at,
            ip: head.ip.as_deref(),
            record_id: &record_id,
            flagged_truncated: head.truncated.is_some(),
        };
        self.http_response(pos, meta, block)
    }

    fn arc_response(&mut self, pos: Pos, line: &ArcLine, block: &mut Block) -> Outcome {
        let Some(fetched_at) = parse_arc_date(&line.date) else {
            return Outcome::Skip(reasons::MALFORMED_ARC_DATE);
        };
        // ARC records have no id: url + date identify the capture.
        let record_id = format!("<urn:arc:{}:{}>", line.date, line.url);
        let meta = FetchMeta {
            url: &line.url,
            fetched_at,
            ip: Some(line.ip.as_str()).filter(|ip| !matches!(*ip, "-" | "0.0.0.0")),
            record_id: &record_id,
            flagged_truncated: false,
        };
        self.http_response(pos, meta, block)
    }

    /// The HTTP response in a record block, as a [`FetchRecord`].
    fn http_response(&mut self, pos: Pos, meta: FetchMeta, block: &mut Block) -> Outcome {
        let head = match self.read_http_head(pos, block) {
            Ok(head) => head,
            Err(reason) => return Outcome::Skip(reason),
        };
        let cap = self.config.max_body_bytes;
        let mut raw = Vec::with_capacity(initial_capacity(block, cap));
        let end = self.read_rest(pos, block, &mut raw, cap);
        if !end.complete {
            self.warn(pos, warnings::RECORD_TRUNCATED);
        }
        let cut = !end.complete || end.capped || meta.flagged_truncated;
        let body = decode_body(raw, &head.headers, cut, cap);
        for note in &body.notes {
            self.warn(pos, note);
        }
        Outcome::Yield(Capture::Response(FetchRecord {
            url: meta.url.to_string(),
            fetched_at: meta.fetched_at,
            status: head.status,
            headers: head.headers,
            body: body.bytes,
            truncated: body.truncated || cut,
            ip: meta.ip.map(str::to_string),
            record_id: meta.record_id.to_string(),
            source: SourceKind::Warc,
            js_rendered: false,
            error: None,
        }))
    }

    fn read_http_head(&mut self, pos: Pos, block: &mut Block) -> Result<HttpHead, &'static str> {
        match read_response_head(block, &mut self.line) {
            Ok(head) => Ok(head),
            Err(HeadError::NotHttp) => Err(reasons::NOT_HTTP),
            Err(HeadError::BadStatus) => Err(reasons::BAD_STATUS),
            Err(HeadError::Io(e)) => {
                self.read_failed(pos, &e);
                Err(reasons::TRUNCATED)
            }
        }
    }

    fn revisit(&mut self, pos: Pos, head: &WarcHead, block: &mut Block) -> Outcome {
        let Some(url) = head.url() else {
            return Outcome::Skip(reasons::MISSING_URI);
        };
        if !is_http_url(url) {
            return Outcome::Skip(reasons::NOT_HTTP);
        }
        let fetched_at = match warc_date(head.date.as_deref()) {
            Ok(t) => t,
            Err(reason) => return Outcome::Skip(reason),
        };
        // The block holds the HTTP headers of the repeated response (or nothing).
        let status = self
            .read_http_head(pos, block)
            .map(|h| h.status)
            .unwrap_or(0);
        let trimmed = |v: &Option<String>| v.as_deref().map(str::trim).map(str::to_string);
        Outcome::Yield(Capture::Revisit(RevisitRecord {
            url: url.to_string(),
            fetched_at,
            status,
            ip: trimmed(&head.ip),
            record_id: self.record_id(pos, head, url),
            refers_to_record: trimmed(&head.refers_to),
            refers_to_date: head.refers_to_date.as_deref().and_then(parse_warc_date),
            payload_digest: trimmed(&head.payload_digest),
        }))
    }

    /// WARC-Record-ID; a record without one (hand-made files) gets an id made of its date and
    /// URL, so that reading the file again gives the same id and the same fetch id.
    fn record_id(&mut self, pos: Pos, head: &WarcHead, url: &str) -> String {
        match head.record_id.as_deref().map(str::trim) {
            Some(id) if !id.is_empty() => id.to_string(),
            _ => {
                self.warn(pos, warnings::NO_RECORD_ID);
                format!(
                    "<urn:warc:{}:{}>",
                    head.date.as_deref().unwrap_or_default().trim(),
                    url
                )
            }
        }
    }

    /// A WAT JSON metadata record.
    fn wat(&mut self, pos: Pos, head: &WarcHead, block: &mut Block) -> Outcome {
        let cap = self.config.max_body_bytes;
        let mut json = Vec::with_capacity(initial_capacity(block, cap));
        let end = self.read_rest(pos, block, &mut json, cap);
        if end.capped {
            return Outcome::Skip(reasons::WAT_TOO_LARGE);
        }
        if !end.complete {
            return Outcome::Skip(reasons::TRUNCATED);
        }
        match wat::extract(&json, head.refers_to.as_deref()) {
            Ok(WatOutcome::Page(page, links)) => Outcome::Yield(Capture::Extracted(*page, links)),
            Ok(WatOutcome::Nothing) => Outcome::Nothing,
            Err(reason) => Outcome::Skip(reason),
        }
    }

    /// Reads the rest of the block into `out` (at most `cap` bytes) and discards what is over.
    fn read_rest(
        &mut self,
        pos: Pos,
        block: &mut Block,
        out: &mut Vec<u8>,
        cap: usize,
    ) -> BlockEnd {
        let cap64 = u64::try_from(cap).unwrap_or(u64::MAX);
        if let Err(e) = block.by_ref().take(cap64).read_to_end(out) {
            self.read_failed(pos, &e);
            return BlockEnd {
                complete: false,
                capped: false,
            };
        }
        let capped = block.limit() > 0 && out.len() >= cap;
        self.drain(pos, block);
        BlockEnd {
            complete: block.limit() == 0 && !self.io_failed,
            capped,
        }
    }

    /// Consumes the rest of the block, unless a read error already moved the stream on.
    fn drain(&mut self, pos: Pos, block: &mut Block) {
        if self.io_failed || block.limit() == 0 {
            return;
        }
        if let Err(e) = io::copy(block, &mut io::sink()) {
            self.read_failed(pos, &e);
        }
    }

    /// Records the outcome of a record in the stats and logs.
    fn conclude(&mut self, pos: Pos, outcome: Outcome, url: Option<&str>) -> Option<Capture> {
        match outcome {
            Outcome::Yield(capture) => {
                self.failures_in_row = 0;
                Some(capture)
            }
            // A dns: or whois: record is no damage: counted, logged at debug level only.
            Outcome::Skip(reasons::NOT_HTTP) if !url.is_some_and(is_http_url) => {
                self.skip(pos, reasons::NOT_HTTP, true)
            }
            Outcome::Skip(reason) => self.skip(pos, reason, false),
            Outcome::Nothing => None,
        }
    }

    fn skip(&mut self, pos: Pos, reason: &'static str, quiet: bool) -> Option<Capture> {
        self.stats.skipped += 1;
        *self
            .stats
            .skip_reasons
            .entry(reason.to_string())
            .or_default() += 1;
        if quiet {
            tracing::debug!(file = %self.name, offset = pos.offset, gzip_member = ?pos.member, reason, "record skipped");
        } else {
            tracing::warn!(file = %self.name, offset = pos.offset, gzip_member = ?pos.member, reason, "record skipped");
        }
        None
    }

    fn warn(&mut self, pos: Pos, what: &'static str) {
        *self.stats.warnings.entry(what.to_string()).or_default() += 1;
        tracing::warn!(file = %self.name, offset = pos.offset, gzip_member = ?pos.member, problem = what, "damaged record kept");
    }

    /// Notes a read error; false when the file should be given up (persistent errors).
    fn read_failed(&mut self, pos: Pos, e: &io::Error) -> bool {
        self.io_failed = true;
        self.failures_in_row += 1;
        *self
            .stats
            .warnings
            .entry(warnings::READ_ERROR.to_string())
            .or_default() += 1;
        tracing::warn!(file = %self.name, offset = pos.offset, gzip_member = ?pos.member, error = %e, "read error");
        if self.failures_in_row > MAX_FAILURES_IN_ROW {
            tracing::warn!(file = %self.name, "too many read errors in a row, giving up the rest of the file");
            self.done = true;
            return false;
        }
        true
    }

    fn report_garbage(&mut self, garbage: Option<(Pos, u64)>) {
        if let Some((pos, bytes)) = garbage
            && !self.resyncing
        {
            tracing::warn!(file = %self.name, offset = pos.offset, bytes, "skipping bytes that are not a record");
            self.skip(pos, reasons::GARBAGE, true);
        }
    }

    fn count_record(&mut self, kind: &str) {
        *self.stats.records.entry(kind.to_string()).or_default() += 1;
    }

    fn count_capture(&mut self, capture: &Capture) {
        self.stats.captures += 1;
        match capture {
            Capture::Response(_) => self.stats.responses += 1,
            Capture::Revisit(_) => self.stats.revisits += 1,
            Capture::Extracted(..) => self.stats.extracted += 1,
        }
    }
}

/// Identity of the response being read.
struct FetchMeta<'a> {
    url: &'a str,
    fetched_at: Micros,
    ip: Option<&'a str>,
    record_id: &'a str,
    /// `WARC-Truncated` is set: the archiver itself cut the record.
    flagged_truncated: bool,
}

/// Room for the rest of a block in one allocation, but not more than 8 MiB up front: a lying
/// Content-Length must not make every record allocate the whole cap.
fn initial_capacity(block: &Block, cap: usize) -> usize {
    usize::try_from(block.limit())
        .unwrap_or(usize::MAX)
        .min(cap)
        .min(8 << 20)
}

fn warc_date(date: Option<&str>) -> Result<Micros, &'static str> {
    match date {
        None => Err(reasons::MISSING_DATE),
        Some(d) => parse_warc_date(d).ok_or(reasons::MALFORMED_DATE),
    }
}

fn is_json(head: &WarcHead) -> bool {
    head.content_type
        .as_deref()
        .is_some_and(|ct| ct.to_ascii_lowercase().contains("json"))
}

fn is_http_url(url: &str) -> bool {
    let lower = |n: usize| url.get(..n).map(str::to_ascii_lowercase);
    lower(7).as_deref() == Some("http://") || lower(8).as_deref() == Some("https://")
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    /// An ARC record: the URL line, then `content` (its length counted here), then the "\n"
    /// that separates ARC records.
    fn arc_record(url_line_without_length: &str, content: &[u8]) -> Vec<u8> {
        let mut rec = format!("{url_line_without_length} {}\n", content.len()).into_bytes();
        rec.extend_from_slice(content);
        rec.push(b'\n');
        rec
    }

    /// A small version-1 ARC file, one member per record when `gzip`.
    fn small_arc(gzip: bool) -> Vec<u8> {
        let version =
            b"1 0 Alexa Internet\nURL IP-address Archive-date Content-type Archive-length\n";
        let mut gz_body = GzEncoder::new(Vec::new(), Compression::default());
        let _ = gz_body.write_all(b"<html><a href=/b>b</a></html>");
        let gz_body = gz_body.finish().unwrap_or_default();
        let mut encoded =
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: gzip\r\n\r\n"
                .to_vec();
        encoded.extend_from_slice(&gz_body);
        let records = [
            arc_record(
                "filedesc://IA-001102.arc 0.0.0.0 19960923142103 text/plain",
                version,
            ),
            arc_record(
                "http://www.dryswamp.edu:80/index.html 127.10.100.2 19961104142103 text/html",
                b"HTTP/1.0 200 Document follows\r\nDate: Mon, 04 Nov 1996 14:21:06 GMT\r\n\
                  Content-type: text/html\r\n\r\n<title>Dry Swamp</title><a href=\"x.html\">x</a>",
            ),
            arc_record(
                "dns:www.dryswamp.edu 127.10.100.1 19961104142100 text/dns",
                b"1.2.3.4\n",
            ),
            arc_record(
                "http://www.dryswamp.edu/b 0.0.0.0 19961104142200 text/html",
                &encoded,
            ),
        ];
        if !gzip {
            return records.concat();
        }
        records
            .iter()
            .flat_map(|r| {
                let mut gz = GzEncoder::new(Vec::new(), Compression::default());
                let _ = gz.write_all(r);
                gz.finish().unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn reads_arc_files_plain_and_gzip() {
        for gzip in [false, true] {
            let data = small_arc(gzip);
            let mut reader =
                ArchiveReader::from_reader("t.arc", io::Cursor::new(data), ReaderConfig::default())
                    .unwrap();
            let captures: Vec<Capture> = reader.by_ref().collect();
            let stats = reader.stats();
            assert_eq!(stats.records_of("filedesc"), 1);
            assert_eq!(stats.records_of("arc"), 3);
            assert_eq!(
                stats.skip_reasons.get(reasons::NOT_HTTP),
                Some(&1),
                "the dns: record"
            );
            assert_eq!(stats.skipped, 1);
            let pages: Vec<&FetchRecord> = captures
                .iter()
                .filter_map(|c| {
                    if let Capture::Response(f) = c {
                        Some(f)
                    } else {
                        None
                    }
                })
                .collect();
            assert_eq!(pages.len(), 2);
            let first = pages[0];
            assert_eq!(first.url, "http://www.dryswamp.edu:80/index.html");
            assert_eq!(first.ip.as_deref(), Some("127.10.100.2"));
            assert_eq!(Some(first.fetched_at), parse_arc_date("19961104142103"));
            assert_eq!(first.status, 200);
            assert_eq!(first.header("content-type"), Some("text/html"));
            assert_eq!(
                first.body,
                b"<title>Dry Swamp</title><a href=\"x.html\">x</a>"
            );
            assert_eq!(
                first.record_id,
                "<urn:arc:19961104142103:http://www.dryswamp.edu:80/index.html>"
            );
            // 0.0.0.0 is "no address"; the gzip body is decoded.
            assert_eq!(pages[1].ip, None);
            assert_eq!(pages[1].body, b"<html><a href=/b>b</a></html>");
        }
    }

    #[test]
    fn arc_v2_record_lines() {
        let version = b"2 0 Internet Archive\nURL IP-address Archive-date Content-type Result-code Checksum Location Offset Filename Archive-length\n";
        let data = [
            arc_record(
                "filedesc://x.arc 0.0.0.0 20080101000000 text/plain 200 - - 0 x.arc",
                version,
            ),
            arc_record(
                "http://a.com/ 1.2.3.4 20080101000001 text/html 200 ABCDEF - 0 x.arc",
                b"HTTP/1.1 200 OK\r\n\r\nhi",
            ),
        ]
        .concat();
        let reader =
            ArchiveReader::from_reader("t.arc", io::Cursor::new(data), ReaderConfig::default())
                .unwrap();
        let captures: Vec<Capture> = reader.collect();
        assert!(
            matches!(&captures[..], [Capture::Response(f)] if f.body == b"hi" && f.url == "http://a.com/")
        );
    }

    #[test]
    fn http_urls() {
        assert!(is_http_url("HTTP://a.com/"));
        assert!(is_http_url("https://a.com/"));
        assert!(!is_http_url("dns:a.com"));
        assert!(!is_http_url("é"));
    }
}
