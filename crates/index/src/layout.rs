//! The data directory and the crash-safe file operations everything in it relies on.
//!
//! ```text
//! DATA_DIR/
//!   log/segments/<segment>/      complete fetch-log segments (pages, links, segment.json)
//!   log/tmp/                     segments being written (removed on the next start)
//!   generations/<gNNNNNN>/       snapshot generations (Parquet tables + manifest.json)
//!   CURRENT                      name of the generation being served
//!   dataforseo-tasks.jsonl       the DataForSEO tasks the server answered (`anchorage-api`)
//! ```
//!
//! A file or directory becomes visible only once complete: it is written under a temporary
//! name, fsynced, renamed into place and its parent directory fsynced. A `kill -9` at any
//! point leaves either the old state or the new one.

use crate::error::{IoContext, Result};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Opens (creating if needed) a data directory and clears leftovers of interrupted writes.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let dir = DataDir { root: root.into() };
        for d in [dir.segments_dir(), dir.generations_dir()] {
            fs::create_dir_all(&d).at(&d)?;
        }
        let tmp = dir.tmp_dir();
        if tmp.exists() {
            fs::remove_dir_all(&tmp).at(&tmp)?;
        }
        fs::create_dir_all(&tmp).at(&tmp)?;
        Ok(dir)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn segments_dir(&self) -> PathBuf {
        self.root.join("log").join("segments")
    }

    pub fn tmp_dir(&self) -> PathBuf {
        self.root.join("log").join("tmp")
    }

    pub fn generations_dir(&self) -> PathBuf {
        self.root.join("generations")
    }

    pub fn current_file(&self) -> PathBuf {
        self.root.join("CURRENT")
    }
}

/// Writes `bytes` to `path` atomically (temporary file, fsync, rename, fsync of the directory).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    {
        let mut f = File::create(&tmp).at(&tmp)?;
        f.write_all(bytes).at(&tmp)?;
        f.sync_all().at(&tmp)?;
    }
    fs::rename(&tmp, path).at(path)?;
    sync_parent(path)
}

/// Moves a completely written directory into place and makes the rename durable.
pub fn publish_dir(from: &Path, to: &Path) -> Result<()> {
    sync_tree(from)?;
    fs::rename(from, to).at(to)?;
    sync_parent(to)
}

/// fsyncs every file under `dir`, its subdirectories and the directory itself.
pub fn sync_tree(dir: &Path) -> Result<()> {
    for entry in fs::read_dir(dir).at(dir)? {
        let path = entry.at(dir)?.path();
        if path.is_dir() {
            sync_tree(&path)?;
        } else if path.is_file() {
            File::open(&path).and_then(|f| f.sync_all()).at(&path)?;
        }
    }
    File::open(dir).and_then(|f| f.sync_all()).at(dir)
}

pub fn sync_parent(path: &Path) -> Result<()> {
    match path.parent() {
        Some(parent) => File::open(parent).and_then(|f| f.sync_all()).at(parent),
        None => Ok(()),
    }
}
