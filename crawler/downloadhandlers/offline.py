"""The download handler of a crawl replayed from its archive: it never downloads anything.

Replaying (``ARCHIVE_CACHE_REPLAY``), the archive cache answers or fails every request before the
downloader would send it, so this handler is never reached. It stands in for Scrapy's HTTP
handlers all the same, so that a request the cache let through by mistake fails at once, loudly
(an ERROR and the ``archive_cache/replay/handler_reached`` count, which fail the rebuild), instead
of reaching the network.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.core.downloader.handlers.base import BaseDownloadHandler

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

logger = logging.getLogger(__name__)

HANDLER_REACHED = "archive_cache/replay/handler_reached"


class OfflineDownloadError(RuntimeError):
    """A replayed crawl tried to download a request."""


class OfflineDownloadHandler(BaseDownloadHandler):
    lazy = False

    async def download_request(self, request: Request) -> Response:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(HANDLER_REACHED)
        logger.error("%s: a replayed crawl never downloads; the archive cache let it by", request)
        raise OfflineDownloadError(f"{request.url}: not downloaded (the crawl is replayed)")
