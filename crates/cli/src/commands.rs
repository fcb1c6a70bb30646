//! The subcommands that wrap one stage each.

use crate::progress::{rate, spinner};
use anchorage_acquire::ArchiveReader;
use anchorage_extract::ExtractConfig;
use anchorage_index::DataDir;
use anchorage_index::build::{BuildConfig, BuildReport, build as build_generation};
use anchorage_index::ingest::{IngestConfig, IngestReport, ingest_files, to_records};
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
            "{} pages ({:.0}/s), {} links ({:.0}/s), {:.1} MB of records",
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

pub fn build(data_dir: &Path, keep: usize) -> anyhow::Result<BuildReport> {
    let dir = DataDir::open(data_dir).with_context(|| format!("opening {}", data_dir.display()))?;
    let bar = spinner("build");
    bar.set_message("reading the log, replaying history, ranking, writing tables");
    let (_, report) = build_generation(
        &dir,
        &BuildConfig {
            keep_generations: keep,
        },
    )?;
    bar.finish_and_clear();
    println!(
        "built {}: {} pages ({} fetches), {} links, {} backlinks, {} domains in {:.1}s",
        report.generation,
        report.pages,
        report.fetches,
        report.links,
        report.backlinks,
        report.domains,
        report.seconds
    );
    Ok(report)
}

pub fn serve(data_dir: &Path, listen: SocketAddr) -> anyhow::Result<()> {
    let dir = DataDir::open(data_dir).with_context(|| format!("opening {}", data_dir.display()))?;
    runtime()?.block_on(anchorage_api::serve(dir, listen, |addr| {
        println!(
            "serving {} on http://{addr} (Ctrl-C to stop)",
            data_dir.display()
        );
    }))?;
    Ok(())
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?)
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
                    &serde_json::json!({ "page": page, "links": links }),
                )?;
                out.write_all(b"\n")?;
            }
        }
    }
    out.flush()?;
    Ok(())
}
