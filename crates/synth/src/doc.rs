//! The page model and its rendering.
//!
//! A page is built as a flat stream of tokens: literal markup without links ([`Tok::Raw`]),
//! opening and closing semantic elements, links, and slots where a scripted change may add a
//! link. Rendering walks the stream once, writing the HTML and — from the same tokens, so they
//! cannot disagree — the ground-truth links with their ordinal, semantic location and
//! main-content flag. Scripted changes edit the token stream (remove a link, fill a slot, add
//! `noindex`, move the canonical) before rendering.

use crate::href;
use crate::plan::Charset;
use crate::truth::TruthLink;
use anchorage_core::domain::root_domain;
use anchorage_core::record::LinkElement;

/// A place in a template where a scripted change can add a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// End of the main content (a new paragraph).
    ContentEnd,
    /// Top of the homepage's list of latest pages (a new list item).
    Latest,
}

#[derive(Debug, Clone)]
pub(crate) enum Tok {
    Raw(String),
    /// A semantic or content-block element; `content` marks the page's main content block.
    Open {
        tag: &'static str,
        attrs: String,
        content: bool,
    },
    Close(&'static str),
    Link(LinkTok),
    Slot(Slot),
}

/// How anchor text is written in the markup (the shown text is the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Markup {
    Plain,
    /// Line breaks and indentation inside the element.
    Spaced,
    /// First word in `<strong>`.
    Strong,
    /// Non-ASCII and apostrophes as character references.
    Entities,
}

#[derive(Debug, Clone)]
pub(crate) enum LinkKind {
    Text {
        text: String,
        markup: Markup,
        rel: Option<&'static str>,
        blank: bool,
    },
    Image {
        src_href: String,
        src: String,
        alt: Option<String>,
        rel: Option<&'static str>,
    },
    Canonical,
    Alternate {
        hreflang: &'static str,
    },
    Feed {
        title: String,
    },
    Frame {
        title: String,
    },
    Form {
        method: &'static str,
        inner: String,
    },
    Refresh,
}

#[derive(Debug, Clone)]
pub(crate) struct LinkTok {
    /// Stable within the page, so a change can name the link.
    pub id: u32,
    /// The href as written (before HTML escaping).
    pub href: String,
    /// Where it resolves to (normalised).
    pub target: String,
    pub to_site: Option<usize>,
    pub kind: LinkKind,
}

impl LinkTok {
    pub(crate) fn element(&self) -> LinkElement {
        match self.kind {
            LinkKind::Text { .. } => LinkElement::Anchor,
            LinkKind::Image { .. } => LinkElement::Image,
            LinkKind::Canonical => LinkElement::Canonical,
            LinkKind::Alternate { .. } => LinkElement::Alternate,
            LinkKind::Feed { .. } => LinkElement::Rss,
            LinkKind::Frame { .. } => LinkElement::Frame,
            LinkKind::Form { .. } => LinkElement::Form,
            LinkKind::Refresh => LinkElement::MetaRefresh,
        }
    }
}

/// JSON-LD `Article` facts.
#[derive(Debug, Clone)]
pub(crate) struct JsonLd {
    pub headline: String,
    pub author: String,
    /// RFC 3339.
    pub published: String,
    pub publisher: String,
}

/// One HTML page before rendering.
#[derive(Debug, Clone)]
pub(crate) struct PageDoc {
    pub html_lang: String,
    pub charset: Charset,
    pub title: String,
    pub description: String,
    pub generator: Option<String>,
    /// `<meta name=robots>` content.
    pub robots: Option<&'static str>,
    pub author_meta: Option<String>,
    pub json_ld: Option<JsonLd>,
    pub base_href: Option<String>,
    /// A `<script>` whose string literal looks like a link (it is not one).
    pub script_trap: Option<String>,
    pub head: Vec<Tok>,
    pub body: Vec<Tok>,
    pub body_class: &'static str,
    pub legacy: bool,
}

impl PageDoc {
    pub(crate) fn links(&self) -> impl Iterator<Item = &LinkTok> {
        self.head.iter().chain(&self.body).filter_map(|t| match t {
            Tok::Link(l) => Some(l),
            _ => None,
        })
    }

    pub(crate) fn canonical(&self) -> Option<&str> {
        self.links()
            .find(|l| matches!(l.kind, LinkKind::Canonical))
            .map(|l| l.target.as_str())
    }

    pub(crate) fn noindex(&self) -> bool {
        self.robots.is_some_and(|r| r.contains("noindex"))
    }

    pub(crate) fn nofollow(&self) -> bool {
        self.robots.is_some_and(|r| r.contains("nofollow"))
    }
}

/// Facts about the fetch that every truth link of the page repeats.
pub(crate) struct LinkContext<'a> {
    pub from: &'a str,
    pub from_site: usize,
    pub status: u16,
    pub noindex: bool,
    pub nofollow: bool,
}

impl LinkContext<'_> {
    /// A truth link with the page-level fields filled in.
    pub(crate) fn link(&self, to: &str, element: LinkElement, ordinal: u32) -> TruthLink {
        TruthLink {
            from: self.from.to_string(),
            to: to.to_string(),
            element,
            anchor: String::new(),
            alt: None,
            image_url: None,
            nofollow: false,
            ugc: false,
            sponsored: false,
            page_noindex: self.noindex,
            page_nofollow: self.nofollow,
            semantic_location: None,
            is_content: false,
            ordinal,
            redirect_code: None,
            from_root: root_of(self.from).to_string(),
            to_root: root_of(to).to_string(),
            from_status: self.status,
            from_site: self.from_site,
            to_site: None,
        }
    }
}

pub(crate) fn root_of(url: &str) -> &str {
    root_domain(href::host_of(url))
}

/// Renders a page; collects truth links when `cx` is given.
pub(crate) fn render(doc: &PageDoc, cx: Option<&LinkContext>) -> (String, Vec<TruthLink>) {
    let mut r = Renderer {
        out: String::with_capacity(16 * 1024),
        links: Vec::new(),
        cx,
        stack: Vec::new(),
        legacy: false,
    };
    r.head(doc);
    r.out
        .push_str(&format!("<body class=\"{}\">\n", doc.body_class));
    r.legacy = doc.legacy;
    for t in &doc.body {
        r.tok(t);
    }
    r.out.push_str("</body>\n</html>\n");
    (r.out, r.links)
}

struct Renderer<'a> {
    out: String,
    links: Vec<TruthLink>,
    cx: Option<&'a LinkContext<'a>>,
    /// Open semantic elements: (tag, is the content block).
    stack: Vec<(&'static str, bool)>,
    legacy: bool,
}

const BOILERPLATE: [&str; 4] = ["header", "nav", "aside", "footer"];

impl Renderer<'_> {
    fn head(&mut self, doc: &PageDoc) {
        let o = &mut self.out;
        o.push_str(&format!(
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n",
            doc.html_lang
        ));
        match doc.charset {
            Charset::Utf8 => o.push_str("<meta charset=\"utf-8\">\n"),
            cs => o.push_str(&format!(
                "<meta http-equiv=\"Content-Type\" content=\"text/html; charset={}\">\n",
                cs.label()
            )),
        }
        o.push_str(&format!("<title>{}</title>\n", href::text(&doc.title)));
        o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        o.push_str(&format!(
            "<meta name=\"description\" content=\"{}\">\n",
            href::attr(&doc.description)
        ));
        let metas = [
            ("generator", doc.generator.as_deref()),
            ("robots", doc.robots),
            ("author", doc.author_meta.as_deref()),
        ];
        for (name, value) in metas {
            if let Some(v) = value {
                o.push_str(&format!(
                    "<meta name=\"{name}\" content=\"{}\">\n",
                    href::attr(v)
                ));
            }
        }
        if let Some(b) = &doc.base_href {
            o.push_str(&format!("<base href=\"{}\">\n", href::attr(b)));
        }
        o.push_str("<link rel=\"stylesheet\" href=\"/assets/site.css\">\n<link rel=\"icon\" href=\"/favicon.ico\">\n");
        for t in &doc.head {
            self.tok(t);
            self.out.push('\n');
        }
        if let Some(ld) = &doc.json_ld {
            self.out.push_str(&json_ld(ld));
        }
        if let Some(trap) = &doc.script_trap {
            self.out.push_str(&format!(
                "<script>\n  var promo = '<a href=\"{trap}\">offer</a>';\n  window.dataLayer = window.dataLayer || [];\n</script>\n"
            ));
        }
        self.out.push_str("</head>\n");
    }

    fn tok(&mut self, t: &Tok) {
        match t {
            Tok::Raw(s) => self.out.push_str(s),
            Tok::Open {
                tag,
                attrs,
                content,
            } => {
                self.out.push_str(&format!("<{tag}{attrs}>"));
                self.stack.push((tag, *content));
            }
            Tok::Close(tag) => {
                self.out.push_str(&format!("</{tag}>"));
                self.stack.pop();
            }
            Tok::Link(l) => self.link(l),
            Tok::Slot(_) => {}
        }
    }

    fn link(&mut self, l: &LinkTok) {
        let html = link_html(l, self.legacy);
        self.out.push_str(&html);
        let Some(cx) = self.cx else { return };
        let mut t = cx.link(&l.target, l.element(), self.links.len() as u32);
        t.to_site = l.to_site;
        t.semantic_location = self.location().map(String::from);
        t.is_content = self.in_content();
        match &l.kind {
            LinkKind::Text { text, rel, .. } => {
                t.anchor = text.clone();
                set_rel(&mut t, *rel);
            }
            LinkKind::Image { src, alt, rel, .. } => {
                t.alt = alt.clone();
                t.image_url = Some(src.clone());
                set_rel(&mut t, *rel);
            }
            LinkKind::Refresh => t.redirect_code = Some(0),
            _ => {}
        }
        self.links.push(t);
    }

    /// Innermost semantic element.
    fn location(&self) -> Option<&'static str> {
        self.stack
            .iter()
            .rev()
            .map(|(tag, _)| *tag)
            .find(|t| is_semantic(t))
    }

    /// Inside the content block, with no boilerplate element between it and the link.
    fn in_content(&self) -> bool {
        for (tag, content) in self.stack.iter().rev() {
            if *content {
                return true;
            }
            if BOILERPLATE.contains(tag) {
                return false;
            }
        }
        false
    }
}

fn is_semantic(tag: &str) -> bool {
    matches!(
        tag,
        "header" | "nav" | "main" | "article" | "aside" | "footer" | "section"
    )
}

/// rel tokens, case-insensitive, whitespace-separated.
fn set_rel(t: &mut TruthLink, rel: Option<&str>) {
    for token in rel.unwrap_or("").split_ascii_whitespace() {
        match token.to_ascii_lowercase().as_str() {
            "nofollow" => t.nofollow = true,
            "ugc" => t.ugc = true,
            "sponsored" => t.sponsored = true,
            _ => {}
        }
    }
}

fn link_html(l: &LinkTok, legacy: bool) -> String {
    let h = href::attr(&l.href);
    match &l.kind {
        LinkKind::Text {
            text,
            markup,
            rel,
            blank,
        } => {
            let rel = rel.map(|r| format!(" rel=\"{r}\"")).unwrap_or_default();
            let blank = if *blank { " target=\"_blank\"" } else { "" };
            let inner = anchor_markup(text, *markup);
            if legacy && rel.is_empty() && href::unquotable(&l.href) {
                // Old hand-written HTML: upper-case tags, unquoted attribute.
                format!("<A HREF={}{blank}>{inner}</A>", l.href)
            } else {
                format!("<a href=\"{h}\"{rel}{blank}>{inner}</a>")
            }
        }
        LinkKind::Image {
            src_href, alt, rel, ..
        } => {
            let rel = rel.map(|r| format!(" rel=\"{r}\"")).unwrap_or_default();
            let alt = alt
                .as_ref()
                .map(|a| format!(" alt=\"{}\"", href::attr(a)))
                .unwrap_or_default();
            format!(
                "<a href=\"{h}\"{rel}><img src=\"{}\"{alt} width=\"320\" height=\"200\" loading=\"lazy\"></a>",
                href::attr(src_href)
            )
        }
        LinkKind::Canonical => format!("<link rel=\"canonical\" href=\"{h}\">"),
        LinkKind::Alternate { hreflang } => {
            format!("<link rel=\"alternate\" hreflang=\"{hreflang}\" href=\"{h}\">")
        }
        LinkKind::Feed { title } => format!(
            "<link rel=\"alternate\" type=\"application/rss+xml\" title=\"{}\" href=\"{h}\">",
            href::attr(title)
        ),
        LinkKind::Frame { title } => format!(
            "<iframe src=\"{h}\" title=\"{}\" width=\"560\" height=\"315\" loading=\"lazy\" allowfullscreen></iframe>",
            href::attr(title)
        ),
        LinkKind::Form { method, inner } => {
            format!("<form action=\"{h}\" method=\"{method}\">{inner}</form>")
        }
        LinkKind::Refresh => format!("<meta http-equiv=\"refresh\" content=\"0; url={h}\">"),
    }
}

fn anchor_markup(text: &str, markup: Markup) -> String {
    match markup {
        Markup::Plain => href::text(text),
        Markup::Entities => href::text_entities(text),
        Markup::Spaced => format!(
            "\n      {}\n    ",
            href::text(text).replacen(' ', "\n      ", 1)
        ),
        Markup::Strong => match text.split_once(' ') {
            Some((first, rest)) => format!(
                "<strong>{}</strong> {}",
                href::text(first),
                href::text(rest)
            ),
            None => format!("<strong>{}</strong>", href::text(text)),
        },
    }
}

fn json_ld(ld: &JsonLd) -> String {
    format!(
        "<script type=\"application/ld+json\">{{\"@context\":\"https://schema.org\",\"@type\":\"Article\",\"headline\":{},\"author\":{{\"@type\":\"Person\",\"name\":{}}},\"datePublished\":{},\"publisher\":{{\"@type\":\"Organization\",\"name\":{}}}}}</script>\n",
        json_string(&ld.headline),
        json_string(&ld.author),
        json_string(&ld.published),
        json_string(&ld.publisher)
    )
}

/// A JSON string with every non-ASCII character escaped: script contents are not decoded from
/// character references, so this is the only spelling that survives a legacy charset.
fn json_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '<' => out.push_str("\\u003c"),
            c if c.is_ascii() && !c.is_ascii_control() => out.push(c),
            c => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
    out
}

/// Encodes rendered HTML in the page's charset; characters the charset lacks become numeric
/// character references, as browsers and editors write them.
pub(crate) fn encode(html: String, charset: Charset) -> Vec<u8> {
    match charset {
        Charset::Utf8 => html.into_bytes(),
        Charset::Windows1252 => single_byte(&html, |c| latin1(c).or_else(|| cp1252_extra(c))),
        Charset::Iso88591 => single_byte(&html, latin1),
    }
}

fn single_byte(html: &str, map: impl Fn(char) -> Option<u8>) -> Vec<u8> {
    let mut out = Vec::with_capacity(html.len());
    for c in html.chars() {
        match map(c) {
            Some(b) => out.push(b),
            None => out.extend_from_slice(format!("&#{};", u32::from(c)).as_bytes()),
        }
    }
    out
}

/// ASCII and U+00A0..U+00FF, the part ISO-8859-1 and windows-1252 agree on (decoders treat an
/// `iso-8859-1` label as windows-1252, so 0x80..0x9F are never used for it).
fn latin1(c: char) -> Option<u8> {
    let u = u32::from(c);
    (u < 0x80 || (0xA0..=0xFF).contains(&u)).then_some(u as u8)
}

fn cp1252_extra(c: char) -> Option<u8> {
    Some(match c {
        '€' => 0x80,
        '…' => 0x85,
        '‘' => 0x91,
        '’' => 0x92,
        '“' => 0x93,
        '”' => 0x94,
        '–' => 0x96,
        '—' => 0x97,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_encodings() {
        assert_eq!(encode("é’".into(), Charset::Windows1252), vec![0xE9, 0x92]);
        assert_eq!(
            encode("é’".into(), Charset::Iso88591),
            b"\xE9&#8217;".to_vec()
        );
        assert_eq!(encode("é".into(), Charset::Utf8), "é".as_bytes().to_vec());
    }

    #[test]
    fn json_escapes_non_ascii() {
        assert_eq!(
            json_string("Zoë \"x\" </script>"),
            "\"Zo\\u00eb \\\"x\\\" \\u003c/script>\""
        );
    }
}
