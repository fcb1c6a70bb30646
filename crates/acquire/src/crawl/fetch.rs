//! One HTTP request: reqwest (HTTP/1.1 and HTTP/2 by ALPN, rustls) with redirects *not*
//! followed — each hop is its own request, recorded and queued by the crawler, so politeness,
//! robots.txt and the address checks apply to every hop.
//!
//! Limits, in order: the URL's length; an address written in the URL is checked before
//! anything is sent (names are checked by [`SafeResolver`]); connect timeout; a timeout for
//! the whole exchange; header count (hyper) and bytes; body bytes read off the wire (the
//! stream is dropped at the cap, so an endless body costs the cap); then content decoding
//! (`gzip`, `deflate`, `br`, asked for with `Accept-Encoding`) stops at the decoded-size cap,
//! so a compression bomb costs that cap. A body cut by a cap or by the timeout after the
//! headers arrived is kept with `truncated`.

use super::config::{CrawlConfig, Limits};
use super::error::CrawlError;
use super::safety::{ResolveError, SafeResolver, is_public};
use super::stats::ErrorKind;
use crate::body::decode_body;
use anchorage_core::time::{Micros, now};
use reqwest::header::{ACCEPT, ACCEPT_ENCODING, HeaderMap};
use std::net::IpAddr;
use std::time::Duration;
use thiserror::Error;
use url::{Host, Url};

/// A response, body read and decoded.
#[derive(Debug, Clone)]
pub(crate) struct Fetched {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub truncated: bool,
    pub ip: Option<String>,
    /// When the request started.
    pub fetched_at: Micros,
}

#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[error("{kind}: {message}")]
pub(crate) struct FetchError {
    pub kind: ErrorKind,
    pub message: String,
}

impl FetchError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> FetchError {
        FetchError {
            kind,
            message: message.into(),
        }
    }
}

/// Ports of other protocols (the list browsers refuse, from the WHATWG Fetch standard's
/// "bad ports"): an http(s) URL naming one is never requested, so a page cannot make the
/// crawler talk to a mail or SSH server.
const BLOCKED_PORTS: &[u16] = &[
    0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101,
    102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427,
    465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990,
    993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667,
    6668, 6669, 6679, 6697, 10080,
];

/// GET or HEAD.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Head,
}

/// The HTTP clients (one per scheme, so `--resolve` rules can map each scheme of a host to
/// its own local port) and the limits.
#[derive(Clone)]
pub(crate) struct Fetcher {
    http: reqwest::Client,
    https: reqwest::Client,
    limits: Limits,
    allow_private: bool,
}

impl Fetcher {
    pub(crate) fn new(config: &CrawlConfig) -> Result<Fetcher, CrawlError> {
        install_crypto_provider();
        Ok(Fetcher {
            http: client(config, "http")?,
            https: client(config, "https")?,
            limits: config.limits.clone(),
            allow_private: config.network.allow_private,
        })
    }

    /// Sends one request and reads its answer within the limits. `max_body`: a tighter body
    /// cap for this request (robots.txt, target checks).
    pub(crate) async fn fetch(
        &self,
        url: &str,
        method: Method,
        max_body: Option<usize>,
    ) -> Result<Fetched, FetchError> {
        let parsed = self.check_url(url)?;
        let client = if parsed.scheme() == "https" {
            &self.https
        } else {
            &self.http
        };
        let request = match method {
            Method::Get => client.get(parsed),
            Method::Head => client.head(parsed),
        };
        let fetched_at = now();
        let mut response = request
            .header(ACCEPT_ENCODING, "gzip, deflate, br")
            .header(
                ACCEPT,
                "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            )
            .send()
            .await
            .map_err(|e| FetchError::new(classify(&e), chain(&e)))?;
        let headers = self.headers(response.headers())?;
        let status = response.status().as_u16();
        let ip = response.remote_addr().map(|a| a.ip().to_string());
        let cap = max_body
            .unwrap_or(self.limits.max_body_bytes)
            .min(self.limits.max_body_bytes);
        let (raw, cut) = match method {
            Method::Head => (Vec::new(), false),
            Method::Get => read_body(&mut response, cap).await?,
        };
        drop(response);
        let decoded = decode_body(
            raw,
            &without_chunked(&headers),
            cut,
            self.limits.max_decoded_bytes,
        );
        Ok(Fetched {
            status,
            headers,
            body: decoded.bytes,
            truncated: decoded.truncated,
            ip,
            fetched_at,
        })
    }

    /// The URL as a request target: length, scheme, and an address written in it.
    fn check_url(&self, url: &str) -> Result<Url, FetchError> {
        if url.len() > self.limits.max_url_len {
            return Err(FetchError::new(
                ErrorKind::UrlTooLong,
                format!("{} bytes", url.len()),
            ));
        }
        let parsed =
            Url::parse(url).map_err(|e| FetchError::new(ErrorKind::InvalidUrl, e.to_string()))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(FetchError::new(ErrorKind::InvalidUrl, "not http(s)"));
        }
        let ip: Option<IpAddr> = match parsed.host() {
            Some(Host::Ipv4(v4)) => Some(v4.into()),
            Some(Host::Ipv6(v6)) => Some(v6.into()),
            Some(Host::Domain(_)) => None,
            None => return Err(FetchError::new(ErrorKind::InvalidUrl, "no host")),
        };
        if let Some(port) = parsed.port().filter(|p| BLOCKED_PORTS.contains(p)) {
            return Err(FetchError::new(
                ErrorKind::BlockedPort,
                format!("port {port} belongs to another protocol"),
            ));
        }
        if let Some(ip) = ip.filter(|ip| !self.allow_private && !is_public(*ip)) {
            return Err(FetchError::new(
                ErrorKind::PrivateAddress,
                format!("{ip} is not a public address; see --allow-private"),
            ));
        }
        Ok(parsed)
    }

    /// Headers as (name, value) pairs, within the byte limit.
    fn headers(&self, map: &HeaderMap) -> Result<Vec<(String, String)>, FetchError> {
        let mut bytes = 0;
        let mut out = Vec::with_capacity(map.len());
        for (name, value) in map {
            bytes += name.as_str().len() + value.len() + 4;
            if bytes > self.limits.max_header_bytes || out.len() >= self.limits.max_headers {
                return Err(FetchError::new(
                    ErrorKind::HeadersTooLarge,
                    format!(
                        "over {} bytes or {} headers",
                        self.limits.max_header_bytes, self.limits.max_headers
                    ),
                ));
            }
            out.push((
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            ));
        }
        Ok(out)
    }
}

/// Reads the body up to `cap` bytes; `true` when it was cut (cap, or an error after some
/// bytes arrived).
async fn read_body(
    response: &mut reqwest::Response,
    cap: usize,
) -> Result<(Vec<u8>, bool), FetchError> {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                let room = cap.saturating_sub(body.len());
                if chunk.len() > room {
                    body.extend_from_slice(&chunk[..room]);
                    return Ok((body, true));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok((body, false)),
            Err(e) if !body.is_empty() => {
                tracing::debug!(error = %chain(&e), "body cut short");
                return Ok((body, true));
            }
            Err(e) => {
                let kind = match classify(&e) {
                    ErrorKind::Timeout => ErrorKind::Timeout,
                    _ => ErrorKind::Body,
                };
                return Err(FetchError::new(kind, chain(&e)));
            }
        }
    }
}

/// Headers for decoding: hyper has removed the chunked framing already, so `chunked` must not
/// be undone again (any other transfer coding still must).
fn without_chunked(headers: &[(String, String)]) -> Vec<(String, String)> {
    headers
        .iter()
        .filter_map(|(k, v)| {
            if !k.eq_ignore_ascii_case("transfer-encoding") {
                return Some((k.clone(), v.clone()));
            }
            let rest: Vec<&str> = v
                .split(',')
                .map(str::trim)
                .filter(|c| !c.is_empty() && !c.eq_ignore_ascii_case("chunked"))
                .collect();
            (!rest.is_empty()).then(|| (k.clone(), rest.join(", ")))
        })
        .collect()
}

fn client(config: &CrawlConfig, scheme: &str) -> Result<reqwest::Client, CrawlError> {
    let limits = &config.limits;
    let mut builder = reqwest::Client::builder()
        .user_agent(config.user_agent.as_str())
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(limits.connect_timeout)
        .timeout(limits.timeout)
        .pool_idle_timeout(Duration::from_secs(30))
        .pool_max_idle_per_host(config.politeness.per_host.max(1) as usize)
        .tcp_nodelay(true)
        .http1_max_headers(limits.max_headers)
        .http2_max_header_list_size(u32::try_from(limits.max_header_bytes).unwrap_or(u32::MAX))
        .dns_resolver(SafeResolver::new(&config.network, scheme));
    for pem in &config.network.ca_certs_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| CrawlError::Config(format!("CA certificate: {e}")))?;
        if certs.is_empty() {
            return Err(CrawlError::Config(
                "CA certificate file holds no certificate".into(),
            ));
        }
        builder = builder.tls_certs_merge(certs);
    }
    builder
        .build()
        .map_err(|e| CrawlError::Config(format!("HTTP client: {}", chain(&e))))
}

/// ring is the process's TLS crypto provider (reqwest is built without one).
fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may win the race; either way a provider is installed.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// The kind of a request error, from its chain of causes.
fn classify(error: &reqwest::Error) -> ErrorKind {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(resolve) = e.downcast_ref::<ResolveError>() {
            return match resolve {
                ResolveError::Refused { .. } => ErrorKind::PrivateAddress,
                ResolveError::NotFound { .. } => ErrorKind::Dns,
            };
        }
        if e.downcast_ref::<rustls::Error>().is_some() {
            return ErrorKind::Tls;
        }
        // hyper's `is_parse_too_large` needs its server feature; the message is stable.
        if let Some(h) = e.downcast_ref::<hyper::Error>()
            && h.is_parse()
            && h.to_string().contains("too large")
        {
            return ErrorKind::HeadersTooLarge;
        }
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io
                .get_ref()
                .is_some_and(|inner| inner.is::<rustls::Error>())
        {
            return ErrorKind::Tls;
        }
        source = e.source();
    }
    if error.is_timeout() {
        ErrorKind::Timeout
    } else if error.is_dns() {
        ErrorKind::Dns
    } else if error.is_connect() {
        ErrorKind::Connect
    } else if error.is_body() || error.is_decode() {
        ErrorKind::Body
    } else {
        ErrorKind::Other
    }
}

/// An error and its causes on one line.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(e) = source {
        let more = e.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = e.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_is_not_undone_twice() {
        let h = vec![
            ("transfer-encoding".to_string(), "gzip, chunked".to_string()),
            ("content-type".to_string(), "text/html".to_string()),
        ];
        assert_eq!(
            without_chunked(&h),
            vec![
                ("transfer-encoding".to_string(), "gzip".to_string()),
                ("content-type".to_string(), "text/html".to_string())
            ]
        );
        let h = vec![("Transfer-Encoding".to_string(), "chunked".to_string())];
        assert!(without_chunked(&h).is_empty());
    }

    #[test]
    fn urls_are_checked_before_any_request() {
        let config = CrawlConfig::new("/nonexistent", Vec::new());
        let f = Fetcher::new(&config).unwrap();
        assert_eq!(
            f.check_url("http://10.0.0.1/").unwrap_err().kind,
            ErrorKind::PrivateAddress
        );
        assert_eq!(
            f.check_url("http://[::1]:8080/").unwrap_err().kind,
            ErrorKind::PrivateAddress
        );
        assert_eq!(
            f.check_url(&format!("http://a.test/{}", "x".repeat(3000)))
                .unwrap_err()
                .kind,
            ErrorKind::UrlTooLong
        );
        assert_eq!(
            f.check_url("ftp://a.test/").unwrap_err().kind,
            ErrorKind::InvalidUrl
        );
        assert!(f.check_url("http://8.8.8.8/").is_ok());
        assert_eq!(
            f.check_url("http://a.test:25/").unwrap_err().kind,
            ErrorKind::BlockedPort
        );
        assert!(f.check_url("http://a.test:8080/").is_ok());
    }
}
