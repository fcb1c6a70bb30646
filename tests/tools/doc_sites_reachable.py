#!/usr/bin/env python3
"""The doc-sites pages reachable by links, counted independently of Anchorage.

A breadth-first walk over HTTP(S) against the local servers of nginx-doc-sites.sh (every
host connected at HOST_IP, the certificate checked against --ca for the host's name), with
Python's own http.client, urllib and html.parser — none of Anchorage's code. It applies the
rules `anchorage crawl --scope seeds` documents, restated here:

- Scope: a URL is crawled when its host[:port]/path starts with a seed's host[:port] and
  the seed's path up to its last '/', whatever the scheme.
- A URL is fetched once (GET), in its normal form: scheme and host lower case, default port
  dropped, fragment and credentials removed, dot segments resolved, '\\' read as '/',
  characters outside the WHATWG path/query sets percent-encoded (UTF-8), escapes of
  unreserved characters decoded and other escapes upper-cased, an empty path is '/', an
  empty query is dropped.
- A 3xx answer's Location is followed as a new URL (at most 10 hops in a chain).
- HTML (text/html, application/xhtml+xml, or application/octet-stream that sniffs as HTML)
  gives links: <a href> and <area href> (not rel=nofollow/ugc/sponsored), <iframe src>,
  <frame src>, <link rel=canonical href>, <link rel=alternate href> (not alternate style
  sheets), <meta http-equiv=refresh content="N; url=...">, resolved against the first
  <base href>; nothing inside <noscript>, <template>, <textarea>, <title>, <xmp>, <noembed>
  or <noframes>; none at all from a page whose robots meta tag or X-Robots-Tag says nofollow
  or none. Hrefs that are empty, fragment-only or of another scheme are ignored.

Prints one JSON object: {"fetched": [urls in normal form], "statuses": {code: count}}.

usage: doc_sites_reachable.py --ca CA.pem [--host-ip 127.0.0.1] [--threads 16] SEED_URL...
"""
import argparse
import http.client
import json
import queue
import re
import socket
import ssl
import sys
import threading
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit, urlunsplit, quote

UNRESERVED = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
HEX = set(b"0123456789abcdefABCDEF")
RAW_TEXT = {"noscript", "template", "textarea", "title", "xmp", "noembed", "noframes", "script", "style"}
# WHATWG: the path percent-encode set (C0 controls, space, " # < > ? ` { } and above ~) and
# the special-query percent-encode set (C0, space, " # < > ').
PATH_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in '"#<>?`{}')
QUERY_SAFE = "".join(chr(c) for c in range(0x21, 0x7F) if chr(c) not in "\"#<>'")
SNIFF = [b"<!doctype html", b"<html", b"<head", b"<script", b"<iframe", b"<h1", b"<div",
         b"<font", b"<table", b"<a", b"<style", b"<title", b"<b", b"<body", b"<br", b"<p",
         b"<!--", b"<meta", b"<link"]
MAX_HOPS = 10


def normalize_escapes(s):
    b = s.encode("utf-8")
    out = bytearray()
    i = 0
    while i < len(b):
        if b[i] == 0x25 and i + 2 < len(b) and b[i + 1] in HEX and b[i + 2] in HEX:
            c = int(b[i + 1:i + 3], 16)
            if c in UNRESERVED:
                out.append(c)
            else:
                out += b"%" + b[i + 1:i + 3].upper()
            i += 3
        else:
            out.append(b[i])
            i += 1
    return out.decode("utf-8")


def normalize(url):
    """The normal form of an absolute URL, or None when it is not http(s)."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = parts.hostname.lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        return None
    default = 80 if scheme == "http" else 443
    netloc = host if port in (None, default) else f"{host}:{port}"
    path = quote(parts.path or "/", safe=PATH_SAFE)
    query = quote(parts.query, safe=QUERY_SAFE) if parts.query else ""
    path = normalize_escapes(path)
    query = normalize_escapes(query)
    return urlunsplit((scheme, netloc, path, query, ""))


def resolve(base, href):
    href = href.strip(" \t\n\r\x0c\x00")
    href = re.sub(r"[\t\n\r]", "", href)
    if not href or href.startswith("#"):
        return None
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*):", href)
    if m and m.group(1).lower() not in ("http", "https"):
        return None
    href = href.replace("\\", "/")
    try:
        return normalize(urljoin(base, href))
    except ValueError:
        return None


class Links(HTMLParser):
    def __init__(self, url):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.base = None
        self.hrefs = []  # (href, resolve_against_page)
        self.nofollow = False
        self.raw = 0

    def handle_starttag(self, tag, attrs):
        if tag in RAW_TEXT:
            self.raw += 1
            return
        if self.raw:
            return
        a = {}
        for k, v in attrs:
            a.setdefault(k, v if v is not None else "")
        rel = a.get("rel", "").lower().split()
        if tag == "base" and self.base is None and "href" in a:
            b = resolve(self.url, a["href"])
            self.base = b
        elif tag in ("a", "area") and "href" in a:
            if not ({"nofollow", "ugc", "sponsored"} & set(rel)):
                self.hrefs.append(a["href"])
        elif tag in ("iframe", "frame") and "src" in a:
            self.hrefs.append(a["src"])
        elif tag == "link" and "href" in a:
            if "canonical" in rel or ("alternate" in rel and "stylesheet" not in rel):
                self.hrefs.append(a["href"])
        elif tag == "meta":
            name = a.get("name", "").lower()
            if name in ("robots", "googlebot"):
                words = re.split(r"[,\s]+", a.get("content", "").lower())
                if "nofollow" in words or "none" in words:
                    self.nofollow = True
            if a.get("http-equiv", "").lower() == "refresh":
                m = re.search(r"url\s*=\s*['\"]?([^'\"]*)", a.get("content", ""), re.I)
                if m:
                    self.hrefs.append(m.group(1))

    def handle_startendtag(self, tag, attrs):
        if tag in RAW_TEXT:
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag):
        if tag in RAW_TEXT and self.raw:
            self.raw -= 1

    def targets(self):
        if self.nofollow:
            return []
        base = self.base or self.url
        return [u for u in (resolve(base, h) for h in self.hrefs) if u]


def is_html(content_type, body):
    essence = content_type.split(";")[0].strip().lower()
    if essence in ("text/html", "application/xhtml+xml", "application/vnd.wap.xhtml+xml", "text/xhtml"):
        return True
    if essence in ("", "application/octet-stream", "application/unknown", "unknown/unknown", "*/*", "binary/octet-stream"):
        head = body.lstrip(b" \t\n\r\x0c")
        for p in SNIFF:
            if len(head) > len(p) and head[:len(p)].lower() == p and head[len(p):len(p) + 1] in (b" ", b">", b"\t", b"\n", b"\r", b"\x0c"):
                return True
    return False


def charset(content_type, body):
    m = re.search(r"charset=([\w-]+)", content_type, re.I) or re.search(rb"<meta[^>]+charset=[\"']?([\w-]+)", body[:2048], re.I)
    name = m.group(1) if m else "utf-8"
    return name.decode() if isinstance(name, bytes) else name


class Fetcher:
    """One keep-alive connection per (scheme, host, port) and thread."""

    def __init__(self, host_ip, context):
        self.host_ip = host_ip
        self.context = context
        self.local = threading.local()

    def get(self, url):
        parts = urlsplit(url)
        key = (parts.scheme, parts.hostname, parts.port)
        conns = self.local.__dict__.setdefault("conns", {})
        for attempt in range(2):
            conn = conns.get(key) or self.connect(parts)
            conns[key] = conn
            target = parts.path + ("?" + parts.query if parts.query else "")
            try:
                conn.request("GET", target, headers={"Host": parts.netloc, "User-Agent": "doc-sites-reachable"})
                r = conn.getresponse()
                body = r.read()
                return r.status, dict((k.lower(), v) for k, v in r.getheaders()), body
            except (http.client.HTTPException, OSError):
                conn.close()
                conns.pop(key, None)
                if attempt:
                    raise

    def connect(self, parts):
        ip = self.host_ip
        if parts.scheme == "https":
            conn = http.client.HTTPSConnection(parts.hostname, parts.port or 443, context=self.context, timeout=30)
        else:
            conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=30)
        conn._create_connection = lambda addr, timeout, src: socket.create_connection((ip, addr[1]), timeout)
        return conn


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ca", required=True)
    ap.add_argument("--host-ip", default="127.0.0.1")
    ap.add_argument("--threads", type=int, default=16)
    ap.add_argument("seeds", nargs="+")
    args = ap.parse_args()
    context = ssl.create_default_context(cafile=args.ca)
    fetcher = Fetcher(args.host_ip, context)
    seeds = [normalize(s) for s in args.seeds]

    def prefix(u):
        p = urlsplit(u)
        path = p.path[: p.path.rfind("/") + 1]
        return p.netloc + path

    prefixes = [prefix(s) for s in seeds]

    def in_scope(u):
        p = urlsplit(u)
        plain = p.netloc + p.path + ("?" + p.query if p.query else "")
        return any(plain.startswith(x) for x in prefixes)

    seen = set()
    lock = threading.Lock()
    work = queue.Queue()
    fetched, statuses, errors = [], {}, []

    def offer(u, hops):
        with lock:
            if u in seen:
                return
            seen.add(u)
        work.put((u, hops))

    def handle(u, hops):
        status, headers, body = fetcher.get(u)
        with lock:
            fetched.append(u)
            statuses[status] = statuses.get(status, 0) + 1
        found = []
        if 300 <= status < 400 and "location" in headers:
            t = resolve(u, headers["location"])
            if t and hops < MAX_HOPS:
                found.append((t, hops + 1))
        ct = headers.get("content-type", "")
        if 200 <= status < 600 and is_html(ct, body):
            robots = headers.get("x-robots-tag", "").lower()
            p = Links(u)
            try:
                p.feed(body.decode(charset(ct, body), errors="replace"))
                p.close()
            except (LookupError, AssertionError):
                p.feed(body.decode("utf-8", errors="replace"))
            if "nofollow" not in robots and "none" not in robots:
                found += [(t, 0) for t in p.targets()]
        for t, h in found:
            if in_scope(t):
                offer(t, h)

    def worker():
        while True:
            item = work.get()
            if item is None:
                return
            try:
                handle(*item)
            except Exception as e:  # noqa: BLE001 - report, keep walking
                with lock:
                    errors.append(f"{item[0]}: {e}")
            finally:
                work.task_done()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(args.threads)]
    for t in threads:
        t.start()
    for s in seeds:
        offer(s, 0)
    work.join()
    for _ in threads:
        work.put(None)
    json.dump({"fetched": sorted(fetched), "statuses": statuses, "errors": errors}, sys.stdout)


if __name__ == "__main__":
    main()
