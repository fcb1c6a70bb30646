#!/usr/bin/env python3
"""Packs the Debian documentation sites laid out by ../shared/scripts/get-doc-sites.sh into a
gzip WARC on stdout (one gzip member per record, as Common Crawl writes them), so that
bench/extract.sh can add real documentation pages to its corpus. Standard library only.

Every `*.html` / `*.htm` file (and `*.html.gz`, unpacked: Debian compresses large pages)
becomes a `response` record for `https://HOST[/PREFIX]/RELATIVE-PATH`, with a plain
`HTTP/1.1 200 OK` and `Content-Type: text/html` (no charset: both extractors detect it).

Usage: pack_doc_sites.py DEST > doc-sites.warc.gz   (DEST holds sites.txt)
"""
import gzip
import os
import sys
import uuid
from datetime import datetime, timezone


def records(dest):
    date = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with open(os.path.join(dest, "sites.txt")) as sites:
        for line in sites:
            fields = line.split()
            if len(fields) < 2 or not os.path.isdir(fields[1]):
                continue
            site, root = fields[0], fields[1]
            for folder, _dirs, files in sorted(os.walk(root)):
                for name in sorted(files):
                    if not name.endswith((".html", ".htm", ".html.gz")):
                        continue
                    path = os.path.join(folder, name)
                    with open(path, "rb") as f:
                        body = f.read()
                    if name.endswith(".gz"):
                        body = gzip.decompress(body)
                        name = name[:-3]
                    rel = os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
                    url = f"https://{site}/{rel}".encode()
                    yield url, date, body


def main(dest):
    out = sys.stdout.buffer
    for url, date, body in records(dest):
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body) + body
        head = (
            b"WARC/1.1\r\nWARC-Type: response\r\nWARC-Target-URI: " + url
            + b"\r\nWARC-Date: " + date
            + b"\r\nWARC-Record-ID: <urn:uuid:" + str(uuid.uuid4()).encode()
            + b">\r\nContent-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n" % len(http)
        )
        out.write(gzip.compress(head + http + b"\r\n\r\n", compresslevel=6))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
