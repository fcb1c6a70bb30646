//! The replay checkpoint: where every page's replay stopped, kept in each generation
//! (`replay/`) so that the next build reads only the log segments that came after it and
//! replays only their fetches (an incremental build).
//!
//! It holds, for every page, what [`Replay::resume`] needs (its links' histories as the replay
//! left them, before any drop) and the records that state refers to: the latest fetch, the
//! latest content with all its links, and the fetch and record each link was last seen in,
//! in the log's own segment format. Resuming from it gives the histories a replay of the whole
//! log gives: `crates/index/tests/history.rs` builds both ways and compares every table.
//!
//! The log allows an incremental build when every segment the checkpoint consumed is still
//! there and each new fetch of a known page is later than the page's latest replayed fetch.
//! Anything else (a capture ingested after later ones, a segment removed, a checkpoint of
//! another format) gets a full replay.

use super::Log;
use super::history::{Discovered, LinkHistory, LostReason, PageHistory, Replay};
use crate::error::{IndexError, IoContext, Result};
use crate::log::{
    SegmentRecords, read_records, read_segment, tracing_options, write_record_files, write_records,
};
use anchorage_core::record::{LinkRecord, PageRecord};
use anchorage_core::time::Micros;
use arrow::datatypes::FieldRef;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_arrow::schema::SchemaLike;
use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

/// The checkpoint's directory in a generation.
pub const CHECKPOINT_DIR: &str = "replay";
const PAGE_STATE_FILE: &str = "page_state.parquet";
const LINK_STATE_FILE: &str = "link_state.parquet";
const META_FILE: &str = "checkpoint.json";
/// Bumped whenever what the checkpoint holds changes: an older one is not resumed from.
const FORMAT: u32 = 2;

#[derive(Serialize, Deserialize)]
struct Meta {
    format: u32,
    parts: usize,
    /// The log segments whose fetches the checkpoint has replayed.
    segments: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct PageState {
    latest: u64,
    content: u64,
    had_content: bool,
    was_canonical: bool,
    first_seen: Micros,
    prev_visited: Option<Micros>,
    /// The page's links are the next this many link states, in the page's order.
    links: u32,
}

#[derive(Debug, Serialize, Deserialize)]
struct LinkState {
    /// The link's record as last seen: (fetch, ordinal).
    fetch_id: u64,
    ordinal: u32,
    seen_in: u64,
    occurrence: u32,
    first_seen_link: Micros,
    live_since: Micros,
    last_live: Micros,
    prev_live: Option<Micros>,
    live: bool,
    ever_lost: bool,
    lost_at: Option<Micros>,
    lost_reason: Option<LostReason>,
    discovered: Discovered,
}

impl LinkState {
    fn of(link: &LinkHistory<'_>, live: bool) -> LinkState {
        LinkState {
            fetch_id: link.link.fetch_id,
            ordinal: link.link.ordinal,
            seen_in: link.seen_in.fetch_id,
            occurrence: link.occurrence,
            first_seen_link: link.first_seen_link,
            live_since: link.live_since,
            last_live: link.last_live,
            prev_live: link.prev_live,
            live,
            ever_lost: link.ever_lost,
            lost_at: link.lost_at,
            lost_reason: link.lost_reason,
            discovered: link.discovered,
        }
    }
}

/// Whether each link was live when the replay left it: drops, which come next, make links
/// not live, and the checkpoint must hold the replay's own state.
pub struct ReplayedLiveness(Vec<bool>);

impl ReplayedLiveness {
    pub fn of(histories: &[PageHistory<'_>]) -> ReplayedLiveness {
        ReplayedLiveness(
            histories
                .iter()
                .flat_map(|h| h.links.iter().map(|l| l.live))
                .collect(),
        )
    }
}

/// About this many links' states per part of the checkpoint: parts are written and read in
/// parallel, and each is held in memory whole while it is written.
const PART_LINKS: usize = 1 << 20;

/// Writes the checkpoint of `histories` (after drops; `live` from before them), replayed
/// from every segment of `log`, into the generation being built in `generation_dir`.
/// Each part holds a run of pages (in URL order) with every record they refer to.
pub fn write(
    generation_dir: &Path,
    histories: &[PageHistory<'_>],
    live: &ReplayedLiveness,
    log: &Log,
) -> Result<()> {
    write_parts(generation_dir, histories, live, log, PART_LINKS)
}

fn write_parts(
    generation_dir: &Path,
    histories: &[PageHistory<'_>],
    live: &ReplayedLiveness,
    log: &Log,
    part_links: usize,
) -> Result<()> {
    let dir = generation_dir.join(CHECKPOINT_DIR);
    let mut parts = Vec::new();
    let (mut first_page, mut first_link, mut links) = (0, 0, 0);
    for (i, h) in histories.iter().enumerate() {
        links += h.links.len();
        if links - first_link >= part_links || i + 1 == histories.len() {
            parts.push((first_page..i + 1, first_link..links));
            (first_page, first_link) = (i + 1, links);
        }
    }
    parts
        .par_iter()
        .enumerate()
        .try_for_each(|(n, (pages, links))| {
            let part = Part::of(&histories[pages.clone()], &live.0[links.clone()], log);
            part.write(&part_dir(&dir, n))
        })?;
    let meta = Meta {
        format: FORMAT,
        parts: parts.len(),
        segments: log.segment_names.clone(),
    };
    let path = dir.join(META_FILE);
    let json = serde_json::to_vec_pretty(&meta).map_err(|source| IndexError::Json {
        path: path.clone(),
        source,
    })?;
    fs::write(&path, json).at(&path)
}

fn part_dir(checkpoint_dir: &Path, n: usize) -> PathBuf {
    checkpoint_dir.join(format!("part-{n:05}"))
}

/// A run of pages' states with the records they refer to.
struct Part<'a> {
    pages: Vec<PageState>,
    links: Vec<LinkState>,
    page_records: Vec<&'a PageRecord>,
    link_records: Vec<&'a LinkRecord>,
}

impl<'a> Part<'a> {
    /// `live`: the replayed liveness of these pages' links, in order.
    fn of(histories: &[PageHistory<'a>], live: &[bool], log: &'a Log) -> Part<'a> {
        let pages = histories
            .iter()
            .map(|h| PageState {
                latest: h.latest.fetch_id,
                content: h.content.fetch_id,
                had_content: h.had_content,
                was_canonical: h.was_canonical,
                first_seen: h.first_seen,
                prev_visited: h.prev_visited,
                links: h.links.len() as u32,
            })
            .collect();
        let links = histories
            .iter()
            .flat_map(|h| h.links.iter())
            .zip(live)
            .map(|(link, &live)| LinkState::of(link, live))
            .collect();
        let mut page_records: Vec<&'a PageRecord> = histories
            .iter()
            .flat_map(|h| {
                let seen_in = h.links.iter().map(|l| l.seen_in);
                [h.latest, h.content].into_iter().chain(seen_in)
            })
            .collect();
        page_records.sort_unstable_by_key(|p| p.fetch_id);
        page_records.dedup_by_key(|p| p.fetch_id);
        // A revisit repeats every link of the content, live or not.
        let mut link_records: Vec<&'a LinkRecord> = histories
            .iter()
            .flat_map(|h| {
                let content = log.links_of(h.content.fetch_id).iter();
                h.links.iter().map(|l| l.link).chain(content)
            })
            .collect();
        link_records.sort_unstable_by_key(|l| (l.fetch_id, l.ordinal));
        link_records.dedup_by_key(|l| (l.fetch_id, l.ordinal));
        Part {
            pages,
            links,
            page_records,
            link_records,
        }
    }

    fn write(&self, dir: &Path) -> Result<()> {
        write_record_files(dir, &self.page_records, &self.link_records)?;
        write_records(
            &dir.join(PAGE_STATE_FILE),
            &fields::<PageState>()?,
            &self.pages,
        )?;
        write_records(
            &dir.join(LINK_STATE_FILE),
            &fields::<LinkState>()?,
            &self.links,
        )
    }

    fn read(dir: &Path) -> Result<(Vec<PageState>, Vec<LinkState>, SegmentRecords)> {
        Ok((
            read_records(&dir.join(PAGE_STATE_FILE))?,
            read_records(&dir.join(LINK_STATE_FILE))?,
            read_segment(dir)?,
        ))
    }
}

fn fields<T: Serialize + for<'de> Deserialize<'de>>() -> Result<Vec<FieldRef>> {
    Ok(Vec::<FieldRef>::from_type::<T>(tracing_options())?)
}

/// A checkpoint read back: the pages' states, and the segments they come from.
pub struct Checkpoint {
    pub segments: Vec<String>,
    pages: Vec<PageState>,
    links: Vec<LinkState>,
}

/// The records a checkpoint's state refers to, as read from each of its parts.
pub type Records = Vec<SegmentRecords>;

impl Checkpoint {
    /// The checkpoint of the generation in `generation_dir`, if it has one of this format.
    pub fn read(generation_dir: &Path) -> Result<Option<(Checkpoint, Records)>> {
        let dir = generation_dir.join(CHECKPOINT_DIR);
        let path = dir.join(META_FILE);
        let meta: Meta = match fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|source| IndexError::Json { path, source })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(IndexError::Io { path, source }),
        };
        if meta.format != FORMAT {
            return Ok(None);
        }
        let parts = (0..meta.parts)
            .into_par_iter()
            .map(|n| Part::read(&part_dir(&dir, n)))
            .collect::<Result<Vec<_>>>()?;
        let mut checkpoint = Checkpoint {
            segments: meta.segments,
            pages: Vec::new(),
            links: Vec::new(),
        };
        let mut records = Vec::with_capacity(parts.len());
        for (pages, links, part_records) in parts {
            checkpoint.pages.extend(pages);
            checkpoint.links.extend(links);
            records.push(part_records);
        }
        Ok(Some((checkpoint, records)))
    }

    /// Each page's latest replayed fetch, by URL, over `log` (which holds the checkpoint's
    /// records).
    pub fn last_visits<'a>(&self, log: &'a Log) -> Result<HashMap<&'a str, Micros>> {
        self.pages
            .iter()
            .map(|p| {
                let latest = page_record(log, p.latest)?;
                Ok((latest.url.as_str(), latest.fetched_at))
            })
            .collect()
    }

    /// The replay of every page where it stopped, over `log` (which holds the checkpoint's
    /// records), in the checkpoint's order (by URL).
    pub fn replays<'a>(&self, log: &'a Log) -> Result<Vec<Replay<'a>>> {
        let mut starts = Vec::with_capacity(self.pages.len());
        let mut next = 0usize;
        for page in &self.pages {
            starts.push(next);
            next += page.links as usize;
        }
        if next != self.links.len() {
            return Err(IndexError::Invalid(format!(
                "replay checkpoint: its pages name {next} links, it holds {}",
                self.links.len()
            )));
        }
        self.pages
            .par_iter()
            .zip(starts)
            .map(|(page, start)| {
                let states = &self.links[start..start + page.links as usize];
                Ok(Replay::resume(history(log, page, states)?))
            })
            .collect()
    }
}

fn history<'a>(log: &'a Log, page: &PageState, links: &[LinkState]) -> Result<PageHistory<'a>> {
    let latest = page_record(log, page.latest)?;
    let links = links
        .iter()
        .map(|s| {
            Ok(LinkHistory {
                link: link_record(log, s.fetch_id, s.ordinal)?,
                seen_in: page_record(log, s.seen_in)?,
                first_seen_link: s.first_seen_link,
                live_since: s.live_since,
                last_live: s.last_live,
                prev_live: s.prev_live,
                live: s.live,
                lost_at: s.lost_at,
                lost_reason: s.lost_reason,
                discovered: s.discovered,
                drop_reason: None,
                copies: 1,
                occurrence: s.occurrence,
                ever_lost: s.ever_lost,
            })
        })
        .collect::<Result<_>>()?;
    Ok(PageHistory {
        url: &latest.url,
        latest,
        content: page_record(log, page.content)?,
        had_content: page.had_content,
        was_canonical: page.was_canonical,
        first_seen: page.first_seen,
        last_visited: latest.fetched_at,
        prev_visited: page.prev_visited,
        links,
        site_language: None,
    })
}

fn page_record(log: &Log, fetch_id: u64) -> Result<&PageRecord> {
    log.page(fetch_id).ok_or_else(|| {
        IndexError::Invalid(format!(
            "replay checkpoint: fetch {fetch_id} is not among its records"
        ))
    })
}

fn link_record(log: &Log, fetch_id: u64, ordinal: u32) -> Result<&LinkRecord> {
    log.link(fetch_id, ordinal).ok_or_else(|| {
        IndexError::Invalid(format!(
            "replay checkpoint: link {ordinal} of fetch {fetch_id} is not among its records"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchorage_core::record::LinkElement;

    fn fetch(fetch_id: u64, page: u64, fetched_at: Micros) -> PageRecord {
        PageRecord {
            fetch_id,
            url: format!("http://a.com/{page}"),
            fetched_at,
            http_code: 200,
            is_html: true,
            ..Default::default()
        }
    }

    #[test]
    fn a_checkpoint_in_many_parts_resumes_every_page() {
        let mut fetches: Vec<PageRecord> = (0..6).map(|p| fetch(p + 1, p, 10)).collect();
        fetches.push(fetch(100, 0, 20));
        let mut links: Vec<LinkRecord> = (0..6u64)
            .flat_map(|p| {
                (0..p as u32).map(move |o| {
                    let to = format!("http://x{}.com/", o % 2);
                    LinkRecord::new(p + 1, o, to, LinkElement::Anchor)
                })
            })
            .collect();
        // Page 0's second fetch links elsewhere: its first link is lost, seen in fetch 1.
        links.insert(
            0,
            LinkRecord::new(1, 0, "http://y.com/".into(), LinkElement::Anchor),
        );
        links.push(LinkRecord::new(
            100,
            0,
            "http://z.com/".into(),
            LinkElement::Anchor,
        ));
        let segments = vec!["s1".to_string()];
        let log = Log::merge(vec![(fetches, links)], segments.clone(), Vec::new());
        let histories = log.histories();
        let live = ReplayedLiveness::of(&histories);
        let tmp = tempfile::tempdir().unwrap();
        write_parts(tmp.path(), &histories, &live, &log, 3).unwrap();
        let parts = fs::read_dir(tmp.path().join(CHECKPOINT_DIR))
            .unwrap()
            .count()
            - 1;
        assert!(parts > 2, "{parts} parts");

        let (checkpoint, records) = Checkpoint::read(tmp.path()).unwrap().unwrap();
        assert_eq!(checkpoint.segments, segments);
        let resumed: Vec<u64> = records
            .iter()
            .flat_map(|r| &r.0)
            .map(|p| p.fetch_id)
            .collect();
        let from_checkpoint = Log::merge(records, segments, resumed);
        let again: Vec<PageHistory<'_>> = checkpoint
            .replays(&from_checkpoint)
            .unwrap()
            .into_iter()
            .filter_map(Replay::finish)
            .collect();
        assert_eq!(format!("{again:?}"), format!("{histories:?}"));
    }
}
