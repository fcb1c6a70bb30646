//! `anchorage explain-dr`: which referring domains make a domain's DR, and how much each
//! contributes. The build stores the domain graph (`domain_links.parquet`) and every domain's
//! raw PageRank (`domains.parquet`), so an explanation needs no rebuild.

use super::write_serde;
use crate::error::Result;
use crate::parquet_io;
use crate::snapshot::{DOMAIN_LINKS, DOMAINS, Generation};
use anchorage_rank::{Graph, PageRank, PageRankConfig, explain};
use arrow::array::AsArray;
use arrow::datatypes::{Float64Type, UInt32Type};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

#[derive(Serialize, Deserialize)]
struct DomainLink<'a> {
    source: &'a str,
    target: &'a str,
}

/// Writes the domain graph's edges by name.
pub fn write_domain_links(dir: &Path, names: &[String], edges: &[(u32, u32)]) -> Result<u64> {
    let rows: Vec<DomainLink<'_>> = edges
        .iter()
        .map(|&(s, t)| DomainLink {
            source: &names[s as usize],
            target: &names[t as usize],
        })
        .collect();
    write_serde(&dir.join(DOMAIN_LINKS), &rows)
}

#[derive(Debug, Clone, Serialize)]
pub struct Contribution {
    pub domain: String,
    pub domain_rating: f64,
    /// Share of the explained domain's PageRank, 0–1.
    pub share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DrExplanation {
    pub domain: String,
    pub domain_rating: f64,
    pub ahrefs_rank: u32,
    /// Dofollow referring domains (in-links in the domain graph).
    pub referring_domains: usize,
    /// Share of the score every domain gets whatever links to it (teleport).
    pub base_share: f64,
    /// Share from domains without out-links, whose score is spread over all domains.
    pub dangling_share: f64,
    /// Referring domains, largest share first.
    pub contributions: Vec<Contribution>,
}

struct DomainTable {
    names: Vec<String>,
    dr: Vec<f64>,
    raw: Vec<f64>,
    rank: Vec<u32>,
}

/// A string column as `Utf8`, whichever string type wrote it (serde_arrow writes borrowed
/// strings as `LargeUtf8`).
fn utf8(column: &arrow::array::ArrayRef) -> Result<arrow::array::ArrayRef> {
    Ok(arrow::compute::cast(
        column,
        &arrow::datatypes::DataType::Utf8,
    )?)
}

fn read_domains(path: &Path) -> Result<DomainTable> {
    let mut t = DomainTable {
        names: Vec::new(),
        dr: Vec::new(),
        raw: Vec::new(),
        rank: Vec::new(),
    };
    for batch in parquet_io::read(path)? {
        let col = |n: &str| batch.column_by_name(n).cloned();
        let (Some(names), Some(dr), Some(raw), Some(rank)) = (
            col("domain"),
            col("domain_rating"),
            col("domain_rating_raw"),
            col("ahrefs_rank"),
        ) else {
            return Err(crate::IndexError::Invalid(format!(
                "{}: missing columns",
                path.display()
            )));
        };
        let rank = arrow::compute::cast(&rank, &arrow::datatypes::DataType::UInt32)?;
        let names = utf8(&names)?;
        for i in 0..batch.num_rows() {
            t.names.push(names.as_string::<i32>().value(i).to_string());
            t.dr.push(dr.as_primitive::<Float64Type>().value(i));
            t.raw.push(raw.as_primitive::<Float64Type>().value(i));
            t.rank.push(rank.as_primitive::<UInt32Type>().value(i));
        }
    }
    Ok(t)
}

/// Explains `domain`'s DR in `generation`; `None` when the index does not know the domain.
pub fn explain_dr(generation: &Generation, domain: &str) -> Result<Option<DrExplanation>> {
    let table = read_domains(&generation.table(DOMAINS))?;
    let ids: HashMap<&str, u32> = table
        .names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str(), i as u32))
        .collect();
    let Some(&node) = ids.get(domain) else {
        return Ok(None);
    };
    let mut edges = Vec::new();
    for batch in parquet_io::read(&generation.table(DOMAIN_LINKS))? {
        let (Some(s), Some(t)) = (
            batch.column_by_name("source"),
            batch.column_by_name("target"),
        ) else {
            continue;
        };
        let (s, t) = (utf8(s)?, utf8(t)?);
        let (s, t) = (s.as_string::<i32>(), t.as_string::<i32>());
        for i in 0..batch.num_rows() {
            if let (Some(&a), Some(&b)) = (ids.get(s.value(i)), ids.get(t.value(i))) {
                edges.push((a, b));
            }
        }
    }
    let graph = Graph::from_edges(table.names.len(), edges);
    let pr = PageRank {
        scores: table.raw.clone(),
        iterations: 0,
        delta: 0.0,
        converged: true,
        dangling_mass: 0.0,
    };
    let Some(e) = explain(&graph, &pr, &PageRankConfig::default(), node) else {
        return Ok(None);
    };
    Ok(Some(DrExplanation {
        domain: domain.to_string(),
        domain_rating: table.dr[node as usize],
        ahrefs_rank: table.rank[node as usize],
        referring_domains: e.links.len(),
        base_share: e.teleport,
        dangling_share: e.dangling,
        contributions: e
            .links
            .iter()
            .map(|&(u, share)| Contribution {
                domain: table.names[u as usize].clone(),
                domain_rating: table.dr[u as usize],
                share,
            })
            .collect(),
    }))
}
