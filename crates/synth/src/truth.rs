//! The ground truth: what a correct crawler, extractor and index must find in the synthetic web.
//!
//! Conventions the extractor is checked against (they are the ones `anchorage-extract` follows):
//! - A link is every `<a href>` (element `anchor`, or `image` when it wraps an `<img>`),
//!   `<link rel=canonical>`, `<link rel=alternate hreflang>` (`alternate`), `<link rel=alternate
//!   type=application/rss+xml>` (`rss`), `<iframe src>` (`frame`), `<form action>` (`form`),
//!   `<meta http-equiv=refresh>` (`meta_refresh`, redirect code 0) and an HTTP 3xx `Location`
//!   (`http_redirect`, with its status). Only http(s) targets count; the one `mailto:` link a page
//!   may have is always its last link, so it never shifts an ordinal. Links inside comments,
//!   scripts and escaped code samples are not links.
//! - `ordinal` is the position among the page's links in document order, from 0.
//! - `anchor` is the text a browser shows (entities decoded, ASCII whitespace runs collapsed to
//!   one space, trimmed); empty for images and for non-`<a>` elements.
//! - `semantic_location` is the innermost enclosing `header`, `nav`, `main`, `article`, `aside`,
//!   `footer` or `section` element; `None` in `<head>` or outside all of them.
//! - `is_content` is true when the link is inside the page's main content block (its `<article>`,
//!   or `<main>` on pages without one) and not inside a `header`, `nav`, `aside` or `footer`
//!   nested in that block.
//! - `nofollow`/`ugc`/`sponsored` come from the link's own `rel` tokens (case-insensitive);
//!   page-level `noindex`/`nofollow` (meta robots, `X-Robots-Tag`) are separate flags.

use crate::plan::Site;
use anchorage_core::record::LinkElement;
use anchorage_core::time::Micros;
use serde::{Deserialize, Serialize};

/// One link of one page, as it should be extracted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthLink {
    /// Normalised URL of the page the link is on.
    pub from: String,
    /// Normalised, resolved target.
    pub to: String,
    pub element: LinkElement,
    pub anchor: String,
    pub alt: Option<String>,
    /// Normalised URL of the `<img>` inside an image link.
    pub image_url: Option<String>,
    pub nofollow: bool,
    pub ugc: bool,
    pub sponsored: bool,
    pub page_noindex: bool,
    pub page_nofollow: bool,
    pub semantic_location: Option<String>,
    pub is_content: bool,
    pub ordinal: u32,
    /// HTTP status for `http_redirect`, 0 for `meta_refresh`.
    pub redirect_code: Option<u16>,
    pub from_root: String,
    pub to_root: String,
    /// HTTP status of the source page.
    pub from_status: u16,
    pub from_site: usize,
    /// The synthetic site the target belongs to; `None` for dangling targets.
    pub to_site: Option<usize>,
}

impl TruthLink {
    /// Source and target have different root domains (Ahrefs' backlink rule).
    pub fn is_external(&self) -> bool {
        self.from_root != self.to_root
    }

    /// Passes link equity: no nofollow/ugc/sponsored on the link nor nofollow on the page.
    pub fn is_dofollow(&self) -> bool {
        !(self.nofollow || self.ugc || self.sponsored || self.page_nofollow)
    }
}

/// Facts about one fetched URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TruthPage {
    pub url: String,
    pub site: usize,
    pub host: String,
    pub status: u16,
    /// `Content-Type` without parameters, e.g. `text/html`.
    pub content_type: String,
    pub is_html: bool,
    /// The charset as declared (`Content-Type`, `<meta>`), e.g. `iso-8859-1`.
    pub charset: Option<String>,
    /// The encoding a WHATWG decoder uses for it, lower case (`iso-8859-1` → `windows-1252`).
    pub encoding: Option<String>,
    /// `<title>` as shown (decoded, whitespace collapsed).
    pub title: Option<String>,
    /// Primary language code (`en`), from `<html lang>`.
    pub language: Option<String>,
    /// `<html lang>` as written (`en-GB`).
    pub html_lang: Option<String>,
    pub author: Option<String>,
    /// `YYYY-MM-DD`, from JSON-LD `datePublished`.
    pub publish_date: Option<String>,
    pub generator: Option<String>,
    pub noindex: bool,
    pub nofollow: bool,
    /// Target of `<link rel=canonical>`, if any (may be the page itself).
    pub canonical: Option<String>,
    /// Normalised target of a 3xx response.
    pub redirect_to: Option<String>,
    pub fetched_at: Micros,
    /// Under a robots.txt `Disallow` for `*`: served on request but not part of the crawl
    /// (`SyntheticWeb::responses`), and its links are not in the truth.
    pub robots_disallowed: bool,
    pub link_count: usize,
}

/// Why a link stopped being live (Ahrefs' `lost_reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
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

/// How a new link was discovered (Ahrefs' `discovered_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiscoveredStatus {
    PageFound,
    LinkFound,
    LinkRestored,
}

impl DiscoveredStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DiscoveredStatus::PageFound => "pagefound",
            DiscoveredStatus::LinkFound => "linkfound",
            DiscoveredStatus::LinkRestored => "linkrestored",
        }
    }
}

/// The kinds of scripted change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// One link removed from a page that stays the same otherwise.
    LinkRemoved,
    /// The page gains `<meta name=robots content="noindex, follow">`.
    Noindex,
    /// The page now answers 301 to another page of its site.
    Redirected,
    /// The page now answers 404.
    NotFound,
    /// The page now answers 410.
    Gone,
    /// The page now answers 500.
    ServerError,
    /// The page now answers 503.
    Unavailable,
    /// The page's canonical now names another page.
    CanonicalMoved,
    /// One link added to an existing page.
    LinkAdded,
    /// A new page, linked from its site's homepage.
    PageAdded,
    /// The link removed in epoch 1 is back (epoch 2).
    LinkRestored,
}

/// The expected effect of a change on one link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkEffect {
    pub from: String,
    pub to: String,
    pub element: LinkElement,
    pub anchor: String,
    /// Set when the link is lost in the change's epoch.
    pub lost_reason: Option<LostReason>,
    /// Set when the link is new (or back) in the change's epoch.
    pub discovered_status: Option<DiscoveredStatus>,
}

/// A change applied in `epoch` (and kept in later epochs, except a removal undone by a
/// restoration).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptedChange {
    pub epoch: u32,
    pub kind: ChangeKind,
    pub site: usize,
    pub page_url: String,
    /// Status the page answers from this epoch (200 unless it fails or redirects).
    pub new_status: u16,
    /// The other URL involved: redirect or canonical target, added/removed link target.
    pub target_url: Option<String>,
    pub description: String,
    pub effects: Vec<LinkEffect>,
}

/// A robots.txt rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RobotsRule {
    pub host: String,
    pub user_agent: String,
    /// Path prefix of the `Disallow` line.
    pub disallow: String,
}

/// Everything one epoch of the synthetic web should yield.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroundTruth {
    pub seed: u64,
    pub epoch: u32,
    pub sites: Vec<Site>,
    /// Every URL that answers (crawled pages first, then robots-disallowed ones), in
    /// `responses` order.
    pub pages: Vec<TruthPage>,
    /// Links of HTML pages and redirects, page by page in `pages` order, ordinal order.
    pub links: Vec<TruthLink>,
    /// Links inside RSS feeds (`<channel><link>` then each `<item><link>`), element `rss`,
    /// anchor = the channel or item title.
    pub feed_links: Vec<TruthLink>,
    /// Scripted changes of every epoch up to this one.
    pub changes: Vec<ScriptedChange>,
    pub robots: Vec<RobotsRule>,
}

impl GroundTruth {
    /// Links from another root domain to `root_domain`, on pages that answered 200.
    pub fn external_backlinks_to(&self, root_domain: &str) -> Vec<&TruthLink> {
        self.links
            .iter()
            .filter(|l| l.to_root == root_domain && l.is_external() && l.from_status == 200)
            .collect()
    }

    /// Sites, most popular first.
    pub fn sites_by_popularity(&self) -> Vec<&Site> {
        let mut v: Vec<&Site> = self.sites.iter().collect();
        v.sort_by_key(|s| s.popularity_rank);
        v
    }

    pub fn page(&self, url: &str) -> Option<&TruthPage> {
        self.pages.iter().find(|p| p.url == url)
    }

    /// The links of one page, in ordinal order.
    pub fn links_from(&self, url: &str) -> Vec<&TruthLink> {
        self.links.iter().filter(|l| l.from == url).collect()
    }

    /// Distinct referring root domains of `root_domain` over dofollow external links.
    pub fn dofollow_refdomains(&self, root_domain: &str) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .external_backlinks_to(root_domain)
            .into_iter()
            .filter(|l| l.is_dofollow())
            .map(|l| l.from_root.as_str())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
