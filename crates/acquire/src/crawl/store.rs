//! The crawl's durable state: one redb file (`STATE_DIR/frontier.redb`), changed only in
//! ACID write transactions that are fsynced at commit.
//!
//! | table | key → value | holds |
//! |---|---|---|
//! | `meta` | name → bytes | the store id, batch and queue counters, the seeds |
//! | `urls` | URL → [`UrlMeta`] | every URL ever queued: the seen set, states, recrawl schedule |
//! | `queue` | sequence → URL | URLs waiting to be fetched: the frontier |
//! | `robots` | origin → [`RobotsRecord`] | the robots.txt cache |
//! | `hosts` | host → [`HostMeta`] | backoff after 429/503 |
//! | `journal` | (batch, n) → [`JournalEntry`] | fetched responses not yet committed to the sink |
//!
//! Values are postcard-encoded.

use super::error::CrawlError;
use super::robots::RobotsRecord;
use super::schedule::{Visit, next_visit, retry_failed};
use super::sink::{CrawledPage, FetchPurpose};
use anchorage_core::record::{FetchError, FetchRecord, SourceKind};
use anchorage_core::time::Micros;
use redb::{Database, ReadableDatabase, ReadableTable, Table, TableDefinition, WriteTransaction};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Duration;

const META: TableDefinition<&str, &[u8]> = TableDefinition::new("meta");
const URLS: TableDefinition<&str, &[u8]> = TableDefinition::new("urls");
const QUEUE: TableDefinition<u64, &str> = TableDefinition::new("queue");
const ROBOTS: TableDefinition<&str, &[u8]> = TableDefinition::new("robots");
const HOSTS: TableDefinition<&str, &[u8]> = TableDefinition::new("hosts");
const JOURNAL: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("journal");

const FILE: &str = "frontier.redb";

/// Where a URL stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum UrlState {
    Queued,
    Fetched,
    Failed,
    Disallowed,
}

/// What the store knows about one URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct UrlMeta {
    pub state: UrlState,
    /// [`FetchPurpose::code`] of the job (page, check or sitemap).
    pub purpose: u8,
    pub depth: u32,
    pub quality: u8,
    /// Redirect hops from the start of the chain that led here.
    pub hops: u8,
    /// The queue key while queued.
    pub seq: u64,
    pub discovered_at: Micros,
    /// Last attempt (fetch, failure or robots refusal); 0 before the first.
    pub fetched_at: Micros,
    pub status: u16,
    /// Payload digest of the last fetch, to tell changed content.
    pub digest: String,
    /// The last fetch's content differed from the one before.
    pub changed: bool,
    pub outlinks: u32,
    pub fetches: u32,
    pub error: Option<String>,
}

impl UrlMeta {
    pub(crate) fn queued(
        purpose: FetchPurpose,
        depth: u32,
        quality: u8,
        hops: u8,
        seq: u64,
        at: Micros,
    ) -> UrlMeta {
        UrlMeta {
            state: UrlState::Queued,
            purpose: purpose.code(),
            depth,
            quality,
            hops,
            seq,
            discovered_at: at,
            fetched_at: 0,
            status: 0,
            digest: String::new(),
            changed: false,
            outlinks: 0,
            fetches: 0,
            error: None,
        }
    }

    pub(crate) fn purpose(&self) -> FetchPurpose {
        FetchPurpose::from_code(self.purpose)
    }
}

/// When a URL that is not queued is next visited (see [`super::schedule`]): the interval is
/// applied at recrawl time, so a changed `--recrawl-interval` takes effect at once.
pub(crate) fn due_at(meta: &UrlMeta, interval: Duration) -> Micros {
    let wait = match meta.state {
        UrlState::Fetched => next_visit(
            interval,
            Visit {
                is_page: meta.purpose() == FetchPurpose::Page,
                status: meta.status,
                changed: meta.changed,
                links: u64::from(meta.outlinks),
            },
        ),
        UrlState::Failed => retry_failed(interval),
        UrlState::Disallowed | UrlState::Queued => interval,
    };
    meta.fetched_at
        .saturating_add(i64::try_from(wait.as_micros()).unwrap_or(i64::MAX))
}

/// Backoff of one host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub(crate) struct HostMeta {
    pub backoff_until: Micros,
}

/// A fetched response waiting for the sink's commit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct JournalEntry {
    pub url: String,
    pub fetched_at: Micros,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub truncated: bool,
    pub ip: Option<String>,
    pub record_id: String,
    pub js_rendered: bool,
    pub rendered: Option<Vec<u8>>,
    pub purpose: u8,
    pub depth: u32,
    pub error: Option<FetchError>,
}

impl JournalEntry {
    pub(crate) fn of(page: &CrawledPage) -> JournalEntry {
        let f = &page.fetch;
        JournalEntry {
            url: f.url.clone(),
            fetched_at: f.fetched_at,
            status: f.status,
            headers: f.headers.clone(),
            body: f.body.clone(),
            truncated: f.truncated,
            ip: f.ip.clone(),
            record_id: f.record_id.clone(),
            js_rendered: f.js_rendered,
            rendered: page.rendered.clone(),
            purpose: page.purpose.code(),
            depth: page.depth,
            error: f.error,
        }
    }

    pub(crate) fn into_page(self) -> CrawledPage {
        CrawledPage {
            fetch: FetchRecord {
                url: self.url,
                fetched_at: self.fetched_at,
                status: self.status,
                headers: self.headers,
                body: self.body,
                truncated: self.truncated,
                ip: self.ip,
                record_id: self.record_id,
                source: SourceKind::Crawl,
                js_rendered: self.js_rendered,
                error: self.error,
            },
            rendered: self.rendered,
            purpose: FetchPurpose::from_code(self.purpose),
            depth: self.depth,
        }
    }
}

/// The open store.
pub(crate) struct Store {
    db: Database,
    path: PathBuf,
}

/// The tables of one write transaction.
pub(crate) struct Tables<'t> {
    path: &'t Path,
    meta: Table<'t, &'static str, &'static [u8]>,
    urls: Table<'t, &'static str, &'static [u8]>,
    queue: Table<'t, u64, &'static str>,
    robots: Table<'t, &'static str, &'static [u8]>,
    hosts: Table<'t, &'static str, &'static [u8]>,
    journal: Table<'t, (u64, u64), &'static [u8]>,
}

impl Store {
    /// Opens (creating) the store in `dir`.
    pub(crate) fn open(dir: &Path) -> Result<Store, CrawlError> {
        std::fs::create_dir_all(dir).map_err(|source| CrawlError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(FILE);
        let db = Database::create(&path).map_err(db_err(&path))?;
        let store = Store { db, path };
        // Create every table so that read transactions always find them.
        store.write(|_| Ok(()))?;
        Ok(store)
    }

    /// Runs `f` in one write transaction and commits it (durably) when `f` succeeds.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&mut Tables<'_>) -> Result<T, CrawlError>,
    ) -> Result<T, CrawlError> {
        let txn = self.db.begin_write().map_err(db_err(&self.path))?;
        let out = {
            let mut tables = open_tables(&txn, &self.path)?;
            f(&mut tables)?
        };
        txn.commit().map_err(db_err(&self.path))?;
        Ok(out)
    }

    /// Every entry of a table, decoded.
    fn scan<V: DeserializeOwned>(
        &self,
        table: TableDefinition<&str, &[u8]>,
        name: &'static str,
        mut keep: impl FnMut(&str, &V) -> bool,
    ) -> Result<Vec<(String, V)>, CrawlError> {
        let txn = self.db.begin_read().map_err(db_err(&self.path))?;
        let t = txn.open_table(table).map_err(db_err(&self.path))?;
        let mut out = Vec::new();
        for item in t.iter().map_err(db_err(&self.path))? {
            let (k, v) = item.map_err(db_err(&self.path))?;
            let value: V = decode(v.value(), name)?;
            if keep(k.value(), &value) {
                out.push((k.value().to_string(), value));
            }
        }
        Ok(out)
    }

    /// The queue, in sequence order, with each URL's state.
    pub(crate) fn queued(&self) -> Result<Vec<(String, UrlMeta)>, CrawlError> {
        let txn = self.db.begin_read().map_err(db_err(&self.path))?;
        let queue = txn.open_table(QUEUE).map_err(db_err(&self.path))?;
        let urls = txn.open_table(URLS).map_err(db_err(&self.path))?;
        let mut out = Vec::new();
        for item in queue.iter().map_err(db_err(&self.path))? {
            let (seq, url) = item.map_err(db_err(&self.path))?;
            let url = url.value().to_string();
            if let Some(meta) = urls.get(url.as_str()).map_err(db_err(&self.path))? {
                let meta: UrlMeta = decode(meta.value(), "urls")?;
                // An entry left behind when the URL was queued again under another key.
                if meta.seq == seq.value() && meta.state == UrlState::Queued {
                    out.push((url, meta));
                }
            }
        }
        Ok(out)
    }

    /// URLs not queued whose next visit is due by `now` under the recrawl `interval`.
    pub(crate) fn due(
        &self,
        now: Micros,
        interval: Duration,
    ) -> Result<Vec<(String, UrlMeta)>, CrawlError> {
        self.scan(URLS, "urls", |_, m: &UrlMeta| {
            m.state != UrlState::Queued && m.fetched_at > 0 && due_at(m, interval) <= now
        })
    }

    pub(crate) fn robots(&self) -> Result<Vec<(String, RobotsRecord)>, CrawlError> {
        self.scan(ROBOTS, "robots", |_, _| true)
    }

    pub(crate) fn hosts(&self) -> Result<Vec<(String, HostMeta)>, CrawlError> {
        self.scan(HOSTS, "hosts", |_, _| true)
    }

    /// Batches present in the journal, oldest first.
    pub(crate) fn journal_batches(&self) -> Result<Vec<u64>, CrawlError> {
        let txn = self.db.begin_read().map_err(db_err(&self.path))?;
        let t = txn.open_table(JOURNAL).map_err(db_err(&self.path))?;
        let mut batches: Vec<u64> = Vec::new();
        for item in t.iter().map_err(db_err(&self.path))? {
            let (k, _) = item.map_err(db_err(&self.path))?;
            let (batch, _) = k.value();
            if batches.last() != Some(&batch) {
                batches.push(batch);
            }
        }
        Ok(batches)
    }

    pub(crate) fn journal(&self, batch: u64) -> Result<Vec<JournalEntry>, CrawlError> {
        let txn = self.db.begin_read().map_err(db_err(&self.path))?;
        let t = txn.open_table(JOURNAL).map_err(db_err(&self.path))?;
        let mut out = Vec::new();
        for item in t
            .range((batch, 0)..=(batch, u64::MAX))
            .map_err(db_err(&self.path))?
        {
            let (_, v) = item.map_err(db_err(&self.path))?;
            out.push(decode(v.value(), "journal")?);
        }
        Ok(out)
    }

    pub(crate) fn meta_u64(&self, name: &str) -> Result<Option<u64>, CrawlError> {
        Ok(self
            .meta_bytes(name)?
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes))
    }

    pub(crate) fn meta_bytes(&self, name: &str) -> Result<Option<Vec<u8>>, CrawlError> {
        let txn = self.db.begin_read().map_err(db_err(&self.path))?;
        let t = txn.open_table(META).map_err(db_err(&self.path))?;
        Ok(t.get(name)
            .map_err(db_err(&self.path))?
            .map(|v| v.value().to_vec()))
    }
}

fn open_tables<'t>(txn: &'t WriteTransaction, path: &'t Path) -> Result<Tables<'t>, CrawlError> {
    Ok(Tables {
        path,
        meta: txn.open_table(META).map_err(db_err(path))?,
        urls: txn.open_table(URLS).map_err(db_err(path))?,
        queue: txn.open_table(QUEUE).map_err(db_err(path))?,
        robots: txn.open_table(ROBOTS).map_err(db_err(path))?,
        hosts: txn.open_table(HOSTS).map_err(db_err(path))?,
        journal: txn.open_table(JOURNAL).map_err(db_err(path))?,
    })
}

impl Tables<'_> {
    pub(crate) fn url(&self, url: &str) -> Result<Option<UrlMeta>, CrawlError> {
        match self.urls.get(url).map_err(db_err(self.path))? {
            Some(v) => Ok(Some(decode(v.value(), "urls")?)),
            None => Ok(None),
        }
    }

    pub(crate) fn put_url(&mut self, url: &str, meta: &UrlMeta) -> Result<(), CrawlError> {
        let bytes = encode(meta);
        self.urls
            .insert(url, bytes.as_slice())
            .map_err(db_err(self.path))?;
        Ok(())
    }

    pub(crate) fn enqueue(&mut self, seq: u64, url: &str) -> Result<(), CrawlError> {
        self.queue.insert(seq, url).map_err(db_err(self.path))?;
        Ok(())
    }

    pub(crate) fn dequeue(&mut self, seq: u64) -> Result<(), CrawlError> {
        self.queue.remove(seq).map_err(db_err(self.path))?;
        Ok(())
    }

    pub(crate) fn put_robots(
        &mut self,
        origin: &str,
        record: &RobotsRecord,
    ) -> Result<(), CrawlError> {
        let bytes = encode(record);
        self.robots
            .insert(origin, bytes.as_slice())
            .map_err(db_err(self.path))?;
        Ok(())
    }

    pub(crate) fn put_host(&mut self, host: &str, meta: &HostMeta) -> Result<(), CrawlError> {
        let bytes = encode(meta);
        self.hosts
            .insert(host, bytes.as_slice())
            .map_err(db_err(self.path))?;
        Ok(())
    }

    pub(crate) fn journal(
        &mut self,
        batch: u64,
        n: u64,
        entry: &JournalEntry,
    ) -> Result<(), CrawlError> {
        let bytes = encode(entry);
        self.journal
            .insert((batch, n), bytes.as_slice())
            .map_err(db_err(self.path))?;
        Ok(())
    }

    pub(crate) fn drop_journal(&mut self, batch: u64) -> Result<(), CrawlError> {
        let keys: Vec<(u64, u64)> = self
            .journal
            .range((batch, 0)..=(batch, u64::MAX))
            .map_err(db_err(self.path))?
            .map(|item| item.map(|(k, _)| k.value()))
            .collect::<Result<_, _>>()
            .map_err(db_err(self.path))?;
        for key in keys {
            self.journal.remove(key).map_err(db_err(self.path))?;
        }
        Ok(())
    }

    pub(crate) fn set_meta(&mut self, name: &str, value: &[u8]) -> Result<(), CrawlError> {
        self.meta.insert(name, value).map_err(db_err(self.path))?;
        Ok(())
    }

    pub(crate) fn set_meta_u64(&mut self, name: &str, value: u64) -> Result<(), CrawlError> {
        self.set_meta(name, &value.to_le_bytes())
    }
}

fn encode<T: Serialize>(value: &T) -> Vec<u8> {
    // Encoding plain structs into a Vec cannot fail (no I/O, no unsupported types).
    postcard::to_stdvec(value).unwrap_or_default()
}

fn decode<T: DeserializeOwned>(bytes: &[u8], table: &'static str) -> Result<T, CrawlError> {
    postcard::from_bytes(bytes).map_err(|source| CrawlError::Decode { table, source })
}

fn db_err<E: Into<redb::Error>>(path: &Path) -> impl Fn(E) -> CrawlError + '_ {
    move |e| CrawlError::Store {
        path: path.to_path_buf(),
        source: e.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_reopening_and_keeps_order() {
        let tmp = tempfile::tempdir().unwrap();
        {
            let store = Store::open(tmp.path()).unwrap();
            store
                .write(|t| {
                    for (seq, url) in [(5u64, "http://a.test/5"), (2, "http://a.test/2")] {
                        // A stale entry: the URL's meta says another key.
                        t.enqueue(seq + 100, url)?;
                        t.put_url(url, &UrlMeta::queued(FetchPurpose::Page, 1, 9, 0, seq, 7))?;
                        t.enqueue(seq, url)?;
                    }
                    t.set_meta_u64("next_seq", 6)?;
                    t.journal(3, 0, &JournalEntry::of(&page("http://a.test/j")))?;
                    t.journal(4, 0, &JournalEntry::of(&page("http://a.test/k")))?;
                    Ok(())
                })
                .unwrap();
        }
        let store = Store::open(tmp.path()).unwrap();
        let queued = store.queued().unwrap();
        assert_eq!(
            queued.iter().map(|(u, _)| u.as_str()).collect::<Vec<_>>(),
            ["http://a.test/2", "http://a.test/5"]
        );
        assert_eq!(queued[0].1.quality, 9);
        assert_eq!(store.meta_u64("next_seq").unwrap(), Some(6));
        assert_eq!(store.journal_batches().unwrap(), vec![3, 4]);
        let entries = store.journal(3).unwrap();
        assert_eq!(entries[0].clone().into_page().fetch.url, "http://a.test/j");
        store.write(|t| t.drop_journal(3)).unwrap();
        assert_eq!(store.journal_batches().unwrap(), vec![4]);
    }

    #[test]
    fn due_urls() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::open(tmp.path()).unwrap();
        let day = 86_400_000_000i64;
        store
            .write(|t| {
                let mut m = UrlMeta::queued(FetchPurpose::Page, 0, 0, 0, 1, 0);
                m.state = UrlState::Fetched;
                m.status = 200;
                m.fetched_at = day;
                t.put_url("http://a.test/old", &m)?;
                m.fetched_at = 5 * day;
                t.put_url("http://a.test/recent", &m)?;
                m.changed = true;
                t.put_url("http://a.test/changed", &m)?;
                m.state = UrlState::Queued;
                t.put_url("http://a.test/queued", &m)?;
                Ok(())
            })
            .unwrap();
        let week = Duration::from_secs(7 * 86_400);
        let due = |now: i64| -> Vec<String> {
            let mut v: Vec<String> = store
                .due(now, week)
                .unwrap()
                .into_iter()
                .map(|(u, _)| u)
                .collect();
            v.sort();
            v
        };
        // Changed content: due after a quarter of the interval (5 + 1.75 days).
        assert!(due(6 * day + 3 * day / 4 - 1).is_empty());
        assert_eq!(due(6 * day + 3 * day / 4), ["http://a.test/changed"]);
        assert_eq!(due(8 * day), ["http://a.test/changed", "http://a.test/old"]);
        assert_eq!(due(12 * day).len(), 3, "queued URLs are never due");
    }

    fn page(url: &str) -> CrawledPage {
        CrawledPage {
            fetch: FetchRecord {
                url: url.into(),
                status: 200,
                body: b"<a href=x>x</a>".to_vec(),
                source: SourceKind::Crawl,
                ..FetchRecord::default()
            },
            rendered: None,
            purpose: FetchPurpose::Page,
            depth: 2,
        }
    }
}
