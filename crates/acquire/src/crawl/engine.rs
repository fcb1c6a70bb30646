//! The engine: one task that owns the frontier, dispatches requests as politeness and the
//! global concurrency allow, and turns their outcomes into messages for the recorder.

use super::config::CrawlConfig;
use super::error::CrawlError;
use super::fetch::Fetcher;
use super::frontier::{Frontier, Job, OriginRobots};
use super::recorder::{Ack, RecordMsg, Recorder};
use super::render::Renderer;
use super::robots::{Robots, Verdict};
use super::scope::{ScopeRules, robots_url};
use super::sink::{CrawlSink, FetchPurpose};
use super::stats::{CrawlProgress, CrawlReport, ErrorKind, StopReason};
use super::task::{Outcome, Worker};
use anchorage_core::NormalizedUrl;
use anchorage_core::time::{Micros, now};
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

/// How often the progress callback is called.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// Called with the counters while the crawl runs.
pub type ProgressFn<'a> = &'a mut (dyn FnMut(&CrawlProgress) + Send);
/// Resolves when the crawl should stop (Ctrl-C): in-flight requests finish and are recorded.
pub type StopFuture = Pin<Box<dyn Future<Output = ()> + Send>>;

/// Crawls until the scope is exhausted, a limit is reached or `stop` resolves. Must run
/// inside a multi-threaded tokio runtime.
pub async fn crawl(
    config: CrawlConfig,
    sink: Box<dyn CrawlSink>,
    progress: ProgressFn<'_>,
    stop: StopFuture,
) -> Result<CrawlReport, CrawlError> {
    let config = Arc::new(config);
    let seeds = parse_seeds(&config.seeds)?;
    let fetcher = Fetcher::new(&config)?;
    let renderer = match config.render.mode {
        super::config::RenderMode::Off => None,
        _ => Some(Arc::new(Renderer::launch(&config.render).await?)),
    };
    let (mut recorder, seeds) = open_recorder(&config, sink, seeds)?;
    let recovered = recorder.recover()?;
    recorder.seed(&seeds)?;
    let jobs = recorder.pending_jobs(config.recrawl)?;
    let robots = recorder.store().robots()?;
    let hosts = recorder.store().hosts()?;
    let (record_tx, record_rx) = std::sync::mpsc::channel();
    let (ack_tx, acks) = unbounded_channel();
    let recorder_thread = std::thread::Builder::new()
        .name("crawl-recorder".into())
        .spawn(move || recorder.run(record_rx, ack_tx))
        .map_err(|e| CrawlError::Internal(format!("starting the recorder: {e}")))?;
    let (outcomes_tx, outcomes) = unbounded_channel();
    let worker = Worker {
        fetcher,
        renderer,
        config: config.clone(),
    };
    let mut engine = Engine::new(config, worker, outcomes_tx, outcomes, record_tx, acks);
    engine.load(jobs, &robots, &hosts);
    let result = engine.run(progress, stop).await;
    // The recorder commits what it holds and ends (or has already ended on an error).
    let _ = engine.record_tx.send(RecordMsg::Shutdown);
    let joined = tokio::task::spawn_blocking(move || recorder_thread.join())
        .await
        .map_err(|e| CrawlError::Internal(e.to_string()))?
        .map_err(|_| CrawlError::Internal("the recorder panicked".into()))?;
    joined?;
    let stop = result?;
    let mut stats = engine.snapshot();
    stats.in_flight = 0;
    Ok(CrawlReport {
        remaining: stats.queued,
        stats,
        stop,
        recovered,
    })
}

fn parse_seeds(seeds: &[String]) -> Result<Vec<NormalizedUrl>, CrawlError> {
    seeds
        .iter()
        .map(|s| NormalizedUrl::parse(s).map_err(|e| CrawlError::Config(format!("seed {s}: {e}"))))
        .collect()
}

/// Opens the recorder with the scope of every seed given to this state directory so far.
fn open_recorder(
    config: &Arc<CrawlConfig>,
    sink: Box<dyn CrawlSink>,
    seeds: Vec<NormalizedUrl>,
) -> Result<(Recorder, Vec<NormalizedUrl>), CrawlError> {
    let store = super::store::Store::open(&config.state_dir)?;
    let mut all: Vec<NormalizedUrl> = match store.meta_bytes("seeds")? {
        Some(b) => String::from_utf8_lossy(&b)
            .lines()
            .filter_map(|l| NormalizedUrl::parse(l).ok())
            .collect(),
        None => Vec::new(),
    };
    for s in seeds {
        if !all.contains(&s) {
            all.push(s);
        }
    }
    if all.is_empty() {
        return Err(CrawlError::Config(
            "no seed URL: give at least one (a resumed crawl remembers its seeds)".into(),
        ));
    }
    let text: Vec<&str> = all.iter().map(NormalizedUrl::as_str).collect();
    store.write(|t| t.set_meta("seeds", text.join("\n").as_bytes()))?;
    drop(store);
    let scope = ScopeRules::new(
        config.scope,
        &all,
        &config.allow_hosts,
        &config.allow_domains,
    );
    Ok((Recorder::open(config.clone(), scope, sink)?, all))
}

struct Engine {
    config: Arc<CrawlConfig>,
    frontier: Frontier,
    worker: Worker,
    outcomes_tx: UnboundedSender<Outcome>,
    outcomes: UnboundedReceiver<Outcome>,
    record_tx: Sender<RecordMsg>,
    acks: UnboundedReceiver<Ack>,
    /// Requests holding a slot (until their outcome is durable).
    in_flight: usize,
    /// Messages sent to the recorder and not acknowledged yet.
    pending: usize,
    page_dispatches: u64,
    robots_attempts: HashMap<String, u8>,
    stats: CrawlProgress,
    started: Instant,
    stop: Option<StopReason>,
}

impl Engine {
    fn new(
        config: Arc<CrawlConfig>,
        worker: Worker,
        outcomes_tx: UnboundedSender<Outcome>,
        outcomes: UnboundedReceiver<Outcome>,
        record_tx: Sender<RecordMsg>,
        acks: UnboundedReceiver<Ack>,
    ) -> Engine {
        Engine {
            frontier: Frontier::new(config.politeness.per_host),
            config,
            worker,
            outcomes_tx,
            outcomes,
            record_tx,
            acks,
            in_flight: 0,
            pending: 0,
            page_dispatches: 0,
            robots_attempts: HashMap::new(),
            stats: CrawlProgress::default(),
            started: Instant::now(),
            stop: None,
        }
    }

    /// The queue, robots.txt cache and backoffs left by earlier runs.
    fn load(
        &mut self,
        jobs: Vec<Job>,
        robots: &[(String, super::robots::RobotsRecord)],
        hosts: &[(String, super::store::HostMeta)],
    ) {
        let now_i = Instant::now();
        let now_m = now();
        for job in jobs {
            self.frontier.push(job, now_i);
        }
        for (origin, record) in robots {
            let Ok(url) = url::Url::parse(origin) else {
                continue;
            };
            let Some(host) = url.host_str() else { continue };
            let id = self.frontier.host_id(host, now_i);
            let r = Arc::new(Robots::from_record(record, self.config.robots_ttl));
            self.frontier.host(id).crawl_delay = r.crawl_delay;
            self.frontier
                .host(id)
                .robots
                .insert(origin.clone(), OriginRobots::Known(r));
        }
        for (host, meta) in hosts {
            let wait = meta.backoff_until - now_m;
            if wait > 0 {
                let id = self.frontier.host_id(host, now_i);
                self.frontier.host(id).next_at = now_i + Duration::from_micros(wait as u64);
                self.frontier.reschedule(id, now_i);
            }
        }
    }

    async fn run(
        &mut self,
        progress: ProgressFn<'_>,
        mut stop: StopFuture,
    ) -> Result<StopReason, CrawlError> {
        let mut tick = tokio::time::interval(PROGRESS_EVERY);
        let mut stop_seen = false;
        loop {
            self.dispatch();
            if self.finished() {
                progress(&self.snapshot());
                return Ok(self.stop.unwrap_or(StopReason::Exhausted));
            }
            let wake = self
                .frontier
                .next_wake()
                .unwrap_or_else(|| Instant::now() + Duration::from_secs(3600));
            tokio::select! {
                Some(outcome) = self.outcomes.recv() => self.on_outcome(outcome)?,
                ack = self.acks.recv() => match ack {
                    Some(ack) => self.on_ack(ack),
                    None => return Err(CrawlError::Internal("the recorder stopped".into())),
                },
                _ = tokio::time::sleep_until(wake.into()) => {}
                _ = tick.tick() => progress(&self.snapshot()),
                _ = &mut stop, if !stop_seen => {
                    stop_seen = true;
                    self.stop.get_or_insert(StopReason::Interrupted);
                }
            }
        }
    }

    fn finished(&self) -> bool {
        self.in_flight == 0
            && self.pending == 0
            && (self.stop.is_some() || self.frontier.queued() == 0)
    }

    fn snapshot(&self) -> CrawlProgress {
        CrawlProgress {
            elapsed: self.started.elapsed(),
            queued: self.frontier.queued() as u64,
            in_flight: self.in_flight as u64,
            ..self.stats.clone()
        }
    }

    fn dispatch(&mut self) {
        let now = Instant::now();
        while self.stop.is_none() && self.in_flight < self.config.concurrency {
            let Some(id) = self.frontier.pop_runnable(now) else {
                break;
            };
            self.dispatch_host(id, now);
            self.frontier.reschedule(id, now);
        }
    }

    /// Starts one request for host `id` (its robots.txt, or its best allowed job), settling
    /// disallowed jobs on the way.
    fn dispatch_host(&mut self, id: usize, now: Instant) {
        while let Some(job) = self.frontier.host(id).first().cloned() {
            let robots = match self.frontier.host(id).robots.get(&job.origin).cloned() {
                Some(OriginRobots::Fetching) => return,
                Some(OriginRobots::Known(r)) if !r.expired(super::now_micros()) => r,
                _ => return self.start_robots(id, &job, now),
            };
            match robots.verdict(&job.path) {
                Verdict::Allowed => {
                    if job.purpose == FetchPurpose::Page
                        && self
                            .config
                            .max_pages
                            .is_some_and(|max| self.page_dispatches >= max)
                    {
                        self.stop = Some(StopReason::MaxPages);
                        return;
                    }
                    if let Some(job) = self.frontier.take(id) {
                        self.start_job(id, job, robots, now);
                    }
                    return;
                }
                Verdict::Disallowed => {
                    if let Some(job) = self.frontier.take(id) {
                        self.stats.disallowed += 1;
                        self.send(RecordMsg::Disallowed { job });
                    }
                }
                Verdict::Unreachable(kind) => {
                    if let Some(job) = self.frontier.take(id) {
                        self.stats.error(kind);
                        self.send(RecordMsg::Failed {
                            slot: None,
                            job,
                            kind,
                        });
                    }
                }
            }
        }
    }

    fn occupy(&mut self, id: usize, now: Instant) {
        let delay = self.delay(id);
        let host = self.frontier.host(id);
        host.in_flight += 1;
        host.next_at = host.next_at.max(now + delay);
        self.in_flight += 1;
    }

    fn start_robots(&mut self, id: usize, job: &Job, now: Instant) {
        self.occupy(id, now);
        self.frontier
            .host(id)
            .robots
            .insert(job.origin.clone(), OriginRobots::Fetching);
        let attempts = self.robots_attempts.get(&job.origin).copied().unwrap_or(0);
        let (worker, tx) = (self.worker.clone(), self.outcomes_tx.clone());
        let (origin, url) = (job.origin.clone(), robots_for(&job.url));
        tokio::spawn(async move {
            let _ = tx.send(worker.robots(id, origin, url, attempts).await);
        });
    }

    fn start_job(&mut self, id: usize, job: Job, robots: Arc<Robots>, now: Instant) {
        self.occupy(id, now);
        if job.purpose == FetchPurpose::Page {
            self.page_dispatches += 1;
        }
        let (worker, tx) = (self.worker.clone(), self.outcomes_tx.clone());
        tokio::spawn(async move {
            let _ = tx.send(worker.run(id, job, robots).await);
        });
    }

    fn on_outcome(&mut self, outcome: Outcome) -> Result<(), CrawlError> {
        match outcome {
            Outcome::Response {
                host,
                job,
                page,
                extra,
                render_error,
            } => {
                self.count_response(&job, &page.fetch, page.rendered.is_some());
                if let Some(e) = render_error {
                    tracing::warn!(url = %job.url, error = %e, "rendering failed; page kept as fetched");
                    self.stats.error(ErrorKind::Render);
                }
                self.frontier.host(host).streak = 0;
                self.send(RecordMsg::Response {
                    slot: host,
                    job,
                    page,
                    extra,
                });
            }
            Outcome::Robots {
                host,
                origin,
                record,
                captures,
                retry,
            } => self.on_robots(host, origin, record, captures, retry),
            Outcome::Retry {
                host,
                mut job,
                after,
                throttled,
            } => {
                self.stats.throttled += u64::from(throttled);
                tracing::debug!(url = %job.url, attempt = job.attempts, "retrying later");
                self.backoff(host, after);
                job.attempts += 1;
                if job.purpose == FetchPurpose::Page {
                    self.page_dispatches -= 1;
                }
                self.frontier.push(job, Instant::now());
                self.release(host);
            }
            Outcome::Failed { host, job, error } => {
                tracing::debug!(url = %job.url, %error, "fetch failed");
                self.stats.error(error.kind);
                self.send(RecordMsg::Failed {
                    slot: Some(host),
                    job,
                    kind: error.kind,
                });
            }
        }
        Ok(())
    }

    fn count_response(
        &mut self,
        job: &Job,
        fetch: &anchorage_core::record::FetchRecord,
        rendered: bool,
    ) {
        match job.purpose {
            FetchPurpose::Page => {
                self.stats.pages += 1;
                self.stats.redirects += u64::from((300..400).contains(&fetch.status));
            }
            FetchPurpose::Check => self.stats.checks += 1,
            FetchPurpose::Robots | FetchPurpose::Sitemap => {}
        }
        self.stats.bytes += fetch.body.len() as u64;
        self.stats.truncated += u64::from(fetch.truncated);
        self.stats.rendered += u64::from(rendered);
        match fetch.status {
            400..=499 => self.stats.error(ErrorKind::Http4xx),
            500..=599 => self.stats.error(ErrorKind::Http5xx),
            _ => {}
        }
    }

    fn on_robots(
        &mut self,
        host: usize,
        origin: String,
        record: super::robots::RobotsRecord,
        captures: Vec<super::sink::CrawledPage>,
        retry: Option<Option<Duration>>,
    ) {
        if let Some(after) = retry {
            *self.robots_attempts.entry(origin.clone()).or_default() += 1;
            self.frontier.host(host).robots.remove(&origin);
            self.backoff(host, after);
            self.release(host);
            return;
        }
        self.robots_attempts.remove(&origin);
        self.stats.robots += captures.len() as u64;
        let robots = Arc::new(Robots::from_record(&record, self.config.robots_ttl));
        let slot = self.frontier.host(host);
        slot.crawl_delay = robots.crawl_delay;
        let sitemaps = robots.sitemaps.clone();
        slot.robots
            .insert(origin.clone(), OriginRobots::Known(robots));
        self.send(RecordMsg::Robots {
            slot: host,
            origin,
            record,
            captures,
            sitemaps,
        });
    }

    fn on_ack(&mut self, ack: Ack) {
        self.pending -= ack.messages;
        for id in ack.released {
            self.release(id);
        }
        self.stats.links += ack.links;
        self.stats.discovered += ack.new_jobs.len() as u64;
        for kind in ack.errors {
            self.stats.error(kind);
        }
        let now = Instant::now();
        for job in ack.new_jobs {
            self.frontier.push(job, now);
        }
    }

    /// Frees a request slot of host `id` and schedules its next start.
    fn release(&mut self, id: usize) {
        let now = Instant::now();
        let delay = self.delay(id);
        let host = self.frontier.host(id);
        host.in_flight = host.in_flight.saturating_sub(1);
        host.next_at = host.next_at.max(now + delay);
        self.in_flight = self.in_flight.saturating_sub(1);
        self.frontier.reschedule(id, now);
    }

    /// Pushes a host's next start back after a 429/503 or a transient error.
    fn backoff(&mut self, id: usize, retry_after: Option<Duration>) {
        let p = &self.config.politeness;
        let host = self.frontier.host(id);
        host.streak = host.streak.saturating_add(1);
        let doubling = p
            .backoff
            .saturating_mul(1 << host.streak.min(16).saturating_sub(1));
        let wait = retry_after
            .unwrap_or_default()
            .max(doubling)
            .min(p.max_backoff);
        host.next_at = host.next_at.max(Instant::now() + wait);
        let until: Micros = now() + i64::try_from(wait.as_micros()).unwrap_or(i64::MAX);
        let name = host.name.clone();
        tracing::info!(host = %name, wait_s = wait.as_secs_f64(), "backing off");
        self.send(RecordMsg::Backoff { host: name, until });
    }

    /// The host's politeness delay: the configured one, or its robots.txt `Crawl-delay`
    /// (capped) when larger and honoured.
    fn delay(&mut self, id: usize) -> Duration {
        let p = &self.config.politeness;
        let crawl_delay = self
            .frontier
            .host(id)
            .crawl_delay
            .filter(|_| p.respect_crawl_delay)
            .map(|d| d.min(p.max_crawl_delay))
            .unwrap_or_default();
        p.delay.max(crawl_delay)
    }

    fn send(&mut self, msg: RecordMsg) {
        self.pending += 1;
        if self.record_tx.send(msg).is_err() {
            // The recorder has stopped on an error: the ack channel closes and `run` ends.
            self.pending -= 1;
        }
    }
}

fn robots_for(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| robots_url(&u))
        .unwrap_or_else(|_| url.to_string())
}
