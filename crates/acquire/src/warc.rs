//! WARC record headers and ARC record lines.

use crate::source::{read_line_limited, trim_eol};
use std::io::{self, BufRead};

const MAX_LINE: usize = 64 * 1024;
/// A WARC header longer than this is not a header but damage: the record is skipped.
const MAX_HEADER_BYTES: usize = 1024 * 1024;

/// The named fields of one WARC record header this reader uses.
#[derive(Debug, Default, Clone)]
pub(crate) struct WarcHead {
    pub warc_type: Option<String>,
    pub target_uri: Option<String>,
    pub date: Option<String>,
    pub record_id: Option<String>,
    pub ip: Option<String>,
    /// `None` when absent or not a number.
    pub content_length: Option<u64>,
    pub content_type: Option<String>,
    pub refers_to: Option<String>,
    pub refers_to_date: Option<String>,
    pub payload_digest: Option<String>,
    pub truncated: Option<String>,
}

#[derive(Debug)]
pub(crate) enum HeaderError {
    TooLong,
    /// The input ended before the blank line that closes a header.
    Truncated,
    Io(io::Error),
}

impl WarcHead {
    /// The record type, lower-cased; `"(none)"` when the header has none.
    pub(crate) fn kind(&self) -> String {
        self.warc_type
            .as_deref()
            .map(str::to_ascii_lowercase)
            .unwrap_or_else(|| "(none)".to_string())
    }

    /// WARC-Target-URI without the `<…>` that some WARC 1.0 writers (wget) put around it.
    pub(crate) fn url(&self) -> Option<&str> {
        let uri = self.target_uri.as_deref()?.trim();
        let uri = uri
            .strip_prefix('<')
            .and_then(|u| u.strip_suffix('>'))
            .unwrap_or(uri);
        (!uri.is_empty()).then_some(uri)
    }

    fn set(&mut self, name: &str, value: String) {
        let slot = match name.to_ascii_lowercase().as_str() {
            "warc-type" => &mut self.warc_type,
            "warc-target-uri" => &mut self.target_uri,
            "warc-date" => &mut self.date,
            "warc-record-id" => &mut self.record_id,
            "warc-ip-address" => &mut self.ip,
            "content-type" => &mut self.content_type,
            "warc-refers-to" => &mut self.refers_to,
            "warc-refers-to-date" => &mut self.refers_to_date,
            "warc-payload-digest" => &mut self.payload_digest,
            "warc-truncated" => &mut self.truncated,
            "content-length" => {
                self.content_length = value.trim().parse().ok();
                return;
            }
            _ => return,
        };
        // The first occurrence wins, as for a repeated HTTP header.
        if slot.is_none() {
            *slot = Some(value);
        }
    }
}

/// Reads header fields after the `WARC/x.y` line up to the blank line. Continuation lines
/// (leading space or tab) extend the previous field; lines without a colon are ignored.
pub(crate) fn read_warc_head<R: BufRead + ?Sized>(
    r: &mut R,
    line: &mut Vec<u8>,
) -> Result<WarcHead, HeaderError> {
    let mut head = WarcHead::default();
    let mut pending: Option<(String, String)> = None;
    let mut total = 0;
    loop {
        let n = read_line_limited(r, line, MAX_LINE).map_err(HeaderError::Io)?;
        total += n;
        if total > MAX_HEADER_BYTES {
            return Err(HeaderError::TooLong);
        }
        if n == 0 {
            return Err(HeaderError::Truncated);
        }
        let content = trim_eol(line);
        if content.is_empty() {
            if let Some((name, value)) = pending.take() {
                head.set(&name, value);
            }
            return Ok(head);
        }
        if matches!(content[0], b' ' | b'\t') {
            if let Some((_, value)) = pending.as_mut() {
                value.push(' ');
                value.push_str(String::from_utf8_lossy(content).trim());
            }
            continue;
        }
        let Some(colon) = content.iter().position(|&b| b == b':') else {
            continue;
        };
        if let Some((name, value)) = pending.take() {
            head.set(&name, value);
        }
        let name = String::from_utf8_lossy(&content[..colon])
            .trim()
            .to_string();
        let value = String::from_utf8_lossy(&content[colon + 1..])
            .trim()
            .to_string();
        pending = Some((name, value));
    }
}

/// The record line of an ARC file: `url ip date content-type length` (version 1) or
/// `url ip date content-type code checksum location offset filename length` (version 2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ArcLine {
    pub url: String,
    pub ip: String,
    pub date: String,
    pub content_type: String,
    pub length: u64,
}

/// Parses an ARC record line; None for anything else. The length is always the last field;
/// a version-1 URL may contain spaces, so its fields are counted from the end.
pub(crate) fn parse_arc_line(line: &[u8], version: u8) -> Option<ArcLine> {
    let text = std::str::from_utf8(line).ok()?;
    let fields: Vec<&str> = text.split_ascii_whitespace().collect();
    let n = fields.len();
    if n < 5 {
        return None;
    }
    let length = fields[n - 1].parse().ok()?;
    let (url, ip, date, content_type) = if version >= 2 && n >= 10 {
        (fields[0].to_string(), fields[1], fields[2], fields[3])
    } else {
        (
            fields[..n - 4].join(" "),
            fields[n - 4],
            fields[n - 3],
            fields[n - 2],
        )
    };
    let date_ok = date.len() >= 12 && date.bytes().all(|b| b.is_ascii_digit());
    if !date_ok || !url.contains(':') {
        return None;
    }
    Some(ArcLine {
        url,
        ip: ip.to_string(),
        date: date.to_string(),
        content_type: content_type.to_string(),
        length,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_continuations_and_brackets() {
        let raw = b"WARC-Type: response\r\nWARC-Target-URI: <http://a.com/>\r\n\
            Content-Length: 12\nWARC-Date: 2024-01-01T00:00:00Z\r\nX-Long: a\r\n b\r\n\
            junk line\r\nWARC-Record-ID: <urn:uuid:1>\r\n\r\nbody";
        let mut line = Vec::new();
        let head = read_warc_head(&mut io::Cursor::new(&raw[..]), &mut line).unwrap();
        assert_eq!(head.kind(), "response");
        assert_eq!(head.url(), Some("http://a.com/"));
        assert_eq!(head.content_length, Some(12));
        assert_eq!(head.record_id.as_deref(), Some("<urn:uuid:1>"));
        assert_eq!(head.date.as_deref(), Some("2024-01-01T00:00:00Z"));
    }

    #[test]
    fn header_cut_by_the_end_of_input() {
        let mut line = Vec::new();
        let raw = b"WARC-Type: response\r\nContent-Len";
        let head = read_warc_head(&mut io::Cursor::new(&raw[..]), &mut line);
        assert!(matches!(head, Err(HeaderError::Truncated)));
    }

    #[test]
    fn bad_content_length_is_none() {
        let mut line = Vec::new();
        let raw = b"Content-Length: 12x\r\n\r\n";
        let head = read_warc_head(&mut io::Cursor::new(&raw[..]), &mut line).unwrap();
        assert_eq!(head.content_length, None);
        assert_eq!(head.kind(), "(none)");
    }

    #[test]
    fn arc_lines() {
        let v1 = parse_arc_line(b"http://a.com/x y 1.2.3.4 19961104142103 text/html 202", 1);
        let v1 = v1.unwrap();
        assert_eq!((v1.url.as_str(), v1.length), ("http://a.com/x y", 202));
        let v2 = parse_arc_line(
            b"http://a.com/ 1.2.3.4 20080101000000 text/html 200 ABC http://b/ 123 f.arc 55",
            2,
        )
        .unwrap();
        assert_eq!(
            (v2.url.as_str(), v2.ip.as_str(), v2.length),
            ("http://a.com/", "1.2.3.4", 55)
        );
        assert!(parse_arc_line(b"<html> not an arc line at all", 1).is_none());
        assert!(parse_arc_line(b"http://a.com/ 1.2.3.4 2008xx text/html 5", 1).is_none());
    }
}
