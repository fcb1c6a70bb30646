//! The generator: the plan plus the change script, and the per-site generation of responses
//! and truth for one epoch. Nothing is cached between sites, so a web of any size can be
//! streamed site by site with memory bounded by the largest site.

use crate::changes::{self, Action, Mutation};
use crate::doc::{self, LinkContext, PageDoc};
use crate::plan::{self, FIRST_CONTENT, HOME, Role, SitePlan, Special};
use crate::rng::{Rng, tag};
use crate::templates::{self, Dest, collapse};
use crate::truth::{RobotsRule, ScriptedChange, TruthLink, TruthPage};
use crate::{SynthConfig, words};
use anchorage_core::record::{FetchRecord, LinkElement, SourceKind};
use anchorage_core::time::Micros;
use serde::Serialize;

const SECOND: Micros = 1_000_000;
const DAY: Micros = 86_400 * SECOND;
/// Most referring domains the partner ring gives one site.
const MAX_PARTNERS: usize = 36;
/// Epoch k is crawled about k × 30 days after the start.
pub(crate) const EPOCH_SPACING: Micros = 30 * DAY;

/// One HTTP response: everything a WARC response record or an HTTP server needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SynthResponse {
    /// Normalised URL.
    pub url: String,
    pub fetched_at: Micros,
    pub status: u16,
    pub reason: &'static str,
    /// Headers in order, as sent (the body is neither compressed nor chunked).
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub ip: String,
}

impl SynthResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        anchorage_core::record::header(&self.headers, name)
    }

    /// The media type without parameters.
    pub fn media_type(&self) -> &str {
        self.header("Content-Type")
            .and_then(|c| c.split(';').next())
            .unwrap_or("")
            .trim()
    }

    pub fn is_html(&self) -> bool {
        self.media_type() == "text/html"
    }

    /// The response as the acquire stage would capture it from a WARC file.
    pub fn to_fetch_record(&self) -> FetchRecord {
        FetchRecord {
            url: self.url.clone(),
            fetched_at: self.fetched_at,
            status: self.status,
            headers: self.headers.clone(),
            body: self.body.clone(),
            truncated: false,
            ip: Some(self.ip.clone()),
            record_id: format!(
                "<urn:synth:{:016x}:{}>",
                crate::rng::tag(&self.url),
                self.fetched_at
            ),
            source: SourceKind::Warc,
            js_rendered: false,
            error: None,
        }
    }
}

/// One site's share of an epoch: responses in fetch order and, when asked for, its truth.
#[derive(Debug, Clone, Default)]
pub struct SiteOutput {
    /// Crawlable responses (what a polite crawl or a WARC holds).
    pub responses: Vec<SynthResponse>,
    /// `robots.txt` of each host.
    pub robots: Vec<SynthResponse>,
    /// Pages under a robots.txt `Disallow` (served on request, never crawled).
    pub disallowed: Vec<SynthResponse>,
    /// Truth pages, crawlable first then disallowed (empty without truth).
    pub pages: Vec<TruthPage>,
    pub links: Vec<TruthLink>,
    pub feed_links: Vec<TruthLink>,
    pub robots_rules: Vec<RobotsRule>,
}

/// The generator for one configuration: the plan of every site and the change script.
#[derive(Debug, Clone)]
pub struct Synth {
    pub(crate) config: SynthConfig,
    pub(crate) plans: Vec<SitePlan>,
    /// Prefix sums of popularity weights, for choosing link targets.
    cumulative: Vec<u64>,
    /// Sites in partner-ring order.
    ring: Vec<usize>,
    pub(crate) mutations: Vec<Mutation>,
    pub(crate) changes: Vec<ScriptedChange>,
}

/// What a URL answers in an epoch.
enum State {
    Html(Box<PageDoc>),
    Feed,
    Redirect {
        code: u16,
        target: String,
        location: String,
    },
    Error(u16),
}

impl Synth {
    /// Plans the web and its scripted changes; cheap (no page is rendered except the few the
    /// changes touch).
    pub fn new(config: &SynthConfig) -> Self {
        let plans = plan::plan_sites(config);
        let cumulative = plans
            .iter()
            .scan(0u64, |acc, p| {
                *acc += p.site.popularity_weight;
                Some(*acc)
            })
            .collect();
        let mut ring = vec![0; plans.len()];
        for p in &plans {
            ring[p.ring_pos] = p.site.index;
        }
        let mut g = Synth {
            config: config.clone(),
            plans,
            cumulative,
            ring,
            mutations: Vec::new(),
            changes: Vec::new(),
        };
        // Mutations are chosen on the unchanged web; their effects are measured with them.
        g.mutations = changes::plan_mutations(&g);
        g.changes = changes::describe(&g);
        g
    }

    pub fn config(&self) -> &SynthConfig {
        &self.config
    }

    pub fn site_count(&self) -> usize {
        self.plans.len()
    }

    pub fn sites(&self) -> impl Iterator<Item = &plan::Site> {
        self.plans.iter().map(|p| &p.site)
    }

    /// Every scripted change of every epoch.
    pub fn changes(&self) -> &[ScriptedChange] {
        &self.changes
    }

    /// When epoch `epoch` starts being crawled.
    pub fn epoch_start(&self, epoch: u32) -> Micros {
        self.config.start + i64::from(epoch) * EPOCH_SPACING
    }

    // ---- helpers for templates and changes ---------------------------------------------------

    pub(crate) fn page_url(&self, site: usize, idx: usize) -> Option<String> {
        let p = self.plans.get(site)?;
        Some(p.page_url(self.config.seed, self.config.start, idx))
    }

    pub(crate) fn dest(&self, site: usize, idx: usize) -> Dest {
        Dest {
            url: self.page_url(site, idx).unwrap_or_default(),
            site: Some(site),
            page: Some(idx),
        }
    }

    /// A site other than `exclude`, with probability proportional to popularity.
    pub(crate) fn pick_site(&self, rng: &mut Rng, exclude: usize) -> Option<usize> {
        let n = self.plans.len();
        let total = *self.cumulative.last()?;
        for _ in 0..4 {
            let x = rng.below(total);
            let i = self.cumulative.partition_point(|&c| c <= x);
            if i != exclude && i < n {
                return Some(i);
            }
        }
        // The excluded site is so popular it keeps coming up: any other will do.
        (n > 1).then(|| (exclude + 1 + rng.index(n - 1)) % n)
    }

    /// The sites `site` lists as partners on its about page.
    ///
    /// Independent popularity-weighted draws leave the number of referring domains of
    /// similarly popular sites to chance, and with a few dozen sites that noise swamps the
    /// ordering. So each site also has a *quota* of referring domains that falls linearly with
    /// its popularity rank (from `MAX_PARTNERS` for the most popular to 0), filled by the sites
    /// that follow it on a random ring: site B is listed by the `quota(B)` sites after it. A
    /// site's list is found by looking back at most `MAX_PARTNERS` places, so this stays cheap
    /// at any scale, and the lists average half of `MAX_PARTNERS` entries.
    pub fn partners(&self, site: usize) -> Vec<usize> {
        let n = self.plans.len();
        let Some(plan) = self.plans.get(site) else {
            return Vec::new();
        };
        (1..=self.max_partners())
            .filter_map(|d| {
                let b = *self.ring.get((plan.ring_pos + n - d) % n)?;
                (d <= self.partner_quota(b)).then_some(b)
            })
            .collect()
    }

    fn max_partners(&self) -> usize {
        self.plans.len().saturating_sub(1).min(MAX_PARTNERS)
    }

    /// Referring domains owed to site `b` by the partner ring.
    fn partner_quota(&self, b: usize) -> usize {
        let n = self.plans.len();
        let rank = self.plans.get(b).map_or(n, |p| p.site.popularity_rank);
        match n {
            0..=1 => 0,
            _ => (self.max_partners() * (n - rank) + (n - 1) / 2) / (n - 1),
        }
    }

    fn page_count(&self, site: usize, epoch: u32) -> usize {
        let base = self.plans.get(site).map_or(0, SitePlan::base_pages);
        let fresh = self
            .active(site, epoch)
            .any(|m| matches!(m.action, Action::AddPage));
        base + usize::from(fresh)
    }

    /// Mutations of `site` in force in `epoch`.
    pub(crate) fn active(&self, site: usize, epoch: u32) -> impl Iterator<Item = &Mutation> {
        self.mutations
            .iter()
            .filter(move |m| m.site == site && m.in_force(epoch))
    }

    // ---- generation -------------------------------------------------------------------------

    /// The crawlable responses of one site in one epoch (no truth is computed).
    pub fn site_responses(&self, site: usize, epoch: u32) -> Vec<SynthResponse> {
        self.site_output_with(site, epoch, false).responses
    }

    /// Responses and truth of one site in one epoch.
    pub fn site_output(&self, site: usize, epoch: u32) -> SiteOutput {
        self.site_output_with(site, epoch, true)
    }

    fn site_output_with(&self, site: usize, epoch: u32, truth: bool) -> SiteOutput {
        let mut out = SiteOutput::default();
        let Some(plan) = self.plans.get(site) else {
            return out;
        };
        // Sites are crawled in parallel: each starts a few seconds after the previous one.
        let offset = (site as i64 * 7 * SECOND) % (20 * DAY);
        let mut clock = Rng::derive(
            self.config.seed,
            &[site as u64, u64::from(epoch), tag("clock")],
        );
        let mut t = self.epoch_start(epoch) + offset;
        self.robots(plan, t, &mut out);
        let mut disallowed_pages = Vec::new();
        for idx in 0..self.page_count(site, epoch) {
            t += (2 + clock.below(4) as i64) * SECOND + clock.below(1_000_000) as i64;
            let Some(page) = self.page(site, idx, epoch, t, truth) else {
                continue;
            };
            if page.page.robots_disallowed {
                out.disallowed.push(page.response);
                disallowed_pages.push(page.page);
                continue;
            }
            out.responses.push(page.response);
            if truth {
                out.pages.push(page.page);
                out.links.extend(page.links);
                out.feed_links.extend(page.feed_links);
            }
        }
        if truth {
            out.pages.extend(disallowed_pages);
        }
        out
    }

    fn robots(&self, plan: &SitePlan, t: Micros, out: &mut SiteOutput) {
        let rules = plan.robots_disallows();
        let mut body = String::from("User-agent: *\n");
        for r in &rules {
            body.push_str(&format!("Disallow: {r}\n"));
        }
        if rules.is_empty() {
            // A group needs a rule: without one, RFC 9309 merges `*` into the next group.
            body.push_str("Disallow:\n");
        }
        body.push_str("\nUser-agent: GPTBot\nDisallow: /\n");
        for host in &plan.site.hosts {
            let url = format!("{}://{host}/robots.txt", plan.site.scheme);
            let headers = base_headers(plan, t, "text/plain; charset=utf-8", body.len());
            out.robots.push(response(
                plan,
                url,
                t - SECOND,
                200,
                headers,
                body.clone().into_bytes(),
            ));
            for r in &rules {
                out.robots_rules.push(RobotsRule {
                    host: host.clone(),
                    user_agent: "*".into(),
                    disallow: (*r).into(),
                });
            }
            out.robots_rules.push(RobotsRule {
                host: host.clone(),
                user_agent: "GPTBot".into(),
                disallow: "/".into(),
            });
        }
    }

    /// The truth links of one page in one epoch (used to derive the changes' effects).
    pub(crate) fn page_links(&self, site: usize, idx: usize, epoch: u32) -> Vec<TruthLink> {
        let t = self.epoch_start(epoch);
        self.page(site, idx, epoch, t, true)
            .map(|p| p.links)
            .unwrap_or_default()
    }

    /// Page `idx` of `site` as it is in `epoch`, fetched at `t`.
    fn page(&self, site: usize, idx: usize, epoch: u32, t: Micros, truth: bool) -> Option<PageOut> {
        let plan = self.plans.get(site)?;
        let url = self.page_url(site, idx)?;
        let disallowed = plan.role(idx) == Role::Special(Special::Disallowed);
        let mut out = match self.state(plan, idx, epoch)? {
            State::Html(doc) => self.html_page(plan, idx, url, t, &doc, truth),
            State::Feed => self.feed_page(plan, url, t, truth),
            State::Redirect {
                code,
                target,
                location,
            } => redirect_page(plan, url, t, code, &target, &location, truth),
            State::Error(code) => error_page(plan, url, t, code),
        };
        if disallowed {
            out.page.robots_disallowed = true;
            out.links.clear();
        }
        Some(out)
    }

    fn state(&self, plan: &SitePlan, idx: usize, epoch: u32) -> Option<State> {
        let site = plan.site.index;
        for m in self.active(site, epoch).filter(|m| m.page == idx) {
            match m.action {
                Action::Status(code) => return Some(State::Error(code)),
                Action::Redirect { to } => {
                    let target = self.page_url(site, to)?;
                    return Some(State::Redirect {
                        code: 301,
                        location: target.clone(),
                        target,
                    });
                }
                _ => {}
            }
        }
        let redirect = |code: u16, to: String, relative: bool| {
            let location = if relative {
                crate::href::parts(&to).path.to_string()
            } else {
                to.clone()
            };
            State::Redirect {
                code,
                target: to,
                location,
            }
        };
        Some(match plan.role(idx) {
            Role::Special(Special::Feed) => State::Feed,
            Role::Special(Special::Missing) => State::Error(404),
            Role::Special(s @ Special::Moved) => {
                redirect(301, self.page_url(site, plan.special_target(s))?, false)
            }
            Role::Special(Special::Latest) => {
                redirect(302, self.page_url(site, FIRST_CONTENT)?, true)
            }
            Role::Special(Special::HttpUpgrade) => redirect(301, plan.site.home_url.clone(), false),
            Role::Special(Special::ApexRedirect) => {
                redirect(301, self.page_url(site, HOME)?, false)
            }
            _ => {
                let mut doc = templates::build(self, site, idx)?;
                for m in self.active(site, epoch).filter(|m| m.page == idx) {
                    changes::apply(self, &mut doc, site, &m.action);
                }
                State::Html(Box::new(doc))
            }
        })
    }

    fn html_page(
        &self,
        plan: &SitePlan,
        idx: usize,
        url: String,
        t: Micros,
        doc: &PageDoc,
        truth: bool,
    ) -> PageOut {
        let x_robots = plan.features.x_robots_noindex && plan.role(idx) == Role::Content(0);
        let cx = LinkContext {
            from: &url,
            from_site: plan.site.index,
            status: 200,
            noindex: doc.noindex() || x_robots,
            nofollow: doc.nofollow(),
        };
        let (html, links) = doc::render(doc, truth.then_some(&cx));
        let body = doc::encode(html, doc.charset);
        let content_type = format!("text/html; charset={}", charset_header(doc.charset));
        let mut headers = base_headers(plan, t, &content_type, body.len());
        self.html_headers(plan, idx, &url, x_robots, &mut headers);
        let mut page = truth_page(plan, &url, t, 200, "text/html");
        page.link_count = links.len();
        if truth {
            describe(&mut page, doc, cx.noindex, cx.nofollow);
        }
        let response = response(plan, url, t, 200, headers, body);
        PageOut {
            response,
            page,
            links,
            feed_links: Vec::new(),
        }
    }

    fn html_headers(
        &self,
        plan: &SitePlan,
        idx: usize,
        url: &str,
        x_robots: bool,
        headers: &mut Vec<(String, String)>,
    ) {
        if let Role::Content(_) = plan.role(idx) {
            let published = plan.published(self.config.seed, self.config.start, idx);
            headers.push(("Last-Modified".into(), http_date(published)));
        }
        if plan
            .site
            .generator
            .as_deref()
            .is_some_and(|g| g.starts_with("WordPress"))
        {
            let p = crate::href::parts(url);
            headers.push((
                "Link".into(),
                format!(
                    "<{}://{}/wp-json/>; rel=\"https://api.w.org/\"",
                    p.scheme, p.host
                ),
            ));
            headers.push(("X-Powered-By".into(), "PHP/8.2.12".into()));
        }
        if x_robots {
            headers.push(("X-Robots-Tag".into(), "noindex".into()));
        }
    }

    fn feed_page(&self, plan: &SitePlan, url: String, t: Micros, truth: bool) -> PageOut {
        let seed = self.config.seed;
        let channel = (plan.site.name.clone(), plan.site.home_url.clone());
        let step = if plan.is_bilingual() { 2 } else { 1 };
        let items: Vec<(String, String, Micros)> = (0..plan.content_pages)
            .step_by(step)
            .take(10)
            .map(|k| {
                let idx = FIRST_CONTENT + k;
                (
                    plan.page_title(seed, idx),
                    plan.page_url(seed, self.config.start, idx),
                    plan.published(seed, self.config.start, idx),
                )
            })
            .collect();
        let body = rss(plan, &channel, &items).into_bytes();
        let headers = base_headers(plan, t, "application/rss+xml; charset=UTF-8", body.len());
        let mut page = truth_page(plan, &url, t, 200, "application/rss+xml");
        page.title = Some(collapse(&channel.0));
        let mut feed_links = Vec::new();
        if truth {
            let cx = LinkContext {
                from: &url,
                from_site: plan.site.index,
                status: 200,
                noindex: false,
                nofollow: false,
            };
            let all = std::iter::once((&channel.0, &channel.1))
                .chain(items.iter().map(|(t, u, _)| (t, u)));
            for (i, (title, to)) in all.enumerate() {
                let mut l = cx.link(to, LinkElement::Rss, i as u32);
                l.anchor = collapse(title);
                l.to_site = Some(plan.site.index);
                feed_links.push(l);
            }
        }
        page.link_count = feed_links.len();
        PageOut {
            response: response(plan, url, t, 200, headers, body),
            page,
            links: Vec::new(),
            feed_links,
        }
    }
}

/// One generated URL.
struct PageOut {
    response: SynthResponse,
    page: TruthPage,
    links: Vec<TruthLink>,
    feed_links: Vec<TruthLink>,
}

fn redirect_page(
    plan: &SitePlan,
    url: String,
    t: Micros,
    code: u16,
    target: &str,
    location: &str,
    truth: bool,
) -> PageOut {
    let mut headers = base_headers(plan, t, "text/html; charset=UTF-8", 0);
    headers.push(("Location".into(), location.to_string()));
    let mut page = truth_page(plan, &url, t, code, "text/html");
    page.redirect_to = Some(target.to_string());
    let mut links = Vec::new();
    if truth {
        let cx = LinkContext {
            from: &url,
            from_site: plan.site.index,
            status: code,
            noindex: false,
            nofollow: false,
        };
        let mut l = cx.link(target, LinkElement::HttpRedirect, 0);
        l.redirect_code = Some(code);
        l.to_site = Some(plan.site.index);
        links.push(l);
    }
    page.link_count = links.len();
    PageOut {
        response: response(plan, url, t, code, headers, Vec::new()),
        page,
        links,
        feed_links: Vec::new(),
    }
}

fn error_page(plan: &SitePlan, url: String, t: Micros, code: u16) -> PageOut {
    let reason = reason(code);
    let body = format!("<!DOCTYPE html>\n<html><head><title>{code} {reason}</title></head><body><h1>{reason}</h1></body></html>\n").into_bytes();
    let mut headers = base_headers(plan, t, "text/html; charset=UTF-8", body.len());
    if code == 503 {
        headers.push(("Retry-After".into(), "3600".into()));
    }
    let mut page = truth_page(plan, &url, t, code, "text/html");
    page.title = Some(format!("{code} {reason}"));
    PageOut {
        response: response(plan, url, t, code, headers, body),
        page,
        links: Vec::new(),
        feed_links: Vec::new(),
    }
}

fn response(
    plan: &SitePlan,
    url: String,
    t: Micros,
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
) -> SynthResponse {
    SynthResponse {
        url,
        fetched_at: t,
        status,
        reason: reason(status),
        headers,
        body,
        ip: plan.site.ip.clone(),
    }
}

fn base_headers(
    plan: &SitePlan,
    t: Micros,
    content_type: &str,
    len: usize,
) -> Vec<(String, String)> {
    vec![
        ("Date".into(), http_date(t)),
        ("Server".into(), plan.site.server.clone()),
        ("Content-Type".into(), content_type.to_string()),
        ("Content-Length".into(), len.to_string()),
    ]
}

/// How servers spell the charset parameter (WordPress upper-cases UTF-8).
fn charset_header(cs: plan::Charset) -> &'static str {
    match cs {
        plan::Charset::Utf8 => "UTF-8",
        other => other.label(),
    }
}

fn truth_page(plan: &SitePlan, url: &str, t: Micros, status: u16, content_type: &str) -> TruthPage {
    TruthPage {
        url: url.to_string(),
        site: plan.site.index,
        host: crate::href::host_of(url).to_string(),
        status,
        content_type: content_type.to_string(),
        is_html: content_type == "text/html",
        // Every response but a page's own HTML declares UTF-8 in its Content-Type.
        charset: Some("utf-8".into()),
        encoding: Some("utf-8".into()),
        title: None,
        language: None,
        html_lang: None,
        author: None,
        publish_date: None,
        generator: None,
        noindex: false,
        nofollow: false,
        canonical: None,
        redirect_to: None,
        fetched_at: t,
        robots_disallowed: false,
        link_count: 0,
    }
}

/// Page facts from the document.
fn describe(page: &mut TruthPage, doc: &PageDoc, noindex: bool, nofollow: bool) {
    page.charset = Some(doc.charset.label().to_string());
    page.encoding = Some(doc.charset.whatwg_name().to_string());
    page.title = Some(collapse(&doc.title));
    page.language = doc.html_lang.split('-').next().map(String::from);
    page.html_lang = Some(doc.html_lang.clone());
    page.author = doc
        .json_ld
        .as_ref()
        .map(|l| l.author.clone())
        .or_else(|| doc.author_meta.clone());
    page.publish_date = doc
        .json_ld
        .as_ref()
        .and_then(|l| l.published.get(..10))
        .map(String::from);
    page.generator = doc.generator.clone();
    page.noindex = noindex;
    page.nofollow = nofollow;
    page.canonical = doc.canonical().map(String::from);
}

fn rss(plan: &SitePlan, channel: &(String, String), items: &[(String, String, Micros)]) -> String {
    let x = crate::href::text;
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\">\n<channel>\n<title>{}</title>\n<link>{}</link>\n<description>{}</description>\n<language>{}</language>\n",
        x(&channel.0),
        x(&channel.1),
        x(words::label(plan.site.language, words::Label::Latest)),
        plan.site.language.code()
    );
    for (i, (title, url, published)) in items.iter().enumerate() {
        s.push_str(&format!(
            "<item>\n<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"false\">{}-post-{i}</guid>\n<pubDate>{}</pubDate>\n</item>\n",
            x(title),
            x(url),
            plan.site.root_domain,
            http_date(*published).replace("GMT", "+0000")
        ));
    }
    s.push_str("</channel>\n</rss>\n");
    s
}

pub(crate) fn http_date(t: Micros) -> String {
    plan::to_date(t)
        .format("%a, %d %b %Y %H:%M:%S GMT")
        .to_string()
}

pub(crate) fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        404 => "Not Found",
        410 => "Gone",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}
