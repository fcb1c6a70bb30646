//! The DataForSEO Backlinks v3 protocol against the synthetic web: the same links as the
//! Ahrefs API, every grouping mode, filters with known answers, keyset pagination, the
//! aggregate functions, DataForSEO's error codes, and the official Python client.

mod support;

use anchorage_synth::SyntheticWeb;
use anchorage_synth::truth::TruthLink;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;
use support::{Index, get, post, serve_on_loopback};

/// One synthetic web, indexed once for every test of this file.
fn web() -> &'static (Index, SyntheticWeb) {
    static WEB: OnceLock<(Index, SyntheticWeb)> = OnceLock::new();
    WEB.get_or_init(|| Index::of_synthetic_web(7))
}

fn top_site() -> String {
    web().1.sites_by_popularity()[0].root_domain.clone()
}

/// Live external links to `root` in the truth: from a 200 page that is not noindex.
fn truth_backlinks(root: &str) -> Vec<&'static TruthLink> {
    web()
        .1
        .external_backlinks_to(root)
        .into_iter()
        .filter(|l| !l.page_noindex)
        .collect()
}

const LIVE: &str = "/v3/backlinks/backlinks/live";

/// Posts one task; the envelope.
async fn call(function: &str, task: Value) -> Value {
    call_on(&web().0, function, task).await
}

async fn call_on(index: &Index, function: &str, task: Value) -> Value {
    let app = index.app();
    let uri = format!("/v3/backlinks/{function}/live");
    let (status, _, json) = post(&app, &uri, &json!([task]).to_string(), None).await;
    assert_eq!(status, 200, "{json}");
    json
}

/// The result of a successful one-task call.
async fn result(function: &str, task: Value) -> Value {
    result_on(&web().0, function, task).await
}

async fn result_on(index: &Index, function: &str, task: Value) -> Value {
    let envelope = call_on(index, function, task.clone()).await;
    let t = &envelope["tasks"][0];
    assert_eq!(t["status_code"], 20000, "{task} → {envelope}");
    assert_eq!(envelope["tasks_error"], 0);
    t["result"][0].clone()
}

fn items(result: &Value) -> &Vec<Value> {
    result["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items in {result}"))
}

/// Every item of a `backlinks` task, page after page through `search_after_token`.
async fn every_item(task: Value, limit: u64) -> Vec<Value> {
    every_item_on(&web().0, task, limit).await
}

async fn every_item_on(index: &Index, mut task: Value, limit: u64) -> Vec<Value> {
    task["limit"] = json!(limit);
    let mut out = Vec::new();
    loop {
        let r = result_on(index, "backlinks", task.clone()).await;
        out.extend(items(&r).iter().cloned());
        match r["search_after_token"].as_str() {
            Some(token) => task["search_after_token"] = json!(token),
            None => return out,
        }
    }
}

fn pair(item: &Value) -> (String, String) {
    (
        item["url_from"].as_str().unwrap().to_string(),
        item["url_to"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn as_is_returns_the_links_of_ahrefs_all_backlinks() {
    let root = top_site();
    let ours = every_item(json!({"target": root}), 1000).await;
    let (status, ahrefs) = get(
        &web().0.app(),
        &format!(
            "/v3/site-explorer/all-backlinks?target={root}&aggregation=all&select=url_from,url_to&limit=100000"
        ),
    )
    .await;
    assert_eq!(status, 200, "{ahrefs}");
    let mut got: Vec<_> = ours.iter().map(pair).collect();
    let mut want: Vec<_> = ahrefs["backlinks"]
        .as_array()
        .unwrap()
        .iter()
        .map(pair)
        .collect();
    got.sort();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(got.len(), truth_backlinks(&root).len());
    let first = &ours[0];
    assert_eq!(first["type"], "backlink");
    for field in [
        "rank",
        "page_from_rank",
        "domain_from_rank",
        "group_count",
        "links_count",
    ] {
        assert!(first[field].is_i64(), "{field} must be an integer: {first}");
    }
    for field in [
        "is_new",
        "is_lost",
        "dofollow",
        "url_from_https",
        "is_broken",
    ] {
        assert!(first[field].is_boolean(), "{field}: {first}");
    }
    let seen = first["first_seen"].as_str().unwrap();
    assert!(seen.ends_with(" +00:00") && seen.len() == 26, "{seen}");
    let target_score = domain_spam_score(&root);
    assert!(ours.iter().all(|i| i["url_to_spam_score"] == target_score));
    for item in &ours {
        let host = item["domain_from"].as_str().unwrap();
        let country = anchorage_core::domain::cctld_country(host);
        assert_eq!(item["domain_from_country"], json!(country), "{host}");
    }
    let mut copies: BTreeMap<(&str, &str, &str), i64> = BTreeMap::new();
    for l in truth_backlinks(&root) {
        *copies
            .entry((&l.from, &l.to, l.element.item_type()))
            .or_default() += 1;
    }
    for item in &ours {
        let key = (
            item["url_from"].as_str().unwrap(),
            item["url_to"].as_str().unwrap(),
            item["item_type"].as_str().unwrap(),
        );
        assert_eq!(item["links_count"], copies[&key], "{key:?}");
    }
    println!(
        "links_count above 1 on {} of {} items",
        ours.iter()
            .filter(|i| i["links_count"].as_i64() > Some(1))
            .count(),
        ours.len()
    );
}

fn domain_from(item: &Value) -> String {
    item["domain_from"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn every_mode_groups_as_documented() {
    let root = top_site();
    let truth = truth_backlinks(&root);
    let per_domain = every_item(json!({"target": root, "mode": "one_per_domain"}), 1000).await;
    let domains: Vec<&str> = per_domain
        .iter()
        .map(|i| i["domain_from"].as_str().unwrap())
        .collect();
    let unique: BTreeSet<&str> = domains.iter().copied().collect();
    assert_eq!(domains.len(), unique.len(), "one row per referring domain");
    let sum: i64 = per_domain
        .iter()
        .map(|i| i["group_count"].as_i64().unwrap())
        .sum();
    assert_eq!(
        sum as usize,
        truth.len(),
        "group counts add up to every link"
    );
    // `group_count` is tested on the groups, after the other conditions chose the links.
    let busy = json!({"target": root, "mode": "one_per_domain",
                      "filters": [["group_count", ">", 1], "and", ["dofollow", "=", true]]});
    let got: BTreeSet<String> = every_item(busy, 1000)
        .await
        .iter()
        .map(|i| {
            assert!(i["group_count"].as_i64().unwrap() > 1, "{i}");
            assert_eq!(i["dofollow"], true, "{i}");
            domain_from(i)
        })
        .collect();
    let dofollow = json!({"target": root, "mode": "one_per_domain",
                          "filters": ["dofollow", "=", true]});
    let want: BTreeSet<String> = every_item(dofollow, 1000)
        .await
        .iter()
        .filter(|i| i["group_count"].as_i64().unwrap() > 1)
        .map(domain_from)
        .collect();
    assert!(!want.is_empty(), "some domain links more than once");
    assert_eq!(got, want);
    let as_is = json!({"target": root, "filters": ["group_count", "=", 1]});
    assert_eq!(
        every_item(as_is, 1000).await.len(),
        truth.len(),
        "as_is: groups of 1"
    );
    let mixed = json!({"target": root, "mode": "one_per_domain",
                       "filters": [["group_count", ">", 1], "or", ["dofollow", "=", true]]});
    let r = call("backlinks", mixed).await;
    assert_eq!(r["tasks"][0]["status_code"], 40501, "{r}");

    let per_anchor = every_item(json!({"target": root, "mode": "one_per_anchor"}), 1000).await;
    let anchors: BTreeSet<&str> = per_anchor
        .iter()
        .map(|i| i["anchor"].as_str().unwrap())
        .collect();
    assert_eq!(anchors.len(), per_anchor.len());
    let want: BTreeSet<&str> = truth.iter().map(|l| l.anchor.as_str()).collect();
    assert_eq!(anchors, want);

    let custom = json!({"field": "domain_from", "value": 2});
    let r = result(
        "backlinks",
        json!({"target": root, "custom_mode": custom, "mode": "as_is", "limit": 1000}),
    )
    .await;
    assert_eq!(r["mode"], Value::Null);
    assert_eq!(r["custom_mode"], custom);
    let mut per: BTreeMap<&str, usize> = BTreeMap::new();
    for i in items(&r) {
        *per.entry(i["domain_from"].as_str().unwrap()).or_default() += 1;
    }
    assert!(per.values().all(|n| *n <= 2), "{per:?}");
    let hosts: BTreeSet<String> = truth
        .iter()
        .map(|l| anchorage_core::urls::host_of(&l.from).to_string())
        .collect();
    assert_eq!(per.len(), hosts.len());

    // The computed fields group as they render, at most `value` items per value.
    let all = every_item(json!({"target": root}), 1000).await;
    for field in ["tld_from", "page_from_language", "domain_from_country"] {
        let custom = json!({"field": field, "value": 3});
        let grouped = every_item(json!({"target": root, "custom_mode": custom}), 1000).await;
        let mut per: BTreeMap<String, i64> = BTreeMap::new();
        let mut counted: BTreeMap<String, i64> = BTreeMap::new();
        for i in &grouped {
            *per.entry(i[field].to_string()).or_default() += 1;
            counted.insert(i[field].to_string(), i["group_count"].as_i64().unwrap());
        }
        let mut want: BTreeMap<String, i64> = BTreeMap::new();
        for i in &all {
            *want.entry(i[field].to_string()).or_default() += 1;
        }
        assert!(want.len() > 1, "{field}: several values");
        assert_eq!(counted, want, "{field}: each group's size");
        for (value, n) in &per {
            assert_eq!(*n, want[value].min(3), "{field} = {value}");
        }
    }
}

#[tokio::test]
async fn filters_have_known_answers() {
    let root = top_site();
    let truth = truth_backlinks(&root);
    let count = |filters: Value| {
        let root = root.clone();
        async move {
            result(
                "backlinks",
                json!({"target": root, "filters": filters, "limit": 1}),
            )
            .await["total_count"]
                .as_u64()
                .unwrap() as usize
        }
    };
    // Not dofollow: rel nofollow, ugc or sponsored, or a nofollow page (the DR graph's rule).
    let followed = |l: &TruthLink| !(l.nofollow || l.ugc || l.sponsored || l.page_nofollow);
    let nofollow = truth.iter().filter(|l| !followed(l)).count();
    assert_eq!(count(json!(["dofollow", "=", false])).await, nofollow);
    assert_eq!(
        count(json!(["dofollow", "<>", false])).await,
        truth.len() - nofollow
    );
    let word = truth
        .iter()
        .find(|l| !l.anchor.is_empty())
        .map(|l| l.anchor.split_whitespace().next().unwrap().to_lowercase())
        .unwrap();
    let with_word = |l: &TruthLink| l.anchor.to_lowercase().contains(&word);
    assert_eq!(
        count(json!([
            "anchor",
            "ilike",
            format!("%{}%", word.to_uppercase())
        ]))
        .await,
        truth.iter().filter(|l| with_word(l)).count()
    );
    assert_eq!(
        count(json!([
            ["anchor", "ilike", format!("%{word}%")],
            "and",
            ["dofollow", "=", true]
        ]))
        .await,
        truth.iter().filter(|l| with_word(l) && followed(l)).count()
    );
    assert_eq!(
        count(json!([
            ["dofollow", "=", false],
            "or",
            [
                ["anchor", "ilike", format!("%{word}%")],
                "and",
                ["domain_from_rank", ">=", "0"]
            ]
        ]))
        .await,
        truth
            .iter()
            .filter(|l| !followed(l) || with_word(l))
            .count()
    );
    let kinds: BTreeSet<&str> = truth.iter().map(|l| l.element.item_type()).collect();
    let some: Vec<&str> = kinds.iter().take(2).copied().collect();
    assert_eq!(
        count(json!(["item_type", "in", some])).await,
        truth
            .iter()
            .filter(|l| some.contains(&l.element.item_type()))
            .count()
    );
    assert_eq!(
        count(json!(["url_from", "regex", "^https?://"])).await,
        truth.len()
    );
    assert_eq!(count(json!(["domain_from_rank", ">", 1000])).await, 0);
}

/// Fields DataForSEO computes from others (`tld_from`, `attributes`, …) filter exactly as they
/// render: each filter keeps the items whose rendered field passes it.
#[tokio::test]
async fn derived_fields_filter_as_they_render() {
    let root = top_site();
    let all = every_item(json!({"target": root}), 1000).await;
    assert!(all.len() > 20, "{} items", all.len());
    let first_str = |field: &str| {
        all.iter()
            .find_map(|i| i[field].as_str().map(String::from))
            .unwrap_or_else(|| panic!("no item with a {field}"))
    };
    let tld = first_str("tld_from");
    let language = first_str("page_from_language");
    let country = first_str("domain_from_country");
    let spam = all
        .iter()
        .find_map(|i| i["url_to_spam_score"].as_i64())
        .expect("the target's domain is scored");
    let has = |i: &Value, field: &str, name: &str| {
        i[field]
            .as_array()
            .is_some_and(|a| a.iter().any(|v| v == name))
    };
    type Check = Box<dyn Fn(&Value) -> bool>;
    let (t, l) = (tld.clone(), language.clone());
    let cases: Vec<(Value, Check)> = vec![
        (
            json!(["tld_from", "=", tld]),
            Box::new(move |i| i["tld_from"] == t.as_str()),
        ),
        (
            json!(["tld_from", "not_in", [tld, "zz"]]),
            Box::new({
                let t = tld.clone();
                move |i| i["tld_from"] != t.as_str()
            }),
        ),
        (
            json!(["page_from_language", "=", language]),
            Box::new(move |i| i["page_from_language"] == l.as_str()),
        ),
        (
            json!(["url_from_https", "=", true]),
            Box::new(|i| i["url_from_https"] == true),
        ),
        (
            json!(["url_to_https", "<>", true]),
            Box::new(|i| i["url_to_https"] == false),
        ),
        (
            json!(["attributes", "has", "nofollow"]),
            Box::new(move |i| has(i, "attributes", "nofollow")),
        ),
        (
            json!(["attributes", "has_not", "nofollow"]),
            Box::new(move |i| !has(i, "attributes", "nofollow")),
        ),
        (
            json!(["original", "=", true]),
            Box::new(|i| i["original"] == true),
        ),
        (
            json!(["domain_from_is_ip", "=", false]),
            Box::new(|i| i["domain_from_is_ip"] == false),
        ),
        (
            json!(["url_to_redirect_target", "like", "http%"]),
            Box::new(|i| i["url_to_redirect_target"].is_string()),
        ),
        (
            json!(["domain_from_platform_type", "has", "cms"]),
            Box::new(move |i| has(i, "domain_from_platform_type", "cms")),
        ),
        (
            json!(["domain_from_platform_type", "has_not", "cms"]),
            Box::new(move |i| !has(i, "domain_from_platform_type", "cms")),
        ),
        (
            json!(["domain_from_platform_type", "has", "blogs"]),
            Box::new(move |i| has(i, "domain_from_platform_type", "blogs")),
        ),
        (
            json!(["is_indirect_link", "=", false]),
            Box::new(|i| i["is_indirect_link"] == false),
        ),
        (
            json!(["url_to_spam_score", ">=", spam]),
            Box::new(move |i| i["url_to_spam_score"].as_i64().is_some_and(|s| s >= spam)),
        ),
        (
            json!(["url_to_spam_score", "<", spam]),
            Box::new(move |i| i["url_to_spam_score"].as_i64().is_some_and(|s| s < spam)),
        ),
        (
            json!(["domain_from_country", "=", country]),
            Box::new({
                let c = country.clone();
                move |i| i["domain_from_country"] == c.as_str()
            }),
        ),
        (
            json!(["domain_from_country", "<>", country]),
            Box::new({
                let c = country.clone();
                move |i| i["domain_from_country"] != c.as_str()
            }),
        ),
        (
            json!(["domain_from_country", "=", null]),
            Box::new(|i| i["domain_from_country"].is_null()),
        ),
        (
            json!(["domain_from_country", "like", "%"]),
            Box::new(|i| i["domain_from_country"].is_string()),
        ),
    ];
    for (filters, keep) in cases {
        let got = every_item(json!({"target": root, "filters": filters}), 1000).await;
        let mut got: Vec<_> = got.iter().map(pair).collect();
        let mut want: Vec<_> = all.iter().filter(|i| keep(i)).map(pair).collect();
        got.sort();
        want.sort();
        println!("{filters}: {} of {} items", got.len(), all.len());
        assert_eq!(got, want, "{filters}");
        if filters[1] == "has" {
            assert!(
                !want.is_empty(),
                "{filters}: no item to keep, the case tests nothing"
            );
        }
    }
    let r = call(
        "backlinks",
        json!({"target": root, "filters": ["attributes", "has", "noopener"]}),
    )
    .await;
    assert_eq!(r["tasks"][0]["status_code"], 40501, "{r}");
    let message = r["tasks"][0]["status_message"].as_str().unwrap();
    assert!(message.contains("attributes"), "{message}");
}

#[tokio::test]
async fn search_after_token_visits_every_row_exactly_once() {
    let root = top_site();
    for order in [
        json!(null),
        json!(["domain_from_rank,desc", "anchor,asc"]),
        json!(["first_seen,asc"]),
        json!(["tld_from,desc", "url_from_https,asc"]),
        json!(["page_from_language,asc", "rank,desc"]),
    ] {
        let task = json!({"target": root, "order_by": order});
        let whole = every_item(task.clone(), 1000).await;
        let paged = every_item(task, 7).await;
        assert_eq!(
            paged, whole,
            "order {order}: pages of 7 are the whole list, in order"
        );
        let total = result(
            "backlinks",
            json!({"target": root, "order_by": order, "limit": 1}),
        )
        .await["total_count"]
            .as_u64()
            .unwrap();
        assert_eq!(paged.len() as u64, total);
    }
    // Computed fields sort as they render; a token pages through groups sorted by size.
    let by_tld = every_item(json!({"target": root, "order_by": ["tld_from,desc"]}), 1000).await;
    let tlds: Vec<&str> = by_tld
        .iter()
        .map(|i| i["tld_from"].as_str().unwrap())
        .collect();
    assert!(tlds.windows(2).all(|w| w[0] >= w[1]), "{tlds:?}");
    assert!(tlds.first() != tlds.last(), "several TLDs");
    let task = json!({"target": root, "mode": "one_per_domain", "order_by": ["group_count,desc"]});
    let whole = every_item(task.clone(), 1000).await;
    let sizes: Vec<i64> = whole
        .iter()
        .map(|i| i["group_count"].as_i64().unwrap())
        .collect();
    assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
    assert!(sizes.first() > sizes.last(), "groups of several sizes");
    assert_eq!(every_item(task, 5).await, whole);
    let r = call(
        "backlinks",
        json!({"target": root, "order_by": ["domain_from_country,asc"]}),
    )
    .await;
    assert_eq!(r["tasks"][0]["status_code"], 40501, "{r}");
    let message = r["tasks"][0]["status_message"].as_str().unwrap();
    assert!(message.contains("domain_from_country"), "{message}");
    // A token only continues its own request.
    let first = result("backlinks", json!({"target": root, "limit": 3})).await;
    let token = first["search_after_token"].as_str().unwrap();
    let other = call(
        "backlinks",
        json!({"target": root, "limit": 3, "mode": "one_per_domain", "search_after_token": token}),
    )
    .await;
    assert_eq!(other["tasks"][0]["status_code"], 40501, "{other}");
}

/// Sends `body` and returns the envelope (HTTP 200 expected).
async fn raw(body: &str) -> Value {
    let (status, _, json) = post(&web().0.app(), LIVE, body, None).await;
    assert_eq!(status, 200, "{body}: {json}");
    json
}

#[tokio::test]
async fn malformed_tasks_get_dataforseo_errors_naming_the_field() {
    let root = top_site();
    let nine: Vec<Value> = (0..9)
        .flat_map(|i| {
            let c = json!(["domain_from_rank", ">", i]);
            if i == 0 {
                vec![c]
            } else {
                vec![json!("and"), c]
            }
        })
        .collect();
    for (task, code, needle) in [
        (json!({"target": root, "colour": "blue"}), 40506, "'colour'"),
        (
            json!({"target": root, "filters": ["anchor", "bogus", "x"]}),
            40501,
            "'filters'",
        ),
        (
            json!({"target": root, "filters": nine}),
            40501,
            "9 conditions",
        ),
        (json!({"target": root, "limit": 5000}), 40501, "'limit'"),
        (json!({"target": root, "offset": 20001}), 40501, "'offset'"),
        (json!({"target": root, "mode": "all"}), 40501, "'mode'"),
        (
            json!({"target": root, "order_by": ["rank,up"]}),
            40501,
            "'order_by'",
        ),
        (
            json!({"target": root, "order_by": ["a,asc", "b,asc", "c,asc", "d,asc"]}),
            40501,
            "'order_by'",
        ),
        (
            json!({"target": root, "filters": ["nope", "=", 1]}),
            40501,
            "'nope'",
        ),
        (
            json!({"target": root, "custom_mode": {"field": "anchor", "value": 0}}),
            40501,
            "'custom_mode'",
        ),
        (
            json!({"target": root, "search_after_token": "garbage"}),
            40501,
            "'search_after_token'",
        ),
        (
            json!({"target": root, "include_subdomains": "yes"}),
            40501,
            "'include_subdomains'",
        ),
        (json!({"limit": 10}), 40501, "'target'"),
    ] {
        let envelope = raw(&json!([task]).to_string()).await;
        let t = &envelope["tasks"][0];
        assert_eq!(t["status_code"], code, "{task}: {envelope}");
        let message = t["status_message"].as_str().unwrap();
        assert!(
            message.contains(needle),
            "{task}: '{message}' should name {needle}"
        );
        assert_eq!(envelope["tasks_error"], 1);
        assert_eq!(envelope["status_code"], 20000);
        assert_eq!(t["result"], Value::Null);
        assert_eq!(t["data"]["function"], "backlinks");
    }
    for (body, code) in [
        ("", 40502),
        ("[]", 40502),
        ("{not json", 40503),
        ("{\"target\": \"x\"}", 40503),
        ("[1]", 40503),
    ] {
        let envelope = raw(body).await;
        assert_eq!(envelope["status_code"], code, "{body:?}: {envelope}");
        assert!(envelope["time"].as_str().unwrap().ends_with(" sec."));
    }
    let two = json!([{"target": root}, {"target": root}]).to_string();
    let envelope = raw(&two).await;
    assert_eq!(envelope["status_code"], 40000, "{envelope}");
    assert_eq!(envelope["tasks_error"], 1);
    // Nulls are absent, as the official client sends them; the server still answers.
    let r = result(
        "backlinks",
        json!({"target": root, "offset": null, "custom_mode": null, "filters": null, "limit": 2}),
    )
    .await;
    assert_eq!(r["items_count"], 2);
    let (status, _, json) = post(&web().0.app(), "/v3/backlinks/nothing/live", "[{}]", None).await;
    assert_eq!(
        (status.as_u16(), json["status_code"].clone()),
        (404, json!(40400))
    );
    let envelope = call(
        "domain_intersection",
        json!({"targets": {"1": root, "2": "example.org"}, "filters": ["3.backlinks", ">", 1]}),
    )
    .await;
    assert_eq!(envelope["tasks"][0]["status_code"], 40501, "{envelope}");
    assert!(
        envelope["tasks"][0]["status_message"]
            .as_str()
            .unwrap()
            .contains("'3' in '3.backlinks' is not a key of targets"),
        "{envelope}"
    );
}

#[tokio::test]
async fn credentials_are_checked_against_the_key_store() {
    use anchorage_api::access::Access;
    use anchorage_api::keys::KeyStore;
    use base64::Engine as _;
    let index = &web().0;
    let mut store = KeyStore::default();
    let (secret, _) = store.create("dfs", None, 1000);
    let access = std::sync::Arc::new(Access::new(index.dir.root().to_path_buf(), store, true));
    let app = anchorage_api::app_with_access(index.dir.clone(), access);
    let body = json!([{"target": top_site(), "limit": 1}]).to_string();
    let basic = |login: &str, password: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{login}:{password}"))
        )
    };
    for auth in [None, Some(basic("me", "wrong"))] {
        let (status, challenge, json) = post(&app, LIVE, &body, auth.as_deref()).await;
        assert_eq!(status, 401, "{json}");
        assert_eq!(json["status_code"], 40100);
        assert_eq!(
            challenge.as_deref(),
            Some("Basic realm=\"DataForSEO REST API\"")
        );
    }
    let (status, _, json) = post(&app, LIVE, &body, Some(&basic("me", &secret))).await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["tasks"][0]["status_code"], 20000, "{json}");
}

/// The sum of one integer field (a name, or a JSON pointer) over a result's items.
/// The `spam_score` the build wrote for `domain` in the generation's `domains` table.
fn domain_spam_score(domain: &str) -> i64 {
    use arrow::array::AsArray;
    use arrow::compute::cast;
    use arrow::datatypes::{DataType, Int64Type};
    let generation = anchorage_index::snapshot::require_current(&web().0.dir).expect("generation");
    let batches = anchorage_index::parquet_io::read(&generation.table("domains.parquet"))
        .expect("domains table");
    for batch in batches {
        let column = |name: &str, ty: &DataType| {
            cast(batch.column_by_name(name).expect(name), ty).expect("cast")
        };
        let names = column("domain", &DataType::Utf8);
        let scores = column("spam_score", &DataType::Int64);
        let (names, scores) = (names.as_string::<i32>(), scores.as_primitive::<Int64Type>());
        if let Some(i) = (0..batch.num_rows()).find(|&i| names.value(i) == domain) {
            return scores.value(i);
        }
    }
    panic!("{domain} is not in the domains table")
}

fn sum(result: &Value, field: &str) -> i64 {
    items(result)
        .iter()
        .map(|i| {
            let v = if field.starts_with('/') {
                i.pointer(field)
            } else {
                i.get(field)
            };
            v.and_then(Value::as_i64)
                .unwrap_or_else(|| panic!("{field} in {i}"))
        })
        .sum()
}

type Breakdowns = BTreeMap<String, BTreeMap<String, i64>>;

/// The `referring_links_*` breakdowns of backlink items, counted from the items themselves.
fn breakdowns_of<'a>(links: impl Iterator<Item = &'a Value>) -> Breakdowns {
    let mut out = Breakdowns::new();
    let mut add = |map: &str, value: &Value| {
        if let Some(v) = value.as_str() {
            *out.entry(map.into())
                .or_default()
                .entry(v.into())
                .or_default() += 1;
        }
    };
    for l in links {
        add("referring_links_tld", &l["tld_from"]);
        add("referring_links_types", &l["item_type"]);
        add(
            "referring_links_semantic_locations",
            &l["semantic_location"],
        );
        add("referring_links_countries", &l["domain_from_country"]);
        for v in l["attributes"].as_array().into_iter().flatten() {
            add("referring_links_attributes", v);
        }
        for v in l["domain_from_platform_type"]
            .as_array()
            .into_iter()
            .flatten()
        {
            add("referring_links_platform_types", v);
        }
    }
    out
}

/// The `referring_links_*` breakdowns an aggregate item serves (empty maps left out).
fn breakdowns_served(item: &Value) -> Breakdowns {
    item.as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.starts_with("referring_links_"))
        .filter_map(|(k, v)| {
            let m = v.as_object().unwrap_or_else(|| panic!("{k} in {item}"));
            let counts = m.iter().map(|(x, n)| (x.clone(), n.as_i64().unwrap()));
            (!m.is_empty()).then(|| (k.clone(), counts.collect()))
        })
        .collect()
}

/// `domain_pages` items carry the crawl facts of their page: status, media type, charset,
/// title and language as the synthetic web served them.
#[tokio::test]
async fn domain_pages_items_carry_their_pages_facts() {
    let root = top_site();
    let truth = &web().1.truth;
    let r = result("domain_pages", json!({"target": root, "limit": 100})).await;
    let mut fetched = 0;
    for item in items(&r) {
        let url = item["page"].as_str().unwrap();
        let Some(page) = truth.page(url) else {
            assert!(item["status_code"].is_null(), "{item}");
            continue;
        };
        fetched += 1;
        assert_eq!(item["status_code"], page.status, "{url}");
        assert_eq!(item["media_type"], page.content_type.as_str(), "{url}");
        assert!(item["fetch_time"].is_string() && item["first_visited"].is_string());
        if page.status != 200 {
            assert_eq!(item["location"], json!(page.redirect_to), "{url}");
            continue;
        }
        assert!(item["size"].as_i64().unwrap() > 0, "{url}");
        let meta = &item["meta"];
        assert_eq!(meta["title"], json!(page.title), "{url}");
        assert_eq!(meta["charset"], json!(page.encoding), "{url}");
        if page.language.is_some() {
            assert_eq!(meta["language"], json!(page.language), "{url}");
        }
        assert!(meta["internal_links_count"].is_i64(), "{meta}");
    }
    assert!(
        fetched > 5,
        "{fetched} fetched pages among {}",
        items(&r).len()
    );
}

/// Each `anchors` and `referring_domains` item breaks its own links down as the backlink
/// items of those links say.
#[tokio::test]
async fn aggregate_items_break_their_links_down() {
    let root = top_site();
    let links = every_item(json!({"target": root}), 1000).await;
    for (function, key, link_key) in [
        ("referring_domains", "domain", "domain_from"),
        ("anchors", "anchor", "anchor"),
    ] {
        let r = result(
            function,
            json!({"target": root, "limit": 50, "internal_list_limit": 1000}),
        )
        .await;
        assert!(items(&r).len() > 5, "{function}: {r}");
        for item in items(&r) {
            let k = item[key].as_str().unwrap();
            let want = breakdowns_of(links.iter().filter(|l| l[link_key] == k));
            assert!(!want.is_empty());
            assert_eq!(breakdowns_served(item), want, "{function} {k}");
        }
    }
}

#[tokio::test]
async fn aggregates_agree_with_the_backlinks() {
    let root = top_site();
    let truth = truth_backlinks(&root);
    let summary = result(
        "summary",
        json!({"target": root, "internal_list_limit": 1000}),
    )
    .await;
    assert_eq!(summary["backlinks"], truth.len());
    let site = web().1.sites_by_popularity()[0];
    let info = &summary["info"];
    assert_eq!(info["ip_address"], site.ip, "{info}");
    let server = info["server"].as_str().unwrap_or_else(|| panic!("{info}"));
    assert!(
        site.server.to_lowercase().contains(&server.to_lowercase()),
        "{} served as {server}",
        site.server
    );
    if let Some(generator) = &site.generator {
        let cms = info["cms"].as_str().unwrap_or_else(|| panic!("{info}"));
        assert!(
            generator.to_lowercase().contains(&cms.to_lowercase()),
            "{generator}: {cms}"
        );
    }
    assert_eq!(info["target_spam_score"], domain_spam_score(&root));
    let country = anchorage_core::domain::cctld_country(&site.primary_host);
    assert_eq!(info["country"], json!(country));
    let hosts: BTreeSet<String> = truth
        .iter()
        .map(|l| anchorage_core::urls::host_of(&l.from).to_string())
        .collect();
    let roots: BTreeSet<&str> = truth.iter().map(|l| l.from_root.as_str()).collect();
    assert_eq!(summary["referring_domains"], hosts.len());
    assert_eq!(summary["referring_main_domains"], roots.len());
    assert!(summary["rank"].is_i64() && summary["referring_links_types"].is_object());
    let types: i64 = summary["referring_links_types"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_i64().unwrap())
        .sum();
    assert_eq!(types as usize, truth.len());
    // The summary's breakdowns by platform type and country count what the items say.
    let mut platforms: BTreeMap<String, i64> = BTreeMap::new();
    let mut countries: BTreeMap<String, i64> = BTreeMap::new();
    for item in every_item(json!({"target": root}), 1000).await {
        for t in item["domain_from_platform_type"]
            .as_array()
            .into_iter()
            .flatten()
        {
            *platforms.entry(t.as_str().unwrap().into()).or_default() += 1;
        }
        if let Some(country) = item["domain_from_country"].as_str() {
            *countries.entry(country.into()).or_default() += 1;
        }
    }
    let counted = |field: &str| -> BTreeMap<String, i64> {
        summary[field]
            .as_object()
            .unwrap_or_else(|| panic!("{field} in {summary}"))
            .iter()
            .map(|(k, v)| (k.clone(), v.as_i64().unwrap()))
            .collect()
    };
    assert!(!platforms.is_empty() && !countries.is_empty());
    assert_eq!(counted("referring_links_platform_types"), platforms);
    assert_eq!(counted("referring_links_countries"), countries);

    let domains = result("referring_domains", json!({"target": root, "limit": 1000})).await;
    assert_eq!(domains["total_count"], hosts.len());
    let got: BTreeSet<&str> = items(&domains)
        .iter()
        .map(|i| i["domain"].as_str().unwrap())
        .collect();
    assert_eq!(got, hosts.iter().map(String::as_str).collect());
    assert_eq!(sum(&domains, "backlinks") as usize, truth.len());

    let anchors = result(
        "anchors",
        json!({"target": root, "limit": 1000, "order_by": ["backlinks,desc"]}),
    )
    .await;
    assert_eq!(sum(&anchors, "backlinks") as usize, truth.len());
    let counts: Vec<i64> = items(&anchors)
        .iter()
        .map(|i| i["backlinks"].as_i64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]));
    let filtered = result(
        "anchors",
        json!({"target": root, "filters": ["backlinks", ">", 1]}),
    )
    .await;
    assert!(
        items(&filtered)
            .iter()
            .all(|i| i["backlinks"].as_i64().unwrap() > 1)
    );

    let networks = result(
        "referring_networks",
        json!({"target": root, "network_address_type": "subnet", "limit": 1000}),
    )
    .await;
    assert_eq!(networks["items"][0]["type"], "referring_network");
    let pages = result("domain_pages", json!({"target": root, "limit": 1000})).await;
    assert_eq!(sum(&pages, "/page_summary/backlinks") as usize, truth.len());
    let summaries = result(
        "domain_pages_summary",
        json!({"target": root, "limit": 1000}),
    )
    .await;
    assert_eq!(
        summaries["items"][0]["type"],
        "backlinks_domain_pages_summary"
    );
    assert_eq!(summaries["total_count"], pages["total_count"]);
    assert_eq!(sum(&summaries, "backlinks") as usize, truth.len());
    assert_eq!(
        summaries["items"][0]["url"], pages["items"][0]["page"],
        "the same order as domain_pages"
    );

    let ranks = result(
        "bulk_ranks",
        json!({"targets": [root, "unknown.example"], "rank_scale": "one_hundred"}),
    )
    .await;
    assert_eq!(ranks["items_count"], 2);
    assert!(ranks["items"][0]["rank"].as_i64().unwrap() <= 100);
    assert_eq!(ranks["items"][1]["rank"], 0);
    let bulk = result("bulk_backlinks", json!({"targets": [root]})).await;
    assert_eq!(bulk["items"][0]["backlinks"], truth.len());
    let bulk = result("bulk_referring_domains", json!({"targets": [root]})).await;
    assert_eq!(bulk["items"][0]["referring_domains"], hosts.len());
    assert_eq!(bulk["items"][0]["referring_main_domains"], roots.len());

    let history = result("history", json!({"target": root})).await;
    let last = items(&history).last().unwrap().clone();
    assert_eq!(last["backlinks"], truth.len(), "{last}");
    let weeks = result(
        "timeseries_summary",
        json!({"target": root, "group_range": "week"}),
    )
    .await;
    assert_eq!(
        items(&weeks).last().unwrap()["referring_domains"],
        hosts.len()
    );

    // One epoch: every link is new since before the crawl, and none is lost.
    let since = json!({"targets": [root], "date_from": "2000-01-01"});
    let new_lost = result("bulk_new_lost_backlinks", since.clone()).await;
    assert_eq!(new_lost["items"][0]["new_backlinks"], truth.len());
    assert_eq!(new_lost["items"][0]["lost_backlinks"], 0);
    let new_lost = result("bulk_new_lost_referring_domains", since).await;
    assert_eq!(new_lost["items"][0]["new_referring_domains"], hosts.len());
    assert_eq!(
        new_lost["items"][0]["new_referring_main_domains"],
        roots.len()
    );
    assert_eq!(new_lost["items"][0]["lost_referring_main_domains"], 0);
    let pages = result(
        "bulk_pages_summary",
        json!({"targets": [root, "unknown.example"], "rank_scale": "one_hundred"}),
    )
    .await;
    let page = &pages["items"][0];
    assert_eq!(page["type"], "backlinks_bulk_pages_summary");
    assert_eq!(page["backlinks"], truth.len());
    assert_eq!(page["referring_domains"], hosts.len());
    assert_eq!(page["referring_main_domains"], roots.len());
    assert_eq!(
        page["rank"], page["main_domain_rank"],
        "a domain's rank is its DR"
    );
    assert!(page["rank"].as_i64().unwrap() > 0);
    let summary = result(
        "summary",
        json!({"target": root, "include_indirect_links": false}),
    )
    .await;
    let maps: Vec<&String> = summary
        .as_object()
        .expect("summary")
        .keys()
        .filter(|k| k.starts_with("referring_links_"))
        .collect();
    assert_eq!(maps.len(), 6, "{maps:?}");
    for map in maps {
        assert_eq!(page[map], summary[map], "{map} as summary's");
    }
    let types = page["referring_links_types"].as_object().expect("types");
    let typed: i64 = types.values().filter_map(Value::as_i64).sum();
    assert_eq!(typed as usize, truth.len(), "every link has its type");
    assert_eq!(pages["items"][1]["backlinks"], 0);
    assert_eq!(
        pages["items"][1]["referring_links_tld"],
        json!({}),
        "no links, empty breakdowns"
    );
    let scores = result(
        "bulk_spam_score",
        json!({"targets": [root, format!("https://{root}/some/page"), "unknown.example"]}),
    )
    .await;
    let expected = domain_spam_score(&root);
    assert_eq!(scores["items"][0]["spam_score"], expected);
    assert_eq!(
        scores["items"][1]["spam_score"], expected,
        "a page scores as its domain"
    );
    assert_eq!(scores["items"][2]["spam_score"], 0);
    let months = result("timeseries_new_lost_summary", json!({"target": root})).await;
    assert_eq!(sum(&months, "/new_backlinks") as usize, truth.len());
    assert_eq!(
        sum(&months, "/new_referring_main_domains") as usize,
        roots.len()
    );
    assert_eq!(sum(&months, "/lost_backlinks"), 0);
    let future = call(
        "bulk_new_lost_backlinks",
        json!({"targets": [root], "date_from": "2999-01-01"}),
    )
    .await;
    assert_eq!(future["tasks"][0]["status_code"], 40501, "{future}");
}

#[tokio::test]
async fn get_functions_answer_in_the_envelope() {
    let app = web().0.app();
    let (status, filters) = get(&app, "/v3/backlinks/available_filters").await;
    assert_eq!(status, 200);
    let backlinks = &filters["tasks"][0]["result"][0]["backlinks"];
    assert_eq!(backlinks["domain_from_rank"], "num");
    assert_eq!(backlinks["dofollow"], "bool");
    assert_eq!(backlinks["first_seen"], "time");
    assert_eq!(backlinks["tld_from"], "str");
    assert_eq!(backlinks["attributes"], "array.str");
    assert_eq!(backlinks["url_from_https"], "bool");
    assert_eq!(backlinks["domain_from_country"], "str");
    assert_eq!(backlinks["url_to_spam_score"], "num");
    assert_eq!(backlinks["is_indirect_link"], "bool");
    assert_eq!(backlinks["domain_from_platform_type"], "array.str");
    assert_eq!(backlinks["group_count"], "num");
    assert!(
        backlinks.get("indirect_link_path").is_none(),
        "a list of steps is not filterable"
    );
    let (_, index) = get(&app, "/v3/backlinks/index").await;
    assert!(
        index["tasks"][0]["result"][0]["total_backlinks"]
            .as_u64()
            .unwrap()
            > 0
    );
}

/// The official client (`dataforseo-client==2.1.10`, strict pydantic models) against a live
/// server: every response must parse. Without network or PyPI the test is skipped, unless
/// `CI=true`, where it fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_client_parses_every_response() {
    let venv = tempfile::tempdir().expect("tempdir");
    let Some(python) = anchorage_core::testing::python_venv(
        venv.path(),
        &["dataforseo-client==2.1.10"],
        "the DataForSEO client check",
    ) else {
        return;
    };
    let host = serve_on_loopback(web().0.app()).await;
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/tools/dataforseo_client_check.py");
    let sites = popular(2);
    let output = tokio::task::spawn_blocking(move || {
        std::process::Command::new(&python)
            .arg(script)
            .args([host.as_str(), "login", "password", &sites[0], &sites[1]])
            .output()
            .expect("run the client check")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    println!("{stdout}");
    assert!(
        output.status.success() && stdout.contains("ALL OK"),
        "client check failed:\n{stdout}\n{stderr}"
    );
}

/// Every item of an aggregate-like task, page after page through `offset`.
async fn every_page(function: &str, mut task: Value) -> Vec<Value> {
    let mut out = Vec::new();
    task["limit"] = json!(1000);
    loop {
        task["offset"] = json!(out.len());
        let r = result(function, task.clone()).await;
        let page = items(&r).clone();
        let total = r["total_count"].as_u64().unwrap() as usize;
        out.extend(page.iter().cloned());
        if page.is_empty() || out.len() >= total {
            assert_eq!(
                out.len(),
                total,
                "{function}: total_count matches the items"
            );
            return out;
        }
    }
}

/// The values of `field` over every item of `function` for `target`.
async fn keys_of(function: &str, target: &str, field: &str) -> BTreeMap<String, Value> {
    every_page(function, json!({"target": target}))
        .await
        .into_iter()
        .map(|item| (item[field].as_str().unwrap().to_string(), item))
        .collect()
}

fn popular(n: usize) -> Vec<String> {
    web().1.sites_by_popularity()[..n]
        .iter()
        .map(|s| s.root_domain.clone())
        .collect()
}

#[tokio::test]
async fn domain_intersection_joins_the_referring_domains_of_each_target() {
    let sites = popular(3);
    let (a, b, c) = (&sites[0], &sites[1], &sites[2]);
    let of_a = keys_of("referring_domains", a, "domain").await;
    let of_b = keys_of("referring_domains", b, "domain").await;
    let of_c = keys_of("referring_domains", c, "domain").await;
    let targets = json!({"1": a, "2": b});
    let both = every_page("domain_intersection", json!({"targets": targets})).await;
    let expected: BTreeSet<&String> = of_a.keys().filter(|d| of_b.contains_key(*d)).collect();
    assert!(
        !expected.is_empty(),
        "the two top sites share referring domains"
    );
    let mut got = BTreeSet::new();
    for item in &both {
        let one = &item["domain_intersection"]["1"];
        let domain = one["target"].as_str().unwrap().to_string();
        assert_eq!(item["domain_intersection"]["2"]["target"], one["target"]);
        assert_eq!(item["summary"]["intersections_count"], 2);
        for (key, alone) in [("1", &of_a), ("2", &of_b)] {
            let part = &item["domain_intersection"][key];
            for field in ["backlinks", "rank", "first_seen", "referring_pages"] {
                assert_eq!(part[field], alone[&domain][field], "{domain} {key} {field}");
            }
        }
        got.insert(domain);
    }
    assert_eq!(got.iter().collect::<BTreeSet<_>>(), expected);
    // Default order: the first target's rank, best first.
    let ranks: Vec<i64> = both
        .iter()
        .map(|i| i["domain_intersection"]["1"]["rank"].as_i64().unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "{ranks:?}");

    // partial: every referring domain of either target, with how many it links to.
    let either = every_page(
        "domain_intersection",
        json!({"targets": targets, "intersection_mode": "partial",
               "order_by": ["intersections_count,desc", "1.backlinks,desc"]}),
    )
    .await;
    let union: BTreeSet<&String> = of_a.keys().chain(of_b.keys()).collect();
    assert_eq!(either.len(), union.len());
    for item in &either {
        let parts = &item["domain_intersection"];
        let present = ["1", "2"].iter().filter(|k| !parts[**k].is_null()).count();
        assert_eq!(item["summary"]["intersections_count"], json!(present));
    }
    assert_eq!(either[0]["summary"]["intersections_count"], 2);

    // exclude_targets drops the domains that also link to the third site; filters see the
    // joined fields.
    let gap = every_page(
        "domain_intersection",
        json!({"targets": targets, "exclude_targets": [c],
               "filters": [["1.backlinks", ">=", 1], "and", ["2.backlinks", ">=", 1]]}),
    )
    .await;
    let gap_domains: BTreeSet<String> = gap
        .iter()
        .map(|i| {
            i["domain_intersection"]["1"]["target"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let expected_gap: BTreeSet<String> = expected
        .iter()
        .filter(|d| !of_c.contains_key(**d))
        .map(|d| d.to_string())
        .collect();
    assert_eq!(gap_domains, expected_gap);
    let busy = every_page(
        "domain_intersection",
        json!({"targets": targets, "filters": ["1.backlinks", ">", 1]}),
    )
    .await;
    let expected_busy = expected
        .iter()
        .filter(|d| of_a[**d]["backlinks"].as_i64().unwrap() > 1)
        .count();
    assert_eq!(busy.len(), expected_busy);
}

#[tokio::test]
async fn page_intersection_lists_each_pages_links_to_each_target() {
    let sites = popular(2);
    let mut pages_of = Vec::new();
    for site in &sites {
        let links = every_item(json!({"target": site, "mode": "as_is"}), 1000).await;
        let mut by_page: BTreeMap<String, usize> = BTreeMap::new();
        for l in &links {
            *by_page
                .entry(l["url_from"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
        pages_of.push(by_page);
    }
    let items = every_page(
        "page_intersection",
        json!({"targets": {"1": sites[0], "2": sites[1]}}),
    )
    .await;
    let expected: BTreeSet<&String> = pages_of[0]
        .keys()
        .filter(|p| pages_of[1].contains_key(*p))
        .collect();
    assert!(!expected.is_empty(), "some pages link to both top sites");
    let mut got = BTreeSet::new();
    for item in &items {
        let mut page = None;
        for (i, key) in ["1", "2"].iter().enumerate() {
            let links = item["page_intersection"][key].as_array().unwrap();
            let on_page = pages_of[i][links[0]["url_from"].as_str().unwrap()];
            assert_eq!(
                links.len(),
                on_page.min(10),
                "internal_list_limit 10 by default"
            );
            for l in links {
                assert_eq!(l["type"], "backlink");
                let host = l["domain_to"].as_str().unwrap();
                assert!(
                    anchorage_core::domain::root_domain(host) == sites[i],
                    "{l} links to {}",
                    sites[i]
                );
                let from = l["url_from"].as_str().unwrap().to_string();
                assert!(page.get_or_insert(from.clone()) == &from);
            }
        }
        got.insert(page.unwrap());
    }
    assert_eq!(got.iter().collect::<BTreeSet<_>>(), expected);
    let one_each = every_page(
        "page_intersection",
        json!({"targets": {"1": sites[0], "2": sites[1]}, "internal_list_limit": 1}),
    )
    .await;
    assert_eq!(one_each.len(), items.len());
    for item in &one_each {
        for key in ["1", "2"] {
            assert_eq!(item["page_intersection"][key].as_array().unwrap().len(), 1);
        }
    }
}

#[tokio::test]
async fn competitors_share_the_targets_referring_domains() {
    let target = top_site();
    let live = |l: &&TruthLink| l.is_external() && l.from_status == 200 && !l.page_noindex;
    let referrers: BTreeSet<&str> = truth_backlinks(&target)
        .iter()
        .map(|l| l.from_root.as_str())
        .collect();
    let mut shared: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for l in web().1.truth.links.iter().filter(live) {
        if referrers.contains(l.from_root.as_str()) && l.to_root != target {
            shared.entry(&l.to_root).or_default().insert(&l.from_root);
        }
    }
    let intersections = |items: &[Value]| -> BTreeMap<String, i64> {
        items
            .iter()
            .map(|i| {
                (
                    i["target"].as_str().unwrap().to_string(),
                    i["intersections"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    let items = every_page(
        "competitors",
        json!({"target": target, "exclude_large_domains": false,
               "include_indirect_links": false}),
    )
    .await;
    let got = intersections(&items);
    // Indirect backlinks (the default) only add referring domains.
    let with_indirect = every_page(
        "competitors",
        json!({"target": target, "exclude_large_domains": false}),
    )
    .await;
    let with_indirect = intersections(&with_indirect);
    for (domain, n) in &got {
        assert!(
            with_indirect.get(domain).is_some_and(|m| m >= n),
            "{domain}"
        );
    }
    let expected: BTreeMap<String, i64> = shared
        .iter()
        .map(|(d, s)| (d.to_string(), s.len() as i64))
        .collect();
    assert_eq!(got, expected);
    let counts: Vec<i64> = items
        .iter()
        .map(|i| i["intersections"].as_i64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "most shared first");
    // A filter and an order on the item fields.
    let strong = every_page(
        "competitors",
        json!({"target": target, "exclude_large_domains": false,
               "include_indirect_links": false,
               "filters": ["intersections", ">=", 2], "order_by": ["rank,desc"]}),
    )
    .await;
    assert_eq!(strong.len(), expected.values().filter(|n| **n >= 2).count());
    let ranks: Vec<i64> = strong.iter().map(|i| i["rank"].as_i64().unwrap()).collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]));
    // Large domains (linked from a tenth of the linking domains) are left out by default.
    let default = every_page(
        "competitors",
        json!({"target": target, "include_indirect_links": false}),
    )
    .await;
    assert!(default.len() <= items.len());
    assert!(
        default
            .iter()
            .all(|i| got.contains_key(i["target"].as_str().unwrap()))
    );
}

#[tokio::test]
async fn id_list_and_errors_report_the_answered_tasks() {
    let app = web().0.app();
    let before = anchorage_core::time::dataforseo(anchorage_core::time::now() - 1_000_000);
    // The log is kept in the data directory, shared by the tests that post to this index.
    let live = |function: &str, task: Value| {
        let uri = format!("/v3/backlinks/{function}/live");
        let app = app.clone();
        async move { post(&app, &uri, &json!([task]).to_string(), None).await.2 }
    };
    let ok = live("summary", json!({"target": top_site()})).await;
    let bad = live("backlinks", json!({"target": top_site(), "limit": 5000})).await;
    let after = anchorage_core::time::dataforseo(anchorage_core::time::now() + 1_000_000);
    let listing =
        json!([{"datetime_from": before, "datetime_to": after, "include_metadata": true}]);
    let (status, _, ids) = post(&app, "/v3/backlinks/id_list", &listing.to_string(), None).await;
    assert_eq!(status, 200);
    assert_eq!(ids["tasks"][0]["status_code"], 20000, "{ids}");
    let listed: Vec<&Value> = ids["tasks"][0]["result"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    for envelope in [&ok, &bad] {
        let id = &envelope["tasks"][0]["id"];
        let entry = listed.iter().find(|e| e["id"] == *id).expect("task listed");
        assert_eq!(entry["status"], envelope["tasks"][0]["status_message"]);
        assert_eq!(entry["metadata"]["target"], json!(top_site()));
    }
    let query = json!([{"filtered_function": "backlinks/live"}]);
    let (_, _, errors) = post(&app, "/v3/backlinks/errors", &query.to_string(), None).await;
    let failed = errors["tasks"][0]["result"].as_array().unwrap();
    let entry = failed
        .iter()
        .find(|e| e["id"] == bad["tasks"][0]["id"])
        .expect("the failed task is listed");
    assert_eq!(entry["error_code"], 40501);
    assert!(entry["error_message"].as_str().unwrap().contains("'limit'"));
    assert!(failed.iter().all(|e| e["function"] == "backlinks/live"));
    assert!(!failed.iter().any(|e| e["id"] == ok["tasks"][0]["id"]));
    let missing = json!([{"datetime_from": before}]);
    let (_, _, refused) = post(&app, "/v3/backlinks/id_list", &missing.to_string(), None).await;
    assert_eq!(refused["tasks"][0]["status_code"], 40501);
    assert_eq!(refused["tasks_error"], 1);
    // A restarted server (a new app over the same data directory) still lists them.
    let restarted = web().0.app();
    let (_, _, ids) = post(
        &restarted,
        "/v3/backlinks/id_list",
        &listing.to_string(),
        None,
    )
    .await;
    let listed = ids["tasks"][0]["result"].as_array().unwrap();
    for envelope in [&ok, &bad] {
        let id = &envelope["tasks"][0]["id"];
        assert!(
            listed.iter().any(|e| e["id"] == *id),
            "{id} after a restart"
        );
    }
}

/// A URL without its scheme: the index keys http and https alike.
fn schemeless(url: &str) -> &str {
    url.split_once("://").map_or(url, |(_, rest)| rest)
}

/// Where `url` ends up after its redirects in the truth (itself when it does not redirect).
fn destination<'a>(redirects: &BTreeMap<&'a str, &'a str>, mut url: &'a str) -> Vec<&'a str> {
    let mut hops = vec![url];
    while let Some(next) = redirects.get(url)
        && hops.len() < 10
    {
        url = next;
        hops.push(url);
    }
    hops
}

#[tokio::test]
async fn links_to_urls_redirecting_into_a_page_are_its_indirect_backlinks() {
    let truth = &web().1.truth;
    let redirects: BTreeMap<&str, &str> = truth
        .pages
        .iter()
        .filter_map(|p| Some((p.url.as_str(), p.redirect_to.as_deref()?)))
        .collect();
    let live: Vec<&TruthLink> = truth
        .links
        .iter()
        .filter(|l| l.is_external() && l.from_status == 200 && !l.page_noindex)
        .collect();
    // The page reached through a redirect by the most external links.
    let mut indirect_of: BTreeMap<&str, Vec<&TruthLink>> = BTreeMap::new();
    for l in &live {
        let hops = destination(&redirects, &l.to);
        let last = *hops.last().unwrap();
        if schemeless(last) != schemeless(&l.to) {
            indirect_of.entry(schemeless(last)).or_default().push(l);
        }
    }
    let (page, indirect) = indirect_of
        .iter()
        .max_by_key(|(_, links)| links.len())
        .expect("the synthetic web has redirects that external links point to");
    let direct: Vec<&&TruthLink> = live.iter().filter(|l| schemeless(&l.to) == *page).collect();
    let target = format!("http://{page}");
    let pairs = |links: &[&TruthLink]| -> Vec<(String, String)> {
        let mut v: Vec<_> = links
            .iter()
            .map(|l| (l.from.clone(), l.to.clone()))
            .collect();
        v.sort();
        v
    };
    let direct_links: Vec<&TruthLink> = direct.iter().map(|l| **l).collect();
    let every: Vec<&TruthLink> = direct_links.iter().chain(indirect).copied().collect();

    let items = every_item(json!({"target": target}), 1000).await;
    let mut got: Vec<_> = items.iter().map(pair).collect();
    got.sort();
    assert_eq!(
        got,
        pairs(&every),
        "direct and indirect backlinks of {target}"
    );
    for item in &items {
        let to = item["url_to"].as_str().unwrap();
        let is_indirect = schemeless(to) != *page;
        assert_eq!(item["is_indirect_link"], is_indirect, "{item}");
        if is_indirect {
            let path = item["indirect_link_path"].as_array().unwrap();
            let hops = destination(&redirects, to);
            let urls: Vec<&str> = path.iter().map(|h| h["url"].as_str().unwrap()).collect();
            assert_eq!(urls, hops[1..], "{item}");
            for hop in path {
                assert_eq!(hop["type"], "redirect");
                let code = hop["status_code"].as_i64().unwrap();
                assert!((300..400).contains(&code), "{hop}");
            }
        } else {
            assert_eq!(item["indirect_link_path"], Value::Null);
        }
    }
    println!(
        "{target}: {} direct and {} indirect backlinks",
        direct.len(),
        indirect.len()
    );

    let only_direct = json!({"target": target, "include_indirect_links": false});
    let mut got: Vec<_> = every_item(only_direct, 1000)
        .await
        .iter()
        .map(pair)
        .collect();
    got.sort();
    assert_eq!(got, pairs(&direct_links));
    // `is_indirect_link` filters as it renders, in `backlinks` and in aggregates' link filter.
    for (wanted, links) in [(true, indirect.clone()), (false, direct_links.clone())] {
        let filters = json!(["is_indirect_link", "=", wanted]);
        let task = json!({"target": target, "filters": filters});
        let mut got: Vec<_> = every_item(task, 1000).await.iter().map(pair).collect();
        got.sort();
        assert_eq!(got, pairs(&links), "is_indirect_link = {wanted}");
        let task = json!({"target": target, "backlinks_filters": filters});
        let summary = result("summary", task).await;
        assert_eq!(summary["backlinks"], links.len(), "{summary}");
    }

    let summary = result("summary", json!({"target": target})).await;
    assert_eq!(summary["backlinks"], every.len(), "{summary}");
    let domains = result(
        "referring_domains",
        json!({"target": target, "limit": 1000}),
    )
    .await;
    assert_eq!(sum(&domains, "backlinks") as usize, every.len());
    let shared = json!({"targets": {"1": target}, "limit": 1000});
    let pages = result("page_intersection", shared).await;
    let links_of = |item: &Value| -> Vec<(String, String)> {
        let links = item["page_intersection"]["1"].as_array().unwrap();
        assert!(
            links.iter().all(|l| l["is_indirect_link"].is_boolean()),
            "{item}"
        );
        links.iter().map(pair).collect()
    };
    let mut got: Vec<_> = self::items(&pages).iter().flat_map(links_of).collect();
    got.sort();
    assert_eq!(got, pairs(&every), "page_intersection of {target}");
}

/// The synthetic web of the next epoch, where one page's canonical moved to a sibling page.
fn moved_canonical_web() -> &'static (Index, SyntheticWeb) {
    static WEB: OnceLock<(Index, SyntheticWeb)> = OnceLock::new();
    WEB.get_or_init(|| Index::of_synthetic_web_at(7, 1))
}

#[tokio::test]
async fn links_to_a_page_naming_another_canonical_are_indirect_backlinks_of_that_canonical() {
    let (index, web) = moved_canonical_web();
    let truth = &web.truth;
    let (page, canonical) = truth
        .pages
        .iter()
        .filter(|p| p.status == 200)
        .find_map(|p| {
            let canonical = p.canonical.as_deref()?;
            (schemeless(canonical) != schemeless(&p.url)).then_some((p.url.as_str(), canonical))
        })
        .expect("epoch 1 moves a canonical");
    let redirects: BTreeMap<&str, &str> = truth
        .pages
        .iter()
        .filter_map(|p| Some((p.url.as_str(), p.redirect_to.as_deref()?)))
        .collect();
    // Live links leading to `to`: the canonical page's own, or through a redirect into it.
    let live = |to: &str| -> Vec<(String, String)> {
        let mut v: Vec<_> = truth
            .links
            .iter()
            .filter(|l| l.from_status == 200 && !l.page_noindex)
            .filter(|l| schemeless(destination(&redirects, &l.to).last().unwrap()) == to)
            .map(|l| (l.from.clone(), l.to.clone()))
            .collect();
        v.sort();
        v
    };
    let (direct, indirect) = (live(schemeless(canonical)), live(schemeless(page)));
    assert!(!indirect.is_empty(), "links to {page}");
    let task = json!({
        "target": format!("http://{}", schemeless(canonical)),
        "exclude_internal_backlinks": false,
    });
    let items = every_item_on(index, task.clone(), 1000).await;
    let mut got: Vec<_> = items.iter().map(pair).collect();
    got.sort();
    let mut expected: Vec<_> = direct.iter().chain(&indirect).cloned().collect();
    expected.sort();
    assert_eq!(
        got, expected,
        "direct and indirect backlinks of {canonical}"
    );
    let mut chained = 0;
    for item in &items {
        let to = schemeless(item["url_to"].as_str().unwrap());
        assert_eq!(
            item["is_indirect_link"],
            to != schemeless(canonical),
            "{item}"
        );
        if to == schemeless(canonical) {
            continue;
        }
        // The redirects from the linked URL to the page (if any), then the canonical.
        let path = item["indirect_link_path"].as_array().expect("a path");
        let (last, redirects_taken) = path.split_last().expect("a step");
        assert_eq!(last["type"], "canonical", "{item}");
        assert_eq!(last["status_code"], 200);
        assert_eq!(
            schemeless(last["url"].as_str().unwrap()),
            schemeless(canonical)
        );
        let expected_redirects = destination(&redirects, item["url_to"].as_str().unwrap());
        let taken: Vec<&str> = redirects_taken
            .iter()
            .map(|h| h["url"].as_str().unwrap())
            .collect();
        assert_eq!(taken, expected_redirects[1..], "{item}");
        chained += usize::from(!taken.is_empty());
    }
    println!(
        "{canonical}: {} direct backlinks, {} through the canonical of {page} ({chained} of \
         them through a redirect first)",
        direct.len(),
        indirect.len()
    );
    let mut only_direct = task;
    only_direct["include_indirect_links"] = json!(false);
    let mut got: Vec<_> = every_item_on(index, only_direct, 1000)
        .await
        .iter()
        .map(pair)
        .collect();
    got.sort();
    let only_links_to_it: Vec<_> = direct
        .into_iter()
        .filter(|(_, to)| schemeless(to) == schemeless(canonical))
        .collect();
    assert_eq!(got, only_links_to_it);
}

/// `ranked_keywords_info` carries the referring page's imported keyword counts, and is null
/// for a page nothing was imported for.
#[tokio::test]
async fn ranked_keywords_info_shows_the_imported_counts() {
    let (index, web) = Index::of_synthetic_web(7);
    let root = web.sites_by_popularity()[0].root_domain.clone();
    let before = every_item_on(&index, json!({"target": root}), 1000).await;
    assert!(before.iter().all(|i| i["ranked_keywords_info"].is_null()));
    let page = before[0]["url_from"].as_str().unwrap().to_string();
    let csv = index.dir.root().join("keywords.csv");
    std::fs::write(
        &csv,
        format!("target,positions,positions_top_10,positions_top_3\n{page},57,9,2\n"),
    )
    .unwrap();
    anchorage_index::imports::import_csv(&index.dir, &csv).expect("import");
    index.rebuild();
    let after = every_item_on(&index, json!({"target": root}), 1000).await;
    let info = json!({"page_from_keywords_count_top_3": 2,
                      "page_from_keywords_count_top_10": 9,
                      "page_from_keywords_count_top_100": 57});
    for item in &after {
        let expected = if item["url_from"] == page.as_str() {
            info.clone()
        } else {
            Value::Null
        };
        assert_eq!(item["ranked_keywords_info"], expected, "{item}");
    }
}

/// The operators `filters_have_known_answers` leaves out, each against the truth: the negated
/// text operators, `match` (whole words, ignoring case), and the ordered comparisons below.
#[tokio::test]
async fn negated_word_and_ordered_operators_have_known_answers() {
    let root = top_site();
    let truth = truth_backlinks(&root);
    let count = |filters: Value| {
        let root = root.clone();
        async move {
            let r = result(
                "backlinks",
                json!({"target": root, "filters": filters, "limit": 1}),
            )
            .await;
            r["total_count"].as_u64().unwrap() as usize
        }
    };
    let word = truth
        .iter()
        .flat_map(|l| l.anchor.split_whitespace())
        .find(|w| w.len() > 3 && w.chars().all(char::is_alphanumeric))
        .map(str::to_lowercase)
        .expect("an anchor word");
    let contains = truth.iter().filter(|l| l.anchor.contains(&word)).count();
    let icontains = (truth.iter())
        .filter(|l| l.anchor.to_lowercase().contains(&word))
        .count();
    let has_word = |l: &TruthLink| {
        l.anchor
            .to_lowercase()
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| w == word)
    };
    let whole = truth.iter().filter(|l| has_word(l)).count();
    assert!(whole > 0 && whole < truth.len(), "{word}: {whole}");
    let pattern = format!("%{word}%");
    assert_eq!(count(json!(["anchor", "like", pattern])).await, contains);
    assert_eq!(
        count(json!(["anchor", "not_like", pattern])).await,
        truth.len() - contains
    );
    let upper = format!("%{}%", word.to_uppercase());
    assert_eq!(
        count(json!(["anchor", "not_ilike", upper])).await,
        truth.len() - icontains
    );
    let capitalised = word[..1].to_uppercase() + &word[1..];
    assert_eq!(count(json!(["anchor", "match", capitalised])).await, whole);
    assert_eq!(
        count(json!(["anchor", "not_match", word])).await,
        truth.len() - whole
    );
    let https = truth
        .iter()
        .filter(|l| l.from.starts_with("https:"))
        .count();
    assert_eq!(
        count(json!(["url_from", "not_regex", "^https:"])).await,
        truth.len() - https
    );
    let ranks: Vec<i64> = every_item(json!({"target": root}), 1000)
        .await
        .iter()
        .map(|i| i["domain_from_rank"].as_i64().unwrap())
        .collect();
    let middle = {
        let mut sorted = ranks.clone();
        sorted.sort();
        sorted[sorted.len() / 2]
    };
    let below = ranks.iter().filter(|r| **r < middle).count();
    let at_most = ranks.iter().filter(|r| **r <= middle).count();
    assert!(below < at_most, "ranks at {middle}");
    assert_eq!(count(json!(["domain_from_rank", "<", middle])).await, below);
    assert_eq!(
        count(json!(["domain_from_rank", "<=", middle])).await,
        at_most
    );
}

/// `(from, to, item_type)` of each live external link to `root` in a web's truth, counted:
/// from a page that answers, is not noindex and has not become another page's copy (its
/// canonical moved away since `before`'s crawl, when there is one).
fn live_links(
    web: &SyntheticWeb,
    before: Option<&SyntheticWeb>,
    root: &str,
) -> BTreeMap<(String, String, String), usize> {
    let canonical = |w: &SyntheticWeb, url: &str| {
        let page = w.truth.page(url);
        page.and_then(|p| p.canonical.clone()).filter(|c| c != url)
    };
    let moved = |url: &str| {
        before.is_some_and(|b| canonical(b, url).is_none() && canonical(web, url).is_some())
    };
    let mut out = BTreeMap::new();
    for l in web.external_backlinks_to(root) {
        if !l.page_noindex && !moved(&l.from) {
            let key = (
                l.from.clone(),
                l.to.clone(),
                l.element.item_type().to_string(),
            );
            *out.entry(key).or_default() += 1;
        }
    }
    out
}

/// Both counts hold the same links; the message lists those that differ.
fn assert_same_links(
    got: &BTreeMap<(String, String, String), usize>,
    want: &BTreeMap<(String, String, String), usize>,
    what: &str,
) {
    let keys: BTreeSet<_> = got.keys().chain(want.keys()).collect();
    let differ: Vec<_> = keys
        .into_iter()
        .filter(|k| got.get(*k) != want.get(*k))
        .map(|k| format!("{k:?}: {:?} served, {:?} expected", got.get(k), want.get(k)))
        .collect();
    assert!(differ.is_empty(), "{what}:\n{}", differ.join("\n"));
}

fn counted(items: &[Value]) -> BTreeMap<(String, String, String), usize> {
    let mut out = BTreeMap::new();
    for i in items {
        let (from, to) = pair(i);
        let key = (from, to, i["item_type"].as_str().unwrap().to_string());
        *out.entry(key).or_default() += 1;
    }
    out
}

/// `backlinks_status_type` over two crawls of a changing web: `live` (the default) is the
/// second crawl's links, `lost` the first crawl's links the second no longer has, `all` both;
/// `tag` comes back in the task's data as sent.
#[tokio::test]
async fn status_types_split_live_and_lost_links() {
    let (index, first, second) = Index::of_two_epochs(5);
    let root = second.sites_by_popularity()[0].root_domain.clone();
    let items = |status: &'static str| {
        let task = json!({"target": root, "backlinks_status_type": status});
        every_item_on(&index, task, 1000)
    };
    let (live, lost, all) = (items("live").await, items("lost").await, items("all").await);
    let now = live_links(&second, Some(&first), &root);
    assert_same_links(&counted(&live), &now, "live");
    let mut gone = live_links(&first, None, &root);
    for (key, n) in now {
        if let Some(before) = gone.get_mut(&key) {
            *before = before.saturating_sub(n);
        }
    }
    gone.retain(|_, n| *n > 0);
    assert!(!gone.is_empty(), "the second crawl loses links to {root}");
    assert_same_links(&counted(&lost), &gone, "lost");
    assert!(
        lost.iter()
            .all(|i| i["is_lost"] == true && i["last_seen"].is_string())
    );
    assert!(live.iter().all(|i| i["is_lost"] == false));
    let mut both = counted(&live);
    for (key, n) in counted(&lost) {
        *both.entry(key).or_default() += n;
    }
    assert_same_links(&counted(&all), &both, "all");

    let tagged = json!({"target": root, "limit": 1, "tag": "weekly-report/42"});
    let envelope = call_on(&index, "backlinks", tagged).await;
    assert_eq!(envelope["tasks"][0]["data"]["tag"], "weekly-report/42");
}
