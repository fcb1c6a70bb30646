//! `anchorage crawl`: the crawler (`anchorage_acquire::crawl`) writing into the fetch log
//! through the index's sink, with a progress bar and a summary line; and the demo's crawl of
//! the synthetic web served on loopback.

use crate::progress::spinner;
use anchorage_acquire::crawl::{
    CrawlConfig, CrawlProgress, CrawlReport, Politeness, RenderMode, ResolveRule, Scope,
    StopFuture, crawl, user_agent,
};
use anchorage_extract::ExtractConfig;
use anchorage_index::DataDir;
use anchorage_index::crawl::LogSink;
use anchorage_synth::SyntheticWeb;
use anchorage_synth::server::SynthServer;
use anyhow::Context;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ScopeArg {
    /// URLs under a seed's directory.
    Seeds,
    /// The seeds' hosts.
    Hosts,
    /// The seeds' root domains, subdomains included.
    Domains,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum RenderArg {
    /// Render HTML pages in headless Chromium.
    Js,
}

/// `anchorage crawl` options.
#[derive(clap::Args, Debug)]
pub struct CrawlArgs {
    /// The data directory (fetch log; the crawl's state goes in DATA_DIR/crawl).
    #[arg(long, env = "ANCHORAGE_DATA_DIR", default_value = "./anchorage-data")]
    pub data_dir: PathBuf,
    /// Start URLs (a resumed crawl remembers the seeds of earlier runs).
    pub seeds: Vec<String>,
    /// Which discovered URLs are crawled; the others are recorded as links (and checked with
    /// --check-targets).
    #[arg(long, value_enum, default_value = "hosts")]
    pub scope: ScopeArg,
    /// Also crawl this host (repeatable).
    #[arg(long = "allow-host", value_name = "HOST")]
    pub allow_hosts: Vec<String>,
    /// Also crawl this root domain and its subdomains (repeatable).
    #[arg(long = "allow-domain", value_name = "DOMAIN")]
    pub allow_domains: Vec<String>,
    /// Stop after this many page fetches in this run.
    #[arg(long)]
    pub max_pages: Option<u64>,
    /// Link distance from a seed (redirects do not count).
    #[arg(long)]
    pub max_depth: Option<u32>,
    /// Use this address for HOST, like curl (HOST:IP or HOST:PORT:IP; repeatable).
    #[arg(long, value_name = "HOST:IP", value_parser = ResolveRule::parse)]
    pub resolve: Vec<ResolveRule>,
    /// Fetch private, loopback, link-local and multicast addresses (refused by default).
    #[arg(long)]
    pub allow_private: bool,
    /// Trust the CA certificate(s) in this PEM file, on top of the system's.
    #[arg(long, value_name = "FILE")]
    pub ca_cert: Vec<PathBuf>,
    /// Render pages with JavaScript in headless Chromium.
    #[arg(long, value_enum)]
    pub render: Option<RenderArg>,
    /// Render only the pages of this host (repeatable; implies --render js for it).
    #[arg(long = "render-host", value_name = "HOST")]
    pub render_hosts: Vec<String>,
    /// The Chromium executable.
    #[arg(long, default_value = "/usr/bin/chromium")]
    pub chromium: PathBuf,
    /// Also write every response as WARC into this directory.
    #[arg(long, value_name = "DIR")]
    pub warc_dir: Option<PathBuf>,
    /// Revisit the known URLs whose next visit is due.
    #[arg(long)]
    pub recrawl: bool,
    /// Base interval between visits of a page (e.g. 7d, 12h, 30m, 90s).
    #[arg(long, default_value = "7d", value_parser = parse_duration)]
    pub recrawl_interval: Duration,
    /// Check linked-to URLs that are not crawled (HEAD, falling back to GET).
    #[arg(long)]
    pub check_targets: bool,
    /// Crawl through nofollow links and pages.
    #[arg(long)]
    pub follow_nofollow: bool,
    /// Do not read sitemaps listed in robots.txt.
    #[arg(long)]
    pub no_sitemaps: bool,
    /// Requests in flight over all hosts.
    #[arg(long, default_value_t = 64)]
    pub concurrency: usize,
    /// Requests in flight to one host.
    #[arg(long, default_value_t = 1)]
    pub per_host: u32,
    /// Seconds between requests to one host (robots.txt Crawl-delay wins when larger).
    #[arg(long, default_value_t = 1.0)]
    pub delay: f64,
    /// Ignore robots.txt Crawl-delay (for benchmarks against your own servers).
    #[arg(long)]
    pub ignore_crawl_delay: bool,
    /// The URL or address site owners can reach you at (shown in the user agent).
    #[arg(long, default_value = anchorage_acquire::crawl::DEFAULT_CONTACT)]
    pub contact: String,
    /// Seconds allowed for one request (connect, headers and body).
    #[arg(long, default_value_t = 30.0)]
    pub timeout: f64,
    /// Body bytes read per response.
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    pub max_body: usize,
    /// Redirect hops followed from the first URL of a chain.
    #[arg(long, default_value_t = 10)]
    pub max_redirects: u8,
    /// Pages between commits to the fetch log (until then they are in the crawl's journal).
    #[arg(long, default_value_t = 2000, hide = true)]
    pub commit_pages: u64,
}

pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(s.len());
    let (number, unit) = s.split_at(split);
    let n: f64 = number
        .parse()
        .map_err(|_| format!("'{s}': expected a number and a unit (s, m, h, d)"))?;
    let secs = match unit {
        "" | "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86_400.0,
        _ => return Err(format!("'{s}': unknown unit '{unit}' (s, m, h, d)")),
    };
    Duration::try_from_secs_f64(secs).map_err(|e| format!("'{s}': {e}"))
}

impl CrawlArgs {
    fn config(&self, data_dir: &Path) -> anyhow::Result<CrawlConfig> {
        let mut c = CrawlConfig::new(data_dir.join("crawl"), self.seeds.clone());
        c.scope = match self.scope {
            ScopeArg::Seeds => Scope::Seeds,
            ScopeArg::Hosts => Scope::Hosts,
            ScopeArg::Domains => Scope::Domains,
        };
        c.allow_hosts = self.allow_hosts.clone();
        c.allow_domains = self.allow_domains.clone();
        c.max_pages = self.max_pages;
        c.max_depth = self.max_depth;
        c.follow_nofollow = self.follow_nofollow;
        c.check_targets = self.check_targets;
        c.sitemaps = !self.no_sitemaps;
        c.recrawl = self.recrawl;
        c.recrawl_interval = self.recrawl_interval;
        c.user_agent = user_agent(&self.contact);
        c.concurrency = self.concurrency.max(1);
        c.politeness = Politeness {
            per_host: self.per_host.max(1),
            delay: seconds(self.delay, "--delay")?,
            respect_crawl_delay: !self.ignore_crawl_delay,
            ..Politeness::default()
        };
        c.limits.timeout = seconds(self.timeout, "--timeout")?;
        c.limits.max_body_bytes = self.max_body;
        c.limits.max_decoded_bytes = c.limits.max_decoded_bytes.max(self.max_body);
        c.limits.max_redirects = self.max_redirects;
        c.network.allow_private = self.allow_private;
        c.network.resolve = self.resolve.clone();
        for path in &self.ca_cert {
            let pem =
                std::fs::read(path).with_context(|| format!("--ca-cert {}", path.display()))?;
            c.network.ca_certs_pem.push(pem);
        }
        c.render.mode = match (self.render, self.render_hosts.is_empty()) {
            (Some(RenderArg::Js), _) => RenderMode::Js,
            (None, false) => RenderMode::JsHosts(self.render_hosts.clone()),
            (None, true) => RenderMode::Off,
        };
        c.render.chromium = self.chromium.clone();
        c.warc_dir = self.warc_dir.clone();
        c.commit.pages = self.commit_pages.max(1);
        Ok(c)
    }
}

fn seconds(value: f64, name: &str) -> anyhow::Result<Duration> {
    Duration::try_from_secs_f64(value).with_context(|| format!("{name} {value}"))
}

/// `anchorage crawl`.
pub fn run(args: &CrawlArgs) -> anyhow::Result<()> {
    let config = args.config(&args.data_dir)?;
    let runtime = crate::commands::runtime()?;
    let report = crawl_into(&args.data_dir, config, &runtime)?;
    println!("{}", summary(&report));
    Ok(())
}

/// Crawls with `config` into the log of `data_dir`, with a progress bar; Ctrl-C stops
/// after the requests in flight are recorded.
pub fn crawl_into(
    data_dir: &Path,
    config: CrawlConfig,
    runtime: &tokio::runtime::Runtime,
) -> anyhow::Result<CrawlReport> {
    let dir = DataDir::open(data_dir).with_context(|| format!("opening {}", data_dir.display()))?;
    let sink = LogSink::new(dir, ExtractConfig::default());
    let bar = spinner("crawl");
    let report = runtime.block_on(async {
        let stop: StopFuture = Box::pin(async {
            let _ = tokio::signal::ctrl_c().await;
        });
        let mut progress = |p: &CrawlProgress| bar.set_message(progress_text(p));
        crawl(config, Box::new(sink), &mut progress, stop).await
    });
    bar.finish_and_clear();
    Ok(report?)
}

fn progress_text(p: &CrawlProgress) -> String {
    let errors = if p.errors.is_empty() {
        String::new()
    } else {
        format!(", errors: {}", p.errors_text())
    };
    format!(
        "{} pages ({:.0}/s), {} checks, {} links, queue {}, in flight {}{errors}",
        p.pages,
        p.pages_per_second(),
        p.checks,
        p.links,
        p.queued,
        p.in_flight
    )
}

/// The final line.
pub fn summary(report: &CrawlReport) -> String {
    let s = &report.stats;
    let errors = if s.errors.is_empty() {
        "none".to_string()
    } else {
        s.errors_text()
    };
    format!(
        "crawled {} pages ({} redirects, {} truncated) + {} target checks + {} robots.txt in {:.1}s ({:.1} pages/s): {} links found, {} URLs queued, {} disallowed by robots.txt, {} left in the queue; errors: {errors}; stopped: {}",
        s.pages,
        s.redirects,
        s.truncated,
        s.checks,
        s.robots,
        s.elapsed.as_secs_f64(),
        s.pages_per_second(),
        s.links,
        s.discovered,
        s.disallowed,
        report.remaining,
        report.stop.as_str(),
    )
}

/// The demo's crawl: the synthetic web served on loopback (HTTP and HTTPS with its own CA),
/// every host sent there like `--resolve`, seeded with every site's homepage, archived as
/// WARC in `warc_dir`. Loopback servers need no politeness: no delay, four requests per host.
pub fn crawl_synthetic(
    web: SyntheticWeb,
    data_dir: &Path,
    warc_dir: PathBuf,
) -> anyhow::Result<(CrawlReport, String)> {
    let runtime = crate::commands::runtime()?;
    let web = Arc::new(web);
    let server = runtime.block_on(SynthServer::start(web.clone()))?;
    let seeds = web.sites.iter().map(|s| s.home_url.clone()).collect();
    let mut config = CrawlConfig::new(data_dir.join("crawl"), seeds);
    config.scope = Scope::Domains;
    config.network.resolve = server.resolve_rules();
    config.network.ca_certs_pem = vec![server.ca_pem.clone().into_bytes()];
    config.politeness = Politeness::off(4);
    config.concurrency = 32;
    config.warc_dir = Some(warc_dir);
    let served = format!("http://{} and https://{}", server.http, server.https);
    let report = crawl_into(data_dir, config, &runtime);
    drop(server);
    Ok((report?, served))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("7d"), Ok(Duration::from_secs(7 * 86_400)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("90"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("0s"), Ok(Duration::ZERO));
        assert!(parse_duration("7w").is_err());
        assert!(parse_duration("d").is_err());
    }
}
