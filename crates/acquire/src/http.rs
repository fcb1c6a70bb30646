//! HTTP responses as archived: the status line and headers, tolerant of what real servers and
//! archivers write (bare LF line ends, obs-fold continuation lines, junk lines, `Name : value`).
//!
//! Hand-written rather than httparse because httparse rejects a whole head on the first
//! malformed line, and an archive reader must keep every header it can.

use crate::source::{read_line_limited, trim_eol};
use std::io::{self, BufRead};

/// Longest status or header line kept; longer lines are cut (their rest is dropped).
const MAX_LINE: usize = 64 * 1024;
/// Header bytes and count beyond which further headers are read but not kept.
const MAX_HEAD_BYTES: usize = 1024 * 1024;
const MAX_HEADERS: usize = 2000;

/// The status line and headers of a response.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct HttpHead {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
}

#[derive(Debug)]
pub(crate) enum HeadError {
    /// The block does not start with an `HTTP/` status line.
    NotHttp,
    /// It does, but no status code can be read from it.
    BadStatus,
    Io(io::Error),
}

impl From<io::Error> for HeadError {
    fn from(e: io::Error) -> Self {
        HeadError::Io(e)
    }
}

/// Reads the status line and headers, leaving `r` at the first body byte.
pub(crate) fn read_response_head<R: BufRead + ?Sized>(
    r: &mut R,
    line: &mut Vec<u8>,
) -> Result<HttpHead, HeadError> {
    // A few archivers leave a blank line before the status line.
    let mut blank = 0;
    loop {
        if read_line_limited(r, line, MAX_LINE)? == 0 {
            return Err(HeadError::NotHttp);
        }
        if !trim_eol(line).is_empty() || blank >= 4 {
            break;
        }
        blank += 1;
    }
    let (status, reason) = parse_status_line(trim_eol(line))?;
    let headers = read_headers(r, line)?;
    Ok(HttpHead {
        status,
        reason,
        headers,
    })
}

/// `HTTP/1.1 200 OK` → (200, "OK").
pub(crate) fn parse_status_line(line: &[u8]) -> Result<(u16, String), HeadError> {
    if line.len() < 5 || !line[..5].eq_ignore_ascii_case(b"HTTP/") {
        return Err(HeadError::NotHttp);
    }
    let text = String::from_utf8_lossy(line);
    let mut parts = text.splitn(3, [' ', '\t']);
    let _version = parts.next();
    let code = parts.next().unwrap_or("").trim();
    let status = match code.parse::<u16>() {
        Ok(s) if (100..=999).contains(&s) => s,
        _ => return Err(HeadError::BadStatus),
    };
    let reason = parts.next().unwrap_or("").trim().to_string();
    Ok((status, reason))
}

/// Header lines up to the blank line (or the end of the block).
pub(crate) fn read_headers<R: BufRead + ?Sized>(
    r: &mut R,
    line: &mut Vec<u8>,
) -> io::Result<Vec<(String, String)>> {
    let mut headers: Vec<(String, String)> = Vec::with_capacity(16);
    let mut head_bytes = 0;
    loop {
        let n = read_line_limited(r, line, MAX_LINE)?;
        let content = trim_eol(line);
        if n == 0 || content.is_empty() {
            return Ok(headers);
        }
        head_bytes += n;
        if head_bytes > MAX_HEAD_BYTES || headers.len() >= MAX_HEADERS {
            continue;
        }
        push_header_line(&mut headers, content);
    }
}

/// Adds one header line: a continuation (obs-fold) extends the previous value; a line without
/// a colon or with an empty name is junk and dropped.
fn push_header_line(headers: &mut Vec<(String, String)>, content: &[u8]) {
    if content[0] == b' ' || content[0] == b'\t' {
        if let Some((_, value)) = headers.last_mut() {
            let more = String::from_utf8_lossy(content);
            value.push(' ');
            value.push_str(more.trim());
        }
        return;
    }
    let Some(colon) = content.iter().position(|&b| b == b':') else {
        return;
    };
    let name = String::from_utf8_lossy(&content[..colon])
        .trim()
        .to_string();
    if name.is_empty() || name.contains(|c: char| c.is_whitespace()) {
        return;
    }
    let value = String::from_utf8_lossy(&content[colon + 1..])
        .trim()
        .to_string();
    headers.push((name, value));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(raw: &[u8]) -> Result<HttpHead, HeadError> {
        let mut line = Vec::new();
        read_response_head(&mut io::Cursor::new(raw), &mut line)
    }

    #[test]
    fn parses_crlf_and_bare_lf() {
        let h = head(b"HTTP/1.1 404 Not Found\r\nServer: x\nContent-Type: text/html\r\n\r\nbody")
            .unwrap();
        assert_eq!(h.status, 404);
        assert_eq!(h.reason, "Not Found");
        assert_eq!(
            h.headers,
            vec![
                ("Server".to_string(), "x".to_string()),
                ("Content-Type".to_string(), "text/html".to_string())
            ]
        );
    }

    #[test]
    fn obs_fold_junk_and_spacing() {
        let h =
            head(b"HTTP/1.0 200\nX-Long: a\n  b\n\tc\nthis is junk\n: empty\nSet-Cookie : k=v\n\n")
                .unwrap();
        assert_eq!(h.status, 200);
        assert_eq!(h.reason, "");
        assert_eq!(h.headers[0], ("X-Long".into(), "a b c".into()));
        assert_eq!(h.headers[1], ("Set-Cookie".into(), "k=v".into()));
        assert_eq!(h.headers.len(), 2);
    }

    #[test]
    fn body_position_is_after_the_blank_line() {
        let mut r = io::Cursor::new(b"HTTP/1.1 200 OK\r\nA: b\r\n\r\nBODY".to_vec());
        let mut line = Vec::new();
        read_response_head(&mut r, &mut line).unwrap();
        assert_eq!(r.position(), 25);
    }

    #[test]
    fn not_http_and_bad_status() {
        assert!(matches!(
            head(b"20140325\ndata.gov.uk. IN A"),
            Err(HeadError::NotHttp)
        ));
        assert!(matches!(head(b""), Err(HeadError::NotHttp)));
        assert!(matches!(
            head(b"HTTP/1.1 abc\r\n\r\n"),
            Err(HeadError::BadStatus)
        ));
        assert!(matches!(
            head(b"HTTP/1.1 99999\r\n\r\n"),
            Err(HeadError::BadStatus)
        ));
    }
}
