"""Decompression with a size limit: a budgeted response too large decoded is kept as received."""

from __future__ import annotations

import gzip

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler import settings as project_settings
from crawler.downloadermiddlewares.decompression import (
    STATS_DECODED_OVER,
    BoundedDecompressionMiddleware,
)
from crawler.truncation import FLAG_DECODED, META_BUDGET
from replica.sites.news_faults import gzip_bomb

URL = "https://www.example-news.test/bomb"
MAXSIZE = 1_000_000


def _middleware() -> BoundedDecompressionMiddleware:
    crawler = get_crawler(Spider, {"DOWNLOAD_MAXSIZE": MAXSIZE})
    crawler.stats.open_spider()  # type: ignore[union-attr]
    return BoundedDecompressionMiddleware.from_crawler(crawler)


def _gzipped(body: bytes, **meta: object) -> tuple[Request, Response]:
    request = Request(URL, meta=dict(meta))
    headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
    return request, Response(URL, body=body, headers=headers, request=request)


def test_a_gzip_bomb_of_a_budgeted_request_goes_on_as_received() -> None:
    middleware = _middleware()
    bomb = gzip_bomb(8 * 1024 * 1024)  # 8 MiB decoded, a few kB on the wire
    request, response = _gzipped(bomb, **{META_BUDGET: True})
    kept = middleware.process_response(request, response)
    assert kept is response and FLAG_DECODED in kept.flags
    assert kept.body == bomb and kept.headers[b"Content-Encoding"] == b"gzip"
    assert middleware.stats is not None and middleware.stats.get_value(STATS_DECODED_OVER) == 1


def test_other_requests_keep_scrapy_s_behaviour() -> None:
    middleware = _middleware()
    with pytest.raises(IgnoreRequest, match="during decompression"):
        middleware.process_response(*_gzipped(gzip_bomb(8 * 1024 * 1024)))
    page = b"<html><body>" + b"synthetic text " * 100 + b"</body></html>"
    for meta in ({}, {META_BUDGET: True}):
        decoded = middleware.process_response(*_gzipped(gzip.compress(page), **meta))
        assert decoded.body == page and FLAG_DECODED not in decoded.flags
        assert b"Content-Encoding" not in decoded.headers


def test_the_project_uses_it_in_place_of_scrapy_s() -> None:
    middlewares = project_settings.DOWNLOADER_MIDDLEWARES
    assert (
        middlewares["scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware"]
        is None
    )
    assert (
        middlewares["crawler.downloadermiddlewares.decompression.BoundedDecompressionMiddleware"]
        == 590
    )
