//! The synthetic web as a WARC file, as a crawler would have archived it.

use crate::SyntheticWeb;
use anchorage_acquire::{AcquireError, WarcWriter};
use std::path::Path;

impl SyntheticWeb {
    /// Writes every robots.txt and crawlable response as WARC/1.1 (one gzip member per record).
    pub fn write_warc(&self, path: &Path) -> Result<(), AcquireError> {
        let mut writer = WarcWriter::create(path)?;
        writer.write_warcinfo(
            "anchorage synthetic web",
            &[
                ("format", "WARC File Format 1.1"),
                ("epoch", &self.epoch.to_string()),
            ],
        )?;
        for r in self.robots.iter().chain(&self.responses) {
            writer.write_response(
                &r.url,
                r.fetched_at,
                Some(&r.ip),
                r.status,
                r.reason,
                &r.headers,
                &r.body,
            )?;
        }
        writer.finish()
    }
}
