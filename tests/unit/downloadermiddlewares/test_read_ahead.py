"""The read-ahead middleware's parse workers end when the crawl goes idle, before the spider
closes, and start again if the crawl goes on."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.downloadermiddlewares.read_ahead import ReadAheadMiddleware
from crawler.extensions.warc_capture import META_FETCHED_AT
from crawler.items import PostItem
from crawler.reading.pool import META_READ_AHEAD, PageReading, ParsingPool
from crawler.spiders.blogger import T2Spider
from tests.processes import alive
from tests.unit.blogger.pages import POST_URL, blogger_page
from tests.unit.reading.readings import FETCHED_AT

HTML = "text/html; charset=utf-8"


def _response(url: str, body: bytes, **meta: Any) -> HtmlResponse:
    request = Request(url, meta={META_FETCHED_AT: FETCHED_AT, **meta})
    return HtmlResponse(url, status=200, body=body, headers={"Content-Type": HTML}, request=request)


def _worker_pid(pool: ParsingPool) -> int:
    pid: int = pool.submit(PageReading(os.getpid)).result(timeout=60)
    return pid


@pytest.fixture
def middleware() -> Iterator[ReadAheadMiddleware]:
    crawler = get_crawler(T2Spider, {"PAIRS_ENABLED": False})
    crawler.spider = crawler._create_spider()
    middleware = ReadAheadMiddleware(crawler, workers=1)
    middleware._start_pool()
    yield middleware
    middleware.spider_closed(crawler.spider)


def test_the_workers_end_when_the_crawl_goes_idle(middleware: ReadAheadMiddleware) -> None:
    assert middleware.pool is not None
    worker = _worker_pid(middleware.pool)
    middleware.spider_idle(middleware.crawler.spider)
    assert middleware.pool is None
    assert not alive(worker)


def test_a_page_to_read_after_an_idle_crawl_starts_new_workers(
    middleware: ReadAheadMiddleware,
) -> None:
    assert middleware.pool is not None
    first = _worker_pid(middleware.pool)
    middleware.spider_idle(middleware.crawler.spider)
    post = _response(POST_URL, blogger_page("<p>合成の段落です。</p>").encode(), post_url=POST_URL)
    assert asyncio.run(middleware.process_response(post.request, post)) is post
    assert middleware.pool is not None
    assert _worker_pid(middleware.pool) != first
    read_ahead = post.meta[META_READ_AHEAD]
    assert isinstance(read_ahead.item, PostItem) and read_ahead.item.post is not None
    assert middleware.crawler.stats.get_value("bitext/read_ahead/read") == 1


def test_a_response_with_nothing_to_read_starts_no_workers(
    middleware: ReadAheadMiddleware,
) -> None:
    middleware.spider_idle(middleware.crawler.spider)
    robots = _response("https://aviation-space-business.blogspot.com/robots.txt", b"")
    assert asyncio.run(middleware.process_response(robots.request, robots)) is robots
    assert middleware.pool is None
    assert META_READ_AHEAD not in robots.meta


def test_a_closed_crawl_starts_no_workers_again(middleware: ReadAheadMiddleware) -> None:
    middleware.spider_idle(middleware.crawler.spider)
    middleware.spider_closed(middleware.crawler.spider)
    post = _response(POST_URL, blogger_page("<p>合成の段落です。</p>").encode(), post_url=POST_URL)
    assert asyncio.run(middleware.process_response(post.request, post)) is post
    assert middleware.pool is None
    assert META_READ_AHEAD not in post.meta
