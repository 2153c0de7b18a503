"""A fetch-only Scrapy crawl of a list of URLs: the baseline of ``bench/scale.py``.

Fetches every URL of ``URL_FILE`` (one a line) once, in order, and does nothing with the answers:
none of the project's settings, middlewares, extensions or pipelines, no robots.txt, no redirects
followed and no retries (the list already holds every hop and every robots.txt the real crawl
fetched). Run it in its own process, with ``http_proxy``/``https_proxy`` set:

    python bench/fetch_only.py URL_FILE --concurrency 32
"""

from __future__ import annotations

import argparse
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess


class FetchOnlySpider(scrapy.Spider):
    name = "fetch-only"

    def __init__(self, url_file: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.urls = Path(url_file).read_text(encoding="utf-8").split()

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.failed, dont_filter=True)

    def parse(self, response: Any) -> None:
        return None

    def failed(self, failure: Any) -> None:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url_file", type=Path)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--per-domain", type=int, default=8)
    args = parser.parse_args()
    process = CrawlerProcess(
        {
            "CONCURRENT_REQUESTS": args.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_domain,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "ROBOTSTXT_OBEY": False,
            "REDIRECT_ENABLED": False,
            "RETRY_ENABLED": False,
            "HTTPERROR_ALLOW_ALL": True,
            "DOWNLOAD_FAIL_ON_DATALOSS": False,
            "DOWNLOAD_TIMEOUT": 20,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "WARNING",
        }
    )
    process.crawl(FetchOnlySpider, url_file=str(args.url_file))
    process.start()


if __name__ == "__main__":
    main()
