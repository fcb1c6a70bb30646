#!/usr/bin/env python3
"""An independent `<a href>` extractor, the reference side of Anchorage's agreement test.

Nothing here is shared with Anchorage: WARC records are read with warcio (which also undoes
chunked transfer and gzip/deflate/brotli content encodings), bodies are decoded with the
WHATWG-style rule below, and the HTML is parsed by lxml (libxml2's HTML parser, whose error
recovery is *not* the HTML5 tree-building algorithm -- that is one of the things the test
looks at).

For every `response` record whose HTTP Content-Type is HTML it prints one JSON object per
hyperlink -- `<a href>`, and `<area href>` (HTML's other hyperlink element):

    {"url_from": ..., "url_to": ..., "nofollow": ..., "anchor": ..., "href": ...,
     "tag": "a", "in_noscript": false}

- url_from: the record's WARC-Target-URI, as captured.
- url_to: the href resolved with urllib.parse.urljoin against the first `<base href>` (itself
  resolved against url_from; ignored unless it gives an http(s) URL), fragment dropped; only
  http and https targets are printed. Empty and fragment-only hrefs are same-document
  references (RFC 3986 section 4.4), not links to another page, and are not printed.
- nofollow: the rel attribute, split on whitespace, contains "nofollow" (any case).
- anchor: lxml's text_content() of the element, whitespace collapsed (str.split()); for
  `<area>`, which has no content, its alt attribute.
- href: the attribute as lxml decoded it, trimmed; tag: "a" or "area"; in_noscript: the element is inside a `<noscript>` (libxml2 parses
  noscript content as markup, a scripting browser as raw text: the test tells them apart).

Usage: lxml_links.py FILE.warc[.gz]...
"""
import codecs
import json
import re
import sys
from urllib.parse import urldefrag, urljoin, urlsplit

import lxml.html
from lxml import etree
from warcio.archiveiterator import ArchiveIterator

HTML_TYPES = {"text/html", "application/xhtml+xml"}
# WHATWG: a meta charset counts when it is in the first 1024 bytes.
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.I)
# Labels the WHATWG Encoding Standard maps to windows-1252 (Python's latin-1 differs at 0x80-0x9F).
WINDOWS_1252 = {"latin1", "latin-1", "iso-8859-1", "iso8859-1", "l1", "us-ascii", "ascii", "cp819"}


def essence_and_charset(content_type):
    parts = [p.strip() for p in (content_type or "").split(";")]
    charset = None
    for p in parts[1:]:
        key, _, value = p.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    return parts[0].lower(), charset


def codec(label):
    """A Python codec for an encoding label, or None when Python does not know it."""
    if not label:
        return None
    label = label.strip().lower()
    if label in WINDOWS_1252:
        return "cp1252"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    return name


def decode(body, http_charset):
    """BOM, then the HTTP charset, then <meta charset>, then UTF-8 if valid, else windows-1252."""
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if body.startswith(bom):
            return body[len(bom):].decode(name, "replace")
    name = codec(http_charset)
    if name is None:
        m = META_CHARSET.search(body[:1024])
        name = codec(m.group(1).decode("ascii", "replace")) if m else None
        # WHATWG: a document that declares UTF-16 in its own markup is ASCII-compatible, so
        # really UTF-8 (a real UTF-16 document has a BOM, handled above).
        if name and name.startswith("utf-16"):
            name = "utf-8"
    if name is None:
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            name = "cp1252"
    return body.decode(name, "replace")


def parse(text):
    """lxml's HTML tree, or None for a document it rejects (an empty one)."""
    # Handing lxml UTF-8 bytes with the encoding forced keeps it from re-detecting a charset
    # (and from rejecting a str that carries an XML encoding declaration).
    parser = lxml.html.HTMLParser(encoding="utf-8")
    try:
        return lxml.html.document_fromstring(text.encode("utf-8", "surrogatepass"), parser=parser)
    except (etree.ParserError, ValueError):
        return None


def links(url_from, doc):
    base = url_from
    first_base = doc.find(".//base[@href]")
    if first_base is not None:
        candidate = urljoin(url_from, first_base.get("href").strip())
        if urlsplit(candidate).scheme in ("http", "https"):
            base = candidate
    for a in doc.iter("a", "area"):
        href = a.get("href")
        if href is None:
            continue
        href = href.strip()
        if not href or href.startswith("#"):
            continue
        try:
            url_to = urldefrag(urljoin(base, href)).url
            scheme = urlsplit(url_to).scheme
        except ValueError:  # e.g. an invalid IPv6 literal
            continue
        if scheme not in ("http", "https"):
            continue
        rel = (a.get("rel") or "").lower().split()
        text = (a.get("alt") or "") if a.tag == "area" else a.text_content()
        yield {
            "url_from": url_from,
            "url_to": url_to,
            "nofollow": "nofollow" in rel,
            "anchor": " ".join(text.split()),
            "href": href,
            "tag": a.tag,
            "in_noscript": any(p.tag == "noscript" for p in a.iterancestors()),
        }


def main(paths):
    out = sys.stdout
    for path in paths:
        with open(path, "rb") as f:
            try:
                for record in ArchiveIterator(f):
                    if record.rec_type != "response" or record.http_headers is None:
                        continue
                    essence, charset = essence_and_charset(record.http_headers.get_header("Content-Type"))
                    if essence not in HTML_TYPES:
                        continue
                    url_from = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<>")
                    try:
                        body = record.content_stream().read()
                    except Exception as e:  # a cut capture: keep going with the next file
                        print(f"{path}: {url_from}: {e}", file=sys.stderr)
                        continue
                    doc = parse(decode(body, charset))
                    if doc is None:
                        continue
                    for link in links(url_from, doc):
                        out.write(json.dumps(link, ensure_ascii=False) + "\n")
            except Exception as e:  # damaged framing: what was read so far stands
                print(f"{path}: stopped reading: {e}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
