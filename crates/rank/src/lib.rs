//! Link-graph metrics.
//!
//! - [`Graph`]: a compressed sparse row (CSR) graph of out-links, built from an edge list.
//! - [`pagerank`]: PageRank by power iteration, pulling over the transposed graph so that
//!   every node's update is independent (parallel with rayon, no atomics).
//! - [`log_scale`]: the published mapping of raw scores to Anchorage's 0–100 ratings.
//!
//! The rules (README, "Metrics"): damping 0.85; a node without out-links spreads its score
//! evenly over all nodes; iteration stops when the L1 change falls below `tolerance` or after
//! `max_iterations`. Scores sum to 1.

use rayon::prelude::*;

/// A directed graph in CSR form: the out-neighbours of node `v` are
/// `targets[offsets[v]..offsets[v + 1]]`.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    offsets: Vec<usize>,
    targets: Vec<u32>,
}

impl Graph {
    /// Builds the graph of `nodes` nodes from `(source, target)` edges. Duplicate edges and
    /// self-loops are dropped: PageRank over a link graph counts one vote per pair.
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

    /// Builds a graph from CSR arrays (e.g. read from a BVGraph); `offsets` has `nodes + 1`
    /// entries.
    pub fn from_csr(offsets: Vec<usize>, targets: Vec<u32>) -> Self {
        Graph { offsets, targets }
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

    /// The graph with every edge reversed.
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
}

impl PageRank {
    /// The score a node with no in-links receives: the teleport share only.
    pub fn floor(&self, config: &PageRankConfig) -> f64 {
        let n = self.scores.len().max(1) as f64;
        (1.0 - config.damping) / n
    }
}

/// PageRank by power iteration over `graph`.
pub fn pagerank(graph: &Graph, config: &PageRankConfig) -> PageRank {
    let n = graph.nodes();
    if n == 0 {
        return PageRank {
            scores: Vec::new(),
            iterations: 0,
            delta: 0.0,
            converged: true,
        };
    }
    let incoming = graph.transpose();
    let inv_out: Vec<f64> = (0..n)
        .map(|v| match graph.out_degree(v) {
            0 => 0.0,
            d => 1.0 / d as f64,
        })
        .collect();
    let dangling: Vec<usize> = (0..n).filter(|&v| graph.out_degree(v) == 0).collect();
    let mut scores = vec![1.0 / n as f64; n];
    let mut next = vec![0.0; n];
    let mut result = PageRank {
        scores: Vec::new(),
        iterations: 0,
        delta: f64::INFINITY,
        converged: false,
    };
    while result.iterations < config.max_iterations {
        let dangling_mass: f64 = dangling.iter().map(|&v| scores[v]).sum();
        let base = (1.0 - config.damping) / n as f64 + config.damping * dangling_mass / n as f64;
        next.par_iter_mut().enumerate().for_each(|(v, out)| {
            let pulled: f64 = incoming
                .successors(v)
                .iter()
                .map(|&u| scores[u as usize] * inv_out[u as usize])
                .sum();
            *out = base + config.damping * pulled;
        });
        result.delta = scores
            .par_iter()
            .zip(next.par_iter())
            .map(|(a, b)| (a - b).abs())
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
}
