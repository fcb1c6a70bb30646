//! Pre-aggregated reports answer exactly as the generic plan does: the same synthetic web is
//! built twice, with the pre-aggregated reports (`anchorage build`) and without them (the
//! index's build alone), and every report request must get the same body from both. The
//! similar-links groups the build stores answer as the window plan a link filter forces.

mod support;

use anchorage_core::target::{Protocol, Target, TargetMode};
use anchorage_index::build::{BuildConfig, build};
use anchorage_query::preaggregate;
use anchorage_query::{Engine, History, ReportQuery};
use axum::http::StatusCode;
use support::{Index, get_text};

/// The synthetic web of `seed`, built by the index alone: no pre-aggregated tables.
fn without_preaggregates(with: &Index) -> Index {
    let index = Index::empty();
    let config = anchorage_index::ingest::IngestConfig::default();
    anchorage_index::ingest::ingest_files(&index.dir, &with.files, &config, &|_| {})
        .expect("ingest");
    build(&index.dir, &BuildConfig::default()).expect("build");
    index
}

/// Every column of `pages-by-backlinks`.
const PAGES_COLUMNS: &str = "url_to,url_to_plain,refdomains_target,dofollow_to_target,nofollow_to_target,links_to_target,new_links_to_target,lost_links_to_target,first_seen_link,last_seen,last_visited_target,http_code_target,title_target,languages_target,powered_by_target,redirects_to_target,target_redirect,top_domain_rating_source,url_rating_target,is_spam";

fn report_requests(sites: &[(String, String)]) -> Vec<String> {
    let mut uris = Vec::new();
    for (root, host) in sites {
        let homepage = format!("{host}/");
        for (mode, target) in [("domain", host), ("subdomains", root), ("exact", &homepage)] {
            for history in ["all_time", "live"] {
                let base = format!("target={target}&mode={mode}&history={history}");
                uris.extend([
                    format!("/v3/site-explorer/refdomains?{base}&select=domain,domain_rating,dofollow_links,links_to_target,new_links,lost_links,first_seen,last_seen,is_root_domain,dofollow_refdomains&limit=1000"),
                    format!("/v3/site-explorer/refdomains?{base}&select=domain,links_to_target&order_by=links_to_target:desc&limit=5&offset=2"),
                    format!("/v3/site-explorer/refdomains?{base}&select=domain,dofollow_links&where=%7B%22field%22:%22dofollow_links%22,%22is%22:[%22gte%22,2]%7D"),
                    format!("/v3/site-explorer/anchors?{base}&select=anchor,refdomains,links_to_target,dofollow_links,first_seen,last_seen,refpages,top_domain_rating&limit=1000"),
                    format!("/v3/site-explorer/anchors?{base}&select=anchor,refdomains&order_by=refdomains:asc&limit=3&offset=1"),
                    format!("/v3/site-explorer/pages-by-backlinks?{base}&select={PAGES_COLUMNS}&limit=1000"),
                    format!("/v3/site-explorer/pages-by-backlinks?{base}&select=url_to,links_to_target&order_by=links_to_target:desc&limit=4&offset=1"),
                ]);
            }
        }
    }
    uris
}

#[tokio::test]
async fn preaggregated_reports_answer_as_the_generic_plan() {
    let (with, web) = Index::of_synthetic_web(5);
    let generation = anchorage_index::snapshot::require_current(&with.dir).expect("generation");
    for name in [
        "agg-refdomains-all_time-host.parquet",
        "agg-refdomains-live-url.parquet",
        "agg-anchors-all_time-url.parquet",
        "agg-refdomains-live-root.parquet",
        "agg-anchors-all_time-root.parquet",
        "agg-anchors-live-host.parquet",
        "agg-pages-by-backlinks-all_time-host.parquet",
        "agg-pages-by-backlinks-live-root.parquet",
    ] {
        assert!(
            generation.manifest.tables.get(name).copied().unwrap_or(0) > 0,
            "{name} written"
        );
    }
    let without = without_preaggregates(&with);
    let sites: Vec<(String, String)> = web
        .sites_by_popularity()
        .iter()
        .take(4)
        .map(|s| (s.root_domain.clone(), s.primary_host.clone()))
        .collect();
    let (app_with, app_without) = (with.app(), without.app());
    let mut non_empty = 0;
    for uri in report_requests(&sites) {
        let (status, body) = get_text(&app_with, &uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        let (_, expected) = get_text(&app_without, &uri).await;
        assert_eq!(body, expected, "{uri}");
        non_empty += usize::from(body.contains("\"domain\"") || body.contains("\"anchor\""));
    }
    assert!(non_empty > 60, "most answers have rows ({non_empty})");
}

/// Real hosts, where Public Suffix List rules nest (`github.io` is a suffix, its users' hosts
/// roots): the shared WARC files, built with and without pre-aggregates, answer the
/// `subdomains` and `domain` reports of linked hosts alike.
#[tokio::test]
async fn real_hosts_answer_alike_with_and_without_preaggregates() {
    let Some(with) = Index::of_shared_warcs() else {
        return;
    };
    let without = without_preaggregates(&with);
    let (app_with, app_without) = (with.app(), without.app());
    let targets = [
        "github.io",
        "github.com",
        "allenai.org",
        "wikipedia.org",
        "en.wikipedia.org",
    ];
    let mut with_rows = 0;
    for target in &targets {
        for (mode, target) in [
            ("subdomains", target.to_string()),
            ("domain", target.to_string()),
            ("exact", format!("{target}/")),
        ] {
            for (report, select) in [
                (
                    "refdomains",
                    "domain,domain_rating,dofollow_links,links_to_target,first_seen,last_seen,lost_links,is_root_domain",
                ),
                (
                    "anchors",
                    "anchor,refdomains,links_to_target,first_seen,last_seen,refpages,top_domain_rating",
                ),
                ("pages-by-backlinks", PAGES_COLUMNS),
            ] {
                let uri = format!(
                    "/v3/site-explorer/{report}?target={target}&mode={mode}&select={select}&limit=1000"
                );
                let (status, body) = get_text(&app_with, &uri).await;
                assert_eq!(status, StatusCode::OK, "{uri}: {body}");
                assert_eq!(body, get_text(&app_without, &uri).await.1, "{uri}");
                with_rows += usize::from(body.contains("\"links_to_target\""));
            }
        }
    }
    assert!(with_rows >= 10, "answers with rows: {with_rows}");
}

#[tokio::test]
async fn only_requests_the_preaggregates_hold_use_them() {
    let (with, web) = Index::of_synthetic_web(5);
    let engine = Engine::open_current(&with.dir).await.expect("engine");
    let site = web.sites_by_popularity()[0];
    let report = anchorage_core::reports::report("refdomains").expect("refdomains");
    let query = |mode: TargetMode, target: &str| ReportQuery {
        report,
        target: Target::parse(target, mode).expect("target"),
        protocol: Protocol::Both,
        select: report.columns.iter().collect(),
        link_filter: None,
        group_filter: None,
        order_by: Vec::new(),
        limit: 10,
        offset: 0,
        history: History::AllTime,
        include_internal: false,
    };
    let domain = query(TargetMode::Domain, &site.primary_host);
    assert!(engine.serves_from_preaggregates(&domain));
    assert!(engine.report_count(&domain).await.expect("count") > 0);
    let subdomains = query(TargetMode::Subdomains, &site.root_domain);
    assert!(engine.serves_from_preaggregates(&subdomains));
    let homepage = query(TargetMode::Exact, &format!("{}/", site.primary_host));
    assert!(engine.serves_from_preaggregates(&homepage));
    assert!(engine.report_count(&homepage).await.expect("count") > 0);
    let pages = anchorage_core::reports::report("pages-by-backlinks").expect("pages report");
    for other in [
        query(TargetMode::Prefix, &format!("{}/", site.primary_host)),
        ReportQuery {
            report: pages,
            ..homepage.clone()
        },
        ReportQuery {
            protocol: Protocol::Https,
            ..domain.clone()
        },
        ReportQuery {
            history: History::Lost,
            ..domain.clone()
        },
        ReportQuery {
            include_internal: true,
            ..domain.clone()
        },
    ] {
        assert!(preaggregate::source_of(&other).is_none(), "{other:?}");
    }
}

/// A `where` every link passes: it makes `similar_links` and `1_per_domain` group with the
/// window plan.
const EVERY_LINK: &str = "%7B%22field%22:%22domain_rating_source%22,%22is%22:[%22gte%22,0]%7D";

/// `similar_links` and `1_per_domain` requests over `targets` (target, mode): all backlinks
/// in both histories, and broken backlinks (live ones).
fn grouped_requests(targets: &[(String, &str)]) -> Vec<String> {
    let select = "url_from,url_to,anchor,domain_rating_source,url_rating_source,link_group_count";
    let mut uris = Vec::new();
    for (target, mode) in targets {
        let scope = format!("target={target}&mode={mode}");
        let all = format!("{select},is_lost,first_seen_link,last_seen");
        let bases = [
            format!("all-backlinks?{scope}&history=all_time&select={all}"),
            format!("all-backlinks?{scope}&history=live&select={all}"),
            format!("broken-backlinks?{scope}&select={select},http_code_target"),
        ];
        for (base, aggregation) in bases
            .iter()
            .flat_map(|b| [(b, "similar_links"), (b, "1_per_domain")])
        {
            let base = format!("/v3/site-explorer/{base}&aggregation={aggregation}");
            uris.push(format!("{base}&limit=1000"));
            uris.push(format!(
                "{base}&order_by=url_rating_source:asc,anchor:desc&limit=7&offset=3"
            ));
        }
    }
    uris
}

/// Asserts every request answers alike with the stored groups and with the window plan;
/// returns how many answers have rows.
async fn assert_grouped_alike(app: &axum::Router, uris: &[String]) -> usize {
    let mut with_rows = 0;
    for uri in uris {
        let (status, stored) = get_text(app, uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {stored}");
        let (status, windowed) = get_text(app, &format!("{uri}&where={EVERY_LINK}")).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {windowed}");
        assert_eq!(stored, windowed, "{uri}");
        with_rows += usize::from(stored.contains("\"url_from\""));
    }
    with_rows
}

#[tokio::test]
async fn stored_link_groups_answer_as_the_window_plan() {
    // Two epochs: links lost in the second make live groups differ from all-time ones.
    let (index, _, web) = Index::of_two_epochs(5);
    let mut targets = Vec::new();
    for site in web.sites_by_popularity().iter().take(4) {
        targets.extend([
            (site.primary_host.clone(), "domain"),
            (site.root_domain.clone(), "subdomains"),
            (format!("{}/", site.primary_host), "exact"),
            (format!("https://{}/", site.primary_host), "prefix"),
        ]);
    }
    let with_rows = assert_grouped_alike(&index.app(), &grouped_requests(&targets)).await;
    assert!(with_rows > 30, "answers with rows: {with_rows}");
}

#[tokio::test]
async fn real_pages_link_groups_answer_as_the_window_plan() {
    let Some(index) = Index::of_shared_warcs() else {
        return;
    };
    let targets: Vec<(String, &str)> = ["github.com", "wikipedia.org", "creativecommons.org"]
        .iter()
        .flat_map(|t| {
            [
                (t.to_string(), "subdomains"),
                (t.to_string(), "domain"),
                (format!("{t}/"), "exact"),
            ]
        })
        .chain([("en.wikipedia.org".to_string(), "domain")])
        .collect();
    let with_rows = assert_grouped_alike(&index.app(), &grouped_requests(&targets)).await;
    assert!(with_rows >= 4, "answers with rows: {with_rows}");
}

/// A page of the best links (read past a source-DR floor: only links at least as strong as
/// the page's weakest are read in full) is the same slice of the whole list (read whole,
/// as it is shorter than asked for), whatever the aggregation and history.
#[tokio::test]
async fn pages_of_the_best_links_are_slices_of_the_whole_list() {
    let (index, _, web) = Index::of_two_epochs(5);
    let app = index.app();
    let select = "url_from,url_to,anchor,domain_rating_source,url_rating_source,is_lost";
    let mut compared = 0;
    for site in web.sites_by_popularity().iter().take(6) {
        for (target, mode) in [
            (site.primary_host.clone(), "domain"),
            (site.root_domain.clone(), "subdomains"),
            (format!("{}/", site.primary_host), "exact"),
        ] {
            for aggregation in ["all", "similar_links", "1_per_domain"] {
                for history in ["all_time", "live"] {
                    let base = format!(
                        "/v3/site-explorer/all-backlinks?target={target}&mode={mode}&aggregation={aggregation}&history={history}&select={select}"
                    );
                    let whole = backlinks(&app, &format!("{base}&limit=1000")).await;
                    assert!(whole.len() < 1000, "{base}: the whole list fits");
                    for (offset, limit) in [(0, 3), (2, 5), (9, 4)] {
                        let page =
                            backlinks(&app, &format!("{base}&offset={offset}&limit={limit}")).await;
                        let end = whole.len().min(offset + limit);
                        let expected = whole.get(offset.min(end)..end).unwrap_or_default();
                        assert_eq!(page, expected, "{base}&offset={offset}&limit={limit}");
                        compared += usize::from(!page.is_empty());
                    }
                }
            }
        }
    }
    assert!(compared > 100, "pages with rows: {compared}");
}

async fn backlinks(app: &axum::Router, uri: &str) -> Vec<serde_json::Value> {
    let (status, body) = get_text(app, uri).await;
    assert_eq!(status, StatusCode::OK, "{uri}: {body}");
    let parsed: serde_json::Value = serde_json::from_str(&body).expect("json");
    parsed["backlinks"].as_array().cloned().unwrap_or_default()
}

/// Every target read past a source-DR floor (set from 0 rows) answers as read whole (through
/// the page cache, in memory): without a cache, and with one that keeps only narrow columns
/// of every read (as it does for huge targets), whose floor column then picks the rows.
#[tokio::test]
async fn reads_past_a_source_dr_floor_answer_as_whole_reads() {
    use anchorage_core::catalogue::{BacklinkReport, backlink_column};
    use anchorage_query::{Aggregation, BacklinksQuery, CachePolicy, OrderBy};
    let (index, _, web) = Index::of_two_epochs(5);
    let whole = Engine::open_current(&index.dir).await.expect("engine");
    let generation = anchorage_index::snapshot::require_current(&index.dir).expect("generation");
    let mut uncached = Engine::open_with_cache(generation.clone(), CachePolicy::of_bytes(0))
        .await
        .expect("engine");
    uncached.set_floor_from_rows(0);
    let narrow = CachePolicy {
        bytes: 64 << 20,
        whole_read_rows: 0,
    };
    let mut narrowly_cached = Engine::open_with_cache(generation, narrow)
        .await
        .expect("engine");
    narrowly_cached.set_floor_from_rows(0);
    let select: Vec<_> = [
        "url_from",
        "url_to",
        "anchor",
        "domain_rating_source",
        "is_lost",
    ]
    .iter()
    .map(|c| backlink_column(c).expect("column"))
    .collect();
    let dr = backlink_column("domain_rating_source").expect("dr");
    let dofollow = anchorage_query::Filter::Cond {
        column: backlink_column("is_dofollow").expect("column").into(),
        modifier: None,
        condition: anchorage_query::Condition::Cmp(
            anchorage_query::filter::CmpOp::Eq,
            anchorage_query::Value::Bool(true),
        ),
    };
    let mut compared = 0;
    for site in web.sites_by_popularity().iter().take(4) {
        for (target, mode) in [
            (site.primary_host.as_str(), TargetMode::Domain),
            (site.root_domain.as_str(), TargetMode::Subdomains),
        ] {
            for aggregation in [
                Aggregation::All,
                Aggregation::SimilarLinks,
                Aggregation::OnePerDomain,
            ] {
                for history in [History::AllTime, History::Live] {
                    for (offset, limit, order_by, filter) in [
                        (0, 10, vec![], None),
                        (7, 5, vec![OrderBy::column(dr, true)], None),
                        (3, 10, vec![], Some(dofollow.clone())),
                    ] {
                        let query = BacklinksQuery {
                            report: BacklinkReport::AllBacklinks,
                            target: Target::parse(target, mode).expect("target"),
                            protocol: Protocol::Both,
                            select: select.clone(),
                            filter,
                            order_by,
                            limit,
                            offset,
                            aggregation: aggregation.clone(),
                            history,
                            include_internal: false,
                            after: None,
                            with_sort_keys: false,
                        };
                        let rows = |b: &[arrow::record_batch::RecordBatch]| {
                            arrow::compute::concat_batches(&b[0].schema(), b).expect("concat")
                        };
                        let expected = rows(&whole.backlinks(&query).await.expect("whole"));
                        for floored in [&uncached, &narrowly_cached] {
                            let got = rows(&floored.backlinks(&query).await.expect("floored"));
                            assert_eq!(
                                got, expected,
                                "{target} {aggregation:?} {history:?} {offset} {:?}",
                                query.filter
                            );
                        }
                        compared += usize::from(expected.num_rows() > 0);
                    }
                }
            }
        }
    }
    assert!(compared > 45, "answers with rows: {compared}");
}
