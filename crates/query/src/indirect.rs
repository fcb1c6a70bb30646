//! Indirect backlinks: a link to a URL that redirects into the target, or to a page naming a
//! URL of the target as its canonical, reaches the target through that redirect or canonical
//! (or through a few of them in turn: a redirect to a page whose canonical is the target).
//! [`IndirectHops`] indexes every hop of every known redirect chain (the generation's
//! `targets` table) and every canonical that names another URL (its `pages` table) by the
//! hop's key, so the URLs leading into a target are one key-range lookup.

use crate::QueryError;
use anchorage_core::target::Target;
use anchorage_index::build::table::target_key;
use datafusion::arrow::array::{Array, ArrayRef, AsArray};
use datafusion::arrow::compute::cast;
use datafusion::arrow::datatypes::{DataType, Field, UInt16Type};
use datafusion::parquet::arrow::ProjectionMask;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::BTreeMap;
use std::fs::File;
use std::path::Path;
use std::sync::Arc;

/// What one step of an indirect path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum StepKind {
    /// An HTTP redirect.
    Redirect,
    /// A `rel=canonical` naming another URL.
    Canonical,
}

/// One step from a URL towards the target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Step {
    pub kind: StepKind,
    /// The status of the response that took this step (a 3xx for a redirect, the code of the
    /// page naming the canonical).
    pub status_code: u16,
    /// Where the step leads.
    pub url: String,
}

/// A URL outside the target that leads into it, and the steps it takes (the last one lands
/// in the target).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct IndirectUrl {
    pub url: String,
    pub path: Vec<Step>,
}

/// At most this many redirect chains and canonicals are chained: a redirect to a page whose
/// canonical is elsewhere, or a canonical naming a URL that redirects, is common after a site
/// moves; longer mixes are not worth following.
pub const MAX_LEGS: usize = 3;

/// Every hop into a URL: (the hop's key, the URL leading there, its steps), sorted.
#[derive(Debug, Default)]
pub struct IndirectHops {
    hops: Vec<(String, IndirectUrl)>,
}

impl IndirectHops {
    /// Reads the redirect chains of a `targets` table and the canonicals of a `pages` table;
    /// a missing table or column has no hops.
    pub fn load(targets: &Path, pages: &Path) -> Result<IndirectHops, QueryError> {
        let mut hops = Vec::new();
        let list_of = |ty| DataType::List(Arc::new(Field::new_list_field(ty, true)));
        let chains = [
            ("redirect_chain", list_of(DataType::Utf8)),
            ("redirect_codes", list_of(DataType::UInt16)),
        ];
        for_each_row(targets, chains, |url, [chain, codes]| {
            let chain = chain.as_list::<i32>().value(0);
            let codes = codes.as_list::<i32>().value(0);
            let steps = chain
                .as_string::<i32>()
                .iter()
                .zip(codes.as_primitive::<UInt16Type>().iter())
                .map_while(|(hop, code)| Some(Step::new(StepKind::Redirect, code?, hop?)));
            hops.extend(chain_hops(url, &steps.collect::<Vec<_>>()));
        })?;
        let canonicals = [
            ("canonical", DataType::Utf8),
            ("http_code", DataType::UInt16),
        ];
        for_each_row(pages, canonicals, |url, [canonical, code]| {
            let canonical = canonical.as_string::<i32>().value(0);
            let code = code.as_primitive::<UInt16Type>().value(0);
            hops.extend(chain_hops(
                url,
                &[Step::new(StepKind::Canonical, code, canonical)],
            ));
        })?;
        Ok(IndirectHops::from_hops(hops))
    }

    fn from_hops(mut hops: Vec<(String, IndirectUrl)>) -> IndirectHops {
        hops.sort_unstable();
        hops.dedup();
        IndirectHops { hops }
    }

    /// The URLs outside `target` that lead into it through at most [`MAX_LEGS`] redirect
    /// chains and canonicals, sorted and each once with its shortest path (a redirect before
    /// a canonical); at most `limit` of them, fewer legs first. Keys ignore the scheme, as
    /// target keys do: a hop into `http://a/` continues from what leads into `https://a/`.
    pub fn into_target(&self, target: &Target, limit: usize) -> Vec<IndirectUrl> {
        let range = target.key_range();
        let outside = |hop: &&IndirectUrl| !range.contains(&target_key(&hop.url));
        let mut found: BTreeMap<String, Vec<Step>> = BTreeMap::new();
        let mut leg: Vec<IndirectUrl> = self
            .hops_into(&range.start, |key| range.contains(key))
            .filter(outside)
            .cloned()
            .collect();
        for legs in 1..=MAX_LEGS {
            leg.sort_unstable_by(|a, b| (&a.url, a.path.len(), a).cmp(&(&b.url, b.path.len(), b)));
            leg.retain(|hop| !found.contains_key(&hop.url));
            leg.dedup_by(|later, earlier| later.url == earlier.url);
            leg.truncate(limit.saturating_sub(found.len()));
            let next = if legs == MAX_LEGS {
                Vec::new()
            } else {
                self.one_leg_before(&leg, outside)
            };
            found.extend(leg.into_iter().map(|hop| (hop.url, hop.path)));
            if next.is_empty() || found.len() >= limit {
                break;
            }
            leg = next;
        }
        found
            .into_iter()
            .map(|(url, path)| IndirectUrl { url, path })
            .collect()
    }

    /// Every way into the URLs of `leg` from outside the target, with the whole path.
    fn one_leg_before(
        &self,
        leg: &[IndirectUrl],
        outside: impl Fn(&&IndirectUrl) -> bool + Copy,
    ) -> Vec<IndirectUrl> {
        let mut before_leg = Vec::new();
        for hop in leg {
            let key = target_key(&hop.url);
            for before in self.hops_into(&key, |k| *k == key).filter(outside) {
                let path = before.path.iter().chain(&hop.path).cloned().collect();
                before_leg.push(IndirectUrl::new(&before.url, path));
            }
        }
        before_leg
    }

    /// The hops whose key starts at `first` and satisfies `within`.
    fn hops_into<'a>(
        &'a self,
        first: &str,
        within: impl Fn(&String) -> bool + 'a,
    ) -> impl Iterator<Item = &'a IndirectUrl> + 'a {
        let start = self.hops.partition_point(|(key, _)| key.as_str() < first);
        self.hops[start..]
            .iter()
            .take_while(move |(key, _)| within(key))
            .map(|(_, hop)| hop)
    }

    pub fn len(&self) -> usize {
        self.hops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hops.is_empty()
    }
}

impl Step {
    fn new(kind: StepKind, status_code: u16, url: &str) -> Step {
        let url = url.to_string();
        Step {
            kind,
            status_code,
            url,
        }
    }
}

impl IndirectUrl {
    fn new(url: &str, path: Vec<Step>) -> IndirectUrl {
        let url = url.to_string();
        IndirectUrl { url, path }
    }
}

/// The hops of `url` along `steps`: one into each step's URL, with the steps up to it.
fn chain_hops(url: &str, steps: &[Step]) -> impl Iterator<Item = (String, IndirectUrl)> {
    (0..steps.len()).map(move |end| {
        let path = steps[..=end].to_vec();
        (target_key(&steps[end].url), IndirectUrl::new(url, path))
    })
}

/// Calls `visit(url, values)` for each row of the Parquet table at `path` whose `url` and
/// `columns` (each cast to its type and passed as a one-element array) are all set.
fn for_each_row<const N: usize>(
    path: &Path,
    columns: [(&str, DataType); N],
    mut visit: impl FnMut(&str, [ArrayRef; N]),
) -> Result<(), QueryError> {
    if !path.is_file() {
        return Ok(());
    }
    let file =
        File::open(path).map_err(|e| QueryError::Invalid(format!("{}: {e}", path.display())))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file)
        .map_err(datafusion::error::DataFusionError::from)?;
    let names = std::iter::once("url").chain(columns.iter().map(|(name, _)| *name));
    let wanted: Vec<usize> = names
        .filter_map(|name| builder.schema().index_of(name).ok())
        .collect();
    if wanted.len() != N + 1 {
        return Ok(());
    }
    let mask = ProjectionMask::roots(builder.parquet_schema(), wanted);
    let reader = builder
        .with_projection(mask)
        .build()
        .map_err(datafusion::error::DataFusionError::from)?;
    for batch in reader {
        let batch = batch?;
        let Some(urls) = batch.column_by_name("url") else {
            return Ok(());
        };
        let urls = cast(urls, &DataType::Utf8)?;
        let urls = urls.as_string::<i32>();
        let mut values = Vec::with_capacity(N);
        for (name, ty) in &columns {
            let Some(column) = batch.column_by_name(name) else {
                return Ok(());
            };
            values.push(cast(column, ty)?);
        }
        for row in 0..batch.num_rows() {
            if !urls.is_null(row) && values.iter().all(|v| !v.is_null(row)) {
                let cells = std::array::from_fn(|i| values[i].slice(row, 1));
                visit(urls.value(row), cells);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchorage_core::target::TargetMode;

    fn redirects(from: &str, chain: &[&str]) -> Vec<(String, IndirectUrl)> {
        let steps: Vec<Step> = chain
            .iter()
            .map(|to| Step::new(StepKind::Redirect, 301, to))
            .collect();
        chain_hops(from, &steps).collect()
    }

    fn canonical(from: &str, to: &str) -> (String, IndirectUrl) {
        (
            target_key(to),
            IndirectUrl::new(from, vec![Step::new(StepKind::Canonical, 200, to)]),
        )
    }

    fn urls_into(
        hops: &IndirectHops,
        target: &str,
        limit: usize,
    ) -> Vec<(String, Vec<(StepKind, String)>)> {
        let target = Target::parse(target, TargetMode::Exact).unwrap();
        let into = hops.into_target(&target, limit);
        into.into_iter()
            .map(|u| (u.url, u.path.into_iter().map(|s| (s.kind, s.url)).collect()))
            .collect()
    }

    #[test]
    fn redirects_and_canonicals_chain_into_the_target() {
        use StepKind::{Canonical, Redirect};
        let t = "http://new.test/page";
        let mut hops = redirects(
            "http://old.test/a",
            &["http://old.test/b", "http://mid.test/"],
        );
        hops.push(canonical("http://mid.test/", t));
        hops.push(canonical("http://print.test/page", "http://old.test/a"));
        hops.extend(redirects("http://short.test/", &[t]));
        // Both a direct redirect and a longer way in: the shortest path is kept.
        hops.extend(redirects("http://mid.test/", &["http://short.test/"]));
        // A hop from inside the target is no way in.
        hops.extend(redirects("http://new.test/page", &["http://old.test/a"]));
        let hops = IndirectHops::from_hops(hops);
        let (a, b, mid) = ("http://old.test/a", "http://old.test/b", "http://mid.test/");
        let s = |kind, url: &str| (kind, url.to_string());
        assert_eq!(
            urls_into(&hops, t, 100),
            vec![
                (mid.into(), vec![s(Canonical, t)]),
                (
                    a.into(),
                    vec![s(Redirect, b), s(Redirect, mid), s(Canonical, t)]
                ),
                (
                    "http://print.test/page".into(),
                    vec![
                        s(Canonical, a),
                        s(Redirect, b),
                        s(Redirect, mid),
                        s(Canonical, t)
                    ]
                ),
                ("http://short.test/".into(), vec![s(Redirect, t)]),
            ]
        );
        // A limit keeps the URLs with fewer legs.
        let first_leg = [mid.to_string(), "http://short.test/".to_string()];
        let urls: Vec<String> = urls_into(&hops, t, 2).into_iter().map(|(u, _)| u).collect();
        assert_eq!(urls, first_leg);
    }
}
