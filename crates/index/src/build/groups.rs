//! The link groups `all-backlinks` shows one row of, stored by the build so a request without
//! a link filter reads them instead of ranking every link of a huge target in a window.
//!
//! Each grouping gets two columns, for all links and for live ones: on the best link of each
//! group by source quality (DR, UR, source URL, target URL, ordinal: the query layer's order)
//! the group's size, null on the others. A grouping holds only for the targets it keeps
//! whole:
//! - similar links (same referring root domain, target URL, anchor and text): every target,
//!   protocol and internal/external choice keeps them whole, since their links share a URL;
//! - one per referring domain, per target URL (mode `exact`), host (`domain`) or highest
//!   registrable domain (`subdomains` of one), when both protocols and every port count.

use super::table::{Row, by_quality};
use anchorage_core::domain::{highest_registrable_of_reversed, root_domain};
use rayon::prelude::*;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::Hash;

/// What links a stored grouping puts together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grouping {
    /// `aggregation=similar_links`.
    Similar,
    /// `aggregation=1_per_domain` of one target URL.
    DomainPerUrl,
    /// `aggregation=1_per_domain` of one host.
    DomainPerHost,
    /// `aggregation=1_per_domain` of a highest registrable domain and its subdomains.
    DomainPerRoot,
}

impl Grouping {
    pub const ALL: [Grouping; 4] = [
        Grouping::Similar,
        Grouping::DomainPerUrl,
        Grouping::DomainPerHost,
        Grouping::DomainPerRoot,
    ];

    /// The column holding the groups' sizes, over live links or all of them.
    pub fn column(self, live: bool) -> &'static str {
        match (self, live) {
            (Grouping::Similar, false) => "_similar_size_all_time",
            (Grouping::Similar, true) => "_similar_size_live",
            (Grouping::DomainPerUrl, false) => "_domain_per_url_size_all_time",
            (Grouping::DomainPerUrl, true) => "_domain_per_url_size_live",
            (Grouping::DomainPerHost, false) => "_domain_per_host_size_all_time",
            (Grouping::DomainPerHost, true) => "_domain_per_host_size_live",
            (Grouping::DomainPerRoot, false) => "_domain_per_root_size_all_time",
            (Grouping::DomainPerRoot, true) => "_domain_per_root_size_live",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

/// A group's size over all links and over live ones, on the link representing it.
#[derive(Debug, Default, Clone, Copy)]
pub struct GroupSizes {
    pub all_time: Option<i64>,
    pub live: Option<i64>,
}

/// A link's similar-links group and the sizes of the groups it represents (all links, live
/// ones; 0 where it represents none: a group has a link), kept small as every link has one.
#[derive(Debug, Default, Clone, Copy)]
pub struct LinkGroups {
    pub similar_hash: i64,
    sizes: [[u32; 2]; 4],
}

impl LinkGroups {
    pub fn sizes(&self, grouping: Grouping) -> GroupSizes {
        let [all_time, live] =
            self.sizes[grouping.index()].map(|n| (n > 0).then_some(i64::from(n)));
        GroupSizes { all_time, live }
    }
}

/// Fills every row's [`LinkGroups`]. `rows` must be sorted by target key (internal links
/// apart), as [`super::table::sort_by_target`] leaves them.
pub fn mark(rows: &mut [Row<'_>]) {
    rows.par_iter_mut()
        .for_each(|r| r.groups.similar_hash = r.similar_group());
    rows.par_chunk_by_mut(|a, b| a.node.external == b.node.external && a.key == b.key)
        .for_each(|url| {
            mark_groups(url, Grouping::Similar, |r| r.groups.similar_hash);
            mark_groups(url, Grouping::DomainPerUrl, source_root);
        });
    rows.par_chunk_by_mut(|a, b| a.node.external == b.node.external && host(a) == host(b))
        .for_each(|host| mark_groups(host, Grouping::DomainPerHost, source_root));
    let mut roots = root_runs(rows);
    roots
        .par_iter_mut()
        .for_each(|root| mark_groups(root, Grouping::DomainPerRoot, source_root));
}

fn source_root<'r>(r: &Row<'r>) -> &'r str {
    root_domain(anchorage_core::urls::host_of(r.page.url))
}

/// The reversed host a row's target key starts with.
fn host<'k>(r: &'k Row<'_>) -> &'k str {
    r.key.split('/').next().unwrap_or_default()
}

/// The rows of each highest registrable domain of the target hosts (a key range: its
/// subdomains' reversed hosts follow its own), skipping hosts without one.
fn root_runs<'s, 'r>(mut rows: &'s mut [Row<'r>]) -> Vec<&'s mut [Row<'r>]> {
    let mut runs = Vec::new();
    while let Some(first) = rows.first() {
        let root = highest_registrable_of_reversed(host(first));
        let external = first.node.external;
        let len = rows
            .chunk_by(|a, b| host(a) == host(b))
            .take_while(|run| {
                run[0].node.external == external
                    && highest_registrable_of_reversed(host(&run[0])) == root
            })
            .map(<[Row]>::len)
            .sum::<usize>();
        let (run, rest) = std::mem::take(&mut rows).split_at_mut(len);
        if root.is_some() {
            runs.push(run);
        }
        rows = rest;
    }
    runs
}

/// Sets, on the best row of each group of `rows` by `key`, the group's sizes.
fn mark_groups<'r, K: Hash + Eq>(
    rows: &mut [Row<'r>],
    grouping: Grouping,
    key: impl Fn(&Row<'r>) -> K,
) {
    #[derive(Default)]
    struct Group {
        best: usize,
        size: u32,
        best_live: Option<usize>,
        size_live: u32,
    }
    let mut groups: HashMap<K, Group> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let g = groups.entry(key(r)).or_insert(Group {
            best: i,
            ..Group::default()
        });
        if by_quality(r, &rows[g.best]) == Ordering::Less {
            g.best = i;
        }
        g.size += 1;
        if r.hist.live {
            if g.best_live
                .is_none_or(|b| by_quality(r, &rows[b]) == Ordering::Less)
            {
                g.best_live = Some(i);
            }
            g.size_live += 1;
        }
    }
    let index = grouping.index();
    for g in groups.into_values() {
        rows[g.best].groups.sizes[index][0] = g.size;
        if let Some(i) = g.best_live {
            rows[i].groups.sizes[index][1] = g.size_live;
        }
    }
}
