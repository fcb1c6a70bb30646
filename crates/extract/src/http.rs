//! Facts carried by the HTTP response itself rather than the body.
//!
//! - A 3xx status with a `Location` header is one `HttpRedirect` link (`redirect_code` = the
//!   status), resolved against the response URL.
//! - Every `Link:` header value with `rel=canonical` (quoted or not, among other rel tokens) is
//!   a `Canonical` link. Other `Link:` relations are not links of the page.
//! - `X-Robots-Tag` headers set noindex/nofollow (see [`crate::meta`]).
//! - `Content-Language` declares languages.
//!
//! HTTP-level links come first in the page's link order.

use crate::links::RawLink;
use anchorage_core::record::{FetchRecord, LinkElement};

/// The redirect and `Link:` canonical links of a response.
pub(crate) fn links(fetch: &FetchRecord) -> Vec<RawLink> {
    let mut out = Vec::new();
    if (300..400).contains(&fetch.status)
        && let Some(location) = fetch.header("location")
    {
        let location = location.trim();
        if !location.is_empty() {
            let mut link = RawLink::new(LinkElement::HttpRedirect, location.to_string());
            link.redirect_code = Some(fetch.status);
            link.http_level = true;
            out.push(link);
        }
    }
    for (name, value) in &fetch.headers {
        if name.trim().eq_ignore_ascii_case("link") {
            for uri in canonical_links(value) {
                let mut link = RawLink::new(LinkElement::Canonical, uri.to_string());
                link.http_level = true;
                out.push(link);
            }
        }
    }
    out
}

/// The URIs of a `Link` header value whose `rel` includes `canonical`.
pub(crate) fn canonical_links(value: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('>') else { break };
        let uri = after[..close].trim();
        let tail = &after[close + 1..];
        let params_end = tail.find('<').unwrap_or(tail.len());
        if is_canonical(&tail[..params_end]) && !uri.is_empty() {
            out.push(uri);
        }
        rest = &tail[params_end..];
    }
    out
}

fn is_canonical(params: &str) -> bool {
    params.split([';', ',']).any(|param| {
        let Some((key, value)) = param.split_once('=') else {
            return false;
        };
        key.trim().eq_ignore_ascii_case("rel")
            && value
                .trim()
                .trim_matches('"')
                .split_ascii_whitespace()
                .any(|t| t.eq_ignore_ascii_case("canonical"))
    })
}

/// Applies every `X-Robots-Tag` header.
pub(crate) fn robots(fetch: &FetchRecord, noindex: &mut bool, nofollow: &mut bool) {
    for (name, value) in &fetch.headers {
        if name.trim().eq_ignore_ascii_case("x-robots-tag") {
            crate::meta::robots(value, noindex, nofollow);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fetch(status: u16, headers: &[(&str, &str)]) -> FetchRecord {
        FetchRecord {
            url: "http://a.com/x".into(),
            status,
            headers: headers
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            ..FetchRecord::default()
        }
    }

    #[test]
    fn redirects_and_canonical_headers() {
        let f = fetch(
            301,
            &[
                ("Location", " /y "),
                (
                    "Link",
                    r#"<https://a.com/c>; rel="canonical", <https://a.com/de>; rel=alternate; hreflang=de"#,
                ),
                ("link", "<https://a.com/d>; rel=\"preload canonical\""),
            ],
        );
        let l = links(&f);
        let got: Vec<_> = l
            .iter()
            .map(|l| (l.element, l.href.as_str(), l.redirect_code))
            .collect();
        assert_eq!(
            got,
            [
                (LinkElement::HttpRedirect, "/y", Some(301)),
                (LinkElement::Canonical, "https://a.com/c", None),
                (LinkElement::Canonical, "https://a.com/d", None),
            ]
        );
        assert!(links(&fetch(200, &[("Location", "/y")])).is_empty());
        assert!(links(&fetch(302, &[])).is_empty());
    }

    #[test]
    fn x_robots_tag() {
        let f = fetch(
            200,
            &[
                ("X-Robots-Tag", "noindex"),
                ("x-robots-tag", "otherbot: nofollow"),
            ],
        );
        let (mut ni, mut nf) = (false, false);
        robots(&f, &mut ni, &mut nf);
        assert!(ni && !nf);
    }
}
