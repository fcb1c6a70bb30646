//! The aggregate reports of Ahrefs' Site Explorer: each is a grouping of the link tables, and
//! each of its columns an aggregate of link columns ([`Agg`]). Validation, docs, the OpenAPI
//! output and the query plans all read [`REPORTS`].

use crate::catalogue::ColType;

/// How a report column is computed from the links of its group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agg {
    /// The value grouped on.
    Key,
    /// Number of links.
    Count,
    /// Links whose boolean column is true.
    CountIf(&'static str),
    /// Links whose boolean column is false (external links of a table counting both kinds).
    CountIfNot(&'static str),
    /// Links whose text column equals the value.
    CountEq(&'static str, &'static str),
    /// Distinct values of a column.
    Distinct(&'static str),
    /// Distinct values of a column among the links whose boolean column (second) is true.
    DistinctIf(&'static str, &'static str),
    /// Mean of a numeric column.
    Avg(&'static str),
    Min(&'static str),
    Max(&'static str),
    /// The value of the group's best link (highest source DR).
    First(&'static str),
    /// Some link has the boolean column true.
    AnyTrue(&'static str),
    /// When every link of the group is lost, the latest `last_seen`; else null.
    LastSeen,
    /// The group key is a root domain (rows are root domains, so always true).
    RootKey,
    /// Search figures a link index does not have: null unless imported.
    Imported,
    /// The first URL of the target's redirect chain.
    FirstRedirect,
}

/// Which stored table a report groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkTable {
    /// Links by target (`backlinks.parquet`): who links to the target.
    Backlinks,
    /// Links by source (`outlinks.parquet`): what the target links to.
    Outlinks,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReportColumn {
    pub name: &'static str,
    pub ty: ColType,
    pub nullable: bool,
    pub cost: u32,
    pub agg: Agg,
    pub description: &'static str,
}

const fn rc(
    name: &'static str,
    ty: ColType,
    nullable: bool,
    cost: u32,
    agg: Agg,
    description: &'static str,
) -> ReportColumn {
    ReportColumn {
        name,
        ty,
        nullable,
        cost,
        agg,
        description,
    }
}

/// One aggregate report (endpoint).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Report {
    /// Path under `/v3/site-explorer/`.
    pub endpoint: &'static str,
    /// Key of the JSON response object.
    pub wrapper: &'static str,
    pub table: LinkTable,
    /// Internal links (same root domain) instead of external ones.
    pub internal: bool,
    /// The report takes `history` (else: live links only).
    pub history: bool,
    /// The link column grouped on.
    pub group_by: &'static str,
    pub columns: &'static [ReportColumn],
    /// Order when the request names none: column and descending.
    pub default_order: (&'static str, bool),
}

impl Report {
    pub fn column(&self, name: &str) -> Option<&'static ReportColumn> {
        self.columns.iter().find(|c| c.name == name)
    }
}

pub fn report(endpoint: &str) -> Option<&'static Report> {
    REPORTS.iter().find(|r| r.endpoint == endpoint)
}

pub const REPORTS: &[Report] = &[
    Report {
        endpoint: "refdomains",
        wrapper: "refdomains",
        table: LinkTable::Backlinks,
        internal: false,
        history: true,
        group_by: "root_name_source",
        columns: REFDOMAINS_COLUMNS,
        default_order: ("domain_rating", true),
    },
    Report {
        endpoint: "anchors",
        wrapper: "anchors",
        table: LinkTable::Backlinks,
        internal: false,
        history: true,
        group_by: "anchor",
        columns: ANCHORS_COLUMNS,
        default_order: ("refdomains", true),
    },
    Report {
        endpoint: "pages-by-backlinks",
        wrapper: "pages",
        table: LinkTable::Backlinks,
        internal: false,
        history: true,
        group_by: "url_to",
        columns: PAGES_BY_BACKLINKS_COLUMNS,
        default_order: ("refdomains_target", true),
    },
    Report {
        endpoint: "pages-by-internal-links",
        wrapper: "pages",
        table: LinkTable::Backlinks,
        internal: true,
        history: false,
        group_by: "url_to",
        columns: PAGES_BY_INTERNAL_LINKS_COLUMNS,
        default_order: ("links_to_target", true),
    },
    Report {
        endpoint: "linkeddomains",
        wrapper: "linkeddomains",
        table: LinkTable::Outlinks,
        internal: false,
        history: false,
        group_by: "root_name_target",
        columns: LINKEDDOMAINS_COLUMNS,
        default_order: ("links_from_target", true),
    },
    Report {
        endpoint: "linked-anchors-external",
        wrapper: "linkedanchors",
        table: LinkTable::Outlinks,
        internal: false,
        history: false,
        group_by: "anchor",
        columns: LINKED_ANCHORS_EXTERNAL_COLUMNS,
        default_order: ("links_from_target", true),
    },
    Report {
        endpoint: "linked-anchors-internal",
        wrapper: "linkedanchors",
        table: LinkTable::Outlinks,
        internal: true,
        history: false,
        group_by: "anchor",
        columns: LINKED_ANCHORS_INTERNAL_COLUMNS,
        default_order: ("links_from_target", true),
    },
];

/// DataForSEO's aggregate functions (`anchors`, `referring_domains`, `referring_networks`,
/// `domain_pages`): each groups the target's backlinks by one link column; every one of them
/// returns [`DATAFORSEO_COUNTERS`] per group, and `summary` returns them over all the links.
pub const DATAFORSEO_REPORTS: &[Report] = &[
    dataforseo_report("anchors", "anchor", ("backlinks", true)),
    dataforseo_report("referring_domains", "name_source", ("rank", true)),
    dataforseo_report("referring_networks_ip", "ip_source", ("rank", true)),
    dataforseo_report("referring_networks_subnet", "subnet_source", ("rank", true)),
    dataforseo_report("domain_pages", "url_to", ("backlinks", true)),
    // The pages linking to a target: the rows `page_intersection` joins.
    dataforseo_report("referring_pages", "url_from", ("rank", true)),
];

const fn dataforseo_report(
    endpoint: &'static str,
    group_by: &'static str,
    default_order: (&'static str, bool),
) -> Report {
    Report {
        endpoint,
        wrapper: "items",
        table: LinkTable::Backlinks,
        internal: false,
        history: true,
        group_by,
        columns: DATAFORSEO_COUNTERS,
        default_order,
    }
}

pub fn dataforseo_report_named(endpoint: &str) -> Option<&'static Report> {
    DATAFORSEO_REPORTS.iter().find(|r| r.endpoint == endpoint)
}

/// The grouped tables of the legacy Ahrefs API v2 (`from=anchors|refdomains|linked_anchors`),
/// with v2's column names. `linked_anchors` counts internal and external outgoing links
/// together, so its query takes both kinds (the protocol sets `include_internal`). v2 listed
/// these tables by their key, in alphabetical order, and `linked_anchors` by most links.
pub const AHREFS_V2_REPORTS: &[Report] = &[
    Report {
        endpoint: "anchors",
        wrapper: "anchors",
        table: LinkTable::Backlinks,
        internal: false,
        history: false,
        group_by: "anchor",
        columns: V2_ANCHORS_COLUMNS,
        default_order: ("anchor", false),
    },
    Report {
        endpoint: "refdomains",
        wrapper: "refdomains",
        table: LinkTable::Backlinks,
        internal: false,
        history: false,
        group_by: "root_name_source",
        columns: V2_REFDOMAINS_COLUMNS,
        default_order: ("refdomain", false),
    },
    Report {
        endpoint: "linked_anchors",
        wrapper: "anchors",
        table: LinkTable::Outlinks,
        internal: false,
        history: false,
        group_by: "anchor",
        columns: V2_LINKED_ANCHORS_COLUMNS,
        default_order: ("links_external", true),
    },
];

pub fn ahrefs_v2_report(table: &str) -> Option<&'static Report> {
    AHREFS_V2_REPORTS.iter().find(|r| r.endpoint == table)
}

const V2_ANCHORS_COLUMNS: &[ReportColumn] = &[
    rc(
        "anchor",
        ColType::Str,
        false,
        1,
        Agg::Key,
        "Anchor text used in at least one backlink from the referring domain.",
    ),
    rc(
        "backlinks",
        ColType::Int,
        false,
        1,
        Agg::Count,
        "Number of external backlinks found that are using the anchor text.",
    ),
    rc(
        "refpages",
        ColType::Int,
        false,
        1,
        Agg::Distinct("url_from"),
        "Number of pages found containing backlinks that are using the anchor text.",
    ),
    rc(
        "refdomains",
        ColType::Int,
        false,
        1,
        Agg::Distinct("root_name_source"),
        "Number of referring domains that are using the anchor text when linking to the target.",
    ),
    rc(
        "first_seen",
        ColType::DateTime,
        false,
        1,
        Agg::Min("first_seen_link"),
        "Least recent date when the crawler was able to visit the backlink that is using the anchor text.",
    ),
    rc(
        "last_visited",
        ColType::DateTime,
        false,
        1,
        Agg::Max("last_visited"),
        "Most recent date when the crawler was able to visit the backlink that is using the anchor text.",
    ),
];

const V2_REFDOMAINS_COLUMNS: &[ReportColumn] = &[
    rc(
        "refdomain",
        ColType::Str,
        false,
        1,
        Agg::Key,
        "The referring domain that contains at least one link to the target.",
    ),
    rc(
        "backlinks",
        ColType::Int,
        false,
        1,
        Agg::Count,
        "Number of backlinks found in the referring domain that link to the target.",
    ),
    rc(
        "refpages",
        ColType::Int,
        false,
        1,
        Agg::Distinct("url_from"),
        "Number of referring pages found in the referring domain that link to the target.",
    ),
    rc(
        "first_seen",
        ColType::DateTime,
        false,
        1,
        Agg::Min("first_seen_link"),
        "Least recent date when the crawler was able to visit the backlinks in the referring domain.",
    ),
    rc(
        "last_visited",
        ColType::DateTime,
        false,
        1,
        Agg::Max("last_visited"),
        "Most recent date when the crawler was able to visit the backlinks in the referring domain.",
    ),
    rc(
        "domain_rating",
        ColType::Float,
        false,
        1,
        Agg::Max("domain_rating_source"),
        "Domain Rating of the referring domain.",
    ),
];

const V2_LINKED_ANCHORS_COLUMNS: &[ReportColumn] = &[
    rc(
        "anchor",
        ColType::Str,
        false,
        1,
        Agg::Key,
        "Anchor text used in at least one outgoing link from the target domain.",
    ),
    rc(
        "links_internal",
        ColType::Int,
        false,
        1,
        Agg::CountIf("is_internal"),
        "Number of internal outgoing links found that are using the anchor text.",
    ),
    rc(
        "links_external",
        ColType::Int,
        false,
        1,
        Agg::CountIfNot("is_internal"),
        "Number of external outgoing links found that are using the anchor text.",
    ),
];

/// The figures DataForSEO gives per anchor, referring domain, network or page, and for the
/// whole target in `summary`. `rank` is the best source DR (0-100; the protocol scales it),
/// `backlinks_spam_score` the mean spam score of the links.
pub const DATAFORSEO_COUNTERS: &[ReportColumn] = &[
    rc(
        "rank",
        ColType::Float,
        false,
        1,
        Agg::Max("domain_rating_source"),
        "The best Domain Rating among the links' sources (0-100).",
    ),
    rc(
        "backlinks",
        ColType::Int,
        false,
        1,
        Agg::Count,
        "The number of backlinks.",
    ),
    rc(
        "first_seen",
        ColType::DateTime,
        false,
        1,
        Agg::Min("first_seen_link"),
        "When the first of the links was found.",
    ),
    rc(
        "lost_date",
        ColType::DateTime,
        true,
        1,
        Agg::LastSeen,
        "When the last live link was lost; null while one is live.",
    ),
    rc(
        "backlinks_spam_score",
        ColType::Float,
        false,
        1,
        Agg::Avg("backlink_spam_score"),
        "The mean spam score of the links.",
    ),
    rc(
        "broken_backlinks",
        ColType::Int,
        false,
        1,
        Agg::CountIf("is_broken"),
        "Links pointing to a page answering 4xx or 5xx.",
    ),
    rc(
        "broken_pages",
        ColType::Int,
        false,
        1,
        Agg::DistinctIf("url_to", "is_broken"),
        "Linked pages answering 4xx or 5xx.",
    ),
    rc(
        "referring_domains",
        ColType::Int,
        false,
        1,
        Agg::Distinct("name_source"),
        "Distinct referring hosts (subdomains count separately).",
    ),
    rc(
        "referring_domains_nofollow",
        ColType::Int,
        false,
        1,
        Agg::DistinctIf("name_source", "is_nofollow"),
        "Referring hosts with at least one nofollow link.",
    ),
    rc(
        "referring_main_domains",
        ColType::Int,
        false,
        1,
        Agg::Distinct("root_name_source"),
        "Distinct referring root domains.",
    ),
    rc(
        "referring_main_domains_nofollow",
        ColType::Int,
        false,
        1,
        Agg::DistinctIf("root_name_source", "is_nofollow"),
        "Referring root domains with at least one nofollow link.",
    ),
    rc(
        "referring_ips",
        ColType::Int,
        false,
        1,
        Agg::Distinct("ip_source"),
        "Distinct IP addresses of the referring pages.",
    ),
    rc(
        "referring_subnets",
        ColType::Int,
        false,
        1,
        Agg::Distinct("subnet_source"),
        "Distinct /24 networks of the referring pages.",
    ),
    rc(
        "referring_pages",
        ColType::Int,
        false,
        1,
        Agg::Distinct("url_from"),
        "Distinct referring pages.",
    ),
    rc(
        "referring_pages_nofollow",
        ColType::Int,
        false,
        1,
        Agg::DistinctIf("url_from", "is_nofollow"),
        "Referring pages with at least one nofollow link.",
    ),
];

/// `refdomains` columns.
const REFDOMAINS_COLUMNS: &[ReportColumn] = &[
    rc(
        "dofollow_linked_domains",
        ColType::Int,
        false,
        1,
        Agg::Max("dofollow_linked_domains_source_domain"),
        "The number of unique root domains with dofollow links linked from the referring domain.",
    ),
    rc(
        "dofollow_links",
        ColType::Int,
        false,
        1,
        Agg::CountIf("is_dofollow"),
        "The number of links from the referring domain to your target that don't have the \"nofollow\" attribute.",
    ),
    rc(
        "dofollow_refdomains",
        ColType::Int,
        false,
        5,
        Agg::Max("dofollow_refdomains_source_domain"),
        "The number of unique domains with dofollow links to the referring domain.",
    ),
    rc(
        "domain",
        ColType::Str,
        false,
        1,
        Agg::Key,
        "A referring domain that has at least one link to your target.",
    ),
    rc(
        "domain_rating",
        ColType::Float,
        false,
        1,
        Agg::Max("domain_rating_source"),
        "The strength of a domain's backlink profile compared to the others in our database on a 100-point scale.",
    ),
    rc(
        "first_seen",
        ColType::DateTime,
        false,
        1,
        Agg::Min("first_seen_link"),
        "The date we first found a backlink to your target from the referring domain.",
    ),
    rc(
        "ip_source",
        ColType::Str,
        true,
        1,
        Agg::Max("ip_source"),
        "The referring domain IP address.",
    ),
    rc(
        "is_root_domain",
        ColType::Bool,
        false,
        1,
        Agg::RootKey,
        "The domain name is a root domain name.",
    ),
    rc(
        "is_spam",
        ColType::Bool,
        false,
        1,
        Agg::AnyTrue("is_spam"),
        "Indicates whether the backlink comes from a known spammy domain.",
    ),
    rc(
        "last_seen",
        ColType::DateTime,
        true,
        1,
        Agg::LastSeen,
        "The date your target lost its last live backlink for the referring domain.",
    ),
    rc(
        "links_to_target",
        ColType::Int,
        false,
        1,
        Agg::Count,
        "The number of backlinks from the referring domain to your target.",
    ),
    rc(
        "lost_links",
        ColType::Int,
        false,
        1,
        Agg::CountIf("is_lost"),
        "The number of backlinks lost from the referring domain for the selected time period.",
    ),
    rc(
        "new_links",
        ColType::Int,
        false,
        1,
        Agg::CountIf("is_new"),
        "The number of new backlinks found from the referring domain for the selected time period.",
    ),
    rc(
        "positions_source_domain",
        ColType::Int,
        false,
        1,
        Agg::Max("positions_source_domain"),
        "The number of keywords that the referring domain ranks for in the top 100 positions.",
    ),
    rc(
        "traffic_domain",
        ColType::Int,
        false,
        10,
        Agg::Max("traffic_domain"),
        "The referring domain's estimated monthly organic traffic from search.",
    ),
];

/// `anchors` columns.
const ANCHORS_COLUMNS: &[ReportColumn] = &[
    rc(
        "anchor",
        ColType::Str,
        false,
        1,
        Agg::Key,
        "The clickable words in a link that point to a URL.",
    ),
    rc(
        "dofollow_links",
        ColType::Int,
        false,
        1,
        Agg::CountIf("is_dofollow"),
        "The number of links with a given anchor to your target that don't have the \"nofollow\" attribute.",
    ),
    rc(
        "first_seen",
        ColType::DateTime,
        false,
        1,
        Agg::Min("first_seen_link"),
        "The date we first found a link with a given anchor to your target.",
    ),
    rc(
        "is_spam",
        ColType::Bool,
        false,
        1,
        Agg::AnyTrue("is_spam"),
        "Indicates whether the backlink comes from a known spammy domain.",
    ),
    rc(
        "last_seen",
        ColType::DateTime,
        true,
        1,
        Agg::LastSeen,
        "The date we discovered the last backlink with a given anchor was lost.",
    ),
    rc(
        "links_to_target",
        ColType::Int,
        false,
        1,
        Agg::Count,
        "The number of inbound backlinks your target has with a given anchor.",
    ),
    rc(
        "lost_links",
        ColType::Int,
        false,
        1,
        Agg::CountIf("is_lost"),
        "The number of backlinks with a given anchor lost during the selected time period.",
    ),
    rc(
        "new_links",
        ColType::Int,
        false,
        1,
        Agg::CountIf("is_new"),
        "The number of new backlinks with a given anchor found during the selected time period.",
    ),
    rc(
        "refdomains",
        ColType::Int,
        false,
        5,
        Agg::Distinct("root_name_source"),
        "The number of unique domains linking to your target with a given anchor.",
    ),
    rc(
        "refpages",
        ColType::Int,
        false,
        1,
        Agg::Distinct("url_from"),
        "The number of pages containing a link with a given anchor to your target.",
    ),
    rc(
        "top_domain_rating",
        ColType::Float,
        false,
        1,
        Agg::Max("domain_rating_source"),
        "The highest Domain Rating (DR) counted out of all referring domains. DR shows the strength of a website's backlink profile compared to the others in our database on a 100-point scale.",
    ),
];

/// `linkeddomains` columns.
const LINKEDDOMAINS_COLUMNS: &[ReportColumn] = &[
    rc(
        "dofollow_linked_domains",
        ColType::Int,
        false,
        1,
        Agg::Max("dofollow_linked_domains_target_domain"),
        "The number of unique root domains with dofollow links linked from the linked domain.",
    ),
    rc(
        "dofollow_links",
        ColType::Int,
        false,
        1,
        Agg::CountIf("is_dofollow"),
        "The number of links from your target to the linked domain that don't have the \"nofollow\" attribute.",
    ),
    rc(
        "dofollow_refdomains",
        ColType::Int,
        false,
        5,
        Agg::Max("dofollow_refdomains_target_domain"),
        "The number of unique domains with dofollow links to the linked domain.",
    ),
    rc(
        "domain",
        ColType::Str,
        false,
        1,
        Agg::Key,
        "A linked domain that has at least one link from your target.",
    ),
    rc(
        "domain_rating",
        ColType::Float,
        false,
        1,
        Agg::Max("domain_rating_target"),
        "The strength of a domain's backlink profile compared to the others in our database on a 100-point scale.",
    ),
    rc(
        "first_seen",
        ColType::DateTime,
        false,
        1,
        Agg::Min("first_seen_link"),
        "The date we first found a link to the linked domain from your target.",
    ),
    rc(
        "is_root_domain",
        ColType::Bool,
        false,
        1,
        Agg::RootKey,
        "The domain name is a root domain name.",
    ),
    rc(
        "linked_domain_traffic",
        ColType::Int,
        false,
        10,
        Agg::Imported,
        "The linked domain's estimated monthly organic traffic from search",
    ),
    rc(
        "linked_pages",
        ColType::Int,
        false,
        1,
        Agg::Distinct("url_to"),
        "The number of the domain's pages linked from your target.",
    ),
    rc(
        "links_from_target",
        ColType::Int,
        false,
        1,
        Agg::Count,
        "The number of links to the linked domain from your target.",
    ),
];

/// `linked-anchors-external` columns.
const LINKED_ANCHORS_EXTERNAL_COLUMNS: &[ReportColumn] = &[
    rc(
        "anchor",
        ColType::Str,
        false,
        1,
        Agg::Key,
        "The clickable words in a link that point to a URL.",
    ),
    rc(
        "dofollow_links",
        ColType::Int,
        false,
        1,
        Agg::CountIf("is_dofollow"),
        "The number of outbound links with a given anchor from your target that don't have the \"nofollow\" attribute.",
    ),
    rc(
        "first_seen",
        ColType::DateTime,
        false,
        1,
        Agg::Min("first_seen_link"),
        "The date we first found a link with a given anchor on your target.",
    ),
    rc(
        "linked_domains",
        ColType::Int,
        false,
        1,
        Agg::Distinct("root_name_target"),
        "The number of unique domains linked from your target with a given anchor.",
    ),
    rc(
        "linked_pages",
        ColType::Int,
        false,
        1,
        Agg::Distinct("url_to"),
        "The number of unique pages linked from your target with a given anchor.",
    ),
    rc(
        "links_from_target",
        ColType::Int,
        false,
        1,
        Agg::Count,
        "The number of outbound links your target has with a given anchor.",
    ),
];

/// `linked-anchors-internal` columns.
const LINKED_ANCHORS_INTERNAL_COLUMNS: &[ReportColumn] = &[
    rc(
        "anchor",
        ColType::Str,
        false,
        1,
        Agg::Key,
        "The clickable words in a link that point to a URL.",
    ),
    rc(
        "dofollow_links",
        ColType::Int,
        false,
        1,
        Agg::CountIf("is_dofollow"),
        "The number of outbound links with a given anchor from your target that don't have the \"nofollow\" attribute.",
    ),
    rc(
        "first_seen",
        ColType::DateTime,
        false,
        1,
        Agg::Min("first_seen_link"),
        "The date we first found a link with a given anchor on your target.",
    ),
    rc(
        "linked_pages",
        ColType::Int,
        false,
        1,
        Agg::Distinct("url_to"),
        "The number of unique pages linked from your target with a given anchor.",
    ),
    rc(
        "links_from_target",
        ColType::Int,
        false,
        1,
        Agg::Count,
        "The number of outbound links your target has with a given anchor.",
    ),
];

/// `pages-by-backlinks` columns.
const PAGES_BY_BACKLINKS_COLUMNS: &[ReportColumn] = &[
    rc(
        "dofollow_to_target",
        ColType::Int,
        false,
        1,
        Agg::CountIf("is_dofollow"),
        "The number of links to your target page that don't have the \"nofollow\" attribute.",
    ),
    rc(
        "first_seen_link",
        ColType::DateTime,
        false,
        1,
        Agg::Min("first_seen_link"),
        "The date we first found a link to your target.",
    ),
    rc(
        "http_code_target",
        ColType::Int,
        true,
        1,
        Agg::Max("http_code_target"),
        "The return code from HTTP protocol returned during the target page crawl.",
    ),
    rc(
        "is_spam",
        ColType::Bool,
        false,
        1,
        Agg::AnyTrue("is_spam"),
        "Indicates whether the backlink comes from a known spammy domain.",
    ),
    rc(
        "languages_target",
        ColType::StrList,
        false,
        1,
        Agg::First("languages_target"),
        "The languages listed in the target page metadata or detected by the crawler to appear in the HTML.",
    ),
    rc(
        "last_seen",
        ColType::DateTime,
        true,
        1,
        Agg::LastSeen,
        "The date your target page lost its last live link.",
    ),
    rc(
        "last_visited_source",
        ColType::DateTime,
        false,
        1,
        Agg::Max("last_visited"),
        "The date we last verified a live link to your target page.",
    ),
    rc(
        "last_visited_target",
        ColType::DateTime,
        true,
        1,
        Agg::Max("last_visited_target"),
        "The date we last crawled your target page.",
    ),
    rc(
        "links_to_target",
        ColType::Int,
        false,
        1,
        Agg::Count,
        "The number of inbound backlinks the target page has.",
    ),
    rc(
        "lost_links_to_target",
        ColType::Int,
        false,
        1,
        Agg::CountIf("is_lost"),
        "The number of backlinks lost during the selected time period.",
    ),
    rc(
        "new_links_to_target",
        ColType::Int,
        false,
        1,
        Agg::CountIf("is_new"),
        "The number of new backlinks found during the selected time period.",
    ),
    rc(
        "nofollow_to_target",
        ColType::Int,
        false,
        1,
        Agg::CountIf("is_nofollow"),
        "The number of links to your target page that have the \"nofollow\" attribute.",
    ),
    rc(
        "powered_by_target",
        ColType::StrList,
        false,
        1,
        Agg::First("powered_by_target"),
        "Web technologies used to build and serve the target page content.",
    ),
    rc(
        "redirects_to_target",
        ColType::Int,
        false,
        1,
        Agg::CountEq("link_type", "redirect"),
        "The number of inbound redirects to your target page.",
    ),
    rc(
        "refdomains_target",
        ColType::Int,
        false,
        5,
        Agg::Distinct("root_name_source"),
        "The number of unique referring domains linking to the target page.",
    ),
    rc(
        "target_redirect",
        ColType::Str,
        true,
        1,
        Agg::FirstRedirect,
        "The target's redirect if any.",
    ),
    rc(
        "title_target",
        ColType::Str,
        true,
        1,
        Agg::Max("title_target"),
        "The html title of the target page.",
    ),
    rc(
        "top_domain_rating_source",
        ColType::Float,
        false,
        1,
        Agg::Max("domain_rating_source"),
        "The highest Domain Rating (DR) counted out of all referring domains. DR shows the strength of a website's backlink profile compared to the others in our database on a 100-point scale.",
    ),
    rc(
        "url_rating_target",
        ColType::Float,
        true,
        1,
        Agg::Max("url_rating_target"),
        "The strength of the target page's backlink profile compared to the others in our database on a 100-point scale.",
    ),
    rc(
        "url_to",
        ColType::Url,
        false,
        1,
        Agg::Key,
        "The URL the backlink points to.",
    ),
    rc(
        "url_to_plain",
        ColType::Str,
        false,
        1,
        Agg::First("url_to_plain"),
        "The target page URL optimized for use as a filter.",
    ),
];

/// `pages-by-internal-links` columns.
const PAGES_BY_INTERNAL_LINKS_COLUMNS: &[ReportColumn] = &[
    rc(
        "canonical_to_target",
        ColType::Int,
        false,
        1,
        Agg::CountEq("link_type", "canonical"),
        "The number of inbound canonical links to your target page.",
    ),
    rc(
        "dofollow_to_target",
        ColType::Int,
        false,
        1,
        Agg::CountIf("is_dofollow"),
        "The number of links to your target page that don't have the \"nofollow\" attribute.",
    ),
    rc(
        "first_seen_link",
        ColType::DateTime,
        false,
        1,
        Agg::Min("first_seen_link"),
        "The date we first found a link to your target.",
    ),
    rc(
        "http_code_target",
        ColType::Int,
        true,
        1,
        Agg::Max("http_code_target"),
        "The return code from HTTP protocol returned during the target page crawl.",
    ),
    rc(
        "languages_target",
        ColType::StrList,
        false,
        1,
        Agg::First("languages_target"),
        "The languages listed in the target page metadata or detected by the crawler to appear in the HTML.",
    ),
    rc(
        "last_seen",
        ColType::DateTime,
        true,
        1,
        Agg::LastSeen,
        "The date your target page lost its last live link.",
    ),
    rc(
        "last_visited_source",
        ColType::DateTime,
        false,
        1,
        Agg::Max("last_visited"),
        "The date we last verified a live link to your target page.",
    ),
    rc(
        "last_visited_target",
        ColType::DateTime,
        true,
        1,
        Agg::Max("last_visited_target"),
        "The date we last crawled your target page.",
    ),
    rc(
        "links_to_target",
        ColType::Int,
        false,
        1,
        Agg::Count,
        "The number of inbound backlinks the target page has.",
    ),
    rc(
        "nofollow_to_target",
        ColType::Int,
        false,
        1,
        Agg::CountIf("is_nofollow"),
        "The number of links to your target page that have the \"nofollow\" attribute.",
    ),
    rc(
        "powered_by_target",
        ColType::StrList,
        false,
        1,
        Agg::First("powered_by_target"),
        "Web technologies used to build and serve the target page content.",
    ),
    rc(
        "redirects_to_target",
        ColType::Int,
        false,
        1,
        Agg::CountEq("link_type", "redirect"),
        "The number of inbound redirects to your target page.",
    ),
    rc(
        "target_redirect",
        ColType::Str,
        true,
        1,
        Agg::FirstRedirect,
        "The target's redirect if any.",
    ),
    rc(
        "title_target",
        ColType::Str,
        true,
        1,
        Agg::Max("title_target"),
        "The html title of the target page.",
    ),
    rc(
        "url_rating_target",
        ColType::Float,
        true,
        1,
        Agg::Max("url_rating_target"),
        "The strength of the target page's backlink profile compared to the others in our database on a 100-point scale.",
    ),
    rc(
        "url_to",
        ColType::Url,
        false,
        1,
        Agg::Key,
        "The URL the backlink points to.",
    ),
    rc(
        "url_to_plain",
        ColType::Str,
        false,
        1,
        Agg::First("url_to_plain"),
        "The target page URL optimized for use as a filter.",
    ),
];
#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::backlink_column;

    #[test]
    fn every_aggregate_reads_a_stored_link_column() {
        for report in REPORTS {
            assert!(
                backlink_column(report.group_by).is_some(),
                "{}",
                report.endpoint
            );
            assert!(
                report.column(report.default_order.0).is_some(),
                "{}",
                report.endpoint
            );
            for c in report.columns {
                let source = match c.agg {
                    Agg::CountIf(s)
                    | Agg::CountIfNot(s)
                    | Agg::CountEq(s, _)
                    | Agg::Distinct(s)
                    | Agg::Min(s)
                    | Agg::Max(s)
                    | Agg::First(s)
                    | Agg::AnyTrue(s) => s,
                    _ => continue,
                };
                assert!(
                    backlink_column(source).is_some(),
                    "{}.{} reads unknown {source}",
                    report.endpoint,
                    c.name
                );
            }
        }
    }

    #[test]
    fn ahrefs_v2_aggregates_read_stored_columns() {
        for report in AHREFS_V2_REPORTS {
            assert!(backlink_column(report.group_by).is_some());
            assert!(report.column(report.default_order.0).is_some());
            for c in report.columns {
                let source = match c.agg {
                    Agg::CountIf(s)
                    | Agg::CountIfNot(s)
                    | Agg::Distinct(s)
                    | Agg::Min(s)
                    | Agg::Max(s) => s,
                    _ => continue,
                };
                assert!(
                    backlink_column(source).is_some(),
                    "{}.{}",
                    report.endpoint,
                    c.name
                );
            }
        }
    }

    #[test]
    fn dataforseo_aggregates_read_stored_columns() {
        for report in DATAFORSEO_REPORTS {
            assert!(backlink_column(report.group_by).is_some());
            assert!(report.column(report.default_order.0).is_some());
        }
        for c in DATAFORSEO_COUNTERS {
            if let Agg::DistinctIf(a, b) = c.agg {
                assert!(backlink_column(a).is_some() && backlink_column(b).is_some());
            }
        }
    }

    #[test]
    fn units_follow_the_official_schema() {
        let r = report("refdomains").unwrap();
        assert_eq!(r.column("dofollow_refdomains").unwrap().cost, 5);
        assert_eq!(r.column("traffic_domain").unwrap().cost, 10);
        assert_eq!(
            report("anchors")
                .unwrap()
                .column("refdomains")
                .unwrap()
                .cost,
            5
        );
    }
}

/// One field of a single-object or history report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObjectField {
    pub name: &'static str,
    pub ty: ColType,
    pub nullable: bool,
    pub cost: u32,
    pub description: &'static str,
}

/// A report answering one object (`list: false`) or a dated series (`list: true`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ObjectReport {
    pub endpoint: &'static str,
    pub wrapper: &'static str,
    pub list: bool,
    /// Query parameters besides `output`.
    pub params: &'static [&'static str],
    pub fields: &'static [ObjectField],
}

impl ObjectReport {
    /// Units of one answer (one row): the sum of its fields' costs.
    pub fn row_cost(&self) -> u64 {
        self.fields.iter().map(|f| u64::from(f.cost)).sum()
    }
}

const fn of(
    name: &'static str,
    ty: ColType,
    nullable: bool,
    cost: u32,
    description: &'static str,
) -> ObjectField {
    ObjectField {
        name,
        ty,
        nullable,
        cost,
        description,
    }
}

pub fn object_report(endpoint: &str) -> Option<&'static ObjectReport> {
    OBJECT_REPORTS.iter().find(|r| r.endpoint == endpoint)
}

pub const OBJECT_REPORTS: &[ObjectReport] = &[
    ObjectReport {
        endpoint: "backlinks-stats",
        wrapper: "metrics",
        list: false,
        params: &["target", "mode", "protocol", "date"],
        fields: &[
            of(
                "all_time",
                ColType::Int,
                false,
                1,
                "The total number of links from other websites pointing to your target for all time.",
            ),
            of(
                "all_time_refdomains",
                ColType::Int,
                false,
                5,
                "The total number of unique domains linking to your target for all time.",
            ),
            of(
                "live",
                ColType::Int,
                false,
                1,
                "The total number of links from other websites pointing to your target.",
            ),
            of(
                "live_refdomains",
                ColType::Int,
                false,
                5,
                "The total number of unique domains linking to your target.",
            ),
        ],
    },
    ObjectReport {
        endpoint: "outlinks-stats",
        wrapper: "metrics",
        list: false,
        params: &["target", "mode", "protocol"],
        fields: &[
            of(
                "linked_domains",
                ColType::Int,
                false,
                1,
                "The number of unique root domains linked from your target.",
            ),
            of(
                "linked_domains_dofollow",
                ColType::Int,
                false,
                1,
                "The number of unique root domains linked from your target with dofollow links.",
            ),
            of(
                "outgoing_links",
                ColType::Int,
                false,
                1,
                "The number of external links from your target.",
            ),
            of(
                "outgoing_links_dofollow",
                ColType::Int,
                false,
                1,
                "The number of external dofollow links from your target.",
            ),
        ],
    },
    ObjectReport {
        endpoint: "domain-rating",
        wrapper: "domain_rating",
        list: false,
        params: &["target", "date", "protocol"],
        fields: &[
            of(
                "ahrefs_rank",
                ColType::Int,
                true,
                1,
                "The strength of your target's backlink profile compared to the other websites in our database, with rank #1 being the strongest.",
            ),
            of(
                "domain_rating",
                ColType::Float,
                false,
                1,
                "The strength of your target's backlink profile compared to the other websites in our database on a 100-point logarithmic scale.",
            ),
        ],
    },
    ObjectReport {
        endpoint: "domain-rating-history",
        wrapper: "domain_ratings",
        list: true,
        params: &["target", "date_from", "date_to", "history_grouping"],
        fields: &[
            of(
                "date",
                ColType::Date,
                false,
                0,
                "The first day of the period.",
            ),
            of(
                "domain_rating",
                ColType::Float,
                false,
                1,
                "The Domain Rating at the end of the period.",
            ),
        ],
    },
    ObjectReport {
        endpoint: "url-rating-history",
        wrapper: "url_ratings",
        list: true,
        params: &["target", "date_from", "date_to", "history_grouping"],
        fields: &[
            of(
                "date",
                ColType::Date,
                false,
                0,
                "The first day of the period.",
            ),
            of(
                "url_rating",
                ColType::Float,
                false,
                1,
                "The URL Rating at the end of the period.",
            ),
        ],
    },
    ObjectReport {
        endpoint: "refdomains-history",
        wrapper: "refdomains",
        list: true,
        params: &[
            "target",
            "mode",
            "protocol",
            "date_from",
            "date_to",
            "history_grouping",
        ],
        fields: &[
            of(
                "date",
                ColType::Date,
                false,
                0,
                "The first day of the period.",
            ),
            of(
                "refdomains",
                ColType::Int,
                false,
                5,
                "The total number of unique domains linking to your target.",
            ),
        ],
    },
];
