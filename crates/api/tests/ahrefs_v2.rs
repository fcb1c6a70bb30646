//! The legacy Ahrefs API v2 (`GET /?from=&target=&mode=...`) against the synthetic web: every
//! table checked against the ground truth, every mode, `select`, each `where`/`having`
//! operator against an independent computation over the unfiltered rows, `order_by`, paging,
//! the json/xml/php outputs, the token and errors naming the parameter.

mod support;

use anchorage_api::access::Access;
use anchorage_api::keys::KeyStore;
use anchorage_core::record::LinkElement;
use anchorage_core::urls::{host_of, plain_of};
use anchorage_synth::SyntheticWeb;
use anchorage_synth::truth::TruthLink;
use axum::http::StatusCode;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};
use support::{Index, get, get_text};

/// One synthetic web, indexed once for every test of this file.
fn web() -> &'static (Index, SyntheticWeb) {
    static WEB: OnceLock<(Index, SyntheticWeb)> = OnceLock::new();
    WEB.get_or_init(|| Index::of_synthetic_web(7))
}

fn truth() -> &'static SyntheticWeb {
    &web().1
}

fn top_site() -> String {
    truth().sites_by_popularity()[0].root_domain.clone()
}

/// Live external links to `root` in the truth: from a 200 page that is not noindex.
fn truth_backlinks(root: &str) -> Vec<&'static TruthLink> {
    truth()
        .external_backlinks_to(root)
        .into_iter()
        .filter(|l| !l.page_noindex)
        .collect()
}

/// A query-string value, percent-encoded.
fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// GET `/?{query}` on the synthetic web's index; must answer 200.
async fn v2(query: &str) -> Value {
    let (status, json) = get(&web().0.app(), &format!("/?{query}")).await;
    assert_eq!(status, 200, "{query} → {json}");
    json
}

fn rows<'a>(json: &'a Value, key: &str) -> &'a Vec<Value> {
    json[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {json}"))
}

fn s<'a>(row: &'a Value, key: &str) -> &'a str {
    row[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} is not a string in {row}"))
}

fn i(row: &Value, key: &str) -> i64 {
    row[key]
        .as_i64()
        .unwrap_or_else(|| panic!("{key} is not an integer in {row}"))
}

fn b(row: &Value, key: &str) -> bool {
    row[key]
        .as_bool()
        .unwrap_or_else(|| panic!("{key} is not a boolean in {row}"))
}

/// Every row of `from=backlinks` for `root`, every column, with `extra` parameters.
async fn backlinks(root: &str, extra: &str) -> Vec<Value> {
    backlinks_in(&web().0.app(), root, extra).await
}

/// [`backlinks`] from the index behind `app`.
async fn backlinks_in(app: &axum::Router, root: &str, extra: &str) -> Vec<Value> {
    let uri =
        format!("/?from=backlinks&target={root}&mode=subdomains&select=*&limit=100000{extra}");
    let (status, json) = get(app, &uri).await;
    assert_eq!(status, 200, "{uri} → {json}");
    rows(&json, "refpages").clone()
}

/// v2's link type of a truth link.
fn v2_type(l: &TruthLink) -> &'static str {
    match l.element.link_type() {
        "text" | "image" => "href",
        other => other,
    }
}

fn is_sitewide(l: &TruthLink) -> bool {
    matches!(
        l.semantic_location.as_deref(),
        Some("header" | "nav" | "footer")
    )
}

const BACKLINKS_STAR: [&str; 26] = [
    "url_from",
    "url_to",
    "ahrefs_rank",
    "domain_rating",
    "ahrefs_top",
    "ip_from",
    "links_internal",
    "links_external",
    "page_size",
    "encoding",
    "language",
    "title",
    "first_seen",
    "last_visited",
    "prev_visited",
    "sitewide",
    "original",
    "link_type",
    "redirect",
    "nofollow",
    "alt",
    "anchor",
    "text_pre",
    "text_post",
    "http_code",
    "url_from_first_seen",
];

type LinkFacts = (String, String, String, String, bool, bool, i64, String);

#[tokio::test]
async fn backlinks_are_the_live_backlinks_of_the_truth() {
    for site in truth().sites_by_popularity().iter().take(3) {
        let root = &site.root_domain;
        let got = backlinks(root, "").await;
        let mut got_facts: Vec<LinkFacts> = got
            .iter()
            .map(|r| {
                (
                    s(r, "url_from").into(),
                    s(r, "url_to").into(),
                    s(r, "link_type").into(),
                    s(r, "anchor").into(),
                    b(r, "nofollow"),
                    b(r, "sitewide"),
                    i(r, "redirect"),
                    s(r, "alt").into(),
                )
            })
            .collect();
        let mut want: Vec<LinkFacts> = truth_backlinks(root)
            .iter()
            .map(|l| {
                (
                    l.from.clone(),
                    l.to.clone(),
                    v2_type(l).into(),
                    l.anchor.clone(),
                    !l.is_dofollow(),
                    is_sitewide(l),
                    l.redirect_code.map_or(0, i64::from),
                    l.alt.clone().unwrap_or_default(),
                )
            })
            .collect();
        got_facts.sort();
        want.sort();
        assert_eq!(got_facts, want, "{root}");
        for r in &got {
            let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, BACKLINKS_STAR, "select=* is v2's column order");
            for key in ["ahrefs_rank", "domain_rating"] {
                assert!((0..=100).contains(&i(r, key)), "{key} in {r}");
            }
            for key in ["links_internal", "links_external", "page_size", "http_code"] {
                i(r, key);
            }
            b(r, "original");
            for key in ["first_seen", "last_visited", "url_from_first_seen"] {
                assert!(s(r, key).ends_with('Z'), "{key} in {r}");
            }
        }
    }
}

#[tokio::test]
async fn every_mode_scopes_the_target() {
    let site = truth().sites_by_popularity()[0];
    let truth = truth_backlinks(&site.root_domain);
    let count = |target: &str, mode: &str| {
        let query = format!(
            "from=backlinks&target={}&mode={mode}&select=url_to&limit=100000",
            enc(target)
        );
        async move { rows(&v2(&query).await, "refpages").len() }
    };
    let on_host = |u: &str| host_of(u) == site.primary_host;
    assert_eq!(
        count(&site.home_url, "exact").await,
        truth
            .iter()
            .filter(|l| plain_of(&l.to) == plain_of(&site.home_url))
            .count()
    );
    let on_primary = truth.iter().filter(|l| on_host(&l.to)).count();
    assert_eq!(count(&site.home_url, "prefix").await, on_primary);
    assert_eq!(count(&site.primary_host, "domain").await, on_primary);
    assert_eq!(count(&site.root_domain, "subdomains").await, truth.len());
    assert!(
        truth.len() > on_primary || site.hosts.len() == 1,
        "the subdomains of a site with several hosts add links"
    );
}

#[tokio::test]
async fn anchors_count_links_pages_and_domains() {
    let root = truth().sites_by_popularity()[1].root_domain.clone();
    let json = v2(&format!(
        "from=anchors&target={root}&mode=subdomains&limit=1000"
    ))
    .await;
    let got_rows = rows(&json, "anchors");
    let keys: Vec<&str> = got_rows[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "anchor",
            "backlinks",
            "refpages",
            "refdomains",
            "first_seen",
            "last_visited"
        ]
    );
    let anchors: Vec<&str> = got_rows.iter().map(|r| s(r, "anchor")).collect();
    assert!(
        anchors.windows(2).all(|w| w[0] <= w[1]),
        "default order: anchor"
    );
    let got: BTreeMap<String, (i64, i64, i64)> = got_rows
        .iter()
        .map(|r| {
            (
                s(r, "anchor").to_string(),
                (i(r, "backlinks"), i(r, "refpages"), i(r, "refdomains")),
            )
        })
        .collect();
    let want = anchor_counts(truth_backlinks(&root).into_iter());
    assert_eq!(got, want);

    // where: on the links before grouping; having: on the groups.
    let json = v2(&format!(
        "from=anchors&target={root}&mode=subdomains&limit=1000&where=nofollow=false"
    ))
    .await;
    let got: BTreeMap<String, (i64, i64, i64)> = rows(&json, "anchors")
        .iter()
        .map(|r| {
            (
                s(r, "anchor").to_string(),
                (i(r, "backlinks"), i(r, "refpages"), i(r, "refdomains")),
            )
        })
        .collect();
    let dofollow = anchor_counts(
        truth_backlinks(&root)
            .into_iter()
            .filter(|l| l.is_dofollow()),
    );
    assert_eq!(got, dofollow);
    assert_ne!(dofollow, want, "the synthetic web has nofollow backlinks");

    let json = v2(&format!(
        "from=anchors&target={root}&mode=subdomains&limit=1000&select=anchor,refdomains&having={}&order_by=refdomains:desc",
        enc("refdomains>=2")
    ))
    .await;
    let got: Vec<(String, i64)> = rows(&json, "anchors")
        .iter()
        .map(|r| (s(r, "anchor").to_string(), i(r, "refdomains")))
        .collect();
    let counts: Vec<i64> = got.iter().map(|(_, n)| *n).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{got:?}");
    let got: BTreeMap<String, i64> = got.into_iter().collect();
    let want_having: BTreeMap<String, i64> = want
        .iter()
        .filter(|(_, (_, _, d))| *d >= 2)
        .map(|(a, (_, _, d))| (a.clone(), *d))
        .collect();
    assert_eq!(got, want_having);
    assert!(!want_having.is_empty() && want_having.len() < want.len());

    // where on the referring domain of the links.
    let domain = truth_backlinks(&root)[0].from_root.clone();
    let json = v2(&format!(
        "from=anchors&target={root}&mode=subdomains&limit=1000&where={}",
        enc(&format!("refdomain=\"{domain}\""))
    ))
    .await;
    let got: BTreeSet<&str> = rows(&json, "anchors")
        .iter()
        .map(|r| s(r, "anchor"))
        .collect();
    let want: BTreeSet<&str> = truth_backlinks(&root)
        .into_iter()
        .filter(|l| l.from_root == domain)
        .map(|l| l.anchor.as_str())
        .collect();
    assert_eq!(got, want);
}

fn anchor_counts<'a>(
    links: impl Iterator<Item = &'a TruthLink>,
) -> BTreeMap<String, (i64, i64, i64)> {
    let mut groups: BTreeMap<String, (i64, BTreeSet<&str>, BTreeSet<&str>)> = BTreeMap::new();
    for l in links {
        let e = groups.entry(l.anchor.clone()).or_default();
        e.0 += 1;
        e.1.insert(&l.from);
        e.2.insert(&l.from_root);
    }
    groups
        .into_iter()
        .map(|(a, (n, pages, domains))| (a, (n, pages.len() as i64, domains.len() as i64)))
        .collect()
}

#[tokio::test]
async fn refdomains_count_links_and_pages_per_domain() {
    let root = top_site();
    let truth = truth_backlinks(&root);
    let base = format!("from=refdomains&target={root}&mode=subdomains&limit=1000");
    let json = v2(&base).await;
    let all = rows(&json, "refdomains").clone();
    let names: Vec<&str> = all.iter().map(|r| s(r, "refdomain")).collect();
    assert!(
        names.windows(2).all(|w| w[0] < w[1]),
        "default order: refdomain"
    );
    let got: BTreeMap<&str, (i64, i64)> = all
        .iter()
        .map(|r| (s(r, "refdomain"), (i(r, "backlinks"), i(r, "refpages"))))
        .collect();
    let mut want: BTreeMap<&str, (i64, BTreeSet<&str>)> = BTreeMap::new();
    for l in &truth {
        let e = want.entry(l.from_root.as_str()).or_default();
        e.0 += 1;
        e.1.insert(&l.from);
    }
    let want: BTreeMap<&str, (i64, i64)> = want
        .into_iter()
        .map(|(d, (n, pages))| (d, (n, pages.len() as i64)))
        .collect();
    assert_eq!(got, want);

    // The domain's rating, as v3's refdomains gives it, rounded.
    let (_, v3) = get(
        &web().0.app(),
        &format!(
            "/v3/site-explorer/refdomains?target={root}&select=domain,domain_rating&limit=1000"
        ),
    )
    .await;
    let v3: BTreeMap<&str, i64> = rows(&v3, "refdomains")
        .iter()
        .map(|r| {
            (
                s(r, "domain"),
                r["domain_rating"].as_f64().unwrap().round() as i64,
            )
        })
        .collect();
    let ratings: BTreeMap<&str, i64> = all
        .iter()
        .map(|r| (s(r, "refdomain"), i(r, "domain_rating")))
        .collect();
    assert_eq!(ratings, v3);

    // where on the links: the domains with a dofollow backlink.
    let json = v2(&format!("{base}&where=nofollow=false")).await;
    let got: BTreeSet<&str> = rows(&json, "refdomains")
        .iter()
        .map(|r| s(r, "refdomain"))
        .collect();
    let dofollow: BTreeSet<&str> = truth
        .iter()
        .filter(|l| l.is_dofollow())
        .map(|l| l.from_root.as_str())
        .collect();
    assert_eq!(got, dofollow);

    // having on the rating compares as shown; order_by sorts on it.
    let shown: Vec<i64> = ratings.values().copied().collect();
    let median = {
        let mut v = shown.clone();
        v.sort();
        v[v.len() / 2]
    };
    for (op, holds) in [
        ("=", (|a, b| a == b) as fn(i64, i64) -> bool),
        (">=", |a, b| a >= b),
        ("<", |a, b| a < b),
    ] {
        let having = enc(&format!("domain_rating{op}{median}"));
        let json = v2(&format!(
            "{base}&having={having}&order_by=domain_rating:desc"
        ))
        .await;
        let got: Vec<(&str, i64)> = rows(&json, "refdomains")
            .iter()
            .map(|r| (s(r, "refdomain"), i(r, "domain_rating")))
            .collect();
        assert!(got.windows(2).all(|w| w[0].1 >= w[1].1), "{got:?}");
        let got: BTreeSet<&str> = got.into_iter().map(|(d, _)| d).collect();
        let want: BTreeSet<&str> = ratings
            .iter()
            .filter(|(_, r)| holds(**r, median))
            .map(|(d, _)| *d)
            .collect();
        assert_eq!(got, want, "domain_rating{op}{median}");
        assert!(!want.is_empty(), "domain_rating{op}{median}");
    }
    // having on counts.
    let json = v2(&format!("{base}&having={}", enc("backlinks>1,refpages<=3"))).await;
    let got: BTreeSet<&str> = rows(&json, "refdomains")
        .iter()
        .map(|r| s(r, "refdomain"))
        .collect();
    let want: BTreeSet<&str> = all
        .iter()
        .filter(|r| i(r, "backlinks") > 1 && i(r, "refpages") <= 3)
        .map(|r| s(r, "refdomain"))
        .collect();
    assert_eq!(got, want);
    assert!(!want.is_empty() && want.len() < all.len());
}

#[tokio::test]
async fn linked_anchors_count_the_targets_own_links() {
    let site = truth().sites_by_popularity()[2];
    let root = &site.root_domain;
    let json = v2(&format!(
        "from=linked_anchors&target={root}&mode=subdomains&limit=1000"
    ))
    .await;
    let got_rows = rows(&json, "anchors");
    let external: Vec<i64> = got_rows.iter().map(|r| i(r, "links_external")).collect();
    assert!(
        external.windows(2).all(|w| w[0] >= w[1]),
        "default order: links_external desc"
    );
    let got: BTreeMap<String, (i64, i64)> = got_rows
        .iter()
        .map(|r| {
            (
                s(r, "anchor").to_string(),
                (i(r, "links_internal"), i(r, "links_external")),
            )
        })
        .collect();
    let want = outgoing_anchors(root, |_| true);
    assert_eq!(got, want);
    assert!(want.values().any(|(internal, _)| *internal > 0));
    assert!(want.values().any(|(_, external)| *external > 0));

    // `where` on the links: their type, placement and rel.
    for (expr, keep) in [
        (
            "link_type<>\"href\"",
            (|l: &TruthLink| v2_type(l) != "href") as fn(&TruthLink) -> bool,
        ),
        ("sitewide=true", is_sitewide),
        ("nofollow=true", |l: &TruthLink| !l.is_dofollow()),
    ] {
        let json = v2(&format!(
            "from=linked_anchors&target={root}&mode=subdomains&limit=1000&where={}",
            enc(expr)
        ))
        .await;
        let got: BTreeMap<String, (i64, i64)> = rows(&json, "anchors")
            .iter()
            .map(|r| {
                (
                    s(r, "anchor").to_string(),
                    (i(r, "links_internal"), i(r, "links_external")),
                )
            })
            .collect();
        let filtered = outgoing_anchors(root, keep);
        assert_eq!(got, filtered, "{expr}");
        assert!(!filtered.is_empty() && filtered != want, "{expr}");
    }

    let json = v2(&format!(
        "from=linked_anchors&target={root}&mode=subdomains&limit=1000&having={}",
        enc("links_external>0")
    ))
    .await;
    let got: BTreeSet<&str> = rows(&json, "anchors")
        .iter()
        .map(|r| s(r, "anchor"))
        .collect();
    let with_external: BTreeSet<&str> = want
        .iter()
        .filter(|(_, (_, e))| *e > 0)
        .map(|(a, _)| a.as_str())
        .collect();
    assert_eq!(got, with_external);
    assert!(
        with_external.len() < want.len(),
        "some anchors are internal only"
    );
}

/// Anchors of the links on `root`'s pages that `keep` keeps: (internal, external) counts. A
/// page's links count when it answered 200 and is not noindex; a redirect is a link too.
fn outgoing_anchors(root: &str, keep: impl Fn(&TruthLink) -> bool) -> BTreeMap<String, (i64, i64)> {
    let mut out: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for l in truth().truth.links.iter().filter(|l| {
        l.from_root == root
            && (l.from_status == 200 || l.element == LinkElement::HttpRedirect)
            && !l.page_noindex
            && keep(l)
    }) {
        let e = out.entry(l.anchor.clone()).or_default();
        if l.is_external() {
            e.1 += 1;
        } else {
            e.0 += 1;
        }
    }
    out
}

/// Where a chain of redirects from `url` ends in the truth, and its status (`None`: never
/// fetched).
fn final_status(web: &SyntheticWeb, url: &str) -> Option<u16> {
    let mut url = url.to_string();
    for _ in 0..=10 {
        let page = web.truth.page(&url)?;
        match &page.redirect_to {
            Some(next) if (300..400).contains(&page.status) => url = next.clone(),
            _ => return Some(page.status),
        }
    }
    None
}

#[tokio::test]
async fn broken_backlinks_point_at_broken_pages() {
    let mut tested = 0;
    for site in truth().sites_by_popularity() {
        let root = &site.root_domain;
        let want: BTreeSet<(String, String)> = truth_backlinks(root)
            .into_iter()
            .filter(|l| final_status(truth(), &l.to).is_some_and(|s| s >= 400))
            .map(|l| (l.from.clone(), l.to.clone()))
            .collect();
        if want.is_empty() {
            continue;
        }
        let json = v2(&format!(
            "from=broken_backlinks&target={root}&mode=subdomains&limit=100000"
        ))
        .await;
        let got_rows = rows(&json, "refpages");
        let got: BTreeSet<(String, String)> = got_rows
            .iter()
            .map(|r| (s(r, "url_from").into(), s(r, "url_to").into()))
            .collect();
        assert_eq!(got, want, "{root}");
        for r in got_rows {
            let code = i(r, "http_code");
            assert!(code >= 400, "{r}");
            assert!(s(r, "error").starts_with(&format!("{code} ")), "{r}");
            assert!(s(r, "broken_at").ends_with('Z'), "{r}");
        }
        // The same links as v3's broken-backlinks.
        let (_, v3) = get(
            &web().0.app(),
            &format!(
                "/v3/site-explorer/broken-backlinks?target={root}&aggregation=all&select=url_from,url_to&limit=100000"
            ),
        )
        .await;
        let v3: BTreeSet<(String, String)> = rows(&v3, "backlinks")
            .iter()
            .map(|r| (s(r, "url_from").into(), s(r, "url_to").into()))
            .collect();
        assert_eq!(got, v3);
        tested += 1;
        if tested == 3 {
            break;
        }
    }
    assert!(tested > 0, "the synthetic web has broken backlinks");
}

/// Two builds of one synthetic web (epochs 0 and 1): links lost and found between them.
fn two_epochs() -> &'static (Index, SyntheticWeb, SyntheticWeb) {
    static WEB: OnceLock<(Index, SyntheticWeb, SyntheticWeb)> = OnceLock::new();
    WEB.get_or_init(|| Index::of_two_epochs(5))
}

#[tokio::test]
async fn backlinks_new_lost_dates_each_links_latest_event() {
    let (index, first, second) = two_epochs();
    let app = index.app();
    let root_of = |url: &str| anchorage_core::domain::root_domain(host_of(url)).to_string();
    // Lost and new external links per target root domain, from the scripted changes.
    let mut lost: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    let mut found: BTreeMap<String, BTreeMap<(String, String), &str>> = BTreeMap::new();
    for effect in second
        .truth
        .changes
        .iter()
        .filter(|c| c.epoch == 1)
        .flat_map(|c| &c.effects)
    {
        let (from, to) = (root_of(&effect.from), root_of(&effect.to));
        if from == to {
            continue;
        }
        let pair = (effect.from.clone(), effect.to.clone());
        if effect.lost_reason.is_some() {
            lost.entry(to.clone()).or_default().insert(pair.clone());
        }
        if let Some(d) = effect.discovered_status {
            found.entry(to).or_default().insert(pair, d.as_str());
        }
    }
    // The target that loses most links, and the one given most links on existing pages.
    let lost_root = lost
        .iter()
        .max_by_key(|(_, links)| links.len())
        .map(|(root, _)| root.clone())
        .expect("epoch 1 loses external links");
    let added_root = found
        .iter()
        .max_by_key(|(_, links)| links.values().filter(|d| **d == "linkfound").count())
        .filter(|(_, links)| links.values().any(|d| *d == "linkfound"))
        .map(|(root, _)| root.clone())
        .expect("epoch 1 adds external links to existing pages");
    // The day epoch 1's crawl began; epoch 0's crawl ended days before.
    let start = |web: &SyntheticWeb| web.truth.pages.iter().map(|p| p.fetched_at).min();
    let epoch1 = anchorage_core::time::iso_date(start(second).expect("pages"));
    let epoch0_end = first.truth.pages.iter().map(|p| p.fetched_at).max();
    assert!(anchorage_core::time::iso_date(epoch0_end.expect("pages")) < epoch1);
    let pairs = |rows: &[Value]| -> BTreeSet<(String, String)> {
        rows.iter()
            .map(|r| (s(r, "url_from").into(), s(r, "url_to").into()))
            .collect()
    };
    type Keep = fn(&Value) -> bool;
    let shown: [(&str, Keep); 4] = [
        ("origin=\"recrawl\"", |r| s(r, "origin") == "recrawl"),
        ("original=false", |r| !b(r, "original")),
        ("type<>\"new\"", |r| s(r, "type") != "new"),
        ("type=\"lost\",origin<>\"drop\"", |r| {
            s(r, "type") == "lost" && s(r, "origin") != "drop"
        }),
    ];
    let mut tested = vec![false; shown.len()];
    for root in [&lost_root, &added_root] {
        let query = |extra: String| {
            let app = app.clone();
            async move {
                let uri = format!(
                    "/?from=backlinks_new_lost&target={root}&mode=subdomains&limit=100000{extra}"
                );
                let (status, json) = get(&app, &uri).await;
                assert_eq!(status, 200, "{uri} → {json}");
                rows(&json, "refpages").clone()
            }
        };
        let all = query(String::new()).await;
        let keys: Vec<&str> = all[0]
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(&keys[..3], ["date", "type", "ahrefs_rank"]);
        let got_lost = query(format!("&where={}", enc("type=\"lost\""))).await;
        assert_eq!(
            pairs(&got_lost),
            lost.get(root).cloned().unwrap_or_default(),
            "{root}"
        );
        for r in &got_lost {
            assert!(s(r, "date") >= epoch1.as_str(), "lost in epoch 1: {r}");
            assert!(["drop", "recrawl"].contains(&s(r, "origin")), "{r}");
        }
        let got_new = query(format!(
            "&where={}",
            enc(&format!("type=\"new\",date>=\"{epoch1}\""))
        ))
        .await;
        let want_new = found.get(root).cloned().unwrap_or_default();
        assert_eq!(
            pairs(&got_new),
            want_new.keys().cloned().collect::<BTreeSet<_>>(),
            "{root}"
        );
        for r in &got_new {
            let pair = (s(r, "url_from").to_string(), s(r, "url_to").to_string());
            let fresh = want_new[&pair] == "pagefound";
            assert_eq!(
                s(r, "origin"),
                if fresh { "fresh" } else { "recrawl" },
                "{r}"
            );
            assert_eq!(b(r, "original"), fresh, "{r}");
        }
        // Every other link was found in epoch 0, with its page.
        let before = query(format!("&where={}", enc(&format!("date<\"{epoch1}\"")))).await;
        assert!(!before.is_empty());
        for r in &before {
            assert_eq!(s(r, "type"), "new", "{r}");
            assert_eq!(s(r, "origin"), "fresh", "{r}");
        }
        assert_eq!(before.len() + got_new.len() + got_lost.len(), all.len());
        // The derived columns filter as they are shown.
        for (n, (expr, keep)) in shown.iter().enumerate() {
            let got = query(format!("&where={}", enc(expr))).await;
            let mut got: Vec<String> = got.iter().map(Value::to_string).collect();
            let mut want: Vec<String> = all
                .iter()
                .filter(|r| keep(r))
                .map(Value::to_string)
                .collect();
            got.sort();
            want.sort();
            assert_eq!(got, want, "{root}: {expr}");
            tested[n] |= !want.is_empty() && want.len() < all.len();
        }
    }
    for (n, (expr, _)) in shown.iter().enumerate() {
        assert!(
            tested[n],
            "{expr} kept all rows or none of both targets: not a test"
        );
    }
}

/// Checks `clause=expr` on the backlinks of `root` against `keep` over the unfiltered rows:
/// the same rows, and a test that removes some rows and keeps some.
async fn check_filter(
    app: &axum::Router,
    root: &str,
    all: &[Value],
    clause: &str,
    expr: &str,
    keep: impl Fn(&Value) -> bool,
) {
    let got = backlinks_in(app, root, &format!("&{clause}={}", enc(expr))).await;
    let mut got: Vec<String> = got.iter().map(Value::to_string).collect();
    let mut want: Vec<String> = all
        .iter()
        .filter(|r| keep(r))
        .map(Value::to_string)
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want, "{clause}={expr}");
    assert!(
        !want.is_empty() && want.len() < all.len(),
        "{clause}={expr} keeps {} of {} rows: not a test",
        want.len(),
        all.len()
    );
}

/// The most common value of `f` over `rows`.
fn most_common<T: Ord + Clone>(rows: &[Value], f: impl Fn(&Value) -> T) -> T {
    let mut counts: BTreeMap<T, usize> = BTreeMap::new();
    for r in rows {
        *counts.entry(f(r)).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(v, _)| v)
        .expect("rows")
}

#[tokio::test]
async fn where_and_having_operators_have_known_answers() {
    let root = top_site();
    let all = backlinks(&root, "").await;
    let check = |clause: &'static str, expr: String, keep: Box<dyn Fn(&Value) -> bool>| {
        let root = root.clone();
        let all = all.clone();
        async move { check_filter(&web().0.app(), &root, &all, clause, &expr, keep).await }
    };
    // Integers, with every operator, bare and quoted.
    let mut externals: Vec<i64> = all.iter().map(|r| i(r, "links_external")).collect();
    externals.sort();
    let m = externals[externals.len() / 2];
    let e = |r: &Value| i(r, "links_external");
    check(
        "where",
        format!("links_external={m}"),
        Box::new(move |r| e(r) == m),
    )
    .await;
    check(
        "where",
        format!("links_external<>{m}"),
        Box::new(move |r| e(r) != m),
    )
    .await;
    check(
        "where",
        format!("links_external<{m}"),
        Box::new(move |r| e(r) < m),
    )
    .await;
    check(
        "where",
        format!("links_external<={m}"),
        Box::new(move |r| e(r) <= m),
    )
    .await;
    check(
        "where",
        format!("links_external>{m}"),
        Box::new(move |r| e(r) > m),
    )
    .await;
    check(
        "where",
        format!("links_external>=\"{m}\""),
        Box::new(move |r| e(r) >= m),
    )
    .await;
    check(
        "having",
        format!("links_external> {m}"),
        Box::new(move |r| e(r) > m),
    )
    .await;
    // Ratings compare as shown (rounded).
    let dr = most_common(&all, |r| i(r, "domain_rating"));
    let d = |r: &Value| i(r, "domain_rating");
    check(
        "where",
        format!("domain_rating={dr}"),
        Box::new(move |r| d(r) == dr),
    )
    .await;
    check(
        "where",
        format!("domain_rating<>{dr}"),
        Box::new(move |r| d(r) != dr),
    )
    .await;
    check(
        "where",
        format!("domain_rating>{dr}"),
        Box::new(move |r| d(r) > dr),
    )
    .await;
    check(
        "where",
        format!("domain_rating<={dr}"),
        Box::new(move |r| d(r) <= dr),
    )
    .await;
    let ur = most_common(&all, |r| i(r, "ahrefs_rank"));
    let u = |r: &Value| i(r, "ahrefs_rank");
    check(
        "where",
        format!("ahrefs_rank>={ur}"),
        Box::new(move |r| u(r) >= ur),
    )
    .await;
    check(
        "where",
        format!("ahrefs_rank<{ur}"),
        Box::new(move |r| u(r) < ur),
    )
    .await;
    // Text: equality, substring and word ignore case as documented only for the functions.
    let anchor = most_common(&all, |r| s(r, "anchor").to_string());
    let a = anchor.clone();
    check(
        "where",
        format!("anchor=\"{anchor}\""),
        Box::new(move |r| s(r, "anchor") == a),
    )
    .await;
    let a = anchor.clone();
    check(
        "where",
        format!("anchor<>\"{anchor}\""),
        Box::new(move |r| s(r, "anchor") != a),
    )
    .await;
    let word = anchor
        .split(|c: char| !c.is_alphanumeric())
        .max_by_key(|w| w.len())
        .expect("a word")
        .to_string();
    let part: String = word
        .chars()
        .skip(1)
        .take(3)
        .collect::<String>()
        .to_uppercase();
    let p = part.to_lowercase();
    check(
        "where",
        format!("substring(anchor,\"{part}\")"),
        Box::new(move |r| s(r, "anchor").to_lowercase().contains(&p)),
    )
    .await;
    let title_word = all
        .iter()
        .flat_map(|r| s(r, "title").split(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.len() >= 5)
        .map(str::to_lowercase)
        .max()
        .expect("a title word");
    let w = title_word.clone();
    check(
        "where",
        format!("word(title,\"{}\")", title_word.to_uppercase()),
        Box::new(move |r| {
            s(r, "title")
                .to_lowercase()
                .split(|c: char| !c.is_alphanumeric())
                .any(|x| x == w)
        }),
    )
    .await;
    let domain = most_common(&all, |r| {
        anchorage_core::domain::root_domain(host_of(s(r, "url_from"))).to_string()
    });
    let dom = domain.clone();
    check(
        "where",
        format!("subdomain(url_from,\"{domain}\")"),
        Box::new(move |r| {
            let host = host_of(s(r, "url_from"));
            host == dom || host.ends_with(&format!(".{dom}"))
        }),
    )
    .await;
    // Booleans, link types and the values v2 shows for null.
    check(
        "where",
        "nofollow=true".into(),
        Box::new(|r| b(r, "nofollow")),
    )
    .await;
    check(
        "where",
        "nofollow=\"false\"".into(),
        Box::new(|r| !b(r, "nofollow")),
    )
    .await;
    check(
        "where",
        "alt=\"\"".into(),
        Box::new(|r| s(r, "alt").is_empty()),
    )
    .await;
    check(
        "where",
        "alt<>\"\"".into(),
        Box::new(|r| !s(r, "alt").is_empty()),
    )
    .await;
    // Several conditions: all must hold.
    check(
        "where",
        format!("nofollow=false, links_external>{m},substring(anchor,\"{part}\")"),
        Box::new(move |r| {
            !b(r, "nofollow")
                && e(r) > m
                && s(r, "anchor").to_lowercase().contains(&part.to_lowercase())
        }),
    )
    .await;
}

#[tokio::test]
async fn languages_filter_as_shown() {
    // The first language of a page is the one v2 shows; `where` tests that one.
    let mut tested = false;
    for site in truth().sites_by_popularity().iter().take(10) {
        let root = &site.root_domain;
        let all = backlinks(root, "").await;
        let languages: BTreeSet<String> = all
            .iter()
            .filter_map(|r| r["language"].as_str().map(str::to_string))
            .collect();
        if languages.len() < 2 {
            continue;
        }
        let language = most_common(&all, |r| r["language"].as_str().unwrap_or("").to_string());
        let l = language.clone();
        check_filter(
            &web().0.app(),
            root,
            &all,
            "where",
            &format!("language=\"{language}\""),
            move |r| r["language"].as_str() == Some(l.as_str()),
        )
        .await;
        tested = true;
        break;
    }
    assert!(
        tested,
        "some site has backlinks from pages in several languages"
    );
}

#[tokio::test]
async fn order_by_limit_and_offset() {
    let root = top_site();
    let base = format!(
        "from=backlinks&target={root}&mode=subdomains&select=url_from,url_to,domain_rating,nofollow,anchor"
    );
    let json = v2(&format!(
        "{base}&order_by=domain_rating:desc,url_from&limit=100000"
    ))
    .await;
    let all = rows(&json, "refpages").clone();
    assert_eq!(all.len(), truth_backlinks(&root).len());
    let keys: Vec<&str> = all[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["url_from", "url_to", "domain_rating", "nofollow", "anchor"]
    );
    let ratings: Vec<i64> = all.iter().map(|r| i(r, "domain_rating")).collect();
    assert!(ratings.windows(2).all(|w| w[0] >= w[1]));
    assert!(ratings.first() > ratings.last(), "ratings differ");
    let mut paged = Vec::new();
    for offset in (0..all.len()).step_by(9) {
        let json = v2(&format!(
            "{base}&order_by=domain_rating:desc,url_from&limit=9&offset={offset}"
        ))
        .await;
        paged.extend(rows(&json, "refpages").iter().cloned());
    }
    assert_eq!(paged, all);
    // The default limit is 1000; limit=3 gives 3.
    let json = v2(&format!("{base}&limit=3")).await;
    assert_eq!(rows(&json, "refpages").len(), 3);
    // nofollow sorts false first, ascending.
    let json = v2(&format!("{base}&order_by=nofollow:asc&limit=100000")).await;
    let flags: Vec<bool> = rows(&json, "refpages")
        .iter()
        .map(|r| b(r, "nofollow"))
        .collect();
    assert!(flags.windows(2).all(|w| !w[0] || w[1]), "false before true");
    assert!(flags.contains(&true) && flags.contains(&false));
    let json = v2(&format!("{base}&order_by=anchor:desc&limit=100000")).await;
    let anchors: Vec<&str> = rows(&json, "refpages")
        .iter()
        .map(|r| s(r, "anchor"))
        .collect();
    assert!(anchors.windows(2).all(|w| w[0] >= w[1]));
    // A column named twice in select is returned once.
    let json = v2(&format!(
        "from=backlinks&target={root}&mode=subdomains&select=anchor,url_from,anchor&limit=1"
    ))
    .await;
    let keys: Vec<&str> = rows(&json, "refpages")[0]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["anchor", "url_from"]);
}

#[tokio::test]
async fn json_xml_and_php_carry_the_same_rows() {
    let app = web().0.app();
    let root = top_site();
    let base = format!(
        "/?token=anything&from=backlinks&target={root}&mode=subdomains&select=url_from,nofollow&order_by=url_from&limit=5"
    );
    let (status, json) = get(&app, &base).await;
    assert_eq!(status, 200);
    let json_rows = rows(&json, "refpages");
    assert_eq!(json_rows.len(), 5);
    let (status, xml) = get_text(&app, &format!("{base}&output=xml")).await;
    assert_eq!(status, 200);
    let mut want =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AhrefsApiResponse><refpages>");
    for r in json_rows {
        want.push_str(&format!(
            "<refpage><url_from>{}</url_from><nofollow>{}</nofollow></refpage>",
            s(r, "url_from").replace('&', "&amp;"),
            b(r, "nofollow")
        ));
    }
    want.push_str("</refpages></AhrefsApiResponse>\n");
    assert_eq!(xml, want);
    let (status, php) = get_text(&app, &format!("{base}&output=php")).await;
    assert_eq!(status, 200);
    let mut want = String::from("a:1:{s:8:\"refpages\";a:5:{");
    for (n, r) in json_rows.iter().enumerate() {
        let url = s(r, "url_from");
        want.push_str(&format!(
            "i:{n};a:2:{{s:8:\"url_from\";s:{}:\"{url}\";s:8:\"nofollow\";b:{};}}",
            url.len(),
            u8::from(b(r, "nofollow"))
        ));
    }
    want.push_str("}}");
    assert_eq!(php, want);
    let (status, explicit) = get(&app, &format!("{base}&output=json")).await;
    assert_eq!(status, 200);
    assert_eq!(explicit, json);
    // Grouped tables name their XML rows after the table's key.
    let (_, xml) = get_text(
        &app,
        &format!(
            "/?from=refdomains&target={root}&mode=subdomains&select=refdomain&limit=2&output=xml"
        ),
    )
    .await;
    assert!(xml.contains("<refdomains><refdomain><refdomain>"), "{xml}");
    // Errors come in the requested output too.
    let (status, xml) = get_text(&app, "/?from=nope&target=x.com&mode=domain&output=xml").await;
    assert_eq!(status, 400);
    assert!(
        xml.contains("<error>from: unknown table &apos;nope&apos;"),
        "{xml}"
    );
    let (status, php) = get_text(&app, "/?from=nope&target=x.com&mode=domain&output=php").await;
    assert_eq!(status, 400);
    assert!(php.starts_with("a:1:{s:5:\"error\";s:"), "{php}");
}

#[tokio::test]
async fn units_are_v2s_rows() {
    let app = web().0.app();
    let root = top_site();
    let cost = |uri: String| {
        let app = app.clone();
        async move {
            let response = tower::ServiceExt::oneshot(
                app,
                axum::http::Request::get(uri)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await
            .unwrap();
            assert_eq!(response.status(), 200);
            let h = |n: &str| -> u64 { response.headers()[n].to_str().unwrap().parse().unwrap() };
            (h("x-api-rows"), h("x-api-units-cost-total-actual"))
        }
    };
    // backlinks: 1 per request + 0.2 per row; where, having and offset 5 each.
    let (rows, units) = cost(format!(
        "/?from=backlinks&target={root}&mode=subdomains&limit=23"
    ))
    .await;
    assert_eq!((rows, units), (23, (1.0f64 + 0.2 * 23.0).ceil() as u64));
    let (rows, units) = cost(format!(
        "/?from=backlinks&target={root}&mode=subdomains&limit=10&offset=2&where=nofollow=false"
    ))
    .await;
    assert_eq!((rows, units), (10, 13));
    // linked_anchors: 1 + 1 per row.
    let (rows, units) = cost(format!(
        "/?from=linked_anchors&target={root}&mode=subdomains&limit=4"
    ))
    .await;
    assert_eq!((rows, units), (4, 5));
}

/// A keyed application over the synthetic web's index, with one key.
fn keyed_app() -> (axum::Router, String) {
    let index = &web().0;
    let mut store = KeyStore::default();
    let (secret, _) = store.create("v2", None, 1000);
    let access = Arc::new(Access::new(index.dir.root().to_path_buf(), store, true));
    (
        anchorage_api::app_with_access(index.dir.clone(), access),
        secret,
    )
}

#[tokio::test]
async fn the_token_is_an_api_key_when_keys_are_required() {
    let (app, secret) = keyed_app();
    let root = top_site();
    let uri =
        |token: &str| format!("/?{token}from=backlinks&target={root}&mode=subdomains&limit=2");
    let (status, json) = get(&app, &uri("")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        json["error"].as_str().unwrap().starts_with("token: "),
        "{json}"
    );
    let (status, json) = get(&app, &uri("token=anc_wrong&")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(
        json["error"].as_str().unwrap().starts_with("token: "),
        "{json}"
    );
    let (status, json) = get(&app, &uri(&format!("token={secret}&"))).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(rows(&json, "refpages").len(), 2);
    // The key is checked before the request: a bad request with a bad key is a 401.
    let (status, _) = get(&app, "/?token=anc_wrong&from=nope").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    // Without required keys (loopback), any token or none is accepted.
    let open = web().0.app();
    for token in ["", "token=whatever&"] {
        let (status, json) = get(&open, &uri(token)).await;
        assert_eq!(status, StatusCode::OK, "{json}");
    }
}

#[tokio::test]
async fn bad_input_gets_400_naming_the_parameter() {
    let app = web().0.app();
    let root = top_site();
    let ok = format!("target={root}&mode=subdomains");
    for (query, starts) in [
        (String::new(), "from: this parameter is required"),
        (
            "from=backlinks&mode=domain".to_string(),
            "target: this parameter is required",
        ),
        (
            format!("from=backlinks&target={root}"),
            "mode: this parameter is required",
        ),
        (
            format!("from=refpages&{ok}"),
            "from: unknown table 'refpages'; the tables are backlinks,",
        ),
        (
            format!("from=backlinks&target={root}&mode=everything"),
            "mode: ",
        ),
        (
            format!("from=backlinks&{ok}&select=url_from,bogus"),
            "select: 'bogus' is not a column of backlinks",
        ),
        (
            format!("from=anchors&{ok}&select=anchor,url_from"),
            "select: 'url_from': can only be used in where in anchors",
        ),
        (
            format!("from=backlinks&{ok}&where={}", enc("bogus=1")),
            "where: 'bogus' is not a column of backlinks",
        ),
        (
            format!("from=backlinks&{ok}&where={}", enc("links_external>>1")),
            "where: at character 16: expected a value",
        ),
        (
            format!("from=backlinks&{ok}&where={}", enc("anchor=seo")),
            "where: at character 8: 'seo' is not a value",
        ),
        (
            format!("from=backlinks&{ok}&where={}", enc("anchor=\"seo")),
            "where: at character 8: the string is not closed",
        ),
        (
            format!(
                "from=backlinks&{ok}&where={}",
                enc("contains(anchor,\"x\")")
            ),
            "where: at character 1: unknown function 'contains'",
        ),
        (
            format!(
                "from=backlinks&{ok}&where={}",
                enc("nofollow=false,page_size=\"big\"")
            ),
            "where: at character 16, 'page_size': ",
        ),
        (
            format!("from=backlinks&{ok}&where={}", enc("link_type=\"text\"")),
            "where: at character 1, 'link_type': \"text\" is not one of href",
        ),
        (
            format!("from=backlinks&{ok}&where={}", enc("nofollow>true")),
            "where: at character 1, 'nofollow': only = and <>",
        ),
        (
            format!(
                "from=backlinks&{ok}&having={}",
                enc("substring(ahrefs_rank,\"1\")")
            ),
            "having: at character 1, 'ahrefs_rank': substring applies to text",
        ),
        (format!("from=backlinks&{ok}&where="), "from"),
        (
            format!("from=anchors&{ok}&having={}", enc("refdomain=\"x.com\"")),
            "having: at character 1, 'refdomain': refdomain cannot be used in having in anchors; use where",
        ),
        (
            format!("from=refdomains&{ok}&where={}", enc("domain_rating>10")),
            "where: at character 1, 'domain_rating': domain_rating cannot be used in where in refdomains; use having",
        ),
        (
            format!("from=backlinks&{ok}&order_by=anchor:up"),
            "order_by: 'up' in 'anchor:up' is not asc or desc",
        ),
        (
            format!("from=backlinks&{ok}&order_by=sitewide"),
            "order_by: 'sitewide': sitewide cannot be sorted on in backlinks",
        ),
        (
            format!("from=backlinks&{ok}&order_by=bogus:desc"),
            "order_by: 'bogus' is not a column of backlinks",
        ),
        (
            format!("from=backlinks&{ok}&limit=ten"),
            "limit: 'ten' is not a non-negative integer",
        ),
        (
            format!("from=backlinks&{ok}&limit=100001"),
            "limit: 100001 is larger than the maximum 100000",
        ),
        (
            format!("from=backlinks&{ok}&offset=-1"),
            "offset: '-1' is not a non-negative integer",
        ),
        (
            format!("from=backlinks&{ok}&output=csv"),
            "output: 'csv' is not one of json, xml, php",
        ),
        (
            format!("from=backlinks&{ok}&aggregation=all"),
            "aggregation: unknown parameter for Ahrefs API v2",
        ),
    ] {
        if starts == "from" {
            // An empty `where` counts as absent, as every empty parameter.
            let (status, json) = get(&app, &format!("/?{query}")).await;
            assert_eq!(status, 200, "{query} → {json}");
            continue;
        }
        let (status, json) = get(&app, &format!("/?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query} → {json}");
        let message = json["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{query} → {json}"));
        assert!(message.starts_with(starts), "{query} → {message}");
        assert_eq!(json.as_object().unwrap().len(), 1, "only error: {json}");
    }
    // Unknown paths stay 404; the server keeps answering.
    let (status, _) = get(&app, "/v2/whatever").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = get(&app, &format!("/?from=backlinks&{ok}&limit=1")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_date_stands_for_the_whole_day() {
    // Epoch 0 was crawled on one day, epoch 1 thirty days later: a target linked in both.
    let (index, _, second) = two_epochs();
    let app = index.app();
    let day = |r: &Value| s(r, "first_seen")[..10].to_string();
    let mut tested = false;
    for site in second.sites_by_popularity() {
        let root = &site.root_domain;
        let all = backlinks_in(&app, root, "").await;
        let days: BTreeSet<String> = all.iter().map(day).collect();
        if days.len() < 2 {
            continue;
        }
        let (d0, d1) = (days.first().unwrap().clone(), days.last().unwrap().clone());
        type Holds = fn(&str, &str) -> bool;
        let ops: [(&str, Holds); 6] = [
            ("=", |a, b| a == b),
            ("<>", |a, b| a != b),
            ("<", |a, b| a < b),
            ("<=", |a, b| a <= b),
            (">", |a, b| a > b),
            (">=", |a, b| a >= b),
        ];
        for (op, holds) in ops {
            for d in [&d0, &d1] {
                let expr = format!("first_seen{op}\"{d}\"");
                let got = backlinks_in(&app, root, &format!("&where={}", enc(&expr))).await;
                let mut got: Vec<String> = got.iter().map(Value::to_string).collect();
                let mut want: Vec<String> = all
                    .iter()
                    .filter(|r| holds(&day(r), d))
                    .map(Value::to_string)
                    .collect();
                got.sort();
                want.sort();
                assert_eq!(got, want, "{root}: {expr}");
            }
        }
        tested = true;
        break;
    }
    assert!(tested, "some target has backlinks first seen in each epoch");
}
