"""Guards on the fetches of cited pages that Scrapy would otherwise end without a trace.

Scrapy's duplicate filter drops a request without calling its errback, and a download over
DOWNLOAD_MAXSIZE is cancelled with nothing kept: either way a pair would lose its source silently.
These handlers make both end as an item with a status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals
from scrapy.exceptions import StopDownload

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

META_RECEIVED = "bitext_bytes_received"  # body bytes of a cited page's current download


class CitedFetchGuards:
    """Spider mixin for requests that carry ``meta["cited_url"]``."""

    crawler: Crawler
    settings: Any

    def connect_fetch_guards(self, crawler: Crawler) -> None:
        crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(self.headers_received, signal=signals.headers_received)
        crawler.signals.connect(self.bytes_received, signal=signals.bytes_received)

    def request_dropped(self, request: scrapy.Request) -> None:
        """Fetch again a cited URL's request that the duplicate filter dropped.

        Each cited URL is requested once, so the filter only drops one that collides with
        another's fetch: a redirect hop to a page fetched before, a cited URL that another
        citation's redirect reached first, or the chain's own start in a redirect loop. It calls
        no errback, so the pair would end ``source_not_fetched``. Refetched, the request gets its
        item; in a loop, its redirect is not followed again and the errback names the loop.
        """
        if "cited_url" not in request.meta or request.dont_filter:
            return
        again = request.replace(dont_filter=True)
        if request.url in request.meta.get("redirect_urls", ()):
            again.meta["dont_redirect"] = True
        assert self.crawler.engine is not None
        self.crawler.engine.crawl(again)

    def headers_received(self, body_length: int, request: scrapy.Request) -> None:
        """Stop a cited page over DOWNLOAD_MAXSIZE ourselves, just before Scrapy would.

        Scrapy cancels such a download and keeps nothing, not even the status; stopped here,
        the status, the headers and the bytes received so far are archived (``WARC-Truncated``)
        and the pair says ``source_truncated``.
        """
        if "cited_url" in request.meta:
            request.meta[META_RECEIVED] = 0
            if body_length > self._maxsize(request.meta) > 0:
                raise StopDownload(fail=False)

    def bytes_received(self, data: bytes, request: scrapy.Request) -> None:
        if META_RECEIVED in request.meta:
            request.meta[META_RECEIVED] += len(data)
            if request.meta[META_RECEIVED] > self._maxsize(request.meta) > 0:
                raise StopDownload(fail=False)

    def _maxsize(self, meta: dict[str, Any]) -> int:
        return int(meta.get("download_maxsize", self.settings.getint("DOWNLOAD_MAXSIZE")))
