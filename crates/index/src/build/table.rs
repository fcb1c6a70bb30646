//! The `backlinks` table: one row per external link, every catalogue column plus the
//! internal columns the query layer needs, sorted by target key then source quality.
//!
//! Each catalogue column is filled by the function [`cell_fn`] names for it; a column without
//! one is written as nulls (the README lists them as "not computed yet", generated from
//! [`computed_columns`]).

use super::graph::{LinkNode, Metrics, SPAM_THRESHOLD};
use super::groups::{Grouping, LinkGroups};
use super::history::{LinkHistory, PageHistory};
use super::targets::TargetStatus;
use crate::imports::ImportedFigures;
use anchorage_core::catalogue::{BACKLINK_COLUMNS, ColType, Column};
use anchorage_core::domain::{class_c, is_root, root_domain, tld_class};
use anchorage_core::time::Micros;
use anchorage_core::urls::{host_of, plain_of, reversed_host};
use arrow::array::{
    ArrayRef, BooleanBuilder, Float64Builder, Int64Builder, ListBuilder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use arrow::record_batch::RecordBatch;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};
use std::sync::Arc;

/// Columns the query layer needs besides the catalogue's; never served.
pub const TARGET_KEY: &str = "_target_key";
pub const TARGET_HTTPS: &str = "_target_https";
pub const SOURCE_KEY: &str = "_source_key";
pub const SIMILAR_GROUP: &str = "_similar_group";
/// The link's position on its page (a tie-breaker that makes every order total).
pub const ORDINAL: &str = "_ordinal";

/// Everything one backlink row is made of.
pub struct Row<'a> {
    pub page: &'a PageHistory<'a>,
    pub hist: &'a LinkHistory<'a>,
    pub node: &'a LinkNode,
    pub metrics: &'a Metrics,
    pub target: Option<&'a TargetStatus>,
    pub is_new: bool,
    pub key: String,
    pub source_key: String,
    /// Filled by [`super::groups::mark`].
    pub groups: LinkGroups,
}

impl Row<'_> {
    fn source_imports(&self) -> Option<&ImportedFigures> {
        let root = &self.metrics.domains.names[self.node.src_domain as usize];
        self.metrics.imports.domain(root)
    }
    fn page_imports(&self) -> Option<&ImportedFigures> {
        self.metrics.imports.page(plain_of(self.page.url))
    }
    fn url_to(&self) -> &str {
        &self.hist.link.url_to
    }
    fn host_from(&self) -> &str {
        host_of(self.page.url)
    }
    fn host_to(&self) -> &str {
        host_of(self.url_to())
    }
    fn source_dr(&self) -> f64 {
        self.metrics.domain_rating[self.node.src_domain as usize]
    }
    fn source_ur(&self) -> f64 {
        self.metrics.url_rating[self.node.src_page as usize]
    }
    fn broken_redirect(&self) -> Option<&super::targets::BrokenRedirect> {
        self.target.and_then(|t| t.broken_redirect.as_ref())
    }
    fn source_spam(&self) -> u8 {
        self.metrics.domain_spam[self.node.src_domain as usize]
    }
    fn backlink_spam_score(&self) -> i64 {
        let page = if self.page.content.links_external > 100 {
            20
        } else {
            0
        };
        let anchor = if self.hist.link.anchor.chars().count() > 100 {
            10
        } else {
            0
        };
        (i64::from(self.source_spam()) + page + anchor).min(100)
    }
    fn domain_count(&self, counts: &[u32], target: bool) -> Cell<'static> {
        let d = if target {
            self.node.tgt_domain
        } else {
            self.node.src_domain
        };
        Cell::Int(i64::from(counts[d as usize]))
    }
    fn nofollow(&self) -> bool {
        self.hist.link.nofollow || self.hist.seen_in.nofollow
    }
    fn port(url: &str) -> i64 {
        let rest = plain_of(url);
        let host_end = host_of(url).len();
        match rest[host_end..].strip_prefix(':') {
            Some(p) => p
                .split(['/', '?'])
                .next()
                .and_then(|p| p.parse().ok())
                .unwrap_or(80),
            None if url.starts_with("https:") => 443,
            None => 80,
        }
    }
    /// Links from one referring domain to one URL with the same anchor and surrounding text.
    pub(super) fn similar_group(&self) -> i64 {
        let l = self.hist.link;
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for part in [
            root_domain(self.host_from()),
            &l.url_to,
            &l.anchor,
            &l.snippet_left,
            &l.snippet_right,
        ] {
            for b in part.bytes().chain([0xFF]) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        h as i64
    }
}

/// A value of one cell.
pub enum Cell<'a> {
    Null,
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(Cow<'a, str>),
    Time(Micros),
    Strs(Vec<Cow<'a, str>>),
    Ints(Vec<i64>),
}

type CellFn = for<'r> fn(&'r Row<'r>) -> Cell<'r>;

fn s(v: &str) -> Cell<'_> {
    Cell::Str(Cow::Borrowed(v))
}
fn opt_s(v: Option<&str>) -> Cell<'_> {
    v.map_or(Cell::Null, s)
}
fn strs(v: &[String]) -> Cell<'_> {
    Cell::Strs(v.iter().map(|x| Cow::Borrowed(x.as_str())).collect())
}
fn element_is(r: &Row<'_>, link_type: &str) -> Cell<'static> {
    Cell::Bool(r.hist.link.element.link_type() == link_type)
}

/// How a catalogue column is filled; `None` means "not computed yet" (null).
pub fn cell_fn(name: &str) -> Option<CellFn> {
    let f: CellFn = match name {
        "ahrefs_rank_source" => {
            |r| Cell::Int(i64::from(r.metrics.ahrefs_rank[r.node.src_domain as usize]))
        }
        "ahrefs_rank_target" => {
            |r| Cell::Int(i64::from(r.metrics.ahrefs_rank[r.node.tgt_domain as usize]))
        }
        "alt" => |r| opt_s(r.hist.link.alt.as_deref()),
        "anchor" => |r| s(&r.hist.link.anchor),
        "backlink_spam_score" => |r| Cell::Int(r.backlink_spam_score()),
        "broken_redirect_new_target" => {
            |r| opt_s(r.broken_redirect().and_then(|b| b.new_target.as_deref()))
        }
        "broken_redirect_reason" => |r| opt_s(r.broken_redirect().map(|b| b.reason)),
        "broken_redirect_source" => |r| opt_s(r.broken_redirect().map(|b| b.source.as_str())),
        "class_c" => |r| {
            Cell::Int(i64::from(
                r.metrics.class_c_of_page[r.node.src_page as usize],
            ))
        },
        "discovered_status" => |r| s(r.hist.discovered.as_str()),
        "domain_rating_source" => |r| Cell::Float(r.source_dr()),
        "domain_rating_target" => {
            |r| Cell::Float(r.metrics.domain_rating[r.node.tgt_domain as usize])
        }
        "dofollow_linked_domains_source_domain" => {
            |r| r.domain_count(&r.metrics.dofollow_linked_domains_of_domain, false)
        }
        "dofollow_linked_domains_target_domain" => {
            |r| r.domain_count(&r.metrics.dofollow_linked_domains_of_domain, true)
        }
        "dofollow_refdomains_source_domain" => {
            |r| r.domain_count(&r.metrics.dofollow_refdomains_of_domain, false)
        }
        "dofollow_refdomains_target_domain" => {
            |r| r.domain_count(&r.metrics.dofollow_refdomains_of_domain, true)
        }
        "drop_reason" => |r| r.hist.drop_reason.map_or(Cell::Null, |d| s(d.as_str())),
        "encoding" => |r| opt_s(r.page.content.encoding.as_deref()),
        "first_seen" => |r| Cell::Time(r.page.first_seen),
        "first_seen_link" => |r| Cell::Time(r.hist.first_seen_link),
        "http_code" => |r| Cell::Int(i64::from(r.page.latest.http_code)),
        "http_code_target" => |r| {
            r.target
                .map_or(Cell::Null, |t| Cell::Int(i64::from(t.http_code)))
        },
        "http_crawl" => |r| Cell::Bool(!r.hist.link.js_only),
        "image_url" => |r| opt_s(r.hist.link.image_url.as_deref()),
        "is_broken" => |r| Cell::Bool(r.target.is_some_and(TargetStatus::is_broken)),
        "is_internal" => |r| Cell::Bool(!r.node.external),
        "is_redirect_lost" => |r| Cell::Bool(r.target.is_some_and(|t| t.redirect_lost)),
        "is_spam" => |r| Cell::Bool(r.source_spam() >= SPAM_THRESHOLD),
        "item_type" => |r| s(r.hist.link.element.item_type()),
        "ip_source" => |r| opt_s(r.page.latest.ip.as_deref()),
        "is_alternate" => |r| element_is(r, "alternate"),
        "is_canonical" => |r| element_is(r, "canonical"),
        "is_content" => |r| Cell::Bool(r.hist.link.is_content),
        "is_dofollow" => |r| Cell::Bool(r.node.dofollow),
        "is_form" => |r| element_is(r, "form"),
        "is_frame" => |r| element_is(r, "frame"),
        "is_homepage_link" => |r| {
            Cell::Bool(
                plain_of(r.page.url)
                    .split_once('/')
                    .is_some_and(|(_, p)| p.is_empty()),
            )
        },
        "is_image" => |r| element_is(r, "image"),
        "is_lost" => |r| Cell::Bool(!r.hist.live),
        "is_new" => |r| Cell::Bool(r.is_new),
        "is_nofollow" => |r| Cell::Bool(r.nofollow()),
        "is_non_html" => |r| {
            r.target
                .map_or(Cell::Null, |t| Cell::Bool(!t.is_html && t.http_code < 300))
        },
        "is_redirect" => |r| Cell::Bool(r.target.is_some_and(|t| !t.chain.is_empty())),
        "is_root_source" => |r| Cell::Bool(is_root(r.host_from())),
        "is_root_target" => |r| Cell::Bool(is_root(r.host_to())),
        "is_rss" => |r| element_is(r, "rss"),
        "is_sponsored" => |r| Cell::Bool(r.hist.link.sponsored),
        "is_text" => |r| element_is(r, "text"),
        "is_ugc" => |r| Cell::Bool(r.hist.link.ugc),
        "js_crawl" => |r| Cell::Bool(r.hist.link.js_only),
        "languages" => |r| Cell::Strs(r.page.languages().map(Cow::Borrowed).collect()),
        "languages_target" => |r| {
            r.target
                .map_or(Cell::Strs(Vec::new()), |t| strs(&t.languages))
        },
        "last_seen" => |r| r.hist.lost_at.map_or(Cell::Null, Cell::Time),
        "last_visited" => |r| {
            Cell::Time(if r.hist.live {
                r.page.last_visited
            } else {
                r.hist.last_live
            })
        },
        "last_visited_target" => |r| r.target.map_or(Cell::Null, |t| Cell::Time(t.last_visited)),
        "len_url_redirect" => |r| Cell::Int(r.target.map_or(0, |t| t.chain.len() as i64)),
        "link_type" => |r| s(r.hist.link.element.link_type()),
        "linked_domains_source_domain" => |r| {
            Cell::Int(i64::from(
                r.metrics.linked_domains_of_domain[r.node.src_domain as usize],
            ))
        },
        "linked_domains_source_page" => |r| Cell::Int(i64::from(r.page.content.linked_domains)),
        "linked_domains_target_domain" => |r| {
            Cell::Int(i64::from(
                r.metrics.linked_domains_of_domain[r.node.tgt_domain as usize],
            ))
        },
        "links_count" => |r| Cell::Int(i64::from(r.hist.copies)),
        "links_external" => |r| Cell::Int(i64::from(r.page.content.links_external)),
        "links_internal" => |r| Cell::Int(i64::from(r.page.content.links_internal)),
        "lost_reason" => |r| r.hist.lost_reason.map_or(Cell::Null, |l| s(l.as_str())),
        "name_source" => |r| s(r.host_from()),
        "name_target" => |r| s(r.host_to()),
        "noindex" => |r| Cell::Bool(r.page.latest.noindex),
        "page_category_source" => |r| opt_s(r.page.content.page_category.as_deref()),
        "page_size" => |r| Cell::Int(r.page.content.page_size as i64),
        "page_type_source" => |r| opt_s(r.page.content.page_type.as_deref()),
        "port_source" => |r| Cell::Int(Row::port(r.page.url)),
        "port_target" => |r| Cell::Int(Row::port(r.url_to())),
        "powered_by" => |r| strs(&r.page.content.powered_by),
        "powered_by_target" => |r| {
            r.target
                .map_or(Cell::Strs(Vec::new()), |t| strs(&t.powered_by))
        },
        "prev_seen" => |r| r.hist.prev_live.map_or(Cell::Null, Cell::Time),
        "redirect_code" => |r| {
            r.hist
                .link
                .redirect_code
                .map_or(Cell::Null, |c| Cell::Int(i64::from(c)))
        },
        "redirect_kind" => {
            |r| Cell::Ints(r.target.map(|t| t.chain_codes.clone()).unwrap_or_default())
        }
        "refdomains_source" => |r| {
            Cell::Int(i64::from(
                r.metrics.refdomains_of_page[r.node.src_page as usize],
            ))
        },
        "refdomains_source_domain" => |r| {
            Cell::Int(i64::from(
                r.metrics.refdomains_of_domain[r.node.src_domain as usize],
            ))
        },
        "refdomains_target_domain" => |r| {
            Cell::Int(i64::from(
                r.metrics.refdomains_of_domain[r.node.tgt_domain as usize],
            ))
        },
        "root_name_source" => |r| s(root_domain(r.host_from())),
        "root_name_target" => |r| s(root_domain(r.host_to())),
        "semantic_location" => |r| opt_s(r.hist.link.semantic_location.as_deref()),
        "snippet_left" => |r| s(&r.hist.link.snippet_left),
        "snippet_right" => |r| s(&r.hist.link.snippet_right),
        "source_page_author" => |r| opt_s(r.page.content.author.as_deref()),
        "source_page_publish_date" => |r| opt_s(r.page.content.publish_date.as_deref()),
        "subnet_source" => |r| {
            r.page
                .latest
                .ip
                .as_deref()
                .and_then(class_c)
                .map_or(Cell::Null, |c| Cell::Str(Cow::Owned(c)))
        },
        "title" => |r| s(r.page.content.title.as_deref().unwrap_or("")),
        "title_target" => |r| {
            r.target
                .and_then(|t| t.title.as_deref())
                .map_or(Cell::Null, s)
        },
        "tld_class_source" => |r| s(tld_class(r.host_from()).as_str()),
        "tld_class_target" => |r| s(tld_class(r.host_to()).as_str()),
        "url_from" => |r| s(r.page.url),
        "url_from_plain" => |r| s(plain_of(r.page.url)),
        "url_rating_source" => |r| Cell::Float(r.source_ur()),
        "url_rating_target" => |r| Cell::Float(r.metrics.url_rating[r.node.tgt_page as usize]),
        "url_redirect" => |r| r.target.map_or(Cell::Strs(Vec::new()), |t| strs(&t.chain)),
        "url_redirect_with_target" => |r| {
            let mut v = vec![Cow::Borrowed(r.url_to())];
            if let Some(t) = r.target {
                v.extend(t.chain.iter().map(|c| Cow::Borrowed(c.as_str())));
            }
            Cell::Strs(v)
        },
        "url_to" => |r| s(r.url_to()),
        "url_to_plain" => |r| s(plain_of(r.url_to())),
        "traffic" => |r| imported(r.page_imports(), |f| f.traffic),
        "positions" => |r| imported(r.page_imports(), |f| f.positions),
        "positions_top_3" => |r| known(r.page_imports().and_then(|f| f.positions_top_3)),
        "positions_top_10" => |r| known(r.page_imports().and_then(|f| f.positions_top_10)),
        "traffic_domain" => |r| imported(r.source_imports(), |f| f.traffic),
        "positions_source_domain" => |r| imported(r.source_imports(), |f| f.positions),
        _ => return None,
    };
    Some(f)
}

/// An imported figure; 0 when not imported, as Ahrefs reports a site without search traffic.
/// A figure only DataForSEO serves: null when unknown.
fn known(figure: Option<i64>) -> Cell<'static> {
    figure.map_or(Cell::Null, Cell::Int)
}

fn imported(
    figures: Option<&ImportedFigures>,
    figure: impl Fn(&ImportedFigures) -> Option<i64>,
) -> Cell<'static> {
    Cell::Int(figures.and_then(figure).unwrap_or(0))
}

/// Catalogue columns the build fills (the others are null until their issue lands).
pub fn computed_columns() -> impl Iterator<Item = &'static Column> {
    BACKLINK_COLUMNS
        .iter()
        .filter(|c| cell_fn(c.name).is_some())
}

/// The Arrow schema of the `backlinks` table.
pub fn schema() -> SchemaRef {
    let mut fields: Vec<Field> = BACKLINK_COLUMNS.iter().map(Column::arrow_field).collect();
    fields.push(Field::new(TARGET_KEY, DataType::Utf8, false));
    fields.push(Field::new(TARGET_HTTPS, DataType::Boolean, false));
    fields.push(Field::new(SOURCE_KEY, DataType::Utf8, false));
    fields.push(Field::new(SIMILAR_GROUP, DataType::Int64, false));
    fields.push(Field::new(ORDINAL, DataType::Int64, false));
    for grouping in Grouping::ALL {
        for live in [false, true] {
            fields.push(Field::new(grouping.column(live), DataType::Int64, true));
        }
    }
    Arc::new(Schema::new(fields))
}

/// Sorts rows as `backlinks` is stored: backlinks before internal links, then target key,
/// then source quality, so a target's top backlinks are a prefix read.
pub fn sort_by_target(rows: &mut [Row<'_>]) {
    let keys = ranks(rows, |r| r.key.as_str());
    sort_rows(
        rows,
        |i, r| (!r.node.external, keys[i], quality_key(r)),
        same_page_order,
    );
}

/// Source quality, best first (DR, UR, source URL, target URL, ordinal): the query layer's
/// order of a target's links, and the one a link group's representative is chosen by.
pub(super) fn by_quality(a: &Row<'_>, b: &Row<'_>) -> Ordering {
    quality_key(a)
        .cmp(&quality_key(b))
        .then_with(|| same_page_order(a, b))
}

/// The order of [`by_quality`] up to the source page, as one compact key: DR and UR best
/// first (as [`f64::total_cmp`] orders them), then the page by its history's index
/// (histories are sorted by URL).
fn quality_key(r: &Row<'_>) -> (Reverse<i64>, Reverse<i64>, u32) {
    (
        Reverse(total_order(r.source_dr())),
        Reverse(total_order(r.source_ur())),
        r.node.history,
    )
}

/// The order of one page's links in [`by_quality`]: target URL, then position on the page.
fn same_page_order(a: &Row<'_>, b: &Row<'_>) -> Ordering {
    (a.hist.link.url_to.cmp(&b.hist.link.url_to))
        .then(a.hist.link.ordinal.cmp(&b.hist.link.ordinal))
}

/// Sorts rows as `outlinks` is stored: source key, then source URL, then position on the page.
pub fn sort_by_source(rows: &mut [Row<'_>]) {
    let keys = ranks(rows, |r| r.source_key.as_str());
    sort_rows(
        rows,
        |i, r| (keys[i], r.node.history),
        |a, b| a.hist.link.ordinal.cmp(&b.hist.link.ordinal),
    );
}

/// A float as an integer of the same order ([`f64::total_cmp`]'s).
fn total_order(x: f64) -> i64 {
    let bits = x.to_bits() as i64;
    bits ^ (((bits >> 63) as u64) >> 1) as i64
}

/// The rank of each row's string `of` among the distinct ones in sort order: comparing ranks
/// compares the strings without reading them again in every comparison of a sort.
fn ranks<'r>(rows: &'r [Row<'_>], of: impl Fn(&'r Row<'_>) -> &'r str + Sync) -> Vec<u32> {
    let mut distinct: Vec<&str> = rows
        .iter()
        .map(&of)
        .collect::<FxHashSet<&str>>()
        .into_iter()
        .collect();
    distinct.par_sort_unstable();
    let rank: FxHashMap<&str, u32> = distinct
        .into_iter()
        .enumerate()
        .map(|(i, s)| (s, i as u32))
        .collect();
    rows.par_iter().map(|r| rank[of(r)]).collect()
}

/// Sorts rows by a compact `key` (of a row and its position), then by `tie`, then by their
/// current position (the order a stable sort by key and tie gives), moving each row once.
fn sort_rows<'r, K: Ord + Send>(
    rows: &mut [Row<'r>],
    key: impl Fn(usize, &Row<'r>) -> K + Sync,
    tie: impl Fn(&Row<'r>, &Row<'r>) -> Ordering + Sync,
) {
    let mut order: Vec<(K, u32)> = rows
        .par_iter()
        .enumerate()
        .map(|(i, r)| (key(i, r), i as u32))
        .collect();
    order.par_sort_unstable_by(|(ka, a), (kb, b)| {
        ka.cmp(kb)
            .then_with(|| tie(&rows[*a as usize], &rows[*b as usize]))
            .then(a.cmp(b))
    });
    let order: Vec<u32> = order.into_iter().map(|(_, i)| i).collect();
    permute(rows, &order);
}

/// Rearranges `items` so that the new `items[j]` is the old `items[order[j]]`, following
/// the permutation's cycles with swaps.
fn permute<T>(items: &mut [T], order: &[u32]) {
    let mut placed = vec![false; items.len()];
    for start in 0..items.len() {
        let mut j = start;
        while !placed[j] {
            placed[j] = true;
            let from = order[j] as usize;
            if from == start {
                break;
            }
            items.swap(j, from);
            j = from;
        }
    }
}

pub fn target_key(url: &str) -> String {
    let host = host_of(url);
    let rest = &plain_of(url)[host.len()..];
    let path = rest.find(['/', '?']).map_or("/", |i| &rest[i..]);
    let mut key = reversed_host(host);
    if !path.starts_with('/') {
        key.push('/');
    }
    key.push_str(path);
    key
}

/// Record batches of at most `batch_rows` rows, built a few at a time in parallel as the
/// iterator is read: the whole table is never in memory as Arrow arrays.
pub fn batch_stream<'r>(
    rows: &'r [Row<'r>],
    batch_rows: usize,
) -> impl Iterator<Item = Result<RecordBatch, arrow::error::ArrowError>> + 'r {
    let schema = schema();
    let fns: Vec<Option<CellFn>> = BACKLINK_COLUMNS.iter().map(|c| cell_fn(c.name)).collect();
    let batch_rows = batch_rows.max(1);
    let per_round = batch_rows * rayon::current_num_threads().max(1);
    rows.chunks(per_round).flat_map(move |round| {
        let built: Vec<_> = round
            .par_chunks(batch_rows)
            .map(|chunk| {
                let mut arrays = catalogue_arrays(chunk, &fns);
                arrays.extend(internal_arrays(chunk));
                RecordBatch::try_new(schema.clone(), arrays)
            })
            .collect();
        built
    })
}

fn internal_arrays(rows: &[Row<'_>]) -> Vec<ArrayRef> {
    let mut key = StringBuilder::new();
    let mut https = BooleanBuilder::new();
    let mut source_key = StringBuilder::new();
    let mut group = Int64Builder::new();
    let mut ordinal = Int64Builder::new();
    let mut sizes: Vec<Int64Builder> = (0..Grouping::ALL.len() * 2)
        .map(|_| Int64Builder::new())
        .collect();
    for r in rows {
        key.append_value(&r.key);
        https.append_value(r.url_to().starts_with("https:"));
        source_key.append_value(&r.source_key);
        group.append_value(r.groups.similar_hash);
        ordinal.append_value(i64::from(r.hist.link.ordinal));
        for (i, grouping) in Grouping::ALL.into_iter().enumerate() {
            let size = r.groups.sizes(grouping);
            sizes[2 * i].append_option(size.all_time);
            sizes[2 * i + 1].append_option(size.live);
        }
    }
    let mut arrays: Vec<ArrayRef> = vec![
        Arc::new(key.finish()),
        Arc::new(https.finish()),
        Arc::new(source_key.finish()),
        Arc::new(group.finish()),
        Arc::new(ordinal.finish()),
    ];
    arrays.extend(sizes.iter_mut().map(|b| Arc::new(b.finish()) as ArrayRef));
    arrays
}

/// The catalogue columns of `rows`, filled row by row: a row's cells read the same page,
/// link and metrics, which stay in cache while all of them are made (rows in target order
/// point all over memory).
fn catalogue_arrays(rows: &[Row<'_>], fns: &[Option<CellFn>]) -> Vec<ArrayRef> {
    let mut builders: Vec<ColumnBuilder> = BACKLINK_COLUMNS
        .iter()
        .map(|c| ColumnBuilder::new(c.ty, rows.len()))
        .collect();
    for r in rows {
        for (builder, f) in builders.iter_mut().zip(fns) {
            builder.append(f.map_or(Cell::Null, |f| f(r)));
        }
    }
    builders.iter_mut().map(ColumnBuilder::finish).collect()
}

/// An Arrow builder for a catalogue column's type, fed [`Cell`]s (other cells are nulls).
enum ColumnBuilder {
    Int(Int64Builder),
    Float(Float64Builder),
    Bool(BooleanBuilder),
    Str(StringBuilder),
    Time(TimestampMicrosecondBuilder),
    Strs(ListBuilder<StringBuilder>),
    Ints(ListBuilder<Int64Builder>),
}

impl ColumnBuilder {
    fn new(ty: ColType, rows: usize) -> Self {
        match ty {
            ColType::Int => ColumnBuilder::Int(Int64Builder::with_capacity(rows)),
            ColType::Float => ColumnBuilder::Float(Float64Builder::with_capacity(rows)),
            ColType::Bool => ColumnBuilder::Bool(BooleanBuilder::with_capacity(rows)),
            ColType::Str | ColType::Url | ColType::Date => {
                ColumnBuilder::Str(StringBuilder::with_capacity(rows, rows * 16))
            }
            ColType::DateTime => ColumnBuilder::Time(
                TimestampMicrosecondBuilder::with_capacity(rows).with_timezone("UTC"),
            ),
            ColType::StrList | ColType::UrlList => {
                ColumnBuilder::Strs(ListBuilder::with_capacity(StringBuilder::new(), rows))
            }
            ColType::IntList => {
                ColumnBuilder::Ints(ListBuilder::with_capacity(Int64Builder::new(), rows))
            }
        }
    }

    fn append(&mut self, cell: Cell<'_>) {
        match (self, cell) {
            (ColumnBuilder::Int(b), Cell::Int(v)) => b.append_value(v),
            (ColumnBuilder::Int(b), _) => b.append_null(),
            (ColumnBuilder::Float(b), Cell::Float(v)) => b.append_value(v),
            (ColumnBuilder::Float(b), _) => b.append_null(),
            (ColumnBuilder::Bool(b), Cell::Bool(v)) => b.append_value(v),
            (ColumnBuilder::Bool(b), _) => b.append_null(),
            (ColumnBuilder::Str(b), Cell::Str(v)) => b.append_value(v),
            (ColumnBuilder::Str(b), _) => b.append_null(),
            (ColumnBuilder::Time(b), Cell::Time(v)) => b.append_value(v),
            (ColumnBuilder::Time(b), _) => b.append_null(),
            (ColumnBuilder::Strs(b), Cell::Strs(v)) => {
                v.iter().for_each(|x| b.values().append_value(x));
                b.append(true);
            }
            (ColumnBuilder::Strs(b), _) => b.append(false),
            (ColumnBuilder::Ints(b), Cell::Ints(v)) => {
                b.values().append_slice(&v);
                b.append(true);
            }
            (ColumnBuilder::Ints(b), _) => b.append(false),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            ColumnBuilder::Int(b) => Arc::new(b.finish()),
            ColumnBuilder::Float(b) => Arc::new(b.finish()),
            ColumnBuilder::Bool(b) => Arc::new(b.finish()),
            ColumnBuilder::Str(b) => Arc::new(b.finish()),
            ColumnBuilder::Time(b) => Arc::new(b.finish()),
            ColumnBuilder::Strs(b) => Arc::new(b.finish()),
            ColumnBuilder::Ints(b) => Arc::new(b.finish()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn total_order_orders_floats_as_total_cmp() {
        let mut floats = [
            3.5,
            -0.0,
            0.0,
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            -2.25,
            1e-300,
            100.0,
        ];
        floats.sort_by(f64::total_cmp);
        for pair in floats.windows(2) {
            assert!(
                total_order(pair[0]) < total_order(pair[1]),
                "{} then {}",
                pair[0],
                pair[1]
            );
        }
    }

    #[test]
    fn permute_moves_each_item_to_its_place() {
        // Cycles of lengths 1, 2 and 5 at once.
        let order: [u32; 8] = [0, 2, 1, 4, 5, 6, 7, 3];
        let mut items: Vec<char> = "abcdefgh".chars().collect();
        let expected: Vec<char> = order.iter().map(|&i| items[i as usize]).collect();
        permute(&mut items, &order);
        assert_eq!(items, expected);
    }
}
