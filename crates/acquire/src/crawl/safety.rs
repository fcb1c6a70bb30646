//! Where the crawler may connect: address classification and the DNS resolver every request
//! goes through.
//!
//! An address is *public* when it is globally routable unicast. Refused unless
//! `allow_private`: IPv4 `0.0.0.0/8`, `10/8`, `100.64/10` (carrier-grade NAT), `127/8`,
//! `169.254/16`, `172.16/12`, `192.0.0/24`, `192.0.2/24`, `192.168/16`, `198.18/15`,
//! `198.51.100/24`, `203.0.113/24`, `224/4` (multicast), `240/4` and the broadcast address;
//! IPv6 `::`, `::1`, `fc00::/7`, `fe80::/10`, `fec0::/10`, `ff00::/8`, `2001:db8::/32`, and
//! IPv4-mapped, -compatible or NAT64 (`64:ff9b::/96`) addresses whose IPv4 part is refused.
//!
//! The check runs on the addresses actually connected to: the resolver drops refused
//! answers (so a name with one public and one private address is only reached at the public
//! one), a URL naming an address is checked before any request, and every redirect hop is a
//! new request that goes through both. Names pinned with `--resolve` are used as given: the
//! operator chose their address.

use super::config::{Network, ResolveRule};
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use thiserror::Error;

/// Why the resolver gave no address.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub(crate) enum ResolveError {
    #[error("{host} resolves only to refused addresses ({addrs}); see --allow-private")]
    Refused { host: String, addrs: String },
    #[error("{host}: no address found: {reason}")]
    NotFound { host: String, reason: String },
}

/// Whether `ip` may be fetched without `allow_private`.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    let refused = a == 0
        || a == 10
        || a == 127
        || (a == 100 && (64..128).contains(&b))
        || (a == 169 && b == 254)
        || (a == 172 && (16..32).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 192 && b == 0 && c == 2)
        || (a == 192 && b == 168)
        || (a == 198 && (b == 18 || b == 19))
        || (a == 198 && b == 51 && c == 100)
        || (a == 203 && b == 0 && c == 113)
        || a >= 224;
    !refused
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    let s = ip.segments();
    let refused = ip.is_unspecified()
        || ip.is_loopback()
        || (s[0] & 0xfe00) == 0xfc00
        || (s[0] & 0xffc0) == 0xfe80
        || (s[0] & 0xffc0) == 0xfec0
        || (s[0] & 0xff00) == 0xff00
        || (s[0] == 0x2001 && s[1] == 0x0db8);
    !refused
}

/// The IPv4 address inside an IPv4-mapped (`::ffff:a.b.c.d`), IPv4-compatible (`::a.b.c.d`,
/// but not `::` or `::1`) or NAT64 (`64:ff9b::a.b.c.d`) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = || Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    if s[..5] == [0; 5] && s[5] == 0xffff {
        return Some(tail());
    }
    if s[..6] == [0; 6] && (s[6] != 0 || s[7] > 1) {
        return Some(tail());
    }
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4] {
        return Some(tail());
    }
    None
}

/// The resolver given to the HTTP client of one scheme: pinned names first, then test
/// answers, then the system resolver (getaddrinfo, so `/etc/hosts` counts), refused addresses
/// dropped.
#[derive(Clone)]
pub(crate) struct SafeResolver(Arc<Inner>);

struct Inner {
    pins: HashMap<String, Vec<SocketAddr>>,
    answers: HashMap<String, Vec<IpAddr>>,
    allow_private: bool,
}

impl SafeResolver {
    /// The resolver of the client for `scheme` (`http` or `https`).
    pub(crate) fn new(network: &Network, scheme: &str) -> SafeResolver {
        let mut pins: HashMap<String, Vec<SocketAddr>> = HashMap::new();
        for rule in network.resolve.iter().filter(|r| applies(r, scheme)) {
            // Port 0 tells the client to use the URL's port.
            let addr = SocketAddr::new(rule.ip, rule.port.unwrap_or(0));
            pins.entry(rule.host.clone()).or_default().push(addr);
        }
        let mut answers: HashMap<String, Vec<IpAddr>> = HashMap::new();
        for (host, ip) in &network.dns_answers {
            answers
                .entry(host.to_ascii_lowercase())
                .or_default()
                .push(*ip);
        }
        SafeResolver(Arc::new(Inner {
            pins,
            answers,
            allow_private: network.allow_private,
        }))
    }

    /// The addresses `host` may be reached at.
    pub(crate) async fn lookup(&self, host: &str) -> Result<Vec<SocketAddr>, ResolveError> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        if let Some(pinned) = self.0.pins.get(&host) {
            return Ok(pinned.clone());
        }
        let found: Vec<IpAddr> = match self.0.answers.get(&host) {
            Some(ips) => ips.clone(),
            None => tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|e| ResolveError::NotFound {
                    host: host.clone(),
                    reason: e.to_string(),
                })?
                .map(|a| a.ip())
                .collect(),
        };
        if found.is_empty() {
            return Err(ResolveError::NotFound {
                host,
                reason: "empty answer".into(),
            });
        }
        let kept: Vec<SocketAddr> = found
            .iter()
            .filter(|ip| self.0.allow_private || is_public(**ip))
            .map(|ip| SocketAddr::new(*ip, 0))
            .collect();
        if kept.is_empty() {
            let addrs = found.iter().map(|ip| ip.to_string()).collect::<Vec<_>>();
            return Err(ResolveError::Refused {
                host,
                addrs: addrs.join(", "),
            });
        }
        Ok(kept)
    }
}

fn applies(rule: &ResolveRule, scheme: &str) -> bool {
    rule.scheme
        .as_deref()
        .is_none_or(|s| s.eq_ignore_ascii_case(scheme))
}

impl Resolve for SafeResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let this = self.clone();
        Box::pin(async move {
            let addrs = this.lookup(&host).await?;
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    #[test]
    fn classifies_addresses() {
        for refused in [
            "10.0.0.1",
            "127.0.0.1",
            "127.255.0.3",
            "0.0.0.0",
            "169.254.169.254",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "192.0.2.10",
            "198.18.0.1",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.1.1",
            "64:ff9b::a00:1",
            "::127.0.0.1",
        ] {
            assert!(!public(refused), "{refused} must be refused");
        }
        for ok in [
            "8.8.8.8",
            "1.1.1.1",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
        ] {
            assert!(public(ok), "{ok} must be allowed");
        }
    }

    #[tokio::test]
    async fn resolver_pins_answers_and_refusals() {
        let network = Network {
            resolve: vec![ResolveRule::parse("pinned.test:127.0.0.1").unwrap()],
            dns_answers: vec![
                ("evil.test".into(), "127.0.0.1".parse().unwrap()),
                ("mixed.test".into(), "10.0.0.1".parse().unwrap()),
                ("mixed.test".into(), "8.8.8.8".parse().unwrap()),
            ],
            ..Network::default()
        };
        let r = SafeResolver::new(&network, "http");
        assert_eq!(
            r.lookup("Pinned.Test.").await.unwrap(),
            vec!["127.0.0.1:0".parse().unwrap()]
        );
        assert!(matches!(
            r.lookup("evil.test").await,
            Err(ResolveError::Refused { .. })
        ));
        assert_eq!(
            r.lookup("mixed.test").await.unwrap(),
            vec!["8.8.8.8:0".parse().unwrap()]
        );
        assert!(matches!(
            r.lookup("localhost").await,
            Err(ResolveError::Refused { .. }) | Err(ResolveError::NotFound { .. })
        ));
        let open = SafeResolver::new(
            &Network {
                allow_private: true,
                ..network
            },
            "http",
        );
        assert!(open.lookup("evil.test").await.is_ok());
    }

    #[test]
    fn rules_limited_to_a_scheme() {
        let mut rule = ResolveRule::parse("a.test:127.0.0.1").unwrap();
        rule.scheme = Some("https".into());
        rule.port = Some(8443);
        let network = Network {
            resolve: vec![rule],
            ..Network::default()
        };
        assert!(SafeResolver::new(&network, "http").0.pins.is_empty());
        assert_eq!(
            SafeResolver::new(&network, "https").0.pins["a.test"],
            vec!["127.0.0.1:8443".parse().unwrap()]
        );
    }
}
