//! Reading LAW/WebGraph BVGraph files into a [`Graph`] (cargo feature `bvgraph`).
//!
//! The graph is decoded once, sequentially, with the `webgraph` crate; only `BASENAME.graph`
//! and `BASENAME.properties` are needed (no `.offsets`/`.ef`: random access is not used).
//! Big-endian files, as written by the Java WebGraph and published by LAW.
//!
//! The decoded graph is kept exactly as stored — self-loops included (BVGraph successor lists
//! never repeat a target) — so that PageRank over it is comparable with other tools run on
//! the same file.
//!
//! A feature rather than a plain dependency because webgraph brings 116 crates (zstd-sys,
//! sysinfo, mmap-rs, sux, …) that the index build does not need; it is compiled for this
//! crate's tests and benchmarks and for whoever enables it. Measured (clean release build of
//! anchorage-rank, 2 cores shared with other builds): 27 s wall / 18 CPU-s without the
//! feature, 246 s wall / 198 CPU-s with it; the largest unit is zstd-sys's C build, which the
//! workspace already compiles for parquet.
//!
//! Bad files give a [`BvGraphError`], not a panic: webgraph's decoder trusts its input
//! (it unwraps read errors), so the decoding runs under `catch_unwind`; before it, a pass
//! over the outdegrees alone checks them against the node and arc counts in the properties,
//! so that a corrupt degree cannot make the decoder reserve an absurd amount of memory. What
//! remains unguarded is a crafted file whose degrees are consistent but whose intervals are
//! not: webgraph may then allocate without bound (an abort, not a panic) — the price of
//! reusing its decoder instead of writing our own. A caught panic still prints the standard
//! "thread … panicked" line on stderr before the error is returned.

use crate::{Graph, GraphError};
use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use webgraph::graphs::bvgraph::{BvGraphSeq, LoadMem};
use webgraph::traits::SequentialLabeling;

/// Why a BVGraph could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BvGraphError {
    #[error("cannot open BVGraph {basename}: {source}")]
    Open {
        basename: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error(
        "BVGraph {basename} declares {nodes} nodes and {arcs} arcs: impossible counts (at most \
         8 nodes per byte of .graph, nodes² arcs, 2³² nodes)"
    )]
    Counts {
        basename: PathBuf,
        nodes: usize,
        arcs: u64,
    },
    #[error("BVGraph {basename} is corrupt at node {node}: {reason}")]
    Corrupt {
        basename: PathBuf,
        node: usize,
        reason: String,
    },
    #[error("BVGraph {basename}: {source}")]
    Graph {
        basename: PathBuf,
        #[source]
        source: GraphError,
    },
}

/// Loads the BVGraph at `basename` (the path without `.graph`/`.properties`) as a [`Graph`].
pub fn load(basename: impl AsRef<Path>) -> Result<Graph, BvGraphError> {
    let basename = basename.as_ref();
    let corrupt = |node: usize, reason: String| BvGraphError::Corrupt {
        basename: basename.to_owned(),
        node,
        reason,
    };
    let open_error = |source: Box<dyn std::error::Error + Send + Sync>| BvGraphError::Open {
        basename: basename.to_owned(),
        source,
    };
    // webgraph's loader unwraps on an empty graph file; say so without a panic message.
    let graph_file = basename.with_extension("graph");
    let graph_bytes = std::fs::metadata(&graph_file)
        .map_err(|e| open_error(format!("{}: {e}", graph_file.display()).into()))?
        .len();
    if graph_bytes == 0 {
        return Err(open_error(
            format!("{} is empty", graph_file.display()).into(),
        ));
    }
    // LoadMem copies the file into memory: a memory map would turn a file truncated while we
    // read it into SIGBUS, which no error handling can catch.
    let bv = guarded(|| BvGraphSeq::with_basename(basename).mode::<LoadMem>().load())
        .map_err(|panic| open_error(panic.into()))?
        .map_err(|e| open_error(e.into()))?;
    let nodes = bv.num_nodes();
    // webgraph requires `arcs` in the properties, so this is always known.
    let arcs = bv
        .get_num_arcs()
        .ok_or_else(|| open_error("no arc count".into()))?;
    let counts_error = || BvGraphError::Counts {
        basename: basename.to_owned(),
        nodes,
        arcs,
    };
    // Node ids are u32 in Graph; every outdegree code takes at least one bit, so a file has
    // at most 8 nodes per byte (this bounds the offsets allocated below by the file size);
    // a graph without repeated arcs has at most nodes² arcs.
    if nodes > u32::MAX as usize + 1
        || nodes as u64 > graph_bytes.saturating_mul(8)
        || u128::from(arcs) > (nodes as u128) * (nodes as u128)
    {
        return Err(counts_error());
    }
    let arcs = usize::try_from(arcs).map_err(|_| counts_error())?;

    // Pass 1: outdegrees only, checked before any list is materialised.
    let mut offsets = Vec::with_capacity(nodes + 1);
    offsets.push(0usize);
    // The node being decoded, kept outside the closures so that a panic can name it.
    let mut at = 0usize;
    let degrees = guarded(|| {
        let mut it = bv.offset_deg_iter();
        let mut total = 0usize;
        for node in 0..nodes {
            at = node;
            let degree = it
                .next_degree()
                .map_err(|e| corrupt(node, format!("outdegree: {e}")))?;
            if degree > nodes {
                return Err(corrupt(node, format!("outdegree {degree} > {nodes} nodes")));
            }
            total += degree;
            if total > arcs {
                return Err(corrupt(node, format!("more than the {arcs} declared arcs")));
            }
            offsets.push(total);
        }
        if total != arcs {
            return Err(corrupt(nodes, format!("{total} arcs, {arcs} declared")));
        }
        Ok(())
    });
    degrees.map_err(|panic| corrupt(at, panic))??;

    // Pass 2: the successor lists, which must match the degrees of pass 1.
    let mut targets: Vec<u32> = Vec::with_capacity(arcs);
    let decoded = guarded(|| {
        let mut it = bv.iter();
        for node in 0..nodes {
            at = node;
            let succ = it
                .next_successors()
                .map_err(|e| corrupt(node, format!("successors: {e}")))?;
            if succ.len() != offsets[node + 1] - offsets[node] {
                return Err(corrupt(
                    node,
                    "successor count differs from outdegree".into(),
                ));
            }
            // Strictly increasing and in range: what the format guarantees for a sound file.
            let mut prev: Option<usize> = None;
            for &t in succ {
                if t >= nodes || prev.is_some_and(|p| p >= t) {
                    return Err(corrupt(
                        node,
                        format!("successor {t} out of order or range"),
                    ));
                }
                prev = Some(t);
                targets.push(t as u32);
            }
        }
        Ok(())
    });
    decoded.map_err(|panic| corrupt(at, panic))??;

    Graph::from_csr(offsets, targets).map_err(|source| BvGraphError::Graph {
        basename: basename.to_owned(),
        source,
    })
}

/// Runs `f`, turning a panic inside webgraph into its message.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    // AssertUnwindSafe: on a panic every partially built value is dropped and an error
    // returned, so no broken state is observed afterwards.
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        format!(
            "decoder panicked ({}): the file is truncated or not a BVGraph",
            panic_message(&*payload)
        )
    })
}

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message")
}
