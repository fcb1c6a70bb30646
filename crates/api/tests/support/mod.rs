//! Shared helpers of the API integration tests: an index built in a temporary directory and
//! requests sent to the app in-process.
#![allow(dead_code)]

use anchorage_index::DataDir;
use anchorage_index::build::BuildConfig;
use anchorage_index::ingest::{IngestConfig, ingest_files};
use anchorage_query::preaggregate::build;
use anchorage_synth::{SynthConfig, SyntheticWeb, generate};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use std::path::PathBuf;
use tower::ServiceExt;

pub struct Index {
    _tmp: tempfile::TempDir,
    pub dir: DataDir,
    pub files: Vec<PathBuf>,
}

impl Index {
    /// An empty index.
    pub fn empty() -> Index {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = DataDir::open(tmp.path()).expect("data dir");
        Index {
            _tmp: tmp,
            dir,
            files: Vec::new(),
        }
    }

    /// The synthetic web of `seed`, written as WARC, ingested and built.
    pub fn of_synthetic_web(seed: u64) -> (Index, SyntheticWeb) {
        Index::of_synthetic_web_at(seed, 0)
    }

    /// The synthetic web of `seed` as it is at `epoch`, ingested alone and built.
    pub fn of_synthetic_web_at(seed: u64, epoch: u32) -> (Index, SyntheticWeb) {
        let web = generate(&SynthConfig::with_seed(seed), epoch);
        let mut index = Index::empty();
        let warc = index.dir.root().join("synthetic.warc.gz");
        web.write_warc(&warc).expect("warc");
        index.files = vec![warc];
        index.ingest_again(false);
        index.rebuild();
        (index, web)
    }

    /// The synthetic web of `seed` at epochs 0 and 1, each ingested and built in turn: links
    /// lost and found between them. Returns both webs.
    pub fn of_two_epochs(seed: u64) -> (Index, SyntheticWeb, SyntheticWeb) {
        let config = SynthConfig::with_seed(seed);
        let mut index = Index::empty();
        let mut webs = Vec::new();
        for epoch in [0, 1] {
            let web = generate(&config, epoch);
            let warc = index.dir.root().join(format!("epoch{epoch}.warc.gz"));
            web.write_warc(&warc).expect("warc");
            index.files = vec![warc];
            index.ingest_again(false);
            index.rebuild();
            webs.push(web);
        }
        let second = webs.pop().expect("epoch 1");
        let first = webs.pop().expect("epoch 0");
        (index, first, second)
    }

    /// Every WARC of `../shared/testdata/warc/`, ingested and built (`None`: data absent).
    pub fn of_shared_warcs() -> Option<Index> {
        let root = anchorage_core::testing::shared_testdata()?;
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("warc"))
            .expect("warc dir")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        let mut index = Index::empty();
        index.files = files;
        index.ingest_again(false);
        index.rebuild();
        Some(index)
    }

    pub fn ingest_again(&self, force: bool) {
        let config = IngestConfig {
            force,
            ..IngestConfig::default()
        };
        ingest_files(&self.dir, &self.files, &config, &|_| {}).expect("ingest");
    }

    pub fn rebuild(&self) {
        build(&self.dir, &BuildConfig::default()).expect("build");
    }

    pub fn backlink_rows(&self) -> u64 {
        let generation = anchorage_index::snapshot::require_current(&self.dir).expect("generation");
        generation.manifest.tables["backlinks.parquet"]
    }

    pub fn app(&self) -> Router {
        anchorage_api::app(self.dir.clone())
    }
}

/// GET `uri`; the status and the JSON body.
pub async fn get(app: &Router, uri: &str) -> (StatusCode, serde_json::Value) {
    let response = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, json)
}

/// GET `uri`; the status and the body as text.
pub async fn get_text(app: &Router, uri: &str) -> (StatusCode, String) {
    let response = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    (status, String::from_utf8_lossy(&bytes).into_owned())
}

/// Serves `app` on a free loopback port for the rest of the test; its base URL.
pub async fn serve_on_loopback(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a loopback port");
    let addr = listener.local_addr().expect("its address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// POST `body` to `uri` with an optional `Authorization` header; the status, the
/// `WWW-Authenticate` header and the JSON body.
pub async fn post(
    app: &Router,
    uri: &str,
    body: &str,
    authorization: Option<&str>,
) -> (StatusCode, Option<String>, serde_json::Value) {
    let mut request = Request::post(uri).header("content-type", "application/json");
    if let Some(a) = authorization {
        request = request.header("authorization", a);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body.to_string())).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    let json = serde_json::from_slice(&bytes)
        .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, challenge, json)
}
