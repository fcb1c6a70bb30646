//! Issue 2 acceptance over real data: ingest every WARC of `../shared/testdata/warc/`, build,
//! and ask `all-backlinks` what an independent reading of those files says.
//!
//! The expected rows below were derived without this project's code: Python's standard
//! `html.parser` over the raw WARC records (`tests/tools/independent_links.py` at the repository root), taking the
//! latest 200 capture of each page, `<a href>` resolved with `urllib.parse.urljoin` against
//! `<base href>`, fragments dropped, and a link counted as a backlink when the source's root
//! domain (Public Suffix List, by hand: `*.github.io` is its own root) differs from the
//! target's. Each row is (url_from, url_to, number of such links on the page).

mod support;

use support::{Index, get};

const ALLENAI: &[(&str, &str, usize)] = &[
    ("https://dwadden.github.io/", "https://allenai.org/", 1),
    (
        "https://dwadden.github.io/",
        "https://allenai.org/allennlp",
        1,
    ),
    (
        "https://dwadden.github.io/",
        "https://scifact.apps.allenai.org/",
        1,
    ),
    ("https://kyleclo.com/", "https://allenai.org/", 1),
    ("https://kyleclo.com/", "https://allenai.org/olmo", 1),
    (
        "https://kyleclo.com/",
        "https://allenai.org/olmo/dolma-paper.pdf",
        1,
    ),
    (
        "https://kyleclo.com/",
        "https://allenai.org/olmo/olmo-paper.pdf",
        1,
    ),
    (
        "https://kyleclo.com/research/",
        "https://allenai.org/olmo",
        1,
    ),
    (
        "https://maria-antoniak.github.io/",
        "https://allenai.org/",
        1,
    ),
    (
        "https://maria-antoniak.github.io/",
        "https://allenai.org/young-investigators",
        1,
    ),
    ("https://soldaini.net/", "https://allenai.org/", 1),
    ("https://soldaini.net/", "https://allenai.org/olmo", 2),
    ("https://talaugust.github.io/", "https://allenai.org/", 2),
    ("https://tomhoper.github.io/", "https://allenai.org/", 1),
    ("https://www.cs.cmu.edu/~anaik/", "https://allenai.org/", 1),
    (
        "https://www.cs.washington.edu/people/faculty/weld",
        "http://allenai.org/",
        1,
    ),
    (
        "https://www.cs.washington.edu/people/faculty/weld",
        "https://allenai.org/",
        1,
    ),
    ("https://www.jonathanbragg.com/", "https://allenai.org/", 1),
    (
        "https://www.jonathanbragg.com/",
        "https://allenai.org/careers?team_ai2=semantic+scholar",
        1,
    ),
    (
        "https://www.jonathanbragg.com/",
        "https://genie.apps.allenai.org/data",
        1,
    ),
    (
        "https://www.semanticscholar.org/about",
        "https://allenai.org/",
        1,
    ),
    (
        "https://www.semanticscholar.org/about",
        "https://allenai.org/board-of-directors.html",
        1,
    ),
    (
        "https://www.semanticscholar.org/about",
        "https://allenai.org/careers?dept=59084",
        1,
    ),
    (
        "https://www.semanticscholar.org/about",
        "https://allenai.org/careers?team=semantic+scholar",
        2,
    ),
    (
        "https://www.semanticscholar.org/about",
        "https://allenai.org/founder",
        1,
    ),
    (
        "https://www.semanticscholar.org/about",
        "https://allenai.org/papers?tag=Semantic%20Scholar",
        1,
    ),
    (
        "https://www.semanticscholar.org/about",
        "https://allenai.org/privacy-policy.html",
        1,
    ),
    (
        "https://www.semanticscholar.org/about",
        "https://allenai.org/scientific-advisory-board.html",
        1,
    ),
    (
        "https://www.semanticscholar.org/about",
        "https://allenai.org/terms.html",
        1,
    ),
    (
        "https://www.semanticscholar.org/about",
        "https://blog.allenai.org/behind-the-scenes-of-semantic-scholars-new-author-influence-design-d7e007ba6a84",
        1,
    ),
    (
        "https://www.semanticscholar.org/about",
        "https://blog.allenai.org/case-study-iterative-design-for-skimming-support-5563dbe0899e",
        1,
    ),
    (
        "https://www.semanticscholar.org/research/research-team",
        "http://allenai.org/",
        1,
    ),
    (
        "https://www.semanticscholar.org/research/research-team",
        "https://allenai.org/",
        1,
    ),
    (
        "https://www.semanticscholar.org/research/research-team",
        "https://allenai.org/careers?team=semantic+scholar",
        1,
    ),
    (
        "https://www.semanticscholar.org/research/research-team",
        "https://allenai.org/papers?tag=Semantic%20Scholar",
        3,
    ),
    (
        "https://www.semanticscholar.org/research/research-team",
        "https://allenai.org/privacy-policy.html",
        1,
    ),
    (
        "https://www.semanticscholar.org/research/research-team",
        "https://allenai.org/terms.html",
        1,
    ),
];

const GITHUB: &[(&str, &str, usize)] = &[
    ("https://allenai.org/", "https://github.com/allenai", 1),
    ("https://allenai.org/reviz", "https://github.com/allenai", 1),
    (
        "https://amyxzhang.wordpress.com/",
        "https://github.com/Microsoft/tilda",
        1,
    ),
    (
        "https://amyxzhang.wordpress.com/",
        "https://github.com/amyxzhang/squadbox",
        1,
    ),
    (
        "https://commoncrawl.org/blog/host-and-domain-level-web-graphs-september-october-november-december-2023-and-february-march-2024",
        "https://github.com/commoncrawl/cc-notebooks/tree/master/cc-webgraph-statistics",
        1,
    ),
    (
        "https://commoncrawl.org/blog/host-and-domain-level-web-graphs-september-october-november-december-2023-and-february-march-2024",
        "https://github.com/commoncrawl/cc-pyspark",
        1,
    ),
    (
        "https://commoncrawl.org/blog/host-and-domain-level-web-graphs-september-october-november-december-2023-and-february-march-2024",
        "https://github.com/commoncrawl/cc-webgraph",
        1,
    ),
    (
        "https://commoncrawl.org/blog/host-and-domain-level-web-graphs-september-october-november-december-2023-and-february-march-2024",
        "https://github.com/publicsuffix/list/commit/9094af5",
        1,
    ),
    (
        "https://commoncrawl.org/blog/march-april-2024-newsletter",
        "https://github.com/commoncrawl/cc-legal",
        1,
    ),
    (
        "https://dwadden.github.io/",
        "https://github.com/allenai/scifact",
        1,
    ),
    (
        "https://dwadden.github.io/",
        "https://github.com/dwadden",
        1,
    ),
    (
        "https://dwadden.github.io/",
        "https://github.com/dwadden/dygiepp",
        1,
    ),
    (
        "https://dwadden.github.io/",
        "https://github.com/dwadden/multivers",
        1,
    ),
    (
        "https://dwadden.github.io/",
        "https://github.com/google-research/language/tree/master/language/qresp",
        1,
    ),
    (
        "https://homes.cs.washington.edu/~axz/",
        "https://github.com/amyxzhang",
        1,
    ),
    (
        "https://homes.cs.washington.edu/~axz/",
        "https://github.com/amyxzhang/personal_website",
        1,
    ),
    ("https://joe.cat/", "http://github.com/", 1),
    ("https://joe.cat/", "https://github.com/josephcc/", 1),
    ("https://kyleclo.com/", "https://github.com/allenai/OLMo", 1),
    (
        "https://kyleclo.com/",
        "https://github.com/allenai/dolma",
        1,
    ),
    (
        "https://kyleclo.com/",
        "https://github.com/alshedivat/al-folio",
        1,
    ),
    ("https://kyleclo.com/", "https://github.com/kyleclo", 1),
    ("https://kyleclo.com/", "https://pages.github.com/", 1),
    (
        "https://kyleclo.com/research/",
        "https://github.com/alshedivat/al-folio",
        1,
    ),
    (
        "https://kyleclo.com/research/",
        "https://pages.github.com/",
        1,
    ),
    (
        "https://maria-antoniak.github.io/",
        "https://github.com/maartensap/riveter-nlp",
        2,
    ),
    (
        "https://maria-antoniak.github.io/",
        "https://github.com/maria-antoniak",
        1,
    ),
    (
        "https://maria-antoniak.github.io/",
        "https://github.com/maria-antoniak/goodreads-scraper",
        1,
    ),
    (
        "https://maria-antoniak.github.io/",
        "https://github.com/maria-antoniak/little-mallet-wrapper",
        1,
    ),
    (
        "https://maria-antoniak.github.io/2018/11/19/data-science-crash-course.html",
        "https://github.com/ctufts/Cheat_Sheets/wiki/Classification-Model-Pros-and-Cons",
        1,
    ),
    (
        "https://maria-antoniak.github.io/2018/11/19/data-science-crash-course.html",
        "https://github.com/maria-antoniak",
        1,
    ),
    (
        "https://maria-antoniak.github.io/2020/03/25/pip.html",
        "https://github.com/maria-antoniak",
        1,
    ),
    (
        "https://maria-antoniak.github.io/2020/03/25/pip.html",
        "https://github.com/maria-antoniak/little-mallet-wrapper",
        3,
    ),
    (
        "https://maria-antoniak.github.io/2022/07/27/topic-modeling-for-the-people.html",
        "https://github.com/laurejt/authorless-tms",
        1,
    ),
    (
        "https://maria-antoniak.github.io/2022/07/27/topic-modeling-for-the-people.html",
        "https://github.com/maria-antoniak",
        1,
    ),
    (
        "https://maria-antoniak.github.io/2023/04/11/paperpile-to-zotero.html",
        "https://github.com/maria-antoniak",
        1,
    ),
    (
        "https://maria-antoniak.github.io/2023/07/04/notes-on-mastodon.html",
        "https://github.com/g3rv4/FakeRelay",
        1,
    ),
    (
        "https://maria-antoniak.github.io/2023/07/04/notes-on-mastodon.html",
        "https://github.com/g3rv4/GetMoarFediverse",
        1,
    ),
    (
        "https://maria-antoniak.github.io/2023/07/04/notes-on-mastodon.html",
        "https://github.com/maria-antoniak",
        1,
    ),
    (
        "https://maria-antoniak.github.io/2023/07/04/notes-on-mastodon.html",
        "https://github.com/mastodon/mastodon/discussions/22608",
        1,
    ),
    (
        "https://maria-antoniak.github.io/2023/07/04/notes-on-mastodon.html",
        "https://github.com/mastodon/mastodon/issues/14017",
        1,
    ),
    (
        "https://maria-antoniak.github.io/2023/07/04/notes-on-mastodon.html",
        "https://github.com/mastodon/mastodon/issues/3782",
        1,
    ),
    (
        "https://maria-antoniak.github.io/2023/07/04/notes-on-mastodon.html",
        "https://github.com/mauforonda/mastodon_digest",
        1,
    ),
    ("https://soldaini.net/", "https://github.com/soldni", 1),
    (
        "https://talaugust.github.io/",
        "https://github.com/alshedivat/al-folio",
        1,
    ),
    (
        "https://talaugust.github.io/",
        "https://github.com/talaugust",
        1,
    ),
    (
        "https://talaugust.github.io/",
        "https://pages.github.com/",
        1,
    ),
    (
        "https://wiki.archiveteam.org/",
        "https://github.com/WikiTeam/wikiteam/wiki/Tutorial",
        1,
    ),
    (
        "https://www.cs.cmu.edu/~anaik/",
        "https://github.com/AbhilashaRavichander/EQUATE",
        1,
    ),
    (
        "https://www.cs.cmu.edu/~anaik/",
        "https://github.com/aakanksha19",
        1,
    ),
    (
        "https://www.cs.cmu.edu/~anaik/",
        "https://github.com/aakanksha19/ODETTE",
        1,
    ),
    (
        "https://www.cs.cmu.edu/~anaik/",
        "https://github.com/aakanksha19/TDDiscourse",
        1,
    ),
    (
        "https://www.cs.cmu.edu/~anaik/",
        "https://github.com/xinru1414/Reddit",
        1,
    ),
    (
        "https://www.jonathanbragg.com/",
        "https://github.com/StanfordAI4HI/learning-compatible-performance-support",
        1,
    ),
    (
        "https://www.jonathanbragg.com/",
        "https://github.com/allenai/flex",
        1,
    ),
    (
        "https://www.jonathanbragg.com/",
        "https://github.com/allenai/genie-worker-scoring",
        1,
    ),
    (
        "https://www.jonathanbragg.com/",
        "https://github.com/allenai/hci-alt-texts",
        1,
    ),
    (
        "https://www.jonathanbragg.com/",
        "https://www.github.com/uwcrowdlab/guru",
        1,
    ),
    (
        "https://www.semanticscholar.org/about",
        "https://github.com/allenai/s2orc",
        1,
    ),
];

fn expected(rows: &[(&str, &str, usize)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = rows
        .iter()
        .flat_map(|(from, to, n)| std::iter::repeat_n((from.to_string(), to.to_string()), *n))
        .collect();
    out.sort();
    out
}

fn pairs(json: &serde_json::Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = json["backlinks"]
        .as_array()
        .expect("backlinks array")
        .iter()
        .map(|r| {
            (
                r["url_from"].as_str().unwrap().to_string(),
                r["url_to"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

#[tokio::test]
async fn backlinks_match_an_independent_reading_of_the_warc_files() {
    let Some(index) = Index::of_shared_warcs() else {
        return;
    };
    let app = index.app();
    // The independent reading counts `<a href>` links: Anchorage's text and image links.
    let a_links = r#"{"or":[{"field":"link_type","is":["eq","text"]},{"field":"link_type","is":["eq","image"]}]}"#;
    for (target, rows) in [("allenai.org", ALLENAI), ("github.com", GITHUB)] {
        let uri = format!(
            "/v3/site-explorer/all-backlinks?target={target}&mode=subdomains&aggregation=all&select=url_from,url_to,link_type&limit=1000&where={}",
            urlencode(a_links)
        );
        let (status, json) = get(&app, &uri).await;
        assert_eq!(status, 200, "{json}");
        let got = pairs(&json);
        let want = expected(rows);
        let missing: Vec<_> = want.iter().filter(|w| !got.contains(w)).collect();
        let extra: Vec<_> = got.iter().filter(|g| !want.contains(g)).collect();
        assert_eq!(
            got, want,
            "{target}: missing {missing:#?}\nextra {extra:#?}"
        );
        for row in json["backlinks"].as_array().unwrap() {
            assert!(
                matches!(row["link_type"].as_str(), Some("text" | "image")),
                "{row}"
            );
        }
    }
}

#[tokio::test]
async fn other_link_kinds_are_backlinks_too() {
    let Some(index) = Index::of_shared_warcs() else {
        return;
    };
    // joe.cat names its github.io predecessor as canonical: `<link rel="canonical" href="http://josephcc.github.com/">`.
    let (status, json) = get(
        &index.app(),
        "/v3/site-explorer/all-backlinks?target=josephcc.github.com&mode=domain&aggregation=all&select=url_from,url_to,link_type,is_canonical",
    )
    .await;
    assert_eq!(status, 200, "{json}");
    let rows = json["backlinks"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{json}");
    assert_eq!(rows[0]["url_from"], "https://joe.cat/");
    assert_eq!(rows[0]["url_to"], "http://josephcc.github.com/");
    assert_eq!(rows[0]["link_type"], "canonical");
    assert_eq!(rows[0]["is_canonical"], true);
}

fn urlencode(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[tokio::test]
async fn exact_mode_finds_the_links_of_the_wikipedia_page() {
    let Some(index) = Index::of_shared_warcs() else {
        return;
    };
    let app = index.app();
    // Two nofollow links to the archived source of the an.wikipedia.org article "Escopete".
    let target = "https%3A%2F%2Fweb.archive.org%2Fweb%2F20070205133452%2Fhttp%3A%2F%2Fwww.dguadalajara.es%2Fmunicipios%2Fescopete.htm";
    let (status, json) = get(
        &app,
        &format!("/v3/site-explorer/all-backlinks?target={target}&mode=exact&aggregation=all&select=url_from,url_to,is_nofollow,is_dofollow,anchor"),
    )
    .await;
    assert_eq!(status, 200, "{json}");
    let rows = json["backlinks"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{json}");
    for r in rows {
        assert_eq!(r["url_from"], "https://an.wikipedia.org/wiki/Escopete");
        assert_eq!(r["is_nofollow"], true);
        assert_eq!(r["is_dofollow"], false);
    }
    // One dofollow licence link.
    let (_, json) = get(
        &app,
        "/v3/site-explorer/all-backlinks?target=https://creativecommons.org/licenses/by-sa/4.0/&mode=exact&aggregation=all&select=url_from,is_dofollow",
    )
    .await;
    let rows = json["backlinks"].as_array().unwrap();
    assert_eq!(rows.len(), 1, "{json}");
    assert_eq!(
        rows[0]["url_from"],
        "https://an.wikipedia.org/wiki/Escopete"
    );
    assert_eq!(rows[0]["is_dofollow"], true);
}

#[tokio::test]
async fn ingesting_the_same_files_twice_adds_nothing() {
    let Some(index) = Index::of_shared_warcs() else {
        return;
    };
    let before = index.backlink_rows();
    index.ingest_again(true);
    index.rebuild();
    assert_eq!(index.backlink_rows(), before);
}
