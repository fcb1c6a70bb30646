//! What the crawler hands its fetches to. acquire does not extract links (that is the
//! extract stage, further down the data flow): the sink does, records what it wants (the
//! index's sink appends pages and links to the fetch log) and tells the crawler which URLs
//! the page links to.

use anchorage_core::record::FetchRecord;

/// Why a response was fetched.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchPurpose {
    /// A page of the crawl (or one hop of its redirect chain).
    Page,
    /// A target check: status and headers of a URL that is linked to but not crawled. The
    /// body is not kept, so the sink finds no links in it (except a redirect's `Location`).
    Check,
    /// A robots.txt.
    Robots,
    /// A sitemap listed in robots.txt.
    Sitemap,
}

impl FetchPurpose {
    pub(crate) fn code(self) -> u8 {
        match self {
            FetchPurpose::Page => 0,
            FetchPurpose::Check => 1,
            FetchPurpose::Robots => 2,
            FetchPurpose::Sitemap => 3,
        }
    }

    pub(crate) fn from_code(code: u8) -> FetchPurpose {
        match code {
            1 => FetchPurpose::Check,
            2 => FetchPurpose::Robots,
            3 => FetchPurpose::Sitemap,
            _ => FetchPurpose::Page,
        }
    }
}

/// One response, as the sink receives it.
#[derive(Debug, Clone)]
pub struct CrawledPage {
    /// Body content-decoded; `source` is [`anchorage_core::record::SourceKind::Crawl`].
    pub fetch: FetchRecord,
    /// The document after JavaScript ran (serialised DOM), when the page was rendered.
    pub rendered: Option<Vec<u8>>,
    pub purpose: FetchPurpose,
    /// Link distance from a seed.
    pub depth: u32,
}

/// The element a discovered URL came from; decides whether it is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkKind {
    /// `<a href>` (with text or an image).
    Anchor,
    /// A 3xx `Location`.
    Redirect,
    /// `<meta http-equiv=refresh>`.
    MetaRefresh,
    /// `<iframe src>`, `<frame src>`.
    Frame,
    /// `rel=canonical` (element or header).
    Canonical,
    /// `rel=alternate` (hreflang, other formats).
    Alternate,
    /// A feed, or a link inside one.
    Feed,
    /// A sitemap (listed in robots.txt or in a sitemap index); found by the crawler itself.
    Sitemap,
    /// A form action or anything else that is recorded but never followed.
    Other,
}

impl LinkKind {
    /// Kinds that lead to pages worth fetching.
    pub fn followable(self) -> bool {
        !matches!(self, LinkKind::Other)
    }

    /// Redirects do not add to the depth: the target stands in for the page. Nor do
    /// sitemaps of a sitemap index.
    pub fn keeps_depth(self) -> bool {
        matches!(
            self,
            LinkKind::Redirect | LinkKind::MetaRefresh | LinkKind::Sitemap
        )
    }

    /// A redirect hop (counted against `max_redirects`).
    pub fn is_redirect(self) -> bool {
        matches!(self, LinkKind::Redirect | LinkKind::MetaRefresh)
    }
}

/// A URL the page links to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Discovered {
    /// Absolute and normalised (as recorded in the link's `url_to`).
    pub url: String,
    pub kind: LinkKind,
    /// `rel=nofollow|ugc|sponsored`, or the page says `nofollow` (meta robots, header).
    pub nofollow: bool,
    /// 0–255, higher first among URLs of the same depth (see [`crate::crawl`] on priority).
    pub quality: u8,
}

/// What the sink made of one response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Accepted {
    pub discovered: Vec<Discovered>,
    /// Link records written.
    pub links: u64,
}

/// The sink's own error, passed through.
pub type SinkError = Box<dyn std::error::Error + Send + Sync>;

/// Where crawled responses go. Called from one thread at a time.
pub trait CrawlSink: Send {
    /// Records `pages` (buffered until [`CrawlSink::commit`]) and returns, for each page in
    /// order, the URLs it links to. The crawler then journals the pages together with those
    /// URLs in one transaction; after a crash, journaled pages whose commit never happened
    /// are passed here again (and the URLs returned are then already known).
    fn accept(&mut self, pages: &[CrawledPage]) -> Result<Vec<Accepted>, SinkError>;

    /// Makes everything accepted so far durable, together with `marker`, atomically.
    fn commit(&mut self, marker: &str) -> Result<(), SinkError>;

    /// Whether a commit with `marker` is durable.
    fn is_committed(&mut self, marker: &str) -> Result<bool, SinkError>;
}
