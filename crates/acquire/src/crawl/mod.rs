//! The crawler: seeds in, [`CrawledPage`]s out to a [`CrawlSink`] — the same fetch records
//! archive ingestion produces (`source = crawl`), so everything downstream treats crawled and
//! archived pages alike. acquire does not extract links: the sink does and returns the URLs
//! found ([`Discovered`]); the index's sink (`anchorage_index::crawl`) appends pages and links
//! to the fetch log.
//!
//! ```text
//!  seeds ─► store (frontier, seen set) ─► engine: host queues, politeness ─► requests (tokio)
//!              ▲                                                               │
//!              └── recorder thread: WARC, sink (extract + log), journal ◄── outcomes
//! ```
//!
//! # Rules
//!
//! **Politeness.** robots.txt is fetched per origin before any other URL of it and obeyed
//! (module `robots`: RFC 9309 with texting_robots; cached in the store for `robots_ttl`, 24 h by
//! default); a disallowed URL is never requested, and a site whose robots.txt answers 429/5xx
//! or not at all is not crawled. Requests carry a user agent naming the robots token
//! `AnchorageBot` and a contact URL. One host has at most `per_host` requests in flight
//! (default 1) and waits `delay` (default 1 s), or its `Crawl-delay` when larger (capped at
//! 60 s), between them; all hosts together at most `concurrency` (default 64). A 429 or 503
//! answer, or a transient network error, backs the host off — the longer of `Retry-After`
//! and 10 s doubling with each failure in a row, at most 10 min — and the URL is retried up
//! to `max_retries` (2) times; the last answer is recorded (modules `frontier`, `task`).
//!
//! **Fetching.** HTTP/1.1 and HTTP/2 (ALPN), TLS with the system's roots plus `--ca-cert`,
//! gzip/deflate/br; timeouts and size caps (module `fetch`). Redirects are not followed inside a
//! request: every response, 3xx included, is a capture of its own — the sink records the
//! `Location` as a `redirect` link with its code, so chains can be rebuilt — and the target
//! is queued like any link, at the same depth, with the chain's hop count; beyond
//! `max_redirects` hops it is dropped (error `redirect_limit`), and a loop ends because a URL
//! is only fetched once. The server's address is kept in `ip`. Only HTML is parsed for links
//! (by the sink; feeds too); other types are recorded with their status.
//!
//! **Scope and frontier.** Seeds and what they reach: with `Scope::Seeds` URLs under a seed's
//! directory, `Hosts` (default) the seeds' hosts, `Domains` their root domains; plus the
//! allowed hosts and domains (module `scope`). A discovered URL is crawled when it is in scope,
//! its link is followable (anchors, images, frames, redirects, meta refreshes, canonicals,
//! alternates, feeds — not forms), neither the link nor the page is `nofollow` (unless
//! `follow_nofollow`) and it is within `max_depth`; otherwise it is target-checked when
//! `check_targets` is on, else only recorded as a link. URLs are canonicalised as the log
//! spells them ([`anchorage_core::NormalizedUrl`]) and fetched at most once per crawl. Priority:
//! depth first, then quality: the mean of the quality the sink gave the link (content links
//! before navigation; a nofollow link lowest of its kind) and the quality of the page it was
//! found on (seeds first; a redirect keeps its page's quality, sitemap URLs their own), then
//! discovery order. Sitemaps listed in robots.txt of hosts
//! in scope are read (`sitemaps`, on by default) and their pages queued at depth 2.
//!
//! **Durability.** The frontier, the seen set, robots.txt cache, backoffs and a journal of
//! fetched responses live in an embedded transactional store ([`store`], redb). A response
//! is journaled in the same transaction that marks its URL fetched and queues what it links
//! to; the sink's log commits carry a marker that lets a restarted crawl tell which journal
//! batches reached the log (module `recorder`). After `kill -9` a restart resumes: nothing
//! recorded is fetched again and nothing discovered is lost; only requests that were in
//! flight are sent again.
//!
//! **Recrawl** (module `schedule`): every fetched URL gets a next visit; a `recrawl` run queues the
//! URLs that are due (a week by default, sooner for pages that changed or have many links), so
//! the log sees a page's links disappear. **Target checks**: linked-to URLs that are not
//! crawled are checked with `HEAD` (falling back to `GET`), recording their status and
//! redirect chain — the input of broken-backlink reports.
//!
//! **JavaScript** (module `render`): with `RenderMode::Js` (or per host), HTML pages are also
//! rendered in headless Chromium over the DevTools protocol; every request the browser makes
//! goes through the crawler's own fetcher (robots.txt, address checks and caps apply; images,
//! fonts and media are not fetched). The sink gets both documents and marks links found only
//! after rendering as `js_only`.
//!
//! **Safety** (module `safety`): private, loopback, link-local, multicast and other non-global
//! addresses are refused after DNS resolution and for addresses written in URLs, on every
//! hop, unless `allow_private`; names pinned with `--resolve` go where the operator said.
//! URL length, header size, body size and decoded size are capped.
//!
//! **Archiving** (module `archive`): with `warc_dir`, every recorded response is also written as
//! WARC.

mod archive;
mod config;
mod engine;
mod error;
mod fetch;
mod frontier;
mod recorder;
mod render;
mod robots;
mod safety;
mod schedule;
mod scope;
mod sink;
mod sitemap;
mod stats;
mod store;
mod task;

pub use config::{
    CommitPolicy, CrawlConfig, DEFAULT_CONTACT, Limits, Network, Politeness, ROBOTS_TOKEN,
    RenderConfig, RenderMode, ResolveRule, Scope, user_agent,
};
pub use engine::{ProgressFn, StopFuture, crawl};
pub use error::CrawlError;
pub use sink::{Accepted, CrawlSink, CrawledPage, Discovered, FetchPurpose, LinkKind, SinkError};
pub use stats::{CrawlProgress, CrawlReport, ErrorKind, StopReason};

fn now_micros() -> anchorage_core::time::Micros {
    anchorage_core::time::now()
}
