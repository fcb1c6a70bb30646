#!/usr/bin/env python3
"""The Python peer of bench/extract.sh: FastWARC + Resiliparse, the fastest Python WARC/HTML
stack we know of, extracting the same `<a href>` links as `anchorage extract`.

For every WARC response whose HTTP Content-Type is HTML (text/html, application/xhtml+xml):
the body (chunked transfer and gzip/deflate content encodings undone, as Anchorage does), its
encoding (HTTP charset, else Resiliparse's detect_encoding), HTMLTree.parse_from_bytes, then
ONE walk of the DOM with traverse_dom -- never indexing element collections, which costs O(n)
per access in Resiliparse -- collecting each `<a href>` with its anchor text (whitespace
collapsed) and rel, resolved with urljoin against the first `<base href>`, fragment dropped,
http(s) only. Like Anchorage, it writes one JSON line per page (to be sent to /dev/null) and
reports on stderr: "html_pages N links N".

Usage: resiliparse_links.py FILE.warc.gz...
"""
import json
import sys
import zlib
from urllib.parse import urldefrag, urljoin, urlsplit

from fastwarc.warc import ArchiveIterator, WarcRecordType
from resiliparse.parse.encoding import detect_encoding
from resiliparse.parse.html import HTMLTree, NodeType, traverse_dom
from resiliparse.parse.http import iterate_http_chunks

HTML_TYPES = {"text/html", "application/xhtml+xml"}


def body_of(record):
    headers = record.http_headers
    if "chunked" in (headers.get("Transfer-Encoding") or "").lower():
        body = b"".join(iterate_http_chunks(record.reader))
    else:
        body = record.reader.read()
    coding = (headers.get("Content-Encoding") or "").strip().lower()
    if coding in ("gzip", "x-gzip", "deflate"):
        try:
            # 32 + MAX_WBITS: gzip or zlib header, told automatically.
            body = zlib.decompress(body, 32 + zlib.MAX_WBITS)
        except zlib.error:
            pass
    return body


class Walk:
    """State of one traverse_dom pass: open anchors and what was found."""

    __slots__ = ("base", "found", "open")

    def __init__(self):
        self.base = None
        self.found = []  # [href, rel, [text pieces]]
        self.open = []  # the entries of `found` whose <a> is open

    def start(self, ctx):
        node = ctx.node
        if node.type == NodeType.TEXT:
            if self.open:
                text = node.text
                for link in self.open:
                    link[2].append(text)
            return
        if node.type != NodeType.ELEMENT:
            return
        tag = node.tag
        if tag == "a":
            href = node.getattr("href")
            if href is not None:
                link = [href, node.getattr("rel") or "", []]
                self.found.append(link)
                self.open.append(link)
        elif tag == "base" and self.base is None:
            href = node.getattr("href")
            if href is not None:
                self.base = href
        elif tag in ("br", "p", "div", "li", "td", "th", "tr", "h1", "h2", "h3", "h4", "h5", "h6"):
            # Block boundaries separate words, as in Anchorage's anchors.
            for link in self.open:
                link[2].append(" ")

    def end(self, ctx):
        node = ctx.node
        if node.type == NodeType.ELEMENT and node.tag == "a" and self.open:
            if node.getattr("href") is not None:
                self.open.pop()


def links_of(url, tree):
    walk = Walk()
    traverse_dom(tree.document, walk.start, walk.end)
    base = url
    if walk.base is not None:
        candidate = urljoin(url, walk.base.strip())
        if candidate.startswith(("http://", "https://")):
            base = candidate
    out = []
    for href, rel, text in walk.found:
        href = href.strip()
        if not href or href.startswith("#"):
            continue
        try:
            target = urldefrag(urljoin(base, href)).url
            if urlsplit(target).scheme not in ("http", "https"):
                continue
        except ValueError:
            continue
        out.append({
            "url_to": target,
            "anchor": " ".join("".join(text).split()),
            "nofollow": "nofollow" in rel.lower().split(),
        })
    return out


def main(paths):
    pages = links = 0
    write = sys.stdout.write
    for path in paths:
        with open(path, "rb") as f:
            for record in ArchiveIterator(f, record_types=WarcRecordType.response, parse_http=True):
                if record.http_headers is None:
                    continue
                content_type = (record.http_content_type or "").lower()
                if content_type not in HTML_TYPES:
                    continue
                url = record.headers.get("WARC-Target-URI", "").strip("<>")
                body = body_of(record)
                encoding = record.http_charset or detect_encoding(body)
                tree = HTMLTree.parse_from_bytes(body, encoding)
                found = links_of(url, tree)
                pages += 1
                links += len(found)
                write(json.dumps({"url": url, "links": found}) + "\n")
    print(f"html_pages {pages} links {links}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])
