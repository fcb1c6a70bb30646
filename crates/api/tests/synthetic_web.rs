//! The Ahrefs v3 backlink endpoints against the synthetic web, whose ground truth knows every
//! link: rows, grouping, modes, paging and errors are checked exactly.

mod support;

use anchorage_synth::SyntheticWeb;
use anchorage_synth::truth::TruthLink;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use support::{Index, get};

fn indexed_web() -> (Index, SyntheticWeb) {
    Index::of_synthetic_web(7)
}

/// Live external links to `root` in the truth: from a 200 page that is not noindex.
fn truth_backlinks<'a>(web: &'a SyntheticWeb, root: &str) -> Vec<&'a TruthLink> {
    web.external_backlinks_to(root)
        .into_iter()
        .filter(|l| !l.page_noindex)
        .collect()
}

fn rows(json: &Value) -> &Vec<Value> {
    json["backlinks"]
        .as_array()
        .unwrap_or_else(|| panic!("no backlinks in {json}"))
}

fn top_site(web: &SyntheticWeb) -> String {
    web.sites_by_popularity()[0].root_domain.clone()
}

const BASE: &str = "/v3/site-explorer/all-backlinks";

#[tokio::test]
async fn aggregation_all_returns_every_live_link_of_the_truth() {
    let (index, web) = indexed_web();
    let app = index.app();
    for site in web.sites_by_popularity().iter().take(5) {
        let root = &site.root_domain;
        let (status, json) = get(&app, &format!("{BASE}?target={root}&aggregation=all&select=url_from,url_to,link_type,anchor,is_nofollow&limit=100000")).await;
        assert_eq!(status, 200, "{json}");
        let mut got: Vec<(String, String, String)> = rows(&json)
            .iter()
            .map(|r| {
                (
                    r["url_from"].as_str().unwrap().into(),
                    r["url_to"].as_str().unwrap().into(),
                    r["link_type"].as_str().unwrap().into(),
                )
            })
            .collect();
        let mut want: Vec<(String, String, String)> = truth_backlinks(&web, root)
            .iter()
            .map(|l| {
                (
                    l.from.clone(),
                    l.to.clone(),
                    l.element.link_type().to_string(),
                )
            })
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{root}");
    }
}

fn encoded(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn one_per_domain_has_one_row_per_referring_domain() {
    let (index, web) = indexed_web();
    let root = top_site(&web);
    let (status, json) = get(&index.app(), &format!("{BASE}?target={root}&aggregation=1_per_domain&select=root_name_source,link_group_count&limit=100000")).await;
    assert_eq!(status, 200, "{json}");
    let domains: Vec<&str> = rows(&json)
        .iter()
        .map(|r| r["root_name_source"].as_str().unwrap())
        .collect();
    let unique: BTreeSet<&str> = domains.iter().copied().collect();
    assert_eq!(domains.len(), unique.len());
    let truth = truth_backlinks(&web, &root);
    let want: BTreeSet<&str> = truth.iter().map(|l| l.from_root.as_str()).collect();
    assert_eq!(unique, want);
    let total: i64 = rows(&json)
        .iter()
        .map(|r| r["link_group_count"].as_i64().unwrap())
        .sum();
    assert_eq!(
        total as usize,
        truth.len(),
        "group sizes add up to every link"
    );
    // `where` on `link_group_count` tests the groups (the stored ones: no link condition).
    let busy: BTreeSet<&str> = rows(&json)
        .iter()
        .filter(|r| r["link_group_count"].as_i64().unwrap() > 1)
        .map(|r| r["root_name_source"].as_str().unwrap())
        .collect();
    assert!(!busy.is_empty(), "some domain links more than once");
    let condition = r#"{"field":"link_group_count","is":["gt",1]}"#;
    let (status, json) = get(&index.app(), &format!("{BASE}?target={root}&aggregation=1_per_domain&select=root_name_source,link_group_count&limit=100000&where={}", encoded(condition))).await;
    assert_eq!(status, 200, "{json}");
    let got: BTreeSet<&str> = rows(&json)
        .iter()
        .map(|r| r["root_name_source"].as_str().unwrap())
        .collect();
    assert_eq!(got, busy);
}

#[tokio::test]
async fn similar_links_groups_add_up() {
    let (index, web) = indexed_web();
    let root = top_site(&web);
    let (status, json) = get(
        &index.app(),
        &format!(
            "{BASE}?target={root}&select=url_from,url_to,anchor,link_group_count&limit=100000"
        ),
    )
    .await;
    assert_eq!(status, 200, "{json}");
    let total: i64 = rows(&json)
        .iter()
        .map(|r| r["link_group_count"].as_i64().unwrap())
        .sum();
    assert_eq!(total as usize, truth_backlinks(&web, &root).len());
    assert!(
        rows(&json).len() < total as usize,
        "some similar links were grouped"
    );
}

#[tokio::test]
async fn modes_and_protocols_scope_the_target() {
    let (index, web) = indexed_web();
    let app = index.app();
    let site = web.sites_by_popularity()[0];
    let truth = truth_backlinks(&web, &site.root_domain);
    let count = |json: &Value| rows(json).len();
    // exact: the homepage, over http and https (protocol=both).
    let plain = anchorage_core::urls::plain_of;
    let (_, json) = get(
        &app,
        &format!(
            "{BASE}?target={}&mode=exact&aggregation=all&select=url_to&limit=100000",
            site.home_url
        ),
    )
    .await;
    assert_eq!(
        count(&json),
        truth
            .iter()
            .filter(|l| plain(&l.to) == plain(&site.home_url))
            .count()
    );
    let (_, json) = get(
        &app,
        &format!(
            "{BASE}?target={}&mode=exact&protocol=https&aggregation=all&select=url_to&limit=100000",
            site.home_url
        ),
    )
    .await;
    let https_home = site.home_url.replacen("http://", "https://", 1);
    assert_eq!(
        count(&json),
        truth.iter().filter(|l| l.to == https_home).count()
    );
    // domain: the primary host only.
    let (_, json) = get(
        &app,
        &format!(
            "{BASE}?target={}&mode=domain&aggregation=all&select=url_to&limit=100000",
            site.primary_host
        ),
    )
    .await;
    let on_host = |u: &str| anchorage_core::urls::host_of(u) == site.primary_host;
    assert_eq!(
        count(&json),
        truth.iter().filter(|l| on_host(&l.to)).count()
    );
    // prefix: the homepage URL as a prefix is the whole scheme+host of the site.
    let (_, json) = get(
        &app,
        &format!(
            "{BASE}?target={}&mode=prefix&protocol=both&aggregation=all&select=url_to&limit=100000",
            site.home_url
        ),
    )
    .await;
    assert_eq!(
        count(&json),
        truth.iter().filter(|l| on_host(&l.to)).count()
    );
    // protocol: only https targets.
    let (_, json) = get(
        &app,
        &format!(
            "{BASE}?target={}&protocol=https&aggregation=all&select=url_to&limit=100000",
            site.root_domain
        ),
    )
    .await;
    assert!(
        rows(&json)
            .iter()
            .all(|r| r["url_to"].as_str().unwrap().starts_with("https://"))
    );
    assert_eq!(
        count(&json),
        truth
            .iter()
            .filter(|l| l.to.starts_with("https://"))
            .count()
    );
}

#[tokio::test]
async fn pages_through_limit_and_offset_are_stable() {
    let (index, web) = indexed_web();
    let app = index.app();
    let root = top_site(&web);
    let q = format!(
        "{BASE}?target={root}&aggregation=all&select=url_from,url_to,anchor&order_by=domain_rating_source:desc,url_from:asc"
    );
    let (_, all) = get(&app, &format!("{q}&limit=100000")).await;
    let mut paged = Vec::new();
    for offset in (0..rows(&all).len()).step_by(7) {
        let (_, page) = get(&app, &format!("{q}&limit=7&offset={offset}")).await;
        paged.extend(rows(&page).iter().cloned());
    }
    assert_eq!(&paged, rows(&all));
}

#[tokio::test]
async fn order_by_sorts_and_select_keeps_its_order() {
    let (index, web) = indexed_web();
    let root = top_site(&web);
    let (_, json) = get(&index.app(), &format!("{BASE}?target={root}&aggregation=all&select=url_rating_source,url_from&order_by=url_rating_source:asc&limit=100000")).await;
    let ur: Vec<f64> = rows(&json)
        .iter()
        .map(|r| r["url_rating_source"].as_f64().unwrap())
        .collect();
    assert!(ur.windows(2).all(|w| w[0] <= w[1]));
    let keys: Vec<&String> = rows(&json)[0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["url_rating_source", "url_from"]);
}

#[tokio::test]
async fn where_filters_with_a_known_answer() {
    let (index, web) = indexed_web();
    let app = index.app();
    let root = top_site(&web);
    let truth = truth_backlinks(&web, &root);
    let ask = |filter: &str| {
        let encoded: String = url::form_urlencoded::byte_serialize(filter.as_bytes()).collect();
        format!(
            "{BASE}?target={root}&aggregation=all&select=url_from,anchor,is_nofollow&limit=100000&where={encoded}"
        )
    };
    let (status, json) = get(&app, &ask(r#"{"field":"is_nofollow","is":["eq",1]}"#)).await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(
        rows(&json).len(),
        truth
            .iter()
            .filter(|l| l.nofollow || l.page_nofollow)
            .count()
    );
    let (_, json) = get(
        &app,
        &ask(r#"{"not":{"field":"is_nofollow","is":["eq",true]}}"#),
    )
    .await;
    assert_eq!(
        rows(&json).len(),
        truth
            .iter()
            .filter(|l| !(l.nofollow || l.page_nofollow))
            .count()
    );
    let word = truth
        .iter()
        .find(|l| !l.anchor.is_empty())
        .map(|l| l.anchor.split_whitespace().next().unwrap().to_string())
        .unwrap();
    let (_, json) = get(
        &app,
        &ask(&format!(
            r#"{{"field":"anchor","is":["isubstring","{}"]}}"#,
            word.to_uppercase()
        )),
    )
    .await;
    assert_eq!(
        rows(&json).len(),
        truth
            .iter()
            .filter(|l| l.anchor.to_lowercase().contains(&word.to_lowercase()))
            .count()
    );
}

#[tokio::test]
async fn bad_parameters_get_400_naming_them() {
    let (index, web) = indexed_web();
    let app = index.app();
    let root = top_site(&web);
    for (query, needle) in [
        (
            format!("target={root}&select=url_from,bogus"),
            "select: 'bogus'",
        ),
        (
            format!("target={root}&select=url_from&mode=everything"),
            "mode: 'everything'",
        ),
        (
            "select=url_from".to_string(),
            "target: this parameter is required",
        ),
        (
            format!("target={root}&select=url_from&limit=ten"),
            "limit: 'ten'",
        ),
        (
            format!("target={root}&select=url_from&limit=-1"),
            "limit: '-1'",
        ),
        (
            format!("target={root}"),
            "select: this parameter is required",
        ),
        (
            format!("target={root}&select=url_from&order_by=url_from:up"),
            "order_by",
        ),
        (
            format!("target={root}&select=url_from&order_by=link_group_count"),
            "order_by: 'link_group_count'",
        ),
        (
            format!("target={root}&select=url_from&aggregation=some"),
            "aggregation: 'some'",
        ),
        (
            format!("target={root}&select=url_from&history=yesterday"),
            "history: 'yesterday'",
        ),
        (
            format!("target={root}&select=url_from&where=%7Bbad"),
            "where: invalid JSON",
        ),
        (
            format!("target={root}&select=url_from&protocol=ftp"),
            "protocol: 'ftp'",
        ),
        (
            format!("target={root}&select=url_from&colour=blue"),
            "colour: unknown parameter",
        ),
        (
            format!("target={root}&select=link_group_count&aggregation=all"),
            "link_group_count",
        ),
        ("target=mailto:x@y.z&select=url_from".to_string(), "target:"),
    ] {
        let (status, json) = get(&app, &format!("{BASE}?{query}")).await;
        assert_eq!(status, 400, "{query}: {json}");
        let message = json["error"].as_str().unwrap_or_default();
        assert!(
            message.contains(needle),
            "{query}: '{message}' should name '{needle}'"
        );
    }
    let (status, json) = get(&app, "/v3/site-explorer/no-such-report?target=x").await;
    assert_eq!(status, 404, "{json}");
    assert!(json["error"].is_string());
}

#[tokio::test]
async fn responses_carry_unit_headers() {
    let (index, web) = indexed_web();
    let root = top_site(&web);
    let response = tower::ServiceExt::oneshot(
        index.app(),
        axum::http::Request::get(format!(
            "{BASE}?target={root}&aggregation=all&select=url_from,refdomains_source&limit=3"
        ))
        .body(axum::body::Body::empty())
        .unwrap(),
    )
    .await
    .unwrap();
    let h = response.headers();
    assert_eq!(h["x-api-rows"], "3");
    assert_eq!(
        h["x-api-units-cost-row"], "6",
        "url_from 1 + refdomains_source 5"
    );
    assert_eq!(h["x-api-units-cost-total"], "50", "minimum 50 units");
    assert_eq!(h["x-api-cache"], "miss");
}

/// A row's text field (`""` when null).
fn text<'a>(row: &'a Value, field: &str) -> &'a str {
    row[field].as_str().unwrap_or("")
}

/// The words of `text`: its runs of letters, digits and underscores.
fn words(text: &str) -> Vec<&str> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect()
}

/// Whether the words of `phrase` follow one another among the words of `text`.
fn has_phrase(text: &str, phrase: &str) -> bool {
    let (text, phrase) = (words(text), words(phrase));
    text.windows(phrase.len()).any(|w| w == phrase.as_slice())
}

type RowTest = Box<dyn Fn(&Value) -> bool>;

/// Every operator of the v3 `where` grammar, each checked against the links it must keep:
/// the text operators on the synthetic web's own anchors and URLs, the comparisons and list
/// quantifiers on values the unfiltered answer carries. Each case keeps some links and drops
/// others, so a filter that kept everything or nothing would fail.
#[tokio::test]
async fn every_where_operator_has_a_known_answer() {
    let (index, web) = indexed_web();
    let app = index.app();
    let root = top_site(&web);
    let select = "url_from,url_to,anchor,alt,is_nofollow,domain_rating_source,languages";
    let ask = |filter: Option<&str>| {
        let filter = filter.map(|f| format!("&where={}", encoded(f)));
        format!(
            "{BASE}?target={root}&aggregation=all&select={select}&limit=100000{}",
            filter.unwrap_or_default()
        )
    };
    let (status, json) = get(&app, &ask(None)).await;
    assert_eq!(status, 200, "{json}");
    let all = rows(&json).clone();
    let truth = truth_backlinks(&web, &root);
    let truth_anchors: BTreeSet<_> = truth.iter().map(|l| (&l.from, &l.to, &l.anchor)).collect();
    let served: BTreeSet<_> = (all.iter())
        .map(|r| (text(r, "url_from"), text(r, "url_to"), text(r, "anchor")))
        .collect();
    assert!(
        served.iter().all(|(f, t, a)| truth_anchors.contains(&(
            &f.to_string(),
            &t.to_string(),
            &a.to_string()
        ))),
        "the unfiltered answer holds links the truth does not"
    );

    // Values that split the links: a word and a two-word phrase of the anchors, a referring
    // page's prefix and a URL ending, the median source DR and a page language.
    let anchors: Vec<&str> = all.iter().map(|r| text(r, "anchor")).collect();
    let splits = |test: &dyn Fn(&str) -> bool| {
        let kept = anchors.iter().filter(|a| test(a)).count();
        kept > 0 && kept < anchors.len()
    };
    let word = (anchors.iter().flat_map(|a| words(a)))
        .find(|w| w.len() > 3 && splits(&|a: &str| a.contains(*w)))
        .expect("a word some anchors have")
        .to_string();
    let phrase = (anchors.iter().map(|a| words(a)))
        .flat_map(|w| w.windows(2).map(|p| p.join(" ")).collect::<Vec<_>>())
        .find(|p| splits(&|a: &str| has_phrase(a, p)))
        .expect("a phrase some anchors have");
    let page = text(&all[0], "url_from");
    let prefix = page[..page.rfind('/').expect("a path")].to_string();
    let suffix = page[page.len() - 6..].to_string();
    let mut ratings: Vec<f64> = (all.iter())
        .filter_map(|r| r["domain_rating_source"].as_f64())
        .collect();
    ratings.sort_by(f64::total_cmp);
    let median = ratings[ratings.len() / 2];
    let language = (all.iter())
        .flat_map(|r| r["languages"].as_array().into_iter().flatten())
        .filter_map(Value::as_str)
        .next()
        .expect("a page language")
        .to_string();

    let dr = |r: &Value| r["domain_rating_source"].as_f64().unwrap_or(f64::NAN);
    let languages = |r: &Value| -> Option<Vec<String>> {
        let list = r["languages"].as_array()?;
        Some(
            list.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect(),
        )
    };
    let nofollow = |r: &Value| r["is_nofollow"].as_bool().expect("is_nofollow");
    let cases: Vec<(String, RowTest)> = vec![
        (
            r#"{"field":"is_nofollow","is":["eq",1]}"#.into(),
            Box::new(nofollow),
        ),
        (
            r#"{"field":"is_nofollow","is":["neq",true]}"#.into(),
            Box::new(move |r| !nofollow(r)),
        ),
        (
            format!(r#"{{"field":"domain_rating_source","is":["gt",{median}]}}"#),
            Box::new(move |r| dr(r) > median),
        ),
        (
            format!(r#"{{"field":"domain_rating_source","is":["gte",{median}]}}"#),
            Box::new(move |r| dr(r) >= median),
        ),
        (
            format!(r#"{{"field":"domain_rating_source","is":["lt",{median}]}}"#),
            Box::new(move |r| dr(r) < median),
        ),
        (
            format!(r#"{{"field":"domain_rating_source","is":["lte",{median}]}}"#),
            Box::new(move |r| dr(r) <= median),
        ),
        {
            let word = word.clone();
            (
                format!(r#"{{"field":"anchor","is":["substring","{word}"]}}"#),
                Box::new(move |r| text(r, "anchor").contains(&word)),
            )
        },
        {
            let word = word.clone();
            (
                format!(
                    r#"{{"field":"anchor","is":["isubstring","{}"]}}"#,
                    word.to_uppercase()
                ),
                Box::new(move |r| {
                    text(r, "anchor")
                        .to_lowercase()
                        .contains(&word.to_lowercase())
                }),
            )
        },
        {
            let phrase = phrase.clone();
            (
                format!(r#"{{"field":"anchor","is":["phrase_match","{phrase}"]}}"#),
                Box::new(move |r| has_phrase(text(r, "anchor"), &phrase)),
            )
        },
        {
            let phrase = phrase.clone();
            (
                format!(
                    r#"{{"field":"anchor","is":["iphrase_match","{}"]}}"#,
                    phrase.to_uppercase()
                ),
                Box::new(move |r| {
                    has_phrase(&text(r, "anchor").to_lowercase(), &phrase.to_lowercase())
                }),
            )
        },
        {
            let prefix = prefix.clone();
            (
                format!(r#"{{"field":"url_from","is":["prefix","{prefix}"]}}"#),
                Box::new(move |r| text(r, "url_from").starts_with(&prefix)),
            )
        },
        {
            let suffix = suffix.clone();
            (
                format!(r#"{{"field":"url_from","is":["suffix","{suffix}"]}}"#),
                Box::new(move |r| text(r, "url_from").ends_with(&suffix)),
            )
        },
        (
            r#"{"field":"anchor","is":["regex","^[A-Z]"]}"#.into(),
            Box::new(|r| text(r, "anchor").starts_with(|c: char| c.is_ascii_uppercase())),
        ),
        (
            r#"{"field":"anchor","is":"empty"}"#.into(),
            Box::new(|r| r["anchor"].as_str() == Some("")),
        ),
        (
            r#"{"field":"alt","is":"is_null"}"#.into(),
            Box::new(|r| r["alt"].is_null()),
        ),
        {
            let language = language.clone();
            (
                format!(r#"{{"field":"languages","list_is":{{"any":["eq","{language}"]}}}}"#),
                Box::new(move |r| languages(r).is_some_and(|l| l.contains(&language))),
            )
        },
        {
            let language = language.clone();
            (
                format!(r#"{{"field":"languages","list_is":{{"all":["neq","{language}"]}}}}"#),
                Box::new(move |r| languages(r).is_some_and(|l| !l.contains(&language))),
            )
        },
        {
            let word = word.clone();
            (
                format!(
                    r#"{{"or":[{{"field":"is_nofollow","is":["eq",1]}},{{"not":{{"field":"anchor","is":["substring","{word}"]}}}}]}}"#
                ),
                Box::new(move |r| nofollow(r) || !text(r, "anchor").contains(&word)),
            )
        },
        (
            format!(
                r#"{{"and":[{{"field":"is_nofollow","is":["eq",0]}},{{"field":"domain_rating_source","is":["gte",{median}]}}]}}"#
            ),
            Box::new(move |r| !nofollow(r) && dr(r) >= median),
        ),
    ];
    let key = |r: &Value| {
        (
            text(r, "url_from").to_string(),
            text(r, "url_to").to_string(),
            text(r, "anchor").to_string(),
        )
    };
    for (filter, test) in cases {
        let expected: Vec<_> = all.iter().filter(|r| test(r)).map(key).collect();
        assert!(
            !expected.is_empty() && expected.len() < all.len(),
            "{filter}: keeps {} of {} links, so it tells nothing",
            expected.len(),
            all.len()
        );
        let (status, json) = get(&app, &ask(Some(&filter))).await;
        assert_eq!(status, 200, "{filter}: {json}");
        let mut got: Vec<_> = rows(&json).iter().map(key).collect();
        let mut expected = expected;
        got.sort();
        expected.sort();
        assert_eq!(got, expected, "{filter}");
    }
}

/// `timeout` bounds a request in seconds: a generous one answers as without it, and one
/// that is not a number is refused naming it.
#[tokio::test]
async fn timeout_bounds_a_request() {
    let (index, web) = indexed_web();
    let app = index.app();
    let root = top_site(&web);
    let plain = format!("{BASE}?target={root}&select=url_from,url_to&limit=1000&aggregation=all");
    let (_, without) = get(&app, &plain).await;
    let (status, with) = get(&app, &format!("{plain}&timeout=30")).await;
    assert_eq!(status, 200, "{with}");
    assert_eq!(with, without);
    let (status, json) = get(&app, &format!("{plain}&timeout=soon")).await;
    assert_eq!(status, 400);
    assert!(
        json["error"].as_str().unwrap_or("").contains("timeout"),
        "{json}"
    );
}

/// `history`: the live links, every link ever seen, or those live at some time since a date,
/// over two builds of the synthetic web between which scripted changes lose links.
#[tokio::test]
async fn history_keeps_lost_links_as_asked() {
    let (index, _, second) = Index::of_two_epochs(5);
    let app = index.app();
    let root_of = |url: &str| {
        anchorage_core::domain::root_domain(anchorage_core::urls::host_of(url)).to_string()
    };
    let mut lost: BTreeMap<String, BTreeSet<(String, String)>> = BTreeMap::new();
    let effects = (second.truth.changes.iter())
        .filter(|c| c.epoch == 1)
        .flat_map(|c| &c.effects);
    for effect in effects.filter(|e| e.lost_reason.is_some()) {
        let (from, to) = (root_of(&effect.from), root_of(&effect.to));
        if from != to {
            let pair = (effect.from.clone(), effect.to.clone());
            lost.entry(to).or_default().insert(pair);
        }
    }
    let (root, lost) = (lost.into_iter())
        .max_by_key(|(_, links)| links.len())
        .expect("epoch 1 loses external links");
    let first_fetch = second.truth.pages.iter().map(|p| p.fetched_at).min();
    let epoch1 = anchorage_core::time::iso_date(first_fetch.expect("pages"));
    let links = |history: String| {
        let (app, root) = (app.clone(), root.clone());
        async move {
            let uri = format!(
                "{BASE}?target={root}&mode=subdomains&aggregation=all&select=url_from,url_to&limit=100000&history={history}"
            );
            let (status, json) = get(&app, &uri).await;
            assert_eq!(status, 200, "{uri}: {json}");
            (rows(&json).iter())
                .map(|r| {
                    (
                        text(r, "url_from").to_string(),
                        text(r, "url_to").to_string(),
                    )
                })
                .collect::<BTreeSet<_>>()
        }
    };
    let live = links("live".into()).await;
    let all_time = links("all_time".into()).await;
    assert!(live.is_disjoint(&lost), "lost links served as live");
    let gone: BTreeSet<_> = all_time.difference(&live).cloned().collect();
    assert_eq!(gone, lost);
    assert_eq!(links(format!("since:{epoch1}")).await, all_time);
    assert_eq!(links("since:2100-01-01".into()).await, live);
}
