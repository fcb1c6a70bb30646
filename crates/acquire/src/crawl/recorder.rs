//! The recorder thread: the only writer of the store and the only caller of the sink.
//!
//! **Durability protocol.** Outcomes arrive in batches (whatever is waiting). For a batch:
//! (1) responses are written to the WARC (if any) and given to the sink, which buffers their
//! records and returns the URLs they link to; (2) one store transaction journals the
//! responses under the current *batch number*, marks their URLs fetched, removes them from
//! the queue and inserts the newly discovered URLs into the seen set and the queue; (3) the
//! engine is told, and only then frees the requests' host slots. Every `commit.pages` pages
//! or `commit.interval`, the sink commits everything buffered together with the marker
//! `crawl:<store id>:<batch>` (the fetch log writes it into the segment's metadata), then a
//! transaction drops that batch from the journal and moves to the next batch number.
//!
//! After a crash: a journaled batch whose marker the sink has is dropped; one it does not
//! have is given to the sink again and committed. So every response whose URL the store
//! calls fetched reaches the log exactly once, nothing discovered is lost, and the only URLs
//! requested again are those whose requests were in flight (at most `concurrency` of them,
//! `per_host` per host): their answers were never made durable.

use super::archive::WarcOut;
use super::config::CrawlConfig;
use super::error::CrawlError;
use super::frontier::Job;
use super::robots::RobotsRecord;
use super::scope::{ScopeRules, origin};
use super::sink::{Accepted, CrawlSink, CrawledPage, Discovered, FetchPurpose, LinkKind};
use super::stats::ErrorKind;
use super::store::{HostMeta, JournalEntry, Store, Tables, UrlMeta, UrlState};
use super::task::redirect_target;
use crate::digest::{new_record_id, sha1_base32};
use anchorage_core::NormalizedUrl;
use anchorage_core::record::{FetchError, FetchRecord, SourceKind};
use anchorage_core::time::{Micros, now};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Instant;
use tokio::sync::mpsc::UnboundedSender;

/// Messages taken in one batch at most.
const MAX_BATCH: usize = 512;
/// Quality of seeds: ahead of every discovered URL of the same depth.
const SEED_QUALITY: u8 = 255;

/// An outcome to make durable.
#[derive(Debug)]
pub(crate) enum RecordMsg {
    /// A response of a page, check or sitemap job; `slot` is the host whose slot it holds.
    Response {
        slot: usize,
        job: Job,
        page: Box<CrawledPage>,
        extra: Vec<Discovered>,
    },
    Robots {
        slot: usize,
        origin: String,
        record: RobotsRecord,
        captures: Vec<CrawledPage>,
        sitemaps: Vec<String>,
    },
    Failed {
        slot: Option<usize>,
        job: Job,
        kind: ErrorKind,
    },
    Disallowed {
        job: Job,
    },
    Backoff {
        host: String,
        until: Micros,
    },
    Shutdown,
}

/// What the engine learns when a batch is durable.
#[derive(Debug, Default)]
pub(crate) struct Ack {
    pub messages: usize,
    /// One entry per freed request slot.
    pub released: Vec<usize>,
    pub new_jobs: Vec<Job>,
    pub links: u64,
    pub errors: Vec<ErrorKind>,
}

/// The parent of discovered URLs.
#[derive(Debug, Clone, Copy)]
struct Parent {
    depth: u32,
    hops: u8,
    purpose: FetchPurpose,
    quality: u8,
}

/// A discovered URL's priority within its depth. A link on a page: the mean of the link's own
/// quality (where it sits, nofollow) and its page's, so what well-placed links lead to is
/// explored first; a redirect keeps its page's. Other discoveries (sitemaps) keep their own.
fn job_quality(parent: Parent, d: &Discovered) -> u8 {
    match parent.purpose {
        FetchPurpose::Page if d.kind.is_redirect() => parent.quality,
        FetchPurpose::Page => ((u16::from(parent.quality) + u16::from(d.quality)) / 2) as u8,
        _ => d.quality,
    }
}

/// Counters and positions that live across batches.
struct State {
    config: Arc<CrawlConfig>,
    scope: ScopeRules,
    store_id: String,
    batch: u64,
    journal_n: u64,
    next_seq: u64,
    batch_pages: u64,
    batch_started: Instant,
}

pub(crate) struct Recorder {
    store: Store,
    sink: Box<dyn CrawlSink>,
    warc: Option<WarcOut>,
    state: State,
}

impl Recorder {
    pub(crate) fn open(
        config: Arc<CrawlConfig>,
        scope: ScopeRules,
        sink: Box<dyn CrawlSink>,
    ) -> Result<Recorder, CrawlError> {
        let store = Store::open(&config.state_dir)?;
        let store_id = match store.meta_bytes("store_id")? {
            Some(id) => String::from_utf8_lossy(&id).into_owned(),
            None => {
                let id = new_record_id()
                    .trim_start_matches("<urn:uuid:")
                    .trim_end_matches('>')
                    .to_string();
                store.write(|t| t.set_meta("store_id", id.as_bytes()))?;
                id
            }
        };
        let warc = config.warc_dir.clone().map(WarcOut::new).transpose()?;
        let state = State {
            batch: store.meta_u64("next_batch")?.unwrap_or(1),
            next_seq: store.meta_u64("next_seq")?.unwrap_or(1),
            journal_n: 0,
            batch_pages: 0,
            batch_started: Instant::now(),
            store_id,
            scope,
            config,
        };
        Ok(Recorder {
            store,
            sink,
            warc,
            state,
        })
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Commits journaled batches left by a crash; returns the responses recovered.
    pub(crate) fn recover(&mut self) -> Result<u64, CrawlError> {
        let mut recovered = 0;
        for batch in self.store.journal_batches()? {
            let marker = self.state.marker(batch);
            if !self.sink.is_committed(&marker).map_err(CrawlError::Sink)? {
                let pages: Vec<CrawledPage> = self
                    .store
                    .journal(batch)?
                    .into_iter()
                    .map(JournalEntry::into_page)
                    .collect();
                recovered += pages.len() as u64;
                // Their links were queued when they were journaled.
                self.sink.accept(&pages).map_err(CrawlError::Sink)?;
                self.sink.commit(&marker).map_err(CrawlError::Sink)?;
                tracing::info!(batch, pages = pages.len(), "journal recovered into the log");
            }
            let next = batch.max(self.state.batch) + 1;
            self.store.write(|t| {
                t.drop_journal(batch)?;
                t.set_meta_u64("next_batch", next)
            })?;
            self.state.batch = next;
        }
        Ok(recovered)
    }

    /// Queues the seeds not yet known; returns their jobs.
    pub(crate) fn seed(&mut self, seeds: &[NormalizedUrl]) -> Result<Vec<Job>, CrawlError> {
        let now = now();
        let state = &mut self.state;
        let mut ack = Ack::default();
        self.store.write(|t| {
            for seed in seeds {
                let page = FetchPurpose::Page;
                state.queue(t, seed, page, 0, 0, SEED_QUALITY, now, &mut ack)?;
            }
            t.set_meta_u64("next_seq", state.next_seq)
        })?;
        Ok(ack.new_jobs)
    }

    /// The queue as left by earlier runs, plus (for `--recrawl`) every known URL now due.
    pub(crate) fn pending_jobs(&mut self, recrawl: bool) -> Result<Vec<Job>, CrawlError> {
        let mut jobs: Vec<Job> = self
            .store
            .queued()?
            .iter()
            .filter_map(|(url, meta)| job_of(url, meta))
            .collect();
        if recrawl {
            let due = self.store.due(now(), self.state.config.recrawl_interval)?;
            let state = &mut self.state;
            self.store.write(|t| {
                for (url, mut meta) in due {
                    meta.state = UrlState::Queued;
                    meta.seq = state.take_seq();
                    meta.hops = 0;
                    t.put_url(&url, &meta)?;
                    t.enqueue(meta.seq, &url)?;
                    jobs.extend(job_of(&url, &meta));
                }
                t.set_meta_u64("next_seq", state.next_seq)
            })?;
        }
        Ok(jobs)
    }

    /// The thread's loop: batches until `Shutdown` (or the engine is gone), then a last
    /// commit. An error stops the thread (the engine sees its channel close).
    pub(crate) fn run(
        mut self,
        rx: Receiver<RecordMsg>,
        acks: UnboundedSender<Ack>,
    ) -> Result<(), CrawlError> {
        let result = self.run_batches(&rx, &acks);
        let end = self.commit().and_then(|()| match &mut self.warc {
            Some(w) => w.finish(),
            None => Ok(()),
        });
        result.and(end)
    }

    fn run_batches(
        &mut self,
        rx: &Receiver<RecordMsg>,
        acks: &UnboundedSender<Ack>,
    ) -> Result<(), CrawlError> {
        loop {
            let first = match rx.recv_timeout(self.state.config.commit.interval) {
                Ok(m) => m,
                Err(RecvTimeoutError::Timeout) => {
                    self.commit_if_due()?;
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return Ok(()),
            };
            let mut msgs = Vec::new();
            let mut shutdown = matches!(first, RecordMsg::Shutdown);
            if !shutdown {
                msgs.push(first);
            }
            while !shutdown && msgs.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(RecordMsg::Shutdown) => shutdown = true,
                    Ok(m) => msgs.push(m),
                    Err(_) => break,
                }
            }
            if !msgs.is_empty() {
                let ack = self.process(msgs)?;
                // The engine may be gone (it stops on an error); the commit still happens.
                let _ = acks.send(ack);
            }
            self.commit_if_due()?;
            if shutdown {
                return Ok(());
            }
        }
    }

    fn process(&mut self, msgs: Vec<RecordMsg>) -> Result<Ack, CrawlError> {
        let mut ack = Ack {
            messages: msgs.len(),
            ..Ack::default()
        };
        let mut pages: Vec<CrawledPage> = Vec::new();
        let mut owners: Vec<Option<(Job, Vec<Discovered>)>> = Vec::new();
        let mut rest: Vec<RecordMsg> = Vec::new();
        for msg in msgs {
            match msg {
                RecordMsg::Response {
                    slot,
                    job,
                    page,
                    extra,
                } => {
                    ack.released.push(slot);
                    if let Some(target) = self.state.beyond_redirect_limit(&job, &page) {
                        ack.errors.push(ErrorKind::RedirectLimit);
                        pages.push(failure_page(&target, &job, FetchError::Redirects));
                        owners.push(None);
                    }
                    pages.push(*page);
                    owners.push(Some((job, extra)));
                }
                RecordMsg::Robots {
                    slot,
                    origin,
                    record,
                    captures,
                    sitemaps,
                } => {
                    ack.released.push(slot);
                    owners.extend(captures.iter().map(|_| None));
                    pages.extend(captures);
                    rest.push(RecordMsg::Robots {
                        slot,
                        origin,
                        record,
                        captures: Vec::new(),
                        sitemaps,
                    });
                }
                RecordMsg::Failed { slot, job, kind } => {
                    ack.released.extend(slot);
                    if let Some(error) = kind.fetch_error() {
                        pages.push(failure_page(&job.url, &job, error));
                        owners.push(None);
                    }
                    rest.push(RecordMsg::Failed { slot, job, kind });
                }
                RecordMsg::Disallowed { job } => {
                    pages.push(failure_page(&job.url, &job, FetchError::Disallowed));
                    owners.push(None);
                    rest.push(RecordMsg::Disallowed { job });
                }
                other => rest.push(other),
            }
        }
        if let Some(warc) = &mut self.warc {
            for page in &mut pages {
                warc.write(page)?;
            }
        }
        let accepted = if pages.is_empty() {
            Vec::new()
        } else {
            self.sink.accept(&pages).map_err(CrawlError::Sink)?
        };
        let state = &mut self.state;
        self.store.write(|t| {
            state.journal(t, &pages)?;
            let mut accepted = accepted.into_iter();
            for (page, owner) in pages.iter().zip(owners) {
                let acc = accepted.next().unwrap_or_default();
                ack.links += acc.links;
                if let Some((job, extra)) = owner {
                    state.settle_response(t, &job, page, &acc, &extra, &mut ack)?;
                }
            }
            for msg in rest {
                state.settle(t, msg, &mut ack)?;
            }
            t.set_meta_u64("next_seq", state.next_seq)
        })?;
        Ok(ack)
    }

    fn commit_if_due(&mut self) -> Result<(), CrawlError> {
        let s = &self.state;
        let due = s.batch_pages >= s.config.commit.pages
            || (s.batch_pages > 0 && s.batch_started.elapsed() >= s.config.commit.interval);
        if due { self.commit() } else { Ok(()) }
    }

    /// Commits the current batch to the sink and drops it from the journal.
    fn commit(&mut self) -> Result<(), CrawlError> {
        if self.state.batch_pages == 0 {
            return Ok(());
        }
        let batch = self.state.batch;
        self.sink
            .commit(&self.state.marker(batch))
            .map_err(CrawlError::Sink)?;
        self.store.write(|t| {
            t.drop_journal(batch)?;
            t.set_meta_u64("next_batch", batch + 1)
        })?;
        tracing::debug!(batch, pages = self.state.batch_pages, "batch committed");
        self.state.batch = batch + 1;
        self.state.journal_n = 0;
        self.state.batch_pages = 0;
        self.state.batch_started = Instant::now();
        Ok(())
    }
}

impl State {
    /// The target of a 3xx answer that would be one hop too many.
    fn beyond_redirect_limit(&self, job: &Job, page: &CrawledPage) -> Option<String> {
        if job.hops < self.config.limits.max_redirects {
            return None;
        }
        redirect_target(&page.fetch.url, page.fetch.status, &page.fetch.headers)
    }

    fn marker(&self, batch: u64) -> String {
        format!("crawl:{}:{batch}", self.store_id)
    }

    fn take_seq(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    fn journal(&mut self, t: &mut Tables<'_>, pages: &[CrawledPage]) -> Result<(), CrawlError> {
        for page in pages {
            t.journal(self.batch, self.journal_n, &JournalEntry::of(page))?;
            self.journal_n += 1;
        }
        if self.batch_pages == 0 && !pages.is_empty() {
            self.batch_started = Instant::now();
        }
        self.batch_pages += pages.len() as u64;
        Ok(())
    }

    /// A response of a job: its URL's new state, and what it links to.
    fn settle_response(
        &mut self,
        t: &mut Tables<'_>,
        job: &Job,
        page: &CrawledPage,
        acc: &Accepted,
        extra: &[Discovered],
        ack: &mut Ack,
    ) -> Result<(), CrawlError> {
        t.dequeue(job.seq)?;
        let now = now();
        let mut meta = t.url(&job.url)?.unwrap_or_else(|| {
            UrlMeta::queued(job.purpose, job.depth, job.quality, job.hops, job.seq, now)
        });
        // Queued again under another key meanwhile (a check became a page): that job decides.
        if !(meta.state == UrlState::Queued && meta.seq != job.seq) {
            let digest = sha1_base32(&[&page.fetch.body]);
            meta.changed = meta.fetches > 0 && meta.digest != digest;
            meta.digest = digest;
            meta.state = UrlState::Fetched;
            meta.fetched_at = page.fetch.fetched_at;
            meta.status = page.fetch.status;
            meta.fetches += 1;
            meta.outlinks = u32::try_from(acc.links).unwrap_or(u32::MAX);
            meta.error = None;
            t.put_url(&job.url, &meta)?;
        }
        let parent = Parent {
            depth: job.depth,
            hops: job.hops,
            purpose: job.purpose,
            quality: job.quality,
        };
        for d in acc.discovered.iter().chain(extra) {
            self.discover(t, parent, d, now, ack)?;
        }
        Ok(())
    }

    /// Everything but responses.
    fn settle(
        &mut self,
        t: &mut Tables<'_>,
        msg: RecordMsg,
        ack: &mut Ack,
    ) -> Result<(), CrawlError> {
        let now = now();
        match msg {
            RecordMsg::Robots {
                origin,
                record,
                sitemaps,
                ..
            } => {
                t.put_robots(&origin, &record)?;
                let parent = Parent {
                    depth: 0,
                    hops: 0,
                    purpose: FetchPurpose::Robots,
                    // Unused: sitemap URLs keep their own quality (`job_quality`).
                    quality: 0,
                };
                let wanted = self.config.sitemaps;
                for url in sitemaps.into_iter().filter(|_| wanted) {
                    let d = Discovered {
                        url,
                        kind: LinkKind::Sitemap,
                        nofollow: false,
                        quality: 0,
                    };
                    self.discover(t, parent, &d, now, ack)?;
                }
            }
            RecordMsg::Failed { job, kind, .. } => {
                settle_unfetched(t, &job, UrlState::Failed, Some(kind), now)?;
            }
            RecordMsg::Disallowed { job } => {
                settle_unfetched(t, &job, UrlState::Disallowed, None, now)?;
            }
            RecordMsg::Backoff { host, until } => {
                t.put_host(
                    &host,
                    &HostMeta {
                        backoff_until: until,
                    },
                )?;
            }
            RecordMsg::Response { .. } | RecordMsg::Shutdown => {}
        }
        Ok(())
    }

    /// Decides what becomes of a discovered URL (see the module documentation of
    /// [`crate::crawl`] on scope) and queues it when new.
    fn discover(
        &mut self,
        t: &mut Tables<'_>,
        parent: Parent,
        d: &Discovered,
        now: Micros,
        ack: &mut Ack,
    ) -> Result<(), CrawlError> {
        if d.url.len() > self.config.limits.max_url_len {
            return Ok(());
        }
        let Ok(url) = NormalizedUrl::parse(&d.url) else {
            return Ok(());
        };
        let hops = if d.kind.is_redirect() {
            parent.hops.saturating_add(1)
        } else {
            0
        };
        if d.kind.is_redirect() && hops > self.config.limits.max_redirects {
            // Recorded (and counted) with the response that redirects here.
            return Ok(());
        }
        let depth = match (d.kind, parent.purpose) {
            // A sitemap listed in robots.txt stands one link away from the homepage.
            (LinkKind::Sitemap, FetchPurpose::Robots) => 1,
            (kind, _) if kind.keeps_depth() => parent.depth,
            _ => parent.depth + 1,
        };
        let Some(purpose) = self.purpose_of(&url, parent, d, depth) else {
            return Ok(());
        };
        let quality = job_quality(parent, d);
        self.queue(t, &url, purpose, depth, hops, quality, now, ack)
    }

    fn purpose_of(
        &self,
        url: &NormalizedUrl,
        parent: Parent,
        d: &Discovered,
        depth: u32,
    ) -> Option<FetchPurpose> {
        let in_scope = self.scope.contains(url);
        if d.kind == LinkKind::Sitemap {
            let from_robots_or_index =
                matches!(parent.purpose, FetchPurpose::Robots | FetchPurpose::Sitemap);
            return (in_scope && from_robots_or_index).then_some(FetchPurpose::Sitemap);
        }
        let follow = d.kind.followable() && (!d.nofollow || self.config.follow_nofollow);
        let deep_enough = self.config.max_depth.is_none_or(|max| depth <= max);
        if in_scope && follow && deep_enough {
            Some(FetchPurpose::Page)
        } else if self.config.check_targets && d.kind.followable() {
            Some(FetchPurpose::Check)
        } else {
            None
        }
    }

    /// Inserts a URL into the seen set and the queue, unless known (a known target check is
    /// queued again as a page when it turns out to be crawlable).
    #[allow(clippy::too_many_arguments)]
    fn queue(
        &mut self,
        t: &mut Tables<'_>,
        url: &NormalizedUrl,
        purpose: FetchPurpose,
        depth: u32,
        hops: u8,
        quality: u8,
        now: Micros,
        ack: &mut Ack,
    ) -> Result<(), CrawlError> {
        let key = url.as_str();
        let meta = match t.url(key)? {
            None => UrlMeta::queued(purpose, depth, quality, hops, self.take_seq(), now),
            Some(mut known)
                if purpose == FetchPurpose::Page && known.purpose() == FetchPurpose::Check =>
            {
                if known.state == UrlState::Queued {
                    t.dequeue(known.seq)?;
                }
                known.purpose = purpose.code();
                known.state = UrlState::Queued;
                known.seq = self.take_seq();
                known.depth = depth;
                known.quality = quality;
                known.hops = hops;
                known
            }
            Some(_) => return Ok(()),
        };
        t.put_url(key, &meta)?;
        t.enqueue(meta.seq, key)?;
        ack.new_jobs.extend(job_of(key, &meta));
        Ok(())
    }
}

/// The log's record of a URL that got no HTTP answer (status 0, `error` set).
fn failure_page(url: &str, job: &Job, error: FetchError) -> CrawledPage {
    CrawledPage {
        fetch: FetchRecord {
            url: url.to_string(),
            fetched_at: now(),
            record_id: new_record_id(),
            source: SourceKind::Crawl,
            error: Some(error),
            ..FetchRecord::default()
        },
        rendered: None,
        purpose: job.purpose,
        depth: job.depth,
    }
}

/// A URL that was not fetched: failed, or disallowed by robots.txt.
fn settle_unfetched(
    t: &mut Tables<'_>,
    job: &Job,
    state: UrlState,
    error: Option<ErrorKind>,
    at: Micros,
) -> Result<(), CrawlError> {
    t.dequeue(job.seq)?;
    let Some(mut meta) = t.url(&job.url)? else {
        return Ok(());
    };
    if meta.state == UrlState::Queued && meta.seq != job.seq {
        return Ok(());
    }
    meta.state = state;
    meta.error = error.map(|k| k.as_str().to_string());
    meta.fetched_at = at;
    t.put_url(&job.url, &meta)
}

/// The job of a queued URL.
pub(crate) fn job_of(url: &str, meta: &UrlMeta) -> Option<Job> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?.to_string();
    let path = parsed[url::Position::BeforePath..url::Position::AfterQuery].to_string();
    Some(Job {
        url: url.to_string(),
        origin: origin(&parsed),
        path,
        host,
        purpose: meta.purpose(),
        depth: meta.depth,
        quality: meta.quality,
        hops: meta.hops,
        seq: meta.seq,
        attempts: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(kind: LinkKind, quality: u8) -> Discovered {
        Discovered {
            url: "http://example.com/".into(),
            kind,
            nofollow: false,
            quality,
        }
    }

    fn page(quality: u8) -> Parent {
        Parent {
            depth: 1,
            hops: 0,
            purpose: FetchPurpose::Page,
            quality,
        }
    }

    #[test]
    fn links_on_better_pages_go_first() {
        let content = found(LinkKind::Anchor, 192);
        let on_good_page = job_quality(page(255), &content);
        let on_poor_page = job_quality(page(64), &content);
        assert_eq!((on_good_page, on_poor_page), (223, 128));
        // A navigation link on a good page still trails a content link on it.
        assert!(job_quality(page(255), &found(LinkKind::Anchor, 96)) < on_good_page);
        assert_eq!(job_quality(page(90), &found(LinkKind::Redirect, 128)), 90);
        let robots = Parent {
            purpose: FetchPurpose::Robots,
            ..page(SEED_QUALITY)
        };
        assert_eq!(job_quality(robots, &found(LinkKind::Sitemap, 0)), 0);
    }
}
