//! Page-level facts from `<meta>` tags, JSON-LD and microdata.
//!
//! - **noindex / nofollow**: `<meta name=robots|googlebot content=…>` and the `X-Robots-Tag`
//!   header (lines without a user agent, or for `googlebot`); `none` means both. Other
//!   crawlers' names (`bingbot`) are ignored, as Anchorage reports what Google would honour.
//! - **author**, first found of: `<meta name=author>`, JSON-LD `author` (a string, an object's
//!   `name`, a `{"@id"}` reference resolved within the same JSON-LD, or the first of an array),
//!   `<meta property=article:author>` unless it is a URL (a profile link is not a name).
//!   Cleaned (entities decoded, whitespace collapsed) and capped at 256 characters.
//! - **publish_date** as `YYYY-MM-DD`, first found of: `article:published_time`, JSON-LD
//!   `datePublished`, microdata `itemprop=datePublished` (`<meta content>` or `<time
//!   datetime>`), `<meta name=date|dc.date|dc.date.issued|dcterms.created|…>`. Values must
//!   start with `YYYY-MM-DD`, `YYYY/MM/DD` or `YYYYMMDD` and give a real calendar date
//!   between 1900 and 2100; anything else is ignored.
//! - **page_type / page_category**: see [`crate::schema`].

use crate::schema::{self, Rank};
use crate::text;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Longest author name kept.
pub(crate) const MAX_AUTHOR_CHARS: usize = 256;
/// Longest title kept, in characters.
pub(crate) const MAX_TITLE_CHARS: usize = 1024;
/// Raw JSON-LD read per page, all blocks together.
const MAX_JSONLD_BYTES: usize = 512 * 1024;

/// Category evidence, in priority order.
#[derive(Debug, Clone, Copy)]
enum CategorySource {
    JsonLdSection = 0,
    JsonLdGenre = 1,
    MetaSection = 2,
    MetaCategory = 3,
    Breadcrumb = 4,
}

#[derive(Debug, Default)]
pub(crate) struct PageMeta {
    pub noindex: bool,
    pub nofollow: bool,
    author_meta: Option<String>,
    author_jsonld: Option<String>,
    author_article: Option<String>,
    date_article: Option<String>,
    date_jsonld: Option<String>,
    date_itemprop: Option<String>,
    date_meta: Option<String>,
    og_type: Option<&'static str>,
    schema_type: Option<(&'static str, Rank)>,
    categories: [Option<&'static str>; 5],
    /// `<meta http-equiv=content-language>`.
    pub content_language: Option<String>,
    jsonld_bytes: usize,
}

impl PageMeta {
    /// A `<meta>` tag's `name`/`property` (lower case), `itemprop`, `http-equiv` and raw
    /// `content`.
    pub(crate) fn meta(&mut self, key: &str, itemprop: &str, http_equiv: &str, raw: &str) {
        let decoded = text::decode_attr(raw);
        let content: &str = &decoded;
        if http_equiv.eq_ignore_ascii_case("content-language") {
            self.content_language
                .get_or_insert_with(|| content.to_string());
        }
        if itemprop.eq_ignore_ascii_case("datepublished") {
            set_date(&mut self.date_itemprop, content);
        }
        match key {
            "robots" | "googlebot" => robots(content, &mut self.noindex, &mut self.nofollow),
            "author" => set_collapsed(&mut self.author_meta, content),
            "article:author" if !looks_like_url(content) => {
                set_collapsed(&mut self.author_article, content)
            }
            "article:published_time" | "og:published_time" | "published_time" => {
                set_date(&mut self.date_article, content)
            }
            "date"
            | "dc.date"
            | "dc.date.issued"
            | "dc.date.created"
            | "dcterms.date"
            | "dcterms.issued"
            | "dcterms.created"
            | "pubdate"
            | "publishdate"
            | "publish-date"
            | "publish_date"
            | "citation_publication_date"
            | "citation_date"
            | "parsely-pub-date"
            | "sailthru.date" => set_date(&mut self.date_meta, content),
            "og:type" => {
                self.og_type = self.og_type.or_else(|| schema::page_type_of_og(content));
            }
            "article:section" => self.category(CategorySource::MetaSection, content),
            "category" => self.category(CategorySource::MetaCategory, content),
            _ => {}
        }
    }

    /// `<time itemprop=datePublished datetime=…>`.
    pub(crate) fn time_published(&mut self, datetime: &str) {
        set_date(&mut self.date_itemprop, datetime);
    }

    /// A microdata `itemtype` (may list several URLs).
    pub(crate) fn itemtype(&mut self, value: &str) {
        for t in value.split_ascii_whitespace() {
            self.schema_type(t);
        }
    }

    fn schema_type(&mut self, t: &str) {
        if let Some((path, rank)) = schema::page_type_of_schema(t)
            && self.schema_type.is_none_or(|(_, best)| rank < best)
        {
            self.schema_type = Some((path, rank));
        }
    }

    fn category(&mut self, source: CategorySource, label: &str) {
        let slot = &mut self.categories[source as usize];
        if slot.is_none() {
            *slot = schema::category(label);
        }
    }

    /// Bytes of JSON-LD the page may still have read.
    pub(crate) fn jsonld_room(&self) -> usize {
        MAX_JSONLD_BYTES.saturating_sub(self.jsonld_bytes)
    }

    /// One `<script type=application/ld+json>` block.
    pub(crate) fn jsonld(&mut self, raw: &str) {
        self.jsonld_bytes += raw.len();
        let Some(value) = parse_jsonld(raw) else {
            tracing::debug!("unparsable JSON-LD block ignored");
            return;
        };
        let mut nodes = Vec::new();
        collect_nodes(&value, 0, &mut nodes);
        let names = names_by_id(&nodes);
        for node in nodes {
            self.jsonld_node(node, &names);
        }
    }

    fn jsonld_node(&mut self, node: &Map<String, Value>, names: &HashMap<&str, &str>) {
        let types = strings(node.get("@type"));
        for t in &types {
            self.schema_type(t);
        }
        if types.iter().any(|t| t.ends_with("BreadcrumbList")) {
            self.breadcrumb(node);
        }
        if self.author_jsonld.is_none()
            && let Some(name) = node.get("author").and_then(|a| author_name(a, names))
        {
            // JSON strings are not HTML, but sites often put entities in them anyway.
            set_collapsed(&mut self.author_jsonld, &text::decode_attr(name));
        }
        if let Some(date) = node.get("datePublished").and_then(Value::as_str) {
            set_date(&mut self.date_jsonld, date);
        }
        if let Some(section) = strings(node.get("articleSection")).first() {
            self.category(CategorySource::JsonLdSection, section);
        }
        if let Some(genre) = strings(node.get("genre")).first() {
            self.category(CategorySource::JsonLdGenre, genre);
        }
    }

    fn breadcrumb(&mut self, node: &Map<String, Value>) {
        let Some(items) = node.get("itemListElement").and_then(Value::as_array) else {
            return;
        };
        for item in items {
            let name = item
                .get("name")
                .or_else(|| item.get("item").and_then(|i| i.get("name")))
                .and_then(Value::as_str);
            match name {
                Some(n) if n.trim().eq_ignore_ascii_case("home") => continue,
                Some(n) => {
                    self.category(CategorySource::Breadcrumb, n);
                    if self.categories[CategorySource::Breadcrumb as usize].is_some() {
                        return;
                    }
                }
                None => {}
            }
        }
    }

    pub(crate) fn author(&self) -> Option<String> {
        self.author_meta
            .clone()
            .or_else(|| self.author_jsonld.clone())
            .or_else(|| self.author_article.clone())
    }

    pub(crate) fn publish_date(&self) -> Option<String> {
        self.date_article
            .clone()
            .or_else(|| self.date_jsonld.clone())
            .or_else(|| self.date_itemprop.clone())
            .or_else(|| self.date_meta.clone())
    }

    pub(crate) fn page_type(&self) -> Option<String> {
        self.schema_type
            .map(|(p, _)| p)
            .or(self.og_type)
            .map(str::to_string)
    }

    pub(crate) fn page_category(&self) -> Option<String> {
        self.categories
            .iter()
            .flatten()
            .next()
            .map(|c| c.to_string())
    }
}

/// Applies a robots directive list (`noindex, nofollow`, `none`, `googlebot: noindex`).
pub(crate) fn robots(value: &str, noindex: &mut bool, nofollow: &mut bool) {
    // Directives that contain a colon themselves and are not a user-agent prefix.
    const COLON_DIRECTIVES: &[&str] = &[
        "unavailable_after",
        "max-snippet",
        "max-image-preview",
        "max-video-preview",
    ];
    let mut applies = true;
    for token in value.split(',') {
        let mut directive = token.trim();
        if let Some((prefix, rest)) = directive.split_once(':') {
            let prefix = prefix.trim();
            if !COLON_DIRECTIVES
                .iter()
                .any(|d| prefix.eq_ignore_ascii_case(d))
            {
                applies = prefix.eq_ignore_ascii_case("googlebot") || prefix == "*";
                directive = rest.trim();
            }
        }
        if !applies {
            continue;
        }
        if directive.eq_ignore_ascii_case("noindex") {
            *noindex = true;
        } else if directive.eq_ignore_ascii_case("nofollow") {
            *nofollow = true;
        } else if directive.eq_ignore_ascii_case("none") {
            *noindex = true;
            *nofollow = true;
        }
    }
}

fn set_collapsed(slot: &mut Option<String>, value: &str) {
    if slot.is_none() {
        let clean = text::collapse(value, MAX_AUTHOR_CHARS);
        if !clean.is_empty() {
            *slot = Some(clean);
        }
    }
}

fn set_date(slot: &mut Option<String>, value: &str) {
    if slot.is_none() {
        *slot = parse_date(value);
    }
}

fn looks_like_url(s: &str) -> bool {
    let s = s.trim_start();
    s.starts_with("http://") || s.starts_with("https://") || s.starts_with("//")
}

/// `YYYY-MM-DD…`, `YYYY/MM/DD…` or `YYYYMMDD…` → `YYYY-MM-DD` when it is a real date.
pub(crate) fn parse_date(value: &str) -> Option<String> {
    let b = value.trim().as_bytes();
    let digits = |s: &[u8]| -> Option<u32> {
        s.iter().try_fold(0u32, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
        })
    };
    let (y, m, d, rest) = if b.len() >= 10 && (b[4] == b'-' || b[4] == b'/') && b[7] == b[4] {
        (
            digits(&b[..4])?,
            digits(&b[5..7])?,
            digits(&b[8..10])?,
            &b[10..],
        )
    } else if b.len() >= 8 {
        (
            digits(&b[..4])?,
            digits(&b[4..6])?,
            digits(&b[6..8])?,
            &b[8..],
        )
    } else {
        return None;
    };
    // A longer run of digits is not a date (a timestamp, an id).
    if rest.first().is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) => 29,
        2 => 28,
        _ => return None,
    };
    ((1900..=2100).contains(&y) && (1..=days).contains(&d)).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Parses a JSON-LD block leniently: HTML comment and CDATA wrappers and a trailing `;` are
/// tolerated.
fn parse_jsonld(raw: &str) -> Option<Value> {
    let mut s = raw.trim();
    for (open, close) in [
        ("<!--", "-->"),
        ("//<![CDATA[", "//]]>"),
        ("<![CDATA[", "]]>"),
    ] {
        if let Some(inner) = s.strip_prefix(open) {
            s = inner.trim_end().strip_suffix(close).unwrap_or(inner).trim();
        }
    }
    let s = s.strip_suffix(';').unwrap_or(s);
    serde_json::from_str(s).ok()
}

/// Every object node: top-level values, array members, `@graph` members and `mainEntity`.
fn collect_nodes<'a>(v: &'a Value, depth: usize, out: &mut Vec<&'a Map<String, Value>>) {
    if depth > 4 {
        return;
    }
    match v {
        Value::Array(items) => items.iter().for_each(|i| collect_nodes(i, depth + 1, out)),
        Value::Object(map) => {
            out.push(map);
            for key in ["@graph", "mainEntity"] {
                if let Some(inner) = map.get(key) {
                    collect_nodes(inner, depth + 1, out);
                }
            }
        }
        _ => {}
    }
}

fn names_by_id<'a>(nodes: &[&'a Map<String, Value>]) -> HashMap<&'a str, &'a str> {
    nodes
        .iter()
        .filter_map(|n| {
            let id = n.get("@id")?.as_str()?;
            let name = n.get("name")?.as_str()?;
            Some((id, name))
        })
        .collect()
}

/// `"Jane"`, `{"name": "Jane"}`, `{"@id": "#jane"}` or an array of those → the first name.
fn author_name<'a>(v: &'a Value, names: &HashMap<&str, &'a str>) -> Option<&'a str> {
    match v {
        Value::String(s) if !looks_like_url(s) => Some(s),
        Value::Object(map) => map.get("name").and_then(Value::as_str).or_else(|| {
            let id = map.get("@id")?.as_str()?;
            names.get(id).copied()
        }),
        Value::Array(items) => items.iter().find_map(|i| author_name(i, names)),
        _ => None,
    }
}

/// A string or an array of strings.
fn strings(v: Option<&Value>) -> Vec<&str> {
    match v {
        Some(Value::String(s)) => vec![s.as_str()],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn robots_directives() {
        let (mut ni, mut nf) = (false, false);
        robots("NOINDEX, follow", &mut ni, &mut nf);
        assert!(ni && !nf);
        let (mut ni, mut nf) = (false, false);
        robots("none", &mut ni, &mut nf);
        assert!(ni && nf);
        let (mut ni, mut nf) = (false, false);
        robots("bingbot: noindex, nofollow", &mut ni, &mut nf);
        assert!(!ni && !nf);
        robots("googlebot: nofollow", &mut ni, &mut nf);
        assert!(!ni && nf);
        let (mut ni, mut nf) = (false, false);
        robots(
            "unavailable_after: 25 Jun 2010 15:00:00 PST, noindex",
            &mut ni,
            &mut nf,
        );
        assert!(ni && !nf);
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("2024-05-20T10:00:00+02:00").as_deref(),
            Some("2024-05-20")
        );
        assert_eq!(parse_date(" 2019/02/28 ").as_deref(), Some("2019-02-28"));
        assert_eq!(parse_date("20240229").as_deref(), Some("2024-02-29"));
        assert_eq!(parse_date("20230229"), None);
        assert_eq!(parse_date("2024-13-01"), None);
        assert_eq!(parse_date("1700000000"), None);
        assert_eq!(parse_date("May 5, 2020"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn json_ld_graph_with_references() {
        let mut m = PageMeta::default();
        m.jsonld(
            r##"<!-- {"@context":"https://schema.org","@graph":[
              {"@type":"WebPage","@id":"#page","name":"Page"},
              {"@type":["NewsArticle"],"author":{"@id":"#jane"},"datePublished":"2023-11-02T08:00:00Z",
               "articleSection":["Premier League Football","Other"]},
              {"@type":"Person","@id":"#jane","name":"Jane  Doe"},
              {"@type":"BreadcrumbList","itemListElement":[{"name":"Home"},{"item":{"name":"Travel"}}]}
            ]} -->"##,
        );
        assert_eq!(m.author().as_deref(), Some("Jane Doe"));
        assert_eq!(m.publish_date().as_deref(), Some("2023-11-02"));
        assert_eq!(m.page_type().as_deref(), Some("/Article/NewsArticle"));
        assert_eq!(m.page_category().as_deref(), Some("/Sports"));
    }

    #[test]
    fn meta_tags_and_priorities() {
        let mut m = PageMeta::default();
        m.meta("article:author", "", "", "https://facebook.com/jane");
        m.meta("date", "", "", "2020-01-01");
        m.meta("og:type", "", "", "article");
        m.meta("category", "", "", "Recipes");
        assert_eq!(m.author(), None);
        assert_eq!(m.publish_date().as_deref(), Some("2020-01-01"));
        m.meta("article:published_time", "", "", "2021-03-04T05:06:07Z");
        assert_eq!(m.publish_date().as_deref(), Some("2021-03-04"));
        assert_eq!(m.page_type().as_deref(), Some("/Article"));
        assert_eq!(m.page_category().as_deref(), Some("/Food_and_Drink"));
        m.itemtype("http://schema.org/Recipe");
        assert_eq!(m.page_type().as_deref(), Some("/Recipe"));
        m.jsonld("not json");
        m.meta("author", "", "", "  John &amp; Jane ");
        assert_eq!(m.author().as_deref(), Some("John & Jane"));
    }
}
