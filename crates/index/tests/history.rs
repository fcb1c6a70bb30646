//! Link history across builds: the synthetic web's scripted changes between epochs must give
//! exactly the expected lost and new links with their reasons, and DR must recover the
//! generator's true popularity.

use anchorage_core::record::LinkElement;
use anchorage_index::DataDir;
use anchorage_index::build::{BuildConfig, BuildReport, build};
use anchorage_index::ingest::{IngestConfig, ingest_files};
use anchorage_index::parquet_io;
use anchorage_index::snapshot::{BACKLINKS, DOMAINS, require_current};
use anchorage_synth::{SynthConfig, SyntheticWeb, generate};
use arrow::array::{Array, AsArray};
use arrow::datatypes::Float64Type;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq)]
struct Row {
    from: String,
    to: String,
    link_type: String,
    is_lost: bool,
    is_new: bool,
    lost_reason: Option<String>,
    discovered: Option<String>,
}

fn rows(dir: &DataDir) -> Vec<Row> {
    let generation = require_current(dir).unwrap();
    let mut out = Vec::new();
    for batch in parquet_io::read(&generation.table(BACKLINKS)).unwrap() {
        let s = |name: &str| {
            batch
                .column_by_name(name)
                .unwrap()
                .as_string::<i32>()
                .clone()
        };
        let b = |name: &str| batch.column_by_name(name).unwrap().as_boolean().clone();
        let (from, to, kind, reason, disc) = (
            s("url_from"),
            s("url_to"),
            s("link_type"),
            s("lost_reason"),
            s("discovered_status"),
        );
        let (lost, new) = (b("is_lost"), b("is_new"));
        for i in 0..batch.num_rows() {
            let opt =
                |a: &arrow::array::StringArray| (!a.is_null(i)).then(|| a.value(i).to_string());
            out.push(Row {
                from: from.value(i).into(),
                to: to.value(i).into(),
                link_type: kind.value(i).into(),
                is_lost: lost.value(i),
                is_new: new.value(i),
                lost_reason: opt(&reason),
                discovered: opt(&disc),
            });
        }
    }
    out
}

fn ingest_epoch(dir: &DataDir, config: &SynthConfig, epoch: u32) -> SyntheticWeb {
    let web = generate(config, epoch);
    ingest_web(dir, &web, &format!("epoch{epoch}"));
    build(dir, &BuildConfig::default()).unwrap();
    web
}

fn ingest_web(dir: &DataDir, web: &SyntheticWeb, name: &str) {
    let warc = dir.root().join(format!("{name}.warc.gz"));
    web.write_warc(&warc).unwrap();
    ingest_files(dir, &[warc], &IngestConfig::default(), &|_| {}).unwrap();
}

type Key = (String, String, String);

fn key(from: &str, to: &str, element: LinkElement) -> Key {
    (
        from.to_string(),
        to.to_string(),
        element.link_type().to_string(),
    )
}

#[test]
fn scripted_changes_give_exactly_the_expected_lost_and_new_links() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = DataDir::open(tmp.path()).unwrap();
    let config = SynthConfig::with_seed(5);
    ingest_epoch(&dir, &config, 0);
    assert!(
        rows(&dir).iter().all(|r| r.is_new && !r.is_lost),
        "the first build: every link is new"
    );

    for epoch in [1, 2] {
        let web = ingest_epoch(&dir, &config, epoch);
        let got = rows(&dir);
        let effects: Vec<_> = web
            .truth
            .changes
            .iter()
            .filter(|c| c.epoch == epoch)
            .flat_map(|c| &c.effects)
            .collect();
        assert!(!effects.is_empty());
        let want_lost: BTreeMap<Key, &str> = effects
            .iter()
            .filter_map(|e| Some((key(&e.from, &e.to, e.element), e.lost_reason?.as_str())))
            .collect();
        let want_new: BTreeMap<Key, &str> = effects
            .iter()
            .filter_map(|e| {
                Some((
                    key(&e.from, &e.to, e.element),
                    e.discovered_status?.as_str(),
                ))
            })
            .collect();
        let got_new: BTreeMap<Key, &str> = got
            .iter()
            .filter(|r| r.is_new)
            .map(|r| {
                (
                    (r.from.clone(), r.to.clone(), r.link_type.clone()),
                    r.discovered.as_deref().unwrap_or("?"),
                )
            })
            .collect();
        assert_eq!(
            got_new, want_new,
            "epoch {epoch}: new links and how they were discovered"
        );
        // Lost now, and lost because of this epoch's changes (earlier losses stay lost).
        let earlier: BTreeSet<Key> = web
            .truth
            .changes
            .iter()
            .filter(|c| c.epoch < epoch)
            .flat_map(|c| &c.effects)
            .filter(|e| e.lost_reason.is_some())
            .map(|e| key(&e.from, &e.to, e.element))
            .collect();
        let got_lost: BTreeMap<Key, &str> = got
            .iter()
            .filter(|r| r.is_lost)
            .map(|r| {
                (
                    (r.from.clone(), r.to.clone(), r.link_type.clone()),
                    r.lost_reason.as_deref().unwrap_or("?"),
                )
            })
            .filter(|(k, _)| !earlier.contains(k) || want_lost.contains_key(k))
            .collect();
        let restored: BTreeSet<&Key> = want_new
            .iter()
            .filter(|(_, d)| **d == "linkrestored")
            .map(|(k, _)| k)
            .collect();
        let got_lost: BTreeMap<Key, &str> = got_lost
            .into_iter()
            .filter(|(k, _)| !restored.contains(k))
            .collect();
        assert_eq!(got_lost, want_lost, "epoch {epoch}: lost links and why");
    }
}

/// Spearman rank correlation (average ranks for ties).
fn spearman(a: &[f64], b: &[f64]) -> f64 {
    fn ranks(v: &[f64]) -> Vec<f64> {
        let mut idx: Vec<usize> = (0..v.len()).collect();
        idx.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
        let mut r = vec![0.0; v.len()];
        let mut i = 0;
        while i < idx.len() {
            let mut j = i;
            while j + 1 < idx.len() && v[idx[j + 1]] == v[idx[i]] {
                j += 1;
            }
            for k in i..=j {
                r[idx[k]] = (i + j) as f64 / 2.0 + 1.0;
            }
            i = j + 1;
        }
        r
    }
    let (ra, rb) = (ranks(a), ranks(b));
    let n = a.len() as f64;
    let mean = (n + 1.0) / 2.0;
    let cov: f64 = ra
        .iter()
        .zip(&rb)
        .map(|(x, y)| (x - mean) * (y - mean))
        .sum();
    let var: f64 = ra.iter().map(|x| (x - mean).powi(2)).sum();
    cov / var
}

#[test]
fn domain_rating_recovers_true_popularity() {
    for seed in [1, 2, 3] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = DataDir::open(tmp.path()).unwrap();
        let web = ingest_epoch(&dir, &SynthConfig::with_seed(seed), 0);
        let generation = require_current(&dir).unwrap();
        let mut dr: BTreeMap<String, f64> = BTreeMap::new();
        for batch in parquet_io::read(&generation.table(DOMAINS)).unwrap() {
            let names = arrow::compute::cast(
                batch.column_by_name("domain").unwrap(),
                &arrow::datatypes::DataType::Utf8,
            )
            .unwrap();
            let names = names.as_string::<i32>();
            let ratings = batch
                .column_by_name("domain_rating")
                .unwrap()
                .as_primitive::<Float64Type>()
                .clone();
            for i in 0..batch.num_rows() {
                dr.insert(names.value(i).to_string(), ratings.value(i));
            }
        }
        let (truth, ours): (Vec<f64>, Vec<f64>) = web
            .sites
            .iter()
            .map(|s| (s.popularity, dr.get(&s.root_domain).copied().unwrap_or(0.0)))
            .unzip();
        let rho = spearman(&truth, &ours);
        println!(
            "seed {seed}: Spearman(DR, true popularity) = {rho:.3} over {} sites",
            truth.len()
        );
        assert!(rho >= 0.9, "seed {seed}: Spearman {rho}");
    }
}

/// Every row of a table file, as one batch.
fn table_rows(path: &std::path::Path) -> arrow::record_batch::RecordBatch {
    let batches = parquet_io::read(path).unwrap();
    arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap()
}

/// Builds the log of `dir` both ways: in `dir` as the default build does (resumed from the
/// current generation's replay checkpoint when the log allows it), and in a copy of `dir` as a
/// full replay. Both must write the same tables, row for row. Returns the first build's report.
fn build_both_ways(dir: &DataDir) -> BuildReport {
    let copy = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(dir.root().join("."))
        .arg(copy.path())
        .status()
        .unwrap();
    assert!(status.success());
    let replayed = DataDir::open(copy.path()).unwrap();
    let (_, report) = build(dir, &BuildConfig::default()).unwrap();
    let full = BuildConfig {
        full: true,
        ..BuildConfig::default()
    };
    let (_, full_report) = build(&replayed, &full).unwrap();
    assert!(!full_report.incremental);
    assert_eq!(
        (report.pages, report.links, report.backlinks, report.fetches),
        (
            full_report.pages,
            full_report.links,
            full_report.backlinks,
            full_report.fetches
        )
    );
    let (mine, theirs) = (
        require_current(dir).unwrap(),
        require_current(&replayed).unwrap(),
    );
    assert_eq!(mine.manifest.tables, theirs.manifest.tables);
    for table in mine.manifest.tables.keys() {
        assert!(
            table_rows(&mine.table(table)) == table_rows(&theirs.table(table)),
            "{table} differs between the incremental and the full build"
        );
    }
    report
}

#[test]
fn incremental_builds_write_what_a_full_replay_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = DataDir::open(tmp.path()).unwrap();
    let config = SynthConfig::with_seed(7);
    ingest_web(&dir, &generate(&config, 0), "epoch0");
    let (_, first) = build(&dir, &BuildConfig::default()).unwrap();
    assert!(!first.incremental, "nothing to resume from");

    // A whole recrawl with every scripted change (links removed, pages noindexed,
    // redirected, gone, failing, canonical moved).
    ingest_web(&dir, &generate(&config, 1), "epoch1");
    let report = build_both_ways(&dir);
    assert!(report.incremental);
    assert_eq!(report.fetches_replayed, report.fetches - first.fetches);

    // A recrawl of the changed pages (the removed link restored) and a third of the others:
    // the rest are resumed untouched.
    let mut web = generate(&config, 2);
    let changed: BTreeSet<String> = web
        .truth
        .changes
        .iter()
        .map(|c| c.page_url.clone())
        .collect();
    let mut n = 0;
    web.responses.retain(|r| {
        n += 1;
        n % 3 == 0 || changed.contains(&r.url)
    });
    let recrawled = web.responses.len() as u64;
    ingest_web(&dir, &web, "epoch2-part");
    let report = build_both_ways(&dir);
    assert!(report.incremental);
    assert!(
        report.fetches_replayed >= recrawled && report.fetches_replayed < report.fetches / 3,
        "{report:?}: {recrawled} pages recrawled"
    );

    // A capture older than the pages' latest fetches, ingested late: only a full replay
    // puts it in its place.
    let mut web = generate(&config, 0);
    web.responses.truncate(web.responses.len() / 4);
    for r in &mut web.responses {
        r.fetched_at -= 3_600_000_000;
    }
    ingest_web(&dir, &web, "late-capture");
    let report = build_both_ways(&dir);
    assert!(!report.incremental, "{report:?}");
}
