//! `anchorage_extract::extract` over arbitrary body bytes under fuzzer-chosen response
//! headers (Content-Type variants, charsets, redirects, `Link:`, robots, languages) and
//! limits. The byte layout is in `src/lib.rs`.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (fetch, config) = anchorage_fuzz::extract_input(data);
    let x = anchorage_extract::extract(&fetch, &config);
    // The cheapest invariants of the crate docs, so a wrong answer fails like a panic.
    assert_eq!(x.page.page_size, fetch.body.len() as u64);
    assert!(x.links.len() <= config.max_links);
    for (i, link) in x.links.iter().enumerate() {
        assert_eq!(link.ordinal as usize, i);
        assert!(link.url_to.starts_with("http://") || link.url_to.starts_with("https://"));
    }
});
