//! `anchorage`: the command line of the Anchorage backlink index.

mod commands;
mod crawl;
mod demo;
mod progress;

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "anchorage",
    version,
    about = "An open, self-hosted backlink index with Ahrefs- and DataForSEO-compatible APIs"
)]
struct Cli {
    /// Log filter (tracing `EnvFilter` syntax), e.g. `info` or `anchorage_index=debug`.
    #[arg(long, global = true, env = "ANCHORAGE_LOG", default_value = "warn")]
    log: String,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct DataDirArg {
    /// The data directory (fetch log, snapshot generations).
    #[arg(long, env = "ANCHORAGE_DATA_DIR", default_value = "./anchorage-data")]
    data_dir: PathBuf,
}

#[derive(Subcommand)]
enum Command {
    /// Read WARC, ARC or WAT files (gzip or plain) into the fetch log.
    Ingest {
        #[command(flatten)]
        data: DataDirArg,
        /// Ingest files even when the log already holds them.
        #[arg(long)]
        force: bool,
        /// Archive files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the page facts and links of every page in archive files, without indexing.
    Extract {
        /// Output format: one JSON object per page.
        #[arg(long, default_value = "jsonl", value_parser = ["jsonl"])]
        format: String,
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Crawl the web from seed URLs into the fetch log: polite (robots.txt, per-host delay),
    /// resumable (kill it and run it again), safe (no private addresses unless allowed).
    Crawl(Box<crawl::CrawlArgs>),
    /// Build a new snapshot generation from the fetch log and make it current.
    Build {
        #[command(flatten)]
        data: DataDirArg,
        /// Generations kept on disk, the current one included.
        #[arg(long, default_value_t = 3)]
        keep: usize,
        /// Lost links older than this many days are dropped (`drop_reason` tooold).
        #[arg(long, default_value_t = 365)]
        lost_retention_days: u32,
        /// Replay the whole fetch log. By default a build resumes the current generation's
        /// replay with the log segments that came after it, when the log allows it (same
        /// result, fewer records read).
        #[arg(long)]
        full: bool,
    },
    /// Import organic traffic and keyword figures (CSV with a header: target, traffic,
    /// positions; a domain or a URL per row); the next build joins them to the links.
    ImportMetrics {
        #[command(flatten)]
        data: DataDirArg,
        /// The CSV file.
        file: PathBuf,
    },
    /// Serve the APIs over the current generation.
    Serve {
        #[command(flatten)]
        data: DataDirArg,
        /// Address to listen on (loopback unless API keys are configured).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Also serve MCP (streamable HTTP) at /mcp, with the API's keys and units.
        #[arg(long)]
        mcp: bool,
        /// A MaxMind DB (.mmdb) country or city database (GeoLite2, DB-IP lite…) or a legacy
        /// GeoIP.dat / GeoIPv6.dat (Debian's geoip-database): DataForSEO's countries come from
        /// the referring host's IP address instead of its ccTLD.
        #[arg(long, env = "ANCHORAGE_GEOIP")]
        geoip: Option<PathBuf>,
        /// Memory for decoded link-table pages, in MiB: targets asked for again are read
        /// from memory (0: decode every read).
        #[arg(long, default_value_t = 512)]
        scan_cache_mb: usize,
    },
    /// Serve the index to an MCP client over stdin/stdout (as the local user, no keys).
    Mcp {
        #[command(flatten)]
        data: DataDirArg,
    },
    /// Generate a synthetic web, index it and serve it: no network, no files needed.
    Demo {
        /// Where the demo's data goes (replaced on each run).
        #[arg(long, default_value = "./anchorage-demo")]
        data_dir: PathBuf,
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Sites in the synthetic web.
        #[arg(long, default_value_t = 40)]
        sites: usize,
        /// Seed of the generator (same seed, same web).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Build the index and exit instead of serving it.
        #[arg(long)]
        no_serve: bool,
    },
    /// Write the synthetic web (the demo's generator) as a WARC file, at any scale: test and
    /// benchmark data whose ground truth is known (scale 500 ≈ 20,000 sites, 10M+ links).
    Synth {
        /// Multiplies the default 40 sites.
        #[arg(long, default_value_t = 1)]
        scale: usize,
        /// Seed of the generator (same seed, same web).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Which epoch (scripted changes happen between epochs) to write.
        #[arg(long, default_value_t = 0)]
        epoch: u32,
        /// Write only this share of the sites (a partial recrawl: those whose index modulo
        /// 100 is below it).
        #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u8).range(1..=100))]
        sites_percent: u8,
        /// The WARC file to write (gzip, one member per record).
        out: PathBuf,
    },
    /// Print the column catalogue (Markdown table).
    Columns,
    /// Explain a domain's Domain Rating: the referring domains that make it, with their share.
    ExplainDr {
        #[command(flatten)]
        data: DataDirArg,
        /// Root domain, e.g. example.com.
        domain: String,
        /// Referring domains to list.
        #[arg(long, default_value_t = 20)]
        top: usize,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Manage API keys (required when serving off loopback).
    Keys {
        #[command(flatten)]
        data: DataDirArg,
        #[command(subcommand)]
        action: KeysAction,
    },
}

#[derive(Subcommand)]
pub enum KeysAction {
    /// Create a key; its secret is printed once.
    Create {
        /// A name to recognise the key by.
        #[arg(long, default_value = "default")]
        name: String,
        /// Units the key may spend in total (unlimited when absent).
        #[arg(long)]
        budget: Option<u64>,
        /// Requests per minute.
        #[arg(long, default_value_t = anchorage_api::keys::DEFAULT_RATE_PER_MINUTE)]
        rate_limit: u32,
    },
    /// List keys (ids, names, usage; never secrets).
    List,
    /// Revoke a key by id.
    Revoke { id: String },
}

/// A server touches fresh memory a little at a time (a target's decoded pages, one request's
/// batches). Under transparent huge pages, which the allocator asks for, each first touch
/// zeroed a whole 2 MiB page: `perf` found 80 % of a medium target's first request in the
/// kernel's `clear_page`, and turning them off cut that request from 100-200 ms to 15-50 ms.
/// Builds, which fill what they touch, keep them.
fn without_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and changes only this process's flags.
    let disabled = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) } == 0;
    #[cfg(not(target_os = "linux"))]
    let disabled = false;
    tracing::debug!(disabled, "transparent huge pages off for this process");
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    init_logging(&cli.log);
    if matches!(
        cli.command,
        Command::Serve { .. } | Command::Mcp { .. } | Command::Demo { .. }
    ) {
        without_transparent_huge_pages();
    }
    match cli.command {
        Command::Ingest { data, force, files } => commands::ingest(&data.data_dir, &files, force),
        Command::Extract { format: _, files } => commands::extract(&files),
        Command::Crawl(args) => crawl::run(&args),
        Command::Build {
            data,
            keep,
            lost_retention_days,
            full,
        } => commands::build(
            &data.data_dir,
            &anchorage_index::build::BuildConfig {
                keep_generations: keep,
                lost_retention_days,
                full,
            },
        )
        .map(|_| ()),
        Command::Serve {
            data,
            listen,
            mcp,
            geoip,
            scan_cache_mb,
        } => commands::serve(
            &data.data_dir,
            listen,
            mcp,
            geoip.as_deref(),
            scan_cache_mb << 20,
        ),
        Command::Mcp { data } => commands::mcp(&data.data_dir),
        Command::ImportMetrics { data, file } => commands::import_metrics(&data.data_dir, &file),
        Command::Demo {
            data_dir,
            listen,
            sites,
            seed,
            no_serve,
        } => demo::run(&demo::DemoArgs {
            data_dir,
            listen,
            sites,
            seed,
            serve: !no_serve,
        }),
        Command::Keys { data, action } => commands::keys(&data.data_dir, action),
        Command::ExplainDr {
            data,
            domain,
            top,
            json,
        } => commands::explain_dr(&data.data_dir, &domain, top, json),
        Command::Synth {
            scale,
            seed,
            epoch,
            sites_percent,
            out,
        } => commands::synth(scale, seed, epoch, sites_percent, &out),
        Command::Columns => {
            print!("{}", anchorage_core::catalogue::markdown_table());
            Ok(())
        }
    }
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}
