//! Keys, budgets, rate limits, the response cache and key changes while serving, through the
//! whole application (`app_with_access`) on the synthetic web.

mod support;

use anchorage_api::access::Access;
use anchorage_api::keys::KeyStore;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use std::sync::Arc;
use support::Index;
use tower::ServiceExt;

const URI: &str = "/v3/site-explorer/refdomains?target=example.com&select=domain,dofollow_links";

async fn send(app: &Router, uri: &str, secret: Option<&str>) -> Response<Body> {
    let mut request = Request::get(uri);
    if let Some(secret) = secret {
        request = request.header("Authorization", format!("Bearer {secret}"));
    }
    app.clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("response")
}

fn header(response: &Response<Body>, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string()
}

/// A keyed application over `index`, with one key of `budget` units and `per_minute` requests.
fn keyed_app(index: &Index, budget: Option<u64>, per_minute: u32) -> (Router, Arc<Access>, String) {
    let mut store = KeyStore::default();
    let (secret, _) = store.create("test", budget, per_minute);
    store.save(index.dir.root()).expect("save keys");
    let access = Arc::new(Access::new(index.dir.root().to_path_buf(), store, true));
    let app = anchorage_api::app_with_access(index.dir.clone(), access.clone());
    (app, access, secret)
}

#[tokio::test]
async fn keys_are_required_and_checked() {
    let (index, _) = Index::of_synthetic_web(3);
    let (app, _, secret) = keyed_app(&index, None, 1000);
    assert_eq!(
        send(&app, URI, None).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&app, URI, Some("anc_wrong")).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&app, URI, Some(&secret)).await.status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn identical_requests_are_served_from_the_cache_for_nothing() {
    let (index, _) = Index::of_synthetic_web(3);
    let (app, _, secret) = keyed_app(&index, None, 1000);
    let first = send(&app, URI, Some(&secret)).await;
    assert_eq!(header(&first, "x-api-cache"), "miss");
    assert!(
        header(&first, "x-api-units-cost-total-actual")
            .parse::<u64>()
            .unwrap()
            >= 50
    );
    let again = send(&app, URI, Some(&secret)).await;
    assert_eq!(again.status(), StatusCode::OK);
    assert_eq!(header(&again, "x-api-cache"), "hit");
    assert_eq!(header(&again, "x-api-units-cost-total-actual"), "0");
    let a = axum::body::to_bytes(first.into_body(), usize::MAX)
        .await
        .unwrap();
    let b = axum::body::to_bytes(again.into_body(), usize::MAX)
        .await
        .unwrap();
    assert_eq!(a, b);
}

#[tokio::test]
async fn a_spent_budget_is_403_and_a_rate_limit_429_with_retry_after() {
    let (index, _) = Index::of_synthetic_web(3);
    let (app, _, secret) = keyed_app(&index, Some(50), 1000);
    assert_eq!(
        send(&app, URI, Some(&secret)).await.status(),
        StatusCode::OK
    );
    let spent = send(&app, &format!("{URI}&limit=7"), Some(&secret)).await;
    assert_eq!(spent.status(), StatusCode::FORBIDDEN);

    let (app, _, secret) = keyed_app(&index, None, 2);
    for _ in 0..2 {
        assert_eq!(
            send(&app, URI, Some(&secret)).await.status(),
            StatusCode::OK
        );
    }
    let limited = send(&app, URI, Some(&secret)).await;
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(header(&limited, "retry-after").parse::<u64>().unwrap() >= 1);
}

#[tokio::test]
async fn keys_changed_on_disk_while_serving_take_effect_and_usage_is_kept() {
    let (index, _) = Index::of_synthetic_web(3);
    let (app, access, secret) = keyed_app(&index, None, 1000);
    assert_eq!(
        send(&app, URI, Some(&secret)).await.status(),
        StatusCode::OK
    );
    // `anchorage keys create` and `revoke` while the server runs.
    let mut on_disk = KeyStore::load(index.dir.root()).unwrap();
    let id = on_disk.keys[0].id.clone();
    let (second, _) = on_disk.create("second", None, 1000);
    on_disk.revoke(&id).unwrap();
    on_disk.save(index.dir.root()).unwrap();
    access.flush();
    assert_eq!(
        send(&app, &format!("{URI}&limit=3"), Some(&secret))
            .await
            .status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        send(&app, &format!("{URI}&limit=3"), Some(&second))
            .await
            .status(),
        StatusCode::OK
    );
    access.flush();
    let saved = KeyStore::load(index.dir.root()).unwrap();
    assert!(
        saved
            .keys
            .iter()
            .any(|k| k.id == id && k.revoked && k.units_used >= 50),
        "{saved:?}"
    );
    assert!(
        saved
            .keys
            .iter()
            .any(|k| k.name == "second" && k.units_used >= 50),
        "{saved:?}"
    );
}
