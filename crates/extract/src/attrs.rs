//! Attributes read straight from the raw start tag, without allocating.
//!
//! lol_html hands us each start tag's byte range; scanning its attributes ourselves follows the
//! HTML tokenizer's attribute states (names end at whitespace, `/`, `>` or `=`; values are
//! double-quoted, single-quoted or unquoted; a duplicate attribute is ignored, so the first
//! wins) and avoids the two `String`s lol_html's `get_attribute` allocates per lookup.
//! Values come back raw: entities are decoded by the caller ([`crate::text::decode_attr`]).

/// One attribute: name as written (compare with [`Attr::is`]) and raw value (`""` when the
/// attribute has no value).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Attr<'a> {
    pub name: &'a str,
    pub value: &'a str,
}

impl Attr<'_> {
    /// ASCII case-insensitive name comparison (`name` is given in lower case).
    pub(crate) fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// Iterates over the attributes of a raw start tag such as `<a HREF="x" rel=nofollow>`.
pub(crate) struct Attrs<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Attrs<'a> {
    pub(crate) fn new(raw_tag: &'a str) -> Self {
        let bytes = raw_tag.as_bytes();
        // Skip `<` and the tag name.
        let pos = bytes
            .iter()
            .skip(1)
            .position(|&b| is_space(b) || b == b'/' || b == b'>')
            .map_or(bytes.len(), |p| p + 1);
        Attrs { src: raw_tag, pos }
    }

    fn skip_while(&mut self, f: impl Fn(u8) -> bool) {
        let bytes = self.src.as_bytes();
        while self.pos < bytes.len() && f(bytes[self.pos]) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.src.as_bytes().get(self.pos).copied()
    }

    fn value(&mut self) -> &'a str {
        self.skip_while(is_space);
        match self.peek() {
            Some(q @ (b'"' | b'\'')) => {
                self.pos += 1;
                let start = self.pos;
                self.skip_while(|b| b != q);
                let value = &self.src[start..self.pos];
                self.pos = (self.pos + 1).min(self.src.len());
                value
            }
            Some(b'>') | None => "",
            Some(_) => {
                let start = self.pos;
                self.skip_while(|b| !is_space(b) && b != b'>');
                &self.src[start..self.pos]
            }
        }
    }
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Attr<'a>;

    fn next(&mut self) -> Option<Attr<'a>> {
        loop {
            self.skip_while(|b| is_space(b) || b == b'/');
            match self.peek() {
                None | Some(b'>') => return None,
                Some(_) => {}
            }
            let start = self.pos;
            // The first character may be `=` (a parse error the tokenizer keeps in the name).
            self.pos += 1;
            self.skip_while(|b| !is_space(b) && !matches!(b, b'/' | b'>' | b'='));
            let name = &self.src[start..self.pos];
            self.skip_while(is_space);
            let value = if self.peek() == Some(b'=') {
                self.pos += 1;
                self.value()
            } else {
                ""
            };
            if !name.is_empty() {
                return Some(Attr { name, value });
            }
        }
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

/// The raw value of the first attribute called `name` (lower case), if present.
pub(crate) fn get<'a>(raw_tag: &'a str, name: &str) -> Option<&'a str> {
    Attrs::new(raw_tag).find(|a| a.is(name)).map(|a| a.value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(raw: &str) -> Vec<(String, String)> {
        Attrs::new(raw)
            .map(|a| (a.name.to_string(), a.value.to_string()))
            .collect()
    }

    #[test]
    fn reads_quoted_unquoted_and_bare_attributes() {
        assert_eq!(
            all(r#"<a HREF="x y" rel='nofollow ugc' target=_blank download>"#),
            vec![
                ("HREF".into(), "x y".into()),
                ("rel".into(), "nofollow ugc".into()),
                ("target".into(), "_blank".into()),
                ("download".into(), "".into()),
            ]
        );
        assert_eq!(
            get("<A hRef = http://www.example.com/ >", "href"),
            Some("http://www.example.com/")
        );
        assert_eq!(
            get(r#"<img src="a.png" alt="IMG@/src"/>"#, "alt"),
            Some("IMG@/src")
        );
        assert_eq!(get("<br/>", "href"), None);
    }

    #[test]
    fn first_duplicate_wins_and_broken_tags_end_cleanly() {
        assert_eq!(get(r#"<a href="1" href="2">"#, "href"), Some("1"));
        assert_eq!(
            all(r#"<a href="unterminated"#),
            vec![("href".into(), "unterminated".into())]
        );
        assert_eq!(all("<a href=>"), vec![("href".into(), "".into())]);
        assert_eq!(all(r#"<a x="1"y="2">"#).len(), 2);
        assert_eq!(all("<p =x>"), vec![("=x".into(), "".into())]);
    }

    #[test]
    fn multibyte_values_keep_char_boundaries() {
        assert_eq!(get("<a title=\"ça va\" href=/é>", "href"), Some("/é"));
    }
}
