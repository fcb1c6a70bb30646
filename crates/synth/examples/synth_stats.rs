//! Prints what a configuration generates and how long it takes.
//!
//! `cargo run --release -p anchorage-synth --example synth_stats -- [seed] [scale] [epoch]`
//! streams the web site by site (memory stays bounded), so large scales work too. Add
//! `--responses-only` to time the responses without the ground truth.

use anchorage_synth::{Synth, SynthConfig};
use std::time::Instant;

fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let responses_only = std::env::args().any(|a| a == "--responses-only");
    let config = SynthConfig {
        seed: args.first().copied().unwrap_or(42),
        scale: args.get(1).copied().unwrap_or(1) as usize,
        ..SynthConfig::default()
    };
    let epoch = args.get(2).copied().unwrap_or(0) as u32;
    let t = Instant::now();
    let synth = Synth::new(&config);
    let planned = t.elapsed();
    let (mut responses, mut bytes, mut links, mut external) = (0usize, 0usize, 0usize, 0usize);
    for site in 0..synth.site_count() {
        if responses_only {
            let r = synth.site_responses(site, epoch);
            responses += r.len();
            bytes += r.iter().map(|r| r.body.len()).sum::<usize>();
            continue;
        }
        let out = synth.site_output(site, epoch);
        responses += out.responses.len();
        bytes += out.responses.iter().map(|r| r.body.len()).sum::<usize>();
        links += out.links.len();
        external += out.links.iter().filter(|l| l.is_external()).count();
    }
    println!(
        "seed {} scale {} epoch {epoch}: {} sites, {responses} responses ({:.1} MB), {links} links ({external} external), {} changes; planned in {planned:?}, total {:?}",
        config.seed,
        config.scale,
        synth.site_count(),
        bytes as f64 / 1e6,
        synth.changes().len(),
        t.elapsed()
    );
}
