//! A page whose own text names no language takes its site's.
//!
//! Extraction gives a page the languages it declares and the one whatlang detects reliably
//! from its visible text. Tables of contents, indexes and author lists are mostly names and
//! numbers: nothing is declared and the detector, asked anyway, guesses (it calls PostgreSQL's
//! English "Chapter 67. B-Tree Indexes" French). Such a page is written in the language of the
//! pages around it, so the build fills it from its host. Rule (README, "Page languages"): among
//! the host's HTML pages that have a language, count each page's first one; when one language
//! is first on at least [`MIN_PAGES`] pages and on more than half of them, the host's pages
//! without a language get it. Otherwise they stay without one: a mixed site proves nothing.

use super::history::PageHistory;
use anchorage_core::urls::host_of;
use std::collections::HashMap;

/// Fewer pages with a language than this do not make a site's language.
pub const MIN_PAGES: usize = 3;

/// Sets [`PageHistory::site_language`] on each HTML page without a language of its own.
pub fn apply(histories: &mut [PageHistory<'_>]) {
    let languages = site_languages(histories);
    for page in histories.iter_mut() {
        if page.content.is_html && page.content.languages.is_empty() {
            page.site_language = languages.get(host_of(page.url)).copied();
        }
    }
}

/// Each host's language, where its pages agree on one.
fn site_languages<'a>(histories: &[PageHistory<'a>]) -> HashMap<&'a str, &'a str> {
    let mut counts: HashMap<&'a str, HashMap<&'a str, usize>> = HashMap::new();
    for page in histories.iter().filter(|p| p.content.is_html) {
        if let Some(first) = page.content.languages.first() {
            *counts
                .entry(host_of(page.url))
                .or_default()
                .entry(first.as_str())
                .or_insert(0) += 1;
        }
    }
    counts
        .into_iter()
        .filter_map(|(host, by_language)| {
            let total: usize = by_language.values().sum();
            let (language, pages) = by_language
                .into_iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(a.0)))?;
            (pages >= MIN_PAGES && pages * 2 > total).then_some((host, language))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::history::replay;
    use anchorage_core::record::{LinkRecord, PageRecord};

    fn page(id: u64, url: &str, languages: &[&str]) -> PageRecord {
        PageRecord {
            fetch_id: id,
            url: url.into(),
            http_code: 200,
            is_html: true,
            languages: languages.iter().map(|l| l.to_string()).collect(),
            ..Default::default()
        }
    }

    fn site_language_of(records: &[PageRecord], url: &str) -> Option<String> {
        let no_links = |_: u64| -> &[LinkRecord] { &[] };
        let mut histories: Vec<_> = records
            .iter()
            .filter_map(|r| replay(&[r], &no_links))
            .collect();
        apply(&mut histories);
        let page = histories.iter().find(|h| h.url == url).unwrap();
        page.languages().next().map(str::to_string)
    }

    #[test]
    fn pages_without_a_language_take_their_sites_when_the_site_agrees() {
        let records = vec![
            page(1, "https://docs.example/a", &["en"]),
            page(2, "https://docs.example/b", &["en", "fr"]),
            page(3, "https://docs.example/c", &["en"]),
            page(4, "https://docs.example/d", &["de"]),
            page(5, "https://docs.example/toc", &[]),
            page(6, "https://mixed.example/a", &["en"]),
            page(7, "https://mixed.example/b", &["de"]),
            page(8, "https://mixed.example/c", &["fr"]),
            page(9, "https://mixed.example/d", &["en"]),
            page(10, "https://mixed.example/toc", &[]),
            page(11, "https://small.example/a", &["en"]),
            page(12, "https://small.example/toc", &[]),
        ];
        assert_eq!(
            site_language_of(&records, "https://docs.example/toc").as_deref(),
            Some("en")
        );
        // Its own languages stay as they are.
        assert_eq!(
            site_language_of(&records, "https://docs.example/d").as_deref(),
            Some("de")
        );
        // Two of four pages is not more than half; one page is not a site.
        assert_eq!(
            site_language_of(&records, "https://mixed.example/toc"),
            None
        );
        assert_eq!(
            site_language_of(&records, "https://small.example/toc"),
            None
        );
    }
}
