//! `anchorage ingest`: archive files → extraction → fetch log.
//!
//! Records are read in order and extracted in parallel batches. A file whose SHA-256 is
//! already in the log is skipped, and the build keeps one copy of each fetch, so ingesting a
//! file twice never duplicates links.

use crate::error::{IndexError, IoContext, Result};
use crate::layout::DataDir;
use crate::log::{LogWriter, SourceFile, ingested_sources};
use anchorage_acquire::ArchiveReader;
use anchorage_core::record::{
    Capture, FetchRecord, LinkRecord, PageRecord, RevisitRecord, fetch_id,
};
use anchorage_core::urls::NormalizedUrl;
use anchorage_extract::{ExtractConfig, extract};
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Debug, Clone, Default)]
pub struct IngestConfig {
    pub extract: ExtractConfig,
    /// Ingest files even when their content is already in the log.
    pub force: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct IngestReport {
    pub files: usize,
    pub files_already_ingested: usize,
    pub pages: u64,
    pub links: u64,
    pub revisits: u64,
    pub bytes: u64,
    pub records_skipped: u64,
    pub seconds: f64,
}

/// Progress after each batch: pages, links and input bytes so far.
#[derive(Debug, Clone, Copy, Default)]
pub struct Progress {
    pub pages: u64,
    pub links: u64,
    pub bytes: u64,
}

const BATCH: usize = 256;

/// Ingests `files` into the log under `dir`.
pub fn ingest_files(
    dir: &DataDir,
    files: &[PathBuf],
    config: &IngestConfig,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<IngestReport> {
    let started = Instant::now();
    let known = ingested_sources(dir)?;
    let mut writer = LogWriter::new(dir.clone());
    let mut report = IngestReport::default();
    for path in files {
        let source = describe(path)?;
        if !config.force && known.contains(&source.sha256) {
            tracing::info!(file = %path.display(), "already ingested, skipped");
            report.files_already_ingested += 1;
            continue;
        }
        ingest_file(path, config, &mut writer, &mut report, progress)?;
        report.bytes += source.bytes;
        report.files += 1;
        writer.finish_source(source)?;
    }
    writer.close()?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

fn ingest_file(
    path: &Path,
    config: &IngestConfig,
    writer: &mut LogWriter,
    report: &mut IngestReport,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<()> {
    let mut reader = ArchiveReader::open(path).map_err(|source| IndexError::Acquire {
        path: path.to_path_buf(),
        source,
    })?;
    let base_bytes = report.bytes;
    ingest_captures(&mut reader, config, writer, report, &|mut p| {
        p.bytes += base_bytes;
        progress(p)
    })?;
    let stats = reader.stats();
    report.records_skipped += stats.skipped;
    tracing::info!(file = %path.display(), ?stats, "file read");
    Ok(())
}

/// Extracts captures from any source (an archive, the crawler) into the log, in parallel
/// batches; `writer` commits segments as they fill. Call [`LogWriter::close`] when done.
pub fn ingest_captures(
    captures: &mut dyn Iterator<Item = Capture>,
    config: &IngestConfig,
    writer: &mut LogWriter,
    report: &mut IngestReport,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<()> {
    loop {
        let batch: Vec<Capture> = (&mut *captures).take(BATCH).collect();
        if batch.is_empty() {
            return Ok(());
        }
        let extracted: Vec<Option<(PageRecord, Vec<LinkRecord>)>> = batch
            .into_par_iter()
            .map(|c| to_records(c, &config.extract))
            .collect();
        for (page, links) in extracted.into_iter().flatten() {
            report.pages += 1;
            report.revisits += u64::from(page.unchanged);
            report.links += links.len() as u64;
            writer.add(page, links)?;
        }
        progress(Progress {
            pages: report.pages,
            links: report.links,
            bytes: 0,
        });
    }
}

/// One capture as log records; `None` for captures that are not web pages (e.g. `dns:`).
pub fn to_records(
    capture: Capture,
    config: &ExtractConfig,
) -> Option<(PageRecord, Vec<LinkRecord>)> {
    match capture {
        Capture::Response(fetch) => page_of_response(&fetch, config),
        Capture::Revisit(revisit) => page_of_revisit(&revisit).map(|p| (p, Vec::new())),
        Capture::Extracted(page, links) => Some((page, links)),
    }
}

fn page_of_response(
    fetch: &FetchRecord,
    config: &ExtractConfig,
) -> Option<(PageRecord, Vec<LinkRecord>)> {
    NormalizedUrl::parse(&fetch.url).ok()?;
    let extraction = extract(fetch, config);
    Some((extraction.page, extraction.links))
}

fn page_of_revisit(revisit: &RevisitRecord) -> Option<PageRecord> {
    let url = NormalizedUrl::parse(&revisit.url).ok()?;
    Some(PageRecord {
        // Hashed like every capture's id: record id, URL as captured, time.
        fetch_id: fetch_id(&revisit.record_id, &revisit.url, revisit.fetched_at),
        url: url.as_str().to_string(),
        fetched_at: revisit.fetched_at,
        http_code: if revisit.status == 0 {
            200
        } else {
            revisit.status
        },
        is_html: true,
        ip: revisit.ip.clone(),
        unchanged: true,
        ..Default::default()
    })
}

/// Size and SHA-256 of a file.
fn describe(path: &Path) -> Result<SourceFile> {
    let mut file = File::open(path).at(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buf).at(path)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
        bytes += n as u64;
    }
    Ok(SourceFile {
        path: path.display().to_string(),
        sha256: hex::encode(hasher.finalize()),
        bytes,
    })
}
