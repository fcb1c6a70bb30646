//! The subcommands that wrap one stage each.

use crate::progress::{rate, spinner};
use anchorage_acquire::ArchiveReader;
use anchorage_extract::ExtractConfig;
use anchorage_index::DataDir;
use anchorage_index::build::{BuildConfig, BuildReport};
use anchorage_index::ingest::{IngestConfig, IngestReport, ingest_files, to_records};
use anchorage_query::preaggregate::build as build_generation;
use anyhow::Context;
use std::io::Write;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub fn ingest(data_dir: &Path, files: &[PathBuf], force: bool) -> anyhow::Result<()> {
    let report = ingest_quiet(data_dir, files, force)?;
    println!(
        "ingested {} file(s) ({} already in the log): {} pages, {} links, {} revisits, {} records skipped in {:.1}s",
        report.files,
        report.files_already_ingested,
        report.pages,
        report.links,
        report.revisits,
        report.records_skipped,
        report.seconds
    );
    Ok(())
}

/// Ingests with a progress bar and returns the report.
pub fn ingest_quiet(
    data_dir: &Path,
    files: &[PathBuf],
    force: bool,
) -> anyhow::Result<IngestReport> {
    let dir = DataDir::open(data_dir).with_context(|| format!("opening {}", data_dir.display()))?;
    let bar = spinner("ingest");
    let started = Instant::now();
    let config = IngestConfig {
        force,
        ..IngestConfig::default()
    };
    let report = ingest_files(&dir, files, &config, &|p| {
        let secs = started.elapsed().as_secs_f64();
        bar.set_message(format!(
            "{} pages ({:.0}/s), {} links ({:.0}/s), {:.1} MB of archives done",
            p.pages,
            rate(p.pages, secs),
            p.links,
            rate(p.links, secs),
            p.bytes as f64 / 1e6
        ));
    })?;
    bar.finish_and_clear();
    Ok(report)
}

/// Writes the synthetic web at `scale` as WARC, with a progress bar.
pub fn synth(
    scale: usize,
    seed: u64,
    epoch: u32,
    sites_percent: u8,
    out: &Path,
) -> anyhow::Result<()> {
    let config = anchorage_synth::SynthConfig {
        scale,
        ..anchorage_synth::SynthConfig::with_seed(seed)
    };
    let bar = spinner("synth");
    let started = Instant::now();
    let written = anchorage_synth::write_streaming_warc(&config, epoch, sites_percent, out, |n| {
        if n % 1000 == 0 {
            let secs = started.elapsed().as_secs_f64();
            bar.set_message(format!("{n} responses ({:.0}/s)", rate(n, secs)));
        }
    })
    .with_context(|| format!("writing {}", out.display()))?;
    bar.finish_and_clear();
    println!(
        "wrote {written} responses of {sites_percent}% of {} sites (epoch {epoch}) to {} in {:.1}s",
        config.total_sites(),
        out.display(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub fn build(data_dir: &Path, config: &BuildConfig) -> anyhow::Result<BuildReport> {
    let dir = DataDir::open(data_dir).with_context(|| format!("opening {}", data_dir.display()))?;
    let bar = spinner("build");
    bar.set_message("reading the log, replaying history, ranking, writing tables");
    let (_, report) = build_generation(&dir, config)?;
    bar.finish_and_clear();
    let replay = if report.incremental {
        "incremental"
    } else {
        "full"
    };
    println!(
        "built {} ({replay} replay, {} fetches replayed): {} pages ({} fetches), {} links, {} backlinks, {} domains in {:.1}s",
        report.generation,
        report.fetches_replayed,
        report.pages,
        report.fetches,
        report.links,
        report.backlinks,
        report.domains,
        report.seconds
    );
    Ok(report)
}

/// `anchorage import-metrics`: search figures for the next build.
pub fn import_metrics(data_dir: &Path, file: &Path) -> anyhow::Result<()> {
    let dir = DataDir::open(data_dir).with_context(|| format!("opening {}", data_dir.display()))?;
    let report = anchorage_index::imports::import_csv(&dir, file)?;
    println!(
        "imported figures of {} domains and {} pages ({} targets held); run `anchorage build` to apply them",
        report.domains, report.pages, report.stored
    );
    Ok(())
}

/// `anchorage serve`: the HTTP API, and with `mcp` the MCP endpoint at `/mcp` too.
pub fn serve(
    data_dir: &Path,
    listen: SocketAddr,
    mcp: bool,
    geoip: Option<&Path>,
    scan_cache_bytes: usize,
) -> anyhow::Result<()> {
    let dir = DataDir::open(data_dir).with_context(|| format!("opening {}", data_dir.display()))?;
    let mut state = anchorage_api::state::AppState::new(dir).with_scan_cache(scan_cache_bytes);
    if let Some(path) = geoip {
        state = state.with_geoip(anchorage_api::geoip::GeoIp::open(path)?);
    }
    let on_ready = |addr, keys| {
        let auth = if keys {
            "API keys required"
        } else {
            "no API keys: loopback only"
        };
        let mcp_note = if mcp {
            format!("; MCP at http://{addr}/mcp")
        } else {
            String::new()
        };
        println!(
            "serving {} on http://{addr} ({auth}{mcp_note}; Ctrl-C to stop)",
            data_dir.display()
        );
    };
    let extend = |app, access| {
        if mcp {
            anchorage_mcp::mount(app, access, listen.ip().is_loopback())
        } else {
            app
        }
    };
    runtime()?.block_on(anchorage_api::serve_with(state, listen, on_ready, extend))?;
    Ok(())
}

/// `anchorage mcp`: the MCP server on stdin/stdout, as the local user.
pub fn mcp(data_dir: &Path) -> anyhow::Result<()> {
    let dir = DataDir::open(data_dir).with_context(|| format!("opening {}", data_dir.display()))?;
    runtime()?.block_on(anchorage_mcp::serve_stdio(dir))?;
    Ok(())
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
}

/// One line of `anchorage extract` (borrowed: no copy of the records on the way out).
#[derive(serde::Serialize)]
struct ExtractLine<'a> {
    page: &'a anchorage_core::record::PageRecord,
    links: &'a [anchorage_core::record::LinkRecord],
}

/// `anchorage extract`: one JSON object per page, with its links.
pub fn extract(files: &[PathBuf]) -> anyhow::Result<()> {
    let config = ExtractConfig::default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for path in files {
        let reader =
            ArchiveReader::open(path).with_context(|| format!("opening {}", path.display()))?;
        for capture in reader {
            if let Some((page, links)) = to_records(capture, &config) {
                serde_json::to_writer(
                    &mut out,
                    &ExtractLine {
                        page: &page,
                        links: &links,
                    },
                )?;
                out.write_all(b"\n")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

pub fn keys(data_dir: &Path, action: crate::KeysAction) -> anyhow::Result<()> {
    use anchorage_api::keys::KeyStore;
    std::fs::create_dir_all(data_dir)?;
    let mut store = KeyStore::load(data_dir)?;
    match action {
        crate::KeysAction::Create {
            name,
            budget,
            rate_limit,
        } => {
            let (secret, key) = store.create(&name, budget, rate_limit);
            let id = key.id.clone();
            store.save(data_dir)?;
            println!(
                "created key {id} ({name}); send it as `Authorization: Bearer <key>`. It is shown only now:\n{secret}"
            );
        }
        crate::KeysAction::List => {
            println!(
                "{:<10} {:<20} {:<22} {:>12} {:>12} {:>8} status",
                "id", "name", "created", "units used", "budget", "per min"
            );
            for k in &store.keys {
                let budget = k
                    .unit_budget
                    .map_or("unlimited".to_string(), |b| b.to_string());
                let status = if k.revoked { "revoked" } else { "active" };
                println!(
                    "{:<10} {:<20} {:<22} {:>12} {:>12} {:>8} {status}",
                    k.id, k.name, k.created_at, k.units_used, budget, k.rate_per_minute
                );
            }
        }
        crate::KeysAction::Revoke { id } => {
            store.revoke(&id)?;
            store.save(data_dir)?;
            println!("revoked key {id}");
        }
    }
    Ok(())
}

pub fn explain_dr(data_dir: &Path, domain: &str, top: usize, json: bool) -> anyhow::Result<()> {
    let dir = DataDir::open(data_dir).with_context(|| format!("opening {}", data_dir.display()))?;
    let generation = anchorage_index::snapshot::require_current(&dir)?;
    let root = anchorage_core::domain::root_domain(domain.trim().trim_end_matches('/'))
        .to_ascii_lowercase();
    let Some(mut e) = anchorage_index::build::explain::explain_dr(&generation, &root)? else {
        anyhow::bail!(
            "{root} is not in the index ({})",
            generation.manifest.generation
        );
    };
    if json {
        e.contributions.truncate(top);
        println!("{}", serde_json::to_string_pretty(&e)?);
        return Ok(());
    }
    println!(
        "{}: DR {:.1}, Ahrefs Rank {}, {} dofollow referring domains ({})",
        e.domain,
        e.domain_rating,
        e.ahrefs_rank,
        e.referring_domains,
        generation.manifest.generation
    );
    println!("{:>7}  {:>5}  referring domain", "share", "DR");
    for c in e.contributions.iter().take(top) {
        println!(
            "{:>6.2}%  {:>5.1}  {}",
            c.share * 100.0,
            c.domain_rating,
            c.domain
        );
    }
    if e.contributions.len() > top {
        let rest: f64 = e.contributions[top..].iter().map(|c| c.share).sum();
        println!(
            "{:>6.2}%         {} more referring domains",
            rest * 100.0,
            e.contributions.len() - top
        );
    }
    println!(
        "{:>6.2}%         every domain's base share (teleport)",
        e.base_share * 100.0
    );
    println!(
        "{:>6.2}%         spread from domains without outgoing links",
        e.dangling_share * 100.0
    );
    Ok(())
}
