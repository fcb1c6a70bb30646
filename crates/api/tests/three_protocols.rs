//! One index, three protocols: for the same target and the same logical question, Ahrefs v3
//! (`/v3/site-explorer/all-backlinks`), DataForSEO (`POST /v3/backlinks/backlinks/live`) and
//! Ahrefs v2 (`/?from=backlinks`) return the same links — and they are the truth's.

mod support;

use anchorage_synth::SyntheticWeb;
use axum::Router;
use serde_json::{Value, json};
use std::sync::OnceLock;
use support::{Index, get, post};

fn web() -> &'static (Index, SyntheticWeb) {
    static WEB: OnceLock<(Index, SyntheticWeb)> = OnceLock::new();
    WEB.get_or_init(|| Index::of_synthetic_web(7))
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

type Links = Vec<(String, String)>;

fn pairs(rows: &[Value]) -> Links {
    let mut out: Links = rows
        .iter()
        .map(|r| {
            (
                r["url_from"].as_str().expect("url_from").to_string(),
                r["url_to"].as_str().expect("url_to").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// Ahrefs v3: every link (`aggregation=all`), live.
async fn ahrefs_v3(app: &Router, target: &str, mode: &str, filter: Option<Value>) -> Links {
    let mut uri = format!(
        "/v3/site-explorer/all-backlinks?target={}&mode={mode}&aggregation=all&history=live&select=url_from,url_to&limit=100000",
        enc(target)
    );
    if let Some(f) = filter {
        uri.push_str(&format!("&where={}", enc(&f.to_string())));
    }
    let (status, json) = get(app, &uri).await;
    assert_eq!(status, 200, "{uri} → {json}");
    pairs(json["backlinks"].as_array().expect("backlinks"))
}

/// DataForSEO: `mode: as_is`, every page through `search_after_token`.
async fn dataforseo(app: &Router, mut task: Value) -> Links {
    task["mode"] = json!("as_is");
    task["limit"] = json!(1000);
    let mut items = Vec::new();
    loop {
        let (status, _, envelope) = post(
            app,
            "/v3/backlinks/backlinks/live",
            &json!([task]).to_string(),
            None,
        )
        .await;
        assert_eq!(status, 200, "{envelope}");
        let t = &envelope["tasks"][0];
        assert_eq!(t["status_code"], 20000, "{task} → {envelope}");
        let result = &t["result"][0];
        items.extend(result["items"].as_array().expect("items").iter().cloned());
        match result["search_after_token"].as_str() {
            Some(token) => task["search_after_token"] = json!(token),
            None => break,
        }
    }
    pairs(&items)
}

/// Ahrefs v2: `from=backlinks`.
async fn ahrefs_v2(app: &Router, target: &str, mode: &str, filter: Option<&str>) -> Links {
    let mut uri = format!(
        "/?token=t&from=backlinks&target={}&mode={mode}&select=url_from,url_to&limit=100000",
        enc(target)
    );
    if let Some(f) = filter {
        uri.push_str(&format!("&where={}", enc(f)));
    }
    let (status, json) = get(app, &uri).await;
    assert_eq!(status, 200, "{uri} → {json}");
    pairs(json["refpages"].as_array().expect("refpages"))
}

#[tokio::test]
async fn the_three_protocols_return_the_same_links() {
    let (index, web) = web();
    let app = index.app();
    let site = web.sites_by_popularity()[0];
    let root = site.root_domain.as_str();

    // 1. Every live backlink of the site and its subdomains.
    let v3 = ahrefs_v3(&app, root, "subdomains", None).await;
    let dfs = dataforseo(&app, json!({"target": root})).await;
    let v2 = ahrefs_v2(&app, root, "subdomains", None).await;
    let mut truth: Links = web
        .external_backlinks_to(root)
        .into_iter()
        .filter(|l| !l.page_noindex)
        .map(|l| (l.from.clone(), l.to.clone()))
        .collect();
    truth.sort();
    assert_eq!(v3, truth, "v3: every backlink");
    assert_eq!(dfs, truth, "DataForSEO: every backlink");
    assert_eq!(v2, truth, "v2: every backlink");

    // 2. Dofollow backlinks of the primary host only, not its subdomains.
    let host = site.primary_host.as_str();
    let v3 = ahrefs_v3(
        &app,
        host,
        "domain",
        Some(json!({"field": "is_dofollow", "is": ["eq", true]})),
    )
    .await;
    let dfs = dataforseo(
        &app,
        json!({"target": host, "include_subdomains": false, "filters": ["dofollow", "=", true]}),
    )
    .await;
    let v2 = ahrefs_v2(&app, host, "domain", Some("nofollow=false")).await;
    assert_eq!(dfs, v3, "DataForSEO = v3: dofollow backlinks of {host}");
    assert_eq!(v2, v3, "v2 = v3: dofollow backlinks of {host}");
    assert!(
        !v3.is_empty() && v3.len() < truth.len(),
        "{} of {}",
        v3.len(),
        truth.len()
    );

    // 3. Backlinks of the homepage whose anchor contains a word, in any case.
    let home = site.home_url.as_str();
    let homepage = ahrefs_v3(&app, home, "exact", None).await;
    let anchors = {
        let (_, json) = get(
            &app,
            &format!(
                "/v3/site-explorer/all-backlinks?target={}&mode=exact&aggregation=all&select=anchor&limit=100000",
                enc(home)
            ),
        )
        .await;
        json["backlinks"].as_array().expect("backlinks").clone()
    };
    let word = anchors
        .iter()
        .filter_map(|r| r["anchor"].as_str())
        .flat_map(|a| a.split_whitespace())
        .filter(|w| w.len() >= 4 && w.chars().all(char::is_alphanumeric))
        .max()
        .expect("an anchor word")
        .to_uppercase();
    let v3 = ahrefs_v3(
        &app,
        home,
        "exact",
        Some(json!({"field": "anchor", "is": ["isubstring", word]})),
    )
    .await;
    let dfs = dataforseo(
        &app,
        json!({"target": home, "filters": ["anchor", "ilike", format!("%{word}%")]}),
    )
    .await;
    let v2 = ahrefs_v2(
        &app,
        home,
        "exact",
        Some(&format!("substring(anchor,\"{word}\")")),
    )
    .await;
    assert_eq!(dfs, v3, "DataForSEO = v3: homepage backlinks with '{word}'");
    assert_eq!(v2, v3, "v2 = v3: homepage backlinks with '{word}'");
    assert!(
        !v3.is_empty() && v3.len() < homepage.len(),
        "'{word}': {} of {}",
        v3.len(),
        homepage.len()
    );
}
