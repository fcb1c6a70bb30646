//! Links the index stops keeping, and why (`drop_reason`). A dropped link stays in the tables
//! so that `history=all_time` can explain it, but it is not live: it counts nowhere.
//!
//! Rules (README, "Dropped links"):
//! - `tooold`: lost longer ago than the retention window (default 365 days) before the log's
//!   latest fetch.
//! - `disallowed`, `nxdomain`, `blockedport`: the latest attempt to fetch the referring page
//!   was refused by robots.txt, found no DNS record, or was on a port the crawler does not
//!   fetch (below 1024, other than 80 and 443).
//! - `duplicate`: the page's content is byte-identical to another URL's (same xxh3 of the body
//!   in their latest 2xx fetches). One URL of each such group keeps its links: the one the
//!   others name as canonical, else the shortest, then the first in byte order.

use super::history::PageHistory;
use anchorage_core::record::FetchError;
use anchorage_core::time::Micros;
use anchorage_core::urls::plain_of;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DropReason {
    TooOld,
    Disallowed,
    Nxdomain,
    BlockedPort,
    Duplicate,
}

impl DropReason {
    pub fn as_str(self) -> &'static str {
        match self {
            DropReason::TooOld => "tooold",
            DropReason::Disallowed => "disallowed",
            DropReason::Nxdomain => "nxdomain",
            DropReason::BlockedPort => "blockedport",
            DropReason::Duplicate => "duplicate",
        }
    }
}

pub const DAY: Micros = 86_400_000_000;

/// Marks dropped links (and makes them not live).
pub fn apply(histories: &mut [PageHistory<'_>], horizon: Micros, retention: Micros) {
    let duplicates = duplicate_pages(histories);
    for (i, page) in histories.iter_mut().enumerate() {
        let page_reason = page_drop(page).or(duplicates.get(&i).copied());
        for link in &mut page.links {
            let too_old = link
                .lost_at
                .is_some_and(|t| t < horizon.saturating_sub(retention));
            link.drop_reason = page_reason.or(too_old.then_some(DropReason::TooOld));
            if link.drop_reason.is_some() {
                link.live = false;
            }
        }
    }
}

fn page_drop(page: &PageHistory<'_>) -> Option<DropReason> {
    match page.latest.fetch_error {
        Some(FetchError::Disallowed) => return Some(DropReason::Disallowed),
        Some(FetchError::Nxdomain) => return Some(DropReason::Nxdomain),
        Some(FetchError::BlockedPort) => return Some(DropReason::BlockedPort),
        _ => {}
    }
    blocked_port(page.url).then_some(DropReason::BlockedPort)
}

fn blocked_port(url: &str) -> bool {
    let rest = plain_of(url);
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let port = authority
        .rsplit_once(':')
        .filter(|(host, _)| !host.ends_with(']') || authority.starts_with('['))
        .and_then(|(_, p)| p.parse::<u16>().ok());
    matches!(port, Some(p) if p < 1024 && p != 80 && p != 443)
}

/// History indexes of pages whose content duplicates a kept page's.
fn duplicate_pages(histories: &[PageHistory<'_>]) -> HashMap<usize, DropReason> {
    let mut groups: HashMap<u64, Vec<usize>> = HashMap::new();
    for (i, h) in histories.iter().enumerate() {
        let ok = (200..300).contains(&h.content.http_code) && h.content.is_html;
        if let (true, Some(hash)) = (ok, h.content.content_hash) {
            groups.entry(hash).or_default().push(i);
        }
    }
    let mut out = HashMap::new();
    for members in groups.into_values().filter(|m| m.len() > 1) {
        let keep = keeper(histories, &members);
        out.extend(
            members
                .into_iter()
                .filter(|&m| m != keep)
                .map(|m| (m, DropReason::Duplicate)),
        );
    }
    out
}

fn keeper(histories: &[PageHistory<'_>], members: &[usize]) -> usize {
    let named_canonical = members.iter().copied().find(|&m| {
        members
            .iter()
            .any(|&o| o != m && histories[o].content.canonical.as_deref() == Some(histories[m].url))
    });
    named_canonical.unwrap_or_else(|| {
        *members
            .iter()
            .min_by_key(|&&m| (histories[m].url.len(), histories[m].url))
            .unwrap_or(&members[0])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_below_1024_other_than_web_are_blocked() {
        assert!(blocked_port("http://a.com:25/x"));
        assert!(!blocked_port("http://a.com:8080/x"));
        assert!(!blocked_port("https://a.com/x"));
        assert!(!blocked_port("http://[::1]/x"));
        assert!(blocked_port("http://[::1]:21/x"));
    }
}
