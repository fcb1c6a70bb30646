//! Link-graph metrics.
//!
//! - [`Graph`]: a compressed sparse row (CSR) graph of out-links, built from an edge list
//!   ([`Graph::from_edges`]), from checked CSR arrays ([`Graph::from_csr`]) or, with the
//!   `bvgraph` feature, from a LAW/WebGraph BVGraph file (`bvgraph::load`).
//! - [`pagerank`]: PageRank by power iteration, pulling over the transposed graph so that
//!   every node's update is independent (parallel with rayon, no atomics).
//! - [`explain`] / [`contributions`]: why a node has its score — the share of it that each
//!   in-neighbour, the teleport and the dangling nodes provide (behind `anchorage explain-dr`).
//! - [`log_scale`]: the published mapping of raw scores to Anchorage's 0–100 ratings.
//!
//! # The PageRank rules (README, "Metrics")
//!
//! Damping `d` = 0.85 and a uniform teleport: every node receives `(1 − d) / n`. A node `u`
//! with out-links gives `d · pr[u] / outdeg(u)` to each of its out-neighbours (a self-loop is
//! an out-link like any other; [`Graph::from_edges`] drops them, BVGraphs may keep them).
//! **Dangling rule**: a node without out-links spreads `d · pr[u]` evenly over all `n` nodes,
//! itself included (webgraph-algo calls this the *weakly preferential* variant; with a uniform
//! teleport it coincides with its strongly preferential default). Iteration starts from the
//! uniform vector and stops when the L1 change between two iterates falls below `tolerance`
//! or after `max_iterations`. The scores sum to 1.
//!
//! The iteration is Jacobi (every node reads the previous iterate), not Gauss–Seidel like
//! webgraph-algo's: Gauss–Seidel needs fewer iterations, but its parallel form reads values
//! other threads are writing, so the result would depend on thread timing. Jacobi with sums
//! over fixed chunks gives bit-identical scores — and so identical DR and Ahrefs Rank — on
//! every run and any number of threads.

use rayon::prelude::*;

#[cfg(feature = "bvgraph")]
pub mod bvgraph;
mod explain;

pub use explain::{Explanation, contributions, explain};

/// Why CSR arrays were refused by [`Graph::from_csr`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    #[error("CSR offsets are empty: they need nodes + 1 entries, starting at 0")]
    NoOffsets,
    #[error("CSR offsets start at {0}, not 0")]
    FirstOffset(usize),
    #[error("CSR offsets decrease at node {node}")]
    Decreasing { node: usize },
    #[error("CSR offsets end at {last} but there are {targets} targets")]
    LastOffset { last: usize, targets: usize },
    #[error("node {node} has target {target}, but the graph has {nodes} nodes")]
    TargetOutOfRange {
        node: usize,
        target: u32,
        nodes: usize,
    },
    #[error("{nodes} nodes do not fit in u32 node ids")]
    TooManyNodes { nodes: usize },
}

/// A directed graph in CSR form: the out-neighbours of node `v` are
/// `targets[offsets[v]..offsets[v + 1]]`.
///
/// Invariant (checked by every constructor): offsets start at 0, never decrease, end at
/// `targets.len()`, and every target is below `nodes()` — so indexing by a target never
/// panics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Graph {
    offsets: Vec<usize>,
    targets: Vec<u32>,
}

impl Graph {
    /// Builds the graph of `nodes` nodes from `(source, target)` edges. Duplicate edges and
    /// self-loops are dropped, and so are edges naming a node `>= nodes`: PageRank over a
    /// link graph counts one vote per pair.
    pub fn from_edges(nodes: usize, edges: impl IntoIterator<Item = (u32, u32)>) -> Self {
        let mut edges: Vec<(u32, u32)> = edges
            .into_iter()
            .filter(|(s, t)| s != t && (*s as usize) < nodes && (*t as usize) < nodes)
            .collect();
        edges.par_sort_unstable();
        edges.dedup();
        Self::from_sorted_unique(nodes, &edges)
    }

    fn from_sorted_unique(nodes: usize, edges: &[(u32, u32)]) -> Self {
        let mut offsets = vec![0usize; nodes + 1];
        for (s, _) in edges {
            offsets[*s as usize + 1] += 1;
        }
        for i in 0..nodes {
            offsets[i + 1] += offsets[i];
        }
        Graph {
            offsets,
            targets: edges.iter().map(|(_, t)| *t).collect(),
        }
    }

    /// Builds a graph from CSR arrays (e.g. decoded from a BVGraph); `offsets` has
    /// `nodes + 1` entries. The arrays are kept as given — self-loops and repeated targets
    /// included — after checking the CSR invariant, so that a bad file gives an error here
    /// rather than a panic inside [`pagerank`].
    pub fn from_csr(offsets: Vec<usize>, targets: Vec<u32>) -> Result<Self, GraphError> {
        let Some(&first) = offsets.first() else {
            return Err(GraphError::NoOffsets);
        };
        if first != 0 {
            return Err(GraphError::FirstOffset(first));
        }
        let nodes = offsets.len() - 1;
        // Node ids are u32 everywhere in this crate; node `u32::MAX` itself is still valid.
        if nodes > u32::MAX as usize + 1 {
            return Err(GraphError::TooManyNodes { nodes });
        }
        if let Some(node) = offsets.windows(2).position(|w| w[1] < w[0]) {
            return Err(GraphError::Decreasing { node });
        }
        let last = offsets[nodes];
        if last != targets.len() {
            return Err(GraphError::LastOffset {
                last,
                targets: targets.len(),
            });
        }
        if let Some(i) = targets.iter().position(|&t| t as usize >= nodes) {
            // Offsets are monotone, so the source is the last node whose list starts at or
            // before `i`.
            let node = offsets.partition_point(|&o| o <= i) - 1;
            return Err(GraphError::TargetOutOfRange {
                node,
                target: targets[i],
                nodes,
            });
        }
        Ok(Graph { offsets, targets })
    }

    pub fn nodes(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn edges(&self) -> usize {
        self.targets.len()
    }

    pub fn out_degree(&self, v: usize) -> usize {
        self.offsets[v + 1] - self.offsets[v]
    }

    pub fn successors(&self, v: usize) -> &[u32] {
        &self.targets[self.offsets[v]..self.offsets[v + 1]]
    }

    /// Heap bytes held by the CSR arrays (capacity, not just length).
    pub fn heap_bytes(&self) -> usize {
        self.offsets.capacity() * std::mem::size_of::<usize>()
            + self.targets.capacity() * std::mem::size_of::<u32>()
    }

    /// The graph with every edge reversed. Each reversed list comes out in increasing source
    /// order because sources are visited in order.
    pub fn transpose(&self) -> Graph {
        let n = self.nodes();
        let mut offsets = vec![0usize; n + 1];
        for &t in &self.targets {
            offsets[t as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut fill = offsets.clone();
        let mut targets = vec![0u32; self.targets.len()];
        for s in 0..n {
            for &t in self.successors(s) {
                targets[fill[t as usize]] = s as u32;
                fill[t as usize] += 1;
            }
        }
        Graph { offsets, targets }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct PageRankConfig {
    pub damping: f64,
    /// Stop when the L1 norm of the change between iterations is below this.
    pub tolerance: f64,
    pub max_iterations: usize,
}

impl Default for PageRankConfig {
    fn default() -> Self {
        PageRankConfig {
            damping: 0.85,
            tolerance: 1e-7,
            max_iterations: 200,
        }
    }
}

#[derive(Debug, Clone)]
pub struct PageRank {
    /// One score per node; they sum to 1.
    pub scores: Vec<f64>,
    pub iterations: usize,
    /// L1 change of the last iteration.
    pub delta: f64,
    pub converged: bool,
    /// The score held by nodes without out-links in the last iteration (spread evenly).
    pub dangling_mass: f64,
}

impl PageRank {
    /// The score a node with no in-links receives: the teleport share plus its even share
    /// of the dangling nodes' score.
    pub fn floor(&self, config: &PageRankConfig) -> f64 {
        let n = self.scores.len().max(1) as f64;
        (1.0 - config.damping) / n + config.damping * self.dangling_mass / n
    }
}

/// Nodes per rayon task. Large enough to amortise task overhead, small enough (80 tasks on
/// cnr-2000's 325k nodes) for work stealing to even out skewed in-degrees. Fixed, not
/// derived from the thread count: the per-chunk partial sums are then added in the same
/// order on every machine, which keeps the stopping decision deterministic.
const CHUNK: usize = 4096;

/// PageRank by power iteration over `graph` (rules in the module documentation).
pub fn pagerank(graph: &Graph, config: &PageRankConfig) -> PageRank {
    let n = graph.nodes();
    if n == 0 {
        return PageRank {
            scores: Vec::new(),
            iterations: 0,
            delta: 0.0,
            converged: true,
            dangling_mass: 0.0,
        };
    }
    let incoming = graph.transpose();
    // 0.0 marks a dangling node: a node with out-links has 1/d > 0.
    let inv_out: Vec<f64> = (0..n)
        .into_par_iter()
        .with_min_len(CHUNK)
        .map(|v| match graph.out_degree(v) {
            0 => 0.0,
            d => 1.0 / d as f64,
        })
        .collect();
    let damping = config.damping;
    let teleport = (1.0 - damping) / n as f64;
    let mut scores = vec![1.0 / n as f64; n];
    let mut next = vec![0.0; n];
    // What each node sends along each of its out-links this iteration, `scores[u] / outdeg(u)`,
    // computed once per node rather than once per edge: the pull loop then does one random
    // read per edge instead of two.
    let mut share = vec![0.0; n];
    let mut result = PageRank {
        scores: Vec::new(),
        iterations: 0,
        delta: f64::INFINITY,
        converged: false,
        dangling_mass: 0.0,
    };
    while result.iterations < config.max_iterations {
        let dangling_mass: f64 = share
            .par_chunks_mut(CHUNK)
            .zip(scores.par_chunks(CHUNK))
            .zip(inv_out.par_chunks(CHUNK))
            .map(|((share, scores), inv_out)| {
                let mut dangling = 0.0;
                for ((s, &x), &inv) in share.iter_mut().zip(scores).zip(inv_out) {
                    *s = x * inv;
                    if inv == 0.0 {
                        dangling += x;
                    }
                }
                dangling
            })
            .collect::<Vec<f64>>()
            .iter()
            .sum();
        result.dangling_mass = dangling_mass;
        let base = teleport + damping * dangling_mass / n as f64;
        result.delta = next
            .par_chunks_mut(CHUNK)
            .zip(scores.par_chunks(CHUNK))
            .enumerate()
            .map(|(chunk, (next, scores))| {
                let start = chunk * CHUNK;
                let mut delta = 0.0;
                for (i, (out, &old)) in next.iter_mut().zip(scores).enumerate() {
                    let pulled: f64 = incoming
                        .successors(start + i)
                        .iter()
                        .map(|&u| share[u as usize])
                        .sum();
                    let x = base + damping * pulled;
                    delta += (x - old).abs();
                    *out = x;
                }
                delta
            })
            .collect::<Vec<f64>>()
            .iter()
            .sum();
        std::mem::swap(&mut scores, &mut next);
        result.iterations += 1;
        if result.delta < config.tolerance {
            result.converged = true;
            break;
        }
    }
    result.scores = scores;
    result
}

/// Maps a raw score to 0–100 on a log scale: the floor (a node nobody links to) maps to 0,
/// the best node to 100, one decimal. `floor` and `top` come from the same PageRank run.
pub fn log_scale(score: f64, floor: f64, top: f64) -> f64 {
    // Also catches NaN: only scores strictly above the floor get a rating.
    let above = |x: f64| x.partial_cmp(&floor) == Some(std::cmp::Ordering::Greater);
    if !above(score) || !above(top) {
        return 0.0;
    }
    let rating = 100.0 * (score / floor).ln() / (top / floor).ln();
    (rating.clamp(0.0, 100.0) * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csr_and_transpose() {
        let g = Graph::from_edges(4, [(0, 1), (0, 2), (0, 1), (2, 2), (3, 0), (1, 2)]);
        assert_eq!(g.edges(), 4);
        assert_eq!(g.successors(0), &[1, 2]);
        assert_eq!(g.out_degree(2), 0);
        let t = g.transpose();
        assert_eq!(t.successors(2), &[0, 1]);
        assert_eq!(t.successors(0), &[3]);
    }

    #[test]
    fn from_csr_checks_the_arrays() {
        let g = Graph::from_csr(vec![0, 2, 2, 3], vec![1, 2, 0]).unwrap();
        assert_eq!(g.nodes(), 3);
        assert_eq!(g.successors(0), &[1, 2]);
        assert_eq!(g.successors(2), &[0]);
        assert_eq!(Graph::from_csr(vec![], vec![]), Err(GraphError::NoOffsets));
        assert_eq!(
            Graph::from_csr(vec![1, 1], vec![0]),
            Err(GraphError::FirstOffset(1))
        );
        assert_eq!(
            Graph::from_csr(vec![0, 2, 1, 3], vec![0, 0, 0]),
            Err(GraphError::Decreasing { node: 1 })
        );
        assert_eq!(
            Graph::from_csr(vec![0, 1, 2], vec![0]),
            Err(GraphError::LastOffset {
                last: 2,
                targets: 1
            })
        );
        assert_eq!(
            Graph::from_csr(vec![0, 1, 1, 3], vec![0, 2, 3]),
            Err(GraphError::TargetOutOfRange {
                node: 2,
                target: 3,
                nodes: 3
            })
        );
        // No nodes, no edges: valid, and PageRank of it is empty.
        let empty = Graph::from_csr(vec![0], vec![]).unwrap();
        assert!(
            pagerank(&empty, &PageRankConfig::default())
                .scores
                .is_empty()
        );
    }

    #[test]
    fn pagerank_sums_to_one_and_ranks_the_hub_first() {
        // A star: every node links to 0, and 0 links back to 1.
        let edges = (1..10u32).map(|v| (v, 0)).chain([(0, 1)]);
        let g = Graph::from_edges(10, edges);
        let config = PageRankConfig::default();
        let pr = pagerank(&g, &config);
        assert!(pr.converged);
        let sum: f64 = pr.scores.iter().sum();
        assert!((sum - 1.0).abs() < 1e-9, "sum {sum}");
        assert!(pr.scores[0] > pr.scores[1] && pr.scores[1] > pr.scores[2]);
        let top = pr.scores[0];
        assert_eq!(log_scale(top, pr.floor(&config), top), 100.0);
        assert_eq!(log_scale(pr.scores[5], pr.floor(&config), top), 0.0);
    }

    #[test]
    fn dangling_nodes_keep_the_sum() {
        let g = Graph::from_edges(3, [(0, 1), (1, 2)]);
        let pr = pagerank(&g, &PageRankConfig::default());
        let sum: f64 = pr.scores.iter().sum();
        assert!((sum - 1.0).abs() < 1e-9);
        assert!(pr.scores[2] > pr.scores[1] && pr.scores[1] > pr.scores[0]);
    }

    #[test]
    fn symmetric_cycle_is_uniform() {
        let g = Graph::from_edges(4, [(0, 1), (1, 2), (2, 3), (3, 0)]);
        let pr = pagerank(&g, &PageRankConfig::default());
        for s in pr.scores {
            assert!((s - 0.25).abs() < 1e-9);
        }
    }

    #[test]
    fn matches_the_closed_form_of_a_two_node_chain() {
        // 0 → 1, 1 dangling. With D = pr[1] spread over both nodes:
        //   pr[0] = (1-d)/2 + d·pr[1]/2,  pr[1] = (1-d)/2 + d·pr[1]/2 + d·pr[0].
        // Solving: pr[0] = 1/(2+d), pr[1] = (1+d)/(2+d).
        let d = 0.85;
        let g = Graph::from_edges(2, [(0, 1)]);
        let config = PageRankConfig {
            tolerance: 1e-14,
            ..PageRankConfig::default()
        };
        let pr = pagerank(&g, &config);
        assert!(pr.converged);
        assert!((pr.scores[0] - 1.0 / (2.0 + d)).abs() < 1e-12);
        assert!((pr.scores[1] - (1.0 + d) / (2.0 + d)).abs() < 1e-12);
    }

    #[test]
    fn identical_across_thread_counts() {
        // Spans several chunks so that the partial sums really are combined.
        let n = 3 * CHUNK as u32 + 17;
        let edges = (0..n).flat_map(|v| {
            let a = v.wrapping_mul(2_654_435_761) % n;
            let b = (v / 3) % n;
            [(v, a), (v, b)]
        });
        let g = Graph::from_edges(n as usize, edges);
        let run = |threads| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap()
                .install(|| pagerank(&g, &PageRankConfig::default()))
        };
        let (one, three) = (run(1), run(3));
        assert_eq!(one.iterations, three.iterations);
        assert_eq!(one.scores, three.scores, "bit-identical scores");
    }
}
