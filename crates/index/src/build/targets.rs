//! What the index knows about linked-to URLs: their latest status and redirect chain, from
//! the fetches of those URLs (crawls, archives, target checks).
//!
//! A target is *broken* when its latest answer, or the end of its redirect chain, is a 4xx or
//! 5xx status. Chains are followed for at most [`MAX_HOPS`] hops; a loop ends the chain.

use super::history::PageHistory;
use anchorage_core::record::LinkElement;
use anchorage_core::time::Micros;
use std::collections::HashMap;

pub const MAX_HOPS: usize = 10;

#[derive(Debug, Clone, Default)]
pub struct TargetStatus {
    pub http_code: u16,
    pub last_visited: Micros,
    pub is_html: bool,
    /// URLs the target redirects through, in order (not including the target itself).
    pub chain: Vec<String>,
    /// The 3xx codes along the chain.
    pub chain_codes: Vec<i64>,
    /// Status at the end of the chain (the target's own when it does not redirect).
    pub final_code: u16,
    pub title: Option<String>,
    pub languages: Vec<String>,
    pub powered_by: Vec<String>,
    /// The URL used to redirect and that redirect is gone.
    pub redirect_lost: bool,
}

impl TargetStatus {
    pub fn is_broken(&self) -> bool {
        self.final_code >= 400
    }
}

struct Hop<'a> {
    code: u16,
    at: Micros,
    is_html: bool,
    location: Option<&'a str>,
    page: &'a PageHistory<'a>,
}

/// Status of every fetched URL, keyed by normalised URL.
pub fn resolve(histories: &[PageHistory<'_>]) -> HashMap<String, TargetStatus> {
    let hops: HashMap<&str, Hop<'_>> = histories
        .iter()
        .map(|h| {
            let location = h
                .links
                .iter()
                .find(|l| l.live && l.link.element == LinkElement::HttpRedirect)
                .map(|l| l.link.url_to.as_str());
            (
                h.url,
                Hop {
                    code: h.latest.http_code,
                    at: h.latest.fetched_at,
                    is_html: h.latest.is_html,
                    location,
                    page: h,
                },
            )
        })
        .collect();
    hops.iter()
        .map(|(url, hop)| (url.to_string(), follow(url, hop, &hops)))
        .collect()
}

fn follow(url: &str, first: &Hop<'_>, hops: &HashMap<&str, Hop<'_>>) -> TargetStatus {
    let content = first.page.content;
    let mut status = TargetStatus {
        http_code: first.code,
        last_visited: first.at,
        is_html: first.is_html,
        final_code: first.code,
        title: content.title.clone(),
        languages: first.page.languages().into_owned(),
        powered_by: content.powered_by.clone(),
        redirect_lost: first
            .page
            .links
            .iter()
            .any(|l| !l.live && l.link.element == LinkElement::HttpRedirect),
        chain: Vec::new(),
        chain_codes: Vec::new(),
    };
    let mut hop = first;
    let mut seen = vec![url];
    while (300..400).contains(&hop.code) {
        let Some(next) = hop.location else { break };
        if seen.contains(&next) || status.chain.len() >= MAX_HOPS {
            break;
        }
        status.chain_codes.push(i64::from(hop.code));
        status.chain.push(next.to_string());
        seen.push(next);
        match hops.get(next) {
            Some(h) => {
                status.final_code = h.code;
                hop = h;
            }
            None => break,
        }
    }
    status
}
