//! Crate-level tests: determinism, encodings, an independent check of the truth against the
//! HTML, normalisation, scripted changes, popularity and size.

use crate::*;
use anchorage_core::NormalizedUrl;
use anchorage_core::record::LinkElement;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// The default web's three first epochs, generated once for all tests.
fn webs() -> &'static [SyntheticWeb; 3] {
    static WEBS: OnceLock<[SyntheticWeb; 3]> = OnceLock::new();
    WEBS.get_or_init(|| {
        let synth = Synth::new(&SynthConfig::default());
        [synth.generate(0), synth.generate(1), synth.generate(2)]
    })
}

fn web0() -> &'static SyntheticWeb {
    &webs()[0]
}

fn norm(u: &str) -> String {
    NormalizedUrl::parse(u)
        .map(|n| n.as_str().to_string())
        .unwrap_or_default()
}

// ---- determinism ----------------------------------------------------------------------------

#[test]
fn same_seed_same_bytes() {
    let again = generate(&SynthConfig::default(), 0);
    assert_eq!(again.responses, web0().responses);
    assert_eq!(again.robots, web0().robots);
    assert_eq!(again.truth_json(), web0().truth_json());
}

#[test]
fn different_seed_different_web() {
    let other = generate(&SynthConfig::with_seed(7), 0);
    let a: BTreeSet<&str> = web0()
        .sites
        .iter()
        .map(|s| s.root_domain.as_str())
        .collect();
    let b: BTreeSet<&str> = other.sites.iter().map(|s| s.root_domain.as_str()).collect();
    assert_ne!(a, b);
    assert_ne!(
        other.responses.first().map(|r| &r.body),
        web0().responses.first().map(|r| &r.body)
    );
}

#[test]
fn streaming_and_per_site_generation_match_the_full_web() {
    let config = SynthConfig::default();
    let streamed: Vec<SynthResponse> = generate_streaming(&config, 1).collect();
    assert_eq!(streamed, webs()[1].responses);
    // A site generated alone is the same as in a full run.
    let synth = Synth::new(&config);
    let alone = synth.site_responses(5, 0);
    let in_web: Vec<&SynthResponse> = web0()
        .responses
        .iter()
        .filter(|r| alone.iter().any(|a| a.url == r.url))
        .collect();
    assert_eq!(alone.iter().collect::<Vec<_>>(), in_web);
}

#[test]
fn unchanged_pages_keep_their_bytes_across_epochs() {
    let changed: BTreeSet<&str> = webs()[1]
        .truth
        .changes
        .iter()
        .map(|c| c.page_url.as_str())
        .collect();
    let homes: BTreeSet<String> = webs()[1]
        .truth
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::PageAdded)
        .filter_map(|c| c.target_url.clone())
        .collect();
    let e1: BTreeMap<&str, &SynthResponse> = webs()[1]
        .responses
        .iter()
        .map(|r| (r.url.as_str(), r))
        .collect();
    let mut same = 0;
    for r in &web0().responses {
        if changed.contains(r.url.as_str()) || homes.contains(&r.url) {
            continue;
        }
        let later = e1.get(r.url.as_str()).expect("page still there");
        assert_eq!(later.body, r.body, "{}", r.url);
        assert!(later.fetched_at > r.fetched_at);
        same += 1;
    }
    assert!(same > 500);
}

// ---- encodings ------------------------------------------------------------------------------

fn charset_of(r: &SynthResponse) -> &str {
    r.header("Content-Type")
        .and_then(|c| c.split("charset=").nth(1))
        .unwrap_or("utf-8")
}

fn decode(r: &SynthResponse) -> String {
    let enc =
        encoding_rs::Encoding::for_label(charset_of(r).as_bytes()).expect("known charset label");
    let (text, _, had_errors) = enc.decode(&r.body);
    assert!(
        !had_errors,
        "{} does not decode as {}",
        r.url,
        charset_of(r)
    );
    text.into_owned()
}

#[test]
fn every_page_decodes_in_its_declared_charset() {
    let mut legacy = 0;
    for r in web0()
        .responses
        .iter()
        .filter(|r| r.is_html() && r.status == 200)
    {
        let text = decode(r);
        let cs = charset_of(r).to_ascii_lowercase();
        assert!(
            text.contains(&format!("charset={cs}"))
                || text.contains(&format!("charset=\"{cs}\""))
                || (cs == "utf-8" && text.contains("<meta charset=\"utf-8\">")),
            "{}",
            r.url
        );
        if cs != "utf-8" {
            legacy += 1;
            // The charset matters: the bytes are not UTF-8, the text is not ASCII.
            assert!(std::str::from_utf8(&r.body).is_err(), "{}", r.url);
            assert!(!text.is_ascii());
        }
        assert_eq!(
            r.header("Content-Length"),
            Some(r.body.len().to_string().as_str())
        );
    }
    assert!(legacy >= 10, "only {legacy} legacy-charset pages");
}

// ---- an independent extractor ---------------------------------------------------------------

/// What the cross-check compares: element, target, anchor, alt, image URL, rel flags.
type Seen = (
    LinkElement,
    String,
    String,
    Option<String>,
    Option<String>,
    [bool; 3],
);

struct Regexes {
    entity: Regex,
    strip: Regex,
    base: Regex,
    tag: Regex,
    attr: Regex,
    tags: Regex,
    img: Regex,
}

fn regexes() -> &'static Regexes {
    static R: OnceLock<Regexes> = OnceLock::new();
    R.get_or_init(|| Regexes {
        entity: Regex::new(r"&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);").unwrap(),
        strip: Regex::new(
            r"(?is)<!--.*?-->|<script\b[^>]*>.*?</script\s*>|<style\b[^>]*>.*?</style\s*>",
        )
        .unwrap(),
        base: Regex::new(r#"(?i)<base\s+href="([^"]*)""#).unwrap(),
        tag: Regex::new(r"(?is)<a\b([^>]*)>(.*?)</a\s*>|<(link|iframe|form|meta)\b([^>]*)>")
            .unwrap(),
        attr: Regex::new(r#"(?i)([a-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))"#).unwrap(),
        tags: Regex::new(r"<[^>]*>").unwrap(),
        img: Regex::new(r"(?i)<img\b([^>]*)>").unwrap(),
    })
}

fn entities(s: &str) -> String {
    const NAMED: [(&str, &str); 20] = [
        ("amp", "&"),
        ("lt", "<"),
        ("gt", ">"),
        ("quot", "\""),
        ("eacute", "é"),
        ("egrave", "è"),
        ("agrave", "à"),
        ("uuml", "ü"),
        ("ouml", "ö"),
        ("auml", "ä"),
        ("szlig", "ß"),
        ("ntilde", "ñ"),
        ("rsquo", "’"),
        ("mdash", "—"),
        ("ndash", "–"),
        ("ldquo", "“"),
        ("rdquo", "”"),
        ("laquo", "«"),
        ("raquo", "»"),
        ("copy", "©"),
    ];
    if !s.contains('&') {
        return s.to_string();
    }
    regexes()
        .entity
        .replace_all(s, |c: &regex::Captures| {
            let e = &c[1];
            let code = if let Some(h) = e.strip_prefix("#x") {
                u32::from_str_radix(h, 16).ok()
            } else if let Some(d) = e.strip_prefix('#') {
                d.parse().ok()
            } else {
                return NAMED
                    .iter()
                    .find(|(n, _)| *n == e)
                    .map_or(c[0].to_string(), |(_, v)| v.to_string());
            };
            code.and_then(char::from_u32)
                .map_or(c[0].to_string(), String::from)
        })
        .into_owned()
}

fn attrs(s: &str) -> BTreeMap<String, String> {
    regexes()
        .attr
        .captures_iter(s)
        .map(|c| {
            let v = c
                .get(2)
                .or(c.get(3))
                .or(c.get(4))
                .map_or("", |m| m.as_str());
            (c[1].to_ascii_lowercase(), entities(v))
        })
        .collect()
}

fn extract(html: &str, page_url: &str) -> Vec<Seen> {
    let r = regexes();
    let html = r.strip.replace_all(html, "");
    let base_url = r
        .base
        .captures(&html)
        .map_or(page_url.to_string(), |c| entities(&c[1]));
    let base = NormalizedUrl::parse(&base_url).expect("base");
    let resolve = |h: &str| {
        NormalizedUrl::join(base.url(), h)
            .ok()
            .map(|u| u.as_str().to_string())
    };
    let mut out = Vec::new();
    for c in r.tag.captures_iter(&html) {
        let (a, inner, name) = match c.get(1) {
            Some(a) => (
                attrs(a.as_str()),
                c.get(2).map_or("", |m| m.as_str()),
                "a".to_string(),
            ),
            None => (attrs(&c[4]), "", c[3].to_ascii_lowercase()),
        };
        let get = |k: &str| a.get(k).cloned();
        let (element, href) = match name.as_str() {
            "a" if r.img.is_match(inner) => (LinkElement::Image, get("href")),
            "a" => (LinkElement::Anchor, get("href")),
            "link" if get("rel").as_deref() == Some("canonical") => {
                (LinkElement::Canonical, get("href"))
            }
            "link" if get("rel").as_deref() == Some("alternate") && get("type").is_some() => {
                (LinkElement::Rss, get("href"))
            }
            "link" if get("rel").as_deref() == Some("alternate") => {
                (LinkElement::Alternate, get("href"))
            }
            "iframe" => (LinkElement::Frame, get("src")),
            "form" => (LinkElement::Form, get("action")),
            "meta" if get("http-equiv").is_some_and(|v| v.eq_ignore_ascii_case("refresh")) => (
                LinkElement::MetaRefresh,
                get("content").and_then(|c| c.split_once("url=").map(|(_, u)| u.to_string())),
            ),
            _ => continue,
        };
        let Some(to) = href.as_deref().and_then(resolve) else {
            continue;
        };
        let rel = get("rel").unwrap_or_default().to_ascii_lowercase();
        let flags = if name == "a" {
            ["nofollow", "ugc", "sponsored"].map(|f| rel.split_whitespace().any(|t| t == f))
        } else {
            [false; 3]
        };
        let (anchor, alt, image) = match element {
            LinkElement::Anchor => {
                let text = entities(&r.tags.replace_all(inner, ""));
                (
                    text.split_ascii_whitespace().collect::<Vec<_>>().join(" "),
                    None,
                    None,
                )
            }
            LinkElement::Image => {
                let img = attrs(
                    &r.img
                        .captures(inner)
                        .map_or(String::new(), |m| m[1].to_string()),
                );
                (
                    String::new(),
                    img.get("alt").cloned(),
                    img.get("src").and_then(|s| resolve(s)),
                )
            }
            _ => (String::new(), None, None),
        };
        out.push((element, to, anchor, alt, image, flags));
    }
    out
}

fn truth_seen(l: &TruthLink) -> Seen {
    (
        l.element,
        l.to.clone(),
        l.anchor.clone(),
        l.alt.clone(),
        l.image_url.clone(),
        [l.nofollow, l.ugc, l.sponsored],
    )
}

fn check_links_match_html(web: &SyntheticWeb) -> usize {
    let mut by_page: BTreeMap<&str, Vec<&TruthLink>> = BTreeMap::new();
    for l in &web.truth.links {
        by_page.entry(l.from.as_str()).or_default().push(l);
    }
    let mut checked = 0;
    for r in web
        .responses
        .iter()
        .filter(|r| r.is_html() && r.status == 200)
    {
        let found = extract(&decode(r), &r.url);
        let truth: Vec<Seen> = by_page
            .get(r.url.as_str())
            .map_or(Vec::new(), |v| v.iter().map(|l| truth_seen(l)).collect());
        assert_eq!(found.len(), truth.len(), "link count of {}", r.url);
        for (i, (f, t)) in found.iter().zip(&truth).enumerate() {
            assert_eq!(f, t, "link {i} of {}", r.url);
        }
        let ordinals: Vec<u32> = by_page
            .get(r.url.as_str())
            .map_or(Vec::new(), |v| v.iter().map(|l| l.ordinal).collect());
        assert!(
            ordinals.iter().enumerate().all(|(i, o)| *o as usize == i),
            "{}",
            r.url
        );
        checked += found.len();
    }
    checked
}

#[test]
fn truth_links_match_the_html() {
    for web in webs() {
        let checked = check_links_match_html(web);
        assert!(checked > 10_000, "{checked}");
    }
}

#[test]
fn redirects_and_feeds_match_their_responses() {
    let web = web0();
    let mut redirects = 0;
    for r in web
        .responses
        .iter()
        .filter(|r| (300..400).contains(&r.status))
    {
        let links = web.truth.links_from(&r.url);
        assert_eq!(links.len(), 1);
        let base = NormalizedUrl::parse(&r.url).unwrap();
        let location = NormalizedUrl::join(base.url(), r.header("Location").unwrap()).unwrap();
        assert_eq!(links[0].to, location.as_str());
        assert_eq!(
            (links[0].element, links[0].redirect_code),
            (LinkElement::HttpRedirect, Some(r.status))
        );
        redirects += 1;
    }
    assert!(redirects >= 4, "{redirects}");
    let feeds: Vec<&SynthResponse> = web
        .responses
        .iter()
        .filter(|r| r.media_type() == "application/rss+xml")
        .collect();
    assert!(!feeds.is_empty());
    let link_re = Regex::new("<link>([^<]*)</link>").unwrap();
    for f in feeds {
        let body = std::str::from_utf8(&f.body).unwrap();
        let found: Vec<String> = link_re
            .captures_iter(body)
            .map(|c| entities(&c[1]))
            .collect();
        let truth: Vec<String> = web
            .truth
            .feed_links
            .iter()
            .filter(|l| l.from == f.url)
            .map(|l| l.to.clone())
            .collect();
        assert_eq!(found, truth, "{}", f.url);
    }
}

// ---- normalisation --------------------------------------------------------------------------

#[test]
fn every_truth_url_is_normalised() {
    for web in webs() {
        let t = &web.truth;
        let mut urls: Vec<&str> = Vec::new();
        for p in &t.pages {
            urls.push(&p.url);
            urls.extend(p.canonical.as_deref());
            urls.extend(p.redirect_to.as_deref());
        }
        for l in t.links.iter().chain(&t.feed_links) {
            urls.extend([l.from.as_str(), l.to.as_str()]);
            urls.extend(l.image_url.as_deref());
        }
        for c in &t.changes {
            urls.push(&c.page_url);
            urls.extend(c.target_url.as_deref());
            for e in &c.effects {
                urls.extend([e.from.as_str(), e.to.as_str()]);
            }
        }
        urls.extend(t.sites.iter().map(|s| s.home_url.as_str()));
        urls.extend(
            web.responses
                .iter()
                .chain(&web.robots)
                .chain(&web.disallowed)
                .map(|r| r.url.as_str()),
        );
        for u in urls {
            assert_eq!(norm(u), u, "not normalised");
        }
    }
}

// ---- scripted changes -----------------------------------------------------------------------

fn change(kind: ChangeKind) -> &'static ScriptedChange {
    webs()[2]
        .truth
        .changes
        .iter()
        .find(|c| c.kind == kind)
        .unwrap_or_else(|| panic!("no {kind:?} change"))
}

fn targets(web: &SyntheticWeb, page: &str) -> Vec<String> {
    web.truth
        .links_from(page)
        .iter()
        .map(|l| l.to.clone())
        .collect()
}

#[test]
fn every_kind_of_change_is_scripted_once() {
    let kinds: Vec<ChangeKind> = webs()[2].truth.changes.iter().map(|c| c.kind).collect();
    assert_eq!(kinds.len(), 11);
    let pages: BTreeSet<&str> = webs()[2]
        .truth
        .changes
        .iter()
        .filter(|c| c.epoch == 1)
        .map(|c| c.page_url.as_str())
        .collect();
    assert_eq!(pages.len(), 10, "each epoch-1 change has its own page");
    assert_eq!(webs()[0].truth.changes.len(), 0);
    assert_eq!(webs()[1].truth.changes.len(), 10);
    for c in &webs()[2].truth.changes {
        assert!(!c.effects.is_empty(), "{:?} has no effect", c.kind);
    }
}

#[test]
fn status_changes_show_in_epoch_1() {
    let [e0, e1, _] = webs();
    for (kind, status, reason) in [
        (ChangeKind::NotFound, 404, LostReason::NotFound),
        (ChangeKind::Gone, 410, LostReason::NotFound),
        (ChangeKind::ServerError, 500, LostReason::PageError),
        (ChangeKind::Unavailable, 503, LostReason::PageError),
        (ChangeKind::Redirected, 301, LostReason::PageRedirected),
    ] {
        let c = change(kind);
        assert_eq!(e0.response_for(&c.page_url).map(|r| r.status), Some(200));
        assert_eq!(
            e1.response_for(&c.page_url).map(|r| r.status),
            Some(status),
            "{kind:?}"
        );
        assert_eq!(c.new_status, status);
        let before = e0.truth.links_from(&c.page_url).len();
        let lost = c
            .effects
            .iter()
            .filter(|e| e.lost_reason == Some(reason))
            .count();
        assert_eq!(lost, before, "{kind:?}: every link of the page is lost");
    }
    let c = change(ChangeKind::Redirected);
    let r = e1.response_for(&c.page_url).unwrap();
    assert_eq!(r.header("Location"), c.target_url.as_deref());
    assert!(
        c.effects
            .iter()
            .any(|e| e.element == LinkElement::HttpRedirect
                && e.discovered_status == Some(DiscoveredStatus::LinkFound))
    );
}

#[test]
fn noindex_and_canonical_changes_show_in_epoch_1() {
    let [e0, e1, _] = webs();
    let c = change(ChangeKind::Noindex);
    assert!(!e0.truth.page(&c.page_url).unwrap().noindex);
    assert!(e1.truth.page(&c.page_url).unwrap().noindex);
    assert!(
        decode(e1.response_for(&c.page_url).unwrap())
            .contains("<meta name=\"robots\" content=\"noindex, follow\">")
    );
    assert!(
        c.effects
            .iter()
            .all(|e| e.lost_reason == Some(LostReason::Noindex))
    );
    assert!(
        e1.truth
            .links_from(&c.page_url)
            .iter()
            .all(|l| l.page_noindex)
    );

    let c = change(ChangeKind::CanonicalMoved);
    let page = e1.truth.page(&c.page_url).unwrap();
    assert_eq!(page.canonical, c.target_url);
    assert_ne!(e0.truth.page(&c.page_url).unwrap().canonical, c.target_url);
    let html = decode(e1.response_for(&c.page_url).unwrap());
    assert!(html.contains(&format!(
        "<link rel=\"canonical\" href=\"{}\">",
        c.target_url.as_deref().unwrap()
    )));
    assert!(
        c.effects
            .iter()
            .any(|e| e.lost_reason == Some(LostReason::NotCanonical))
    );
    assert!(c.effects.iter().any(|e| e.element == LinkElement::Canonical
        && e.discovered_status == Some(DiscoveredStatus::LinkFound)));
}

#[test]
fn link_removal_and_restoration() {
    let [e0, e1, e2] = webs();
    let removed = change(ChangeKind::LinkRemoved);
    let restored = change(ChangeKind::LinkRestored);
    assert_eq!((removed.epoch, restored.epoch), (1, 2));
    assert_eq!(removed.page_url, restored.page_url);
    let target = removed.target_url.clone().unwrap();
    assert!(targets(e0, &removed.page_url).contains(&target));
    assert!(!targets(e1, &removed.page_url).contains(&target));
    assert!(targets(e2, &removed.page_url).contains(&target));
    assert_eq!(
        e1.response_for(&removed.page_url).map(|r| r.status),
        Some(200)
    );
    assert_eq!(removed.effects.len(), 1);
    assert_eq!(
        removed.effects[0].lost_reason,
        Some(LostReason::RemovedFromHtml)
    );
    assert_eq!(
        restored.effects[0].discovered_status,
        Some(DiscoveredStatus::LinkRestored)
    );
    // It was an external backlink, so the target's backlink list shows the change.
    let root = doc::root_of(&target);
    let count = |w: &SyntheticWeb| {
        w.external_backlinks_to(root)
            .iter()
            .filter(|l| l.from == removed.page_url && l.to == target)
            .count()
    };
    assert_eq!((count(e0), count(e1), count(e2)), (1, 0, 1));
    // The restored page is the original page again.
    assert_eq!(
        e0.response_for(&removed.page_url).unwrap().body,
        e2.response_for(&removed.page_url).unwrap().body
    );
}

#[test]
fn link_and_page_additions() {
    let [e0, e1, _] = webs();
    let added = change(ChangeKind::LinkAdded);
    let target = added.target_url.clone().unwrap();
    assert!(!targets(e0, &added.page_url).contains(&target));
    assert!(targets(e1, &added.page_url).contains(&target));
    assert_eq!(
        added.effects[0].discovered_status,
        Some(DiscoveredStatus::LinkFound)
    );

    let page = change(ChangeKind::PageAdded);
    assert!(e0.response_for(&page.page_url).is_none());
    assert_eq!(e1.response_for(&page.page_url).map(|r| r.status), Some(200));
    let home = page.target_url.clone().unwrap();
    assert!(!targets(e0, &home).contains(&page.page_url));
    assert!(targets(e1, &home).contains(&page.page_url));
    let found = page
        .effects
        .iter()
        .filter(|e| e.discovered_status == Some(DiscoveredStatus::PageFound))
        .count();
    assert_eq!(found, e1.truth.links_from(&page.page_url).len());
    assert!(
        page.effects
            .iter()
            .any(|e| e.from == home && e.discovered_status == Some(DiscoveredStatus::LinkFound))
    );
}

// ---- popularity and link structure ----------------------------------------------------------

#[test]
fn popularity_is_a_power_law_with_a_heavy_head() {
    let sites = web0().sites_by_popularity();
    let pops: Vec<f64> = sites.iter().map(|s| s.popularity).collect();
    assert!((pops.iter().sum::<f64>() - 1.0).abs() < 1e-9);
    assert!(pops.windows(2).all(|w| w[0] >= w[1]));
    let top_tenth: f64 = pops.iter().take(pops.len() / 10).sum();
    assert!(top_tenth > 0.35, "top 10% hold {top_tenth}");
    // Zipf: popularity × rank is constant.
    for (i, p) in pops.iter().enumerate() {
        assert!((p * (i + 1) as f64 / pops[0] - 1.0).abs() < 1e-6);
    }
    // The in-links follow: the most popular sites get far more external links than the median.
    let inlinks: Vec<usize> = sites
        .iter()
        .map(|s| web0().external_backlinks_to(&s.root_domain).len())
        .collect();
    let mut sorted = inlinks.clone();
    sorted.sort_unstable();
    let median = sorted[sorted.len() / 2].max(1);
    assert!(
        inlinks[0] > 4 * median,
        "top {} vs median {median}",
        inlinks[0]
    );
}

/// Domain-level PageRank as the index computes it: one edge per pair of root domains with a
/// live dofollow link, score split evenly, dangling mass spread over all nodes.
fn domain_rank(truth: &GroundTruth) -> BTreeMap<String, f64> {
    let edges: BTreeSet<(&str, &str)> = truth
        .links
        .iter()
        .filter(|l| l.is_external() && l.is_dofollow() && l.from_status == 200)
        .map(|l| (l.from_root.as_str(), l.to_root.as_str()))
        .collect();
    let nodes: BTreeSet<&str> = edges
        .iter()
        .flat_map(|(a, b)| [*a, *b])
        .chain(truth.sites.iter().map(|s| s.root_domain.as_str()))
        .collect();
    let n = nodes.len() as f64;
    let mut out_deg: BTreeMap<&str, f64> = BTreeMap::new();
    for (a, _) in &edges {
        *out_deg.entry(a).or_default() += 1.0;
    }
    let mut pr: BTreeMap<&str, f64> = nodes.iter().map(|d| (*d, 1.0 / n)).collect();
    for _ in 0..100 {
        let dangling: f64 = pr
            .iter()
            .filter(|(d, _)| !out_deg.contains_key(*d))
            .map(|(_, v)| v)
            .sum();
        let mut next: BTreeMap<&str, f64> = nodes
            .iter()
            .map(|d| (*d, 0.15 / n + 0.85 * dangling / n))
            .collect();
        for (a, b) in &edges {
            *next.get_mut(b).unwrap() += 0.85 * pr[a] / out_deg[a];
        }
        pr = next;
    }
    pr.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn ranks(values: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..values.len()).collect();
    idx.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
    let mut r = vec![0.0; values.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && values[idx[j + 1]] == values[idx[i]] {
            j += 1;
        }
        for k in i..=j {
            r[idx[k]] = (i + j) as f64 / 2.0;
        }
        i = j + 1;
    }
    r
}

fn spearman(a: &[f64], b: &[f64]) -> f64 {
    let (ra, rb) = (ranks(a), ranks(b));
    let n = ra.len() as f64;
    let (ma, mb) = (ra.iter().sum::<f64>() / n, rb.iter().sum::<f64>() / n);
    let cov: f64 = ra.iter().zip(&rb).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = ra.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = rb.iter().map(|y| (y - mb).powi(2)).sum();
    cov / (va * vb).sqrt()
}

#[test]
fn domain_pagerank_recovers_popularity() {
    for seed in [42, 1, 2, 3, 4, 5] {
        let web = generate(&SynthConfig::with_seed(seed), 0);
        let pr = domain_rank(&web.truth);
        let dr: Vec<f64> = web.sites.iter().map(|s| pr[&s.root_domain]).collect();
        let pop: Vec<f64> = web.sites.iter().map(|s| s.popularity).collect();
        let rho = spearman(&dr, &pop);
        assert!(rho >= 0.9, "seed {seed}: Spearman {rho}");
    }
}

#[test]
fn sites_link_internally_and_externally() {
    for s in &web0().sites {
        let from_site = web0().truth.links.iter().filter(|l| l.from_site == s.index);
        let (internal, external) = from_site.fold((0, 0), |(i, e), l| {
            if l.is_external() {
                (i, e + 1)
            } else {
                (i + 1, e)
            }
        });
        assert!(
            internal > 20 && external > 5,
            "{}: {internal} internal, {external} external",
            s.root_domain
        );
    }
}

// ---- realism --------------------------------------------------------------------------------

#[test]
fn default_web_has_the_expected_size() {
    let web = web0();
    let pages = web.responses.len();
    let links = web.truth.links.len();
    assert!((600..=1200).contains(&pages), "{pages} pages");
    assert!((10_000..=30_000).contains(&links), "{links} links");
}

#[test]
fn the_web_has_every_feature_tests_rely_on() {
    let t = &web0().truth;
    let has = |f: &dyn Fn(&TruthLink) -> bool| t.links.iter().any(f);
    for e in LinkElement::ALL
        .into_iter()
        .filter(|e| *e != LinkElement::Rss)
    {
        assert!(has(&|l| l.element == e), "{e:?}");
    }
    assert!(has(&|l| l.element == LinkElement::Rss));
    assert!(
        has(&|l| l.ugc && l.nofollow) && has(&|l| l.sponsored) && has(&|l| l.nofollow && !l.ugc)
    );
    assert!(has(&|l| l.page_nofollow) && has(&|l| l.page_noindex));
    assert!(
        has(&|l| l.alt.is_some()) && has(&|l| l.element == LinkElement::Image && l.alt.is_none())
    );
    assert!(has(&|l| l.to_site.is_none()), "dangling targets");
    assert!(
        has(&|l| l.to.contains("%C3")),
        "percent-encoded Unicode path"
    );
    assert!(has(&|l| l.to.contains("xn--")), "IDN target");
    assert!(has(&|l| l.anchor.contains('&')), "entity in an anchor");
    assert!(has(&|l| l.to.contains('&')), "query with & in an href");
    for status in [200, 301, 302, 404] {
        assert!(t.pages.iter().any(|p| p.status == status), "{status}");
    }
    for lang in ["en", "de", "fr", "es"] {
        assert!(
            t.pages.iter().any(|p| p.language.as_deref() == Some(lang)),
            "{lang}"
        );
    }
    for cs in ["windows-1252", "iso-8859-1"] {
        assert!(
            t.pages.iter().any(|p| p.charset.as_deref() == Some(cs)),
            "{cs}"
        );
    }
    assert!(
        t.pages
            .iter()
            .any(|p| p.author.is_some() && p.publish_date.is_some())
    );
    assert!(
        t.pages
            .iter()
            .any(|p| p.author.is_some() && p.publish_date.is_none())
    );
    let generators: BTreeSet<&str> = t
        .pages
        .iter()
        .filter_map(|p| p.generator.as_deref())
        .map(|g| g.split(' ').next().unwrap_or(g))
        .collect();
    assert!(generators.len() >= 5, "{generators:?}");
    assert!(
        web0()
            .responses
            .iter()
            .any(|r| decode(r).contains("<base href="))
    );
    assert!(t.sites.iter().any(|s| {
        s.hosts
            .iter()
            .any(|h| h.starts_with("blog.") || h.starts_with("docs."))
    }));
    let class_c: BTreeSet<&str> = t
        .sites
        .iter()
        .map(|s| s.ip.rsplit_once('.').map_or("", |p| p.0))
        .collect();
    assert!(
        class_c.len() < t.sites.len() && class_c.len() > 3,
        "{class_c:?}"
    );
}

#[test]
fn semantic_locations_and_content_flags() {
    let t = &web0().truth;
    let locs: BTreeSet<Option<&str>> = t
        .links
        .iter()
        .map(|l| l.semantic_location.as_deref())
        .collect();
    for loc in [
        None,
        Some("header"),
        Some("nav"),
        Some("main"),
        Some("article"),
        Some("aside"),
        Some("footer"),
        Some("section"),
    ] {
        assert!(locs.contains(&loc), "{loc:?}");
    }
    for l in &t.links {
        match l.semantic_location.as_deref() {
            None | Some("header" | "nav" | "aside" | "footer") => assert!(!l.is_content, "{l:?}"),
            Some("article") => assert!(l.is_content),
            _ => {}
        }
        if l.ugc {
            assert!(
                !l.is_content || l.from.contains("/t/"),
                "comment links are outside the content: {l:?}"
            );
        }
    }
    assert!(
        t.links
            .iter()
            .any(|l| l.semantic_location.as_deref() == Some("section") && l.is_content)
    );
    assert!(
        t.links
            .iter()
            .any(|l| l.semantic_location.as_deref() == Some("section") && !l.is_content)
    );
}

#[test]
fn robots_rules_keep_disallowed_pages_out_of_the_crawl() {
    let web = web0();
    assert!(!web.disallowed.is_empty());
    let disallowed = |url: &str| {
        let u = NormalizedUrl::parse(url).unwrap();
        web.truth.robots.iter().any(|r| {
            r.user_agent == "*" && r.host == u.host() && u.path_and_query().starts_with(&r.disallow)
        })
    };
    for r in &web.responses {
        assert!(!disallowed(&r.url), "{} is crawled", r.url);
    }
    for r in &web.disallowed {
        assert!(disallowed(&r.url));
        assert_eq!(web.response_for(&r.url).map(|x| x.status), Some(200));
        assert!(web.truth.page(&r.url).unwrap().robots_disallowed);
        assert!(web.truth.links_from(&r.url).is_empty());
    }
    for s in &web.sites {
        for h in &s.hosts {
            let robots = web
                .response_for(&format!("{}://{h}/robots.txt", s.scheme))
                .expect("robots.txt");
            assert!(
                std::str::from_utf8(&robots.body)
                    .unwrap()
                    .starts_with("User-agent: *")
            );
        }
    }
}

#[test]
fn response_lookup_normalises_and_fetch_times_advance() {
    let web = web0();
    let home = &web.sites[0].home_url;
    // Scheme and host in capitals: the home URL's path is `/`, so nothing else changes.
    let shouted = home.to_uppercase();
    assert_eq!(web.response_for(&shouted).map(|r| &r.url), Some(home));
    assert!(
        web.response_for("https://not-in-the-web.example/")
            .is_none()
    );
    for (k, w) in webs().iter().enumerate() {
        let start = DEFAULT_START + k as i64 * 30 * 86_400_000_000;
        for r in &w.responses {
            assert!(r.fetched_at > start && r.fetched_at < start + 20 * 86_400_000_000);
        }
        for pair in w.responses.windows(2).filter(|p| {
            p[0].ip == p[1].ip && p[0].url.split('/').nth(2) == p[1].url.split('/').nth(2)
        }) {
            assert!(pair[1].fetched_at > pair[0].fetched_at);
        }
    }
}

#[test]
fn truth_serialises_and_scale_is_streamable() {
    let json = web0().truth_json();
    let back: GroundTruth = serde_json::from_str(&json).unwrap();
    // Floats may lose their last bit through JSON; everything else must survive exactly.
    assert_eq!(
        (&back.pages, &back.links, &back.changes, &back.robots),
        (
            &web0().truth.pages,
            &web0().truth.links,
            &web0().truth.changes,
            &web0().truth.robots
        )
    );
    for (a, b) in back.sites.iter().zip(&web0().truth.sites) {
        assert_eq!(
            (&a.root_domain, a.popularity_rank),
            (&b.root_domain, b.popularity_rank)
        );
        assert!((a.popularity - b.popularity).abs() < 1e-12);
    }
    // Scale 500: twenty thousand sites planned without generating them; sites generate alone.
    let big = SynthConfig {
        scale: 500,
        ..SynthConfig::default()
    };
    let synth = Synth::new(&big);
    assert_eq!(synth.site_count(), 20_000);
    let sample: usize = (0..20)
        .map(|i| synth.site_output(i * 997, 0).links.len())
        .sum();
    let estimate = sample * synth.site_count() / 20;
    assert!(estimate > 10_000_000, "about {estimate} links at scale 500");
}

#[test]
fn tiny_and_odd_configurations_still_work() {
    for (sites, min_pages, max_pages) in [(0, 5, 40), (1, 1, 1), (2, 1, 3), (3, 50, 5), (12, 3, 8)]
    {
        let config = SynthConfig {
            sites,
            min_pages,
            max_pages,
            ..SynthConfig::default()
        };
        for epoch in 0..3 {
            let web = generate(&config, epoch);
            assert_eq!(web.sites.len(), sites);
            if sites > 0 {
                assert!(!web.responses.is_empty());
                check_links_match_html(&web);
            }
        }
    }
}

#[test]
fn the_generator_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Synth>();
    assert_send_sync::<SyntheticWeb>();
}
