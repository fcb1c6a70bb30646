#!/usr/bin/env python3
"""Independent reading of WARC files, used to derive the expected rows of Anchorage's tests.

Standard library only: raw WARC records (gzip members or plain), Python's html.parser for
`<a href>`, urllib.parse.urljoin against the first `<base href>`, fragments dropped. For each
page the latest 200 capture counts. Prints (url_from, url_to, count) for the external links to a
host and its subdomains:

    python3 tests/tools/independent_links.py ../shared/testdata/warc allenai.org
"""
import os
import sys
import zlib
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit


def inflate_members(raw):
    out = b""
    while raw:
        d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += d.decompress(raw)
        except zlib.error:
            break
        raw = d.unused_data
    return out


def records(path):
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = inflate_members(raw)
    pos = 0
    while True:
        i = raw.find(b"WARC/", pos)
        if i < 0:
            return
        head_end = raw.find(b"\r\n\r\n", i)
        if head_end < 0:
            return
        headers = {}
        for line in raw[i:head_end].decode("latin1").split("\r\n")[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        n = int(headers.get("content-length", "0") or 0)
        yield headers, raw[head_end + 4 : head_end + 4 + n]
        pos = head_end + 4 + n


class Links(HTMLParser):
    def __init__(self, base):
        super().__init__(convert_charrefs=True)
        self.base, self.base_seen, self.hrefs = base, False, []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "base" and a.get("href") and not self.base_seen:
            self.base, self.base_seen = urljoin(self.base, a["href"]), True
        if tag == "a" and a.get("href") is not None:
            self.hrefs.append(urljoin(self.base, a["href"].strip()))


def root(host):
    parts = host.split(".")
    if host.endswith((".github.io", ".co.uk", ".ac.uk")):
        return ".".join(parts[-3:])
    return ".".join(parts[-2:])


def norm(u):
    s = urlsplit(u)
    return urlunsplit((s.scheme, s.netloc.lower(), s.path or "/", s.query, ""))


def main(warc_dir, target):
    latest = {}
    for name in sorted(os.listdir(warc_dir)):
        if ".wat" in name or ".wet" in name:
            continue
        for h, block in records(os.path.join(warc_dir, name)):
            uri = h.get("warc-target-uri", "").strip("<>")
            if h.get("warc-type") != "response" or not uri.startswith("http"):
                continue
            sep = block.find(b"\r\n\r\n")
            if b" 200" not in block[: block.find(b"\r\n")]:
                continue
            parser = Links(uri)
            parser.feed(block[sep + 4 :].decode("utf-8", "replace"))
            counts = Counter()
            for href in parser.hrefs:
                host = urlsplit(href).hostname or ""
                if (host == target or host.endswith("." + target)) and root(urlsplit(uri).hostname) != root(host):
                    counts[norm(href)] += 1
            date = h.get("warc-date", "")
            if norm(uri) not in latest or latest[norm(uri)][0] <= date:
                latest[norm(uri)] = (date, counts)
    for page in sorted(latest):
        for url, n in sorted(latest[page][1].items()):
            print(f'("{page}", "{url}", {n}),')


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
