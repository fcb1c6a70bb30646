//! Sitemaps (sitemaps.org): `<urlset><url><loc>` gives pages, `<sitemapindex><sitemap><loc>`
//! gives more sitemaps. A gzip file (by its magic bytes) is decompressed within the decoded
//! size cap. At most [`MAX_LOCS`] locations are read from one file (the protocol's limit).

use flate2::read::GzDecoder;
use quick_xml::Reader;
use quick_xml::events::Event;
use std::io::Read;

/// The sitemap protocol's limit of URLs per file.
pub(crate) const MAX_LOCS: usize = 50_000;

/// Locations found in one sitemap file.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Locs {
    pub pages: Vec<String>,
    pub sitemaps: Vec<String>,
}

/// Reads the `<loc>` elements of a sitemap or sitemap index.
pub(crate) fn parse(body: &[u8], max_decoded: usize) -> Locs {
    let inflated;
    let xml = if body.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::new();
        // A damaged or over-long stream keeps what was decoded.
        let _ = GzDecoder::new(body)
            .take(max_decoded as u64)
            .read_to_end(&mut out);
        inflated = out;
        inflated.as_slice()
    } else {
        body
    };
    read_locs(xml)
}

fn read_locs(xml: &[u8]) -> Locs {
    let mut reader = Reader::from_reader(xml);
    let mut locs = Locs::default();
    // Some(true) inside <sitemap>, Some(false) inside <url>.
    let mut parent: Option<bool> = None;
    // The text of the current <loc>; entities arrive as separate events.
    let mut loc: Option<String> = None;
    let mut buf = Vec::new();
    loop {
        match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "sitemap" => parent = Some(true),
                "url" => parent = Some(false),
                "loc" => loc = Some(String::new()),
                _ => {}
            },
            Ok(Event::End(e)) => match e.local_name().as_ref() {
                "sitemap" | "url" => parent = None,
                "loc" => push(&mut locs, parent, loc.take().unwrap_or_default()),
                _ => {}
            },
            Ok(Event::Text(t)) => {
                if let Some(text) = loc.as_mut() {
                    text.push_str(&t.xml10_content());
                }
            }
            Ok(Event::CData(t)) => {
                if let Some(text) = loc.as_mut() {
                    text.push_str(&t.into_inner());
                }
            }
            Ok(Event::GeneralRef(r)) => {
                if let Some(text) = loc.as_mut() {
                    push_entity(text, &r);
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
        if locs.pages.len() + locs.sitemaps.len() >= MAX_LOCS {
            break;
        }
        buf.clear();
    }
    locs
}

fn push_entity(text: &mut String, r: &quick_xml::events::BytesRef<'_>) {
    if r.is_char_ref() {
        if let Ok(Some(c)) = r.resolve_char_ref() {
            text.push(c);
        }
    } else if let Some(s) = quick_xml::escape::resolve_predefined_entity(&r.xml10_content()) {
        text.push_str(s);
    }
}

fn push(locs: &mut Locs, parent: Option<bool>, text: String) {
    let url = text.trim();
    if url.is_empty() {
        return;
    }
    match parent {
        Some(true) => locs.sitemaps.push(url.to_string()),
        _ => locs.pages.push(url.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    #[test]
    fn urlsets_and_indexes() {
        let urlset = br#"<?xml version="1.0" encoding="UTF-8"?>
            <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <url><loc>https://a.test/one?x=1&amp;y=2</loc><lastmod>2024-01-01</lastmod></url>
              <url><loc> <![CDATA[https://a.test/two]]> </loc></url>
            </urlset>"#;
        let locs = parse(urlset, 1 << 20);
        assert_eq!(
            locs.pages,
            ["https://a.test/one?x=1&y=2", "https://a.test/two"]
        );
        let index = br#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
              <sitemap><loc>https://a.test/s1.xml.gz</loc></sitemap></sitemapindex>"#;
        let locs = parse(index, 1 << 20);
        assert_eq!(locs.sitemaps, ["https://a.test/s1.xml.gz"]);
        assert!(locs.pages.is_empty());
    }

    #[test]
    fn gzip_and_garbage() {
        let mut gz = GzEncoder::new(Vec::new(), Compression::default());
        gz.write_all(b"<urlset><url><loc>https://a.test/z</loc></url></urlset>")
            .unwrap();
        let locs = parse(&gz.finish().unwrap(), 1 << 20);
        assert_eq!(locs.pages, ["https://a.test/z"]);
        assert_eq!(parse(b"\x1f\x8b garbage", 100), Locs::default());
        assert_eq!(parse(b"<html><body><p>no", 100), Locs::default());
    }
}
