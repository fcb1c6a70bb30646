//! robots.txt (RFC 9309) with texting_robots, a parser ported from Google's and Moz's test
//! suites: groups by product token (ours is [`ROBOTS_TOKEN`], else `*`), longest match wins,
//! `Allow` beats an equally long `Disallow`, `*` and `$` wildcards, `Crawl-delay`, `Sitemap`.
//!
//! What the status of `/robots.txt` means (per origin, `scheme://host:port`):
//!
//! - 2xx: the rules apply (the first [`crate::crawl::Limits::max_robots_bytes`] are read; an
//!   unparsable file allows everything, as Google does).
//! - 3xx: up to five hops are followed; still a redirect after that: as 4xx.
//! - 4xx other than 429: there are no rules; everything is allowed.
//! - 429, 5xx, or no answer (after the retries): the site is *unreachable*: nothing is
//!   fetched from it; its URLs fail with the robots fetch's error and are retried by a later
//!   `--recrawl`.
//!
//! Answers are cached in the store for `robots_ttl` (default 24 h), an unreachable verdict for
//! at most an hour; `/robots.txt` itself is always allowed.

use super::config::ROBOTS_TOKEN;
use super::stats::ErrorKind;
use anchorage_core::time::Micros;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use texting_robots::Robot;

/// Longest an unreachable verdict is trusted.
const UNREACHABLE_TTL: Micros = 3_600 * 1_000_000;
/// Redirect hops followed to find a robots.txt.
pub(crate) const MAX_ROBOTS_REDIRECTS: u8 = 5;

/// A robots.txt answer as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RobotsRecord {
    /// Final status; 0 when there was no answer.
    pub status: u16,
    pub body: Vec<u8>,
    pub fetched_at: Micros,
    /// The error when there was no answer ([`ErrorKind::as_str`]).
    pub error: Option<String>,
}

/// What the crawler decides with.
#[derive(Debug)]
pub(crate) struct Robots {
    policy: Policy,
    pub crawl_delay: Option<Duration>,
    pub sitemaps: Vec<String>,
    pub expires_at: Micros,
}

#[derive(Debug)]
enum Policy {
    AllowAll,
    Rules(Box<Robot>),
    Unreachable(ErrorKind),
}

/// The answer for one URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Allowed,
    Disallowed,
    /// The site is unreachable: fail the URL with this error.
    Unreachable(ErrorKind),
}

impl Robots {
    pub(crate) fn from_record(record: &RobotsRecord, ttl: Duration) -> Robots {
        let ttl = i64::try_from(ttl.as_micros()).unwrap_or(i64::MAX);
        let mut robots = Robots {
            policy: Policy::AllowAll,
            crawl_delay: None,
            sitemaps: Vec::new(),
            expires_at: record.fetched_at.saturating_add(ttl),
        };
        match record.status {
            200..=299 => robots.parse(&record.body),
            300..=428 | 430..=499 => {}
            _ => {
                let kind = match record.status {
                    0 => record
                        .error
                        .as_deref()
                        .map(kind_from_str)
                        .unwrap_or(ErrorKind::Other),
                    _ => ErrorKind::RobotsUnavailable,
                };
                robots.policy = Policy::Unreachable(kind);
                robots.expires_at = record.fetched_at.saturating_add(ttl.min(UNREACHABLE_TTL));
            }
        }
        robots
    }

    fn parse(&mut self, body: &[u8]) {
        match Robot::new(ROBOTS_TOKEN, body) {
            Ok(robot) => {
                self.crawl_delay = robot
                    .delay
                    .filter(|d| d.is_finite() && *d > 0.0)
                    .map(|d| Duration::from_secs_f32(d.min(86_400.0)));
                self.sitemaps = robot.sitemaps.clone();
                self.policy = Policy::Rules(Box::new(robot));
            }
            Err(e) => tracing::debug!(error = %e, "unparsable robots.txt, everything allowed"),
        }
    }

    pub(crate) fn verdict(&self, path_and_query: &str) -> Verdict {
        match &self.policy {
            Policy::AllowAll => Verdict::Allowed,
            Policy::Unreachable(kind) => Verdict::Unreachable(*kind),
            Policy::Rules(robot) if robot.allowed(path_and_query) => Verdict::Allowed,
            Policy::Rules(_) => Verdict::Disallowed,
        }
    }

    pub(crate) fn expired(&self, now: Micros) -> bool {
        now >= self.expires_at
    }
}

/// The inverse of [`ErrorKind::as_str`] for the kinds a robots fetch can end with.
fn kind_from_str(s: &str) -> ErrorKind {
    ErrorKind::ALL
        .into_iter()
        .find(|k| k.as_str() == s)
        .unwrap_or(ErrorKind::Other)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn robots(status: u16, body: &str) -> Robots {
        let record = RobotsRecord {
            status,
            body: body.as_bytes().to_vec(),
            fetched_at: 1_000,
            error: None,
        };
        Robots::from_record(&record, Duration::from_secs(86_400))
    }

    #[test]
    fn rules_wildcards_delay_and_sitemaps() {
        let r = robots(
            200,
            "User-agent: *\nDisallow: /private\nAllow: /private/ok$\nDisallow: /*.pdf$\n\
             Crawl-delay: 2.5\nSitemap: https://a.test/sitemap.xml\n\n\
             User-agent: OtherBot\nDisallow: /\n",
        );
        assert_eq!(r.verdict("/"), Verdict::Allowed);
        assert_eq!(r.verdict("/private/x"), Verdict::Disallowed);
        assert_eq!(r.verdict("/private/ok"), Verdict::Allowed);
        assert_eq!(r.verdict("/private/ok/more"), Verdict::Disallowed);
        assert_eq!(r.verdict("/doc.pdf"), Verdict::Disallowed);
        assert_eq!(r.verdict("/doc.pdf?x=1"), Verdict::Allowed);
        assert_eq!(r.verdict("/robots.txt"), Verdict::Allowed);
        assert_eq!(r.crawl_delay, Some(Duration::from_millis(2500)));
        assert_eq!(r.sitemaps, vec!["https://a.test/sitemap.xml".to_string()]);
    }

    #[test]
    fn our_group_wins_over_the_star_group() {
        let r = robots(
            200,
            "User-agent: *\nDisallow: /\n\nUser-agent: anchoragebot\nDisallow: /no\n",
        );
        assert_eq!(r.verdict("/yes"), Verdict::Allowed);
        assert_eq!(r.verdict("/no"), Verdict::Disallowed);
    }

    #[test]
    fn statuses() {
        assert_eq!(robots(404, "").verdict("/x"), Verdict::Allowed);
        assert_eq!(robots(301, "").verdict("/x"), Verdict::Allowed);
        assert_eq!(
            robots(503, "").verdict("/x"),
            Verdict::Unreachable(ErrorKind::RobotsUnavailable)
        );
        assert_eq!(
            robots(429, "").verdict("/x"),
            Verdict::Unreachable(ErrorKind::RobotsUnavailable)
        );
        let unreachable = Robots::from_record(
            &RobotsRecord {
                status: 0,
                body: Vec::new(),
                fetched_at: 0,
                error: Some("private_address".into()),
            },
            Duration::from_secs(86_400),
        );
        assert_eq!(
            unreachable.verdict("/"),
            Verdict::Unreachable(ErrorKind::PrivateAddress)
        );
        assert_eq!(unreachable.expires_at, UNREACHABLE_TTL);
        assert!(robots(200, "").expired(86_400 * 1_000_000 + 1_000));
        assert!(!robots(200, "").expired(1_000));
    }

    #[test]
    fn garbage_allows_everything() {
        let r = robots(200, "<html><body>Not a robots file</body></html>\0\u{1}");
        assert_eq!(r.verdict("/anything"), Verdict::Allowed);
    }
}
