//! `filters` on the item fields computed outside the tables, per request: whether a link is
//! indirect (it depends on the target's redirects and canonicals), the linked-to domain's
//! spam score (a lookup in the `domains` table) and the referring host's country (GeoIP).
//!
//! The parser leaves such a condition on a column named after the field; once the request's
//! target is final, [`bind`] evaluates the condition on every value the field takes among the
//! target's backlinks and replaces it with the equivalent condition on stored columns
//! (`url_to`, `root_name_target`, `name_source` and `ip_source`). Each replacement is true or
//! false on every row (never null), so a negation keeps exactly the other rows.

use super::envelope::DfsError;
use crate::geoip::{GeoIp, host_country};
use crate::render::{self, DateStyle};
use anchorage_core::catalogue::{ColType, backlink_column};
use anchorage_core::target::Target;
use anchorage_query::filter::{CmpOp, Condition, Field, Filter, Value, holds};
use anchorage_query::{Engine, QueryError};
use std::collections::{BTreeMap, BTreeSet};

/// A field whose filters are bound per request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lookup {
    /// `is_indirect_link`
    IndirectLink,
    /// `url_to_spam_score`
    TargetSpamScore,
    /// `domain_from_country`
    Country,
}

impl Lookup {
    pub fn named(name: &str) -> Option<Lookup> {
        Some(match name {
            "is_indirect_link" => Lookup::IndirectLink,
            "url_to_spam_score" => Lookup::TargetSpamScore,
            "domain_from_country" => Lookup::Country,
            _ => return None,
        })
    }
}

/// What a request's lookups need to know.
pub struct Context<'a> {
    pub engine: &'a Engine,
    pub geoip: Option<&'a GeoIp>,
    /// The target with its indirect URLs set.
    pub target: &'a Target,
}

/// Replaces every condition on a looked-up field of `filter` with its equivalent on stored
/// columns for `cx.target`.
pub async fn bind(filter: &mut Option<Filter>, cx: &Context<'_>) -> Result<(), DfsError> {
    let Some(f) = filter.as_mut() else {
        return Ok(());
    };
    let mut used = Vec::new();
    looked_up(f, &mut used);
    if used.is_empty() {
        return Ok(());
    }
    let mut tables = Tables::default();
    for lookup in used {
        tables.load(lookup, cx).await?;
    }
    rewrite(f, &tables).map_err(|e| DfsError::invalid("filters", e))
}

/// The countries of the target's referring hosts, each with the filter of its links: the
/// cases `custom_mode` groups `domain_from_country` by (links of no known country: null).
pub async fn country_cases(cx: &Context<'_>) -> Result<Vec<(Filter, Value)>, DfsError> {
    let mut tables = Tables::default();
    tables.load(Lookup::Country, cx).await?;
    let countries: BTreeSet<&String> = tables
        .countries
        .values()
        .flat_map(|ips| ips.values().flatten())
        .collect();
    countries
        .into_iter()
        .map(|country| {
            let is = Condition::Cmp(CmpOp::Eq, Value::Str(country.clone()));
            let filter = bound(Lookup::Country, &is, &tables)
                .map_err(|e| DfsError::invalid("custom_mode", e))?;
            Ok((filter, Value::Str(country.clone())))
        })
        .collect()
}

fn looked_up(filter: &Filter, out: &mut Vec<Lookup>) {
    match filter {
        Filter::And(v) | Filter::Or(v) => v.iter().for_each(|f| looked_up(f, out)),
        Filter::Not(f) => looked_up(f, out),
        Filter::Cond { column, .. } => {
            if let Some(l) = Lookup::named(column.name).filter(|l| !out.contains(l)) {
                out.push(l);
            }
        }
        Filter::List { .. } => {}
    }
}

/// The values each used lookup takes among the target's backlinks.
#[derive(Default)]
struct Tables {
    indirect_urls: Vec<String>,
    /// Linked-to root domain → its spam score (none when the index has not scored it).
    spam_scores: BTreeMap<String, Option<u8>>,
    /// Referring host → each of its addresses (none: unknown) → its country.
    countries: BTreeMap<String, BTreeMap<Option<String>, Option<String>>>,
}

impl Tables {
    async fn load(&mut self, lookup: Lookup, cx: &Context<'_>) -> Result<(), QueryError> {
        match lookup {
            Lookup::IndirectLink => self.indirect_urls = cx.target.indirect_urls.clone(),
            Lookup::TargetSpamScore => {
                for row in distinct(cx, &["root_name_target"]).await? {
                    let domain = row[0].clone().unwrap_or_default();
                    let score = cx.engine.domain_spam_score(&domain).await?;
                    self.spam_scores.insert(domain, score);
                }
            }
            Lookup::Country => {
                for row in distinct(cx, &["name_source", "ip_source"]).await? {
                    let host = row[0].clone().unwrap_or_default();
                    let country = host_country(cx.geoip, &host, row[1].as_deref());
                    let ips = self.countries.entry(host).or_default();
                    ips.insert(row[1].clone(), country);
                }
            }
        }
        Ok(())
    }
}

/// The distinct string combinations of `columns` among the target's backlinks.
async fn distinct(
    cx: &Context<'_>,
    columns: &[&'static str],
) -> Result<Vec<Vec<Option<String>>>, QueryError> {
    let batches = cx.engine.distinct_of_target(cx.target, columns).await?;
    let typed: Vec<(&str, ColType)> = columns.iter().map(|c| (*c, ColType::Str)).collect();
    let rows = render::rows(&batches, &typed, DateStyle::DataForSeo);
    Ok(rows
        .iter()
        .map(|row| {
            columns
                .iter()
                .map(|c| row.get(*c).and_then(|v| v.as_str()).map(str::to_string))
                .collect()
        })
        .collect())
}

fn rewrite(filter: &mut Filter, tables: &Tables) -> Result<(), String> {
    match filter {
        Filter::And(v) | Filter::Or(v) => v.iter_mut().try_for_each(|f| rewrite(f, tables)),
        Filter::Not(f) => rewrite(f, tables),
        Filter::List { .. } => Ok(()),
        Filter::Cond {
            column, condition, ..
        } => {
            let Some(lookup) = Lookup::named(column.name) else {
                return Ok(());
            };
            *filter = bound(lookup, condition, tables)?;
            Ok(())
        }
    }
}

/// The condition on `lookup`'s field as a condition on stored columns.
fn bound(lookup: Lookup, condition: &Condition, tables: &Tables) -> Result<Filter, String> {
    let passes = |value: Option<Value>| holds(condition, value.as_ref());
    Ok(match lookup {
        Lookup::IndirectLink => {
            let indirect = one_of("url_to", tables.indirect_urls.iter().cloned());
            match (
                passes(Some(Value::Bool(true)))?,
                passes(Some(Value::Bool(false)))?,
            ) {
                (true, true) => Filter::And(Vec::new()),
                (true, false) => indirect,
                (false, true) => Filter::Not(Box::new(indirect)),
                (false, false) => Filter::Or(Vec::new()),
            }
        }
        Lookup::TargetSpamScore => {
            let mut domains = Vec::new();
            for (domain, score) in &tables.spam_scores {
                if passes(score.map(|s| Value::Int(i64::from(s))))? {
                    domains.push(domain.clone());
                }
            }
            one_of("root_name_target", domains)
        }
        Lookup::Country => {
            let mut hosts = Vec::new();
            let mut addresses = Vec::new();
            for (host, ips) in &tables.countries {
                let mut matching = Vec::new();
                for (ip, country) in ips {
                    if passes(country.clone().map(Value::Str))? {
                        matching.push(ip);
                    }
                }
                if matching.len() == ips.len() {
                    hosts.push(host.clone());
                } else {
                    addresses.extend(matching.into_iter().map(|ip| (host, ip)));
                }
            }
            let mut any = vec![one_of("name_source", hosts)];
            any.extend(addresses.into_iter().map(|(host, ip)| {
                Filter::And(vec![
                    cond(
                        "name_source",
                        Condition::Cmp(CmpOp::Eq, Value::Str(host.clone())),
                    ),
                    address_is(ip.as_deref()),
                ])
            }));
            Filter::Or(any)
        }
    })
}

fn stored(name: &'static str) -> Field {
    Field::from(backlink_column(name).expect("a catalogue column"))
}

fn cond(column: &'static str, condition: Condition) -> Filter {
    Filter::Cond {
        column: stored(column),
        modifier: None,
        condition,
    }
}

/// `column` (never null) is one of `values`; false when there are none.
fn one_of(column: &'static str, values: impl IntoIterator<Item = String>) -> Filter {
    let values: BTreeSet<String> = values.into_iter().collect();
    if values.is_empty() {
        return Filter::Or(Vec::new());
    }
    cond(
        column,
        Condition::In(values.into_iter().map(Value::Str).collect()),
    )
}

/// The referring host's address is `ip` (none: unknown), never null.
fn address_is(ip: Option<&str>) -> Filter {
    let unknown = cond("ip_source", Condition::IsNull);
    match ip {
        None => unknown,
        Some(ip) => Filter::And(vec![
            Filter::Not(Box::new(unknown)),
            cond(
                "ip_source",
                Condition::Cmp(CmpOp::Eq, Value::Str(ip.into())),
            ),
        ]),
    }
}
