//! Imported search figures: organic traffic and ranking keywords, which a link index cannot
//! observe, from a CSV the user brings (`anchorage import-metrics FILE.csv`).
//!
//! The CSV has a header row naming `target` and at least one of `traffic` and `positions`
//! (keywords in the top 100), optionally `positions_top_3` and `positions_top_10` (other
//! columns are ignored). A `target` without scheme or path (`example.com`) gives the figures
//! of that root domain (`traffic_domain`, `positions_source_domain`); a URL gives the figures
//! of that page (`traffic`, `positions`, `positions_top_3`, `positions_top_10`, http and https
//! alike). Figures are non-negative integers; an empty cell leaves the figure unknown (0 in
//! answers for traffic and positions, as Ahrefs shows for a site without search traffic; null
//! for the top-3 and top-10 counts, which only DataForSEO serves).
//!
//! Imports accumulate in `DATA_DIR/imports/metrics.parquet` (a later import replaces the
//! figures of the targets it names) and every build reads them.

use crate::error::{IndexError, IoContext, Result};
use crate::layout::{DataDir, sync_parent};
use crate::parquet_io;
use anchorage_core::NormalizedUrl;
use anchorage_core::domain::root_domain;
use anchorage_core::urls::plain_of;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// One imported row, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedFigures {
    /// A root domain, or a page as scheme-less normalised URL (`example.com/a`).
    pub target: String,
    pub is_domain: bool,
    pub traffic: Option<i64>,
    pub positions: Option<i64>,
    /// Absent from imports written before these columns existed: read as unknown.
    #[serde(default)]
    pub positions_top_3: Option<i64>,
    #[serde(default)]
    pub positions_top_10: Option<i64>,
}

/// What an import did.
#[derive(Debug, Clone, Default)]
pub struct ImportReport {
    pub domains: usize,
    pub pages: usize,
    /// Rows held after merging with earlier imports.
    pub stored: usize,
}

/// The figures a build joins to its rows.
#[derive(Debug, Default)]
pub struct ImportedMetrics {
    domains: HashMap<String, ImportedFigures>,
    pages: HashMap<String, ImportedFigures>,
}

impl ImportedMetrics {
    /// The imports of `dir` (none yet: empty).
    pub fn load(dir: &DataDir) -> Result<Self> {
        let mut metrics = ImportedMetrics::default();
        for row in stored(dir)? {
            let map = if row.is_domain {
                &mut metrics.domains
            } else {
                &mut metrics.pages
            };
            map.insert(row.target.clone(), row);
        }
        Ok(metrics)
    }

    /// Figures of a root domain.
    pub fn domain(&self, root: &str) -> Option<&ImportedFigures> {
        self.domains.get(root)
    }

    /// Figures of a page, by its scheme-less normalised URL.
    pub fn page(&self, plain_url: &str) -> Option<&ImportedFigures> {
        self.pages.get(plain_url)
    }
}

pub fn imports_file(dir: &DataDir) -> PathBuf {
    dir.root().join("imports").join("metrics.parquet")
}

fn stored(dir: &DataDir) -> Result<Vec<ImportedFigures>> {
    let path = imports_file(dir);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let mut rows = Vec::new();
    for batch in parquet_io::read(&path)? {
        rows.extend(serde_arrow::from_record_batch::<Vec<ImportedFigures>>(
            &batch,
        )?);
    }
    Ok(rows)
}

/// Reads `csv`, validates every row, and merges it into the stored imports atomically: a bad
/// row rejects the whole file and leaves the earlier imports as they were.
pub fn import_csv(dir: &DataDir, csv: &Path) -> Result<ImportReport> {
    let fresh = parse_csv(csv)?;
    let mut report = ImportReport {
        domains: fresh.iter().filter(|r| r.is_domain).count(),
        pages: fresh.iter().filter(|r| !r.is_domain).count(),
        stored: 0,
    };
    let mut merged: BTreeMap<(bool, String), ImportedFigures> = stored(dir)?
        .into_iter()
        .map(|r| ((r.is_domain, r.target.clone()), r))
        .collect();
    for row in fresh {
        merged.insert((row.is_domain, row.target.clone()), row);
    }
    let rows: Vec<ImportedFigures> = merged.into_values().collect();
    report.stored = rows.len();
    let path = imports_file(dir);
    let parent = path.parent().unwrap_or(dir.root());
    std::fs::create_dir_all(parent).at(parent)?;
    let tmp = path.with_extension("parquet.tmp");
    crate::build::write_serde(&tmp, &rows)?;
    std::fs::File::open(&tmp)
        .and_then(|f| f.sync_all())
        .at(&tmp)?;
    std::fs::rename(&tmp, &path).at(&path)?;
    sync_parent(&path)?;
    tracing::info!(
        domains = report.domains,
        pages = report.pages,
        stored = report.stored,
        "metrics imported"
    );
    Ok(report)
}

fn parse_csv(path: &Path) -> Result<Vec<ImportedFigures>> {
    let invalid =
        |line: u64, what: String| IndexError::Invalid(format!("{}:{line}: {what}", path.display()));
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .map_err(|e| invalid(0, e.to_string()))?;
    let headers = reader
        .headers()
        .map_err(|e| invalid(1, e.to_string()))?
        .clone();
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    let target =
        column("target").ok_or_else(|| invalid(1, "the header has no `target` column".into()))?;
    let (traffic, positions) = (column("traffic"), column("positions"));
    if traffic.is_none() && positions.is_none() {
        return Err(invalid(
            1,
            "the header names neither `traffic` nor `positions`".into(),
        ));
    }
    let mut rows = Vec::new();
    for record in reader.records() {
        let record =
            record.map_err(|e| invalid(e.position().map_or(0, |p| p.line()), e.to_string()))?;
        let line = record.position().map_or(0, |p| p.line());
        let figure = |index: Option<usize>, name: &str| -> Result<Option<i64>> {
            match index.and_then(|i| record.get(i)).filter(|v| !v.is_empty()) {
                None => Ok(None),
                Some(v) => v
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n >= 0)
                    .map(Some)
                    .ok_or_else(|| {
                        invalid(line, format!("{name}: '{v}' is not a non-negative integer"))
                    }),
            }
        };
        let (key, is_domain) = target_key(record.get(target).unwrap_or_default())
            .map_err(|e| invalid(line, format!("target: {e}")))?;
        rows.push(ImportedFigures {
            target: key,
            is_domain,
            traffic: figure(traffic, "traffic")?,
            positions: figure(positions, "positions")?,
            positions_top_3: figure(column("positions_top_3"), "positions_top_3")?,
            positions_top_10: figure(column("positions_top_10"), "positions_top_10")?,
        });
    }
    Ok(rows)
}

/// The stored key of a CSV target: a root domain, or a page's scheme-less normalised URL.
fn target_key(target: &str) -> std::result::Result<(String, bool), String> {
    if target.is_empty() {
        return Err("empty".into());
    }
    let has_path = target.contains("://") || target.trim_end_matches('/').contains('/');
    if has_path {
        let with_scheme = if target.contains("://") {
            target.to_string()
        } else {
            format!("http://{target}")
        };
        let url = NormalizedUrl::parse(&with_scheme).map_err(|e| format!("'{target}': {e}"))?;
        return Ok((plain_of(url.as_str()).to_string(), false));
    }
    let host = target.trim_end_matches('/');
    let url =
        NormalizedUrl::parse(&format!("http://{host}/")).map_err(|e| format!("'{target}': {e}"))?;
    let host = anchorage_core::urls::host_of(url.as_str());
    Ok((root_domain(host).to_ascii_lowercase(), true))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn import(dir: &DataDir, text: &str) -> Result<ImportReport> {
        let csv = dir.root().join("in.csv");
        std::fs::write(&csv, text).unwrap();
        import_csv(dir, &csv)
    }

    #[test]
    fn domains_and_pages_are_told_apart_and_later_imports_replace_earlier() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(tmp.path()).unwrap();
        let report = import(
            &dir,
            "target,traffic,positions\nwww.Example.com,1200,30\nhttps://example.com/a?x=1,15,\n",
        )
        .unwrap();
        assert_eq!((report.domains, report.pages, report.stored), (1, 1, 2));
        import(&dir, "target,traffic\nexample.com,900\nother.org,5\n").unwrap();
        let m = ImportedMetrics::load(&dir).unwrap();
        assert_eq!(m.domain("example.com").unwrap().traffic, Some(900));
        assert_eq!(m.domain("example.com").unwrap().positions, None);
        assert_eq!(m.domain("other.org").unwrap().traffic, Some(5));
        assert_eq!(m.page("example.com/a?x=1").unwrap().traffic, Some(15));
        assert_eq!(m.page("example.com/a?x=1").unwrap().positions_top_3, None);
    }

    #[test]
    fn top_3_and_top_10_counts_are_read_when_given() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(tmp.path()).unwrap();
        import(
            &dir,
            "target,positions,positions_top_10,positions_top_3\nexample.com/a,40,12,3\n",
        )
        .unwrap();
        let m = ImportedMetrics::load(&dir).unwrap();
        let page = m.page("example.com/a").unwrap();
        assert_eq!(
            (page.positions, page.positions_top_10, page.positions_top_3),
            (Some(40), Some(12), Some(3))
        );
    }

    #[test]
    fn a_bad_row_names_line_and_column_and_keeps_what_was_stored() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(tmp.path()).unwrap();
        import(&dir, "target,traffic\nexample.com,10\n").unwrap();
        let e = import(&dir, "target,traffic\na.com,1\nb.com,-4\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains(":3: traffic: '-4'"), "{e}");
        let e = import(&dir, "domain,traffic\na.com,1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no `target` column"), "{e}");
        let m = ImportedMetrics::load(&dir).unwrap();
        assert_eq!(m.domain("example.com").unwrap().traffic, Some(10));
        assert!(m.domain("a.com").is_none());
    }
}
