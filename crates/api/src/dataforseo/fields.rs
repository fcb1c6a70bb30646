//! DataForSEO's backlink item, field by field, mapped onto the column catalogue.
//!
//! [`BACKLINK_ITEM`] is the only list of DataForSEO backlink fields: the item rendering, the
//! columns a `backlinks` query reads, which fields `filters` and `order_by` accept (and their
//! DataForSEO types for `available_filters`) are all derived from it. Types and nullability
//! come from the catalogue column each field reads.

use super::filters::{Derivation, FilterField};
use crate::geoip::{GeoIp, host_country};
use anchorage_core::catalogue::{ColType, Column, backlink_column};
use anchorage_query::backlinks::SortDerivation;
use anchorage_query::filter::{
    CmpOp, Condition, ElementFilter, Field, Filter, Modifier, Quantifier, TextOp, Value as Test,
};
use anchorage_query::indirect::StepKind;
use anchorage_query::{GroupKey, OrderBy};
use serde_json::{Map, Value, json};

/// DataForSEO's `rank_scale`: ranks are 0–1000 (`one_thousand`, the default) or 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankScale {
    OneThousand,
    OneHundred,
}

impl RankScale {
    pub const NAMES: &'static [&'static str] = &["one_thousand", "one_hundred"];

    pub fn parse(name: &str) -> Self {
        if name == "one_hundred" {
            RankScale::OneHundred
        } else {
            RankScale::OneThousand
        }
    }

    /// How many rank points one point of DR/UR (0–100) is worth.
    pub fn factor(self) -> f64 {
        match self {
            RankScale::OneThousand => 10.0,
            RankScale::OneHundred => 1.0,
        }
    }

    /// A 0–100 rating as a DataForSEO rank: always a JSON integer (the client rejects 23.0).
    pub fn rank(self, rating: &Value) -> Value {
        rating.as_f64().map_or(Value::Null, |r| {
            Value::from((r * self.factor()).round() as i64)
        })
    }
}

/// Where a field's value comes from.
#[derive(Debug, Clone, Copy)]
pub enum Source {
    /// A catalogue column, as stored.
    Column(&'static str),
    /// A 0–100 rating column, served on the request's rank scale.
    Rank(&'static str),
    /// Computed from the row's columns (the listed ones); filterable when the field says how
    /// ([`ItemField::filter_as`]).
    Derived(&'static [&'static str], fn(&Map<String, Value>) -> Value),
    /// A value the index does not have (null) or a constant.
    Fixed(fn() -> Value),
}

#[derive(Debug, Clone, Copy)]
pub struct ItemField {
    pub name: &'static str,
    pub source: Source,
    /// For a derived field: the stored column `filters` test instead, and how the field
    /// derives from it.
    pub filter_as: Option<(&'static str, Derivation)>,
}

impl ItemField {
    const fn filtered_as(mut self, column: &'static str, derivation: Derivation) -> Self {
        self.filter_as = Some((column, derivation));
        self
    }

    /// A field computed outside the tables whose filters are bound per request
    /// ([`super::lookups`]).
    const fn looked_up(mut self, ty: ColType) -> Self {
        self.filter_as = Some((self.name, Derivation::Lookup(ty)));
        self
    }
}

const fn column(name: &'static str, col: &'static str) -> ItemField {
    ItemField {
        name,
        source: Source::Column(col),
        filter_as: None,
    }
}

const fn rank(name: &'static str, col: &'static str) -> ItemField {
    ItemField {
        name,
        source: Source::Rank(col),
        filter_as: None,
    }
}

const fn derived(
    name: &'static str,
    inputs: &'static [&'static str],
    f: fn(&Map<String, Value>) -> Value,
) -> ItemField {
    ItemField {
        name,
        source: Source::Derived(inputs, f),
        filter_as: None,
    }
}

const fn fixed(name: &'static str, f: fn() -> Value) -> ItemField {
    ItemField {
        name,
        source: Source::Fixed(f),
        filter_as: None,
    }
}

fn text<'a>(row: &'a Map<String, Value>, name: &str) -> &'a str {
    row.get(name).and_then(Value::as_str).unwrap_or_default()
}

fn is_https(row: &Map<String, Value>, name: &str) -> Value {
    Value::Bool(text(row, name).starts_with("https:"))
}

/// The last label of a host.
pub fn tld(host: &str) -> &str {
    host.rsplit('.').next().unwrap_or(host)
}

/// The first element of a list column, or null.
fn first_of(row: &Map<String, Value>, name: &str) -> Value {
    row.get(name)
        .and_then(Value::as_array)
        .and_then(|a| a.first())
        .cloned()
        .unwrap_or(Value::Null)
}

/// A DataForSEO platform type and the signals of the referring page that give it: its
/// software (`powered_by`) or its declared schema.org type (`page_type_source`).
struct PlatformRule {
    name: &'static str,
    software: &'static [&'static str],
    page_types: &'static [&'static str],
}

/// The platform types, in DataForSEO's order, and what assigns each:
///
/// | signal | platform type |
/// |---|---|
/// | WordPress, Drupal, Joomla, TYPO3, Ghost, Blogger, Wix, Squarespace, Webflow | cms |
/// | Ghost, Blogger; page type /Article/BlogPosting | blogs |
/// | Shopify; page type /Product or /Checkout | ecommerce |
/// | page type /Forum_post or /QA | message-boards |
/// | MediaWiki | wikis |
/// | page type /Article/NewsArticle | news |
///
/// `organization` needs a judgement about the site's owner that no page signal gives, so it is
/// never assigned.
const PLATFORM_RULES: &[PlatformRule] = &[
    PlatformRule {
        name: "cms",
        software: &[
            "WordPress",
            "Drupal",
            "Joomla",
            "TYPO3",
            "Ghost",
            "Blogger",
            "Wix",
            "Squarespace",
            "Webflow",
        ],
        page_types: &[],
    },
    PlatformRule {
        name: "blogs",
        software: &["Ghost", "Blogger"],
        page_types: &["/Article/BlogPosting"],
    },
    PlatformRule {
        name: "ecommerce",
        software: &["Shopify"],
        page_types: &["/Product", "/Checkout"],
    },
    PlatformRule {
        name: "message-boards",
        software: &[],
        page_types: &["/Forum_post", "/QA"],
    },
    PlatformRule {
        name: "wikis",
        software: &["MediaWiki"],
        page_types: &[],
    },
    PlatformRule {
        name: "news",
        software: &[],
        page_types: &["/Article/NewsArticle"],
    },
];

/// DataForSEO's platform types of the referring page ([`PLATFORM_RULES`]); null when the page
/// reveals none.
pub fn platform_types(row: &Map<String, Value>) -> Value {
    let software: Vec<&str> = row
        .get("powered_by")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let page_type = text(row, "page_type_source");
    let types: Vec<Value> = PLATFORM_RULES
        .iter()
        .filter(|rule| {
            software.iter().any(|s| rule.software.contains(s))
                || rule.page_types.contains(&page_type)
        })
        .map(|rule| Value::from(rule.name))
        .collect();
    if types.is_empty() {
        Value::Null
    } else {
        Value::Array(types)
    }
}

/// The rows whose platform types hold `name`: the same rule as [`platform_types`], as a
/// filter. Every part is false (never null) where a column is null, so `has_not` keeps the
/// pages that reveal nothing.
fn has_platform_type(name: &str) -> Option<Filter> {
    let rule = PLATFORM_RULES.iter().find(|r| r.name == name)?;
    let names = |list: &[&str]| list.iter().map(|n| Test::Str(n.to_string())).collect();
    let mut signals = Vec::new();
    if !rule.software.is_empty() {
        signals.push(Filter::List {
            column: stored("powered_by"),
            quantifier: Quantifier::Any,
            element: ElementFilter::Cond(Condition::In(names(rule.software))),
        });
    }
    if !rule.page_types.is_empty() {
        signals.push(Filter::And(vec![
            Filter::Not(Box::new(test("page_type_source", Condition::IsNull))),
            test("page_type_source", Condition::In(names(rule.page_types))),
        ]));
    }
    Some(Filter::Or(signals))
}

/// The rel values DataForSEO's `attributes` lists, each with the column that flags it.
pub const REL_ATTRIBUTES: [(&str, &str); 3] = [
    ("is_nofollow", "nofollow"),
    ("is_ugc", "ugc"),
    ("is_sponsored", "sponsored"),
];

/// The rel values of a link as DataForSEO lists them; null when there are none.
fn attributes(row: &Map<String, Value>) -> Value {
    let present: Vec<Value> = REL_ATTRIBUTES
        .iter()
        .filter(|(c, _)| row.get(*c).and_then(Value::as_bool) == Some(true))
        .map(|(_, name)| Value::from(*name))
        .collect();
    if present.is_empty() {
        Value::Null
    } else {
        Value::Array(present)
    }
}

/// The grouped-row count of `mode`/`custom_mode`; a row stands for itself in `as_is`.
fn group_count(row: &Map<String, Value>) -> Value {
    match row.get(anchorage_query::LINK_GROUP_COUNT) {
        Some(Value::Number(n)) => Value::Number(n.clone()),
        _ => Value::from(1),
    }
}

/// A catalogue column as a filter field (the names below are catalogue columns: the test
/// `every_filterable_field_builds_its_filter` builds each).
fn stored(name: &str) -> Field {
    Field::from(backlink_column(name).expect("a catalogue column"))
}

fn test(column: &str, condition: Condition) -> Filter {
    Filter::Cond {
        column: stored(column),
        modifier: None,
        condition,
    }
}

fn starts_https(column: &str) -> Filter {
    test(column, Condition::Text(TextOp::Prefix, "https:".into()))
}

fn is_true(column: &str) -> Filter {
    test(column, Condition::Cmp(CmpOp::Eq, Test::Bool(true)))
}

/// `attributes` holds a rel value where its flag is set.
fn has_attribute(name: &str) -> Option<Filter> {
    let (column, _) = REL_ATTRIBUTES.iter().find(|(_, n)| *n == name)?;
    Some(is_true(column))
}

/// The fields of a `backlinks` item, in the official order.
pub const BACKLINK_ITEM: &[ItemField] = &[
    fixed("type", || Value::from("backlink")),
    column("domain_from", "name_source"),
    column("url_from", "url_from"),
    derived("url_from_https", &["url_from"], |r| is_https(r, "url_from"))
        .filtered_as("url_from", Derivation::Flag(|| starts_https("url_from"))),
    column("domain_to", "name_target"),
    column("url_to", "url_to"),
    derived("url_to_https", &["url_to"], |r| is_https(r, "url_to"))
        .filtered_as("url_to", Derivation::Flag(|| starts_https("url_to"))),
    derived("tld_from", &["name_source"], |r| {
        Value::from(tld(text(r, "name_source")))
    })
    .filtered_as("name_source", Derivation::Modified(Modifier::LastLabel)),
    column("is_new", "is_new"),
    column("is_lost", "is_lost"),
    column("backlink_spam_score", "backlink_spam_score"),
    // A backlink passes its referring page's strength: Anchorage serves the page's UR.
    rank("rank", "url_rating_source"),
    rank("page_from_rank", "url_rating_source"),
    rank("domain_from_rank", "domain_rating_source"),
    derived(
        "domain_from_platform_type",
        &["powered_by", "page_type_source"],
        platform_types,
    )
    .filtered_as("powered_by", Derivation::Flags(has_platform_type)),
    derived("domain_from_is_ip", &["name_source"], |r| {
        Value::Bool(anchorage_core::domain::is_ip(text(r, "name_source")))
    })
    .filtered_as(
        "name_source",
        // `domain::is_ip` on normalised hosts: a bracketed IPv6 literal or a dotted quad.
        Derivation::Flag(|| {
            test(
                "name_source",
                Condition::Regex(r"^\[|^[0-9]{1,3}(\.[0-9]{1,3}){3}$".into()),
            )
        }),
    ),
    column("domain_from_ip", "ip_source"),
    // The referring host's country, which `enrich` adds (README "Countries").
    derived("domain_from_country", &["name_source", "ip_source"], |r| {
        r.get(COUNTRY).cloned().unwrap_or_else(|| {
            anchorage_core::domain::cctld_country(text(r, "name_source"))
                .map_or(Value::Null, Value::from)
        })
    })
    .looked_up(ColType::Str),
    column("page_from_external_links", "links_external"),
    column("page_from_internal_links", "links_internal"),
    column("page_from_size", "page_size"),
    column("page_from_encoding", "encoding"),
    derived("page_from_language", &["languages"], |r| {
        first_of(r, "languages")
    })
    .filtered_as("languages", Derivation::Modified(Modifier::First)),
    column("page_from_title", "title"),
    column("page_from_status_code", "http_code"),
    column("first_seen", "first_seen_link"),
    column("prev_seen", "prev_seen"),
    // DataForSEO's last_seen is the latest visit that saw the link (Ahrefs' last_seen is
    // when it was found lost).
    column("last_seen", "last_visited"),
    column("item_type", "item_type"),
    derived(
        "attributes",
        &["is_nofollow", "is_ugc", "is_sponsored"],
        attributes,
    )
    .filtered_as("is_nofollow", Derivation::Flags(has_attribute)),
    column("dofollow", "is_dofollow"),
    derived("original", &["discovered_status"], |r| {
        Value::Bool(text(r, "discovered_status") == "pagefound")
    })
    .filtered_as(
        "discovered_status",
        Derivation::Flag(|| {
            test(
                "discovered_status",
                Condition::Cmp(CmpOp::Eq, Test::Str("pagefound".into())),
            )
        }),
    ),
    column("alt", "alt"),
    column("image_url", "image_url"),
    column("anchor", "anchor"),
    column("text_pre", "snippet_left"),
    column("text_post", "snippet_right"),
    column("semantic_location", "semantic_location"),
    column("links_count", "links_count"),
    // Tested on the groups, after the other conditions chose the links.
    derived("group_count", &[], group_count)
        .filtered_as(anchorage_query::LINK_GROUP_COUNT, Derivation::AsStored),
    column("is_broken", "is_broken"),
    column("url_to_status_code", "http_code_target"),
    // The linked-to root domain's link-farm score, which `enrich` adds.
    derived("url_to_spam_score", &["root_name_target"], |r| {
        r.get(TARGET_SPAM_SCORE).cloned().unwrap_or(Value::Null)
    })
    .looked_up(ColType::Int),
    derived("url_to_redirect_target", &["url_redirect"], |r| {
        r.get("url_redirect")
            .and_then(Value::as_array)
            .and_then(|a| a.last())
            .cloned()
            .unwrap_or(Value::Null)
    })
    .filtered_as("url_redirect", Derivation::Modified(Modifier::Last)),
    derived(
        "ranked_keywords_info",
        &["positions_top_3", "positions_top_10", "positions"],
        ranked_keywords_info,
    ),
    derived("is_indirect_link", &["url_to"], |r| {
        Value::Bool(r.contains_key(INDIRECT))
    })
    .looked_up(ColType::Bool),
    derived("indirect_link_path", &["url_to"], indirect_link_path),
];

/// The referring page's ranking keywords, from `anchorage import-metrics` (README "Imported
/// figures"); null when nothing was imported for the page (`positions` is 0 then).
fn ranked_keywords_info(row: &Map<String, Value>) -> Value {
    let figure = |name: &str| row.get(name).cloned().unwrap_or(Value::Null);
    let (top_3, top_10) = (figure("positions_top_3"), figure("positions_top_10"));
    let top_100 = figure("positions");
    if top_3.is_null() && top_10.is_null() && top_100.as_i64().unwrap_or(0) == 0 {
        return Value::Null;
    }
    json!({
        "page_from_keywords_count_top_3": top_3,
        "page_from_keywords_count_top_10": top_10,
        "page_from_keywords_count_top_100": top_100,
    })
}

/// How an indirect link reaches the target, step by step: each redirect of the chain (its
/// status code is the code of the redirect that leads to it) and each canonical (with the
/// code of the page that names it), as [`mark_indirect`] left it.
fn indirect_link_path(row: &Map<String, Value>) -> Value {
    row.get(INDIRECT).cloned().unwrap_or(Value::Null)
}

/// Marks the rows whose link reaches the target only through redirects or canonicals
/// (`indirect`, from [`super::backlinks::add_indirect`]) with the path they take.
pub fn mark_indirect(indirect: &super::backlinks::Indirect, rows: &mut [Map<String, Value>]) {
    for row in rows {
        let Some(path) = indirect.get(text(row, "url_to")) else {
            continue;
        };
        let steps = path.iter().map(|step| {
            let kind = match step.kind {
                StepKind::Redirect => "redirect",
                StepKind::Canonical => "canonical",
            };
            json!({"type": kind, "status_code": step.status_code, "url": step.url})
        });
        row.insert(INDIRECT.into(), Value::Array(steps.collect()));
    }
}

/// Where [`enrich`] puts a row's `url_to_spam_score` and `domain_from_country`.
const TARGET_SPAM_SCORE: &str = "_url_to_spam_score";
const COUNTRY: &str = "_domain_from_country";
/// Set by [`mark_indirect`]: the steps of an indirect link.
const INDIRECT: &str = "_indirect";

/// Adds to each row what is not in its columns: the link-farm score (README "Spam") of its
/// linked-to root domain, looked up once per distinct domain (none for a domain the index has
/// not scored), and the referring host's country ([`host_country`]).
pub async fn enrich(
    engine: &anchorage_query::Engine,
    geoip: Option<&GeoIp>,
    rows: &mut [Map<String, Value>],
) -> Result<(), anchorage_query::QueryError> {
    let mut scores: std::collections::HashMap<String, Option<u8>> = Default::default();
    for row in rows.iter_mut() {
        let domain = text(row, "root_name_target").to_string();
        let score = match scores.get(&domain) {
            Some(score) => *score,
            None => {
                let score = engine.domain_spam_score(&domain).await?;
                scores.insert(domain, score);
                score
            }
        };
        if let Some(score) = score {
            row.insert(TARGET_SPAM_SCORE.into(), Value::from(score));
        }
        let ip = row.get("ip_source").and_then(Value::as_str);
        let country = host_country(geoip, text(row, "name_source"), ip);
        row.insert(COUNTRY.into(), country.map_or(Value::Null, Value::from));
    }
    Ok(())
}

/// The item field named `name`.
pub fn item_field(name: &str) -> Option<&'static ItemField> {
    BACKLINK_ITEM.iter().find(|f| f.name == name)
}

/// The catalogue columns the item reads, each once, in item order.
pub fn item_columns() -> Vec<&'static Column> {
    let mut out: Vec<&'static Column> = Vec::new();
    let mut push = |name: &str| {
        if let Some(c) = backlink_column(name)
            && !out.iter().any(|o| o.name == c.name)
        {
            out.push(c);
        }
    };
    for field in BACKLINK_ITEM {
        match field.source {
            Source::Column(c) | Source::Rank(c) => push(c),
            Source::Derived(inputs, _) => inputs.iter().copied().for_each(&mut push),
            Source::Fixed(_) => {}
        }
    }
    out
}

/// One row (catalogue column → JSON) as a DataForSEO backlink item.
pub fn render_item(row: &Map<String, Value>, scale: RankScale) -> Value {
    let item: Map<String, Value> = BACKLINK_ITEM
        .iter()
        .map(|f| {
            let value = match f.source {
                Source::Column(c) => row.get(c).cloned().unwrap_or(Value::Null),
                Source::Rank(c) => scale.rank(row.get(c).unwrap_or(&Value::Null)),
                Source::Derived(_, compute) => compute(row),
                Source::Fixed(make) => make(),
            };
            (f.name.to_string(), value)
        })
        .collect();
    Value::Object(item)
}

/// A field `filters` and `order_by` accept: the column it reads and whether it is a rank.
#[derive(Debug, Clone, Copy)]
pub struct Queryable {
    pub column: &'static Column,
    pub is_rank: bool,
}

/// The backlink field usable in `filters`/`order_by`, or why not.
pub fn queryable(name: &str) -> Result<Queryable, String> {
    let field = item_field(name).ok_or_else(|| format!("'{name}' is not a backlink field"))?;
    let (col, is_rank) = match field.source {
        Source::Column(c) => (c, false),
        Source::Rank(c) => (c, true),
        _ => return Err(format!("'{name}' cannot be filtered or sorted on")),
    };
    let column = backlink_column(col).ok_or_else(|| format!("'{name}' is not stored"))?;
    Ok(Queryable { column, is_rank })
}

/// The backlink field `name` as an `order_by` rule: a stored column, or a field computed
/// from the row's columns; not the lists, nor the fields computed per request.
pub fn order_key(name: &str, descending: bool) -> Result<OrderBy, String> {
    let field = item_field(name).ok_or_else(|| format!("'{name}' is not a backlink field"))?;
    let Some((column, derivation)) = field.filter_as else {
        return queryable(name).map(|q| OrderBy::column(q.column, descending));
    };
    let derived = match derivation {
        Derivation::Modified(m) => SortDerivation::Modified(m),
        Derivation::Flag(holds) => SortDerivation::Holds(holds()),
        Derivation::AsStored => SortDerivation::GroupSize,
        Derivation::Flags(_) | Derivation::Lookup(_) => {
            return Err(format!(
                "'{name}' cannot be sorted on (a list, or computed for each request)"
            ));
        }
    };
    let column = backlink_column(column).ok_or_else(|| format!("'{name}' is not stored"))?;
    Ok(OrderBy {
        column,
        descending,
        derived: Some(derived),
    })
}

/// What `custom_mode` groups by for the item field `name`: its column, the function of a
/// column it is, or (`domain_from_country`, computed per request) cases the request fills in
/// ([`super::lookups::country_cases`]).
pub fn group_key(name: &str) -> Result<GroupKey, String> {
    let field = item_field(name).ok_or_else(|| format!("'{name}' is not a backlink field"))?;
    match (field.source, field.filter_as) {
        (Source::Column(column), _) => Ok(GroupKey::Column(column)),
        (_, Some((column, Derivation::Modified(m)))) => Ok(GroupKey::Modified(stored(column), m)),
        (_, Some((_, Derivation::Lookup(_)))) if name == "domain_from_country" => {
            Ok(GroupKey::Cases(Vec::new()))
        }
        _ => Err(format!("'{name}' cannot group backlinks")),
    }
}

/// DataForSEO's type name of a column (`available_filters`).
pub fn type_name(ty: ColType) -> &'static str {
    match ty {
        ColType::Int | ColType::Float => "num",
        ColType::Bool => "bool",
        ColType::DateTime => "time",
        ColType::Str | ColType::Url | ColType::Date => "str",
        ColType::StrList | ColType::UrlList => "array.str",
        ColType::IntList => "array.num",
    }
}

/// The backlink field usable in `filters`: a stored column, or a derived field that says how
/// to test it.
pub fn filter_field(name: &str) -> Result<FilterField, String> {
    let field = item_field(name).ok_or_else(|| format!("'{name}' is not a backlink field"))?;
    match field.filter_as {
        Some((name, Derivation::Lookup(ty))) => Ok(FilterField {
            field: Field { name, ty },
            is_rank: false,
            derived: Some(Derivation::Lookup(ty)),
        }),
        Some((column, Derivation::AsStored)) => Ok(FilterField::column(stored(column), false)),
        Some((column, derivation)) => Ok(FilterField {
            field: stored(column),
            is_rank: false,
            derived: Some(derivation),
        }),
        None => queryable(name).map(|q| FilterField::column(Field::from(q.column), q.is_rank)),
    }
}

/// Every filterable backlink field with its DataForSEO type.
pub fn filterable() -> Map<String, Value> {
    BACKLINK_ITEM
        .iter()
        .filter_map(|f| {
            let ty = filter_field(f.name).ok()?.value_type();
            Some((f.name.to_string(), Value::from(type_name(ty))))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::platform_types;
    use serde_json::{Value, json};

    #[test]
    fn every_filterable_field_builds_its_filter() {
        use super::{BACKLINK_ITEM, Derivation, filter_field};
        for item in BACKLINK_ITEM {
            let Some((_, derivation)) = item.filter_as else {
                continue;
            };
            let field = filter_field(item.name).unwrap();
            let built = match derivation {
                Derivation::Flag(holds) => Some(holds()),
                Derivation::Flags(holds) => ["nofollow", "cms"].into_iter().find_map(holds),
                Derivation::Modified(_) => Some(anchorage_query::filter::Filter::And(vec![])),
                Derivation::Lookup(_) => super::super::lookups::Lookup::named(item.name)
                    .map(|_| anchorage_query::filter::Filter::And(vec![])),
                Derivation::AsStored => Some(anchorage_query::filter::Filter::And(vec![])),
            };
            assert!(built.is_some(), "{}", item.name);
            assert!(!field.field.name.is_empty());
        }
        assert!(filter_field("indirect_link_path").is_err());
    }

    fn types(powered_by: Value, page_type: Value) -> Value {
        let row = json!({"powered_by": powered_by, "page_type_source": page_type});
        platform_types(row.as_object().unwrap())
    }

    #[test]
    fn platform_types_follow_the_documented_signals() {
        assert_eq!(
            types(json!(["Nginx", "WordPress"]), json!("/Article/BlogPosting")),
            json!(["cms", "blogs"])
        );
        assert_eq!(types(json!(["Shopify"]), Value::Null), json!(["ecommerce"]));
        assert_eq!(types(json!(["MediaWiki"]), Value::Null), json!(["wikis"]));
        assert_eq!(
            types(json!([]), json!("/Article/NewsArticle")),
            json!(["news"])
        );
        assert_eq!(
            types(json!([]), json!("/Forum_post")),
            json!(["message-boards"])
        );
        assert_eq!(
            types(json!(["Nginx", "Sphinx"]), json!("/Recipe")),
            Value::Null
        );
        assert_eq!(types(Value::Null, Value::Null), Value::Null);
    }
}
