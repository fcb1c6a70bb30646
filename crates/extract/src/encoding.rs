//! Content type, "is this HTML?", and the character encoding of a body.
//!
//! **Content type**: the `Content-Type` header's MIME essence in lower case (`text/html`),
//! parameters dropped.
//!
//! **is_html**: `text/html`, `application/xhtml+xml`, `application/vnd.wap.xhtml+xml` and
//! `text/xhtml` are HTML. A missing or generic type (`application/octet-stream`,
//! `application/unknown`, `unknown/unknown`, `*/*`, `binary/octet-stream`) is sniffed with
//! WHATWG MIME sniffing's HTML patterns (`<!DOCTYPE HTML`, `<html`, `<head`, `<body`,
//! `<script`, `<title`, `<p`, `<div`, `<a`, `<!--`, …, after leading whitespace and a BOM).
//! Any other type is not HTML. A body declared HTML that starts with a binary file signature
//! (PNG, GIF, JPEG, PDF, ZIP, gzip, …) or whose first 1 KiB is more than 10 % control bytes
//! (not UTF-16, where NULs are normal) is binary masquerading as HTML: not HTML.
//!
//! **Encoding**, in WHATWG order: a byte-order mark; the HTTP `charset`; a `<meta charset>` or
//! `<meta http-equiv=Content-Type content="…charset=…">` found by a prescan of the first
//! 16 KiB (browsers look at 1 KiB, then re-parse when the tree builder meets a later
//! declaration; the larger window gets the same answer in one pass); an XML declaration's
//! `encoding`; otherwise detection: a body that is valid UTF-8 (pure ASCII included) is
//! UTF-8, else chardetng guesses from the first 64 KiB with the host's TLD as a hint.
//! Labels map through the WHATWG Encoding Standard (`iso-8859-1` → `windows-1252`); a meta
//! declaring UTF-16 means UTF-8 and `x-user-defined` means windows-1252, as in browsers.
//! The name reported is the WHATWG name in lower case (`utf-8`, `windows-1252`, `shift_jis`).

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252, X_USER_DEFINED};
use std::borrow::Cow;

/// How far the `<meta charset>` prescan looks.
const PRESCAN_BYTES: usize = 16 * 1024;
/// How much of an undeclared non-UTF-8 body chardetng reads.
const DETECT_BYTES: usize = 64 * 1024;

/// Where the encoding came from (for logs and tests).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    Bom,
    Http,
    Meta,
    XmlDeclaration,
    Detected,
}

/// The MIME essence of a Content-Type value, lower-cased: `Text/HTML; charset=x` → `text/html`.
pub(crate) fn mime_essence(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase()
}

/// The `charset` parameter of a Content-Type value.
pub(crate) fn charset_param(content_type: &str) -> Option<&str> {
    content_type.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case("charset")
            .then(|| value.trim().trim_matches(|c| c == '"' || c == '\''))
    })
}

/// Decides whether the body is HTML from the declared MIME essence and the bytes.
pub(crate) fn is_html(essence: Option<&str>, body: &[u8], http_charset: Option<&str>) -> bool {
    match essence {
        Some(
            "text/html" | "application/xhtml+xml" | "application/vnd.wap.xhtml+xml" | "text/xhtml",
        ) => !looks_binary(body, http_charset),
        None
        | Some(
            ""
            | "application/octet-stream"
            | "application/unknown"
            | "unknown/unknown"
            | "*/*"
            | "binary/octet-stream",
        ) => sniff_html(body),
        Some(_) => false,
    }
}

/// WHATWG MIME sniffing's HTML patterns, plus an XML declaration followed by `<html`.
pub(crate) fn sniff_html(body: &[u8]) -> bool {
    const PATTERNS: &[&[u8]] = &[
        b"<!doctype html",
        b"<html",
        b"<head",
        b"<script",
        b"<iframe",
        b"<h1",
        b"<div",
        b"<font",
        b"<table",
        b"<a",
        b"<style",
        b"<title",
        b"<b",
        b"<body",
        b"<br",
        b"<p",
        b"<!--",
        b"<meta",
        b"<link",
    ];
    let body = strip_bom(body);
    let start = body
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c'))
        .unwrap_or(body.len());
    let body = &body[start..];
    let matches_pattern = PATTERNS.iter().any(|p| {
        body.len() > p.len()
            && body[..p.len()].eq_ignore_ascii_case(p)
            && (matches!(body[p.len()], b' ' | b'>' | b'\t' | b'\n' | b'\r' | b'\x0c')
                || (*p == b"<!--" && body[p.len()] != 0))
    });
    matches_pattern
        || (body.starts_with(b"<?xml")
            && find_ci(&body[..body.len().min(1024)], b"<html").is_some())
}

fn strip_bom(body: &[u8]) -> &[u8] {
    match Encoding::for_bom(body) {
        Some((_, len)) => &body[len..],
        None => body,
    }
}

/// Binary data declared as HTML: a known file signature, or mostly control bytes.
pub(crate) fn looks_binary(body: &[u8], http_charset: Option<&str>) -> bool {
    const SIGNATURES: &[&[u8]] = &[
        b"\x89PNG\r\n\x1a\n",
        b"GIF87a",
        b"GIF89a",
        b"\xff\xd8\xff",
        b"%PDF-",
        b"PK\x03\x04",
        b"\x1f\x8b\x08",
        b"RIFF",
        b"\x00\x00\x01\x00",
        b"\x7fELF",
        b"\x00asm",
        b"OggS",
        b"ID3",
        b"fLaC",
        b"\x28\xb5\x2f\xfd",
        b"BZh91AY",
        b"\xfd7zXZ\x00",
        b"wOFF",
        b"wOF2",
    ];
    if SIGNATURES.iter().any(|s| body.starts_with(s)) {
        return true;
    }
    let utf16 = Encoding::for_bom(body).is_some_and(|(e, _)| e != UTF_8)
        || http_charset
            .and_then(|c| Encoding::for_label(c.as_bytes()))
            .is_some_and(|e| e == UTF_16LE || e == UTF_16BE);
    if utf16 {
        return false;
    }
    let head = &body[..body.len().min(1024)];
    let control = head
        .iter()
        .filter(|&&b| matches!(b, 0x00..=0x08 | 0x0b | 0x0e..=0x1a | 0x1c..=0x1f))
        .count();
    control * 10 > head.len().max(1)
}

/// Finds the encoding of an HTML body.
pub(crate) fn detect(
    body: &[u8],
    http_charset: Option<&str>,
    tld: Option<&[u8]>,
) -> (&'static Encoding, Source) {
    if let Some((enc, _)) = Encoding::for_bom(body) {
        return (enc, Source::Bom);
    }
    if let Some(enc) = http_charset.and_then(|c| Encoding::for_label(c.trim().as_bytes())) {
        return (enc, Source::Http);
    }
    if let Some(enc) = prescan_meta(&body[..body.len().min(PRESCAN_BYTES)]) {
        return (html_override(enc), Source::Meta);
    }
    if let Some(enc) = xml_declaration(body) {
        return (html_override(enc), Source::XmlDeclaration);
    }
    (guess(body, tld), Source::Detected)
}

/// The encoding of a non-HTML body: only what HTTP or a BOM says.
pub(crate) fn declared(body: &[u8], http_charset: Option<&str>) -> Option<&'static Encoding> {
    Encoding::for_bom(body)
        .map(|(enc, _)| enc)
        .or_else(|| http_charset.and_then(|c| Encoding::for_label(c.trim().as_bytes())))
}

/// Browsers never take UTF-16 or x-user-defined from inside the document.
fn html_override(enc: &'static Encoding) -> &'static Encoding {
    if enc == UTF_16LE || enc == UTF_16BE {
        UTF_8
    } else if enc == X_USER_DEFINED {
        WINDOWS_1252
    } else {
        enc
    }
}

fn guess(body: &[u8], tld: Option<&[u8]>) -> &'static Encoding {
    if std::str::from_utf8(body).is_ok() {
        return UTF_8;
    }
    let sample = &body[..body.len().min(DETECT_BYTES)];
    // ISO-2022-JP is 7-bit, so it would have passed as UTF-8 above: never guess it here.
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(sample, sample.len() == body.len());
    // A body with a few invalid bytes may still be mostly UTF-8: let the detector say so.
    detector.guess(tld, chardetng::Utf8Detection::Allow)
}

/// Decodes the body to UTF-8 (borrowing when it already is valid UTF-8), dropping a BOM.
pub(crate) fn decode<'a>(body: &'a [u8], enc: &'static Encoding) -> Cow<'a, str> {
    let (body, enc) = match Encoding::for_bom(body) {
        Some((bom_enc, len)) => (&body[len..], bom_enc),
        None => (body, enc),
    };
    enc.decode_without_bom_handling(body).0
}

/// The lower-case WHATWG name: `UTF-8` → `utf-8`.
pub(crate) fn name(enc: &'static Encoding) -> String {
    enc.name().to_ascii_lowercase()
}

/// The encoding declared by a `<meta>` among the given bytes (a simplified WHATWG prescan:
/// comments are skipped, each `<meta` tag's attributes are read, the first usable declaration
/// wins).
pub(crate) fn prescan_meta(head: &[u8]) -> Option<&'static Encoding> {
    let mut pos = 0;
    while let Some(lt) = memchr(b'<', &head[pos..]) {
        pos += lt;
        let rest = &head[pos..];
        if rest.starts_with(b"<!--") {
            pos += find_ci(rest, b"-->").map_or(rest.len(), |e| e + 3);
            continue;
        }
        if rest.len() > 5 && rest[..5].eq_ignore_ascii_case(b"<meta") && is_tag_end(rest[5]) {
            let end = memchr(b'>', rest).map_or(rest.len(), |e| e + 1);
            let tag = String::from_utf8_lossy(&rest[..end]);
            if let Some(enc) = meta_charset(&tag) {
                return Some(enc);
            }
            pos += end;
            continue;
        }
        pos += 1;
    }
    None
}

fn is_tag_end(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/')
}

/// The charset a `<meta>` tag declares, if any (raw tag text).
pub(crate) fn meta_charset(tag: &str) -> Option<&'static Encoding> {
    let mut charset = None;
    let mut http_equiv_content_type = false;
    let mut content = None;
    for attr in crate::attrs::Attrs::new(tag) {
        if attr.is("charset") {
            charset = charset.or(Some(attr.value));
        } else if attr.is("http-equiv") {
            http_equiv_content_type = attr.value.trim().eq_ignore_ascii_case("content-type");
        } else if attr.is("content") {
            content = content.or(Some(attr.value));
        }
    }
    if let Some(label) = charset {
        return Encoding::for_label(label.trim().as_bytes());
    }
    if http_equiv_content_type {
        let content = content?;
        let lower = content.to_ascii_lowercase();
        let at = lower.find("charset")? + "charset".len();
        let value = content[at..].trim_start().strip_prefix('=')?.trim_start();
        let value = value.trim_start_matches(['"', '\'']);
        let end = value
            .find(|c: char| c == ';' || c == '"' || c == '\'' || c.is_whitespace())
            .unwrap_or(value.len());
        return Encoding::for_label(&value.as_bytes()[..end]);
    }
    None
}

/// `<?xml version="1.0" encoding="ISO-8859-1"?>` at the very start.
fn xml_declaration(body: &[u8]) -> Option<&'static Encoding> {
    let head = &body[..body.len().min(256)];
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = find_ci(head, b"?>")?;
    let decl = &head[..end];
    let at = find_ci(decl, b"encoding")? + b"encoding".len();
    let rest = &decl[at..];
    let quote_at = rest.iter().position(|&b| b == b'"' || b == b'\'')?;
    let quote = rest[quote_at];
    let value = &rest[quote_at + 1..];
    let close = value.iter().position(|&b| b == quote)?;
    Encoding::for_label(&value[..close])
}

fn memchr(needle: u8, haystack: &[u8]) -> Option<usize> {
    haystack.iter().position(|&b| b == needle)
}

/// ASCII case-insensitive substring search.
pub(crate) fn find_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack
        .windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_content_type_headers() {
        assert_eq!(mime_essence("Text/HTML; charset=ISO-8859-1"), "text/html");
        assert_eq!(
            charset_param("text/html; Charset=\"ISO-8859-1\""),
            Some("ISO-8859-1")
        );
        assert_eq!(charset_param("text/html"), None);
    }

    #[test]
    fn html_by_type_or_sniffing() {
        assert!(is_html(Some("text/html"), b"<p>x", None));
        assert!(is_html(
            Some("application/xhtml+xml"),
            b"<?xml version='1.0'?><html>",
            None
        ));
        assert!(!is_html(Some("image/png"), b"<html>", None));
        assert!(!is_html(Some("text/plain"), b"<html>", None));
        assert!(is_html(None, b"\xef\xbb\xbf  <!DOCTYPE html><html>", None));
        assert!(is_html(
            Some("application/octet-stream"),
            b"\n<HTML>\n",
            None
        ));
        assert!(!is_html(None, b"%PDF-1.4", None));
        assert!(!is_html(None, b"<htmlx", None));
    }

    #[test]
    fn binary_masquerading_as_html_is_not_html() {
        assert!(!is_html(
            Some("text/html"),
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            None
        ));
        let junk: Vec<u8> = (0..2000u32).map(|i| (i * 7 % 256) as u8).collect();
        assert!(!is_html(Some("text/html"), &junk, None));
        let utf16: Vec<u8> = "<html>hi</html>"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect();
        assert!(is_html(Some("text/html"), &utf16, Some("utf-16le")));
    }

    #[test]
    fn bom_then_http_then_meta_then_detection() {
        let (e, s) = detect(
            b"\xef\xbb\xbf<meta charset=latin1>",
            Some("shift_jis"),
            None,
        );
        assert_eq!((e, s), (UTF_8, Source::Bom));
        let (e, s) = detect(b"<meta charset=latin1>", Some("shift_jis"), None);
        assert_eq!((name(e), s), ("shift_jis".to_string(), Source::Http));
        let (e, s) = detect(
            b"<!-- <meta charset=koi8-r> --><meta charset=latin1>",
            None,
            None,
        );
        assert_eq!((name(e), s), ("windows-1252".to_string(), Source::Meta));
        let (e, _) = detect(
            b"<META HTTP-EQUIV=\"Content-Type\" CONTENT=\"text/html; charset=windows-1251\">",
            None,
            None,
        );
        assert_eq!(name(e), "windows-1251");
        let (e, _) = detect(b"<meta charset=\"utf-16\">", None, None);
        assert_eq!(e, UTF_8);
        let (e, s) = detect(
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-2\"?><html>",
            None,
            None,
        );
        assert_eq!(
            (name(e), s),
            ("iso-8859-2".to_string(), Source::XmlDeclaration)
        );
    }

    #[test]
    fn undeclared_windows_1252_is_detected() {
        let text = "<html><body><p>Caf\u{e9} cr\u{e8}me br\u{fb}l\u{e9}e \u{e0} la fran\u{e7}aise, \
                    na\u{ef}ve fa\u{e7}ade, d\u{e9}j\u{e0} vu, \u{ab}guillemets\u{bb} \u{2013} \u{2019}</p>";
        let (bytes, _, _) = WINDOWS_1252.encode(text);
        let (e, s) = detect(&bytes, None, Some(b"fr"));
        assert_eq!((name(e), s), ("windows-1252".to_string(), Source::Detected));
        assert_eq!(decode(&bytes, e), text);
        let (e, _) = detect("<p>\u{e9}t\u{e9}</p>".as_bytes(), None, None);
        assert_eq!(e, UTF_8);
        let (e, _) = detect(b"<p>plain ascii</p>", None, None);
        assert_eq!(e, UTF_8);
    }
}
