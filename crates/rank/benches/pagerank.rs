//! PageRank on cnr-2000 (325,557 nodes, 3,216,152 arcs): this crate's CSR implementation
//! against webgraph-algo's, same rules and stopping rule, in the same process. Prints its
//! figures; run with
//! `CARGO_TARGET_DIR=/work/target-rank cargo bench -p anchorage-rank --bench pagerank`.

#[path = "../tests/common/mod.rs"]
mod common;

use anchorage_rank::{PageRankConfig, bvgraph, pagerank};
use std::time::Instant;

const RUNS: usize = 5;

fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..runs {
        let start = Instant::now();
        let value = f();
        best = best.min(start.elapsed().as_secs_f64());
        out = Some(value);
    }
    (best, out.expect("runs > 0"))
}

fn main() {
    let Some(basename) = common::cnr2000_basename() else {
        return;
    };
    let config = PageRankConfig::default();
    println!(
        "cnr-2000, {} rayon threads, damping {}, tolerance {:e} (L1 change), best of {RUNS}",
        rayon::current_num_threads(),
        config.damping,
        config.tolerance
    );

    let (load_s, graph) = best_of(RUNS, || bvgraph::load(&basename).expect("cnr-2000 loads"));
    let (transpose_s, transpose) = best_of(RUNS, || graph.transpose());
    let n = graph.nodes();
    // scores, next, per-node share, inverse out-degrees: four f64 vectors while iterating.
    let vectors = 4 * n * std::mem::size_of::<f64>();
    let mib = |b: usize| b as f64 / (1 << 20) as f64;
    println!(
        "ours:     load (BVGraph -> CSR) {:.1} ms; transpose {:.1} ms; CSR {:.1} MiB, \
         transpose {:.1} MiB, PageRank vectors {:.1} MiB",
        1e3 * load_s,
        1e3 * transpose_s,
        mib(graph.heap_bytes()),
        mib(transpose.heap_bytes()),
        mib(vectors),
    );
    drop(transpose);

    let (ours_s, ours) = best_of(RUNS, || pagerank(&graph, &config));
    // pagerank() transposes the graph itself; per iteration excludes that.
    let ours_iter_s = (ours_s - transpose_s).max(0.0) / ours.iterations as f64;

    let (wg_load_s, wg_transpose) = best_of(1, || common::webgraph_transpose(&basename));
    let (wg_s, (theirs, wg_iterations)) = best_of(RUNS, || {
        common::webgraph_pagerank(&wg_transpose, config.damping, config.tolerance)
    });
    let wg_iter_s = wg_s / wg_iterations as f64;
    println!(
        "webgraph: load + transpose into CsrGraph {:.1} ms (usize successors: {:.1} MiB)",
        1e3 * wg_load_s,
        mib((n + 1 + common::ARCS) * std::mem::size_of::<usize>()),
    );

    println!(
        "ours:     {:>3} iterations, total {:7.1} ms, {:.2} ms/iteration",
        ours.iterations,
        1e3 * ours_s,
        1e3 * ours_iter_s
    );
    println!(
        "webgraph: {:>3} iterations, total {:7.1} ms, {:.2} ms/iteration (Gauss-Seidel)",
        wg_iterations,
        1e3 * wg_s,
        1e3 * wg_iter_s
    );
    println!(
        "ratio ours/webgraph: per iteration {:.2}, total {:.2}",
        ours_iter_s / wg_iter_s,
        ours_s / wg_s
    );
    let agree = common::agreement(&ours.scores, &theirs, 100);
    println!(
        "agreement: max |diff| {:.2e}; top 100: {} missing, {} discordant, Kendall tau-b {:.4} \
         (ties within max |diff|: {:.4})",
        agree.max_abs_diff,
        agree.top_k_missing,
        agree.discordant,
        agree.kendall_tau,
        agree.kendall_tau_eps
    );
}
