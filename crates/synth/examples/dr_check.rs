//! Spearman correlation between a domain-level PageRank of the generated link graph and the
//! sites' true popularity, for a range of seeds (what the index's acceptance test checks).
//!
//! `cargo run --release -p anchorage-synth --example dr_check -- [first_seed] [count]`

use anchorage_synth::{GroundTruth, SynthConfig, generate};
use std::collections::{BTreeMap, BTreeSet};

fn domain_rank(truth: &GroundTruth) -> BTreeMap<&str, f64> {
    let edges: BTreeSet<(&str, &str)> = truth
        .links
        .iter()
        .filter(|l| l.is_external() && l.is_dofollow() && l.from_status == 200)
        .map(|l| (l.from_root.as_str(), l.to_root.as_str()))
        .collect();
    let nodes: BTreeSet<&str> = edges
        .iter()
        .flat_map(|(a, b)| [*a, *b])
        .chain(truth.sites.iter().map(|s| s.root_domain.as_str()))
        .collect();
    let n = nodes.len() as f64;
    let mut out: BTreeMap<&str, f64> = BTreeMap::new();
    for (a, _) in &edges {
        *out.entry(a).or_default() += 1.0;
    }
    let mut pr: BTreeMap<&str, f64> = nodes.iter().map(|d| (*d, 1.0 / n)).collect();
    for _ in 0..100 {
        let dangling: f64 = pr
            .iter()
            .filter(|(d, _)| !out.contains_key(*d))
            .map(|(_, v)| v)
            .sum();
        let mut next: BTreeMap<&str, f64> = nodes
            .iter()
            .map(|d| (*d, 0.15 / n + 0.85 * dangling / n))
            .collect();
        for (a, b) in &edges {
            if let Some(v) = next.get_mut(b) {
                *v += 0.85 * pr[a] / out[a];
            }
        }
        pr = next;
    }
    pr
}

fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|a, b| v[*a].total_cmp(&v[*b]));
    let mut r = vec![0.0; v.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
            j += 1;
        }
        for k in &idx[i..=j] {
            r[*k] = (i + j) as f64 / 2.0;
        }
        i = j + 1;
    }
    r
}

fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let (ra, rb) = (ranks(a), ranks(b));
    let n = ra.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let first = args.first().copied().unwrap_or(1);
    let count = args.get(1).copied().unwrap_or(20);
    let mut worst = f64::MAX;
    for seed in first..first + count {
        let web = generate(&SynthConfig::with_seed(seed), 0);
        let pr = domain_rank(&web.truth);
        let dr: Vec<f64> = web
            .sites
            .iter()
            .map(|s| pr[s.root_domain.as_str()])
            .collect();
        let pop: Vec<f64> = web.sites.iter().map(|s| s.popularity).collect();
        let rho = spearman(&dr, &pop);
        worst = worst.min(rho);
        println!("seed {seed}: Spearman {rho:.3}");
    }
    println!("worst {worst:.3}");
}
