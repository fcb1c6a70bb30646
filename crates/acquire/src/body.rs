//! Turning an archived HTTP entity into the page bytes: `Transfer-Encoding: chunked` framing
//! removed (in place: the output is never longer than the input), then `Content-Encoding`
//! (gzip, x-gzip, deflate as zlib or raw, br) undone, within a size cap.
//!
//! Nothing here fails a record. When decoding is impossible the raw bytes are kept and a note
//! says why; when it breaks off part-way (a truncated record, a damaged stream) the decoded
//! prefix is kept and the body is marked truncated, because readable HTML is worth more to the
//! link extractor than compressed bytes.

use std::io::Read;

/// The page bytes and what happened on the way.
#[derive(Debug, Default)]
pub(crate) struct Body {
    pub bytes: Vec<u8>,
    pub truncated: bool,
    /// Problems worth counting (stable strings: they are keys of `ReadStats::warnings`).
    pub notes: Vec<&'static str>,
}

pub(crate) const NOTE_CHUNKED_INCOMPLETE: &str = "chunked body incomplete";
pub(crate) const NOTE_NOT_CHUNKED: &str = "Transfer-Encoding chunked but body not chunked";
pub(crate) const NOTE_UNSUPPORTED: &str = "unsupported content-encoding kept raw";
pub(crate) const NOTE_FAILED: &str = "content-decoding failed, raw bytes kept";
pub(crate) const NOTE_INCOMPLETE: &str = "content-decoding incomplete, prefix kept";
pub(crate) const NOTE_CAP: &str = "body over size cap";

/// De-chunks and decodes `raw` (the entity as archived) per the response `headers`.
/// `raw_truncated`: the entity itself is known to be cut short.
pub(crate) fn decode_body(
    mut raw: Vec<u8>,
    headers: &[(String, String)],
    raw_truncated: bool,
    cap: usize,
) -> Body {
    let mut body = Body {
        truncated: raw_truncated,
        ..Body::default()
    };
    let transfer = codings(headers, "transfer-encoding");
    if !raw.is_empty() && transfer.iter().any(|c| c == "chunked") {
        match dechunk_in_place(&mut raw, raw_truncated) {
            Dechunk::Complete => {}
            Dechunk::Partial => {
                body.truncated = true;
                body.notes.push(NOTE_CHUNKED_INCOMPLETE);
            }
            Dechunk::NotChunked => body.notes.push(NOTE_NOT_CHUNKED),
        }
    }
    // Codings are undone in the reverse of the order they were applied: content codings were
    // applied first (by the origin), transfer codings last.
    let mut pending = codings(headers, "content-encoding");
    pending.extend(transfer.into_iter().filter(|c| c != "chunked"));
    body.bytes = raw;
    for coding in pending.iter().rev() {
        if body.bytes.is_empty() || !undo_one(coding, &mut body, cap) {
            break;
        }
    }
    if body.bytes.len() > cap {
        body.bytes.truncate(cap);
        body.truncated = true;
        body.notes.push(NOTE_CAP);
    }
    body
}

/// Every coding named by the headers called `name`, lower-cased, in order.
fn codings(headers: &[(String, String)], name: &str) -> Vec<String> {
    headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(name))
        .flat_map(|(_, v)| v.split(','))
        .map(|c| c.trim().to_ascii_lowercase())
        .filter(|c| !c.is_empty())
        .collect()
}

/// Undoes one coding in `body`; false when decoding must stop (the bytes are then as far as
/// they could be decoded).
fn undo_one(coding: &str, body: &mut Body, cap: usize) -> bool {
    let input = body.bytes.as_slice();
    let outcome = match coding {
        "identity" | "none" | "utf-8" | "utf8" | "text" | "binary" => return true,
        "gzip" | "x-gzip" => inflate(
            flate2::bufread::GzDecoder::new(input),
            input.len(),
            cap,
            true,
        ),
        "deflate" if looks_like_zlib(input) => inflate(
            flate2::bufread::ZlibDecoder::new(input),
            input.len(),
            cap,
            true,
        ),
        "deflate" => inflate(
            flate2::bufread::DeflateDecoder::new(input),
            input.len(),
            cap,
            false,
        ),
        "br" => inflate(
            brotli::Decompressor::new(input, 4096),
            input.len(),
            cap,
            false,
        ),
        _ => {
            body.notes.push(NOTE_UNSUPPORTED);
            return false;
        }
    };
    match outcome {
        Inflated::Done(out, over_cap) => {
            body.bytes = out;
            if over_cap {
                body.truncated = true;
                body.notes.push(NOTE_CAP);
            }
            true
        }
        // A stream with a checksummed header (gzip, zlib) that breaks off was really encoded
        // that way, so its prefix is trustworthy; headerless ones (raw deflate, br) decode
        // garbage from plain bytes, so their prefix is trusted only if the entity was cut.
        Inflated::Broken(out, header_checked) if !out.is_empty() => {
            if header_checked || body.truncated {
                body.bytes = out;
                body.truncated = true;
                body.notes.push(NOTE_INCOMPLETE);
            } else {
                body.notes.push(NOTE_FAILED);
            }
            false
        }
        Inflated::Broken(..) => {
            body.notes.push(NOTE_FAILED);
            false
        }
    }
}

enum Inflated {
    /// Decoded completely (or up to the cap, when the flag is set).
    Done(Vec<u8>, bool),
    /// Failed part-way; what was decoded, and whether the stream's header was verified.
    Broken(Vec<u8>, bool),
}

fn inflate<R: Read>(decoder: R, input_len: usize, cap: usize, header_checked: bool) -> Inflated {
    // Compressed HTML typically expands 4-8x; start there to avoid most reallocation.
    let mut out = Vec::with_capacity(input_len.saturating_mul(4).min(cap).min(64 << 20));
    let limit = u64::try_from(cap).unwrap_or(u64::MAX).saturating_add(1);
    match decoder.take(limit).read_to_end(&mut out) {
        Ok(_) => {
            let over = out.len() > cap;
            out.truncate(cap);
            Inflated::Done(out, over)
        }
        Err(_) => Inflated::Broken(out, header_checked),
    }
}

/// RFC 1950 header: compression method 8 and a header checksum that divides by 31.
fn looks_like_zlib(data: &[u8]) -> bool {
    match data {
        [cmf, flg, ..] => cmf & 0x0f == 8 && (u16::from(*cmf) << 8 | u16::from(*flg)) % 31 == 0,
        _ => false,
    }
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Dechunk {
    Complete,
    /// The framing breaks off or goes wrong after some chunks: those are kept.
    Partial,
    /// The first size line is not a chunk size: the body was never chunked (some archivers
    /// store it de-chunked but keep the header), left untouched.
    NotChunked,
}

/// Removes chunked framing in place. Chunk extensions and trailers are dropped; bare LF line
/// ends are accepted.
pub(crate) fn dechunk_in_place(buf: &mut Vec<u8>, entity_truncated: bool) -> Dechunk {
    let len = buf.len();
    let (mut r, mut w) = (0usize, 0usize);
    let mut first = true;
    loop {
        let size_line = buf[r..]
            .iter()
            .position(|&b| b == b'\n')
            .and_then(|nl| parse_chunk_size(&buf[r..r + nl]).map(|size| (nl, size)));
        let Some((nl, size)) = size_line else {
            return finish(buf, w, first, Dechunk::Partial);
        };
        r += nl + 1;
        if size == 0 {
            buf.truncate(w);
            return Dechunk::Complete;
        }
        let avail = len - r;
        // A first "chunk" longer than the whole body means the body is plain text that happens
        // to start with hex digits, unless the entity is known to be cut.
        if first && size > avail && !entity_truncated {
            return Dechunk::NotChunked;
        }
        let take = size.min(avail);
        buf.copy_within(r..r + take, w);
        w += take;
        r += take;
        if take < size {
            buf.truncate(w);
            return Dechunk::Partial;
        }
        if buf[r..].starts_with(b"\r\n") {
            r += 2;
        } else if buf[r..].starts_with(b"\n") {
            r += 1;
        }
        first = false;
    }
}

fn finish(buf: &mut Vec<u8>, w: usize, first: bool, outcome: Dechunk) -> Dechunk {
    if first {
        return Dechunk::NotChunked;
    }
    buf.truncate(w);
    outcome
}

/// `1c37`, `1c37;ext=1`, `1c37 \r` → the size; None when the line is not a chunk size.
fn parse_chunk_size(line: &[u8]) -> Option<usize> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let digits_end = line
        .iter()
        .position(|b| !b.is_ascii_hexdigit())
        .unwrap_or(line.len());
    let (digits, rest) = line.split_at(digits_end);
    let rest_ok = rest.is_empty() || matches!(rest[0], b';' | b' ' | b'\t');
    if digits.is_empty() || digits.len() > 16 || !rest_ok {
        return None;
    }
    let size = u64::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()?;
    usize::try_from(size).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use std::io::Write;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    const HTML: &[u8] = b"<html><head><title>t</title></head><body>hello</body></html>";

    #[test]
    fn dechunks_with_extensions_and_bare_lf() {
        let mut b = b"5;x=y\r\nhello\r\n7\n, world\n0\r\nTrailer: x\r\n\r\n".to_vec();
        assert_eq!(dechunk_in_place(&mut b, false), Dechunk::Complete);
        assert_eq!(b, b"hello, world");
    }

    #[test]
    fn dechunk_partial_and_not_chunked() {
        let mut b = b"5\r\nhello\r\n10\r\nshort".to_vec();
        assert_eq!(dechunk_in_place(&mut b, true), Dechunk::Partial);
        assert_eq!(b, b"helloshort");
        let mut plain = b"<html>not chunked</html>".to_vec();
        assert_eq!(dechunk_in_place(&mut plain, false), Dechunk::NotChunked);
        assert_eq!(plain, b"<html>not chunked</html>");
        let mut hexy = b"abc\nrest".to_vec();
        assert_eq!(dechunk_in_place(&mut hexy, false), Dechunk::NotChunked);
        let mut huge = b"ffffffffffffffffff\r\nx".to_vec();
        assert_eq!(dechunk_in_place(&mut huge, false), Dechunk::NotChunked);
    }

    #[test]
    fn gzip_deflate_and_brotli() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(HTML).unwrap();
        let gz = gz.finish().unwrap();
        let mut zl = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
        zl.write_all(HTML).unwrap();
        let zl = zl.finish().unwrap();
        let mut raw = flate2::write::DeflateEncoder::new(Vec::new(), Compression::default());
        raw.write_all(HTML).unwrap();
        let raw = raw.finish().unwrap();
        let mut br = Vec::new();
        {
            let mut w = brotli::CompressorWriter::new(&mut br, 4096, 5, 22);
            w.write_all(HTML).unwrap();
        }
        let cases = [
            ("gzip", gz.clone()),
            ("X-Gzip", gz),
            ("deflate", zl),
            ("deflate", raw),
            ("br", br),
        ];
        for (enc, data) in cases {
            let b = decode_body(data, &h(&[("Content-Encoding", enc)]), false, 1 << 20);
            assert_eq!(b.bytes, HTML, "{enc}");
            assert!(!b.truncated && b.notes.is_empty(), "{enc}");
        }
    }

    #[test]
    fn chunked_then_gzip() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(HTML).unwrap();
        let gz = gz.finish().unwrap();
        let mut chunked = format!("{:x}\r\n", 10).into_bytes();
        chunked.extend_from_slice(&gz[..10]);
        chunked.extend_from_slice(format!("\r\n{:x}\r\n", gz.len() - 10).as_bytes());
        chunked.extend_from_slice(&gz[10..]);
        chunked.extend_from_slice(b"\r\n0\r\n\r\n");
        let headers = h(&[
            ("Transfer-Encoding", "chunked"),
            ("Content-Encoding", "gzip"),
        ]);
        let b = decode_body(chunked, &headers, false, 1 << 20);
        assert_eq!(b.bytes, HTML);
    }

    #[test]
    fn failures_keep_raw_bytes_or_prefix() {
        // ClueWeb09 says gzip but stores the decoded page.
        let b = decode_body(
            HTML.to_vec(),
            &h(&[("Content-Encoding", "gzip")]),
            false,
            1 << 20,
        );
        assert_eq!(b.bytes, HTML);
        assert_eq!(b.notes, vec![NOTE_FAILED]);
        let b = decode_body(
            HTML.to_vec(),
            &h(&[("Content-Encoding", "compress")]),
            false,
            99,
        );
        assert_eq!(
            (b.bytes.as_slice(), b.notes),
            (HTML, vec![NOTE_UNSUPPORTED])
        );
        // A gzip stream cut in the middle keeps its decoded prefix.
        let big: Vec<u8> = (0..200_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), Compression::fast());
        gz.write_all(&big).unwrap();
        let mut gz = gz.finish().unwrap();
        gz.truncate(gz.len() / 2);
        let b = decode_body(gz, &h(&[("Content-Encoding", "gzip")]), true, 1 << 30);
        assert!(b.truncated && !b.bytes.is_empty() && big.starts_with(&b.bytes));
    }

    #[test]
    fn cap_cuts_decoded_and_plain_bodies() {
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(&[b'a'; 100_000]).unwrap();
        let gz = gz.finish().unwrap();
        let b = decode_body(gz, &h(&[("Content-Encoding", "gzip")]), false, 1000);
        assert_eq!((b.bytes.len(), b.truncated), (1000, true));
        let b = decode_body(vec![b'z'; 5000], &[], false, 1000);
        assert_eq!((b.bytes.len(), b.truncated), (1000, true));
        assert_eq!(b.notes, vec![NOTE_CAP]);
    }

    #[test]
    fn zlib_header_check() {
        assert!(looks_like_zlib(&[0x78, 0x9c]));
        assert!(!looks_like_zlib(b"<h"));
        assert!(!looks_like_zlib(&[0x78]));
    }
}
