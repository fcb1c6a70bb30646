//! The plan of the web: every site's identity (domain, hosts, IP, kind, language, charset,
//! generator), its true popularity, its page layout and its features. The plan is small (a few
//! hundred bytes per site) and is all that is kept in memory when sites are generated one by one;
//! each page's URL, title and date can be computed from it in constant time, which is what lets a
//! page link to another site's page without generating that site.

use crate::SynthConfig;
use crate::rng::{Rng, tag};
use crate::words::{self, Lang};
use anchorage_core::NormalizedUrl;
use anchorage_core::domain::root_domain;
use anchorage_core::time::Micros;
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// What a site is; decides its templates, paths, TLD and generator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum SiteKind {
    Blog,
    News,
    Shop,
    Docs,
    Forum,
    University,
    Government,
}

/// The character encoding a site's HTML is served in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Charset {
    #[serde(rename = "utf-8")]
    Utf8,
    #[serde(rename = "windows-1252")]
    Windows1252,
    #[serde(rename = "iso-8859-1")]
    Iso88591,
}

impl Charset {
    /// The label as written in `Content-Type` and `<meta charset>`.
    pub fn label(self) -> &'static str {
        match self {
            Charset::Utf8 => "utf-8",
            Charset::Windows1252 => "windows-1252",
            Charset::Iso88591 => "iso-8859-1",
        }
    }

    /// The encoding decoders use for the label (WHATWG Encoding Standard), lower case: browsers
    /// and `encoding_rs` read `iso-8859-1` as windows-1252.
    pub fn whatwg_name(self) -> &'static str {
        match self {
            Charset::Utf8 => "utf-8",
            Charset::Windows1252 | Charset::Iso88591 => "windows-1252",
        }
    }
}

/// One site of the synthetic web, as the ground truth describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Site {
    pub index: usize,
    /// Display name, e.g. "Quiet Harbor".
    pub name: String,
    /// Registrable domain by the Public Suffix List (punycode for IDN sites).
    pub root_domain: String,
    /// The host serving the homepage.
    pub primary_host: String,
    /// Every host of the site that answers requests (primary first).
    pub hosts: Vec<String>,
    /// "https" or "http".
    pub scheme: String,
    /// Normalised homepage URL.
    pub home_url: String,
    pub ip: String,
    pub kind: SiteKind,
    pub language: Lang,
    /// Second language of a bilingual site (pages come in translated pairs).
    pub alt_language: Option<Lang>,
    pub charset: Charset,
    /// `<meta name="generator">` content, when the site's software writes one.
    pub generator: Option<String>,
    /// The `Server` response header.
    pub server: String,
    /// True popularity: this site's share of all external link choices (sums to 1).
    pub popularity: f64,
    /// The integer weight behind `popularity` (Zipf: proportional to 1 / rank).
    pub popularity_weight: u64,
    /// 1 = most popular.
    pub popularity_rank: usize,
}

/// Pages a site has beyond its homepage, archive, about and content pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Special {
    /// The RSS feed (blogs and news).
    Feed,
    /// An old URL answering 301 to a content page.
    Moved,
    /// `/latest/` answering 302 to the newest content page (relative `Location`).
    Latest,
    /// A linked URL answering 404 from the start.
    Missing,
    /// An old homepage with `<meta http-equiv=refresh>` to the homepage.
    Refresh,
    /// A page under a robots.txt `Disallow` rule (served, never crawled).
    Disallowed,
    /// `http://host/` answering 301 to `https://host/`.
    HttpUpgrade,
    /// `https://apex/` answering 301 to `https://www.apex/`.
    ApexRedirect,
}

/// Per-site switches for template features.
#[derive(Debug, Clone, Default)]
pub(crate) struct Features {
    pub canonical: bool,
    pub comments: bool,
    pub search_form: bool,
    /// Upper-case tags, unquoted attributes (old hand-written HTML).
    pub legacy_markup: bool,
    /// Slugs keep their accents (percent-encoded UTF-8 paths).
    pub unicode_slugs: bool,
    /// The first content page carries `<base href>` pointing at the site root.
    pub base_href: bool,
    /// The first content page is excluded by an `X-Robots-Tag: noindex` header.
    pub x_robots_noindex: bool,
    /// The first content page carries `<meta name=robots content=nofollow>`.
    pub meta_nofollow: bool,
    pub newsletter: bool,
}

/// A site's plan: its public description plus what the templates need.
#[derive(Debug, Clone)]
pub(crate) struct SitePlan {
    pub site: Site,
    /// The IDN host as people write it (Unicode), when the domain is internationalised.
    pub unicode_host: Option<String>,
    /// `blog.` or `docs.` host serving every third content page.
    pub secondary_host: Option<String>,
    /// Apex host that redirects to the `www.` host.
    pub apex_host: Option<String>,
    pub content_pages: usize,
    pub specials: Vec<Special>,
    pub features: Features,
    /// Varies paths and topics between sites.
    pub salt: u64,
    /// Position on the partner ring (see [`crate::Synth::partners`]).
    pub ring_pos: usize,
}

pub(crate) const HOME: usize = 0;
pub(crate) const ARCHIVE: usize = 1;
pub(crate) const ABOUT: usize = 2;
pub(crate) const FIRST_CONTENT: usize = 3;

const DAY: Micros = 86_400_000_000;
const HOUR: Micros = 3_600_000_000;

/// What a page index stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Home,
    Archive,
    About,
    /// The k-th content page.
    Content(usize),
    Special(Special),
    /// The page added by a scripted change (exists from epoch 1).
    Fresh,
}

impl SitePlan {
    /// Pages that exist in epoch 0 (the fresh page, if any, comes after them).
    pub(crate) fn base_pages(&self) -> usize {
        FIRST_CONTENT + self.content_pages + self.specials.len()
    }

    pub(crate) fn fresh_index(&self) -> usize {
        self.base_pages()
    }

    pub(crate) fn role(&self, idx: usize) -> Role {
        match idx {
            HOME => Role::Home,
            ARCHIVE => Role::Archive,
            ABOUT => Role::About,
            i if i < FIRST_CONTENT + self.content_pages => Role::Content(i - FIRST_CONTENT),
            i => match self.specials.get(i - FIRST_CONTENT - self.content_pages) {
                Some(s) => Role::Special(*s),
                None => Role::Fresh,
            },
        }
    }

    /// Index of a special page, if the site has it.
    pub(crate) fn special_index(&self, s: Special) -> Option<usize> {
        let pos = self.specials.iter().position(|x| *x == s)?;
        Some(FIRST_CONTENT + self.content_pages + pos)
    }

    pub(crate) fn is_bilingual(&self) -> bool {
        self.site.alt_language.is_some()
    }

    /// Language of a page.
    pub(crate) fn page_lang(&self, idx: usize) -> Lang {
        match (self.role(idx), self.site.alt_language) {
            (Role::Content(k), Some(alt)) if k % 2 == 1 => alt,
            _ => self.site.language,
        }
    }

    /// The topic of a content page; translated pairs share the topic index.
    fn topic_index(&self, k: usize) -> usize {
        let pair = if self.is_bilingual() { k / 2 } else { k };
        self.salt as usize + pair
    }

    pub(crate) fn topic(&self, idx: usize) -> &'static str {
        match self.role(idx) {
            Role::Content(k) => words::topic_at(self.page_lang(idx), self.topic_index(k)),
            _ => words::topic_at(self.site.language, self.salt as usize + idx),
        }
    }

    /// A content page's title (without the site name).
    pub(crate) fn page_title(&self, seed: u64, idx: usize) -> String {
        let lang = self.page_lang(idx);
        match self.role(idx) {
            Role::Home => self.site.name.clone(),
            Role::Archive => words::label(lang, words::Label::Archive).to_string(),
            Role::About => words::label(lang, words::Label::About).to_string(),
            _ => {
                let mut rng =
                    Rng::derive(seed, &[self.site.index as u64, idx as u64, tag("title")]);
                match self.site.kind {
                    SiteKind::Shop => words::product(&mut rng, lang, self.topic(idx)),
                    _ => words::title(&mut rng, lang, self.topic(idx)),
                }
            }
        }
    }

    /// Publication time of a content page: one every four days going back from `start`;
    /// the fresh page is published between epoch 0 and epoch 1.
    pub(crate) fn published(&self, seed: u64, start: Micros, idx: usize) -> Micros {
        let mut rng = Rng::derive(seed, &[self.site.index as u64, idx as u64, tag("date")]);
        let hours = rng.range(6, 20) as i64 * HOUR;
        match self.role(idx) {
            Role::Fresh => start + 25 * DAY + hours,
            Role::Content(k) => start - (4 * k as i64 + 1 + (self.salt % 3) as i64) * DAY + hours,
            _ => start - 400 * DAY,
        }
    }

    fn host_of(&self, idx: usize) -> &str {
        match (self.role(idx), &self.secondary_host) {
            (Role::Content(k), Some(h)) if k % 3 == 2 => h,
            (Role::Special(Special::ApexRedirect), _) => {
                self.apex_host.as_deref().unwrap_or(&self.site.primary_host)
            }
            _ => &self.site.primary_host,
        }
    }

    /// The normalised URL of page `idx`.
    pub(crate) fn page_url(&self, seed: u64, start: Micros, idx: usize) -> String {
        let scheme = match self.role(idx) {
            Role::Special(Special::HttpUpgrade) => "http",
            _ => &self.site.scheme,
        };
        format!(
            "{scheme}://{}{}",
            self.host_of(idx),
            self.page_path(seed, start, idx)
        )
    }

    fn page_path(&self, seed: u64, start: Micros, idx: usize) -> String {
        let lang = self.site.language;
        match self.role(idx) {
            Role::Home => "/".into(),
            Role::Archive => archive_path(self.site.kind).into(),
            Role::About => about_path(lang).into(),
            Role::Content(k) => self.content_path(seed, start, idx, k),
            Role::Fresh => {
                let slug = words::slug(&self.page_title(seed, idx), false);
                format!("/announcements/{slug}/")
            }
            Role::Special(s) => self.special_path(s),
        }
    }

    fn content_path(&self, seed: u64, start: Micros, idx: usize, k: usize) -> String {
        let uni = self.features.unicode_slugs;
        let primary = words::topic_at(self.site.language, self.topic_index(k));
        // Topic-named pages repeat after the topic list is used up: number the later rounds.
        let round = k / if self.is_bilingual() {
            2 * words::TOPIC_COUNT
        } else {
            words::TOPIC_COUNT
        };
        let topic_slug = match round {
            0 => words::slug(primary, uni),
            r => format!("{}-{}", words::slug(primary, uni), r + 1),
        };
        let date = to_date(self.published(seed, start, idx));
        let path = match self.site.kind {
            SiteKind::Blog => format!(
                "/{}/{:02}/{}/",
                date.year(),
                date.month(),
                words::slug(&self.page_title(seed, idx), uni)
            ),
            SiteKind::News => {
                const SECTIONS: [&str; 6] =
                    ["world", "business", "tech", "culture", "sport", "local"];
                let section = SECTIONS[(k + self.salt as usize) % SECTIONS.len()];
                let (y, m, d) = (date.year(), date.month(), date.day());
                format!("/{section}/{y}/{m:02}/{d:02}/{}", words::slug(primary, uni))
            }
            SiteKind::Shop => format!("/products/{}-{}", words::slug(primary, uni), 100 + k),
            SiteKind::Docs => format!("/docs/{topic_slug}.html"),
            SiteKind::Forum => format!(
                "/t/{}/{}",
                words::slug(&self.page_title(seed, idx), uni),
                1000 + 7 * k + (self.salt % 7) as usize
            ),
            SiteKind::University => format!("/research/{topic_slug}/"),
            SiteKind::Government => format!("/services/{topic_slug}/"),
        };
        match self.site.alt_language {
            Some(_) => format!("/{}{path}", self.page_lang(idx).code()),
            None => path,
        }
    }

    fn special_path(&self, s: Special) -> String {
        match s {
            Special::Feed => match self.site.kind {
                SiteKind::Blog => "/feed/".into(),
                SiteKind::News => "/rss.xml".into(),
                _ => "/feed.xml".into(),
            },
            // WordPress-style short links that were never updated.
            Special::Moved => format!("/?p={}", 100 + self.salt % 900),
            Special::Latest => "/latest/".into(),
            Special::Missing => {
                let topic = words::topic_at(Lang::En, self.salt as usize + 7);
                format!("/events/2019-{}/", words::slug(topic, false))
            }
            Special::Refresh => "/old-home.html".into(),
            Special::Disallowed => match self.site.kind {
                SiteKind::Shop => "/cart/".into(),
                _ => "/private/staff/".into(),
            },
            Special::HttpUpgrade | Special::ApexRedirect => "/".into(),
        }
    }

    /// Where a redirecting special page points (page index within the site).
    pub(crate) fn special_target(&self, s: Special) -> usize {
        match s {
            Special::Moved => FIRST_CONTENT + (self.salt as usize % self.content_pages.max(1)),
            _ => HOME,
        }
        .min(self.base_pages().saturating_sub(1))
    }

    /// The path prefixes robots.txt disallows for every user agent.
    pub(crate) fn robots_disallows(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if self.features.search_form {
            v.push("/search");
        }
        match self.site.kind {
            SiteKind::Shop => v.push("/cart/"),
            SiteKind::University => v.push("/private/"),
            _ => {}
        }
        if self
            .site
            .generator
            .as_deref()
            .is_some_and(|g| g.starts_with("WordPress"))
        {
            v.push("/wp-admin/");
        }
        v
    }
}

pub(crate) fn to_date(ts: Micros) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_micros(ts).unwrap_or_default()
}

fn archive_path(kind: SiteKind) -> &'static str {
    match kind {
        SiteKind::Blog => "/archive/",
        SiteKind::News => "/news/",
        SiteKind::Shop => "/products/",
        SiteKind::Docs => "/docs/",
        SiteKind::Forum => "/categories/",
        SiteKind::University => "/research/",
        SiteKind::Government => "/services/",
    }
}

fn about_path(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "/about/",
        Lang::De => "/ueber-uns/",
        Lang::Fr => "/a-propos/",
        Lang::Es => "/sobre-nosotros/",
    }
}

/// Plans every site of the web.
pub(crate) fn plan_sites(config: &SynthConfig) -> Vec<SitePlan> {
    let n = config.total_sites();
    let mut rng = Rng::derive(config.seed, &[tag("plan")]);
    let (kinds, langs) = kinds_and_languages(&mut rng, n);
    // True popularity: Zipf (weight ∝ 1/rank) over a random permutation of the sites, so that
    // popularity is independent of kind, language and index.
    let mut ranks: Vec<usize> = (1..=n).collect();
    rng.shuffle(&mut ranks);
    let weights: Vec<u64> = ranks.iter().map(|&r| zipf_weight(r)).collect();
    let total: u64 = weights.iter().sum();
    let blocks = ip_blocks(n);
    let mut used = BTreeSet::new();
    let mut plans: Vec<SitePlan> = (0..n)
        .map(|i| {
            let id = Identity {
                kind: kinds[i],
                lang: langs[i],
                rank: ranks[i],
                weight: weights[i],
            };
            plan_site(config, i, id, total, &blocks, &mut used)
        })
        .collect();
    assign_features(&mut rng, &mut plans);
    let mut ring: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut ring);
    for (pos, &site) in ring.iter().enumerate() {
        plans[site].ring_pos = pos;
    }
    plans
}

/// Zipf weight for a popularity rank: an integer, so sampling never depends on floating point.
pub(crate) fn zipf_weight(rank: usize) -> u64 {
    1_000_000_000_000 / rank.max(1) as u64
}

const KIND_CYCLE: [SiteKind; 12] = [
    SiteKind::Blog,
    SiteKind::Shop,
    SiteKind::News,
    SiteKind::Docs,
    SiteKind::Blog,
    SiteKind::Forum,
    SiteKind::University,
    SiteKind::Blog,
    SiteKind::Shop,
    SiteKind::Government,
    SiteKind::News,
    SiteKind::Blog,
];

/// Kinds follow a fixed cycle (so every kind appears in any web of a dozen sites) from a seeded
/// offset; languages are drawn, then the first sites that may change language make sure German,
/// French and Spanish are all present.
fn kinds_and_languages(rng: &mut Rng, n: usize) -> (Vec<SiteKind>, Vec<Lang>) {
    let offset = rng.index(KIND_CYCLE.len());
    let kinds: Vec<SiteKind> = (0..n)
        .map(|i| KIND_CYCLE[(i + offset) % KIND_CYCLE.len()])
        .collect();
    let mut langs: Vec<Lang> = kinds
        .iter()
        .map(|k| match k {
            SiteKind::University | SiteKind::Government => Lang::En,
            SiteKind::Docs => rng.pick(&[Lang::En, Lang::En, Lang::En, Lang::En, Lang::De]),
            _ => match rng.below(100) {
                0..64 => Lang::En,
                64..76 => Lang::De,
                76..88 => Lang::Fr,
                _ => Lang::Es,
            },
        })
        .collect();
    for want in [Lang::De, Lang::Fr, Lang::Es] {
        if n >= 8 && !langs.contains(&want) {
            let flexible = |i: &usize| {
                matches!(
                    kinds[*i],
                    SiteKind::Blog | SiteKind::News | SiteKind::Shop | SiteKind::Forum
                ) && langs[*i] == Lang::En
            };
            if let Some(i) = (0..n).rev().find(flexible) {
                langs[i] = want;
            }
        }
    }
    (kinds, langs)
}

/// /24 networks: the three documentation ranges (shared by many sites, so class-C counts mean
/// something) and enough others for large webs.
fn ip_blocks(n: usize) -> Vec<String> {
    let mut blocks: Vec<String> = ["203.0.113", "198.51.100", "192.0.2"]
        .map(String::from)
        .to_vec();
    for k in 0..(n / 4).max(3) {
        blocks.push(match k {
            0..256 => format!("100.64.{k}"),
            _ => format!("10.{}.{}", (k / 256) % 256, k % 256),
        });
    }
    blocks
}

struct Identity {
    kind: SiteKind,
    lang: Lang,
    rank: usize,
    weight: u64,
}

fn plan_site(
    config: &SynthConfig,
    i: usize,
    id: Identity,
    total: u64,
    blocks: &[String],
    used: &mut BTreeSet<String>,
) -> SitePlan {
    let mut rng = Rng::derive(config.seed, &[i as u64, tag("site")]);
    let (name, unicode_root) = site_name(&mut rng, id.kind, id.lang, i, used);
    let root = ascii_host(&unicode_root);
    let hosts = plan_hosts(&mut rng, id.kind, &root, &unicode_root);
    let scheme = if rng.chance(85) { "https" } else { "http" };
    let pages = rng.range(config.min_pages, config.max_pages.max(config.min_pages));
    let generator = generator(&mut rng, id.kind).map(String::from);
    let server = server(&mut rng, id.kind, generator.as_deref()).to_string();
    let ip = site_ip(&mut rng, blocks);
    let mut all_hosts = vec![hosts.primary.clone()];
    all_hosts.extend(hosts.secondary.iter().cloned());
    all_hosts.extend(hosts.apex.iter().cloned());
    let site = Site {
        index: i,
        name,
        root_domain: root_domain(&root).to_string(),
        home_url: format!("{scheme}://{}/", hosts.primary),
        primary_host: hosts.primary,
        hosts: all_hosts,
        scheme: scheme.into(),
        ip,
        kind: id.kind,
        language: id.lang,
        alt_language: None,
        charset: Charset::Utf8,
        generator,
        server,
        popularity: id.weight as f64 / total.max(1) as f64,
        popularity_weight: id.weight,
        popularity_rank: id.rank,
    };
    let features = draw_features(&mut rng, id.kind);
    let mut plan = SitePlan {
        unicode_host: hosts.unicode,
        site,
        secondary_host: hosts.secondary,
        apex_host: hosts.apex,
        content_pages: pages.saturating_sub(FIRST_CONTENT).max(2),
        specials: Vec::new(),
        features,
        salt: rng.below(1000),
        ring_pos: 0,
    };
    plan.specials = initial_specials(&mut rng, &plan, scheme == "https");
    plan
}

struct Hosts {
    primary: String,
    secondary: Option<String>,
    apex: Option<String>,
    /// The primary host in Unicode, for IDN sites.
    unicode: Option<String>,
}

/// `www.` or not, a `blog.`/`docs.` host for some shops and docs sites, and for half of the
/// `www.` sites an apex host that redirects to it.
fn plan_hosts(rng: &mut Rng, kind: SiteKind, root: &str, unicode_root: &str) -> Hosts {
    let www = rng.chance(match kind {
        SiteKind::University | SiteKind::Government | SiteKind::Docs => 80,
        _ => 40,
    });
    let prefix = if www { "www." } else { "" };
    let secondary = match kind {
        SiteKind::Shop if rng.chance(35) => Some(format!("blog.{root}")),
        SiteKind::Docs if rng.chance(60) => Some(format!("docs.{root}")),
        _ => None,
    };
    Hosts {
        primary: format!("{prefix}{root}"),
        secondary,
        apex: (www && rng.chance(50)).then(|| root.to_string()),
        unicode: (unicode_root != root).then(|| format!("{prefix}{unicode_root}")),
    }
}

/// An address in a documentation range half of the time (so those /24s are crowded), else in
/// any block.
fn site_ip(rng: &mut Rng, blocks: &[String]) -> String {
    let block = if rng.chance(45) {
        rng.index(3)
    } else {
        rng.index(blocks.len())
    };
    let prefix = blocks.get(block).map_or("192.0.2", |b| b.as_str());
    format!("{prefix}.{}", 10 + rng.below(240))
}

fn draw_features(rng: &mut Rng, kind: SiteKind) -> Features {
    Features {
        canonical: rng.chance(60),
        comments: matches!(kind, SiteKind::Blog | SiteKind::News) && rng.chance(70),
        search_form: rng.chance(50),
        newsletter: rng.chance(30),
        ..Features::default()
    }
}

fn initial_specials(rng: &mut Rng, plan: &SitePlan, https: bool) -> Vec<Special> {
    let kind = plan.site.kind;
    let mut v = Vec::new();
    let mut add = |s: Special, yes: bool| {
        if yes {
            v.push(s);
        }
    };
    add(
        Special::Feed,
        matches!(kind, SiteKind::Blog | SiteKind::News),
    );
    add(Special::Moved, rng.chance(20));
    add(Special::Latest, rng.chance(12));
    add(Special::Missing, rng.chance(25));
    add(Special::Refresh, rng.chance(10));
    add(
        Special::Disallowed,
        matches!(kind, SiteKind::Shop | SiteKind::University),
    );
    add(Special::HttpUpgrade, https && rng.chance(35));
    add(Special::ApexRedirect, plan.apex_host.is_some());
    v
}

/// Marks, in the set of used domains, that the web already has its IDN site.
const IDN_MARK: &str = "#idn";

/// A unique name and root domain (Unicode form for IDN domains).
fn site_name(
    rng: &mut Rng,
    kind: SiteKind,
    lang: Lang,
    i: usize,
    used: &mut BTreeSet<String>,
) -> (String, String) {
    for attempt in 0..12 {
        let head = rng.pick(&words::NAME_HEADS);
        let tail = rng.pick(&words::NAME_TAILS[kind as usize]);
        // One internationalised domain per web (the first German blog): its host is punycode
        // once normalised.
        let idn = lang == Lang::De && kind == SiteKind::Blog && !used.contains(IDN_MARK);
        let (name, label) = if idn {
            let t = rng.pick(&["ecke", "stube", "wurm", "regal", "kiste"]);
            (format!("Bücher{t}"), format!("bücher{t}"))
        } else {
            let hyphen = if rng.chance(20) { "-" } else { "" };
            (
                display_name(kind, head, tail),
                format!("{head}{hyphen}{tail}"),
            )
        };
        let label = if attempt >= 8 {
            format!("{label}{i}")
        } else {
            label
        };
        let domain = format!("{label}.{}", tld(rng, kind, lang));
        if used.insert(domain.clone()) {
            if idn {
                used.insert(IDN_MARK.to_string());
            }
            return (name, domain);
        }
    }
    let domain = format!("site{i}.example.com");
    used.insert(domain.clone());
    (format!("Site {i}"), domain)
}

fn display_name(kind: SiteKind, head: &str, tail: &str) -> String {
    let (h, t) = (words::capitalise(head), words::capitalise(tail));
    match kind {
        SiteKind::University => format!("{h}{tail} University"),
        SiteKind::Government => format!("{h} {t} Council"),
        _ => format!("{h} {t}"),
    }
}

fn tld(rng: &mut Rng, kind: SiteKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (SiteKind::University, _) => rng.pick(&["edu", "edu", "edu", "ac.uk", "ac.uk"]),
        (SiteKind::Government, _) => rng.pick(&["gov", "gov", "gov", "gov.uk", "gov.uk"]),
        (_, Lang::De) => rng.pick(&["de", "de", "de", "de", "com"]),
        (_, Lang::Fr) => rng.pick(&["fr", "fr", "fr", "fr", "org"]),
        (_, Lang::Es) => rng.pick(&["es", "es", "es", "es", "net"]),
        (SiteKind::Docs, Lang::En) => rng.pick(&["io", "io", "dev", "com", "org"]),
        (_, Lang::En) => rng.pick(&[
            "com", "com", "com", "com", "org", "net", "io", "co.uk", "co.uk", "com",
        ]),
    }
}

/// The ASCII (punycode) form of a host, as normalisation writes it.
fn ascii_host(host: &str) -> String {
    NormalizedUrl::parse(&format!("http://{host}/"))
        .map(|u| u.host().to_string())
        .unwrap_or_else(|_| host.to_string())
}

fn generator(rng: &mut Rng, kind: SiteKind) -> Option<&'static str> {
    const WP: &str = "WordPress 6.4.2";
    const DRUPAL: &str = "Drupal 10 (https://www.drupal.org)";
    const HUGO: &str = "Hugo 0.121.1";
    match kind {
        SiteKind::Blog => rng.pick(&[
            Some(WP),
            Some(WP),
            Some("Ghost 5.75"),
            Some(HUGO),
            Some("Jekyll v4.3.2"),
            None,
        ]),
        SiteKind::News => rng.pick(&[Some(WP), Some(DRUPAL), None]),
        SiteKind::Shop => rng.pick(&[Some("WooCommerce 8.3.1"), None]),
        SiteKind::Docs => rng.pick(&[Some(HUGO), Some("Docusaurus v3.0.1"), Some("MkDocs-1.5.3")]),
        SiteKind::Forum => rng.pick(&[Some("Discourse 3.1.3"), None]),
        SiteKind::University => rng.pick(&[Some(DRUPAL), Some(WP)]),
        SiteKind::Government => rng.pick(&[Some(DRUPAL), None]),
    }
}

/// Where a generator's "Powered by" link points (outside the synthetic web).
pub(crate) fn generator_home(generator: &str) -> Option<(&'static str, &'static str)> {
    const HOMES: [(&str, &str, &str); 9] = [
        ("WordPress", "https://wordpress.org/", "WordPress"),
        ("Ghost", "https://ghost.org/", "Ghost"),
        ("Hugo", "https://gohugo.io/", "Hugo"),
        ("Jekyll", "https://jekyllrb.com/", "Jekyll"),
        ("Drupal", "https://www.drupal.org/", "Drupal"),
        ("WooCommerce", "https://woocommerce.com/", "WooCommerce"),
        ("Docusaurus", "https://docusaurus.io/", "Docusaurus"),
        ("MkDocs", "https://www.mkdocs.org/", "MkDocs"),
        ("Discourse", "https://www.discourse.org/", "Discourse"),
    ];
    HOMES
        .iter()
        .find(|(p, _, _)| generator.starts_with(p))
        .map(|(_, u, n)| (*u, *n))
}

fn server(rng: &mut Rng, kind: SiteKind, generator: Option<&str>) -> &'static str {
    match (kind, generator) {
        (SiteKind::Government, _) => rng.pick(&["Microsoft-IIS/10.0", "Apache"]),
        (_, Some(g)) if g.starts_with("WordPress") => {
            rng.pick(&["nginx/1.24.0", "Apache/2.4.58 (Ubuntu)"])
        }
        _ => rng.pick(&["nginx", "cloudflare", "Apache", "openresty"]),
    }
}

/// Features that must appear at least once in any web big enough to hold them (tests rely on
/// them), spread at a realistic rate in bigger webs.
fn assign_features(rng: &mut Rng, plans: &mut [SitePlan]) {
    assign_charsets(rng, plans);
    assign_languages(rng, plans);
    assign_page_features(rng, plans);
    ensure_specials(rng, plans);
}

/// A share of the web, at least one site.
fn share(plans: &[SitePlan], percent: usize) -> usize {
    (plans.len() * percent / 100).max(1)
}

/// Legacy charsets go to old-fashioned sites, preferably non-English ones (whose accents
/// make a wrong decoding visible), never to docs sites.
fn assign_charsets(rng: &mut Rng, plans: &mut [SitePlan]) {
    let legacy_ok = |p: &SitePlan| p.site.kind != SiteKind::Docs && p.site.charset == Charset::Utf8;
    for (charset, percent) in [(Charset::Windows1252, 8), (Charset::Iso88591, 6)] {
        let count = share(plans, percent);
        let preferred = choose(rng, plans, count, |p| {
            legacy_ok(p) && p.site.language != Lang::En
        });
        let fallback = choose(rng, plans, 1, legacy_ok);
        for i in preferred.into_iter().chain(fallback).take(count) {
            plans[i].site.charset = charset;
            plans[i].features.legacy_markup = true;
        }
    }
}

/// Accented (percent-encoded) slugs on a few non-English UTF-8 sites; a second language on
/// some English docs, university and government sites.
fn assign_languages(rng: &mut Rng, plans: &mut [SitePlan]) {
    let slug_ok = |p: &SitePlan| p.site.language != Lang::En && p.site.charset == Charset::Utf8;
    for i in choose(rng, plans, share(plans, 3), slug_ok) {
        plans[i].features.unicode_slugs = true;
    }
    let bilingual_ok = |p: &SitePlan| {
        matches!(
            p.site.kind,
            SiteKind::Docs | SiteKind::University | SiteKind::Government
        ) && p.secondary_host.is_none()
            && p.site.language == Lang::En
    };
    for i in choose(rng, plans, share(plans, 8), bilingual_ok) {
        let p = &mut plans[i];
        p.site.alt_language = Some(rng.pick(&[Lang::De, Lang::Fr, Lang::Es]));
        // Pages come in pairs, so an even number of them, two pairs at least.
        p.content_pages = p.content_pages.max(4) & !1;
    }
}

/// Features carried by one page of a site (its first content page).
fn assign_page_features(rng: &mut Rng, plans: &mut [SitePlan]) {
    let count = share(plans, 5);
    for i in choose(rng, plans, count, |p| {
        p.site.kind == SiteKind::Docs && !p.is_bilingual()
    }) {
        plans[i].features.base_href = true;
    }
    for i in choose(rng, plans, count, |p| p.site.kind == SiteKind::News) {
        plans[i].features.x_robots_noindex = true;
    }
    for i in choose(rng, plans, count, |p| p.site.kind == SiteKind::Forum) {
        plans[i].features.meta_nofollow = true;
    }
}

/// Every web of a few sites has each kind of odd URL at least once.
fn ensure_specials(rng: &mut Rng, plans: &mut [SitePlan]) {
    if plans.len() < 7 {
        return;
    }
    for s in [
        Special::Moved,
        Special::Latest,
        Special::Missing,
        Special::Refresh,
    ] {
        if !plans.iter().any(|p| p.specials.contains(&s)) {
            for i in choose(rng, plans, 1, |_| true) {
                plans[i].specials.push(s);
            }
        }
    }
}

/// Up to `count` distinct sites satisfying `ok`, chosen at random.
fn choose(
    rng: &mut Rng,
    plans: &[SitePlan],
    count: usize,
    ok: impl Fn(&SitePlan) -> bool,
) -> Vec<usize> {
    let mut eligible: Vec<usize> = (0..plans.len()).filter(|&i| ok(&plans[i])).collect();
    rng.shuffle(&mut eligible);
    eligible.truncate(count);
    eligible.sort_unstable();
    eligible
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_are_varied_and_unique() {
        let config = SynthConfig::default();
        let plans = plan_sites(&config);
        assert_eq!(plans.len(), config.sites);
        let roots: BTreeSet<&str> = plans.iter().map(|p| p.site.root_domain.as_str()).collect();
        assert_eq!(roots.len(), plans.len(), "root domains must be unique");
        for kind in [
            SiteKind::Blog,
            SiteKind::News,
            SiteKind::Shop,
            SiteKind::Docs,
            SiteKind::Forum,
            SiteKind::University,
            SiteKind::Government,
        ] {
            assert!(plans.iter().any(|p| p.site.kind == kind), "{kind:?}");
        }
        for lang in [Lang::En, Lang::De, Lang::Fr, Lang::Es] {
            assert!(plans.iter().any(|p| p.site.language == lang), "{lang:?}");
        }
        for cs in [Charset::Windows1252, Charset::Iso88591] {
            assert!(plans.iter().any(|p| p.site.charset == cs), "{cs:?}");
        }
        assert!(plans.iter().any(|p| p.is_bilingual()));
        assert!(plans.iter().any(|p| p.features.unicode_slugs));
        assert!(plans.iter().any(
            |p| p.site.root_domain.ends_with(".edu") || p.site.root_domain.ends_with(".ac.uk")
        ));
        assert!(plans.iter().any(
            |p| p.site.root_domain.ends_with(".gov") || p.site.root_domain.ends_with(".gov.uk")
        ));
        assert!(plans.iter().any(|p| p.secondary_host.is_some()));
        assert!(
            plans
                .iter()
                .any(|p| p.site.primary_host.starts_with("www."))
        );
    }

    #[test]
    fn page_urls_are_unique_and_normalised() {
        let config = SynthConfig::default();
        for plan in plan_sites(&config) {
            let mut seen = BTreeSet::new();
            for idx in 0..=plan.base_pages() {
                let url = plan.page_url(config.seed, config.start, idx);
                let norm = NormalizedUrl::parse(&url).map(|u| u.as_str().to_string());
                assert_eq!(norm.as_deref(), Ok(url.as_str()));
                assert!(seen.insert(url.clone()), "duplicate {url}");
            }
        }
    }
}
