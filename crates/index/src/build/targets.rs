//! What the index knows about linked-to URLs: their latest status and redirect chain, from
//! the fetches of those URLs (crawls, archives, target checks).
//!
//! A target is *broken* when its latest answer, or the end of its redirect chain, is a 4xx or
//! 5xx status. Chains are followed for at most [`MAX_HOPS`] hops; a loop ends the chain.
//!
//! A redirect chain *broke* where a URL of it (the target itself included) used to redirect
//! and no longer redirects where it did ([`BrokenRedirect`]): the first such URL along the
//! current chain is `broken_redirect_source`, and the reason is what its latest fetch shows.

use super::drops::DropReason;
use super::history::{LinkHistory, PageHistory};
use anchorage_core::record::FetchError;
use anchorage_core::time::Micros;
use std::collections::HashMap;

pub const MAX_HOPS: usize = 10;

#[derive(Debug, Clone, Default)]
pub struct TargetStatus {
    pub http_code: u16,
    pub last_visited: Micros,
    pub is_html: bool,
    /// URLs the target redirects through, in order (not including the target itself).
    pub chain: Vec<String>,
    /// The 3xx codes along the chain.
    pub chain_codes: Vec<i64>,
    /// Status at the end of the chain (the target's own when it does not redirect).
    pub final_code: u16,
    pub title: Option<String>,
    pub languages: Vec<String>,
    pub powered_by: Vec<String>,
    /// The URL used to redirect and that redirect is gone.
    pub redirect_lost: bool,
    /// Where and why the redirect chain from the URL broke, if it did.
    pub broken_redirect: Option<BrokenRedirect>,
}

/// A URL of a redirect chain that no longer redirects where it used to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokenRedirect {
    /// The URL whose redirect changed.
    pub source: String,
    /// Its latest fetch, as Ahrefs names it: `targetchanged` (redirects elsewhere since that
    /// fetch: `new_target`), `codechanged` (answers a non-3xx status), `invalidtarget` (3xx
    /// without a usable `Location`), `nxdomain`, `robotsdisallowed`, `curlerror` (no answer:
    /// connection, TLS, timeout, size or redirect caps, a blocked port or a private address),
    /// `droppedtooold` / `dropped` (the index dropped the redirect: lost beyond the retention
    /// window / a duplicate page).
    pub reason: &'static str,
    pub new_target: Option<String>,
}

impl TargetStatus {
    pub fn is_broken(&self) -> bool {
        self.final_code >= 400
    }
}

struct Hop<'a> {
    code: u16,
    at: Micros,
    is_html: bool,
    location: Option<&'a str>,
    page: &'a PageHistory<'a>,
}

/// Status of every fetched URL, keyed by normalised URL.
pub fn resolve(histories: &[PageHistory<'_>]) -> HashMap<String, TargetStatus> {
    let hops: HashMap<&str, Hop<'_>> = histories
        .iter()
        .map(|h| {
            let location = h.location();
            (
                h.url,
                Hop {
                    code: h.latest.http_code,
                    at: h.latest.fetched_at,
                    is_html: h.latest.is_html,
                    location,
                    page: h,
                },
            )
        })
        .collect();
    hops.iter()
        .map(|(url, hop)| (url.to_string(), follow(url, hop, &hops)))
        .collect()
}

fn follow(url: &str, first: &Hop<'_>, hops: &HashMap<&str, Hop<'_>>) -> TargetStatus {
    let content = first.page.content;
    let mut status = TargetStatus {
        http_code: first.code,
        last_visited: first.at,
        is_html: first.is_html,
        final_code: first.code,
        title: content.title.clone(),
        languages: first.page.languages().map(String::from).collect(),
        powered_by: content.powered_by.clone(),
        redirect_lost: first.page.lost_redirects().next().is_some(),
        chain: Vec::new(),
        chain_codes: Vec::new(),
        broken_redirect: broken_at(first),
    };
    let mut hop = first;
    let mut seen = vec![url];
    while (300..400).contains(&hop.code) {
        let Some(next) = hop.location else { break };
        if seen.contains(&next) || status.chain.len() >= MAX_HOPS {
            break;
        }
        status.chain_codes.push(i64::from(hop.code));
        status.chain.push(next.to_string());
        seen.push(next);
        match hops.get(next) {
            Some(h) => {
                status.final_code = h.code;
                status.broken_redirect = status.broken_redirect.or_else(|| broken_at(h));
                hop = h;
            }
            None => break,
        }
    }
    status
}

/// The break at one URL of a chain: it had a redirect that is no longer live.
fn broken_at(hop: &Hop<'_>) -> Option<BrokenRedirect> {
    let lost = hop
        .page
        .lost_redirects()
        .max_by_key(|l| l.lost_at.unwrap_or(l.last_live))?;
    let (reason, new_target) = match (hop.location, (300..400).contains(&hop.code)) {
        // A redirect that moved is news in the fetch that saw it move; after that the new
        // chain is simply the chain, whatever became of the old redirect's record.
        (Some(to), true) if lost.lost_at == Some(hop.at) => ("targetchanged", Some(to)),
        (Some(_), true) => return None,
        // A URL that stopped redirecting stays broken while it does not.
        _ => (break_reason(hop, lost), None),
    };
    Some(BrokenRedirect {
        source: hop.page.url.to_string(),
        reason,
        new_target: new_target.map(str::to_string),
    })
}

/// Why a URL that no longer redirects broke its chain, from its latest fetch.
fn break_reason(hop: &Hop<'_>, lost: &LinkHistory<'_>) -> &'static str {
    match (hop.page.latest.fetch_error, lost.drop_reason) {
        (Some(FetchError::Nxdomain), _) => "nxdomain",
        (Some(FetchError::Disallowed), _) => "robotsdisallowed",
        (Some(_), _) => "curlerror",
        (None, Some(DropReason::TooOld)) => "droppedtooold",
        (None, Some(_)) => "dropped",
        (None, None) if (300..400).contains(&hop.code) => "invalidtarget",
        (None, None) => "codechanged",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::history::replay;
    use anchorage_core::record::{LinkElement, LinkRecord, PageRecord};

    enum Answer {
        Redirect(u16, &'static str),
        Status(u16),
        Error(FetchError),
    }
    use Answer::*;

    type Fetch = (&'static str, Micros, Answer);

    fn statuses(fetches: &[Fetch]) -> HashMap<String, TargetStatus> {
        let mut pages = Vec::new();
        let mut links: HashMap<u64, Vec<LinkRecord>> = HashMap::new();
        for (id, (url, at, answer)) in fetches.iter().enumerate() {
            let id = id as u64;
            let (http_code, fetch_error) = match answer {
                Redirect(code, _) | Status(code) => (*code, None),
                Error(e) => (0, Some(*e)),
            };
            pages.push(PageRecord {
                fetch_id: id,
                url: url.to_string(),
                fetched_at: *at,
                http_code,
                fetch_error,
                ..Default::default()
            });
            if let Redirect(_, to) = answer {
                let link = LinkRecord::new(id, 0, to.to_string(), LinkElement::HttpRedirect);
                links.entry(id).or_default().push(link);
            }
        }
        let links_of = |id: u64| links.get(&id).map_or(&[][..], Vec::as_slice);
        let histories: Vec<_> = ["a", "c", "f", "g", "i", "k", "m"]
            .iter()
            .map(|host| format!("http://{host}/"))
            .filter_map(|url| {
                let mine: Vec<&PageRecord> = pages.iter().filter(|p| p.url == url).collect();
                replay(&mine, &links_of)
            })
            .collect();
        resolve(&histories)
    }

    #[test]
    fn a_chain_breaks_where_a_redirect_changed() {
        let got = statuses(&[
            ("http://a/", 1, Redirect(301, "http://b/")),
            ("http://a/", 2, Status(404)),
            ("http://c/", 1, Redirect(301, "http://d/")),
            ("http://c/", 2, Redirect(301, "http://e/")),
            ("http://m/", 1, Redirect(301, "http://n/")),
            ("http://m/", 2, Redirect(301, "http://o/")),
            ("http://m/", 3, Redirect(301, "http://o/")),
            ("http://f/", 1, Redirect(301, "http://g/")),
            ("http://f/", 2, Redirect(301, "http://g/")),
            ("http://g/", 1, Redirect(301, "http://h/")),
            ("http://g/", 2, Error(FetchError::Nxdomain)),
            ("http://i/", 1, Redirect(302, "http://j/")),
            ("http://i/", 2, Redirect(302, "http://j/")),
            ("http://k/", 1, Redirect(301, "http://l/")),
            ("http://k/", 2, Error(FetchError::Timeout)),
        ]);
        let broken = |url: &str| got[url].broken_redirect.clone();
        let want = |source: &str, reason, new_target: Option<&str>| {
            Some(BrokenRedirect {
                source: source.into(),
                reason,
                new_target: new_target.map(String::from),
            })
        };
        assert_eq!(broken("http://a/"), want("http://a/", "codechanged", None));
        assert_eq!(broken("http://k/"), want("http://k/", "curlerror", None));
        assert_eq!(
            broken("http://c/"),
            want("http://c/", "targetchanged", Some("http://e/"))
        );
        // f still redirects to g; g, the next hop, broke.
        assert_eq!(broken("http://f/"), want("http://g/", "nxdomain", None));
        assert_eq!(broken("http://g/"), want("http://g/", "nxdomain", None));
        assert_eq!(broken("http://i/"), None);
        // m moved in its second fetch; by the third, o is simply where it leads.
        assert_eq!(broken("http://m/"), None);
    }
}
