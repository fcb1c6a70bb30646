//! Where a node's PageRank comes from (`anchorage explain-dr DOMAIN`).
//!
//! At the PageRank fixed point (rules in the crate documentation) the score of a node `v` is
//! the sum of three kinds of terms:
//!
//! ```text
//! pr[v] = (1 − d) / n                      teleport
//!       + d · D / n                        dangling share, D = Σ pr[u] over nodes without out-links
//!       + Σ over edges u → v of d · pr[u] / outdeg(u)     one term per in-link
//! ```
//!
//! [`explain`] evaluates this right-hand side from a finished run's scores and reports every
//! term as a fraction of the total, so the fractions — one per in-neighbour, plus the
//! teleport and the dangling share — add up to 1. The total is what one more iteration would
//! give `v`; it equals `pr[v]` up to the convergence residual (at most about
//! `damping × tolerance`), which [`Explanation::recomputed`] and [`Explanation::score`] make
//! visible. Dividing by the recomputed total rather than by `pr[v]` is what makes the parts
//! sum to exactly 1 (up to rounding) even though the run stopped at a tolerance.
//!
//! An in-neighbour appears once with the sum of its terms if it links to `v` more than once
//! (only possible in graphs from [`Graph::from_csr`]); a node with a self-loop appears among
//! its own in-neighbours. The lists come sorted by share, largest first, ties by node id.

use crate::{Graph, PageRank, PageRankConfig};
use rayon::prelude::*;

/// The decomposition of one node's score; shares are fractions of [`Explanation::recomputed`].
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    pub node: u32,
    /// The node's score in the PageRank run.
    pub score: f64,
    /// teleport + dangling share + link shares, in absolute terms: the score one more
    /// iteration would give the node.
    pub recomputed: f64,
    /// Share of `(1 − d) / n`, the part every node gets.
    pub teleport: f64,
    /// Share of `d · D / n`, the part the dangling nodes spread over everyone.
    pub dangling: f64,
    /// `(in-neighbour, share)`, largest share first.
    pub links: Vec<(u32, f64)>,
}

/// Explains `node`'s score in `pr`, a run of [`crate::pagerank`] over `graph` with `config`.
/// `None` when `node` is not a node of `graph`, when `pr` does not belong to `graph` (a
/// different node count), or when the recomputed score is not positive (damping 1 and no
/// in-links: there is nothing to divide).
pub fn explain(
    graph: &Graph,
    pr: &PageRank,
    config: &PageRankConfig,
    node: u32,
) -> Option<Explanation> {
    let n = graph.nodes();
    let v = node as usize;
    if v >= n || pr.scores.len() != n {
        return None;
    }
    let d = config.damping;
    let dangling_mass: f64 = (0..n)
        .filter(|&u| graph.out_degree(u) == 0)
        .map(|u| pr.scores[u])
        .sum();
    let teleport = (1.0 - d) / n as f64;
    let dangling = d * dangling_mass / n as f64;
    // A scan of all edges (O(edges), parallel) rather than a transpose: one query does not
    // justify allocating the reversed graph.
    let mut links: Vec<(u32, f64)> = (0..n)
        .into_par_iter()
        .with_min_len(4096)
        .filter_map(|u| {
            let succ = graph.successors(u);
            let times = succ.iter().filter(|&&t| t == node).count();
            (times > 0).then(|| {
                (
                    u as u32,
                    times as f64 * d * pr.scores[u] / succ.len() as f64,
                )
            })
        })
        .collect();
    let from_links: f64 = links.iter().map(|(_, x)| x).sum();
    let recomputed = teleport + dangling + from_links;
    if recomputed.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    for (_, x) in &mut links {
        *x /= recomputed;
    }
    links.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    Some(Explanation {
        node,
        score: pr.scores[v],
        recomputed,
        teleport: teleport / recomputed,
        dangling: dangling / recomputed,
        links,
    })
}

/// Each in-neighbour's share of `node`'s score, `d · pr[u] / outdeg(u)` over the node's
/// (recomputed) score, largest first; the teleport and dangling shares are in [`explain`].
/// Empty when [`explain`] gives `None`.
pub fn contributions(
    graph: &Graph,
    pr: &PageRank,
    config: &PageRankConfig,
    node: u32,
) -> Vec<(u32, f64)> {
    explain(graph, pr, config, node)
        .map(|e| e.links)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pagerank;

    fn total(e: &Explanation) -> f64 {
        e.teleport + e.dangling + e.links.iter().map(|(_, x)| x).sum::<f64>()
    }

    #[test]
    fn shares_sum_to_one_and_are_sorted() {
        // 0 and 1 link to 3; 2 links to 3 and 4; 4 links to 0; 3 is dangling.
        let g = Graph::from_edges(5, [(0, 3), (1, 3), (2, 3), (2, 4), (4, 0)]);
        let config = PageRankConfig::default();
        let pr = pagerank(&g, &config);
        for v in 0..5 {
            let e = explain(&g, &pr, &config, v).unwrap();
            assert!((total(&e) - 1.0).abs() < 1e-12, "node {v}: {}", total(&e));
            assert!((e.recomputed - e.score).abs() <= config.tolerance);
            assert!(e.links.windows(2).all(|w| w[0].1 >= w[1].1));
        }
        let e = explain(&g, &pr, &config, 3).unwrap();
        let from: Vec<u32> = e.links.iter().map(|(u, _)| *u).collect();
        // 0 gives all of its score, 2 half of its: 0 first (it also gets 4's vote), 2 last.
        assert_eq!(from, vec![0, 1, 2]);
        let d = config.damping;
        let expect_2 = d * pr.scores[2] / 2.0 / e.recomputed;
        assert!((e.links[2].1 - expect_2).abs() < 1e-15);
        assert_eq!(contributions(&g, &pr, &config, 3), e.links);
        // Node 1 has no in-links: teleport and dangling shares only.
        let e = explain(&g, &pr, &config, 1).unwrap();
        assert!(e.links.is_empty());
        assert!((e.teleport + e.dangling - 1.0).abs() < 1e-12);
    }

    #[test]
    fn self_loops_and_repeated_links_count_like_the_iteration() {
        // 0 → 1 twice and 0 → 0; 1 → 0.
        let g = Graph::from_csr(vec![0, 3, 4], vec![0, 1, 1, 0]).unwrap();
        let config = PageRankConfig {
            tolerance: 1e-14,
            ..PageRankConfig::default()
        };
        let pr = pagerank(&g, &config);
        let e = explain(&g, &pr, &config, 1).unwrap();
        assert_eq!(e.links.len(), 1);
        let expect = 2.0 * config.damping * pr.scores[0] / 3.0 / e.recomputed;
        assert!((e.links[0].1 - expect).abs() < 1e-12);
        assert!((e.recomputed - e.score).abs() < 1e-13);
        let e = explain(&g, &pr, &config, 0).unwrap();
        let mut from: Vec<u32> = e.links.iter().map(|(u, _)| *u).collect();
        from.sort();
        assert_eq!(from, vec![0, 1]);
        assert!((total(&e) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn bad_queries_give_nothing() {
        let g = Graph::from_edges(3, [(0, 1)]);
        let config = PageRankConfig::default();
        let pr = pagerank(&g, &config);
        assert!(explain(&g, &pr, &config, 3).is_none());
        assert!(contributions(&g, &pr, &config, u32::MAX).is_empty());
        let other = pagerank(&Graph::from_edges(4, [(0, 1)]), &config);
        assert!(explain(&g, &other, &config, 0).is_none());
    }
}
