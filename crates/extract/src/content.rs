//! `is_content`: is the link inside the page's main content block?
//!
//! A streaming take on Readability's scoring (and Boilerpipe's link density):
//!
//! 1. Text is cut into *runs* at block boundaries (see [`crate::html`]). A run of at least
//!    25 characters (`MIN_RUN_CHARS`) is a paragraph worth
//!    `(1 + commas + min(chars / 100, 3)) × (1 − link_chars / chars)`: long, comma-rich prose
//!    scores, menus (all link text) score nothing.
//! 2. The paragraph's score goes to its nearest enclosing *container* (`div`, `section`,
//!    `article`, `main`, `td`, `blockquote`, `body`, `form`, `header`, `footer`, `nav`, `aside`,
//!    `figure`, `details`, `fieldset`, `center`, `dialog`; a page without `<body>` has an
//!    implicit root container), and half of it to the next container up.
//! 3. When a container closes, its final score is
//!    `paragraph score × max(0, 1 + bonus / 50) × (1 − link density of everything inside)`,
//!    where the bonus is Readability's by tag (`div` +5, `td`/`blockquote` +3, `form` −3)
//!    plus strong hints: `<article>`/`<main>` +25, `role=main` +25, `itemprop=articleBody`
//!    +50, `<nav>`/`<header>`/`<footer>`/`<aside>` −25, and ±25 for each of `class` and `id`
//!    matching Readability's positive (`article`, `body`, `content`, `entry`, `main`, `page`,
//!    `post`, `text`, `blog`, `story`) or negative (`comment`, `footer`, `sidebar`, `nav`,
//!    `menu`, `related`, `share`, `social`, `widget`, …) patterns. Readability adds the bonus;
//!    here it scales the paragraph score, so a tiny block with a promising class name cannot
//!    outscore the text-rich block (short, link-heavy articles such as small Wikipedia pages
//!    showed the difference). Only containers that received paragraph score compete.
//! 4. The best-scoring container is the main content block; a link is content when it lies
//!    inside that container (in document order, between its start and end tags). Links from
//!    `<head>` and HTTP headers are never content; a page without any qualifying paragraph has
//!    no content links.

use crate::tags::Tag;
use aho_corasick::AhoCorasick;
use std::sync::LazyLock;

/// Shortest run that counts as a paragraph (Readability's threshold).
pub(crate) const MIN_RUN_CHARS: u32 = 25;

/// One open element on the extractor's stack.
#[derive(Debug, Clone)]
pub(crate) struct Frame {
    pub tag: Tag,
    /// Document-order position at the start tag (see [`crate::html`]).
    pub id: u32,
    /// Nearest semantic location, inherited from ancestors.
    pub semantic: Option<&'static str>,
    /// `<template>`: its content is inert.
    pub inert: bool,
    pub container: bool,
    pub bonus: f32,
    pub score: f32,
    /// Characters of text inside, and of link text inside (children added when they close).
    pub text: u32,
    pub link_text: u32,
}

impl Frame {
    pub(crate) fn new(tag: Tag, id: u32, semantic: Option<&'static str>) -> Frame {
        Frame {
            tag,
            id,
            semantic,
            inert: tag == Tag::Template,
            container: tag.is_container(),
            bonus: tag.content_bonus(),
            score: 0.0,
            text: 0,
            link_text: 0,
        }
    }
}

/// A run's statistics.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct RunStats {
    pub chars: u32,
    pub link_chars: u32,
    pub commas: u32,
}

/// Credits a finished run to the two nearest containers.
pub(crate) fn score_run(stack: &mut [Frame], run: RunStats) {
    if run.chars < MIN_RUN_CHARS {
        return;
    }
    let density = run.link_chars.min(run.chars) as f32 / run.chars as f32;
    let score = (1.0 + run.commas as f32 + (run.chars as f32 / 100.0).min(3.0)) * (1.0 - density);
    if score <= 0.0 {
        return;
    }
    let mut share = score;
    for frame in stack.iter_mut().rev().filter(|f| f.container).take(2) {
        frame.score += share;
        share /= 2.0;
    }
}

/// The main content block: the best container seen so far.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Best {
    score: f32,
    start: u32,
    end: u32,
}

impl Best {
    /// Considers a container that just closed at position `end`.
    pub(crate) fn offer(best: &mut Option<Best>, frame: &Frame, end: u32) {
        if !frame.container || frame.score <= 0.0 {
            return;
        }
        let density = if frame.text == 0 {
            0.0
        } else {
            frame.link_text.min(frame.text) as f32 / frame.text as f32
        };
        let score = frame.score * (1.0 + frame.bonus / 50.0).max(0.0) * (1.0 - density);
        if best.is_none_or(|b| score > b.score) {
            *best = Some(Best {
                score,
                start: frame.id,
                end,
            });
        }
    }

    pub(crate) fn contains(&self, pos: u32) -> bool {
        (self.start..=self.end).contains(&pos)
    }
}

/// Readability's negative class/id patterns (boilerplate).
const NEGATIVE: &[&str] = &[
    "comment",
    "com-",
    "contact",
    "foot",
    "masthead",
    "media",
    "meta",
    "outbrain",
    "promo",
    "related",
    "scroll",
    "share",
    "shoutbox",
    "sidebar",
    "skyscraper",
    "sponsor",
    "shopping",
    "tags",
    "tool",
    "widget",
    "banner",
    "combx",
    "hidden",
    "nav",
    "menu",
    "breadcrumb",
    "cookie",
    "social",
    "popup",
    "gdpr",
    "disqus",
    "header",
];
/// Readability's positive class/id patterns (content).
const POSITIVE: &[&str] = &[
    "article", "body", "content", "entry", "hentry", "h-entry", "main", "page", "post", "text",
    "blog", "story",
];

/// Both pattern lists in one case-insensitive automaton (negatives first), matched with
/// overlaps so a value can hit both lists.
static CLASS_MATCHER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(NEGATIVE.iter().chain(POSITIVE))
        .ok()
});

/// Readability's class/id weight for one attribute value: −25 when it matches a negative
/// pattern, +25 when it matches a positive one (both can apply).
pub(crate) fn class_weight(value: &str) -> f32 {
    let Some(matcher) = CLASS_MATCHER.as_ref() else {
        return 0.0;
    };
    if value.is_empty() {
        return 0.0;
    }
    let (mut negative, mut positive) = (false, false);
    for m in matcher.find_overlapping_iter(value) {
        if m.pattern().as_usize() < NEGATIVE.len() {
            negative = true;
        } else {
            positive = true;
        }
        if negative && positive {
            break;
        }
    }
    25.0 * (f32::from(u8::from(positive)) - f32::from(u8::from(negative)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_score_their_two_nearest_containers() {
        let mut stack = vec![
            Frame::new(Tag::Body, 1, None),
            Frame::new(Tag::Div, 2, None),
            Frame::new(Tag::Ul, 3, None),
            Frame::new(Tag::Div, 4, None),
            Frame::new(Tag::P, 5, None),
        ];
        score_run(
            &mut stack,
            RunStats {
                chars: 250,
                link_chars: 0,
                commas: 2,
            },
        );
        assert_eq!(stack[3].score, 5.5);
        assert_eq!(stack[1].score, 2.75);
        assert_eq!(stack[0].score, 0.0);
        score_run(
            &mut stack,
            RunStats {
                chars: 10,
                link_chars: 0,
                commas: 0,
            },
        );
        score_run(
            &mut stack,
            RunStats {
                chars: 100,
                link_chars: 100,
                commas: 0,
            },
        );
        assert_eq!(stack[3].score, 5.5);
    }

    #[test]
    fn link_density_lowers_the_final_score() {
        let mut best = None;
        let mut article = Frame::new(Tag::Div, 10, None);
        article.score = 20.0;
        article.text = 1000;
        article.link_text = 100;
        let mut menu = Frame::new(Tag::Div, 2, None);
        menu.score = 30.0;
        menu.text = 1000;
        menu.link_text = 900;
        Best::offer(&mut best, &menu, 5);
        Best::offer(&mut best, &article, 50);
        let best = best.unwrap();
        assert!(best.contains(10) && best.contains(50) && !best.contains(5));
    }

    #[test]
    fn class_weights() {
        assert_eq!(class_weight("mw-content-ltr mw-parser-output"), 25.0);
        assert_eq!(class_weight("sidebar"), -25.0);
        assert_eq!(class_weight("post-comments"), 0.0);
        assert_eq!(class_weight(""), 0.0);
    }
}
