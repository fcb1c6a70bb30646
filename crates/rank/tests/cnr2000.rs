//! PageRank over a real web graph (LAW cnr-2000, 325,557 pages, 3,216,152 links) agrees with
//! webgraph-algo's PageRank under the same rules, sums to 1, and explains itself.
//!
//! Same rules on both sides: damping 0.85, uniform teleport, dangling nodes spread their
//! score evenly over all nodes (webgraph-algo `Mode::WeaklyPreferential`), stop when the L1
//! change between iterates is below 1e-7 (`PageRankConfig::default()`). The graph is used as
//! stored, self-loops included, on both sides.

mod common;

use anchorage_rank::{PageRankConfig, bvgraph, explain, pagerank};
use common::{ARCS, NODES, agreement, cnr2000_basename, webgraph_pagerank, webgraph_transpose};

#[test]
fn cnr2000_pagerank_matches_webgraph_algo() {
    let Some(basename) = cnr2000_basename() else {
        return;
    };
    let graph = bvgraph::load(&basename).expect("cnr-2000 loads");
    assert_eq!(graph.nodes(), NODES);
    assert_eq!(graph.edges(), ARCS);
    let self_loops = (0..graph.nodes())
        .filter(|&v| graph.successors(v).contains(&(v as u32)))
        .count();
    let dangling = (0..graph.nodes())
        .filter(|&v| graph.out_degree(v) == 0)
        .count();

    let config = PageRankConfig::default();
    let ours = pagerank(&graph, &config);
    assert!(
        ours.converged,
        "no convergence in {} iterations",
        ours.iterations
    );
    let sum: f64 = ours.scores.iter().sum();
    assert!((sum - 1.0).abs() < 1e-9, "scores sum to {sum}");

    let transpose = webgraph_transpose(&basename);
    let (theirs, their_iterations) =
        webgraph_pagerank(&transpose, config.damping, config.tolerance);
    let their_sum: f64 = theirs.iter().sum();
    let agree = agreement(&ours.scores, &theirs, 100);
    eprintln!(
        "cnr-2000: {self_loops} self-loops, {dangling} dangling nodes; ours: {} iterations \
         (last L1 change {:.2e}), sum 1{:+.1e}; webgraph-algo: {their_iterations} iterations, \
         sum 1{:+.1e}; max |diff| {:.2e}; top 100: {} missing, {} discordant pairs, {} pairs \
         tied in ours, Kendall tau-b {:.4} (ties within max |diff|: {:.4})",
        ours.iterations,
        ours.delta,
        sum - 1.0,
        their_sum - 1.0,
        agree.max_abs_diff,
        agree.top_k_missing,
        agree.discordant,
        agree.tied_in_a,
        agree.kendall_tau,
        agree.kendall_tau_eps,
    );
    assert!(agree.max_abs_diff < 1e-6, "{agree:?}");
    // Exact tau-b is slightly below 1 on cnr-2000 only because of ties: nodes with the same
    // in-links have bit-equal scores here, while Gauss–Seidel splits them by ~1e-15.
    assert!(
        agree.top_k_missing == 0 || agree.kendall_tau_eps >= 0.99,
        "{agree:?}"
    );

    // A node nobody links to still gets the dangling share on top of the teleport: how far
    // above `PageRank::floor` (the teleport alone) that puts it.
    let dangling_mass: f64 = (0..graph.nodes())
        .filter(|&v| graph.out_degree(v) == 0)
        .map(|v| ours.scores[v])
        .sum();
    let floor = ours.floor(&config);
    let unlinked = floor + config.damping * dangling_mass / graph.nodes() as f64;
    eprintln!(
        "dangling mass {dangling_mass:.3}; a node without in-links scores {:.2} x floor",
        unlinked / floor
    );

    // The best node's score, decomposed: the parts add up to 1 and to its score.
    let top = common::top_k(&ours.scores, 1)[0] as u32;
    let e = explain(&graph, &ours, &config, top).expect("a node of the graph");
    let parts = e.teleport + e.dangling + e.links.iter().map(|(_, x)| x).sum::<f64>();
    assert!((parts - 1.0).abs() < 1e-12, "parts sum to {parts}");
    assert!((e.recomputed - e.score).abs() <= config.tolerance);
    assert_eq!(
        e.links.len(),
        (0..graph.nodes())
            .filter(|&u| graph.successors(u).contains(&top))
            .count()
    );
    eprintln!(
        "node {top}: score {:.3e}, {} in-links, the largest {:.1}% of it; teleport share \
         {:.1e}, dangling share {:.1e}",
        e.score,
        e.links.len(),
        100.0 * e.links.first().map_or(0.0, |l| l.1),
        e.teleport,
        e.dangling,
    );
    // And a spread of other nodes, weak ones included.
    for v in (0..graph.nodes()).step_by(graph.nodes() / 16) {
        let e = explain(&graph, &ours, &config, v as u32).expect("a node of the graph");
        let parts = e.teleport + e.dangling + e.links.iter().map(|(_, x)| x).sum::<f64>();
        assert!(
            (parts - 1.0).abs() < 1e-12,
            "node {v}: parts sum to {parts}"
        );
        assert!(
            (e.recomputed - e.score).abs() <= config.tolerance,
            "node {v}"
        );
    }
}
