"""The spider's guards on cited fetches, driven through the signals the handler sends."""

from __future__ import annotations

import logging

import pytest
from scrapy import Request, signals
from scrapy.exceptions import StopDownload
from scrapy.http import Headers, HtmlResponse
from scrapy.utils._download_handlers import check_stop_download
from scrapy.utils.test import get_crawler
from twisted.web.iweb import UNKNOWN_LENGTH

from crawler.reading.page import Cutoff
from crawler.spiders.blogger import BloggerSpider
from crawler.spiders.cited_fetches import META_RECEIVED
from crawler.truncation import FLAG_DECODED, FLAG_STOPPED, FLAG_TIME

BLOG = "https://synthetic-blog.blogspot.com/"
CITED = "https://www.example-news.test/2025/04/article/"
MAXSIZE = 1000


def _spider() -> BloggerSpider:
    crawler = get_crawler(
        BloggerSpider, {"DOWNLOAD_MAXSIZE": MAXSIZE, "RESPONSE_BUDGET_SECONDS": 7.5}
    )
    crawler.spider = BloggerSpider.from_crawler(crawler, blog=BLOG)
    return crawler.spider


def _headers(spider: BloggerSpider, request: Request, length: int | str) -> StopDownload | None:
    """The headers_received signal as the HTTP/1.1 handler sends it."""
    headers = Headers({"Content-Type": "text/html"})
    return check_stop_download(
        signals.headers_received, spider.crawler, request, headers=headers, body_length=length
    )


def test_a_response_without_a_length_passes_the_header_check_without_an_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    spider = _spider()
    request = Request(CITED, meta={"cited_url": CITED})
    with caplog.at_level(logging.DEBUG):
        # Twisted gives the length of a chunked or connection-close body as UNKNOWN_LENGTH, a
        # string: the check used to raise TypeError, logged as an ERROR per response.
        assert isinstance(UNKNOWN_LENGTH, str)
        assert _headers(spider, request, UNKNOWN_LENGTH) is None
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []
    assert request.meta[META_RECEIVED] == 0  # its bytes are counted, and stopped by them
    stopped = check_stop_download(
        signals.bytes_received, spider.crawler, request, data=b"x" * (MAXSIZE + 1)
    )
    assert isinstance(stopped, StopDownload) and not stopped.fail


def test_a_response_announcing_too_much_is_stopped_at_its_headers() -> None:
    spider = _spider()
    request = Request(CITED, meta={"cited_url": CITED})
    stopped = _headers(spider, request, MAXSIZE + 1)
    assert isinstance(stopped, StopDownload) and not stopped.fail
    assert _headers(spider, Request(CITED, meta={"cited_url": CITED}), MAXSIZE) is None
    # Pages that are not cited sources are left to Scrapy.
    assert _headers(spider, Request(BLOG), MAXSIZE + 1) is None


def _response(flags: list[str], body: bytes = b"<html>", **headers: str) -> HtmlResponse:
    request = Request(CITED, meta={"cited_url": CITED, META_RECEIVED: 1234})
    return HtmlResponse(CITED, body=body, headers=headers, flags=flags, request=request)


def test_the_cutoff_names_the_budget_and_the_bytes_received() -> None:
    spider = _spider()
    assert spider.cutoff(_response([])) is None
    assert spider.cutoff(_response(["dataloss"])) is None  # the server's doing, not a budget's
    assert spider.cutoff(_response([FLAG_TIME, FLAG_STOPPED])) == Cutoff("time", 7.5, 1234)
    assert spider.cutoff(_response([FLAG_STOPPED], **{"Content-Length": "5000"})) == Cutoff(
        "size", MAXSIZE, 1234, announced=5000
    )
    # The count is of the bytes on the wire, whatever decompression made of the body since.
    assert spider.cutoff(
        _response([FLAG_DECODED], body=b"x" * 99, **{"Content-Encoding": "gzip"})
    ) == Cutoff("decoded", MAXSIZE, 1234, encoding="gzip")


def test_cited_requests_take_the_budgets() -> None:
    from crawler.truncation import META_BUDGET

    request = _spider()._source_request(CITED)
    assert request.meta == {"cited_url": CITED, META_BUDGET: True}
