#!/usr/bin/env python3
"""Scrapy crawling the local doc sites: the peer of `anchorage crawl` in bench/crawl.sh.

Same limits as the Anchorage run: the seeds' directories in scope (either scheme), 64
requests in flight and 64 per host, no delay, no retries, robots.txt obeyed, redirects
followed as requests (at most 10), 16 MiB per response, 30 s timeout; every host resolved
to 127.0.0.1 (the resolver below); certificates not verified (Scrapy's default). Links are
taken like Anchorage takes them: <a>/<area> href (not nofollow), <iframe>/<frame> src,
<link rel=canonical|alternate> href, meta refresh.

usage: scrapy_doc_sites.py STATS_JSON SEED_URL...
Prints nothing; writes Scrapy's stats (with "pages": responses other than robots.txt) to
STATS_JSON.
"""
import json
import re
import sys
import time
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer


class LoopbackResolver(CachingThreadedResolver):
    """Every name is 127.0.0.1 (like `--resolve HOST:127.0.0.1` for each host)."""

    def getHostByName(self, name, timeout=None):
        return defer.succeed("127.0.0.1")


def prefix(url):
    p = urlsplit(url)
    return p.netloc + p.path[: p.path.rfind("/") + 1]


class DocSites(scrapy.Spider):
    name = "doc_sites"

    def __init__(self, seeds, **kw):
        super().__init__(**kw)
        self.start_urls = seeds
        self.prefixes = [prefix(s) for s in seeds]
        self.pages = 0

    def in_scope(self, url):
        p = urlsplit(url)
        plain = p.netloc + p.path + ("?" + p.query if p.query else "")
        return any(plain.startswith(x) for x in self.prefixes)

    def parse(self, response):
        self.pages += 1
        if not isinstance(response, scrapy.http.HtmlResponse):
            return
        base = response.xpath("//base/@href").get()
        hrefs = response.xpath(
            "//a[@href][not(contains(@rel,'nofollow'))]/@href | //area[@href]/@href"
            " | //iframe/@src | //frame/@src"
            " | //link[contains(@rel,'canonical') or (contains(@rel,'alternate') and not(contains(@rel,'stylesheet')))]/@href"
        ).getall()
        for refresh in response.xpath("//meta[translate(@http-equiv,'REFSH','refsh')='refresh']/@content").getall():
            m = re.search(r"url\s*=\s*['\"]?([^'\"]*)", refresh, re.I)
            if m:
                hrefs.append(m.group(1))
        base_url = response.urljoin(base.strip()) if base else response.url
        for href in hrefs:
            href = href.strip()
            if not href or href.startswith("#"):
                continue
            url = urljoin(base_url, href).split("#")[0]
            if url.startswith(("http://", "https://")) and self.in_scope(url):
                yield scrapy.Request(url, callback=self.parse)


def main():
    stats_file, seeds = sys.argv[1], sys.argv[2:]
    process = CrawlerProcess(
        settings={
            "LOG_LEVEL": "WARNING",
            "DNS_RESOLVER": LoopbackResolver,
            "CONCURRENT_REQUESTS": 64,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 64,
            "DOWNLOAD_DELAY": 0,
            "RETRY_ENABLED": False,
            "ROBOTSTXT_OBEY": True,
            "REDIRECT_MAX_TIMES": 10,
            "DOWNLOAD_MAXSIZE": 16 * 1024 * 1024,
            "DOWNLOAD_TIMEOUT": 30,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "HTTPERROR_ALLOW_ALL": True,
            "USER_AGENT": "scrapy-doc-sites-benchmark",
        }
    )
    crawler = process.create_crawler(DocSites)
    started = time.monotonic()
    process.crawl(crawler, seeds=seeds)
    process.start()
    seconds = time.monotonic() - started
    stats = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in crawler.stats.get_stats().items()}
    responses = stats.get("downloader/response_count", 0)
    robots = stats.get("robotstxt/response_count", 0)
    stats["pages"] = responses - robots
    stats["seconds"] = seconds
    with open(stats_file, "w") as f:
        json.dump(stats, f, indent=1, default=str)


if __name__ == "__main__":
    main()
