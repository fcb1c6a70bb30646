//! Throughput of `extract` with every attribute on, over the HTML responses of the shared
//! test WARCs (or the HTML files under the directories given as arguments).
//!
//! `cargo bench -p anchorage-extract --bench extract [-- DIR...]`
//!
//! Prints pages/s and MB/s per core (CPU time of the measuring thread), and the same for a bare lol_html `a[href]` pass over
//! the same pages (the parser's floor, for comparison).

#[path = "../tests/support/mod.rs"]
mod support;

use anchorage_core::record::FetchRecord;
use anchorage_extract::{ExtractConfig, extract};
use std::path::Path;
use std::time::Instant;

fn main() {
    let dirs: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let pages = if dirs.is_empty() {
        warc_pages()
    } else {
        file_pages(&dirs)
    };
    if pages.is_empty() {
        eprintln!("no pages to measure");
        return;
    }
    let bytes: usize = pages.iter().map(|p| p.body.len()).sum();
    eprintln!("{} pages, {:.1} MB", pages.len(), bytes as f64 / 1e6);
    let config = ExtractConfig::default();
    let rounds = (200_000_000 / bytes.max(1)).clamp(1, 200);
    measure("extract (all attributes)", &pages, bytes, rounds, |p| {
        extract(p, &config).links.len()
    });
    let no_lang = ExtractConfig {
        detect_language: false,
        ..ExtractConfig::default()
    };
    measure("extract, no whatlang", &pages, bytes, rounds, |p| {
        extract(p, &no_lang).links.len()
    });
    if std::env::var_os("EXTRACT_ONLY").is_some() {
        return;
    }
    measure(
        "lol_html a[href] floor",
        &pages,
        bytes,
        rounds,
        bare_lol_html,
    );
    measure(
        "lol_html * + text, no work",
        &pages,
        bytes,
        rounds,
        all_events_lol_html,
    );
}

fn all_events_lol_html(page: &FetchRecord) -> usize {
    use lol_html::{HtmlRewriter, Settings, doc_text, element};
    let mut n = 0;
    let mut t = 0;
    {
        let mut rw = HtmlRewriter::new(
            Settings::new()
                .with_strict(false)
                .append_element_content_handler(element!("*", |el| {
                    n += el.source_location().bytes().len();
                    Ok(())
                }))
                .append_document_content_handler(doc_text!(|c| {
                    t += c.as_str().len();
                    Ok(())
                })),
            |_: &[u8]| {},
        );
        let _ = rw.write(&page.body);
        let _ = rw.end();
    }
    n + t
}

/// Seconds this thread has spent on a CPU (Linux `schedstat`), else wall-clock seconds since
/// `start`: on a shared machine CPU time is what "per core" means.
fn cpu_seconds(start: Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or_else(|| start.elapsed().as_secs_f64(), |ns| ns / 1e9)
}

/// Runs `f` over every page `rounds` times in five trials and reports the best trial by CPU
/// time (the machine is shared; the best trial is the least disturbed one).
fn measure(
    name: &str,
    pages: &[FetchRecord],
    bytes: usize,
    rounds: usize,
    f: impl Fn(&FetchRecord) -> usize,
) {
    let links: usize = pages.iter().map(&f).sum();
    let trial_rounds = rounds.div_ceil(5);
    let mut best = f64::MAX;
    for _ in 0..5 {
        let wall = Instant::now();
        let start = cpu_seconds(wall);
        for _ in 0..trial_rounds {
            for p in pages {
                std::hint::black_box(f(p));
            }
        }
        best = best.min(cpu_seconds(wall) - start);
    }
    let n = (pages.len() * trial_rounds) as f64;
    println!(
        "{name:28} {:>9.0} pages/s {:>7.1} MB/s ({links} links/round)",
        n / best,
        (bytes * trial_rounds) as f64 / 1e6 / best,
    );
}

fn bare_lol_html(page: &FetchRecord) -> usize {
    use lol_html::{HtmlRewriter, Settings, element};
    let mut n = 0;
    {
        let mut rw = HtmlRewriter::new(
            Settings::new()
                .with_strict(false)
                .append_element_content_handler(element!("a[href]", |el| {
                    n += el.get_attribute("href").map_or(0, |h| h.len().min(1));
                    Ok(())
                })),
            |_: &[u8]| {},
        );
        let _ = rw.write(&page.body);
        let _ = rw.end();
    }
    n
}

fn warc_pages() -> Vec<FetchRecord> {
    let Some(testdata) = support::testdata() else {
        return vec![];
    };
    let config = ExtractConfig::default();
    support::warc_files(&testdata)
        .iter()
        .flat_map(|f| support::fetches(f))
        .filter(|f| extract(f, &config).page.is_html)
        .collect()
}

fn file_pages(dirs: &[String]) -> Vec<FetchRecord> {
    let mut out = Vec::new();
    let mut stack: Vec<std::path::PathBuf> =
        dirs.iter().map(|d| Path::new(d).to_path_buf()).collect();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            if let Ok(rd) = std::fs::read_dir(&p) {
                stack.extend(rd.filter_map(|e| e.ok().map(|e| e.path())));
            }
        } else if p.extension().is_some_and(|e| e == "html" || e == "htm") {
            let body = std::fs::read(&p).unwrap_or_default();
            out.push(FetchRecord {
                url: format!("http://docs.example/{}", p.display()),
                status: 200,
                headers: vec![("Content-Type".into(), "text/html".into())],
                body,
                ..FetchRecord::default()
            });
        }
    }
    out
}
