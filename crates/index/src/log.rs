//! The fetch log: append-only Parquet segments of page and link records.
//!
//! It is the source of truth: every snapshot can be rebuilt from it. A segment is a directory
//! (`pages.parquet`, `links.parquet`, `segment.json`) that appears complete or not at all
//! (see [`crate::layout`]). Reading the same capture twice is harmless: the build keeps one
//! fetch per `fetch_id`.

use crate::error::{IndexError, IoContext, Result};
use crate::layout::{DataDir, publish_dir};
use crate::parquet_io;
use anchorage_core::record::{LinkRecord, PageRecord};
use anchorage_core::time::{Micros, now};
use arrow::datatypes::{FieldRef, Schema};
use serde::{Deserialize, Serialize};
use serde_arrow::schema::{SchemaLike, TracingOptions};
use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

const PAGES_FILE: &str = "pages.parquet";
const LINKS_FILE: &str = "links.parquet";
const META_FILE: &str = "segment.json";

/// An input file whose every record is in the log.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SourceFile {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SegmentMeta {
    pub name: String,
    pub created_at: Micros,
    pub pages: u64,
    pub links: u64,
    /// Files completely ingested when this segment was committed.
    pub sources: Vec<SourceFile>,
}

/// Buffers records and commits them as segments.
pub struct LogWriter {
    dir: DataDir,
    pages: Vec<PageRecord>,
    links: Vec<LinkRecord>,
    sources: Vec<SourceFile>,
    /// Commit a segment once this many links are buffered.
    pub flush_links: usize,
    committed: Vec<SegmentMeta>,
}

impl LogWriter {
    pub fn new(dir: DataDir) -> Self {
        LogWriter {
            dir,
            pages: Vec::new(),
            links: Vec::new(),
            sources: Vec::new(),
            flush_links: 2_000_000,
            committed: Vec::new(),
        }
    }

    pub fn add(&mut self, page: PageRecord, links: Vec<LinkRecord>) -> Result<()> {
        self.pages.push(page);
        self.links.extend(links);
        if self.links.len() >= self.flush_links {
            self.flush()?;
        }
        Ok(())
    }

    /// Records that `source` has been read to its end: it is committed with the next segment.
    pub fn finish_source(&mut self, source: SourceFile) -> Result<()> {
        self.sources.push(source);
        self.flush()
    }

    /// Commits what is buffered as one segment (nothing when empty).
    pub fn flush(&mut self) -> Result<()> {
        if self.pages.is_empty() && self.sources.is_empty() {
            return Ok(());
        }
        let meta = write_segment(&self.dir, &self.pages, &self.links, &self.sources)?;
        self.pages.clear();
        self.links.clear();
        self.sources.clear();
        self.committed.push(meta);
        Ok(())
    }

    /// Flushes and returns the segments this writer committed.
    pub fn close(mut self) -> Result<Vec<SegmentMeta>> {
        self.flush()?;
        Ok(self.committed)
    }
}

pub(crate) fn tracing_options() -> TracingOptions {
    TracingOptions::default()
        .allow_null_fields(true)
        .enums_without_data_as_strings(true)
}

pub(crate) fn page_fields() -> Result<Vec<FieldRef>> {
    Ok(Vec::<FieldRef>::from_type::<PageRecord>(tracing_options())?)
}

pub(crate) fn link_fields() -> Result<Vec<FieldRef>> {
    Ok(Vec::<FieldRef>::from_type::<LinkRecord>(tracing_options())?)
}

static SEGMENT_COUNTER: AtomicU64 = AtomicU64::new(0);

fn write_segment(
    dir: &DataDir,
    pages: &[PageRecord],
    links: &[LinkRecord],
    sources: &[SourceFile],
) -> Result<SegmentMeta> {
    let created_at = now();
    let name = format!(
        "s{created_at:020}-{}-{}",
        std::process::id(),
        SEGMENT_COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    let tmp = dir.tmp_dir().join(&name);
    write_record_files(&tmp, pages, links)?;
    let meta = SegmentMeta {
        name: name.clone(),
        created_at,
        pages: pages.len() as u64,
        links: links.len() as u64,
        sources: sources.to_vec(),
    };
    let json = serde_json::to_vec_pretty(&meta).map_err(|source| IndexError::Json {
        path: tmp.join(META_FILE),
        source,
    })?;
    fs::write(tmp.join(META_FILE), json).at(tmp.join(META_FILE))?;
    publish_dir(&tmp, &dir.segments_dir().join(&name))?;
    tracing::info!(segment = %name, pages = meta.pages, links = meta.links, "segment committed");
    Ok(meta)
}

/// Writes `pages` and `links` as the record files of a segment in `dir` (created), which
/// [`read_segment`] reads back.
pub(crate) fn write_record_files<P: Serialize, L: Serialize>(
    dir: &Path,
    pages: &[P],
    links: &[L],
) -> Result<()> {
    fs::create_dir_all(dir).at(dir)?;
    write_records(&dir.join(PAGES_FILE), &page_fields()?, pages)?;
    write_records(&dir.join(LINKS_FILE), &link_fields()?, links)
}

pub(crate) fn write_records<T: Serialize>(
    path: &Path,
    fields: &[FieldRef],
    items: &[T],
) -> Result<()> {
    let schema = Arc::new(Schema::new(fields.to_vec()));
    let mut batches = Vec::new();
    for chunk in items.chunks(64 * 1024) {
        batches.push(serde_arrow::to_record_batch(fields, &chunk)?);
    }
    parquet_io::write(path, schema, &batches, parquet_io::writer_properties(None))
}

/// Committed segments, oldest first.
pub fn segments(dir: &DataDir) -> Result<Vec<PathBuf>> {
    let root = dir.segments_dir();
    let mut out: Vec<PathBuf> = fs::read_dir(&root)
        .at(&root)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join(META_FILE).is_file())
        .collect();
    out.sort();
    Ok(out)
}

pub fn read_meta(segment: &Path) -> Result<SegmentMeta> {
    let path = segment.join(META_FILE);
    let bytes = fs::read(&path).at(&path)?;
    serde_json::from_slice(&bytes).map_err(|source| IndexError::Json { path, source })
}

/// SHA-256 of every source file already in the log.
pub fn ingested_sources(dir: &DataDir) -> Result<HashSet<String>> {
    let mut out = HashSet::new();
    for seg in segments(dir)? {
        out.extend(read_meta(&seg)?.sources.into_iter().map(|s| s.sha256));
    }
    Ok(out)
}

/// The fetches of a segment (or of any run of the log) and their links.
pub type SegmentRecords = (Vec<PageRecord>, Vec<LinkRecord>);

/// The records of one segment.
pub fn read_segment(segment: &Path) -> Result<SegmentRecords> {
    Ok((
        read_records(&segment.join(PAGES_FILE))?,
        read_records(&segment.join(LINKS_FILE))?,
    ))
}

pub(crate) fn read_records<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let mut out = Vec::new();
    for batch in parquet_io::read(path)? {
        out.extend(serde_arrow::from_record_batch::<Vec<T>>(&batch)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchorage_core::record::LinkElement;

    #[test]
    fn segments_round_trip_and_remember_sources() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(tmp.path()).unwrap();
        let mut w = LogWriter::new(dir.clone());
        let page = PageRecord {
            fetch_id: 7,
            url: "http://a.com/".into(),
            languages: vec!["en".into()],
            ..Default::default()
        };
        let mut link = LinkRecord::new(7, 0, "http://b.com/".into(), LinkElement::Anchor);
        link.anchor = "b".into();
        w.add(page.clone(), vec![link.clone()]).unwrap();
        let src = SourceFile {
            path: "x.warc".into(),
            sha256: "abc".into(),
            bytes: 3,
        };
        w.finish_source(src).unwrap();
        let metas = w.close().unwrap();
        assert_eq!(metas.len(), 1);
        let segs = segments(&dir).unwrap();
        let (pages, links) = read_segment(&segs[0]).unwrap();
        assert_eq!(pages, vec![page]);
        assert_eq!(links, vec![link]);
        assert!(ingested_sources(&dir).unwrap().contains("abc"));
    }

    #[test]
    fn interrupted_segments_are_invisible() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(tmp.path()).unwrap();
        fs::create_dir_all(dir.tmp_dir().join("s-half")).unwrap();
        fs::create_dir_all(dir.segments_dir().join("s-no-meta")).unwrap();
        assert!(segments(&dir).unwrap().is_empty());
        let reopened = DataDir::open(tmp.path()).unwrap();
        assert!(!reopened.tmp_dir().join("s-half").exists());
    }
}
