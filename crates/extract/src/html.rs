//! The single streaming pass over the HTML: lol_html tokenizes, `Scanner` keeps the state.
//!
//! lol_html calls us for every start tag (`*` selector), for every text chunk, and — through a
//! handler registered on the start tag — for the end tags of the elements we track. Tag names
//! and attributes are read from the source bytes (`attrs.rs`).
//!
//! **Element stack.** Block-level elements are kept on a stack under an implicit root (so a
//! page without `<body>` still has a container): `address`, `article`, `aside`, `blockquote`,
//! `body`, `caption`, `center`, `dd`, `details`, `dialog`, `div`, `dl`, `dt`, `fieldset`,
//! `figcaption`, `figure`, `footer`, `form`, `h1`–`h6`, `header`, `hgroup`, `html`, `legend`,
//! `li`, `main`, `menu`, `nav`, `ol`, `p`, `pre`, `section`, `select`, `summary`, `table` and
//! its parts, `template` (tracked for inertness only: it does not cut text runs), `ul`. Since
//! lol_html does not report implicitly closed elements, HTML's common implied closes are
//! applied on start tags: a block start closes an open `<p>`; `<li>` closes an open `<li>`;
//! `<dt>`/`<dd>` close an open `<dt>`/`<dd>`; a heading closes a heading; `<tr>`,
//! `<td>`/`<th>` and `<tbody>`/`<thead>`/`<tfoot>` close the open row, cell or section of
//! their table. An end tag closes its element and everything opened inside it. Deeper than
//! `max_depth`, elements are not tracked (treated as inline).
//!
//! **Visible text** is `Data` text outside `<template>`. The text of `<script>`, `<style>`,
//! `<noscript>`, `<iframe>`, `<noembed>`, `<noframes>`, `<xmp>` and `<textarea>` is raw text
//! to the tokenizer and never becomes anchor or snippet text; so is `<template>` content
//! (inert: no links are taken from it either). `<noscript>` is parsed as a scripting browser
//! parses it, as raw text: links written inside it are not extracted.
//!
//! **Anchors.** `<a href>` opens a link that lasts until `</a>`, the next `<a>`, the end tag
//! of an element that contained it, the implied close of the table cell, row or section that
//! contained it, or the end of the document. Block elements inside an anchor do not end it
//! (the HTML tree builder would split such a link into several copies holding one piece of
//! text each; one link with the whole text is what the author wrote).
//! The anchor text is the visible text inside, entities decoded, whitespace collapsed (block
//! boundaries and `<br>` inside count as a space), capped at `max_anchor_chars`. An `<a>`
//! wrapping an `<img>` is an `Image` link: `alt` is the first image's alt (cleaned, capped
//! likewise; `None` without an alt attribute) and `image_url` its resolved `src` (or
//! `data-src` when `src` is missing or a `data:` URI). `<area href>` is an `Anchor` whose
//! anchor text is its `alt`.
//!
//! **Snippets.** Text is cut into *runs* at block boundaries (start or end of a block element,
//! `<hr>`, `<option>`); inline tags and `<br>` do not cut a run. `snippet_left` is the end of
//! the run before the link's start tag and `snippet_right` the start of the run after its end,
//! each at most `snippet_chars` (100) characters, cut at a word boundary (a word cut by the
//! limit is dropped, unless it is the only word), entities decoded, whitespace collapsed.
//! Text of other links in the same run is part of the snippet. Only `Anchor` and `Image`
//! links have anchors and snippets.
//!
//! **Semantic location**: the nearest enclosing `article`, `aside`, `details`, `footer`,
//! `header`, `main`, `nav`, `section` or `summary`, or an element with the ARIA role
//! `article`, `banner` (header), `complementary` (aside), `contentinfo` (footer), `main` or
//! `navigation` (nav); `None` outside all of them and for head/HTTP links.
//!
//! **Other links**: `<link rel=canonical>` (Canonical), `<link rel=alternate>` (Alternate, or
//! Rss when `type` is `application/rss+xml` or `application/atom+xml`; alternate style sheets
//! are skipped), `<iframe src>`/`<frame src>` (Frame), `<form action>` (Form; a form without
//! an action submits to the page itself and is no link), `<meta http-equiv=refresh
//! content="N; url=…">` (MetaRefresh, `redirect_code` 0). `<base href>`: the first one is the
//! base of every document URL.
//!
//! **Positions.** A counter advances at every tracked start and end tag; a link records the
//! counter when it starts, an element its value at start and end, so "link inside element" is
//! an interval test (used for `is_content`, see [`crate::content`]).
//!
//! **Caps**: at most `max_links` links are recorded (later ones are not); runs keep their last
//! 512 bytes once they pass 8 KiB (snippets need only 100 characters); the title keeps
//! 1,024 characters; JSON-LD blocks are read up to 512 KiB per page.

use crate::ExtractConfig;
use crate::attrs::{self, Attrs};
use crate::content::{self, Best, Frame, RunStats};
use crate::error::ExtractError;
use crate::links::{self, RawLink};
use crate::meta::{MAX_TITLE_CHARS, PageMeta};
use crate::powered_by::PoweredBy;
use crate::tags::Tag;
use crate::text::{self, Collapser};
use anchorage_core::record::LinkElement;
use lol_html::html_content::{Element, TextType};
use lol_html::{HtmlRewriter, MemorySettings, Settings, doc_text, element, end_tag};
use std::cell::RefCell;
use std::rc::Rc;

/// A run is trimmed once it passes this many bytes...
const RUN_TRIM_BYTES: usize = 8 * 1024;
/// ...down to its last this many bytes (≥ 100 characters of 4 bytes, plus slack).
const RUN_KEEP_BYTES: usize = 512;
/// Raw title bytes read (the cleaned title is capped in characters afterwards).
const MAX_TITLE_RAW_BYTES: usize = 16 * 1024;
/// A run this long is paragraph-like enough to feed the language sample first.
const LANG_RUN_CHARS: u32 = 40;

/// What a start tag asks to be told about its end tag.
#[derive(Debug, Clone, Copy)]
enum EndHook {
    Frame(u32),
    Anchor(u32),
}

/// What the RCDATA text currently read belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rcdata {
    Title,
    Other,
}

/// The link an open `<a>` is building.
#[derive(Debug)]
struct OpenAnchor {
    serial: u32,
    /// Index into `links`, or `None` when the href is not kept (its text still counts as link
    /// text for link density).
    link: Option<usize>,
    /// Stack length when it opened: the elements that contain it.
    depth: usize,
    text: Collapser,
    has_image: bool,
}

/// The inline text run being read.
#[derive(Debug, Default)]
struct Run {
    text: String,
    space: bool,
    stats: RunStats,
}

/// What the pass found, handed to [`crate::extract`].
#[derive(Debug, Default)]
pub(crate) struct ScanOutput {
    pub links: Vec<RawLink>,
    pub meta: PageMeta,
    pub powered: PoweredBy,
    pub title: Option<String>,
    pub base_href: Option<String>,
    pub html_lang: Option<String>,
    pub lang_sample: String,
    pub best: Option<Best>,
    pub links_capped: bool,
    pub parse_error: Option<String>,
}

/// Limits copied from the configuration.
#[derive(Debug, Clone, Copy)]
struct Limits {
    max_links: usize,
    max_anchor_chars: usize,
    snippet_chars: usize,
    max_depth: usize,
    lang_sample_bytes: usize,
}

/// The state of the pass.
#[derive(Debug)]
pub(crate) struct Scanner {
    limits: Limits,
    stack: Vec<Frame>,
    pos: u32,
    inert: u32,
    run: Run,
    carry: String,
    anchor: Option<OpenAnchor>,
    anchor_serial: u32,
    /// Links waiting for their right snippet: (link index, byte offset in the run).
    right_pending: Vec<(usize, usize)>,
    rcdata: Rcdata,
    title_done: bool,
    title_raw: String,
    jsonld_open: bool,
    jsonld_buf: String,
    jsonld_overflow: bool,
    lang_fallback: String,
    out: ScanOutput,
}

/// Runs the pass over a decoded document.
pub(crate) fn scan(html: &str, config: &ExtractConfig) -> ScanOutput {
    let scanner = Rc::new(RefCell::new(Scanner::new(config)));
    // lol_html is trusted not to panic, but "any bytes in, a page out" is a promise: a panic
    // in the parser loses this page's HTML facts, not the whole ingest.
    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_rewriter(html, &scanner, config)
    }));
    let error = match run {
        Ok(Ok(())) => None,
        Ok(Err(e)) => Some(e),
        Err(_) => {
            // Loud in tests and debug builds, where a panic is a bug to fix.
            debug_assert!(false, "the HTML pass panicked");
            Some(ExtractError::Panic)
        }
    };
    let mut scanner = match Rc::try_unwrap(scanner) {
        Ok(cell) => cell.into_inner(),
        // Pending end-tag handlers were dropped with the rewriter, so this is unreachable;
        // take the state out rather than lose it.
        Err(shared) => shared.replace(Scanner::new(config)),
    };
    if let Some(e) = error {
        tracing::debug!(error = %e, "HTML pass stopped early; keeping what was extracted");
        scanner.out.parse_error = Some(e.to_string());
    }
    scanner.finish()
}

fn run_rewriter(
    html: &str,
    scanner: &Rc<RefCell<Scanner>>,
    config: &ExtractConfig,
) -> Result<(), ExtractError> {
    let on_element = scanner.clone();
    let on_text = scanner.clone();
    let settings = Settings::new()
        .with_strict(false)
        .with_memory_settings(
            MemorySettings::new().with_max_allowed_memory_usage(config.max_parser_memory),
        )
        .append_element_content_handler(element!("*", move |el| {
            start_tag(&on_element, html, el);
            Ok(())
        }))
        .append_document_content_handler(doc_text!(move |t| {
            on_text
                .borrow_mut()
                .text(t.as_str(), t.text_type(), t.last_in_text_node());
            Ok(())
        }));
    let mut rewriter = HtmlRewriter::new(settings, |_: &[u8]| {});
    rewriter.write(html.as_bytes())?;
    rewriter.end()?;
    Ok(())
}

fn start_tag(scanner: &Rc<RefCell<Scanner>>, html: &str, el: &mut Element<'_, '_>) {
    let Some(raw) = html.get(el.source_location().bytes()) else {
        return;
    };
    let tag = Tag::from_start_tag(raw.as_bytes());
    if tag == Tag::Other {
        return;
    }
    let hook = scanner.borrow_mut().start(tag, raw, el.can_have_content());
    if let Some(hook) = hook {
        let scanner = scanner.clone();
        // Fails only for elements that cannot have content, which never ask for a hook.
        let _ = el.on_end_tag(end_tag!(move |_| {
            scanner.borrow_mut().end(hook);
            Ok(())
        }));
    }
}

impl Scanner {
    fn new(config: &ExtractConfig) -> Scanner {
        let mut stack = Vec::with_capacity(64);
        stack.push(Frame::new(Tag::Body, 0, None));
        Scanner {
            limits: Limits {
                max_links: config.max_links,
                max_anchor_chars: config.max_anchor_chars,
                snippet_chars: config.snippet_chars,
                max_depth: config.max_depth.max(1),
                lang_sample_bytes: if config.detect_language {
                    config.language_sample_bytes
                } else {
                    0
                },
            },
            stack,
            pos: 0,
            inert: 0,
            run: Run::default(),
            carry: String::new(),
            anchor: None,
            anchor_serial: 0,
            right_pending: Vec::new(),
            rcdata: Rcdata::Other,
            title_done: false,
            title_raw: String::new(),
            jsonld_open: false,
            jsonld_buf: String::new(),
            jsonld_overflow: false,
            lang_fallback: String::new(),
            out: ScanOutput::default(),
        }
    }

    /// A start tag; returns the end-tag notification it needs, if any.
    fn start(&mut self, tag: Tag, raw: &str, has_content: bool) -> Option<EndHook> {
        self.flush_carry();
        if tag == Tag::Br {
            self.space();
            return None;
        }
        if self.inert > 0 {
            // Inside <template>: keep the stack right, record nothing.
            return (tag.is_block() && has_content)
                .then(|| self.open_block(tag, raw))
                .flatten();
        }
        match tag {
            Tag::A => return self.open_anchor(raw),
            Tag::Area => self.area(raw),
            Tag::Img => self.img(raw),
            Tag::Link => self.link_tag(raw),
            Tag::Meta => self.meta_tag(raw),
            Tag::Base => self.base(raw),
            Tag::Script => self.script(raw),
            Tag::Title => self.title_start(),
            Tag::Textarea => self.rcdata = Rcdata::Other,
            Tag::Iframe | Tag::Frame => self.frame(raw),
            Tag::Time => self.time(raw),
            Tag::Html => self.html_tag(raw),
            Tag::Form => self.form(raw),
            _ => {}
        }
        if tag.is_boundary_only() {
            self.close_implied(tag);
            self.end_run();
            return None;
        }
        if tag.is_block() && has_content {
            return self.open_block(tag, raw);
        }
        None
    }

    /// An end tag of a tracked element.
    fn end(&mut self, hook: EndHook) {
        self.flush_carry();
        match hook {
            EndHook::Anchor(serial) => {
                if self.anchor.as_ref().is_some_and(|a| a.serial == serial) {
                    self.close_anchor();
                }
            }
            EndHook::Frame(id) => {
                if let Some(index) = self.stack.iter().rposition(|f| f.id == id) {
                    self.pop_to(index, true);
                }
            }
        }
    }

    fn finish(mut self) -> ScanOutput {
        self.flush_carry();
        self.close_anchor();
        self.pop_to(1, false);
        self.end_run();
        if let Some(root) = self.stack.pop() {
            Best::offer(&mut self.out.best, &root, self.pos);
        }
        let title = text::clean_text(&self.title_raw, MAX_TITLE_CHARS);
        self.out.title = (!title.is_empty()).then_some(title);
        if self.out.lang_sample.len() < 200 {
            self.out.lang_sample.push_str(&self.lang_fallback);
        }
        self.out
    }
}

/// The element stack.
impl Scanner {
    fn open_block(&mut self, tag: Tag, raw: &str) -> Option<EndHook> {
        self.close_implied(tag);
        if tag != Tag::Template {
            self.end_run();
        }
        if self.stack.len() >= self.limits.max_depth {
            return None;
        }
        self.pos += 1;
        let parent = self.stack.last().and_then(|f| f.semantic);
        let mut frame = Frame::new(tag, self.pos, tag.semantic().or(parent));
        self.read_block_attrs(&mut frame, raw);
        if frame.inert {
            self.inert += 1;
        }
        let id = frame.id;
        self.stack.push(frame);
        Some(EndHook::Frame(id))
    }

    /// Roles, content hints, class/id weights and microdata types of a block element.
    fn read_block_attrs(&mut self, frame: &mut Frame, raw: &str) {
        for attr in Attrs::new(raw) {
            if attr.is("role") {
                if let Some(sem) = role_semantic(attr.value) {
                    frame.semantic = Some(sem);
                }
                if attr.value.trim().eq_ignore_ascii_case("main") {
                    frame.bonus += 25.0;
                }
            } else if attr.is("itemprop") {
                if attr.value.trim().eq_ignore_ascii_case("articlebody") {
                    frame.bonus += 50.0;
                }
            } else if attr.is("itemtype") {
                self.out.meta.itemtype(attr.value);
            } else if frame.container && (attr.is("class") || attr.is("id")) {
                frame.bonus += content::class_weight(attr.value);
            }
        }
    }

    /// Pops `stack[index..]` (never the root). `ends_anchor`: an end tag (or the close of a
    /// table cell, which clears HTML's active formatting elements) did it, so an anchor opened
    /// inside a popped element ends too; implied `</p>`/`</li>` do not end it.
    fn pop_to(&mut self, index: usize, ends_anchor: bool) {
        let index = index.max(1);
        if index >= self.stack.len() {
            return;
        }
        if let Some(anchor) = &mut self.anchor {
            if ends_anchor && index < anchor.depth {
                self.close_anchor();
            } else {
                anchor.depth = anchor.depth.min(index);
            }
        }
        // <template> is invisible: it does not cut the text run.
        if self.stack[index..].iter().any(|f| f.tag != Tag::Template) {
            self.end_run();
        }
        while self.stack.len() > index {
            let Some(frame) = self.stack.pop() else { break };
            let end = self.pos;
            self.pos += 1;
            if frame.inert {
                self.inert = self.inert.saturating_sub(1);
            }
            Best::offer(&mut self.out.best, &frame, end);
            if let Some(parent) = self.stack.last_mut() {
                parent.text += frame.text;
                parent.link_text += frame.link_text;
            }
        }
    }

    /// HTML's implied end tags for the element about to start.
    fn close_implied(&mut self, tag: Tag) {
        if tag.closes_p()
            && let Some(i) = self.find_open(|t| t == Tag::P, Tag::is_scope_barrier)
        {
            self.pop_to(i, false);
        }
        match tag {
            Tag::Li => self.close_list_item(|t| t == Tag::Li),
            Tag::Dd | Tag::Dt => self.close_list_item(|t| matches!(t, Tag::Dd | Tag::Dt)),
            Tag::Heading if self.stack.last().is_some_and(|f| f.tag == Tag::Heading) => {
                self.pop_to(self.stack.len() - 1, false);
            }
            Tag::Tr => self.close_in_table(&[Tag::Tr], &[Tag::Tbody, Tag::Thead, Tag::Tfoot]),
            Tag::Td | Tag::Th => self.close_in_table(&[Tag::Td, Tag::Th], &[Tag::Tr]),
            Tag::Tbody | Tag::Thead | Tag::Tfoot => {
                self.close_in_table(&[Tag::Tbody, Tag::Thead, Tag::Tfoot], &[])
            }
            _ => {}
        }
    }

    /// `<li>` (or `<dd>`/`<dt>`) closes an open one unless a block other than `address`,
    /// `div` or `p` lies in between.
    fn close_list_item(&mut self, is_item: impl Fn(Tag) -> bool) {
        let found = self.find_open(is_item, |t| !matches!(t, Tag::Address | Tag::Div | Tag::P));
        if let Some(i) = found {
            self.pop_to(i, false);
        }
    }

    /// Within the nearest table: closes an open `same` element, or everything above the
    /// nearest `context` element (or the table itself).
    fn close_in_table(&mut self, same: &[Tag], context: &[Tag]) {
        let found = self.find_open(
            |t| same.contains(&t) || context.contains(&t) || t == Tag::Table,
            |t| t == Tag::Template,
        );
        if let Some(i) = found {
            if same.contains(&self.stack[i].tag) {
                self.pop_to(i, true);
            } else {
                self.pop_to(i + 1, true);
            }
        }
    }

    /// The index of the nearest open element matching `want`, searching down from the top
    /// and stopping at the first `barrier` element.
    fn find_open(
        &self,
        want: impl Fn(Tag) -> bool,
        barrier: impl Fn(Tag) -> bool,
    ) -> Option<usize> {
        for (i, frame) in self.stack.iter().enumerate().skip(1).rev() {
            if want(frame.tag) {
                return Some(i);
            }
            if barrier(frame.tag) {
                return None;
            }
        }
        None
    }
}

/// Visible text, runs and snippets.
impl Scanner {
    fn text(&mut self, chunk: &str, ty: TextType, last: bool) {
        match ty {
            TextType::Data => self.data(chunk, last),
            TextType::RCData => {
                if self.rcdata == Rcdata::Title {
                    push_capped(&mut self.title_raw, chunk, MAX_TITLE_RAW_BYTES);
                }
                if last {
                    self.title_done |= self.rcdata == Rcdata::Title;
                    self.rcdata = Rcdata::Other;
                }
            }
            TextType::ScriptData if self.jsonld_open => {
                // Past the page's JSON-LD budget the block cannot be read whole: stop copying.
                if self.jsonld_buf.len() + chunk.len() <= self.out.meta.jsonld_room() {
                    self.jsonld_buf.push_str(chunk);
                } else {
                    self.jsonld_overflow = true;
                }
                if last {
                    self.end_jsonld();
                }
            }
            _ => {}
        }
    }

    fn data(&mut self, chunk: &str, last: bool) {
        if self.inert > 0 {
            return;
        }
        // An entity split across chunks must be decoded whole: hold such text until the node
        // ends (one write of the whole document rarely splits a node at all).
        if !self.carry.is_empty() || (!last && chunk.contains('&')) {
            self.carry.push_str(chunk);
            if last {
                self.flush_carry();
            }
            return;
        }
        self.visible(chunk);
    }

    fn flush_carry(&mut self) {
        if self.carry.is_empty() {
            return;
        }
        let carry = std::mem::take(&mut self.carry);
        self.visible(&carry);
        self.carry = carry;
        self.carry.clear();
    }

    fn visible(&mut self, raw: &str) {
        // Indentation between tags is most text nodes: settle it without decoding.
        if raw.bytes().all(|b| b.is_ascii_whitespace()) {
            if !raw.is_empty() {
                self.space();
            }
            return;
        }
        let decoded = text::decode_text(raw);
        let before = self.run.text.len();
        let added = text::collapse_into(&mut self.run.text, &mut self.run.space, &decoded);
        if added.chars == 0 {
            if let Some(anchor) = &mut self.anchor {
                anchor.text.space();
            }
            return;
        }
        let n = u32::try_from(added.chars).unwrap_or(u32::MAX);
        let stats = &mut self.run.stats;
        stats.chars = stats.chars.saturating_add(n);
        stats.commas = stats.commas.saturating_add(added.commas);
        let in_link = self.anchor.is_some();
        if let Some(anchor) = &mut self.anchor {
            // The run's new text is already collapsed: hand the same piece to the anchor.
            let piece = &self.run.text[before..];
            let trimmed = piece.trim_start_matches(' ');
            if trimmed.len() < piece.len() {
                anchor.text.space();
            }
            let chars = added.chars - (piece.len() - trimmed.len());
            anchor.text.push_word(trimmed, chars);
            stats.link_chars = stats.link_chars.saturating_add(n);
        }
        if added.trailing_space
            && let Some(anchor) = &mut self.anchor
        {
            anchor.text.space();
        }
        if let Some(frame) = self.stack.last_mut() {
            frame.text = frame.text.saturating_add(n);
            if in_link {
                frame.link_text = frame.link_text.saturating_add(n);
            }
        }
        if self.run.text.len() > RUN_TRIM_BYTES {
            self.trim_run();
        }
    }

    fn space(&mut self) {
        self.run.space = true;
        if let Some(anchor) = &mut self.anchor {
            anchor.text.space();
        }
    }

    /// Keeps a long run's tail, first giving pending right snippets what they need.
    fn trim_run(&mut self) {
        let run_text = &self.run.text;
        let mut cut = run_text.len() - RUN_KEEP_BYTES;
        while !run_text.is_char_boundary(cut) {
            cut += 1;
        }
        let max = self.limits.snippet_chars;
        let links = &mut self.out.links;
        self.right_pending.retain_mut(|(link, offset)| {
            if *offset < cut {
                if let (Some(l), Some(rest)) = (links.get_mut(*link), run_text.get(*offset..)) {
                    l.snippet_right = text::snippet_right(rest, max);
                }
                false
            } else {
                *offset -= cut;
                true
            }
        });
        self.run.text.drain(..cut);
    }

    /// A block boundary: the run ends.
    fn end_run(&mut self) {
        let max = self.limits.snippet_chars;
        for (link, offset) in self.right_pending.drain(..) {
            if let (Some(l), Some(rest)) =
                (self.out.links.get_mut(link), self.run.text.get(offset..))
            {
                l.snippet_right = text::snippet_right(rest, max);
            }
        }
        let stats = self.run.stats;
        content::score_run(&mut self.stack, stats);
        self.sample_language(stats.chars);
        self.run.text.clear();
        self.run.space = false;
        self.run.stats = RunStats::default();
        if let Some(anchor) = &mut self.anchor {
            anchor.text.space();
        }
    }

    fn sample_language(&mut self, chars: u32) {
        let budget = self.limits.lang_sample_bytes;
        let target = if chars >= LANG_RUN_CHARS {
            &mut self.out.lang_sample
        } else {
            &mut self.lang_fallback
        };
        if self.run.text.is_empty() || target.len() >= budget {
            return;
        }
        // Preformatted text is mostly code or listings: it would only mislead the detector.
        if self.stack.iter().any(|f| f.tag == Tag::Pre) {
            return;
        }
        let room = budget - target.len();
        let mut end = self.run.text.len().min(room);
        while !self.run.text.is_char_boundary(end) {
            end -= 1;
        }
        target.push_str(&self.run.text[..end]);
        target.push(' ');
    }
}

/// Links.
impl Scanner {
    /// Records a link if the cap allows and the href can be an http(s) URL.
    fn add_link(&mut self, element: LinkElement, raw_href: &str, in_body: bool) -> Option<usize> {
        if self.out.links.len() >= self.limits.max_links {
            self.out.links_capped = true;
            return None;
        }
        let href = text::decode_attr(raw_href);
        let href = href.trim();
        if !links::worth_keeping(href) {
            return None;
        }
        let mut link = RawLink::new(element, href.to_string());
        if in_body {
            link.pos = self.pos;
            link.semantic = self.stack.last().and_then(|f| f.semantic);
        }
        self.out.links.push(link);
        Some(self.out.links.len() - 1)
    }

    fn open_anchor(&mut self, raw: &str) -> Option<EndHook> {
        self.close_anchor();
        let (mut href, mut rel) = (None, None);
        for attr in Attrs::new(raw) {
            if attr.is("href") {
                href = href.or(Some(attr.value));
            } else if attr.is("rel") {
                rel = rel.or(Some(attr.value));
            }
        }
        let href = href?;
        let link = self.add_link(LinkElement::Anchor, href, true);
        if let Some(i) = link {
            let left = text::snippet_left(&self.run.text, self.limits.snippet_chars);
            let l = &mut self.out.links[i];
            l.snippet_left = left;
            links::apply_rel(l, rel.unwrap_or_default());
        }
        self.anchor_serial += 1;
        self.anchor = Some(OpenAnchor {
            serial: self.anchor_serial,
            link,
            depth: self.stack.len(),
            text: Collapser::new(self.limits.max_anchor_chars),
            has_image: false,
        });
        Some(EndHook::Anchor(self.anchor_serial))
    }

    fn close_anchor(&mut self) {
        let Some(anchor) = self.anchor.take() else {
            return;
        };
        if let Some(i) = anchor.link
            && let Some(l) = self.out.links.get_mut(i)
        {
            l.anchor = anchor.text.into_string();
            self.right_pending.push((i, self.run.text.len()));
        }
    }

    fn area(&mut self, raw: &str) {
        let Some(href) = attrs::get(raw, "href") else {
            return;
        };
        let Some(i) = self.add_link(LinkElement::Anchor, href, true) else {
            return;
        };
        let left = text::snippet_left(&self.run.text, self.limits.snippet_chars);
        let alt = attrs::get(raw, "alt").map(|a| text::clean(a, self.limits.max_anchor_chars));
        let l = &mut self.out.links[i];
        l.snippet_left = left;
        l.anchor = alt.unwrap_or_default();
        links::apply_rel(l, attrs::get(raw, "rel").unwrap_or_default());
        self.right_pending.push((i, self.run.text.len()));
    }

    fn img(&mut self, raw: &str) {
        let (mut src, mut data_src, mut alt) = (None, None, None);
        for attr in Attrs::new(raw) {
            if attr.is("src") {
                src = src.or(Some(attr.value));
            } else if attr.is("data-src") {
                data_src = data_src.or(Some(attr.value));
            } else if attr.is("alt") {
                alt = alt.or(Some(attr.value));
            }
        }
        let src = match src {
            Some(s) if !s.trim().is_empty() && !s.trim_start().starts_with("data:") => Some(s),
            _ => data_src.or(src),
        };
        if let Some(s) = src {
            self.out.powered.asset(s);
        }
        let cap = self.limits.max_anchor_chars;
        let Some(anchor) = &mut self.anchor else {
            return;
        };
        if anchor.has_image {
            return;
        }
        anchor.has_image = true;
        if let Some(l) = anchor.link.and_then(|i| self.out.links.get_mut(i)) {
            l.element = LinkElement::Image;
            l.alt = alt.map(|a| text::clean(a, cap));
            l.image_src = src.map(|s| text::decode_attr(s).trim().to_string());
        }
    }

    fn frame(&mut self, raw: &str) {
        if let Some(src) = attrs::get(raw, "src") {
            self.add_link(LinkElement::Frame, src, true);
        }
    }

    fn form(&mut self, raw: &str) {
        if let Some(action) = attrs::get(raw, "action") {
            self.add_link(LinkElement::Form, action, true);
        }
    }
}

/// Head elements and page metadata.
impl Scanner {
    fn link_tag(&mut self, raw: &str) {
        let (mut rel, mut href, mut ty) = ("", None, "");
        for attr in Attrs::new(raw) {
            if attr.is("rel") {
                rel = attr.value;
            } else if attr.is("href") {
                href = href.or(Some(attr.value));
            } else if attr.is("type") {
                ty = attr.value;
            }
        }
        self.out.powered.asset(rel);
        let Some(href) = href else { return };
        self.out.powered.asset(href);
        let has = |token: &str| {
            rel.split_ascii_whitespace()
                .any(|t| t.eq_ignore_ascii_case(token))
        };
        let element = if has("canonical") {
            LinkElement::Canonical
        } else if has("alternate") && !has("stylesheet") {
            let ty = ty.trim();
            if ty.eq_ignore_ascii_case("application/rss+xml")
                || ty.eq_ignore_ascii_case("application/atom+xml")
            {
                LinkElement::Rss
            } else {
                LinkElement::Alternate
            }
        } else {
            return;
        };
        self.add_link(element, href, false);
    }

    fn meta_tag(&mut self, raw: &str) {
        let (mut key, mut http_equiv, mut itemprop, mut content) = ("", "", "", None);
        for attr in Attrs::new(raw) {
            if attr.is("name") || (attr.is("property") && key.is_empty()) {
                key = attr.value;
            } else if attr.is("http-equiv") {
                http_equiv = attr.value;
            } else if attr.is("itemprop") {
                itemprop = attr.value;
            } else if attr.is("content") {
                content = content.or(Some(attr.value));
            }
        }
        let content = content.unwrap_or_default();
        let http_equiv = http_equiv.trim();
        if http_equiv.eq_ignore_ascii_case("refresh") {
            self.meta_refresh(content);
            return;
        }
        let key = key.trim().to_ascii_lowercase();
        if key == "generator" {
            self.out.powered.generator(&text::decode_attr(content));
        }
        self.out
            .meta
            .meta(&key, itemprop.trim(), http_equiv, content);
    }

    fn meta_refresh(&mut self, content: &str) {
        let decoded = text::decode_attr(content);
        if let Some(url) = refresh_url(&decoded)
            && let Some(i) = self.add_link(LinkElement::MetaRefresh, url, false)
        {
            self.out.links[i].redirect_code = Some(0);
        }
    }

    fn base(&mut self, raw: &str) {
        if self.out.base_href.is_none()
            && let Some(href) = attrs::get(raw, "href")
        {
            self.out.base_href = Some(text::decode_attr(href).trim().to_string());
        }
    }

    fn html_tag(&mut self, raw: &str) {
        if self.out.html_lang.is_some() {
            return;
        }
        let lang = attrs::get(raw, "lang").or_else(|| attrs::get(raw, "xml:lang"));
        if let Some(lang) = lang {
            self.out.html_lang = Some(text::decode_attr(lang).into_owned());
        }
    }

    fn script(&mut self, raw: &str) {
        let (mut src, mut ty) = (None, "");
        for attr in Attrs::new(raw) {
            if attr.is("src") {
                src = src.or(Some(attr.value));
            } else if attr.is("type") {
                ty = attr.value;
            }
        }
        if let Some(src) = src {
            self.out.powered.asset(src);
        }
        self.jsonld_open = ty.trim().eq_ignore_ascii_case("application/ld+json");
        self.jsonld_buf.clear();
    }

    fn end_jsonld(&mut self) {
        self.jsonld_open = false;
        let block = std::mem::take(&mut self.jsonld_buf);
        if !std::mem::take(&mut self.jsonld_overflow) {
            self.out.meta.jsonld(&block);
        }
        self.jsonld_buf = block;
        self.jsonld_buf.clear();
    }

    fn title_start(&mut self) {
        // document.title is the first HTML <title>. An SVG <title> also starts here, but its
        // text is `Data`, not `RCData`, so it never fills the title nor marks it done.
        self.rcdata = if self.title_done {
            Rcdata::Other
        } else {
            Rcdata::Title
        };
    }

    fn time(&mut self, raw: &str) {
        let itemprop = attrs::get(raw, "itemprop").unwrap_or_default();
        if itemprop.trim().eq_ignore_ascii_case("datepublished")
            && let Some(dt) = attrs::get(raw, "datetime")
        {
            self.out.meta.time_published(dt);
        }
    }
}

/// Appends as much of `s` as fits in `max` bytes (at a character boundary).
fn push_capped(buf: &mut String, s: &str, max: usize) {
    let room = max.saturating_sub(buf.len());
    if s.len() <= room {
        buf.push_str(s);
    } else {
        let mut end = room;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        buf.push_str(&s[..end]);
    }
}

/// The section an ARIA role stands for.
fn role_semantic(role: &str) -> Option<&'static str> {
    let role = role.split_ascii_whitespace().next()?;
    let known = [
        ("navigation", "nav"),
        ("main", "main"),
        ("banner", "header"),
        ("contentinfo", "footer"),
        ("complementary", "aside"),
        ("article", "article"),
    ];
    known
        .iter()
        .find(|(r, _)| role.eq_ignore_ascii_case(r))
        .map(|(_, s)| *s)
}

/// The URL of a refresh declaration (`5; URL='x'`), per HTML's "shared declarative refresh
/// steps"; `None` when it only reloads the page.
pub(crate) fn refresh_url(content: &str) -> Option<&str> {
    let s = content.trim_start();
    let s = s.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    let s = s.trim_start();
    let s = s.strip_prefix([';', ','])?.trim_start();
    let s = match s.get(..3) {
        Some(p) if p.eq_ignore_ascii_case("url") => {
            let rest = s[3..].trim_start();
            match rest.strip_prefix('=') {
                Some(r) => r.trim_start(),
                None => s,
            }
        }
        _ => s,
    };
    let url = match s.chars().next() {
        Some(q @ ('"' | '\'')) => {
            let inner = &s[1..];
            &inner[..inner.find(q).unwrap_or(inner.len())]
        }
        _ => s.trim_end(),
    };
    (!url.is_empty()).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_urls() {
        assert_eq!(
            refresh_url("5; URL=http://www.example.com/r.html"),
            Some("http://www.example.com/r.html")
        );
        assert_eq!(refresh_url("0;url='/x y'"), Some("/x y"));
        assert_eq!(refresh_url("0, /plain"), Some("/plain"));
        assert_eq!(refresh_url("3"), None);
        assert_eq!(refresh_url("3;"), None);
        assert_eq!(refresh_url(" 1.5 ; Url = \"/q\" trailing"), Some("/q"));
    }

    #[test]
    fn roles() {
        assert_eq!(role_semantic("navigation"), Some("nav"));
        assert_eq!(role_semantic("Main extra"), Some("main"));
        assert_eq!(role_semantic("button"), None);
    }
}
