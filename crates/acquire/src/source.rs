//! The byte stream under the record parser: a file (or any reader), gzip detected by its magic
//! bytes and decoded member by member, with offsets kept for log messages.
//!
//! flate2's `MultiGzDecoder` reads both Common Crawl's one-member-per-record files and
//! whole-file gzip, but a damaged member ends the whole stream. [`GzMembers`] decodes the same
//! concatenation of members itself so that, after a damaged member, it can scan forward to the
//! next gzip header and carry on: one bad record does not cost the rest of the file.

use crate::error::AcquireError;
use flate2::bufread::GzDecoder;
use std::io::{self, BufRead, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// Buffer size for both the compressed and the decompressed side: large enough that the
/// per-call overhead of `fill_buf` is negligible at hundreds of MB/s.
pub(crate) const BUF_SIZE: usize = 256 * 1024;

const GZIP_MAGIC: [u8; 3] = [0x1f, 0x8b, 0x08];

/// A buffered reader that can guarantee a few bytes of look-ahead (needed to recognise a gzip
/// header that straddles a buffer boundary) and counts the bytes consumed.
pub(crate) struct RawInput<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    consumed: u64,
}

impl<R: Read> RawInput<R> {
    pub(crate) fn new(inner: R) -> Self {
        RawInput {
            inner,
            buf: vec![0; BUF_SIZE].into_boxed_slice(),
            pos: 0,
            end: 0,
            consumed: 0,
        }
    }

    /// Bytes consumed so far: the offset in the underlying file.
    pub(crate) fn offset(&self) -> u64 {
        self.consumed
    }

    /// The buffered bytes, at least `n` of them unless the input ends first.
    pub(crate) fn ensure(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.end - self.pos < n {
            self.buf.copy_within(self.pos..self.end, 0);
            self.end -= self.pos;
            self.pos = 0;
            while self.end < n.min(self.buf.len()) {
                match self.inner.read(&mut self.buf[self.end..]) {
                    Ok(0) => break,
                    Ok(k) => self.end += k,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(&self.buf[self.pos..self.end])
    }
}

impl<R: Read> Read for RawInput<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(out.len());
        out[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for RawInput<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        if self.pos == self.end {
            self.pos = 0;
            self.end = 0;
            loop {
                match self.inner.read(&mut self.buf) {
                    Ok(k) => {
                        self.end = k;
                        break;
                    }
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(&self.buf[self.pos..self.end])
    }

    fn consume(&mut self, amt: usize) {
        let amt = amt.min(self.end - self.pos);
        self.pos += amt;
        self.consumed += amt as u64;
    }
}

/// Decodes a concatenation of gzip members, resynchronising on the next member after damage.
///
/// A read error is returned once (so the record being read is known to be damaged); the next
/// read continues with the next intact member.
pub(crate) struct GzMembers<R: Read> {
    decoder: Option<GzDecoder<RawInput<R>>>,
    /// Compressed offset of the member being decoded, shared with the record reader for logs.
    member_offset: Arc<AtomicU64>,
}

impl<R: Read> GzMembers<R> {
    pub(crate) fn new(input: RawInput<R>, member_offset: Arc<AtomicU64>) -> Self {
        let mut members = GzMembers {
            decoder: None,
            member_offset,
        };
        members.start_member(input);
        members
    }

    fn start_member(&mut self, input: RawInput<R>) {
        self.member_offset.store(input.offset(), Ordering::Relaxed);
        self.decoder = Some(GzDecoder::new(input));
    }

    /// The current member ended cleanly: start the next one if there is more input.
    fn next_member(&mut self) -> io::Result<bool> {
        let Some(decoder) = self.decoder.take() else {
            return Ok(false);
        };
        let mut input = decoder.into_inner();
        if input.fill_buf()?.is_empty() {
            return Ok(false);
        }
        self.start_member(input);
        Ok(true)
    }

    /// After damage: skip to the next gzip header (at least one byte past the damaged member's
    /// start, so a header that fails to parse is not retried forever).
    fn resync(&mut self) {
        let Some(decoder) = self.decoder.take() else {
            return;
        };
        let mut input = decoder.into_inner();
        if input.offset() == self.member_offset.load(Ordering::Relaxed) {
            input.consume(1);
        }
        if let Ok(true) = skip_to_magic(&mut input) {
            self.start_member(input);
        }
    }
}

/// Advances `input` to the next gzip member header; false when the input ends first.
fn skip_to_magic<R: Read>(input: &mut RawInput<R>) -> io::Result<bool> {
    loop {
        let avail = input.ensure(GZIP_MAGIC.len())?;
        if avail.len() < GZIP_MAGIC.len() {
            let n = avail.len();
            input.consume(n);
            return Ok(false);
        }
        let found = avail
            .windows(GZIP_MAGIC.len())
            .position(|w| w == GZIP_MAGIC);
        match found {
            Some(i) => {
                input.consume(i);
                return Ok(true);
            }
            // Keep the last two bytes: they may be the start of a header.
            None => {
                let n = avail.len() - (GZIP_MAGIC.len() - 1);
                input.consume(n);
            }
        }
    }
}

impl<R: Read> Read for GzMembers<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let Some(decoder) = self.decoder.as_mut() else {
                return Ok(0);
            };
            match decoder.read(buf) {
                Ok(0) => {
                    if !self.next_member()? {
                        return Ok(0);
                    }
                }
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.resync();
                    return Err(e);
                }
            }
        }
    }
}

/// What the first bytes of an input say about its compression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    Gzip,
    None,
}

/// Recognises gzip, and the other compressions we do not read (for a clear error).
pub(crate) fn sniff(start: &[u8], name: &str) -> Result<Compression, AcquireError> {
    let unsupported = |compression| {
        Err(AcquireError::UnsupportedCompression {
            name: name.to_string(),
            compression,
        })
    };
    if start.starts_with(&[0x1f, 0x8b]) {
        Ok(Compression::Gzip)
    } else if start.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        unsupported("zstd")
    } else if start.starts_with(b"BZh") {
        unsupported("bzip2")
    } else if start.starts_with(&[0xfd, b'7', b'z', b'X', b'Z', 0]) {
        unsupported("xz")
    } else if start.starts_with(b"PK\x03\x04") {
        unsupported("zip")
    } else {
        Ok(Compression::None)
    }
}

/// The decompressed stream with the offset of every byte consumed.
pub(crate) struct Source {
    inner: Box<dyn BufRead + Send>,
    offset: u64,
    /// Set for gzip input: compressed offset of the member being decoded.
    member_offset: Option<Arc<AtomicU64>>,
}

impl Source {
    /// Wraps `reader`, decoding gzip when its first bytes say so.
    pub(crate) fn new<R: Read + Send + 'static>(
        reader: R,
        name: &str,
    ) -> Result<Source, AcquireError> {
        let mut raw = RawInput::new(reader);
        let start = raw.ensure(8).map_err(|source| AcquireError::Sniff {
            name: name.to_string(),
            source,
        })?;
        match sniff(start, name)? {
            Compression::Gzip => {
                let member_offset = Arc::new(AtomicU64::new(0));
                let members = GzMembers::new(raw, Arc::clone(&member_offset));
                Ok(Source {
                    inner: Box::new(io::BufReader::with_capacity(BUF_SIZE, members)),
                    offset: 0,
                    member_offset: Some(member_offset),
                })
            }
            Compression::None => Ok(Source {
                inner: Box::new(raw),
                offset: 0,
                member_offset: None,
            }),
        }
    }

    /// Offset in the decompressed stream.
    pub(crate) fn offset(&self) -> u64 {
        self.offset
    }

    /// For gzip input, the compressed offset of the member being read (for a per-record gzip
    /// file this is the record's offset in the file, as CDX indexes give it).
    pub(crate) fn member_offset(&self) -> Option<u64> {
        self.member_offset
            .as_ref()
            .map(|m| m.load(Ordering::Relaxed))
    }
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.offset += n as u64;
        Ok(n)
    }
}

impl BufRead for Source {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.offset += amt as u64;
    }
}

/// Reads one line (through its `\n`) into `out`, keeping at most `limit` bytes of it (the rest
/// of an overlong line is consumed and dropped, so binary junk cannot exhaust memory).
/// Returns the number of bytes consumed; 0 means end of input.
pub(crate) fn read_line_limited<R: BufRead + ?Sized>(
    r: &mut R,
    out: &mut Vec<u8>,
    limit: usize,
) -> io::Result<usize> {
    out.clear();
    let mut consumed = 0;
    loop {
        let buf = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if buf.is_empty() {
            return Ok(consumed);
        }
        let (len, done) = match buf.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (buf.len(), false),
        };
        let room = limit.saturating_sub(out.len());
        out.extend_from_slice(&buf[..len.min(room)]);
        r.consume(len);
        consumed += len;
        if done {
            return Ok(consumed);
        }
    }
}

/// The line without its `\n` / `\r\n` ending.
pub(crate) fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression as Level;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Level::default());
        let _ = enc.write_all(data);
        enc.finish().unwrap_or_default()
    }

    fn read_all_lossy(mut src: Source) -> (Vec<u8>, usize) {
        let mut out = Vec::new();
        let mut errors = 0;
        let mut buf = [0u8; 7];
        loop {
            match src.read(&mut buf) {
                Ok(0) => return (out, errors),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(_) => errors += 1,
            }
            assert!(errors < 100, "error loop");
        }
    }

    #[test]
    fn reads_concatenated_members() {
        let mut data = gz(b"hello ");
        data.extend(gz(b"world"));
        let src = Source::new(io::Cursor::new(data), "t").unwrap();
        assert_eq!(read_all_lossy(src), (b"hello world".to_vec(), 0));
    }

    #[test]
    fn resyncs_after_a_damaged_member() {
        let first = gz(b"first-member-");
        let mut second = gz(&[b'x'; 5000]);
        let mid = second.len() / 2;
        second[mid] ^= 0xff;
        second[mid + 1] ^= 0x55;
        let third = gz(b"-third-member");
        let data = [first, second, third].concat();
        let (out, errors) = read_all_lossy(Source::new(io::Cursor::new(data), "t").unwrap());
        assert!(errors >= 1);
        assert!(out.starts_with(b"first-member-"));
        assert!(out.ends_with(b"-third-member"));
    }

    #[test]
    fn truncated_gzip_ends_with_an_error_not_a_hang() {
        let mut data = gz(&[b'y'; 10_000]);
        data.truncate(data.len() - 20);
        let (out, errors) = read_all_lossy(Source::new(io::Cursor::new(data), "t").unwrap());
        assert_eq!(errors, 1);
        assert!(out.iter().all(|&b| b == b'y'));
    }

    #[test]
    fn sniffs_other_compressions() {
        assert!(sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0], "x").is_err());
        assert_eq!(sniff(b"WARC/1.0", "x").ok(), Some(Compression::None));
    }

    #[test]
    fn overlong_lines_are_cut() {
        let mut r = io::Cursor::new(b"abcdefgh\nij".to_vec());
        let mut line = Vec::new();
        assert_eq!(read_line_limited(&mut r, &mut line, 3).ok(), Some(9));
        assert_eq!(line, b"abc");
        assert_eq!(read_line_limited(&mut r, &mut line, 3).ok(), Some(2));
        assert_eq!(line, b"ij");
        assert_eq!(read_line_limited(&mut r, &mut line, 3).ok(), Some(0));
    }
}
