//! Snapshot generations: immutable directories of Parquet tables plus a manifest, switched
//! atomically through the `CURRENT` file. A crash mid-build leaves the previous generation
//! serving; old generations are pruned beyond a retention count.

use crate::error::{IndexError, IoContext, Result};
use crate::layout::{DataDir, publish_dir, write_atomic};
use anchorage_core::time::Micros;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

pub const MANIFEST: &str = "manifest.json";
pub const BACKLINKS: &str = "backlinks.parquet";
pub const PAGES: &str = "pages.parquet";
pub const DOMAINS: &str = "domains.parquet";
pub const OUTLINKS: &str = "outlinks.parquet";
pub const TARGETS: &str = "targets.parquet";
pub const METRICS_HISTORY: &str = "metrics_history.parquet";
pub const DOMAIN_LINKS: &str = "domain_links.parquet";

/// Describes one generation.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub generation: String,
    pub number: u64,
    pub created_at: Micros,
    /// The latest fetch time in the log this generation was built from: links first seen
    /// after the previous generation's horizon are `is_new`.
    pub log_horizon: Micros,
    pub previous_horizon: Option<Micros>,
    pub segments: usize,
    /// Rows per table file.
    pub tables: BTreeMap<String, u64>,
    pub fetches: u64,
    pub pages: u64,
    pub links: u64,
    pub domains: u64,
    pub build_seconds: f64,
    /// Resumed from the previous generation's replay checkpoint (`replay/`).
    #[serde(default)]
    pub incremental: bool,
    /// Fetches this build replayed (all of the log's, unless incremental).
    #[serde(default)]
    pub fetches_replayed: u64,
}

/// A generation on disk.
#[derive(Debug, Clone)]
pub struct Generation {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

impl Generation {
    pub fn table(&self, file: &str) -> PathBuf {
        self.dir.join(file)
    }
}

/// The generation `CURRENT` names, if any.
pub fn current(dir: &DataDir) -> Result<Option<Generation>> {
    let path = dir.current_file();
    let name = match fs::read_to_string(&path) {
        Ok(n) => n.trim().to_string(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(IndexError::Io { path, source }),
    };
    open(&dir.generations_dir().join(name)).map(Some)
}

/// Like [`current`], but a missing generation is an error.
pub fn require_current(dir: &DataDir) -> Result<Generation> {
    current(dir)?.ok_or_else(|| IndexError::NoGeneration(dir.root().to_path_buf()))
}

pub fn open(gen_dir: &Path) -> Result<Generation> {
    let path = gen_dir.join(MANIFEST);
    let bytes = fs::read(&path).at(&path)?;
    let manifest =
        serde_json::from_slice(&bytes).map_err(|source| IndexError::Json { path, source })?;
    Ok(Generation {
        dir: gen_dir.to_path_buf(),
        manifest,
    })
}

/// A generation being written in a temporary directory.
pub struct PendingGeneration {
    pub tmp: PathBuf,
    pub name: String,
    pub number: u64,
}

/// Starts the next generation (number = highest existing + 1).
pub fn begin(dir: &DataDir) -> Result<PendingGeneration> {
    let number = existing(dir)?.last().map_or(1, |(n, _)| n + 1);
    let name = format!("g{number:06}");
    let tmp = dir.tmp_dir().join(format!("{name}.building"));
    if tmp.exists() {
        fs::remove_dir_all(&tmp).at(&tmp)?;
    }
    fs::create_dir_all(&tmp).at(&tmp)?;
    Ok(PendingGeneration { tmp, name, number })
}

/// Writes the manifest, moves the generation into place, switches `CURRENT` to it and prunes
/// generations beyond `keep`.
pub fn commit(
    dir: &DataDir,
    pending: PendingGeneration,
    manifest: &Manifest,
    keep: usize,
) -> Result<Generation> {
    let manifest_path = pending.tmp.join(MANIFEST);
    let json = serde_json::to_vec_pretty(manifest).map_err(|source| IndexError::Json {
        path: manifest_path.clone(),
        source,
    })?;
    fs::write(&manifest_path, json).at(&manifest_path)?;
    let final_dir = dir.generations_dir().join(&pending.name);
    publish_dir(&pending.tmp, &final_dir)?;
    write_atomic(&dir.current_file(), pending.name.as_bytes())?;
    prune(dir, keep.max(1), &pending.name)?;
    open(&final_dir)
}

fn existing(dir: &DataDir) -> Result<Vec<(u64, PathBuf)>> {
    let root = dir.generations_dir();
    let mut out: Vec<(u64, PathBuf)> = fs::read_dir(&root)
        .at(&root)?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            let n = name.strip_prefix('g')?.parse().ok()?;
            Some((n, e.path()))
        })
        .collect();
    out.sort();
    Ok(out)
}

fn prune(dir: &DataDir, keep: usize, current: &str) -> Result<()> {
    let all = existing(dir)?;
    let excess = all.len().saturating_sub(keep);
    for (_, path) in all.into_iter().take(excess) {
        if path.file_name().is_some_and(|n| n == current) {
            continue;
        }
        fs::remove_dir_all(&path).at(&path)?;
        tracing::info!(generation = %path.display(), "pruned old generation");
    }
    Ok(())
}
