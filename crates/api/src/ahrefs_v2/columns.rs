//! The tables of Ahrefs API v2 (`from=`) and their columns, mapped onto the column catalogue
//! (values of link rows) and the report catalogue (values of grouped rows). [`LINK_COLUMNS`]
//! and [`TABLES`] are the only list of v2 columns: `select`, `where`, `having`, `order_by`,
//! the catalogue columns a query reads and the rendering of each value all come from them.

use anchorage_core::catalogue::BacklinkReport;
use anchorage_core::reports::{Report, ahrefs_v2_report};
use anchorage_query::History;
use serde_json::{Map, Value};

/// Semantic locations of template links, repeated on every page of a site: v2's `sitewide`
/// ("appears in all pages of a single website, such as in a footer or header").
pub const SITEWIDE_LOCATIONS: &[&str] = &["header", "nav", "footer"];

/// v2's link types; `href` covers text and image links alike.
pub const LINK_TYPES: &[&str] = &[
    "href",
    "redirect",
    "frame",
    "form",
    "canonical",
    "rss",
    "alternate",
];

/// How a v2 value of a link row is computed from catalogue columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link {
    /// The catalogue column as stored.
    Column(&'static str),
    /// A 0–100 rating (one decimal) shown as v2's integer, rounded half away from zero.
    Rounded(&'static str),
    /// A column that is null where v2 shows 0 (`redirect`: "the 3xx code, zero otherwise").
    ZeroIfNull(&'static str),
    /// A column that is null where v2 shows "" (`alt`: "if exists").
    EmptyIfNull(&'static str),
    /// The opposite of a boolean column (`nofollow` = not dofollow: v2 predates `ugc` and
    /// `sponsored`, and a link carrying either passes no authority, so it counts as nofollow).
    Not(&'static str),
    /// The first element of a list column (`language`).
    First(&'static str),
    /// `link_type` in v2's words: text and image links are both `href`.
    LinkType,
    /// A link in a header, nav or footer ([`SITEWIDE_LOCATIONS`]).
    Sitewide,
    /// On the referring page since its first crawl (`discovered_status = pagefound`).
    Original,
    /// `backlinks_new_lost.date`: when a lost link was found lost, else when it was found.
    EventDate,
    /// `backlinks_new_lost.type`: `lost` or `new`.
    EventType,
    /// `backlinks_new_lost.origin`: `drop` (lost because the index let the page go), `fresh`
    /// (found with the page's first crawl) or `recrawl` (found, or found gone, on a later crawl).
    Origin,
    /// `broken_backlinks.error`: the status of the broken target, as `404 Not Found`.
    HttpError,
}

impl Link {
    /// The catalogue columns the value is computed from.
    pub fn reads(&'static self) -> &'static [&'static str] {
        match self {
            Link::Column(c)
            | Link::Rounded(c)
            | Link::ZeroIfNull(c)
            | Link::EmptyIfNull(c)
            | Link::Not(c)
            | Link::First(c) => std::slice::from_ref(c),
            Link::LinkType => &["link_type"],
            Link::Sitewide => &["semantic_location"],
            Link::Original => &["discovered_status"],
            Link::EventDate => &["is_lost", "last_seen", "first_seen_link"],
            Link::EventType => &["is_lost"],
            Link::Origin => &["is_lost", "drop_reason", "discovered_status"],
            Link::HttpError => &["http_code_target"],
        }
    }

    /// The v2 value from a link row rendered by catalogue column name.
    pub fn render(self, row: &Map<String, Value>) -> Value {
        let get = |c: &str| row.get(c).cloned().unwrap_or(Value::Null);
        let text = |c: &str| row.get(c).and_then(Value::as_str).map(str::to_string);
        let is_lost = || row.get("is_lost").and_then(Value::as_bool).unwrap_or(false);
        match self {
            Link::Column(c) => get(c),
            Link::Rounded(c) => rounded(&get(c)),
            Link::ZeroIfNull(c) => or(get(c), Value::from(0)),
            Link::EmptyIfNull(c) => or(get(c), Value::from("")),
            Link::Not(c) => row
                .get(c)
                .and_then(Value::as_bool)
                .map_or(Value::Null, |b| Value::Bool(!b)),
            Link::First(c) => row
                .get(c)
                .and_then(Value::as_array)
                .and_then(|a| a.first())
                .cloned()
                .unwrap_or(Value::Null),
            Link::LinkType => {
                text("link_type").map_or(Value::Null, |t| Value::from(v2_link_type(&t)))
            }
            Link::Sitewide => Value::Bool(
                text("semantic_location").is_some_and(|l| SITEWIDE_LOCATIONS.contains(&l.as_str())),
            ),
            Link::Original => {
                Value::Bool(text("discovered_status").as_deref() == Some("pagefound"))
            }
            Link::EventDate => get(if is_lost() {
                "last_seen"
            } else {
                "first_seen_link"
            }),
            Link::EventType => Value::from(if is_lost() { "lost" } else { "new" }),
            Link::Origin => Value::from(if is_lost() {
                if row.get("drop_reason").is_some_and(|v| !v.is_null()) {
                    "drop"
                } else {
                    "recrawl"
                }
            } else if text("discovered_status").as_deref() == Some("pagefound") {
                "fresh"
            } else {
                "recrawl"
            }),
            Link::HttpError => row
                .get("http_code_target")
                .and_then(Value::as_u64)
                .and_then(|code| u16::try_from(code).ok())
                .map_or(Value::Null, |code| {
                    let reason = axum::http::StatusCode::from_u16(code)
                        .ok()
                        .and_then(|s| s.canonical_reason())
                        .unwrap_or("");
                    Value::from(format!("{code} {reason}").trim_end().to_string())
                }),
        }
    }

    /// The catalogue column `order_by` sorts on, and whether its order is reversed; `None`
    /// for values computed from several columns or cases, which cannot be sorted on.
    pub fn order(self) -> Option<(&'static str, bool)> {
        match self {
            Link::Column(c) | Link::Rounded(c) | Link::ZeroIfNull(c) | Link::EmptyIfNull(c) => {
                Some((c, false))
            }
            Link::Not(c) => Some((c, true)),
            _ => None,
        }
    }
}

/// The catalogue's link type in v2's words.
pub fn v2_link_type(stored: &str) -> &str {
    match stored {
        "text" | "image" => "href",
        other => other,
    }
}

/// How a v2 value of a grouped row comes from the report's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    /// The report column as computed.
    Column(&'static str),
    /// A 0–100 rating shown as v2's integer.
    Rounded(&'static str),
}

impl Group {
    pub fn name(self) -> &'static str {
        match self {
            Group::Column(c) | Group::Rounded(c) => c,
        }
    }

    pub fn render(self, row: &Map<String, Value>) -> Value {
        let value = row.get(self.name()).cloned().unwrap_or(Value::Null);
        match self {
            Group::Column(_) => value,
            Group::Rounded(_) => rounded(&value),
        }
    }
}

fn rounded(value: &Value) -> Value {
    value
        .as_f64()
        .map_or(Value::Null, |f| Value::from(f.round() as i64))
}

fn or(value: Value, default: Value) -> Value {
    if value.is_null() { default } else { value }
}

/// Which clauses may name a column of a grouped table.
pub type Clauses = u8;
pub const WHERE: Clauses = 1;
pub const HAVING: Clauses = 2;

/// One v2 column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct V2Column {
    pub name: &'static str,
    /// Its value on a link row: what link tables return, and what `where` tests in grouped
    /// tables (`None`: `where` tests the grouped value).
    pub link: Option<Link>,
    /// Its value on a grouped row (grouped tables: `select`, `having`, `order_by`).
    pub group: Option<Group>,
    /// In a grouped table, the clauses v2 allows it in. Link tables accept every column in
    /// both `where` and `having` (see [`Table::is_grouped`]).
    pub clauses: Clauses,
}

const fn link(name: &'static str, value: Link) -> V2Column {
    V2Column {
        name,
        link: Some(value),
        group: None,
        clauses: WHERE | HAVING,
    }
}

/// A column of a grouped table whose `where` tests its links.
const fn grouped(
    name: &'static str,
    link: Option<Link>,
    group: Option<Group>,
    clauses: Clauses,
) -> V2Column {
    V2Column {
        name,
        link,
        group,
        clauses,
    }
}

/// The columns of v2's link tables (`backlinks` and its kin), and the link columns `where`
/// may name in the grouped tables.
pub const LINK_COLUMNS: &[V2Column] = &[
    link("url_from", Link::Column("url_from")),
    link("url_to", Link::Column("url_to")),
    link("ahrefs_rank", Link::Rounded("url_rating_source")),
    link("domain_rating", Link::Rounded("domain_rating_source")),
    link("ahrefs_top", Link::Column("ahrefs_rank_target")),
    link("ip_from", Link::Column("ip_source")),
    link("links_internal", Link::Column("links_internal")),
    link("links_external", Link::Column("links_external")),
    link("page_size", Link::Column("page_size")),
    link("encoding", Link::Column("encoding")),
    link("language", Link::First("languages")),
    link("title", Link::Column("title")),
    link("first_seen", Link::Column("first_seen_link")),
    link("last_visited", Link::Column("last_visited")),
    link("prev_visited", Link::Column("prev_seen")),
    link("sitewide", Link::Sitewide),
    link("original", Link::Original),
    link("link_type", Link::LinkType),
    link("redirect", Link::ZeroIfNull("redirect_code")),
    link("nofollow", Link::Not("is_dofollow")),
    link("alt", Link::EmptyIfNull("alt")),
    link("anchor", Link::Column("anchor")),
    link("text_pre", Link::Column("snippet_left")),
    link("text_post", Link::Column("snippet_right")),
    // "The HTTP code for the Link URL": the linked-to URL's status.
    link("http_code", Link::Column("http_code_target")),
    link("url_from_first_seen", Link::Column("first_seen")),
];

/// What a table is a view of.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    /// One row per link of the backlink report, in the history window.
    Links {
        report: BacklinkReport,
        history: History,
    },
    /// One row per group of a v2 report; `both_kinds` counts internal and external links.
    Grouped {
        report: &'static str,
        both_kinds: bool,
    },
}

/// One `from=` table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Table {
    pub name: &'static str,
    /// The JSON key of the rows.
    pub wrapper: &'static str,
    /// The XML element of one row.
    pub item: &'static str,
    pub kind: Kind,
    /// The columns of `select=*`, in order.
    pub star: &'static [&'static str],
    /// Columns of this table only, found before [`LINK_COLUMNS`].
    pub own: &'static [V2Column],
    /// v2's price in rows: per request and per result row.
    pub rows_per_request: f64,
    pub rows_per_result: f64,
}

impl Table {
    pub fn is_grouped(&self) -> bool {
        matches!(self.kind, Kind::Grouped { .. })
    }

    /// The grouped table's report.
    pub fn report(&self) -> Option<&'static Report> {
        match self.kind {
            Kind::Grouped { report, .. } => ahrefs_v2_report(report),
            Kind::Links { .. } => None,
        }
    }

    /// A column by name: the table's own, else a link column (in grouped tables, usable in
    /// `where` only).
    pub fn column(&self, name: &str) -> Option<&'static V2Column> {
        self.own.iter().chain(LINK_COLUMNS).find(|c| c.name == name)
    }

    /// Whether `column` may be returned.
    pub fn selectable(&self, column: &V2Column) -> bool {
        if self.is_grouped() {
            column.group.is_some()
        } else {
            column.link.is_some()
        }
    }
}

/// `select=*` of the link tables.
const BACKLINKS_STAR: &[&str] = &[
    "url_from",
    "url_to",
    "ahrefs_rank",
    "domain_rating",
    "ahrefs_top",
    "ip_from",
    "links_internal",
    "links_external",
    "page_size",
    "encoding",
    "language",
    "title",
    "first_seen",
    "last_visited",
    "prev_visited",
    "sitewide",
    "original",
    "link_type",
    "redirect",
    "nofollow",
    "alt",
    "anchor",
    "text_pre",
    "text_post",
    "http_code",
    "url_from_first_seen",
];

pub const TABLES: &[Table] = &[
    Table {
        name: "backlinks",
        wrapper: "refpages",
        item: "refpage",
        kind: Kind::Links {
            report: BacklinkReport::AllBacklinks,
            history: History::Live,
        },
        star: BACKLINKS_STAR,
        own: &[],
        rows_per_request: 1.0,
        rows_per_result: 0.2,
    },
    Table {
        name: "broken_backlinks",
        wrapper: "refpages",
        item: "refpage",
        kind: Kind::Links {
            report: BacklinkReport::BrokenBacklinks,
            history: History::Live,
        },
        star: &[
            "url_from",
            "url_to",
            "ahrefs_rank",
            "domain_rating",
            "ip_from",
            "links_internal",
            "links_external",
            "page_size",
            "encoding",
            "title",
            "first_seen",
            "last_visited",
            "prev_visited",
            "sitewide",
            "original",
            "link_type",
            "redirect",
            "nofollow",
            "alt",
            "anchor",
            "text_pre",
            "text_post",
            "broken_at",
            "http_code",
            "error",
        ],
        own: &[
            // The latest check of the target, the one that found it broken.
            link("broken_at", Link::Column("last_visited_target")),
            link("error", Link::HttpError),
        ],
        rows_per_request: 1.0,
        rows_per_result: 5.0,
    },
    Table {
        name: "backlinks_new_lost",
        wrapper: "refpages",
        item: "refpage",
        // Every link, dated by its latest event: lost links when they were found lost, the
        // others when they were found.
        kind: Kind::Links {
            report: BacklinkReport::AllBacklinks,
            history: History::AllTime,
        },
        star: &[
            "date",
            "type",
            "ahrefs_rank",
            "domain_rating",
            "url_from",
            "url_to",
            "links_internal",
            "links_external",
            "encoding",
            "http_code",
            "title",
            "origin",
            "first_seen",
            "last_visited",
            "prev_visited",
            "sitewide",
            "original",
            "link_type",
            "redirect",
            "nofollow",
            "alt",
            "anchor",
            "text_pre",
            "text_post",
        ],
        own: &[
            link("date", Link::EventDate),
            link("type", Link::EventType),
            link("origin", Link::Origin),
            // "HTTP code that was last returned for the referring page".
            link("http_code", Link::Column("http_code")),
        ],
        rows_per_request: 1.0,
        rows_per_result: 0.2,
    },
    Table {
        name: "anchors",
        wrapper: "anchors",
        item: "anchor",
        kind: Kind::Grouped {
            report: "anchors",
            both_kinds: false,
        },
        star: &[
            "anchor",
            "backlinks",
            "refpages",
            "refdomains",
            "first_seen",
            "last_visited",
        ],
        own: &[
            grouped(
                "anchor",
                Some(Link::Column("anchor")),
                Some(Group::Column("anchor")),
                WHERE | HAVING,
            ),
            grouped(
                "backlinks",
                None,
                Some(Group::Column("backlinks")),
                WHERE | HAVING,
            ),
            grouped(
                "refpages",
                None,
                Some(Group::Column("refpages")),
                WHERE | HAVING,
            ),
            grouped(
                "refdomain",
                Some(Link::Column("root_name_source")),
                None,
                WHERE,
            ),
            grouped(
                "refdomains",
                None,
                Some(Group::Column("refdomains")),
                HAVING,
            ),
            grouped(
                "first_seen",
                Some(Link::Column("first_seen_link")),
                Some(Group::Column("first_seen")),
                WHERE | HAVING,
            ),
            grouped(
                "last_visited",
                Some(Link::Column("last_visited")),
                Some(Group::Column("last_visited")),
                WHERE | HAVING,
            ),
        ],
        rows_per_request: 1.0,
        rows_per_result: 1.0,
    },
    Table {
        name: "refdomains",
        wrapper: "refdomains",
        item: "refdomain",
        kind: Kind::Grouped {
            report: "refdomains",
            both_kinds: false,
        },
        star: &[
            "refdomain",
            "backlinks",
            "refpages",
            "first_seen",
            "last_visited",
            "domain_rating",
        ],
        own: &[
            // "Target of the request": the linked-to URL.
            grouped("url", Some(Link::Column("url_to")), None, WHERE),
            grouped("ip", Some(Link::Column("ip_source")), None, WHERE),
            grouped(
                "refdomain",
                Some(Link::Column("root_name_source")),
                Some(Group::Column("refdomain")),
                WHERE | HAVING,
            ),
            grouped(
                "backlinks",
                None,
                Some(Group::Column("backlinks")),
                WHERE | HAVING,
            ),
            grouped(
                "refpages",
                None,
                Some(Group::Column("refpages")),
                WHERE | HAVING,
            ),
            grouped(
                "first_seen",
                Some(Link::Column("first_seen_link")),
                Some(Group::Column("first_seen")),
                WHERE | HAVING,
            ),
            grouped(
                "last_visited",
                Some(Link::Column("last_visited")),
                Some(Group::Column("last_visited")),
                WHERE | HAVING,
            ),
            grouped(
                "domain_rating",
                None,
                Some(Group::Rounded("domain_rating")),
                HAVING,
            ),
        ],
        rows_per_request: 1.0,
        rows_per_result: 1.0,
    },
    Table {
        name: "linked_anchors",
        wrapper: "anchors",
        item: "anchor",
        kind: Kind::Grouped {
            report: "linked_anchors",
            both_kinds: true,
        },
        star: &["anchor", "links_internal", "links_external"],
        own: &[
            grouped(
                "anchor",
                Some(Link::Column("anchor")),
                Some(Group::Column("anchor")),
                WHERE | HAVING,
            ),
            grouped(
                "links_internal",
                None,
                Some(Group::Column("links_internal")),
                WHERE | HAVING,
            ),
            grouped(
                "links_external",
                None,
                Some(Group::Column("links_external")),
                WHERE | HAVING,
            ),
            // "IP address of the page" (the target's own page, the source of the link).
            grouped("ip", Some(Link::Column("ip_source")), None, WHERE),
        ],
        rows_per_request: 1.0,
        rows_per_result: 1.0,
    },
];

/// The table `from` names.
pub fn table(name: &str) -> Option<&'static Table> {
    TABLES.iter().find(|t| t.name == name)
}

/// The names of every table, for errors.
pub fn table_names() -> String {
    TABLES.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchorage_core::catalogue::backlink_column;

    #[test]
    fn every_column_reads_stored_columns() {
        for table in TABLES {
            for name in table.star {
                let column = table
                    .column(name)
                    .unwrap_or_else(|| panic!("{}.{name} is not defined", table.name));
                assert!(table.selectable(column), "{}.{name}", table.name);
            }
            for column in table.own.iter().chain(LINK_COLUMNS) {
                if let Some(link) = &column.link {
                    for c in link.reads() {
                        assert!(
                            backlink_column(c).is_some(),
                            "{}.{}: {c}",
                            table.name,
                            column.name
                        );
                    }
                }
            }
            if let Some(report) = table.report() {
                for column in table.own {
                    if let Some(group) = column.group {
                        assert!(
                            report.column(group.name()).is_some(),
                            "{}.{}",
                            table.name,
                            column.name
                        );
                    }
                }
            } else {
                assert!(!table.is_grouped(), "{}: no report", table.name);
            }
        }
    }

    #[test]
    fn derived_values() {
        let row: Map<String, Value> = serde_json::from_value(serde_json::json!({
            "link_type": "image", "semantic_location": "footer", "discovered_status": "linkfound",
            "is_lost": true, "last_seen": "2024-02-01T00:00:00Z", "first_seen_link": "2024-01-01T00:00:00Z",
            "drop_reason": null, "http_code_target": 404, "is_dofollow": false, "url_rating_source": 44.5,
            "redirect_code": null, "alt": null, "languages": ["de", "en"]
        }))
        .unwrap();
        let v = |l: Link| l.render(&row);
        assert_eq!(v(Link::LinkType), "href");
        assert_eq!(v(Link::Sitewide), true);
        assert_eq!(v(Link::Original), false);
        assert_eq!(v(Link::EventDate), "2024-02-01T00:00:00Z");
        assert_eq!(v(Link::EventType), "lost");
        assert_eq!(v(Link::Origin), "recrawl");
        assert_eq!(v(Link::HttpError), "404 Not Found");
        assert_eq!(v(Link::Not("is_dofollow")), true);
        assert_eq!(v(Link::Rounded("url_rating_source")), 45);
        assert_eq!(v(Link::ZeroIfNull("redirect_code")), 0);
        assert_eq!(v(Link::EmptyIfNull("alt")), "");
        assert_eq!(v(Link::First("languages")), "de");
    }
}
