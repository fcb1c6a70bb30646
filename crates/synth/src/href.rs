//! Spelling a normalised target URL the way real pages write hrefs: root-relative, relative to
//! the document base (`../`, `./`), protocol-relative, with a mixed-case or Unicode host, with
//! lower-case percent escapes or raw Unicode in the path. Every spelling resolves back to the
//! same normalised URL (the tests resolve them with `NormalizedUrl::join`), which is what makes
//! the ground truth exact while the HTML stays varied.

/// The parts of a normalised absolute URL that spelling needs.
#[derive(Debug, Clone)]
pub(crate) struct Parts<'a> {
    pub scheme: &'a str,
    /// Host with port, if any.
    pub host: &'a str,
    /// Path and query, starting with `/`.
    pub path: &'a str,
}

/// Splits a normalised URL (`scheme://host/path?query`).
pub(crate) fn parts(url: &str) -> Parts<'_> {
    let (scheme, rest) = url.split_once("://").unwrap_or(("http", url));
    let slash = rest.find('/').unwrap_or(rest.len());
    let (host, path) = rest.split_at(slash);
    Parts {
        scheme,
        host,
        path: if path.is_empty() { "/" } else { path },
    }
}

/// The host of a normalised URL, without port.
pub(crate) fn host_of(url: &str) -> &str {
    let host = parts(url).host;
    host.split(':').next().unwrap_or(host)
}

/// How to write an href.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Style {
    Absolute,
    RootRelative,
    /// Relative to the base's directory (`name`, `./`, `../name`); root-relative when neither
    /// applies.
    Relative,
    ProtocolRelative,
    /// `https://QuietHarbor.com/…`.
    MixedCaseHost,
    /// Percent escapes in lower case.
    LowerEscapes,
    /// Percent-encoded UTF-8 in the path written as the characters themselves.
    RawUnicodePath,
}

/// The href for `target` (normalised) as seen from a document whose base URL is `base`
/// (normalised). `unicode_host` is the human spelling of an IDN host, used for `MixedCaseHost`.
pub(crate) fn spell(target: &str, base: &str, style: Style, unicode_host: Option<&str>) -> String {
    let t = parts(target);
    let b = parts(base);
    let same_origin = t.scheme == b.scheme && t.host == b.host;
    match style {
        Style::Absolute => target.to_string(),
        Style::RootRelative if same_origin => t.path.to_string(),
        Style::Relative if same_origin => relative(t.path, b.path),
        Style::ProtocolRelative if t.scheme == b.scheme => format!("//{}{}", t.host, t.path),
        Style::MixedCaseHost => match unicode_host {
            Some(u) => format!("{}://{u}{}", t.scheme, t.path),
            None if !t.host.contains("xn--") => {
                format!(
                    "{}://{}{}",
                    t.scheme.to_uppercase(),
                    capitalise_labels(t.host),
                    t.path
                )
            }
            None => target.to_string(),
        },
        Style::LowerEscapes => lower_escapes(target),
        Style::RawUnicodePath => decode_utf8_escapes(target),
        _ => target.to_string(),
    }
}

/// A relative reference from the directory of `base_path` to `path` (both absolute paths).
fn relative(path: &str, base_path: &str) -> String {
    let dir = &base_path[..base_path.rfind('/').map_or(0, |i| i + 1)];
    if let Some(rest) = path.strip_prefix(dir).filter(|_| !dir.is_empty()) {
        return dot_if_needed(rest);
    }
    let parent = dir.trim_end_matches('/');
    let parent = &parent[..parent.rfind('/').map_or(0, |i| i + 1)];
    match path.strip_prefix(parent).filter(|_| !parent.is_empty()) {
        Some(rest) => format!("../{rest}"),
        None => path.to_string(),
    }
}

/// A relative path that could be misread (empty, a query only, a colon in its first segment)
/// gets a leading `./`.
fn dot_if_needed(rest: &str) -> String {
    let first = rest.split('/').next().unwrap_or("");
    if rest.is_empty() || rest.starts_with('?') || first.contains(':') {
        format!("./{rest}")
    } else {
        rest.to_string()
    }
}

fn capitalise_labels(host: &str) -> String {
    host.split('.')
        .map(crate::words::capitalise)
        .collect::<Vec<_>>()
        .join(".")
}

fn lower_escapes(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut after_percent = 0;
    for c in url.chars() {
        if c == '%' {
            after_percent = 2;
            out.push(c);
        } else if after_percent > 0 {
            after_percent -= 1;
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Decodes runs of `%XX` escapes that form non-ASCII UTF-8; other escapes stay.
fn decode_utf8_escapes(url: &str) -> String {
    let bytes = url.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if let Some(b) = escaped_byte(bytes, i).filter(|b| *b >= 0x80) {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| url.to_string())
}

fn escaped_byte(bytes: &[u8], i: usize) -> Option<u8> {
    if bytes.get(i) != Some(&b'%') {
        return None;
    }
    let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
    u8::from_str_radix(hex, 16).ok()
}

/// Escapes a value for a double-quoted HTML attribute.
pub(crate) fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text content.
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text content with named or numeric references for every non-ASCII character and
/// the apostrophe, the way some editors save text.
pub(crate) fn text_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_ascii() => out.push(c),
            c => match named_entity(c) {
                Some(name) => {
                    out.push('&');
                    out.push_str(name);
                    out.push(';');
                }
                None => out.push_str(&format!("&#{};", u32::from(c))),
            },
        }
    }
    out
}

fn named_entity(c: char) -> Option<&'static str> {
    Some(match c {
        'é' => "eacute",
        'è' => "egrave",
        'à' => "agrave",
        'ü' => "uuml",
        'ö' => "ouml",
        'ä' => "auml",
        'ß' => "szlig",
        'ñ' => "ntilde",
        '’' => "rsquo",
        '—' => "mdash",
        '–' => "ndash",
        '“' => "ldquo",
        '”' => "rdquo",
        '«' => "laquo",
        '»' => "raquo",
        '©' => "copy",
        _ => return None,
    })
}

/// Attribute values that need no quotes in HTML (for old-style markup).
pub(crate) fn unquotable(s: &str) -> bool {
    !s.is_empty() && !s.contains(|c: char| c.is_ascii_whitespace() || "\"'=<>`&".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchorage_core::NormalizedUrl;

    fn resolve(base: &str, href: &str) -> String {
        let b = NormalizedUrl::parse(base).unwrap();
        NormalizedUrl::join(b.url(), href)
            .unwrap()
            .as_str()
            .to_string()
    }

    #[test]
    fn every_style_resolves_to_the_target() {
        let targets = [
            "https://www.quietharbor.com/",
            "https://www.quietharbor.com/2023/11/a-post/",
            "https://www.quietharbor.com/docs/x.html",
            "https://www.quietharbor.com/?p=123",
            "https://www.quietharbor.com/caf%C3%A9-%C3%A9t%C3%A9/",
            "https://other.org/a/b?x=1&y=2",
            "http://www.quietharbor.com/",
        ];
        let bases = [
            "https://www.quietharbor.com/",
            "https://www.quietharbor.com/2023/11/other-post/",
            "https://www.quietharbor.com/docs/y.html",
            "https://www.quietharbor.com/a/b/c",
        ];
        let styles = [
            Style::Absolute,
            Style::RootRelative,
            Style::Relative,
            Style::ProtocolRelative,
            Style::MixedCaseHost,
            Style::LowerEscapes,
            Style::RawUnicodePath,
        ];
        for t in targets {
            for b in bases {
                for s in styles {
                    let href = spell(t, b, s, None);
                    assert_eq!(resolve(b, &href), t, "{t} from {b} as {s:?}: {href}");
                }
            }
        }
    }

    #[test]
    fn spellings_look_like_real_hrefs() {
        let b = "https://www.q.com/2023/11/p/";
        assert_eq!(
            spell("https://www.q.com/2023/11/p/x", b, Style::Relative, None),
            "x"
        );
        assert_eq!(
            spell("https://www.q.com/2023/11/o/", b, Style::Relative, None),
            "../o/"
        );
        assert_eq!(
            spell("https://www.q.com/2023/11/p/", b, Style::Relative, None),
            "./"
        );
        assert_eq!(
            spell("https://www.q.com/", b, Style::ProtocolRelative, None),
            "//www.q.com/"
        );
        assert_eq!(
            spell("https://www.q.com/", b, Style::MixedCaseHost, None),
            "HTTPS://Www.Q.Com/"
        );
        assert_eq!(
            spell("https://q.com/caf%C3%A9", b, Style::RawUnicodePath, None),
            "https://q.com/café"
        );
        assert_eq!(
            spell("https://q.com/caf%C3%A9", b, Style::LowerEscapes, None),
            "https://q.com/caf%c3%a9"
        );
        let idn = spell(
            "https://xn--bcherecke-q9a.de/",
            b,
            Style::MixedCaseHost,
            Some("bücherecke.de"),
        );
        assert_eq!(idn, "https://bücherecke.de/");
        assert_eq!(resolve(b, &idn), "https://xn--bcherecke-q9a.de/");
    }

    #[test]
    fn escaping() {
        assert_eq!(attr("/a?b=1&c=\"2\""), "/a?b=1&amp;c=&quot;2&quot;");
        assert_eq!(
            text_entities("Café & Zoë’s"),
            "Caf&eacute; &amp; Zo&#235;&rsquo;s"
        );
        assert!(unquotable("/about/"));
        assert!(!unquotable("/a?b=c"));
    }
}
