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

/// Writes epoch `epoch` of the web `config` describes as WARC/1.1, one site at a time, so a
/// web of any scale (a 10M-link benchmark corpus) is written in constant memory. Calls
/// `progress` with the number of responses written after each one; returns that number.
/// Only `sites_percent` of the sites are written ([`crate::generate_streaming_share`]).
pub fn write_streaming_warc(
    config: &crate::SynthConfig,
    epoch: u32,
    sites_percent: u8,
    path: &Path,
    mut progress: impl FnMut(u64),
) -> Result<u64, AcquireError> {
    let mut writer = WarcWriter::create(path)?;
    writer.write_warcinfo(
        "anchorage synthetic web",
        &[
            ("format", "WARC File Format 1.1"),
            ("epoch", &epoch.to_string()),
            ("scale", &config.scale.to_string()),
            ("sites-percent", &sites_percent.to_string()),
        ],
    )?;
    let mut written = 0;
    for r in crate::generate_streaming_share(config, epoch, sites_percent) {
        writer.write_response(
            &r.url,
            r.fetched_at,
            Some(&r.ip),
            r.status,
            r.reason,
            &r.headers,
            &r.body,
        )?;
        written += 1;
        progress(written);
    }
    writer.finish()?;
    Ok(written)
}
