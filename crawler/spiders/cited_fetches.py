"""Guards on the fetches of cited pages that Scrapy would otherwise end without a trace.

Scrapy's duplicate filter drops a request without calling its errback, and a download over
DOWNLOAD_MAXSIZE is cancelled with nothing kept: either way a pair would lose its source silently.
These handlers make both end as an item with a status. The download handler
(``crawler/downloadhandlers/budget.py``) closes the connection of a download stopped here, and
stops budgeted requests at their time budget; :meth:`CitedFetchGuards.cutoff` says which budget a
response ran into.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals
from scrapy.exceptions import StopDownload

from crawler.downloadhandlers.budget import time_budget
from crawler.reading.page import Cutoff
from crawler.truncation import FLAG_DECODED, FLAG_STOPPED, FLAG_TIME

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

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

    def headers_received(self, body_length: int | str, request: scrapy.Request) -> None:
        """Stop a cited page over DOWNLOAD_MAXSIZE ourselves, just before Scrapy would.

        Scrapy cancels such a download and keeps nothing, not even the status; stopped here,
        the status, the headers and the bytes received so far are archived (``WARC-Truncated``)
        and the pair says ``source_truncated``. ``body_length`` is the length the headers
        announce, or Twisted's ``UNKNOWN_LENGTH`` (a string) when they announce none: a chunked
        body, or one that ends when the connection does; those are stopped by their bytes.
        """
        if "cited_url" in request.meta:
            request.meta[META_RECEIVED] = 0
            if isinstance(body_length, int) and body_length > self._maxsize(request.meta) > 0:
                raise StopDownload(fail=False)

    def bytes_received(self, data: bytes, request: scrapy.Request) -> None:
        if META_RECEIVED in request.meta:
            request.meta[META_RECEIVED] += len(data)
            if request.meta[META_RECEIVED] > self._maxsize(request.meta) > 0:
                raise StopDownload(fail=False)

    def cutoff(self, response: Response) -> Cutoff | None:
        """The budget a cited page's response ran into, and how much of it was kept; None when
        none stopped it (a response cut short by the server is not a budget's doing)."""
        flags = set(response.flags)
        # Body bytes as received, still content-encoded: what the record holds.
        kept = int(response.meta.get(META_RECEIVED, len(response.body)))
        if FLAG_TIME in flags:
            return Cutoff("time", time_budget(self.settings), kept)
        if FLAG_STOPPED in flags:
            announced = _header(response, b"Content-Length")
            return Cutoff(
                "size",
                self._maxsize(response.meta),
                kept,
                announced=int(announced) if announced and announced.isdigit() else None,
            )
        if FLAG_DECODED in flags:
            encoding = _header(response, b"Content-Encoding")
            return Cutoff("decoded", self._maxsize(response.meta), kept, encoding=encoding)
        return None

    def _maxsize(self, meta: dict[str, Any]) -> int:
        return int(meta.get("download_maxsize", self.settings.getint("DOWNLOAD_MAXSIZE")))


def _header(response: Response, name: bytes) -> str | None:
    values = response.headers.getlist(name)
    return b", ".join(values).decode("latin-1").strip() if values else None
