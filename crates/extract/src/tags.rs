//! The elements the extractor cares about, recognised from the raw start tag without allocating.
//!
//! lol_html reports every start tag; we read the tag name straight from the source bytes
//! (`<DiV class=…>` → [`Tag::Div`]) because its own accessors allocate a `String` per call,
//! which would dominate the cost of a page with thousands of `<span>`s.

/// An element kind. Everything not listed is [`Tag::Other`] and treated as inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    A,
    Address,
    Area,
    Article,
    Aside,
    Base,
    Blockquote,
    Body,
    Br,
    Caption,
    Center,
    Dd,
    Details,
    Dialog,
    Div,
    Dl,
    Dt,
    Fieldset,
    Figcaption,
    Figure,
    Footer,
    Form,
    Frame,
    Heading,
    Header,
    Hgroup,
    Hr,
    Html,
    Iframe,
    Img,
    Legend,
    Li,
    Link,
    Main,
    Menu,
    Meta,
    Nav,
    Ol,
    Option,
    P,
    Pre,
    Script,
    Section,
    Select,
    Summary,
    Table,
    Tbody,
    Td,
    Template,
    Textarea,
    Tfoot,
    Th,
    Thead,
    Time,
    Title,
    Tr,
    Ul,
    Other,
}

impl Tag {
    /// The tag of a raw start tag such as `<div class="x">` (ASCII case-insensitive).
    pub(crate) fn from_start_tag(raw: &[u8]) -> Tag {
        let name = raw.get(1..).unwrap_or_default();
        let end = name
            .iter()
            .position(|&b| matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c' | b'/' | b'>'))
            .unwrap_or(name.len());
        let name = &name[..end];
        // Every name we know is at most 10 bytes; longer ones are custom elements.
        if name.len() > 10 {
            return Tag::Other;
        }
        let mut buf = [0u8; 10];
        for (dst, src) in buf.iter_mut().zip(name) {
            *dst = src.to_ascii_lowercase();
        }
        Self::from_lowercase(&buf[..name.len()])
    }

    fn from_lowercase(name: &[u8]) -> Tag {
        match name {
            b"a" => Tag::A,
            b"address" => Tag::Address,
            b"area" => Tag::Area,
            b"article" => Tag::Article,
            b"aside" => Tag::Aside,
            b"base" => Tag::Base,
            b"blockquote" => Tag::Blockquote,
            b"body" => Tag::Body,
            b"br" => Tag::Br,
            b"caption" => Tag::Caption,
            b"center" => Tag::Center,
            b"dd" => Tag::Dd,
            b"details" => Tag::Details,
            b"dialog" => Tag::Dialog,
            b"div" => Tag::Div,
            b"dl" => Tag::Dl,
            b"dt" => Tag::Dt,
            b"fieldset" => Tag::Fieldset,
            b"figcaption" => Tag::Figcaption,
            b"figure" => Tag::Figure,
            b"footer" => Tag::Footer,
            b"form" => Tag::Form,
            b"frame" => Tag::Frame,
            b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" => Tag::Heading,
            b"header" => Tag::Header,
            b"hgroup" => Tag::Hgroup,
            b"hr" => Tag::Hr,
            b"html" => Tag::Html,
            b"iframe" => Tag::Iframe,
            b"img" => Tag::Img,
            b"legend" => Tag::Legend,
            b"li" => Tag::Li,
            b"link" => Tag::Link,
            b"main" => Tag::Main,
            b"menu" | b"dir" => Tag::Menu,
            b"meta" => Tag::Meta,
            b"nav" => Tag::Nav,
            b"ol" => Tag::Ol,
            b"option" => Tag::Option,
            b"p" => Tag::P,
            b"pre" | b"listing" => Tag::Pre,
            b"script" => Tag::Script,
            b"section" => Tag::Section,
            b"select" => Tag::Select,
            b"summary" => Tag::Summary,
            b"table" => Tag::Table,
            b"tbody" => Tag::Tbody,
            b"td" => Tag::Td,
            b"template" => Tag::Template,
            b"textarea" => Tag::Textarea,
            b"tfoot" => Tag::Tfoot,
            b"th" => Tag::Th,
            b"thead" => Tag::Thead,
            b"time" => Tag::Time,
            b"title" => Tag::Title,
            b"tr" => Tag::Tr,
            b"ul" => Tag::Ul,
            _ => Tag::Other,
        }
    }

    /// Block-level: its start and end break the inline text run (snippets do not cross it) and
    /// it is kept on the element stack.
    pub(crate) fn is_block(self) -> bool {
        !matches!(
            self,
            Tag::A
                | Tag::Area
                | Tag::Base
                | Tag::Br
                | Tag::Hr
                | Tag::Iframe
                | Tag::Frame
                | Tag::Img
                | Tag::Link
                | Tag::Meta
                | Tag::Option
                | Tag::Script
                | Tag::Textarea
                | Tag::Time
                | Tag::Title
                | Tag::Other
        )
    }

    /// Breaks the text run without being kept on the stack (void, or closed implicitly so often
    /// that tracking it would only mislead).
    pub(crate) fn is_boundary_only(self) -> bool {
        matches!(self, Tag::Hr | Tag::Option)
    }

    /// May hold the page's main content (a Readability "candidate"); paragraphs score into the
    /// nearest two of these.
    pub(crate) fn is_container(self) -> bool {
        matches!(
            self,
            Tag::Article
                | Tag::Aside
                | Tag::Blockquote
                | Tag::Body
                | Tag::Center
                | Tag::Details
                | Tag::Dialog
                | Tag::Div
                | Tag::Fieldset
                | Tag::Figure
                | Tag::Footer
                | Tag::Form
                | Tag::Header
                | Tag::Main
                | Tag::Nav
                | Tag::Section
                | Tag::Td
        )
    }

    /// The semantic location this element gives to the links inside it.
    pub(crate) fn semantic(self) -> Option<&'static str> {
        Some(match self {
            Tag::Article => "article",
            Tag::Aside => "aside",
            Tag::Details => "details",
            Tag::Footer => "footer",
            Tag::Header => "header",
            Tag::Main => "main",
            Tag::Nav => "nav",
            Tag::Section => "section",
            Tag::Summary => "summary",
            _ => return None,
        })
    }

    /// Readability's initial score by tag name, plus hints for the HTML5 content elements.
    pub(crate) fn content_bonus(self) -> f32 {
        match self {
            Tag::Article | Tag::Main => 25.0,
            Tag::Div => 5.0,
            Tag::Td | Tag::Blockquote => 3.0,
            Tag::Form => -3.0,
            Tag::Nav | Tag::Footer | Tag::Aside | Tag::Header => -25.0,
            _ => 0.0,
        }
    }

    /// Starting this element closes an open `<p>` (HTML's "close a p element" list).
    pub(crate) fn closes_p(self) -> bool {
        matches!(
            self,
            Tag::Address
                | Tag::Article
                | Tag::Aside
                | Tag::Blockquote
                | Tag::Center
                | Tag::Dd
                | Tag::Details
                | Tag::Dialog
                | Tag::Div
                | Tag::Dl
                | Tag::Dt
                | Tag::Fieldset
                | Tag::Figcaption
                | Tag::Figure
                | Tag::Footer
                | Tag::Form
                | Tag::Heading
                | Tag::Header
                | Tag::Hgroup
                | Tag::Hr
                | Tag::Li
                | Tag::Main
                | Tag::Menu
                | Tag::Nav
                | Tag::Ol
                | Tag::P
                | Tag::Pre
                | Tag::Section
                | Tag::Summary
                | Tag::Table
                | Tag::Ul
        )
    }

    /// Elements that stop the search for an open `<p>` (HTML's "button scope" boundaries).
    pub(crate) fn is_scope_barrier(self) -> bool {
        matches!(
            self,
            Tag::Td | Tag::Th | Tag::Table | Tag::Caption | Tag::Html | Tag::Template
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_read_case_insensitively_from_raw_tags() {
        assert_eq!(Tag::from_start_tag(b"<DiV class=x>"), Tag::Div);
        assert_eq!(Tag::from_start_tag(b"<a\nhref=x>"), Tag::A);
        assert_eq!(Tag::from_start_tag(b"<br/>"), Tag::Br);
        assert_eq!(Tag::from_start_tag(b"<H3>"), Tag::Heading);
        assert_eq!(Tag::from_start_tag(b"<blockquote>"), Tag::Blockquote);
        assert_eq!(Tag::from_start_tag(b"<my-very-long-element>"), Tag::Other);
        assert_eq!(Tag::from_start_tag(b"<span>"), Tag::Other);
        assert_eq!(Tag::from_start_tag(b"<"), Tag::Other);
        assert_eq!(Tag::from_start_tag(b""), Tag::Other);
    }

    #[test]
    fn classes_are_consistent() {
        assert!(Tag::Div.is_block() && Tag::Div.is_container());
        assert!(Tag::P.is_block() && !Tag::P.is_container());
        assert!(!Tag::A.is_block());
        assert_eq!(Tag::Nav.semantic(), Some("nav"));
        assert_eq!(Tag::Div.semantic(), None);
    }
}
