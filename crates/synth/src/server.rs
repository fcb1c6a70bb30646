//! The synthetic web served on loopback, so the crawler can fetch it like the real web.
//!
//! One HTTP listener and one HTTPS listener (random ports on 127.0.0.1) answer for every host
//! of the web by the `Host` header: `scheme://host/path?query` is looked up with
//! [`SyntheticWeb::response_for`] (robots.txt, crawlable pages, redirects, errors and
//! robots-disallowed pages alike); anything else is 404. The HTTPS side presents a
//! certificate for every host signed by a throwaway CA made at start ([`SynthServer::ca_pem`]),
//! and speaks HTTP/2 or HTTP/1.1 by ALPN. Requests are counted per URL, so tests can check
//! that a crawler fetched each URL once.

use crate::SyntheticWeb;
use anchorage_acquire::crawl::ResolveRule;
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

/// Headers of a stored response that describe the stored framing, not the one sent now.
const FRAMING: [&str; 3] = ["content-length", "transfer-encoding", "connection"];

/// A running server; stops when dropped.
pub struct SynthServer {
    pub http: SocketAddr,
    pub https: SocketAddr,
    /// The throwaway CA that signed the HTTPS certificate (PEM): trust it to crawl.
    pub ca_pem: String,
    hosts: Vec<String>,
    requests: Arc<Mutex<HashMap<String, u64>>>,
    tasks: Vec<JoinHandle<()>>,
}

#[derive(Clone)]
struct Served {
    web: Arc<SyntheticWeb>,
    scheme: &'static str,
    requests: Arc<Mutex<HashMap<String, u64>>>,
}

impl SynthServer {
    /// Starts both listeners on 127.0.0.1 (inside a tokio runtime).
    pub async fn start(web: Arc<SyntheticWeb>) -> io::Result<SynthServer> {
        let hosts: Vec<String> = web.hosts().iter().map(|h| h.to_string()).collect();
        let (ca_pem, tls) = tls_config(&hosts).map_err(io::Error::other)?;
        let requests: Arc<Mutex<HashMap<String, u64>>> = Arc::default();
        let router = |scheme| {
            Router::new().fallback(answer).with_state(Served {
                web: web.clone(),
                scheme,
                requests: requests.clone(),
            })
        };
        let loopback = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0);
        let http_listener = TcpListener::bind(loopback).await?;
        let https_listener = TcpListener::bind(loopback).await?;
        let (http, https) = (http_listener.local_addr()?, https_listener.local_addr()?);
        let plain = router("http");
        let tasks = vec![
            tokio::spawn(async move {
                let _ = axum::serve(http_listener, plain).await;
            }),
            tokio::spawn(serve_tls(
                https_listener,
                TlsAcceptor::from(tls),
                router("https"),
            )),
        ];
        Ok(SynthServer {
            http,
            https,
            ca_pem,
            hosts,
            requests,
            tasks,
        })
    }

    /// `--resolve`-style rules sending every host of the web to these listeners.
    pub fn resolve_rules(&self) -> Vec<ResolveRule> {
        let mut rules = Vec::new();
        for host in &self.hosts {
            for (scheme, addr) in [("http", self.http), ("https", self.https)] {
                rules.push(ResolveRule {
                    host: host.clone(),
                    ip: addr.ip(),
                    port: Some(addr.port()),
                    scheme: Some(scheme.to_string()),
                });
            }
        }
        rules
    }

    /// Requests so far, per URL (`scheme://host/path?query`).
    pub fn requests(&self) -> HashMap<String, u64> {
        self.requests.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

impl Drop for SynthServer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

async fn answer(State(served): State<Served>, request: Request) -> Response {
    let host = request
        .headers()
        .get("host")
        .and_then(|h| h.to_str().ok())
        .or_else(|| request.uri().host())
        .unwrap_or("")
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let target = request
        .uri()
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/");
    let url = format!("{}://{host}{target}", served.scheme);
    if let Ok(mut counts) = served.requests.lock() {
        *counts.entry(url.clone()).or_default() += 1;
    }
    let head_only = request.method() == axum::http::Method::HEAD;
    match served.web.response_for(&url) {
        Some(r) => {
            let body = if head_only {
                Vec::new()
            } else {
                r.body.clone()
            };
            let mut response = Response::new(Body::from(body));
            *response.status_mut() = StatusCode::from_u16(r.status).unwrap_or(StatusCode::OK);
            for (name, value) in &r.headers {
                if FRAMING.iter().any(|f| name.eq_ignore_ascii_case(f)) {
                    continue;
                }
                if let (Ok(n), Ok(v)) = (
                    HeaderName::from_bytes(name.as_bytes()),
                    HeaderValue::from_str(value),
                ) {
                    response.headers_mut().append(n, v);
                }
            }
            response
        }
        None => {
            let mut response = Response::new(Body::from("not found"));
            *response.status_mut() = StatusCode::NOT_FOUND;
            response
        }
    }
}

async fn serve_tls(listener: TcpListener, acceptor: TlsAcceptor, router: Router) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let (acceptor, router) = (acceptor.clone(), router.clone());
        tokio::spawn(async move {
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            let service = TowerToHyperService::new(router);
            let _ = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(tls), service)
                .await;
        });
    }
}

/// A throwaway CA and a certificate for `hosts` signed by it; the CA's PEM and the server
/// configuration.
fn tls_config(hosts: &[String]) -> Result<(String, Arc<rustls::ServerConfig>), String> {
    let err = |e: rcgen::Error| e.to_string();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(err)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "anchorage synthetic web test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_key = KeyPair::generate().map_err(err)?;
    let ca_cert = ca_params.self_signed(&ca_key).map_err(err)?;
    let issuer = Issuer::new(ca_params, ca_key);
    let mut leaf_params = CertificateParams::new(hosts.to_vec()).map_err(err)?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, "anchorage synthetic web");
    let leaf_key = KeyPair::generate().map_err(err)?;
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).map_err(err)?;
    let chain: Vec<CertificateDer<'static>> = vec![leaf.der().clone(), ca_cert.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| e.to_string())?;
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok((ca_cert.pem(), Arc::new(config)))
}
