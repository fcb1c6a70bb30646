//! The in-memory frontier: one queue per host, and the order hosts take turns in.
//!
//! **Priority.** Within a host, jobs go by depth (shallower first), then by quality (higher
//! first: the link's place on its page and its page's own quality, see [`super`]), then by
//! discovery order. Across hosts, every host allowed to send now competes with its best job
//! by the same key, so the crawl is breadth-first over the whole scope as far as politeness
//! allows.
//!
//! **Politeness.** A host has at most `per_host` requests in flight; a slot is freed when the
//! request's outcome is durable in the store, and the next request to the host waits for the
//! host's delay (the configured delay, or the robots.txt `Crawl-delay` when larger and
//! honoured) after that, and after the previous start. A backoff (429/503, transient errors)
//! pushes the host's next start further.
//!
//! The durable copy of the queue is in the store (`queue` table); this is its working set.

use super::robots::Robots;
use super::sink::FetchPurpose;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A URL to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Job {
    pub url: String,
    /// `scheme://host:port`, for robots.txt.
    pub origin: String,
    /// Path and query, for robots.txt rules.
    pub path: String,
    pub host: String,
    pub purpose: FetchPurpose,
    pub depth: u32,
    pub quality: u8,
    /// Redirect hops that led here.
    pub hops: u8,
    /// Queue key in the store.
    pub seq: u64,
    /// Tries so far (429/503, transient errors).
    pub attempts: u8,
}

/// Priority key of a job: depth, inverted quality, discovery order (smallest first).
type JobKey = (u32, u8, u64);

impl Job {
    fn key(&self) -> JobKey {
        (self.depth, 255 - self.quality, self.seq)
    }
}

/// What is known of an origin's robots.txt.
#[derive(Debug, Clone)]
pub(crate) enum OriginRobots {
    Fetching,
    Known(Arc<Robots>),
}

/// One host's queue and politeness state.
#[derive(Debug)]
pub(crate) struct HostSlot {
    pub name: String,
    queue: BTreeMap<JobKey, Job>,
    pub in_flight: u32,
    /// Earliest start of the next request.
    pub next_at: Instant,
    /// 429/503 and transient errors in a row.
    pub streak: u32,
    pub crawl_delay: Option<Duration>,
    pub robots: HashMap<String, OriginRobots>,
    /// Bumped on every reschedule: heap entries with an older version are stale.
    version: u64,
}

impl HostSlot {
    pub(crate) fn first(&self) -> Option<&Job> {
        self.queue.values().next()
    }

    pub(crate) fn pop_first(&mut self) -> Option<Job> {
        self.queue.pop_first().map(|(_, job)| job)
    }

    fn waiting_for_robots(&self) -> bool {
        self.first()
            .is_some_and(|j| matches!(self.robots.get(&j.origin), Some(OriginRobots::Fetching)))
    }
}

/// All hosts, and two heaps: hosts that may send now (by their best job) and hosts waiting
/// for their next start time.
#[derive(Debug)]
pub(crate) struct Frontier {
    hosts: Vec<HostSlot>,
    index: HashMap<String, usize>,
    /// (best job, version, host).
    runnable: BinaryHeap<Reverse<(JobKey, u64, usize)>>,
    timers: BinaryHeap<Reverse<(Instant, u64, usize)>>,
    queued: usize,
    per_host: u32,
}

impl Frontier {
    pub(crate) fn new(per_host: u32) -> Frontier {
        Frontier {
            hosts: Vec::new(),
            index: HashMap::new(),
            runnable: BinaryHeap::new(),
            timers: BinaryHeap::new(),
            queued: 0,
            per_host: per_host.max(1),
        }
    }

    /// Jobs waiting (not in flight).
    pub(crate) fn queued(&self) -> usize {
        self.queued
    }

    /// The id of `host`, creating its slot.
    pub(crate) fn host_id(&mut self, host: &str, now: Instant) -> usize {
        if let Some(&id) = self.index.get(host) {
            return id;
        }
        let id = self.hosts.len();
        self.hosts.push(HostSlot {
            name: host.to_string(),
            queue: BTreeMap::new(),
            in_flight: 0,
            next_at: now,
            streak: 0,
            crawl_delay: None,
            robots: HashMap::new(),
            version: 0,
        });
        self.index.insert(host.to_string(), id);
        id
    }

    pub(crate) fn host(&mut self, id: usize) -> &mut HostSlot {
        &mut self.hosts[id]
    }

    /// Adds a job (a job already queued under the same key replaces it).
    pub(crate) fn push(&mut self, job: Job, now: Instant) -> usize {
        let id = self.host_id(&job.host, now);
        if self.hosts[id].queue.insert(job.key(), job).is_none() {
            self.queued += 1;
        }
        self.reschedule(id, now);
        id
    }

    /// Removes the best job of a host (the caller dispatches or settles it).
    pub(crate) fn take(&mut self, id: usize) -> Option<Job> {
        let job = self.hosts[id].pop_first()?;
        self.queued -= 1;
        Some(job)
    }

    /// The host with the best job among those allowed to send at `now`.
    pub(crate) fn pop_runnable(&mut self, now: Instant) -> Option<usize> {
        while let Some(Reverse((at, version, id))) = self.timers.peek().copied() {
            if at > now {
                break;
            }
            self.timers.pop();
            if version == self.hosts[id].version {
                self.make_runnable(id);
            }
        }
        while let Some(Reverse((_, version, id))) = self.runnable.pop() {
            if version == self.hosts[id].version {
                self.hosts[id].version += 1;
                return Some(id);
            }
        }
        None
    }

    /// When the next waiting host may send.
    pub(crate) fn next_wake(&self) -> Option<Instant> {
        self.timers.peek().map(|Reverse((at, _, _))| *at)
    }

    /// Puts a host in the heap it now belongs to (or none: empty, full, or waiting for
    /// robots.txt).
    pub(crate) fn reschedule(&mut self, id: usize, now: Instant) {
        let per_host = self.per_host;
        let host = &mut self.hosts[id];
        host.version += 1;
        if host.queue.is_empty() || host.in_flight >= per_host || host.waiting_for_robots() {
            return;
        }
        if host.next_at > now {
            self.timers.push(Reverse((host.next_at, host.version, id)));
        } else {
            self.make_runnable(id);
        }
    }

    fn make_runnable(&mut self, id: usize) {
        let host = &self.hosts[id];
        if let Some(job) = host.first() {
            self.runnable.push(Reverse((job.key(), host.version, id)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(host: &str, depth: u32, quality: u8, seq: u64) -> Job {
        Job {
            url: format!("http://{host}/{seq}"),
            origin: format!("http://{host}:80"),
            path: format!("/{seq}"),
            host: host.into(),
            purpose: FetchPurpose::Page,
            depth,
            quality,
            hops: 0,
            seq,
            attempts: 0,
        }
    }

    #[test]
    fn best_job_first_within_and_across_hosts() {
        let now = Instant::now();
        let mut f = Frontier::new(1);
        f.push(job("a.test", 2, 200, 1), now);
        f.push(job("a.test", 1, 10, 2), now);
        f.push(job("a.test", 1, 90, 3), now);
        f.push(job("b.test", 0, 0, 4), now);
        assert_eq!(f.queued(), 4);
        let b = f.pop_runnable(now).unwrap();
        assert_eq!(f.take(b).unwrap().seq, 4);
        let a = f.pop_runnable(now).unwrap();
        assert_eq!(f.take(a).unwrap().seq, 3);
        assert!(
            f.pop_runnable(now).is_none(),
            "a host is taken off until rescheduled"
        );
        f.reschedule(a, now);
        let a = f.pop_runnable(now).unwrap();
        assert_eq!(f.take(a).unwrap().seq, 2);
        f.reschedule(a, now);
        let a = f.pop_runnable(now).unwrap();
        assert_eq!(f.take(a).unwrap().seq, 1);
        assert_eq!(f.queued(), 0);
    }

    #[test]
    fn delays_and_per_host_limit() {
        let now = Instant::now();
        let mut f = Frontier::new(1);
        let id = f.push(job("a.test", 0, 0, 1), now);
        f.push(job("a.test", 0, 0, 2), now);
        let h = f.pop_runnable(now).unwrap();
        f.take(h);
        f.host(id).in_flight = 1;
        f.reschedule(id, now);
        assert!(f.pop_runnable(now).is_none(), "one request at a time");
        f.host(id).in_flight = 0;
        f.host(id).next_at = now + Duration::from_secs(2);
        f.reschedule(id, now);
        assert!(f.pop_runnable(now).is_none());
        assert_eq!(f.next_wake(), Some(now + Duration::from_secs(2)));
        assert_eq!(f.pop_runnable(now + Duration::from_secs(2)), Some(id));
    }

    #[test]
    fn hosts_wait_for_their_robots() {
        let now = Instant::now();
        let mut f = Frontier::new(4);
        let id = f.push(job("a.test", 0, 0, 1), now);
        f.host(id)
            .robots
            .insert("http://a.test:80".into(), OriginRobots::Fetching);
        f.reschedule(id, now);
        assert!(f.pop_runnable(now).is_none());
    }
}
