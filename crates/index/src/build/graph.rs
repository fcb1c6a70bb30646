//! Graph metrics and distinct counts over live links (rules in the README, "Metrics").
//!
//! - Domain Rating: PageRank over the root-domain graph (A → B when at least one live dofollow
//!   link goes from a page of A to a page of B, A ≠ B), each domain's vote split evenly over
//!   the domains it links to; log-scaled to 0–100 by [`anchorage_rank::log_scale`].
//!   Ahrefs Rank is the position by raw score (1 = strongest).
//! - URL Rating: PageRank over pages (http and https of one URL merged), live dofollow links,
//!   internal and external alike; same scale.
//! - Counts are distinct counts over live links of every kind.
//!
//! Links that pass authority (graph edges): text, image, redirects (HTTP and meta refresh),
//! canonical and frames. Forms, alternates and feeds do not.

use super::history::PageHistory;
use anchorage_core::domain::{class_c, root_domain};
use anchorage_core::record::LinkElement;
use anchorage_core::urls::{host_of, plain_of};
use anchorage_rank::{Graph, PageRankConfig, log_scale, pagerank};
use std::collections::HashMap;

/// Strings to dense ids.
#[derive(Debug, Default)]
pub struct Interner {
    ids: HashMap<String, u32>,
    pub names: Vec<String>,
}

impl Interner {
    pub fn id(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_string());
        self.ids.insert(name.to_string(), id);
        id
    }

    pub fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// Where one link of one page history sits in the graphs.
#[derive(Debug, Clone, Copy)]
pub struct LinkNode {
    pub history: u32,
    pub link: u32,
    pub src_domain: u32,
    pub tgt_domain: u32,
    pub src_page: u32,
    pub tgt_page: u32,
    pub live: bool,
    pub dofollow: bool,
    pub external: bool,
}

/// Does this kind of link pass authority?
pub fn passes_authority(element: LinkElement) -> bool {
    !matches!(
        element,
        LinkElement::Form | LinkElement::Alternate | LinkElement::Rss
    )
}

#[derive(Debug, Default)]
pub struct Metrics {
    pub domains: Interner,
    pub pages: Interner,
    pub nodes: Vec<LinkNode>,
    pub domain_rating: Vec<f64>,
    pub domain_raw: Vec<f64>,
    pub ahrefs_rank: Vec<u32>,
    pub url_rating: Vec<f64>,
    pub refdomains_of_domain: Vec<u32>,
    pub linked_domains_of_domain: Vec<u32>,
    pub dofollow_refdomains_of_domain: Vec<u32>,
    pub dofollow_linked_domains_of_domain: Vec<u32>,
    /// Link-farm score of each root domain, 0–100 (see [`spam_score`]).
    pub domain_spam: Vec<u8>,
    pub refdomains_of_page: Vec<u32>,
    pub class_c_of_page: Vec<u32>,
    pub domain_iterations: usize,
    pub page_iterations: usize,
    /// The edges of the domain graph DR was computed on (distinct, source ≠ target).
    pub domain_edges: Vec<(u32, u32)>,
    /// Search figures from `anchorage import-metrics`, joined to the rows by the build.
    pub imports: crate::imports::ImportedMetrics,
}

impl Metrics {
    pub fn compute(histories: &[PageHistory<'_>]) -> Metrics {
        let mut m = Metrics::default();
        let mut page_ips: Vec<Option<String>> = Vec::new();
        for (h, page) in histories.iter().enumerate() {
            let src_plain = plain_of(page.url);
            let src_host = host_of(page.url);
            let src_domain = m.domains.id(root_domain(src_host));
            let src_page = m.pages.id(src_plain);
            for (l, hist) in page.links.iter().enumerate() {
                let to = hist.link.url_to.as_str();
                let tgt_domain = m.domains.id(root_domain(host_of(to)));
                let tgt_page = m.pages.id(plain_of(to));
                let nofollow = hist.link.nofollow
                    || hist.link.ugc
                    || hist.link.sponsored
                    || hist.seen_in.nofollow;
                m.nodes.push(LinkNode {
                    history: h as u32,
                    link: l as u32,
                    src_domain,
                    tgt_domain,
                    src_page,
                    tgt_page,
                    live: hist.live,
                    dofollow: !nofollow,
                    external: src_domain != tgt_domain,
                });
            }
            page_ips.resize(m.pages.len(), None);
            page_ips[src_page as usize] = page.latest.ip.clone();
        }
        page_ips.resize(m.pages.len(), None);
        m.rank_domains(histories);
        m.rank_pages(histories);
        m.count(&page_ips);
        m
    }

    fn authority_edges<'a>(
        &'a self,
        histories: &'a [PageHistory<'_>],
    ) -> impl Iterator<Item = &'a LinkNode> + 'a {
        self.nodes.iter().filter(move |n| {
            n.live
                && n.dofollow
                && passes_authority(
                    histories[n.history as usize].links[n.link as usize]
                        .link
                        .element,
                )
        })
    }

    fn rank_domains(&mut self, histories: &[PageHistory<'_>]) {
        let edges: Vec<(u32, u32)> = self
            .authority_edges(histories)
            .filter(|n| n.external)
            .map(|n| (n.src_domain, n.tgt_domain))
            .collect();
        let graph = Graph::from_edges(self.domains.len(), edges);
        self.domain_edges = (0..graph.nodes())
            .flat_map(|v| graph.successors(v).iter().map(move |&t| (v as u32, t)))
            .collect();
        let config = PageRankConfig::default();
        let pr = pagerank(&graph, &config);
        self.domain_iterations = pr.iterations;
        let floor = pr.floor(&config);
        let top = pr.scores.iter().copied().fold(0.0, f64::max);
        // A domain nobody links to with a dofollow link has DR 0, whatever teleport gives it.
        let has_inlinks = in_degree_positive(&graph);
        self.domain_rating = pr
            .scores
            .iter()
            .zip(&has_inlinks)
            .map(|(&s, &linked)| {
                if linked {
                    log_scale(s, floor, top)
                } else {
                    0.0
                }
            })
            .collect();
        self.ahrefs_rank = positions(&pr.scores);
        self.domain_raw = pr.scores;
    }

    fn rank_pages(&mut self, histories: &[PageHistory<'_>]) {
        let edges: Vec<(u32, u32)> = self
            .authority_edges(histories)
            .map(|n| (n.src_page, n.tgt_page))
            .collect();
        let graph = Graph::from_edges(self.pages.len(), edges);
        let config = PageRankConfig::default();
        let pr = pagerank(&graph, &config);
        self.page_iterations = pr.iterations;
        let floor = pr.floor(&config);
        let top = pr.scores.iter().copied().fold(0.0, f64::max);
        let has_inlinks = in_degree_positive(&graph);
        self.url_rating = pr
            .scores
            .iter()
            .zip(&has_inlinks)
            .map(|(&s, &linked)| {
                if linked {
                    log_scale(s, floor, top)
                } else {
                    0.0
                }
            })
            .collect();
    }

    fn count(&mut self, page_ips: &[Option<String>]) {
        let live_external = || self.nodes.iter().filter(|n| n.live && n.external);
        let domain_pairs = distinct(live_external().map(|n| (n.src_domain, n.tgt_domain)));
        self.refdomains_of_domain = count_by(self.domains.len(), domain_pairs.iter().map(|p| p.1));
        self.linked_domains_of_domain =
            count_by(self.domains.len(), domain_pairs.iter().map(|p| p.0));
        let page_domains = distinct(live_external().map(|n| (n.tgt_page, n.src_domain)));
        self.refdomains_of_page = count_by(self.pages.len(), page_domains.iter().map(|p| p.0));
        let mut subnets = Interner::default();
        let page_subnets = distinct(live_external().filter_map(|n| {
            let ip = page_ips[n.src_page as usize].as_deref()?;
            Some((n.tgt_page, subnets.id(&class_c(ip)?)))
        }));
        self.class_c_of_page = count_by(self.pages.len(), page_subnets.iter().map(|p| p.0));
        let dofollow_pairs = distinct(
            live_external()
                .filter(|n| n.dofollow)
                .map(|n| (n.src_domain, n.tgt_domain)),
        );
        self.dofollow_refdomains_of_domain =
            count_by(self.domains.len(), dofollow_pairs.iter().map(|p| p.1));
        self.dofollow_linked_domains_of_domain =
            count_by(self.domains.len(), dofollow_pairs.iter().map(|p| p.0));
        self.domain_spam = (0..self.domains.len())
            .map(|d| {
                spam_score(
                    &self.domains.names[d],
                    self.domain_rating[d],
                    self.linked_domains_of_domain[d],
                    self.refdomains_of_domain[d],
                )
            })
            .collect();
    }
}

/// Top-level domains that link farms favour (cheap or free registrations).
const ABUSED_TLDS: &[&str] = &[
    "xyz", "top", "click", "loan", "work", "gq", "ml", "cf", "tk", "ga", "buzz", "icu", "cyou",
];

/// The link-farm score of a root domain, 0–100 (README, "Spam"): +40 when it links to at
/// least 100 domains and to 20 times more domains than link to it; +30 when it has DR 0 yet
/// links to 50 domains or more; +20 for an often abused TLD. `is_spam` is a score of 60 or more.
pub fn spam_score(domain: &str, dr: f64, linked_domains: u32, refdomains: u32) -> u8 {
    let mut score = 0u8;
    if linked_domains >= 100 && linked_domains >= 20 * (refdomains + 1) {
        score += 40;
    }
    if dr == 0.0 && linked_domains >= 50 {
        score += 30;
    }
    let tld = domain.rsplit('.').next().unwrap_or("");
    if ABUSED_TLDS.contains(&tld) {
        score += 20;
    }
    score.min(100)
}

/// A domain with this spam score or more is `is_spam`.
pub const SPAM_THRESHOLD: u8 = 60;

fn in_degree_positive(graph: &Graph) -> Vec<bool> {
    let mut linked = vec![false; graph.nodes()];
    for v in 0..graph.nodes() {
        for &t in graph.successors(v) {
            linked[t as usize] = true;
        }
    }
    linked
}

/// 1-based positions by descending score (ties share the better position order-stably).
fn positions(scores: &[f64]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut out = vec![0u32; scores.len()];
    for (pos, idx) in order.into_iter().enumerate() {
        out[idx] = pos as u32 + 1;
    }
    out
}

fn distinct(pairs: impl Iterator<Item = (u32, u32)>) -> Vec<(u32, u32)> {
    let mut v: Vec<(u32, u32)> = pairs.collect();
    v.sort_unstable();
    v.dedup();
    v
}

fn count_by(len: usize, keys: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut out = vec![0u32; len];
    for k in keys {
        out[k as usize] += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_rank_by_score() {
        assert_eq!(positions(&[0.1, 0.5, 0.3]), vec![3, 1, 2]);
    }

    #[test]
    fn spam_scores_flag_link_farms_only() {
        assert_eq!(spam_score("example.com", 35.0, 40, 12), 0);
        assert!(spam_score("farm.xyz", 0.0, 500, 1) >= SPAM_THRESHOLD);
        assert!(spam_score("farm.com", 0.0, 500, 1) >= SPAM_THRESHOLD);
        assert!(spam_score("popular.com", 80.0, 500, 400) < SPAM_THRESHOLD);
    }

    #[test]
    fn counts_are_distinct() {
        let pairs = distinct([(1, 2), (1, 2), (3, 2)].into_iter());
        assert_eq!(count_by(4, pairs.iter().map(|p| p.1)), vec![0, 0, 2, 0]);
    }
}
