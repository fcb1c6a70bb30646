//! Bad BVGraph files give errors, never panics. The broken files are made from cnr-2000.

mod common;

use anchorage_rank::bvgraph::{self, BvGraphError};
use std::fs;
use std::path::{Path, PathBuf};

/// A copy of cnr-2000 in a temporary directory, with `edit` applied to (properties, graph).
fn broken_copy(
    dir: &Path,
    original: &Path,
    edit: impl FnOnce(&mut String, &mut Vec<u8>),
) -> PathBuf {
    let mut properties = fs::read_to_string(original.with_extension("properties")).unwrap();
    let mut graph = fs::read(original.with_extension("graph")).unwrap();
    edit(&mut properties, &mut graph);
    let basename = dir.join("broken");
    fs::write(basename.with_extension("properties"), properties).unwrap();
    fs::write(basename.with_extension("graph"), graph).unwrap();
    basename
}

fn set_property(properties: &mut String, key: &str, value: &str) {
    *properties = properties
        .lines()
        .map(|l| {
            if l.starts_with(&format!("{key}=")) {
                format!("{key}={value}")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
}

#[test]
fn bad_files_are_errors() {
    let Some(original) = common::cnr2000_basename() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();

    let missing = bvgraph::load(dir.path().join("nothing"));
    assert!(
        matches!(missing, Err(BvGraphError::Open { .. })),
        "{missing:?}"
    );

    type Edit = fn(&mut String, &mut Vec<u8>);
    let cases: [(&str, Edit); 8] = [
        ("truncated", |_, g| g.truncate(g.len() / 2)),
        ("empty graph file", |_, g| g.clear()),
        ("garbage", |_, g| {
            let mut x = 0x9e37_79b9_7f4a_7c15u64;
            for b in g.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = x as u8;
            }
        }),
        ("all ones", |_, g| g.iter_mut().for_each(|b| *b = 0xff)),
        ("one arc too many declared", |p, _| {
            set_property(p, "arcs", "3216153")
        }),
        ("fewer nodes declared", |p, _| {
            set_property(p, "nodes", "1000")
        }),
        ("arcs not a number", |p, _| set_property(p, "arcs", "many")),
        // More nodes than the file has bits: refused before anything is allocated for them.
        ("absurd node count", |p, _| {
            set_property(p, "nodes", "4000000000")
        }),
    ];
    for (name, edit) in cases {
        let case_dir = dir.path().join(name.replace(' ', "-"));
        fs::create_dir(&case_dir).unwrap();
        let basename = broken_copy(&case_dir, &original, edit);
        match bvgraph::load(&basename) {
            Err(e) => eprintln!("{name}: {e}"),
            Ok(g) => panic!("{name}: loaded {} nodes, {} edges", g.nodes(), g.edges()),
        }
    }

    // Consistent counts for a prefix of the graph: the degrees pass, but the first link past
    // the prefix is caught as out of range.
    let graph = bvgraph::load(&original).unwrap();
    let prefix = 1000;
    let arcs: usize = (0..prefix).map(|v| graph.out_degree(v)).sum();
    assert!(
        (0..prefix).any(|v| graph.successors(v).iter().any(|&t| t as usize >= prefix)),
        "the prefix links outside itself"
    );
    let case_dir = dir.path().join("prefix");
    fs::create_dir(&case_dir).unwrap();
    let basename = broken_copy(&case_dir, &original, |p, _| {
        set_property(p, "nodes", &prefix.to_string());
        set_property(p, "arcs", &arcs.to_string());
    });
    let prefix_only = bvgraph::load(&basename);
    eprintln!("prefix: {prefix_only:?}");
    assert!(
        matches!(prefix_only, Err(BvGraphError::Corrupt { .. })),
        "{prefix_only:?}"
    );
}
