//! Fuzz input for `anchorage_extract::extract`: a few control bytes choose the response's
//! headers and the limits, the rest is the body.
//!
//! | byte | meaning |
//! |---|---|
//! | 0 | Content-Type essence, from [`CONTENT_TYPES`] (modulo its length) |
//! | 1 | charset parameter, from [`CHARSETS`] |
//! | 2 | low 4 bits: page URL from [`URLS`]; high 4 bits: status from [`STATUSES`] |
//! | 3 | flags: 1 `Location`, 2 `Link: <…>; rel=canonical`, 4 `X-Robots-Tag`, 8 `Content-Language`, 16 tiny limits, 32 no language detection, 64 capture already truncated, 128 free text appended to Content-Type |
//! | 4 | length `n` of the free text |
//! | 5..5+n | free text (lossy UTF-8): the value of the headers flagged in byte 3 |
//! | rest | the body |
//!
//! Missing bytes count as 0, so every input, even an empty one, is a valid case.

use anchorage_core::record::FetchRecord;
use anchorage_extract::ExtractConfig;

pub const CONTENT_TYPES: &[Option<&str>] = &[
    Some("text/html"),
    None,
    Some("application/xhtml+xml"),
    Some("text/plain"),
    Some("application/octet-stream"),
    Some(" TEXT/HTML "),
    Some(""),
    Some("image/png"),
    Some("application/rss+xml"),
    Some("text/xml"),
    Some("*/*"),
    Some("text/html/extra"),
];

pub const CHARSETS: &[Option<&str>] = &[
    None,
    Some("utf-8"),
    Some("\"UTF-8\""),
    Some("iso-8859-1"),
    Some("windows-1252"),
    Some("shift_jis"),
    Some("euc-jp"),
    Some("gbk"),
    Some("gb18030"),
    Some("big5"),
    Some("utf-16le"),
    Some("utf-16be"),
    Some("iso-2022-jp"),
    Some("x-user-defined"),
    Some("replacement"),
    Some("koi8-r"),
    Some("no-such-charset"),
    Some(""),
];

pub const URLS: &[&str] = &[
    "https://www.example.com/dir/page.html?q=1",
    "http://example.co.uk",
    "http://[::1]:8080/a/b?c#d",
    "https://xn--bcher-kva.example/",
    "http://例え.テスト/パス",
    "HTTPS://WWW.EXAMPLE.COM:443/%7Euser/",
    "http://a.b.c.d.e.example.github.io/x/../y/./z",
    "not a url",
    "",
    "ftp://example.com/file",
    "http://user:pass@example.com/",
    "https://example.com.",
];

pub const STATUSES: &[u16] = &[200, 301, 302, 404, 500, 0, 307, 999];

fn pick<T: Copy>(table: &[T], byte: u8) -> T {
    table[usize::from(byte) % table.len()]
}

/// The fetch and limits a fuzz input stands for.
pub fn extract_input(data: &[u8]) -> (FetchRecord, ExtractConfig) {
    let at = |i: usize| data.get(i).copied().unwrap_or(0);
    let flags = at(3);
    let text_len = usize::from(at(4));
    let text_end = (5 + text_len).min(data.len().max(5));
    let text = String::from_utf8_lossy(data.get(5..text_end).unwrap_or_default()).into_owned();
    let body = data.get(text_end..).unwrap_or_default().to_vec();

    let mut headers = Vec::new();
    let essence = pick(CONTENT_TYPES, at(0));
    let charset = pick(CHARSETS, at(1));
    if essence.is_some() || charset.is_some() || flags & 128 != 0 {
        let mut value = essence.unwrap_or_default().to_string();
        if let Some(c) = charset {
            value.push_str("; charset=");
            value.push_str(c);
        }
        if flags & 128 != 0 {
            value.push_str("; ");
            value.push_str(&text);
        }
        headers.push(("Content-Type".to_string(), value));
    }
    let flagged = [
        (1, "Location", text.clone()),
        (2, "Link", format!("<{text}>; rel=\"canonical\"")),
        (4, "X-Robots-Tag", text.clone()),
        (8, "Content-Language", text.clone()),
    ];
    for (bit, name, value) in flagged {
        if flags & bit != 0 {
            headers.push((name.to_string(), value));
        }
    }

    let config = if flags & 16 != 0 {
        // Tiny limits: every cap and cut-off path runs on small inputs.
        ExtractConfig {
            max_html_bytes: 512,
            max_links: 3,
            max_anchor_chars: 4,
            snippet_chars: 3,
            max_depth: 3,
            max_parser_memory: 64 * 1024,
            detect_language: flags & 32 == 0,
            language_sample_bytes: 8,
        }
    } else {
        ExtractConfig {
            detect_language: flags & 32 == 0,
            ..ExtractConfig::default()
        }
    };
    let fetch = FetchRecord {
        url: pick(URLS, at(2) & 0x0f).to_string(),
        status: pick(STATUSES, at(2) >> 4),
        headers,
        body,
        truncated: flags & 64 != 0,
        record_id: "<urn:uuid:fuzz>".to_string(),
        ..FetchRecord::default()
    };
    (fetch, config)
}
