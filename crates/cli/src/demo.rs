//! `anchorage demo`: a synthetic web generated offline, served on loopback and crawled
//! (archived as WARC on the way), built and served — the whole data flow on a fresh machine
//! with no network and no input files.

use crate::commands::{build, serve};
use crate::crawl::{crawl_synthetic, summary};
use anchorage_index::build::BuildConfig;
use anchorage_synth::{SynthConfig, SyntheticWeb, generate};
use anyhow::Context;
use std::net::SocketAddr;
use std::path::PathBuf;

pub struct DemoArgs {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub sites: usize,
    pub seed: u64,
    pub serve: bool,
}

pub fn run(args: &DemoArgs) -> anyhow::Result<()> {
    if args.data_dir.exists() {
        std::fs::remove_dir_all(&args.data_dir)
            .with_context(|| format!("clearing {}", args.data_dir.display()))?;
    }
    let config = SynthConfig {
        seed: args.seed,
        sites: args.sites,
        ..SynthConfig::default()
    };
    let web = generate(&config, 0);
    let archives = args.data_dir.join("archives");
    println!(
        "generated a synthetic web: {} sites, {} responses, {} links (ground truth)",
        web.sites.len(),
        web.responses.len(),
        web.truth.links.len(),
    );
    let (report, served) = crawl_synthetic(web.clone(), &args.data_dir, archives.clone())?;
    println!(
        "served it on {served} and crawled it (WARC in {}):",
        archives.display()
    );
    println!("  {}", summary(&report));
    build(&args.data_dir, &BuildConfig::default())?;
    print_examples(&web, args.listen);
    if args.serve {
        serve(
            &args.data_dir,
            args.listen,
            true,
            None,
            anchorage_query::DEFAULT_SCAN_CACHE_BYTES,
        )?;
    }
    Ok(())
}

fn print_examples(web: &SyntheticWeb, listen: SocketAddr) {
    let base = format!("http://{listen}/v3/site-explorer");
    let top = web
        .sites_by_popularity()
        .first()
        .map(|s| s.root_domain.clone())
        .unwrap_or_default();
    let second = web
        .sites_by_popularity()
        .get(1)
        .map(|s| s.home_url.clone())
        .unwrap_or_default();
    let dofollow = "%7B%22field%22%3A%22is_dofollow%22%2C%22is%22%3A%5B%22eq%22%2Ctrue%5D%7D";
    println!("\nTry it (in another terminal):\n");
    println!(
        "  curl '{base}/all-backlinks?target={top}&mode=subdomains&aggregation=all&select=url_from,url_to,anchor,domain_rating_source,is_dofollow&order_by=domain_rating_source:desc&limit=10'\n"
    );
    println!(
        "  curl '{base}/all-backlinks?target={second}&mode=exact&select=url_from,anchor,link_type,first_seen,is_nofollow,is_ugc,is_sponsored&limit=10'\n"
    );
    println!(
        "  curl '{base}/all-backlinks?target={top}&mode=domain&aggregation=1_per_domain&select=root_name_source,url_from,anchor,link_group_count&where={dofollow}&limit=10'\n"
    );
}
