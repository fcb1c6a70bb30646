//! Link identity and history: replays each page's fetches in time order.
//!
//! A link is identified by (source URL, target URL, link type, occurrence): the k-th link of
//! one type to one target on a page is the same link in every fetch of that page. Replaying
//! the fetches tells when each link was first seen, whether it is live in the latest fetch and,
//! when not, when and why it was lost. The rules (also in the README, "Link history"):
//!
//! - A link is *live* in a fetch when it is in the page and the page is usable: a 2xx answer,
//!   no `noindex`, and no canonical that moved away. A page that names another URL as its
//!   canonical from its first fetch on (a mirror, `kyleclo.com` → `kyleclo.github.io`) still
//!   carries live links; one that was its own canonical and then points elsewhere has
//!   *become* non-canonical and its links are lost. The link naming where the page went
//!   stays live: a redirect's `Location` while the page redirects, the canonical of a page
//!   that became non-canonical.
//! - `lost_reason` is what the first fetch in which a live link stopped being live showed:
//!   `pageredirected` (3xx), `notfound` (404, 410), `pageerror` (any other non-2xx, or no
//!   answer), `noindex`, `notcanonical`, else `removedfromhtml`.
//! - `discovered_status`: `pagefound` when the link was in the page's first fetch,
//!   `linkfound` when added to a known page, `linkrestored` when it came back after being lost.
//! - A `revisit` fetch (content unchanged) repeats the links of the page's previous content.
//! - Links never live (e.g. found on a 404 page) are not kept.

use anchorage_core::record::{LinkElement, LinkRecord, PageRecord};
use anchorage_core::time::Micros;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LostReason {
    RemovedFromHtml,
    NotCanonical,
    Noindex,
    PageRedirected,
    PageError,
    LostRedirect,
    NotFound,
}

impl LostReason {
    pub fn as_str(self) -> &'static str {
        match self {
            LostReason::RemovedFromHtml => "removedfromhtml",
            LostReason::NotCanonical => "notcanonical",
            LostReason::Noindex => "noindex",
            LostReason::PageRedirected => "pageredirected",
            LostReason::PageError => "pageerror",
            LostReason::LostRedirect => "lostredirect",
            LostReason::NotFound => "notfound",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Discovered {
    PageFound,
    LinkFound,
    LinkRestored,
}

impl Discovered {
    pub fn as_str(self) -> &'static str {
        match self {
            Discovered::PageFound => "pagefound",
            Discovered::LinkFound => "linkfound",
            Discovered::LinkRestored => "linkrestored",
        }
    }
}

/// One page (URL) across all its fetches.
#[derive(Debug)]
pub struct PageHistory<'a> {
    pub url: &'a str,
    /// The latest fetch.
    pub latest: &'a PageRecord,
    /// The latest fetch that carried content (not a revisit), for the page's facts.
    pub content: &'a PageRecord,
    /// `content` is such a fetch (else every fetch was a revisit, and it is `latest`).
    pub had_content: bool,
    /// A usable fetch of the page was its own canonical: links lost when it names another.
    pub was_canonical: bool,
    pub first_seen: Micros,
    pub last_visited: Micros,
    /// The fetch before the latest, if any.
    pub prev_visited: Option<Micros>,
    pub links: Vec<LinkHistory<'a>>,
    /// The language of the page's site when the page names none ([`super::site_language`]).
    pub site_language: Option<&'a str>,
}

impl PageHistory<'_> {
    /// Where the page redirects now: the `Location` of its latest answer, if a 3xx.
    pub fn location(&self) -> Option<&str> {
        self.links
            .iter()
            .find(|l| l.live && l.link.element == LinkElement::HttpRedirect)
            .map(|l| l.link.url_to.as_str())
    }

    /// The page's languages: its own, else its site's.
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        let site = self
            .site_language
            .filter(|_| self.content.languages.is_empty());
        self.content
            .languages
            .iter()
            .map(String::as_str)
            .chain(site)
    }

    /// The page's redirects that are no longer live, if it ever redirected.
    pub fn lost_redirects(&self) -> impl Iterator<Item = &LinkHistory<'_>> {
        self.links
            .iter()
            .filter(|l| !l.live && l.link.element == LinkElement::HttpRedirect)
    }

    /// The other URL the page names as its canonical now, if it answers 2xx and names one:
    /// links to the page are that URL's indirect backlinks.
    pub fn canonical_elsewhere(&self) -> Option<&str> {
        let answers = (200..300).contains(&self.latest.http_code);
        let canonical = self.content.canonical.as_deref()?;
        (answers && !is_own_canonical(self.content)).then_some(canonical)
    }
}

/// One link across the fetches of its page.
#[derive(Debug, Clone)]
pub struct LinkHistory<'a> {
    /// The link as last seen (its latest attributes).
    pub link: &'a LinkRecord,
    /// The fetch the link was last seen in (page-level nofollow, ip, …).
    pub seen_in: &'a PageRecord,
    pub first_seen_link: Micros,
    /// The start of the link's current live period: `first_seen_link`, or when it was restored.
    pub live_since: Micros,
    /// The last fetch in which the link was live.
    pub last_live: Micros,
    /// The live fetch before `last_live` (DataForSEO's `prev_seen`).
    pub prev_live: Option<Micros>,
    pub live: bool,
    /// When the link was found lost (Ahrefs' `last_seen`).
    pub lost_at: Option<Micros>,
    pub lost_reason: Option<LostReason>,
    pub discovered: Discovered,
    /// Set after the replay when the index stops keeping the link ([`super::drops`]).
    pub drop_reason: Option<super::drops::DropReason>,
    /// Links of the same type from this page to the same URL in the same state (live, or
    /// lost) as this one, itself included: DataForSEO's `links_count`.
    pub copies: u32,
    /// The k-th link of its type to its URL in the fetch it was last seen in, from 0.
    pub occurrence: u32,
    /// It was lost at some point (so being live again is a restoration).
    pub ever_lost: bool,
}

impl<'a> LinkHistory<'a> {
    fn identity(&self) -> Identity<'a> {
        let link: &'a LinkRecord = self.link;
        (
            link.url_to.as_str(),
            link.element.link_type(),
            self.occurrence,
        )
    }
}

/// Why a fetch makes its links unusable, if it does: its status, and the robots and canonical
/// facts of its content (`facts`: the fetch itself, or for a revisit the content it repeats).
/// `was_canonical`: an earlier usable fetch of the page was its own canonical.
fn page_problem(status: u16, facts: &PageRecord, was_canonical: bool) -> Option<LostReason> {
    match status {
        200..=299 => {}
        300..=399 => return Some(LostReason::PageRedirected),
        404 | 410 => return Some(LostReason::NotFound),
        _ => return Some(LostReason::PageError),
    }
    if facts.noindex {
        return Some(LostReason::Noindex);
    }
    if was_canonical && !is_own_canonical(facts) {
        return Some(LostReason::NotCanonical);
    }
    None
}

fn is_own_canonical(page: &PageRecord) -> bool {
    page.canonical
        .as_deref()
        .is_none_or(|c| same_page(c, &page.url))
}

/// The link that says where a page went stays live while the page points there: the
/// `Location` of a redirecting page, the canonical of a page that became non-canonical.
fn names_the_replacement(element: LinkElement, problem: Option<LostReason>) -> bool {
    matches!(
        (element, problem),
        (LinkElement::HttpRedirect, Some(LostReason::PageRedirected))
            | (LinkElement::Canonical, Some(LostReason::NotCanonical))
    )
}

/// Canonical and page URL name the same page, whatever the scheme.
fn same_page(a: &str, b: &str) -> bool {
    let strip = |s: &str| {
        s.split_once("://")
            .map(|(_, r)| r.to_string())
            .unwrap_or(s.to_string())
    };
    strip(a) == strip(b)
}

type Identity<'a> = (&'a str, &'static str, u32);

/// Replays the fetches of one URL (`fetches` sorted by time) into its page and link history.
pub fn replay<'a>(
    fetches: &[&'a PageRecord],
    links_of: &dyn Fn(u64) -> &'a [LinkRecord],
) -> Option<PageHistory<'a>> {
    let mut replay = Replay::default();
    for &fetch in fetches {
        replay.apply(fetch, links_of);
    }
    replay.finish()
}

/// A page's replay, one fetch at a time: it can stop after any fetch and resume from where
/// it stopped ([`Replay::resume`]), which is what an incremental build does.
#[derive(Default)]
pub struct Replay<'a> {
    first_seen: Micros,
    latest: Option<&'a PageRecord>,
    prev_visited: Option<Micros>,
    /// The latest fetch that carried content (not a revisit).
    content: Option<&'a PageRecord>,
    /// An earlier usable fetch of the page was its own canonical.
    was_canonical: bool,
    known: HashMap<Identity<'a>, LinkHistory<'a>>,
    /// Identities in the order they were first seen.
    order: Vec<Identity<'a>>,
}

impl<'a> Replay<'a> {
    /// Where `history`'s replay stopped, its links as they were before any drop
    /// ([`super::drops`] comes later). `was_canonical` is [`PageHistory::was_canonical`].
    pub fn resume(history: PageHistory<'a>) -> Replay<'a> {
        let mut known = HashMap::with_capacity(history.links.len());
        let mut order = Vec::with_capacity(history.links.len());
        for link in history.links {
            let id = link.identity();
            order.push(id);
            known.insert(id, link);
        }
        Replay {
            first_seen: history.first_seen,
            latest: Some(history.latest),
            prev_visited: history.prev_visited,
            content: history.had_content.then_some(history.content),
            was_canonical: history.was_canonical,
            known,
            order,
        }
    }

    /// The page's URL, once a fetch is replayed.
    pub fn url(&self) -> Option<&'a str> {
        self.latest.map(|l| l.url.as_str())
    }

    /// The time of the latest fetch replayed.
    pub fn last_visited(&self) -> Option<Micros> {
        self.latest.map(|l| l.fetched_at)
    }

    /// Replays the next fetch (later than every fetch replayed so far).
    pub fn apply(&mut self, fetch: &'a PageRecord, links_of: &dyn Fn(u64) -> &'a [LinkRecord]) {
        let first_fetch = self.latest.is_none();
        match self.latest {
            Some(previous) => self.prev_visited = Some(previous.fetched_at),
            None => self.first_seen = fetch.fetched_at,
        }
        self.latest = Some(fetch);
        let facts: &'a PageRecord = if fetch.unchanged {
            match self.content {
                Some(c) => c,
                // A revisit of content we never saw tells nothing about links.
                None => return,
            }
        } else {
            self.content = Some(fetch);
            fetch
        };
        let links = links_of(facts.fetch_id);
        let problem = page_problem(fetch.http_code, facts, self.was_canonical);
        if problem.is_none() && is_own_canonical(facts) {
            self.was_canonical = true;
        }
        let mut seen_now: HashMap<Identity<'a>, ()> = HashMap::with_capacity(links.len());
        let mut occurrences: HashMap<(&'a str, &'static str), u32> = HashMap::new();
        for link in links {
            let kind = link.element.link_type();
            let k = occurrences.entry((link.url_to.as_str(), kind)).or_insert(0);
            let id = (link.url_to.as_str(), kind, *k);
            *k += 1;
            seen_now.insert(id, ());
            let live = problem.is_none() || names_the_replacement(link.element, problem);
            observe(
                &mut self.known,
                &mut self.order,
                id,
                link,
                fetch,
                live,
                problem,
                first_fetch,
            );
        }
        for (id, hist) in self.known.iter_mut() {
            if !seen_now.contains_key(id) && hist.live {
                mark_lost(
                    hist,
                    fetch.fetched_at,
                    problem.unwrap_or(LostReason::RemovedFromHtml),
                );
            }
        }
    }

    /// The page's history, if any fetch was replayed.
    pub fn finish(mut self) -> Option<PageHistory<'a>> {
        let latest = self.latest?;
        let mut links: Vec<LinkHistory<'a>> = self
            .order
            .into_iter()
            .filter_map(|id| self.known.remove(&id))
            .collect();
        count_copies(&mut links);
        Some(PageHistory {
            url: &latest.url,
            latest,
            content: self.content.unwrap_or(latest),
            had_content: self.content.is_some(),
            was_canonical: self.was_canonical,
            first_seen: self.first_seen,
            last_visited: latest.fetched_at,
            prev_visited: self.prev_visited,
            links,
            site_language: None,
        })
    }
}

fn count_copies(links: &mut [LinkHistory<'_>]) {
    let mut counts: HashMap<CopyKey<'_>, u32> = HashMap::new();
    for h in links.iter() {
        *counts.entry(copy_key(h)).or_insert(0) += 1;
    }
    let counted: Vec<u32> = links.iter().map(|h| counts[&copy_key(h)]).collect();
    for (h, n) in links.iter_mut().zip(counted) {
        h.copies = n;
    }
}

type CopyKey<'a> = (&'a str, &'static str, bool);

fn copy_key<'a>(h: &LinkHistory<'a>) -> CopyKey<'a> {
    let link: &'a LinkRecord = h.link;
    (link.url_to.as_str(), link.element.link_type(), h.live)
}

#[allow(clippy::too_many_arguments)]
fn observe<'a>(
    known: &mut HashMap<Identity<'a>, LinkHistory<'a>>,
    order: &mut Vec<Identity<'a>>,
    id: Identity<'a>,
    link: &'a LinkRecord,
    fetch: &'a PageRecord,
    live: bool,
    problem: Option<LostReason>,
    first_fetch: bool,
) {
    let t = fetch.fetched_at;
    match known.get_mut(&id) {
        None => {
            if !live {
                return;
            }
            order.push(id);
            known.insert(
                id,
                LinkHistory {
                    link,
                    seen_in: fetch,
                    first_seen_link: t,
                    live_since: t,
                    last_live: t,
                    prev_live: None,
                    live: true,
                    lost_at: None,
                    lost_reason: None,
                    discovered: if first_fetch {
                        Discovered::PageFound
                    } else {
                        Discovered::LinkFound
                    },
                    drop_reason: None,
                    copies: 1,
                    occurrence: id.2,
                    ever_lost: false,
                },
            );
        }
        Some(hist) => {
            hist.link = link;
            hist.seen_in = fetch;
            if live {
                if hist.ever_lost && !hist.live {
                    hist.discovered = Discovered::LinkRestored;
                    hist.live_since = t;
                }
                hist.prev_live = Some(hist.last_live);
                hist.last_live = t;
                hist.live = true;
                hist.lost_at = None;
                hist.lost_reason = None;
            } else if hist.live {
                mark_lost(hist, t, problem.unwrap_or(LostReason::RemovedFromHtml));
            }
        }
    }
}

fn mark_lost(hist: &mut LinkHistory<'_>, at: Micros, reason: LostReason) {
    hist.live = false;
    hist.ever_lost = true;
    hist.lost_at = Some(at);
    hist.lost_reason = Some(reason);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(id: u64, t: Micros, code: u16) -> PageRecord {
        PageRecord {
            fetch_id: id,
            url: "http://a.com/p".into(),
            fetched_at: t,
            http_code: code,
            is_html: true,
            ..Default::default()
        }
    }

    fn link(id: u64, ord: u32, to: &str) -> LinkRecord {
        LinkRecord::new(id, ord, to.into(), LinkElement::Anchor)
    }

    fn run<'a>(pages: &'a [PageRecord], links: &'a [LinkRecord]) -> PageHistory<'a> {
        let fetches: Vec<&PageRecord> = pages.iter().collect();
        let by_fetch = |id: u64| -> &'a [LinkRecord] {
            let start = links
                .iter()
                .position(|l| l.fetch_id == id)
                .unwrap_or(links.len());
            let end = links[start..]
                .iter()
                .position(|l| l.fetch_id != id)
                .map_or(links.len(), |e| start + e);
            &links[start..end]
        };
        replay(&fetches, &by_fetch).unwrap()
    }

    /// Stopping after any fetch and resuming gives the history one replay gives.
    #[test]
    fn a_resumed_replay_equals_one_replay() {
        let mut gone = page(4, 40, 404);
        gone.noindex = true;
        let mut revisit = page(5, 50, 200);
        revisit.unchanged = true;
        let mut moved = page(6, 60, 200);
        moved.canonical = Some("http://a.com/other".into());
        let pages = [
            page(1, 10, 200),
            page(2, 20, 200),
            page(3, 30, 200),
            gone,
            revisit,
            moved,
            page(7, 70, 200),
        ];
        let links = [
            link(1, 0, "http://x.com/"),
            link(1, 1, "http://y.com/"),
            link(1, 2, "http://y.com/"),
            link(2, 0, "http://y.com/"),
            link(2, 1, "http://z.com/"),
            link(3, 0, "http://x.com/"),
            link(3, 1, "http://y.com/"),
            link(6, 0, "http://x.com/"),
            link(7, 0, "http://z.com/"),
            link(7, 1, "http://y.com/"),
        ];
        let whole = format!("{:?}", run(&pages, &links));
        let links_of = |id: u64| -> &[LinkRecord] {
            let start = links.partition_point(|l| l.fetch_id < id);
            let end = links.partition_point(|l| l.fetch_id <= id);
            &links[start..end]
        };
        for stop in 1..pages.len() {
            let mut first = Replay::default();
            for fetch in &pages[..stop] {
                first.apply(fetch, &links_of);
            }
            let mut resumed = Replay::resume(first.finish().unwrap());
            for fetch in &pages[stop..] {
                resumed.apply(fetch, &links_of);
            }
            let resumed = format!("{:?}", resumed.finish().unwrap());
            assert_eq!(resumed, whole, "stopped after {stop} fetches");
        }
    }

    #[test]
    fn removed_added_and_restored_links() {
        let pages = [page(1, 10, 200), page(2, 20, 200), page(3, 30, 200)];
        let links = [
            link(1, 0, "http://x.com/"),
            link(1, 1, "http://y.com/"),
            link(2, 0, "http://y.com/"),
            link(2, 1, "http://z.com/"),
            link(3, 0, "http://x.com/"),
            link(3, 1, "http://y.com/"),
        ];
        let h = run(&pages, &links);
        let by = |to: &str| h.links.iter().find(|l| l.link.url_to == to).unwrap();
        let x = by("http://x.com/");
        assert!(x.live);
        assert_eq!(x.discovered, Discovered::LinkRestored);
        assert_eq!(x.first_seen_link, 10);
        let y = by("http://y.com/");
        assert_eq!(
            (y.live, y.discovered, y.prev_live),
            (true, Discovered::PageFound, Some(20))
        );
        let z = by("http://z.com/");
        assert_eq!(
            (z.live, z.lost_at, z.lost_reason),
            (false, Some(30), Some(LostReason::RemovedFromHtml))
        );
        assert_eq!(z.discovered, Discovered::LinkFound);
    }

    #[test]
    fn page_problems_become_lost_reasons() {
        for (code, noindex, canonical, reason) in [
            (404, false, None, LostReason::NotFound),
            (410, false, None, LostReason::NotFound),
            (503, false, None, LostReason::PageError),
            (301, false, None, LostReason::PageRedirected),
            (200, true, None, LostReason::Noindex),
            (
                200,
                false,
                Some("http://a.com/other"),
                LostReason::NotCanonical,
            ),
        ] {
            let mut second = page(2, 20, code);
            second.noindex = noindex;
            second.canonical = canonical.map(String::from);
            let pages = [page(1, 10, 200), second];
            let links = [link(1, 0, "http://x.com/"), link(2, 0, "http://x.com/")];
            let h = run(&pages, &links);
            assert_eq!(h.links[0].lost_reason, Some(reason), "code {code}");
            assert_eq!(h.links[0].lost_at, Some(20));
        }
    }

    #[test]
    fn a_page_canonical_elsewhere_from_the_start_keeps_its_links() {
        let mut mirror = page(1, 10, 200);
        mirror.canonical = Some("https://mirror.example/p".into());
        let pages = [mirror];
        let links = [link(1, 0, "http://x.com/")];
        assert!(run(&pages, &links).links[0].live);
    }

    #[test]
    fn revisits_repeat_the_previous_content_and_canonical_self_is_fine() {
        let mut first = page(1, 10, 200);
        first.canonical = Some("https://a.com/p".into());
        let mut again = page(2, 20, 200);
        again.unchanged = true;
        let pages = [first, again];
        let links = [link(1, 0, "http://x.com/")];
        let h = run(&pages, &links);
        assert!(h.links[0].live);
        assert_eq!(h.links[0].last_live, 20);
        assert_eq!(h.last_visited, 20);
    }

    #[test]
    fn redirect_links_live_on_3xx_and_duplicates_are_distinct() {
        let mut r = page(1, 10, 301);
        r.is_html = false;
        let mut redirect = LinkRecord::new(1, 0, "http://b.com/".into(), LinkElement::HttpRedirect);
        redirect.redirect_code = Some(301);
        let pages = [r];
        let h = run(&pages, std::slice::from_ref(&redirect));
        assert!(h.links[0].live);
        let pages = [page(1, 10, 200)];
        let links = [link(1, 0, "http://x.com/"), link(1, 1, "http://x.com/")];
        assert_eq!(run(&pages, &links).links.len(), 2);
    }
}
