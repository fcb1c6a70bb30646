//! Shared by the cnr-2000 test and the PageRank benchmark: where the graph is, and the
//! reference PageRank computed entirely with webgraph/webgraph-algo (their decoder, their
//! transposition, their Gauss–Seidel PageRank), independent of this crate's code.

#![allow(dead_code)] // each includer uses a different subset

use std::path::PathBuf;
use webgraph::graphs::bvgraph::{BvGraphSeq, LoadMem};
use webgraph::graphs::csr_graph::CsrGraph;
use webgraph::graphs::vec_graph::VecGraph;
use webgraph::traits::SequentialLabeling;
use webgraph_algo::rank::pagerank::{Mode, PageRank, preds};

pub const NODES: usize = 325_557;
pub const ARCS: usize = 3_216_152;

/// `…/testdata/graphs/cnr-2000/cnr-2000`, or `None` (with a notice) when the shared test
/// data is absent outside CI.
pub fn cnr2000_basename() -> Option<PathBuf> {
    let root = anchorage_core::testing::shared_testdata()?;
    Some(root.join("graphs/cnr-2000/cnr-2000"))
}

/// The transpose of the BVGraph as webgraph's in-memory CSR, which is what webgraph-algo's
/// PageRank iterates over (it pulls from predecessors).
pub fn webgraph_transpose(basename: &std::path::Path) -> CsrGraph {
    let bv = BvGraphSeq::with_basename(basename)
        .mode::<LoadMem>()
        .load()
        .expect("webgraph loads cnr-2000");
    let n = bv.num_nodes();
    let mut transpose = VecGraph::empty(n);
    let mut it = bv.iter();
    // Sources in increasing order give every reversed list in increasing order, which is
    // what VecGraph::add_arc requires.
    for src in 0..n {
        for &dst in it.next_successors().expect("webgraph decodes cnr-2000") {
            transpose.add_arc(dst, src);
        }
    }
    CsrGraph::from_seq_graph(&transpose)
}

/// webgraph-algo's PageRank with our rules: uniform teleport, dangling nodes spread evenly
/// (weakly preferential), stopping when the raw L1 change between iterates is below
/// `tolerance`. webgraph-algo's criterion is the error bound α/(1−α)·‖Δ‖₁, hence the factor.
pub fn webgraph_pagerank(transpose: &CsrGraph, damping: f64, tolerance: f64) -> (Vec<f64>, usize) {
    let mut pr = PageRank::new(transpose);
    pr.alpha(damping).mode(Mode::WeaklyPreferential);
    let threshold = tolerance * damping / (1.0 - damping);
    pr.run(preds::L1Norm::try_from(threshold).expect("positive threshold"));
    (pr.rank().to_vec(), pr.iterations())
}

/// How two score vectors agree.
#[derive(Debug)]
pub struct Agreement {
    pub max_abs_diff: f64,
    /// Nodes of `a`'s top k missing from `b`'s top k.
    pub top_k_missing: usize,
    /// Pairs of `a`'s top k that `a` and `b` order differently (neither tied).
    pub discordant: usize,
    /// Pairs of `a`'s top k with exactly equal scores in `a`.
    pub tied_in_a: usize,
    /// Kendall tau-b of the two scores over `a`'s top k, ties = exactly equal scores.
    pub kendall_tau: f64,
    /// The same with ties = scores closer than `max_abs_diff`: two implementations that
    /// agree to within ε cannot order nodes whose scores differ by less than ε.
    pub kendall_tau_eps: f64,
}

pub fn top_k(scores: &[f64], k: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&x, &y| scores[y].total_cmp(&scores[x]).then(x.cmp(&y)));
    order.truncate(k);
    order
}

/// Kendall tau-b over `nodes`, scores within `eps` counted as tied; also the discordant and
/// a-tied pair counts.
fn kendall_tau_b(a: &[f64], b: &[f64], nodes: &[usize], eps: f64) -> (f64, usize, usize) {
    let sign = |x: f64| {
        if x.abs() <= eps {
            0
        } else if x > 0.0 {
            1
        } else {
            -1
        }
    };
    let (mut concordant, mut discordant, mut tied_a, mut tied_b) = (0usize, 0usize, 0usize, 0usize);
    for (i, &u) in nodes.iter().enumerate() {
        for &v in &nodes[i + 1..] {
            match (sign(a[u] - a[v]), sign(b[u] - b[v])) {
                (0, 0) => {
                    tied_a += 1;
                    tied_b += 1;
                }
                (0, _) => tied_a += 1,
                (_, 0) => tied_b += 1,
                (x, y) if x == y => concordant += 1,
                _ => discordant += 1,
            }
        }
    }
    let pairs = nodes.len() * nodes.len().saturating_sub(1) / 2;
    let tau = (concordant as f64 - discordant as f64)
        / (((pairs - tied_a) as f64) * ((pairs - tied_b) as f64)).sqrt();
    (tau, discordant, tied_a)
}

pub fn agreement(a: &[f64], b: &[f64], k: usize) -> Agreement {
    assert_eq!(a.len(), b.len());
    let max_abs_diff = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    let top_a = top_k(a, k);
    let top_b: std::collections::HashSet<usize> = top_k(b, k).into_iter().collect();
    let top_k_missing = top_a.iter().filter(|v| !top_b.contains(v)).count();
    let (kendall_tau, discordant, tied_in_a) = kendall_tau_b(a, b, &top_a, 0.0);
    let (kendall_tau_eps, _, _) = kendall_tau_b(a, b, &top_a, max_abs_diff);
    Agreement {
        max_abs_diff,
        top_k_missing,
        discordant,
        tied_in_a,
        kendall_tau,
        kendall_tau_eps,
    }
}
