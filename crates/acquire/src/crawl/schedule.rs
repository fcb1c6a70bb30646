//! When a known URL is visited again (by a `--recrawl` run).
//!
//! A page answered 2xx is due after `interval × c × o`, where `c` is ¼ when its content
//! changed at this fetch (its payload digest differs from the previous fetch's) and 1
//! otherwise, and `o` is ½ for pages with at least 100 links, ¾ for at least 20, 1 otherwise:
//! pages that change or link a lot are where links appear and disappear. Everything else
//! (other statuses, target checks, sitemaps, robots-disallowed URLs) is due after `interval`;
//! a URL that failed (network error, refused address) after a day, or `interval` if shorter.

use std::time::Duration;

/// What decides a URL's next visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Visit {
    pub is_page: bool,
    pub status: u16,
    pub changed: bool,
    pub links: u64,
}

pub(crate) fn next_visit(interval: Duration, visit: Visit) -> Duration {
    if !visit.is_page || !(200..300).contains(&visit.status) {
        return interval;
    }
    let change = if visit.changed { 0.25 } else { 1.0 };
    let links = match visit.links {
        100.. => 0.5,
        20.. => 0.75,
        _ => 1.0,
    };
    interval.mul_f64(change * links)
}

/// Next try of a URL that failed.
pub(crate) fn retry_failed(interval: Duration) -> Duration {
    interval.min(Duration::from_secs(86_400))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEEK: Duration = Duration::from_secs(7 * 86_400);

    fn visit(status: u16, changed: bool, links: u64) -> Visit {
        Visit {
            is_page: true,
            status,
            changed,
            links,
        }
    }

    #[test]
    fn sooner_for_changes_and_many_links() {
        assert_eq!(next_visit(WEEK, visit(200, false, 3)), WEEK);
        assert_eq!(next_visit(WEEK, visit(200, true, 3)), WEEK / 4);
        assert_eq!(next_visit(WEEK, visit(200, false, 150)), WEEK / 2);
        assert_eq!(next_visit(WEEK, visit(200, true, 20)), WEEK.mul_f64(0.1875));
        assert_eq!(next_visit(WEEK, visit(404, true, 150)), WEEK);
        let check = Visit {
            is_page: false,
            ..visit(200, true, 0)
        };
        assert_eq!(next_visit(WEEK, check), WEEK);
        assert_eq!(retry_failed(WEEK), Duration::from_secs(86_400));
        assert_eq!(
            retry_failed(Duration::from_secs(60)),
            Duration::from_secs(60)
        );
    }
}
