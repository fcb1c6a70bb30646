//! The column catalogue: every backlink column Anchorage serves, described once.
//!
//! API validation (`select`, `where`, `order_by`), unit costs, the storage schema of the
//! `backlinks` table, the README's column table and the OpenAPI output are all generated from
//! [`BACKLINK_COLUMNS`]. Add a column here and every one of them follows.

use arrow_schema::{DataType, Field, TimeUnit};
use std::sync::Arc;

/// The type of a column as the APIs show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ColType {
    Int,
    Float,
    Bool,
    Str,
    /// A URL string.
    Url,
    /// ISO-8601 UTC date-time, stored as microseconds.
    DateTime,
    /// `YYYY-MM-DD`, stored as a string.
    Date,
    StrList,
    IntList,
    UrlList,
}

impl ColType {
    /// How the column is stored in the snapshot's Parquet tables.
    pub fn arrow_type(self) -> DataType {
        match self {
            ColType::Int => DataType::Int64,
            ColType::Float => DataType::Float64,
            ColType::Bool => DataType::Boolean,
            ColType::Str | ColType::Url | ColType::Date => DataType::Utf8,
            ColType::DateTime => DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
            ColType::StrList | ColType::UrlList => {
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
            }
            ColType::IntList => DataType::List(Arc::new(Field::new("item", DataType::Int64, true))),
        }
    }

    /// The JSON Schema / OpenAPI type of one value.
    pub fn openapi(self) -> (&'static str, Option<&'static str>) {
        match self {
            ColType::Int => ("integer", None),
            ColType::Float => ("number", Some("float")),
            ColType::Bool => ("boolean", None),
            ColType::Str => ("string", None),
            ColType::Url => ("string", Some("url")),
            ColType::DateTime => ("string", Some("date-time")),
            ColType::Date => ("string", Some("date")),
            ColType::StrList | ColType::UrlList | ColType::IntList => ("array", None),
        }
    }

    pub fn is_list(self) -> bool {
        matches!(self, ColType::StrList | ColType::IntList | ColType::UrlList)
    }

    /// The element type of a list column.
    pub fn element(self) -> ColType {
        match self {
            ColType::StrList => ColType::Str,
            ColType::UrlList => ColType::Url,
            ColType::IntList => ColType::Int,
            other => other,
        }
    }

    pub fn is_textual(self) -> bool {
        matches!(self, ColType::Str | ColType::Url | ColType::Date)
    }
}

/// Where a column's value comes from: the stage of the data flow that computes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Source {
    /// Read from the page by the extractor.
    Extract,
    /// Derived from the source or target URL.
    Url,
    /// From the link's history across fetches (build).
    History,
    /// From the link graph (DR, UR, rank; build + rank).
    Graph,
    /// Distinct counts over live links (build).
    Count,
    /// From crawls and checks of the linked-to URL.
    TargetCheck,
    /// Imported search figures (`anchorage import-metrics`); null otherwise.
    Import,
    /// From how the crawler found the link (plain HTTP or JavaScript rendering).
    Crawl,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Extract => "extract",
            Source::Url => "url",
            Source::History => "history",
            Source::Graph => "graph",
            Source::Count => "count",
            Source::TargetCheck => "target check",
            Source::Import => "import",
            Source::Crawl => "crawl",
        }
    }
}

/// What a report lets a client do with a column.
pub type Access = u8;
pub const NONE: Access = 0;
pub const SELECT: Access = 1;
pub const FILTER: Access = 2;
pub const ORDER: Access = 4;

/// One column of the backlink reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub name: &'static str,
    pub ty: ColType,
    pub nullable: bool,
    /// The only values the column takes, when it is an enum.
    pub enum_values: &'static [&'static str],
    /// Units per row when the column is selected, filtered or sorted on.
    pub cost: u32,
    pub all_backlinks: Access,
    pub broken_backlinks: Access,
    pub source: Source,
    /// How Anchorage computes it.
    pub how: &'static str,
    /// What it means (Ahrefs' wording).
    pub description: &'static str,
}

impl Column {
    pub fn arrow_field(&self) -> Field {
        // Every stored column may hold nulls: a value not computed yet is null, never invented.
        Field::new(self.name, self.ty.arrow_type(), true)
    }
}

/// The two backlink reports of Ahrefs' Site Explorer that read the `backlinks` table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BacklinkReport {
    AllBacklinks,
    BrokenBacklinks,
}

impl BacklinkReport {
    pub fn access(self, column: &Column) -> Access {
        match self {
            BacklinkReport::AllBacklinks => column.all_backlinks,
            BacklinkReport::BrokenBacklinks => column.broken_backlinks,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BacklinkReport::AllBacklinks => "all-backlinks",
            BacklinkReport::BrokenBacklinks => "broken-backlinks",
        }
    }

    /// Columns the report can return.
    pub fn selectable(self) -> impl Iterator<Item = &'static Column> {
        BACKLINK_COLUMNS
            .iter()
            .filter(move |c| self.access(c) & SELECT != 0)
    }
}

/// Looks a column up by name.
pub fn backlink_column(name: &str) -> Option<&'static Column> {
    BACKLINK_COLUMNS.iter().find(|c| c.name == name)
}

/// The Arrow schema of every catalogued column, in catalogue order.
pub fn backlink_fields() -> Vec<Field> {
    BACKLINK_COLUMNS.iter().map(Column::arrow_field).collect()
}

/// A Markdown table of the catalogue for the README (`anchorage columns`).
pub fn markdown_table() -> String {
    let mut out = String::from(
        "| column | type | cost | all-backlinks | broken-backlinks | source | how |\n|---|---|---|---|---|---|---|\n",
    );
    for c in BACKLINK_COLUMNS {
        let (ty, fmt) = c.ty.openapi();
        let ty = match (c.ty.is_list(), fmt) {
            (true, _) => format!("array<{}>", c.ty.element().openapi().0),
            (false, Some(f)) => format!("{ty}({f})"),
            (false, None) => ty.to_string(),
        };
        let null = if c.nullable { "\\|null" } else { "" };
        out.push_str(&format!(
            "| `{}` | {ty}{null} | {} | {} | {} | {} | {} |\n",
            c.name,
            c.cost,
            access_text(c.all_backlinks),
            access_text(c.broken_backlinks),
            c.source.as_str(),
            c.how
        ));
    }
    out
}

fn access_text(a: Access) -> String {
    let mut parts = Vec::new();
    for (bit, name) in [(SELECT, "select"), (FILTER, "where"), (ORDER, "order")] {
        if a & bit != 0 {
            parts.push(name);
        }
    }
    if parts.is_empty() {
        "—".into()
    } else {
        parts.join(", ")
    }
}

/// Every column of Ahrefs v3 `all-backlinks` and `broken-backlinks` (select and `where`
/// identifiers), in alphabetical order.
pub const BACKLINK_COLUMNS: &[Column] = &[
    Column {
        name: "ahrefs_rank_source",
        ty: ColType::Int,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Graph,
        how: "Position of the source root domain when all domains are ordered by raw DR (1 = strongest).",
        description: "The strength of the referring domain's backlink profile compared to the other websites in our database, with rank #1 being the strongest.",
    },
    Column {
        name: "ahrefs_rank_target",
        ty: ColType::Int,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Graph,
        how: "Position of the target root domain when all domains are ordered by raw DR (1 = strongest).",
        description: "The strength of the target domain's backlink profile compared to the other websites in our database, with rank #1 being the strongest.",
    },
    Column {
        name: "alt",
        ty: ColType::Str,
        nullable: true,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "alt attribute of the <img> inside the link, entities decoded; null for non-image links.",
        description: "The alt attribute of the link.",
    },
    Column {
        name: "anchor",
        ty: ColType::Str,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "Visible text inside the link (entities decoded, whitespace collapsed); for image links the alt text is not the anchor.",
        description: "The clickable words in a link that point to a URL.",
    },
    Column {
        name: "broken_redirect_new_target",
        ty: ColType::Str,
        nullable: true,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: NONE,
        source: Source::TargetCheck,
        how: "New destination of a redirect whose target changed between two checks.",
        description: "The new destination of a modified redirect.",
    },
    Column {
        name: "broken_redirect_reason",
        ty: ColType::Str,
        nullable: true,
        enum_values: &[
            "droppedmanual",
            "droppedtooold",
            "dropped",
            "codechanged",
            "nxdomain",
            "robotsdisallowed",
            "curlerror",
            "invalidtarget",
            "nomorecanonical",
            "isnowparked",
            "targetchanged",
        ],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: NONE,
        source: Source::TargetCheck,
        how: "Why a redirect chain from the target broke (from target checks).",
        description: "The reason the redirect was considered broken during the last crawl.",
    },
    Column {
        name: "broken_redirect_source",
        ty: ColType::Str,
        nullable: true,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: NONE,
        source: Source::TargetCheck,
        how: "The redirecting URL whose change broke the chain.",
        description: "The redirecting URL that was modified, causing the redirect to become broken.",
    },
    Column {
        name: "class_c",
        ty: ColType::Int,
        nullable: false,
        enum_values: &[],
        cost: 5,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Count,
        how: "Distinct /24 subnets (IPv4) of live pages linking to the referring page.",
        description: "The number of unique class_c subnets linking to the referring page.",
    },
    Column {
        name: "discovered_status",
        ty: ColType::Str,
        nullable: true,
        enum_values: &["pagefound", "linkfound", "linkrestored"],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: NONE,
        source: Source::History,
        how: "pagefound when the link appeared with the first fetch of its page, linkfound when added to a known page, linkrestored when it reappeared after being lost.",
        description: "The reason the link was discovered during the last crawl: the page was crawled for the first time, the link was added to the page, or the link re-appeared after being removed.",
    },
    Column {
        name: "domain_rating_source",
        ty: ColType::Float,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Graph,
        how: "DR of the source root domain: domain-level PageRank over live dofollow links, log-scaled to 0-100, one decimal.",
        description: "The strength of the referring domain's backlink profile compared to the others in our database on a 100-point scale.",
    },
    Column {
        name: "domain_rating_target",
        ty: ColType::Float,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Graph,
        how: "DR of the target root domain (same rule as domain_rating_source).",
        description: "The strength of the referring domain's backlink profile compared to the others in our database on a 100-point scale.",
    },
    Column {
        name: "drop_reason",
        ty: ColType::Str,
        nullable: true,
        enum_values: &[
            "manual",
            "noratingunused",
            "notop",
            "tooold",
            "oldunavailable",
            "rescursive",
            "duplicate",
            "nxdomain",
            "malformed",
            "blockedport",
            "disallowed",
            "unlinked",
            "lowvalue",
        ],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: NONE,
        source: Source::History,
        how: "Why the index stopped keeping the link (retention, robots, DNS, malformed URL, blocked port, duplicate).",
        description: "The reason we removed the link from our index.",
    },
    Column {
        name: "encoding",
        ty: ColType::Str,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "Character set of the page: HTTP header, then <meta charset>, then byte sniffing (chardetng); WHATWG name in lower case.",
        description: "The character set encoding of the referring page HTML.",
    },
    Column {
        name: "first_seen",
        ty: ColType::DateTime,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::History,
        how: "Time of the first fetch of the referring page in the log.",
        description: "The date the referring page URL was first discovered.",
    },
    Column {
        name: "first_seen_link",
        ty: ColType::DateTime,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::History,
        how: "Time of the first fetch in which this link was on the referring page.",
        description: "The date we first found a backlink to your target on a given referring page.",
    },
    Column {
        name: "http_code",
        ty: ColType::Int,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "HTTP status of the latest fetch of the referring page.",
        description: "The return code from HTTP protocol returned during the referring page crawl.",
    },
    Column {
        name: "http_code_target",
        ty: ColType::Int,
        nullable: true,
        enum_values: &[],
        cost: 1,
        all_backlinks: NONE,
        broken_backlinks: SELECT | FILTER,
        source: Source::TargetCheck,
        how: "HTTP status of the target URL from the latest crawl or target check; null when never checked.",
        description: "The HTTP status code of the target page.",
    },
    Column {
        name: "http_crawl",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Crawl,
        how: "True when the link was in the HTML as served (no JavaScript rendering).",
        description: "The link was discovered without executing javascript and rendering the page.",
    },
    Column {
        name: "ip_source",
        ty: ColType::Str,
        nullable: true,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "IP address the referring page was fetched from (WARC-IP-Address or the crawler connection).",
        description: "The referring domain IP address.",
    },
    Column {
        name: "is_alternate",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "link_type = 'alternate' (<link rel=alternate>).",
        description: "The link with the rel=\"alternate\" attribute.",
    },
    Column {
        name: "is_canonical",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "link_type = 'canonical' (<link rel=canonical> or Link header).",
        description: "The link with the rel=\"canonical\" attribute.",
    },
    Column {
        name: "is_content",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "The link lies in the page's main content block (text-density heuristic).",
        description: "The link was found in the biggest piece of content on the page.",
    },
    Column {
        name: "is_dofollow",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "Neither the link nor the page carries nofollow.",
        description: "The link has no special nofollow attribute.",
    },
    Column {
        name: "is_form",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "link_type = 'form' (<form action>).",
        description: "The link was found in a form HTML tag.",
    },
    Column {
        name: "is_frame",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "link_type = 'frame' (<iframe src> / <frame src>).",
        description: "The link was found in an iframe HTML tag.",
    },
    Column {
        name: "is_homepage_link",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: FILTER,
        broken_backlinks: NONE,
        source: Source::Url,
        how: "The referring page is its host's homepage (path '/' and no query).",
        description: "The link was found on the homepage of a referring website.",
    },
    Column {
        name: "is_image",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "link_type = 'image' (an <img> inside the <a>).",
        description: "The link is a regular link that has an image inside their href attribute.",
    },
    Column {
        name: "is_lost",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: NONE,
        source: Source::History,
        how: "The link was present in an earlier fetch and is absent or unusable in the latest one.",
        description: "The link currently does not exist anymore.",
    },
    Column {
        name: "is_new",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: NONE,
        source: Source::History,
        how: "The link first appeared in the latest build.",
        description: "The link was discovered on the last crawl.",
    },
    Column {
        name: "is_nofollow",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "rel=nofollow on the link, or page-level nofollow (meta robots / X-Robots-Tag).",
        description: "The link or the referring page has the nofollow attribute set.",
    },
    Column {
        name: "is_non_html",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: FILTER,
        broken_backlinks: NONE,
        source: Source::TargetCheck,
        how: "The target URL answered with a non-HTML content type.",
        description: "The link points to a URL with non-HTML content.",
    },
    Column {
        name: "is_redirect",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::TargetCheck,
        how: "The target URL redirects (3xx) according to crawls and target checks.",
        description: "The link pointing to your target via a redirect.",
    },
    Column {
        name: "is_redirect_lost",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: NONE,
        source: Source::History,
        how: "The redirect through which the link reached the target no longer exists.",
        description: "The redirected link currently does not exist anymore.",
    },
    Column {
        name: "is_root_source",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Url,
        how: "The source host equals its root domain (Public Suffix List).",
        description: "The referring domain name is a root domain name.",
    },
    Column {
        name: "is_root_target",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Url,
        how: "The target host equals its root domain (Public Suffix List).",
        description: "The target domain name is a root domain name.",
    },
    Column {
        name: "is_rss",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "link_type = 'rss' (a link found in an RSS/Atom feed or <link rel=alternate type=application/rss+xml>).",
        description: "The link was found in an RSS feed.",
    },
    Column {
        name: "is_spam",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Graph,
        how: "Documented link-farm heuristic over the source domain (outdegree, DR, TLD).",
        description: "Indicates whether the backlink comes from a known spammy domain.",
    },
    Column {
        name: "is_sponsored",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "rel=sponsored on the link.",
        description: "The link has the Sponsored attribute set in the referring page HTML.",
    },
    Column {
        name: "is_text",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "link_type = 'text' (an <a href> without an image).",
        description: "The link is a standard href hyperlink.",
    },
    Column {
        name: "is_ugc",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "rel=ugc on the link.",
        description: "The link has the User Generated Content attribute set in the referring page HTML.",
    },
    Column {
        name: "js_crawl",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Crawl,
        how: "True when the link was only found after JavaScript rendering.",
        description: "The link was discovered after executing javascript and rendering the page.",
    },
    Column {
        name: "languages",
        ty: ColType::StrList,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "Declared languages (html lang, Content-Language) plus detected language, ISO 639-1.",
        description: "The languages listed in the referring page metadata or detected by the crawler to appear in the HTML.",
    },
    Column {
        name: "last_seen",
        ty: ColType::DateTime,
        nullable: true,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::History,
        how: "When the link was found lost; null while it is live.",
        description: "The date we discovered that the link was lost.",
    },
    Column {
        name: "last_visited",
        ty: ColType::DateTime,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::History,
        how: "Time of the latest fetch of the referring page.",
        description: "The date we last verified a live link to your target page.",
    },
    Column {
        name: "last_visited_target",
        ty: ColType::DateTime,
        nullable: true,
        enum_values: &[],
        cost: 1,
        all_backlinks: NONE,
        broken_backlinks: SELECT | FILTER,
        source: Source::TargetCheck,
        how: "Time of the latest crawl or check of the target URL; null when never checked.",
        description: "The date we last crawled the target page.",
    },
    Column {
        name: "len_url_redirect",
        ty: ColType::Int,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: FILTER,
        broken_backlinks: NONE,
        source: Source::TargetCheck,
        how: "Number of URLs in the redirect chain of the target.",
        description: "The number of redirect chain URLs.",
    },
    Column {
        name: "link_group_count",
        ty: ColType::Int,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER,
        broken_backlinks: SELECT | FILTER,
        source: Source::Count,
        how: "Size of the similar_links group (same referring domain, target, anchor and surrounding text).",
        description: "The number of backlinks that were grouped together based on the aggregation parameter. This field cannot be used with aggregation 'all'.",
    },
    Column {
        name: "link_type",
        ty: ColType::Str,
        nullable: false,
        enum_values: &[
            "redirect",
            "frame",
            "text",
            "form",
            "canonical",
            "alternate",
            "rss",
            "image",
        ],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "Kind of link: text, image, redirect, frame, form, canonical, alternate, rss.",
        description: "The kind of the backlink.",
    },
    Column {
        name: "linked_domains_source_domain",
        ty: ColType::Int,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Count,
        how: "Distinct root domains linked (live, external) from the referring root domain.",
        description: "The number of unique root domains linked from the referring domain.",
    },
    Column {
        name: "linked_domains_source_page",
        ty: ColType::Int,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "Distinct external root domains linked from the referring page.",
        description: "The number of unique root domains linked from the referring page.",
    },
    Column {
        name: "linked_domains_target_domain",
        ty: ColType::Int,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Count,
        how: "Distinct root domains linked (live, external) from the target root domain.",
        description: "The number of unique root domains linked from the target domain.",
    },
    Column {
        name: "links_external",
        ty: ColType::Int,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "Links from the referring page to a different root domain.",
        description: "The number of external links from the referring page.",
    },
    Column {
        name: "links_internal",
        ty: ColType::Int,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "Links from the referring page to the same root domain.",
        description: "The number of internal links from the referring page.",
    },
    Column {
        name: "lost_reason",
        ty: ColType::Str,
        nullable: true,
        enum_values: &[
            "removedfromhtml",
            "notcanonical",
            "noindex",
            "pageredirected",
            "pageerror",
            "lostredirect",
            "notfound",
        ],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: NONE,
        source: Source::History,
        how: "Why the link was lost: removedfromhtml, notcanonical, noindex, pageredirected, pageerror, lostredirect, notfound.",
        description: "The reason the link was lost during the last crawl.",
    },
    Column {
        name: "name_source",
        ty: ColType::Str,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Url,
        how: "Host of the referring page (lower case, punycode).",
        description: "The complete referring domain name, including subdomains.",
    },
    Column {
        name: "name_target",
        ty: ColType::Str,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Url,
        how: "Host of the target URL (lower case, punycode).",
        description: "The complete target domain name, including subdomains.",
    },
    Column {
        name: "noindex",
        ty: ColType::Bool,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: NONE,
        source: Source::Extract,
        how: "meta robots or X-Robots-Tag carries noindex.",
        description: "The referring page has the noindex meta attribute.",
    },
    Column {
        name: "page_category_source",
        ty: ColType::Str,
        nullable: true,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "Category the page declares (schema.org articleSection/genre, breadcrumbs), mapped to the documented tree; null otherwise.",
        description: "Comma-separated list of AI-predicted hierarchical category paths for the referring page. Each value is a slash-prefixed path (e.g. /Business_and_Industrial/Advertising_and_Marketing/Marketing).",
    },
    Column {
        name: "page_size",
        ty: ColType::Int,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "Size in bytes of the referring page body (after content decoding).",
        description: "The size in bytes of the referring page content.",
    },
    Column {
        name: "page_type_source",
        ty: ColType::Str,
        nullable: true,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "schema.org / Open Graph type the page declares, as a slash path; null otherwise.",
        description: "Comma-separated list of AI-predicted hierarchical page type paths for the referring page. Each value is a slash-prefixed path (e.g. /Article/How_to).",
    },
    Column {
        name: "port_source",
        ty: ColType::Int,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Url,
        how: "Port of the referring URL (default port of the scheme when absent).",
        description: "The network port of the referring page URL.",
    },
    Column {
        name: "port_target",
        ty: ColType::Int,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Url,
        how: "Port of the target URL (default port of the scheme when absent).",
        description: "The network port of the target page URL.",
    },
    Column {
        name: "positions",
        ty: ColType::Int,
        nullable: true,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Import,
        how: "Keywords the referring page ranks for: imported with import-metrics, else null.",
        description: "The number of keywords that the referring page ranks for in the top 100 positions.",
    },
    Column {
        name: "positions_source_domain",
        ty: ColType::Int,
        nullable: true,
        enum_values: &[],
        cost: 1,
        all_backlinks: FILTER,
        broken_backlinks: NONE,
        source: Source::Import,
        how: "Keywords the referring domain ranks for: imported with import-metrics, else null.",
        description: "The number of keywords that the referring domain ranks for in the top 100 positions.",
    },
    Column {
        name: "powered_by",
        ty: ColType::StrList,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "Technologies from generator meta, Server / X-Powered-By headers and asset paths.",
        description: "Web technologies used to build and serve the referring page content.",
    },
    Column {
        name: "redirect_code",
        ty: ColType::Int,
        nullable: true,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "HTTP status of a referring page that redirects to the target (link_type redirect); null otherwise.",
        description: "The HTTP status code of a referring page pointing to your target via a redirect.",
    },
    Column {
        name: "redirect_kind",
        ty: ColType::IntList,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::TargetCheck,
        how: "HTTP status codes along the redirect chain of the target.",
        description: "The HTTP status codes returned by the target redirecting URL or redirect chain.",
    },
    Column {
        name: "refdomains_source",
        ty: ColType::Int,
        nullable: false,
        enum_values: &[],
        cost: 5,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Count,
        how: "Distinct live referring root domains of the referring page.",
        description: "The number of unique referring domains linking to the referring page.",
    },
    Column {
        name: "refdomains_source_domain",
        ty: ColType::Int,
        nullable: false,
        enum_values: &[],
        cost: 5,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Count,
        how: "Distinct live referring root domains of the referring root domain.",
        description: "The number of unique referring domains linking to the referring domain.",
    },
    Column {
        name: "refdomains_target_domain",
        ty: ColType::Int,
        nullable: false,
        enum_values: &[],
        cost: 5,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Count,
        how: "Distinct live referring root domains of the target root domain.",
        description: "The number of unique referring domains linking to the target domain.",
    },
    Column {
        name: "root_name_source",
        ty: ColType::Str,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Url,
        how: "Registrable root domain of the referring host (Public Suffix List).",
        description: "The root domain name of the referring domain, not including subdomains.",
    },
    Column {
        name: "root_name_target",
        ty: ColType::Str,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Url,
        how: "Registrable root domain of the target host (Public Suffix List).",
        description: "The root domain name of the target domain, not including subdomains.",
    },
    Column {
        name: "snippet_left",
        ty: ColType::Str,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "Visible text just before the link, entities decoded, whitespace collapsed.",
        description: "The snippet of text appearing just before the link.",
    },
    Column {
        name: "snippet_right",
        ty: ColType::Str,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "Visible text just after the link, entities decoded, whitespace collapsed.",
        description: "The snippet of text appearing just after the link.",
    },
    Column {
        name: "source_page_author",
        ty: ColType::Str,
        nullable: true,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "Author from meta author, article:author or JSON-LD; null otherwise.",
        description: "The author of the referring page.",
    },
    Column {
        name: "source_page_publish_date",
        ty: ColType::Date,
        nullable: true,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: NONE,
        source: Source::Extract,
        how: "Publication date from article:published_time, JSON-LD datePublished or meta date; null otherwise.",
        description: "the date we identified the page was published",
    },
    Column {
        name: "title",
        ty: ColType::Str,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Extract,
        how: "Text of the <title> of the referring page, entities decoded, whitespace collapsed.",
        description: "The html title of the referring page.",
    },
    Column {
        name: "tld_class_source",
        ty: ColType::Str,
        nullable: false,
        enum_values: &["gov", "edu", "normal"],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Url,
        how: "gov or edu by the top-level domain (and second-level like gov.uk, ac.uk); normal otherwise.",
        description: "The top level domain class of the referring domain.",
    },
    Column {
        name: "tld_class_target",
        ty: ColType::Str,
        nullable: false,
        enum_values: &["gov", "edu", "normal"],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Url,
        how: "gov or edu by the top-level domain (and second-level like gov.uk, ac.uk); normal otherwise.",
        description: "The top level domain class of the target domain.",
    },
    Column {
        name: "traffic",
        ty: ColType::Int,
        nullable: true,
        enum_values: &[],
        cost: 10,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Import,
        how: "Organic traffic of the referring page: imported with import-metrics, else null.",
        description: "The referring page's estimated monthly organic traffic from search.",
    },
    Column {
        name: "traffic_domain",
        ty: ColType::Int,
        nullable: true,
        enum_values: &[],
        cost: 10,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Import,
        how: "Organic traffic of the referring domain: imported with import-metrics, else null.",
        description: "The referring domain's estimated monthly organic traffic from search.",
    },
    Column {
        name: "url_from",
        ty: ColType::Url,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Url,
        how: "Normalised URL of the referring page.",
        description: "The URL of the page containing a link to your target.",
    },
    Column {
        name: "url_from_plain",
        ty: ColType::Str,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Url,
        how: "url_from without scheme, for filtering.",
        description: "The referring page URL optimized for use as a filter.",
    },
    Column {
        name: "url_rating_source",
        ty: ColType::Float,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Graph,
        how: "UR of the referring page: page-level PageRank over live dofollow links, log-scaled to 0-100.",
        description: "The strength of the referring page's backlink profile compared to the others in our database on a 100-point scale.",
    },
    Column {
        name: "url_redirect",
        ty: ColType::UrlList,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::TargetCheck,
        how: "Redirect chain the target URL leads through.",
        description: "A redirect chain the target URL of the link points to.",
    },
    Column {
        name: "url_redirect_with_target",
        ty: ColType::StrList,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::TargetCheck,
        how: "The target URL followed by its redirect chain.",
        description: "The target URL of the link with its redirect chain.",
    },
    Column {
        name: "url_to",
        ty: ColType::Url,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Url,
        how: "Normalised target URL of the link (resolved against <base>).",
        description: "The URL the backlink points to.",
    },
    Column {
        name: "url_to_plain",
        ty: ColType::Str,
        nullable: false,
        enum_values: &[],
        cost: 1,
        all_backlinks: SELECT | FILTER | ORDER,
        broken_backlinks: SELECT | FILTER | ORDER,
        source: Source::Url,
        how: "url_to without scheme, for filtering.",
        description: "The target page URL optimized for use as a filter.",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn names_are_unique_and_sorted() {
        let names: Vec<_> = BACKLINK_COLUMNS.iter().map(|c| c.name).collect();
        let unique: HashSet<_> = names.iter().collect();
        assert_eq!(unique.len(), names.len());
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(sorted, names);
    }

    #[test]
    fn report_access_matches_the_official_lists() {
        // The official OpenAPI: 82 response fields in all-backlinks, 73 in broken-backlinks.
        assert_eq!(BacklinkReport::AllBacklinks.selectable().count(), 82);
        assert_eq!(BacklinkReport::BrokenBacklinks.selectable().count(), 73);
        let lgc = backlink_column("link_group_count").unwrap();
        assert_eq!(lgc.all_backlinks & ORDER, 0);
        let homepage = backlink_column("is_homepage_link").unwrap();
        assert_eq!(homepage.all_backlinks, FILTER);
        assert_eq!(backlink_column("class_c").unwrap().cost, 5);
        assert_eq!(backlink_column("traffic").unwrap().cost, 10);
    }

    #[test]
    fn enums_and_types() {
        let lt = backlink_column("link_type").unwrap();
        assert!(lt.enum_values.contains(&"canonical"));
        assert_eq!(
            backlink_column("domain_rating_source").unwrap().ty,
            ColType::Float
        );
        assert!(backlink_column("url_redirect").unwrap().ty.is_list());
        assert!(markdown_table().contains("| `anchor` | string |"));
    }
}
