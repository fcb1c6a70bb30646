//! The aggregate and single-object Site Explorer reports against the synthetic web's ground
//! truth, and the output formats.

mod support;

use anchorage_synth::SyntheticWeb;
use anchorage_synth::truth::TruthLink;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use support::{Index, get, get_text};

fn indexed_web() -> (Index, SyntheticWeb) {
    Index::of_synthetic_web(11)
}

fn live_backlinks<'a>(web: &'a SyntheticWeb, root: &str) -> Vec<&'a TruthLink> {
    web.external_backlinks_to(root)
        .into_iter()
        .filter(|l| !l.page_noindex)
        .collect()
}

fn rows<'a>(json: &'a Value, key: &str) -> &'a Vec<Value> {
    json[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {json}"))
}

const SE: &str = "/v3/site-explorer";

#[tokio::test]
async fn refdomains_match_the_truth() {
    let (index, web) = indexed_web();
    let root = web.sites_by_popularity()[0].root_domain.clone();
    let (status, json) = get(&index.app(), &format!("{SE}/refdomains?target={root}&select=domain,links_to_target,dofollow_links,domain_rating,first_seen,last_seen,is_root_domain&limit=1000")).await;
    assert_eq!(status, 200, "{json}");
    let mut want: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for l in live_backlinks(&web, &root) {
        let e = want.entry(l.from_root.as_str()).or_default();
        e.0 += 1;
        e.1 += i64::from(l.is_dofollow());
    }
    let got: BTreeMap<&str, (i64, i64)> = rows(&json, "refdomains")
        .iter()
        .map(|r| {
            (
                r["domain"].as_str().unwrap(),
                (
                    r["links_to_target"].as_i64().unwrap(),
                    r["dofollow_links"].as_i64().unwrap(),
                ),
            )
        })
        .collect();
    assert_eq!(got, want);
    let ratings: Vec<f64> = rows(&json, "refdomains")
        .iter()
        .map(|r| r["domain_rating"].as_f64().unwrap())
        .collect();
    assert!(
        ratings.windows(2).all(|w| w[0] >= w[1]),
        "default order: domain_rating desc"
    );
    for r in rows(&json, "refdomains") {
        assert!(r["last_seen"].is_null(), "every domain still links: {r}");
        assert_eq!(r["is_root_domain"], true);
        assert!(r["first_seen"].as_str().unwrap().ends_with('Z'));
    }
}

#[tokio::test]
async fn anchors_and_pages_count_links_exactly() {
    let (index, web) = indexed_web();
    let app = index.app();
    let root = web.sites_by_popularity()[1].root_domain.clone();
    let truth = live_backlinks(&web, &root);
    let (_, json) = get(&app, &format!("{SE}/anchors?target={root}&select=anchor,links_to_target,refdomains,refpages&limit=1000")).await;
    let got: BTreeMap<String, i64> = rows(&json, "anchors")
        .iter()
        .map(|r| {
            (
                r["anchor"].as_str().unwrap().to_string(),
                r["links_to_target"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut want: BTreeMap<String, i64> = BTreeMap::new();
    for l in &truth {
        *want.entry(l.anchor.clone()).or_default() += 1;
    }
    assert_eq!(got, want);
    let (_, json) = get(&app, &format!("{SE}/pages-by-backlinks?target={root}&select=url_to,links_to_target,refdomains_target,title_target,http_code_target&limit=1000")).await;
    let got: BTreeMap<String, (i64, i64)> = rows(&json, "pages")
        .iter()
        .map(|r| {
            (
                r["url_to"].as_str().unwrap().to_string(),
                (
                    r["links_to_target"].as_i64().unwrap(),
                    r["refdomains_target"].as_i64().unwrap(),
                ),
            )
        })
        .collect();
    let mut want: BTreeMap<String, (i64, BTreeSet<&str>)> = BTreeMap::new();
    for l in &truth {
        let e = want.entry(l.to.clone()).or_default();
        e.0 += 1;
        e.1.insert(&l.from_root);
    }
    let want: BTreeMap<String, (i64, i64)> = want
        .into_iter()
        .map(|(k, (n, d))| (k, (n, d.len() as i64)))
        .collect();
    assert_eq!(got, want);
}

#[tokio::test]
async fn linked_domains_and_outlinks_stats_follow_the_sources_links() {
    let (index, web) = indexed_web();
    let app = index.app();
    let site = web.sites_by_popularity()[5];
    let out: Vec<&TruthLink> = web
        .truth
        .links
        .iter()
        .filter(|l| {
            l.from_root == site.root_domain
                && l.is_external()
                && l.from_status == 200
                && !l.page_noindex
        })
        .collect();
    let (status, json) = get(
        &app,
        &format!(
            "{SE}/linkeddomains?target={}&select=domain,links_from_target,linked_pages&limit=1000",
            site.root_domain
        ),
    )
    .await;
    assert_eq!(status, 200, "{json}");
    let got: BTreeMap<&str, i64> = rows(&json, "linkeddomains")
        .iter()
        .map(|r| {
            (
                r["domain"].as_str().unwrap(),
                r["links_from_target"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut want: BTreeMap<&str, i64> = BTreeMap::new();
    for l in &out {
        *want.entry(l.to_root.as_str()).or_default() += 1;
    }
    assert_eq!(got, want);
    let (_, json) = get(
        &app,
        &format!("{SE}/outlinks-stats?target={}", site.root_domain),
    )
    .await;
    assert_eq!(
        json["metrics"]["outgoing_links"],
        out.len() as i64,
        "{json}"
    );
    assert_eq!(json["metrics"]["linked_domains"], want.len() as i64);
    let dofollow = out.iter().filter(|l| l.is_dofollow()).count();
    assert_eq!(json["metrics"]["outgoing_links_dofollow"], dofollow as i64);
}

#[tokio::test]
async fn backlinks_stats_and_domain_rating() {
    let (index, web) = indexed_web();
    let app = index.app();
    let root = web.sites_by_popularity()[0].root_domain.clone();
    let truth = live_backlinks(&web, &root);
    let (status, json) = get(
        &app,
        &format!("{SE}/backlinks-stats?target={root}&date=2030-01-01"),
    )
    .await;
    assert_eq!(status, 200, "{json}");
    let domains: BTreeSet<&str> = truth.iter().map(|l| l.from_root.as_str()).collect();
    assert_eq!(json["metrics"]["live"], truth.len() as i64);
    assert_eq!(json["metrics"]["all_time"], truth.len() as i64);
    assert_eq!(json["metrics"]["live_refdomains"], domains.len() as i64);
    let (_, before) = get(
        &app,
        &format!("{SE}/backlinks-stats?target={root}&date=2000-01-01"),
    )
    .await;
    assert_eq!(
        before["metrics"]["live"], 0,
        "nothing was known in 2000: {before}"
    );
    let (_, json) = get(
        &app,
        &format!("{SE}/domain-rating?target={root}&date=2030-01-01"),
    )
    .await;
    let dr = json["domain_rating"]["domain_rating"].as_f64().unwrap();
    assert!(dr > 50.0, "the most popular site has a high DR: {json}");
    let rank = json["domain_rating"]["ahrefs_rank"].as_u64().unwrap();
    assert!(
        (1..=3).contains(&rank),
        "the most popular site ranks near the top: {json}"
    );
    let (_, json) = get(
        &app,
        &format!("{SE}/domain-rating?target=unknown-site.example&date=2030-01-01"),
    )
    .await;
    assert_eq!(json["domain_rating"]["domain_rating"], 0.0);
    assert!(json["domain_rating"]["ahrefs_rank"].is_null());
}

#[tokio::test]
async fn history_series_cover_the_build_dates() {
    let (index, web) = indexed_web();
    let app = index.app();
    let root = web.sites_by_popularity()[0].root_domain.clone();
    let (status, json) = get(
        &app,
        &format!(
            "{SE}/domain-rating-history?target={root}&date_from=2023-11-01&date_to=2024-02-10"
        ),
    )
    .await;
    assert_eq!(status, 200, "{json}");
    let series = rows(&json, "domain_ratings");
    // The synthetic web was fetched in January 2024: months before it have no figure.
    assert_eq!(
        series
            .iter()
            .map(|r| r["date"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["2024-01-01", "2024-02-01"]
    );
    let (_, json) = get(&app, &format!("{SE}/refdomains-history?target={root}&date_from=2023-12-01&date_to=2024-02-10&history_grouping=monthly")).await;
    let series = rows(&json, "refdomains");
    assert_eq!(series[0]["refdomains"], 0);
    let domains: BTreeSet<&str> = live_backlinks(&web, &root)
        .iter()
        .map(|l| l.from_root.as_str())
        .collect();
    assert_eq!(series.last().unwrap()["refdomains"], domains.len() as i64);
    let home = &web.sites_by_popularity()[0].home_url;
    let (status, json) = get(&app, &format!("{SE}/url-rating-history?target={home}&date_from=2024-01-01&date_to=2024-01-31&history_grouping=weekly")).await;
    assert_eq!(status, 200, "{json}");
    assert!(!rows(&json, "url_ratings").is_empty());
}

#[tokio::test]
async fn where_splits_into_link_and_report_conditions() {
    let (index, web) = indexed_web();
    let root = web.sites_by_popularity()[0].root_domain.clone();
    let filter = r#"{"and":[{"field":"links_to_target","is":["gte",2]},{"field":"is_dofollow","is":["eq",true]}]}"#;
    let encoded: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
    let (status, json) = get(
        &index.app(),
        &format!("{SE}/refdomains?target={root}&select=domain,links_to_target&where={encoded}"),
    )
    .await;
    assert_eq!(status, 200, "{json}");
    let mut want: BTreeMap<&str, i64> = BTreeMap::new();
    for l in live_backlinks(&web, &root)
        .into_iter()
        .filter(|l| l.is_dofollow())
    {
        *want.entry(l.from_root.as_str()).or_default() += 1;
    }
    want.retain(|_, n| *n >= 2);
    let got: BTreeMap<&str, i64> = rows(&json, "refdomains")
        .iter()
        .map(|r| {
            (
                r["domain"].as_str().unwrap(),
                r["links_to_target"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, want);
    let mixed = r#"{"or":[{"field":"links_to_target","is":["gte",2]},{"field":"is_dofollow","is":["eq",true]}]}"#;
    let encoded: String = url::form_urlencoded::byte_serialize(mixed.as_bytes()).collect();
    let (status, json) = get(
        &index.app(),
        &format!("{SE}/refdomains?target={root}&select=domain&where={encoded}"),
    )
    .await;
    assert_eq!(status, 400, "{json}");
}

#[tokio::test]
async fn outputs_csv_xml_php() {
    let (index, web) = indexed_web();
    let app = index.app();
    let root = web.sites_by_popularity()[0].root_domain.clone();
    let q = format!(
        "{SE}/anchors?target={root}&select=anchor,links_to_target&limit=3&order_by=links_to_target:desc"
    );
    let (status, csv) = get_text(&app, &format!("{q}&output=csv")).await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(lines[0], "anchor,links_to_target");
    assert_eq!(lines.len(), 5, "header, 3 rows, empty tail: {csv}");
    let (_, xml) = get_text(&app, &format!("{q}&output=xml")).await;
    assert!(
        xml.contains("<AhrefsApiResponse><anchors><item><anchor>"),
        "{xml}"
    );
    let (_, php) = get_text(&app, &format!("{q}&output=php")).await;
    assert!(
        php.starts_with("a:1:{s:7:\"anchors\";a:3:{i:0;a:2:{s:6:\"anchor\";"),
        "{php}"
    );
    let (status, json) = get(&app, &format!("{q}&output=yaml")).await;
    assert_eq!(status, 400);
    assert!(json["error"].as_str().unwrap().contains("output"));
}

#[tokio::test]
async fn reports_a_link_index_cannot_serve_say_why() {
    let (index, _) = indexed_web();
    let (status, json) = get(&index.app(), &format!("{SE}/organic-keywords?target=x.com")).await;
    assert_eq!(status, 400);
    assert!(
        json["error"]
            .as_str()
            .unwrap()
            .contains("search-ranking data"),
        "{json}"
    );
}
