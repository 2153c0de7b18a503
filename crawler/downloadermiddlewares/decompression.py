"""Scrapy's HttpCompressionMiddleware, which keeps a budgeted response that decodes too large.

Scrapy decodes a response's Content-Encoding with DOWNLOAD_MAXSIZE as the limit of the decoded
size, and drops a response over it with ``IgnoreRequest``: a gzip bomb (a megabyte on the wire,
a gigabyte decoded) then ends as an HTTP error with no response, though its record, written
before any middleware ran, holds the bytes as received. For a request with
``meta[META_BUDGET]`` (the cited pages) the response goes on instead, still encoded and flagged
``decoded_over_limit``, so the spider records it as truncated, pointing at that record.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils._compression import _DecompressionMaxSizeExceeded

from crawler.truncation import FLAG_DECODED, META_BUDGET

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.http import Response

logger = logging.getLogger(__name__)

STATS_DECODED_OVER = "bitext/budget/decoded_over_limit"


class BoundedDecompressionMiddleware(HttpCompressionMiddleware):
    """In ``DOWNLOADER_MIDDLEWARES`` at HttpCompressionMiddleware's place (590), which is off."""

    def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest as exc:
            over = exc.__cause__
            if not request.meta.get(META_BUDGET) or not isinstance(
                over, _DecompressionMaxSizeExceeded
            ):
                raise
        logger.warning(
            "kept %s as received (%d bytes, Content-Encoding %s): decoded, it is over "
            "DOWNLOAD_MAXSIZE (%d bytes); it is recorded as truncated",
            response.url,
            len(response.body),
            b",".join(response.headers.getlist("Content-Encoding")).decode("latin-1"),
            over.max_size,
        )
        if self.stats is not None:
            self.stats.inc_value(STATS_DECODED_OVER)
        response.flags.append(FLAG_DECODED)
        return response
