//! A deterministic synthetic web with its ground truth.
//!
//! `anchorage demo` writes it as WARC, ingests, builds and serves it; tests check extraction,
//! link history and metrics against the truth *exactly*. Same seed, same bytes, forever: all
//! randomness comes from a hand-written SplitMix64 (module `rng`), drawn from streams keyed by
//! (site, page, purpose), with integer-only decisions.
//!
//! # The model
//!
//! - **Sites** ([`plan`]): dozens of made-up root domains (`.com .org .net .io .co.uk`, national
//!   TLDs for German, French and Spanish sites, `.edu`/`.ac.uk` universities, `.gov`/`.gov.uk`
//!   councils, one internationalised domain now and then), some on `www.`, some with a `blog.` or
//!   `docs.` host; each with an IPv4 address from a handful of /24 networks (mostly the
//!   documentation ranges, so many sites share a class C), a kind (blog, news, shop, docs, forum,
//!   university, government), a language, a charset (a few windows-1252 and ISO-8859-1 sites),
//!   a generator (WordPress, Hugo, Drupal, Ghost, …) and a page count.
//! - **Popularity**: Zipf — the site of popularity rank r has weight ∝ 1/r — over a random
//!   permutation of the sites. Every external link in page content chooses its target site
//!   with probability proportional to that weight (preferential attachment), and so do blogrolls
//!   and the related-organisation lists of universities and councils: link counts follow a
//!   power law with a heavy head. Independent draws alone leave the number of *distinct*
//!   referring domains of similarly popular sites to chance (with 40 sites, a domain-level
//!   PageRank then correlates only ~0.85 with popularity), so each site's about page also lists
//!   "partners" from a ring that owes every site a number of referring domains falling linearly
//!   with its popularity rank ([`Synth::partners`]). A domain PageRank over dofollow links then
//!   recovers the popularity order with a Spearman correlation of 0.95–0.98 (100 seeds checked).
//! - **Pages** (module `templates`): homepage, archive, about, content pages (articles, products,
//!   forum topics, docs) with header/nav/main/article/aside/footer, text in the page's
//!   language, inline internal and external links, image links, iframes, forms, comment
//!   sections with `ugc` links, sponsored and nofollow links, canonical, hreflang alternates,
//!   RSS feeds, JSON-LD authorship; plus a few special URLs: 301/302 redirects, a 404, a meta
//!   refresh, an `http://` → `https://` and an apex → `www.` redirect, robots-disallowed pages.
//!   Hrefs are spelled in every way real pages do (relative, `../`, protocol-relative,
//!   `<base href>`, mixed-case hosts, entities, raw Unicode paths) and all resolve to the
//!   normalised URLs of the truth.
//! - **Changes** (module `changes`): epoch 1 applies one scripted change of each kind (link
//!   removed, noindex, 301, 404, 410, 500, 503, canonical moved, link added, page added),
//!   epoch 2 restores the removed link; the truth records each change's expected effect on
//!   links. Epoch k is fetched around `start + k × 30 days`, pages a few seconds apart.
//! - **Truth** ([`truth`]): every link of every page with the attributes an extractor must
//!   find, page facts, changes, robots rules; serialisable to JSON.
//!
//! # Serving it
//!
//! With the `server` feature, [`server::SynthServer`] serves a web on loopback (HTTP and
//! HTTPS with a throwaway CA, routed by `Host`) for `anchorage demo` and the crawler's tests.
//!
//! # Size
//!
//! The default configuration (40 sites, 5–40 pages each) is about 900 crawlable URLs and 24,000
//! links (8,000 external), generated in about 0.1 s (release build). `scale` multiplies the
//! number of sites; generation is per site ([`Synth::site_output`], [`Synth::responses`],
//! [`generate_streaming`]), so memory stays bounded by one site whatever the scale: scale 420 is
//! about ten million links, some 4 s per million links on one core (sites are independent and
//! `Synth` is `Sync`, so they can be generated in parallel).

mod archive;
pub use archive::write_streaming_warc;
mod changes;
pub(crate) mod doc;
mod href;
pub mod plan;
mod rng;
#[cfg(feature = "server")]
pub mod server;
mod templates;
pub mod truth;
mod web;
mod words;

#[cfg(test)]
mod tests;

pub use plan::{Charset, Site, SiteKind};
pub use truth::{
    ChangeKind, DiscoveredStatus, GroundTruth, LinkEffect, LostReason, RobotsRule, ScriptedChange,
    TruthLink, TruthPage,
};
pub use web::{SiteOutput, Synth, SynthResponse};
pub use words::Lang;

use anchorage_core::NormalizedUrl;
use anchorage_core::time::Micros;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// 2024-01-01T00:00:00Z.
pub const DEFAULT_START: Micros = 1_704_067_200_000_000;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynthConfig {
    pub seed: u64,
    /// Number of sites (before `scale`).
    pub sites: usize,
    /// Pages per site (homepage, archive, about and content pages; special URLs come on top).
    pub min_pages: usize,
    pub max_pages: usize,
    /// When epoch 0 is fetched.
    pub start: Micros,
    /// Multiplies the number of sites: ~20k links per unit of scale at the default sizes.
    pub scale: usize,
}

impl Default for SynthConfig {
    fn default() -> Self {
        SynthConfig {
            seed: 42,
            sites: 40,
            min_pages: 5,
            max_pages: 40,
            start: DEFAULT_START,
            scale: 1,
        }
    }
}

impl SynthConfig {
    /// The default web with another seed.
    pub fn with_seed(seed: u64) -> Self {
        SynthConfig {
            seed,
            ..Self::default()
        }
    }

    pub fn total_sites(&self) -> usize {
        self.sites.saturating_mul(self.scale.max(1))
    }
}

/// One epoch of the synthetic web, fully materialised.
#[derive(Debug, Clone)]
pub struct SyntheticWeb {
    pub epoch: u32,
    pub sites: Vec<Site>,
    /// Crawlable responses, site by site in fetch order: what a WARC of the crawl holds.
    pub responses: Vec<SynthResponse>,
    /// `robots.txt` of every host.
    pub robots: Vec<SynthResponse>,
    /// Robots-disallowed pages: served on request, absent from the crawl.
    pub disallowed: Vec<SynthResponse>,
    pub truth: GroundTruth,
    /// Normalised URL → (list, position): 0 responses, 1 robots, 2 disallowed.
    index: BTreeMap<String, (u8, usize)>,
}

/// Generates epoch `epoch` of the web described by `config`.
pub fn generate(config: &SynthConfig, epoch: u32) -> SyntheticWeb {
    Synth::new(config).generate(epoch)
}

/// The crawlable responses of an epoch, one site at a time.
pub fn generate_streaming(config: &SynthConfig, epoch: u32) -> impl Iterator<Item = SynthResponse> {
    generate_streaming_share(config, epoch, 100)
}

/// [`generate_streaming`] for `percent` of the sites only (those whose index modulo 100 is
/// below it): a partial recrawl, as an incremental build sees it.
pub fn generate_streaming_share(
    config: &SynthConfig,
    epoch: u32,
    percent: u8,
) -> impl Iterator<Item = SynthResponse> {
    let synth = Synth::new(config);
    (0..synth.site_count())
        .filter(move |s| s % 100 < usize::from(percent))
        .flat_map(move |s| synth.site_responses(s, epoch))
}

impl Synth {
    /// Materialises one epoch with its truth.
    pub fn generate(&self, epoch: u32) -> SyntheticWeb {
        let mut web = SyntheticWeb {
            epoch,
            sites: self.sites().cloned().collect(),
            responses: Vec::new(),
            robots: Vec::new(),
            disallowed: Vec::new(),
            truth: GroundTruth {
                seed: self.config.seed,
                epoch,
                sites: self.sites().cloned().collect(),
                pages: Vec::new(),
                links: Vec::new(),
                feed_links: Vec::new(),
                changes: self
                    .changes
                    .iter()
                    .filter(|c| c.epoch <= epoch)
                    .cloned()
                    .collect(),
                robots: Vec::new(),
            },
            index: BTreeMap::new(),
        };
        let mut disallowed_pages = Vec::new();
        for site in 0..self.site_count() {
            let out = self.site_output(site, epoch);
            let crawled = out.responses.len();
            let mut pages = out.pages;
            disallowed_pages.extend(pages.split_off(crawled.min(pages.len())));
            web.truth.pages.extend(pages);
            web.truth.links.extend(out.links);
            web.truth.feed_links.extend(out.feed_links);
            web.truth.robots.extend(out.robots_rules);
            web.responses.extend(out.responses);
            web.robots.extend(out.robots);
            web.disallowed.extend(out.disallowed);
        }
        web.truth.pages.extend(disallowed_pages);
        web.build_index();
        web
    }

    /// Crawlable responses of an epoch, generated site by site.
    pub fn responses(&self, epoch: u32) -> impl Iterator<Item = SynthResponse> + '_ {
        (0..self.site_count()).flat_map(move |s| self.site_responses(s, epoch))
    }

    /// Truth links of an epoch, generated site by site.
    pub fn truth_links(&self, epoch: u32) -> impl Iterator<Item = TruthLink> + '_ {
        (0..self.site_count()).flat_map(move |s| self.site_output(s, epoch).links)
    }
}

impl SyntheticWeb {
    fn build_index(&mut self) {
        let lists = [&self.responses, &self.robots, &self.disallowed];
        for (li, list) in lists.into_iter().enumerate() {
            for (i, r) in list.iter().enumerate() {
                self.index.entry(r.url.clone()).or_insert((li as u8, i));
            }
        }
    }

    /// The response a server should give for `url` (normalised first); `None` means 404.
    pub fn response_for(&self, url: &str) -> Option<&SynthResponse> {
        let key = NormalizedUrl::parse(url)
            .map(|u| u.as_str().to_string())
            .unwrap_or_else(|_| url.to_string());
        let (list, i) = *self.index.get(&key)?;
        match list {
            0 => self.responses.get(i),
            1 => self.robots.get(i),
            _ => self.disallowed.get(i),
        }
    }

    /// The ground truth as JSON.
    pub fn truth_json(&self) -> String {
        self.truth.to_json()
    }

    pub fn external_backlinks_to(&self, root_domain: &str) -> Vec<&TruthLink> {
        self.truth.external_backlinks_to(root_domain)
    }

    pub fn sites_by_popularity(&self) -> Vec<&Site> {
        self.truth.sites_by_popularity()
    }

    /// Every host of the web (what a test DNS or proxy must answer for).
    pub fn hosts(&self) -> Vec<&str> {
        self.sites
            .iter()
            .flat_map(|s| s.hosts.iter().map(String::as_str))
            .collect()
    }
}
