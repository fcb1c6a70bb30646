//! A published Ahrefs client against Anchorage: Adobe's `@adobe/spacecat-shared-ahrefs-client`
//! (npm, version pinned) runs `getBacklinks` and `getBrokenBacklinks` with its own filters
//! (source DR ≥ 29.5, referring-domain traffic ≥ 500, ≤ 300 external links) and ordering, on the
//! synthetic web with traffic figures imported through `anchorage import-metrics`. Without Node
//! or npm the test is skipped with a notice, except in CI (`CI=true`), where it fails.

mod support;

use std::path::Path;
use support::{Index, get, serve_on_loopback};

const CLIENT: &str = "@adobe/spacecat-shared-ahrefs-client@1.10.5";
/// The `where` both client calls send (from the client's source).
const CLIENT_WHERE: &str = r#"{"and":[{"field":"domain_rating_source","is":["gte",29.5]},{"field":"traffic_domain","is":["gte",500]},{"field":"links_external","is":["lte",300]}]}"#;

/// Every site of the web gets 1,000 monthly visits, so the client's traffic filter keeps them.
fn import_traffic(index: &Index, web: &anchorage_synth::SyntheticWeb) {
    let csv = index.dir.root().join("traffic.csv");
    let mut text = String::from("target,traffic,positions\n");
    for site in &web.sites {
        text.push_str(&format!("{},1000,40\n", site.root_domain));
    }
    std::fs::write(&csv, text).expect("csv");
    anchorage_index::imports::import_csv(&index.dir, &csv).expect("import");
    index.rebuild();
}

/// A site with broken backlinks that pass the client's filter.
async fn target_with_broken_backlinks(
    index: &Index,
    web: &anchorage_synth::SyntheticWeb,
) -> String {
    let app = index.app();
    let filter = url::form_urlencoded::byte_serialize(CLIENT_WHERE.as_bytes()).collect::<String>();
    for site in web.sites_by_popularity() {
        let uri = format!(
            "/v3/site-explorer/broken-backlinks?target={}&mode=prefix&select=url_from&where={filter}",
            site.root_domain
        );
        let (_, answer) = get(&app, &uri).await;
        if answer["backlinks"]
            .as_array()
            .is_some_and(|rows| !rows.is_empty())
        {
            return site.root_domain.clone();
        }
    }
    panic!("no site of the synthetic web has broken backlinks the client's filter keeps");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn adobes_client_gets_backlinks_and_broken_backlinks() {
    let npm_dir = tempfile::tempdir().expect("temp dir");
    if !anchorage_core::testing::npm_install(
        npm_dir.path(),
        &[CLIENT],
        "the Adobe Ahrefs client test",
    ) {
        return;
    }
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/tools/adobe_ahrefs_client.mjs");
    let local_script = npm_dir.path().join("adobe_ahrefs_client.mjs");
    std::fs::copy(&script, &local_script).expect("copy the script beside node_modules");

    let (index, web) = Index::of_synthetic_web(7);
    import_traffic(&index, &web);
    let target = target_with_broken_backlinks(&index, &web).await;
    let base = serve_on_loopback(index.app()).await;

    let mut client = std::process::Command::new("node");
    client
        .arg(&local_script)
        .args([&base, "any-key-on-loopback", &target])
        .current_dir(npm_dir.path())
        .env("HELIX_FETCH_FORCE_HTTP1", "true");
    let out = tokio::task::spawn_blocking(move || client.output())
        .await
        .expect("joined")
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the client failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let counts: serde_json::Value = serde_json::from_str(stdout.trim()).expect("summary line");
    assert!(counts["backlinks"].as_u64() > Some(0), "{counts}");
    assert!(counts["broken"].as_u64() > Some(0), "{counts}");
    println!("{counts}");
}
