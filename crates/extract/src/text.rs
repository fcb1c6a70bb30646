//! Text helpers: entity decoding, whitespace collapsing, snippet cutting and length caps.
//!
//! Whitespace is anything `char::is_whitespace` accepts (so `&nbsp;` too): every run of it
//! becomes one space, and leading and trailing whitespace is dropped. Inline tags add nothing
//! (`<b>char</b>acter` reads "character").

use std::borrow::Cow;

/// Decodes character references in an attribute value (WHATWG attribute rules: `&amp=` and
/// `&copy1` stay as written).
pub(crate) fn decode_attr(raw: &str) -> Cow<'_, str> {
    if raw.contains('&') {
        htmlize::unescape_attribute(raw)
    } else {
        Cow::Borrowed(raw)
    }
}

/// Decodes character references in text content.
pub(crate) fn decode_text(raw: &str) -> Cow<'_, str> {
    if raw.contains('&') {
        htmlize::unescape(raw)
    } else {
        Cow::Borrowed(raw)
    }
}

/// Decodes entities, collapses whitespace and caps the result at `max_chars` characters.
pub(crate) fn clean(raw: &str, max_chars: usize) -> String {
    collapse(&decode_attr(raw), max_chars)
}

/// Decodes entities with the text rules, collapses whitespace and caps the result.
pub(crate) fn clean_text(raw: &str, max_chars: usize) -> String {
    collapse(&decode_text(raw), max_chars)
}

/// Collapses whitespace and caps the result at `max_chars` characters.
pub(crate) fn collapse(text: &str, max_chars: usize) -> String {
    let mut out = Collapser::new(max_chars);
    out.push_text(text);
    out.into_string()
}

/// Builds a whitespace-collapsed string piece by piece, up to a character cap.
#[derive(Debug, Default)]
pub(crate) struct Collapser {
    buf: String,
    space: bool,
    chars: usize,
    cap: usize,
}

impl Collapser {
    pub(crate) fn new(cap: usize) -> Self {
        Collapser {
            buf: String::new(),
            space: false,
            chars: 0,
            cap,
        }
    }

    /// Appends text that may contain whitespace.
    pub(crate) fn push_text(&mut self, text: &str) {
        for (i, word) in text.split(char::is_whitespace).enumerate() {
            if i > 0 {
                self.space = true;
            }
            if !word.is_empty() {
                self.push_word(word, char_len(word));
            }
        }
    }

    /// Appends a piece of text without whitespace; `chars` is its length in characters.
    pub(crate) fn push_word(&mut self, word: &str, chars: usize) {
        if self.chars >= self.cap {
            return;
        }
        if self.space && !self.buf.is_empty() {
            self.buf.push(' ');
            self.chars += 1;
        }
        self.space = false;
        let room = self.cap.saturating_sub(self.chars);
        if chars <= room {
            self.buf.push_str(word);
            self.chars += chars;
        } else {
            self.buf.push_str(prefix_chars(word, room));
            self.chars = self.cap;
        }
    }

    /// Marks a word break (whitespace, `<br>`, or a block boundary inside an anchor).
    pub(crate) fn space(&mut self) {
        self.space = true;
    }

    pub(crate) fn into_string(self) -> String {
        let mut s = self.buf;
        s.truncate(s.trim_end().len());
        s
    }
}

/// What [`collapse_into`] appended.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Appended {
    /// Characters appended, the separating spaces included.
    pub chars: usize,
    /// Commas among them (`,`, `，`, `、`), a Readability signal of prose.
    pub commas: u32,
    /// The text ended in whitespace (now pending in `space`).
    pub trailing_space: bool,
}

/// Appends `text` to `dst` with whitespace collapsed, in one pass over the bytes. `space`
/// carries a pending separator between calls; no space is written at the start of `dst`.
pub(crate) fn collapse_into(dst: &mut String, space: &mut bool, text: &str) -> Appended {
    let bytes = text.as_bytes();
    let mut out = Appended::default();
    let mut i = 0;
    while i < bytes.len() {
        let (is_space, len) = char_at(text, i);
        if is_space {
            *space = true;
            i += len;
            continue;
        }
        let start = i;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii() {
                if is_ascii_space(b) {
                    break;
                }
                out.commas += u32::from(b == b',');
                i += 1;
            } else {
                let c = text[i..].chars().next().unwrap_or(' ');
                if c.is_whitespace() {
                    break;
                }
                out.commas += u32::from(c == '，' || c == '、');
                i += c.len_utf8();
            }
            out.chars += 1;
        }
        if *space && !dst.is_empty() {
            dst.push(' ');
            out.chars += 1;
        }
        *space = false;
        dst.push_str(&text[start..i]);
    }
    out.trailing_space = *space && out.chars > 0;
    out
}

/// Whether the character at byte `i` is whitespace, and its length.
fn char_at(text: &str, i: usize) -> (bool, usize) {
    let b = text.as_bytes()[i];
    if b.is_ascii() {
        (is_ascii_space(b), 1)
    } else {
        let c = text[i..].chars().next().unwrap_or('\u{fffd}');
        (c.is_whitespace(), c.len_utf8())
    }
}

fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c')
}

/// Length in characters, with an ASCII fast path.
pub(crate) fn char_len(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

/// The first `n` characters of `s`.
pub(crate) fn prefix_chars(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// The last ≤ `max` characters of collapsed text, starting at a word boundary: a word cut in
/// two by the limit is dropped, unless it is the only word (then it is cut hard).
pub(crate) fn snippet_left(text: &str, max: usize) -> String {
    let text = text.trim();
    if max == 0 {
        return String::new();
    }
    let Some((start, _)) = text.char_indices().rev().nth(max.saturating_sub(1)) else {
        return text.to_string();
    };
    if start == 0 {
        return text.to_string();
    }
    let cut = &text[start..];
    let mid_word = !text[..start].ends_with(char::is_whitespace);
    if mid_word && let Some(space) = cut.find(char::is_whitespace) {
        return cut[space..].trim().to_string();
    }
    cut.trim().to_string()
}

/// The first ≤ `max` characters of collapsed text, ending at a word boundary: a word cut in
/// two by the limit is dropped, unless it is the only word (then it is cut hard).
pub(crate) fn snippet_right(text: &str, max: usize) -> String {
    let text = text.trim();
    let Some((end, next)) = text.char_indices().nth(max) else {
        return text.to_string();
    };
    let cut = &text[..end];
    if !next.is_whitespace()
        && let Some(space) = cut.rfind(char::is_whitespace)
    {
        return cut[..space].trim().to_string();
    }
    cut.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_entities_with_the_attribute_rules() {
        assert_eq!(
            decode_attr("http://www.example.com/search?q&#x3D;examples&amp;n&#x3D;20"),
            "http://www.example.com/search?q=examples&n=20"
        );
        assert_eq!(decode_attr("/a?x=1&copy=2"), "/a?x=1&copy=2");
        assert_eq!(
            decode_text("Examples &amp; more &copy 1"),
            "Examples & more © 1"
        );
        assert_eq!(decode_text("&#x80;&#0;"), "€\u{fffd}");
        assert!(matches!(decode_text("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn collapses_whitespace_and_caps() {
        assert_eq!(
            clean("  Anchor&#xa0;text\twith \n  white   space ", 100),
            "Anchor text with white space"
        );
        assert_eq!(clean("abcdef ghi", 4), "abcd");
        assert_eq!(clean("ab cd", 3), "ab");
        let mut c = Collapser::new(100);
        c.push_text("char");
        c.push_text("acter ");
        c.push_text(" entities");
        assert_eq!(c.into_string(), "character entities");
    }

    #[test]
    fn collapse_into_appends_and_counts() {
        let (mut dst, mut space) = (String::new(), false);
        let a = collapse_into(&mut dst, &mut space, "  a,\u{a0}bé\tc ");
        assert_eq!(dst, "a, bé c");
        assert_eq!(
            a,
            Appended {
                chars: 7,
                commas: 1,
                trailing_space: true
            }
        );
        let a = collapse_into(&mut dst, &mut space, "d");
        assert_eq!(dst, "a, bé c d");
        assert_eq!(a.chars, 2);
        let a = collapse_into(&mut dst, &mut space, " \n ");
        assert_eq!((a.chars, space), (0, true));
        let a = collapse_into(&mut dst, &mut space, "，e");
        assert_eq!(dst, "a, bé c d ，e");
        assert_eq!((a.chars, a.commas), (3, 1));
    }

    #[test]
    fn snippets_cut_at_word_boundaries() {
        let text = "one two three four";
        assert_eq!(snippet_left(text, 100), text);
        assert_eq!(snippet_left(text, 10), "three four");
        assert_eq!(snippet_left(text, 9), "four");
        assert_eq!(snippet_left("abcdefghij", 4), "ghij");
        assert_eq!(snippet_left("abc", 0), "");
        assert_eq!(snippet_right("abc", 0), "");
        assert_eq!(snippet_right(text, 100), text);
        assert_eq!(snippet_right(text, 9), "one two");
        assert_eq!(snippet_right(text, 7), "one two");
        assert_eq!(snippet_right("abcdefghij", 4), "abcd");
        assert_eq!(snippet_right(" été à la plage ", 6), "été à");
    }
}
