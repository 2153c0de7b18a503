"""The archive cache: cited pages an earlier crawl settled are answered from the WARC archive."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.archive.pointer import WarcPointer
from crawler.downloadermiddlewares.archive_cache import (
    FLAG_ARCHIVED,
    ArchiveCacheMiddleware,
    ArchivedOutcome,
)
from crawler.extensions.warc_capture import META_FETCHED_AT, META_POINTER
from crawler.policy.refetch import SOURCES_ARCHIVED, SOURCES_RECHECKED, SOURCES_UNREADABLE
from crawler.reading.archived import source_item_from_state
from crawler.spiders.blogger import BloggerSpider
from crawler.state import CrawlState, SourceRecord
from tests.unit.records import SOURCE, archive_pages, source_record

REDIRECTED = "https://twz.com/x"


def cache(archive: Path, **settings: Any) -> ArchiveCacheMiddleware:
    # The records are dated 2025: no re-check unless a test asks for one.
    base = {"ARCHIVE_DIR": str(archive), "SOURCE_RECHECK_DAYS": 0}
    crawler = get_crawler(BloggerSpider, {**base, **settings})
    crawler.spider = crawler._create_spider(blog="https://blog.example/")
    middleware = ArchiveCacheMiddleware.from_crawler(crawler)
    middleware.spider_opened(crawler.spider)
    return middleware


def cited(url: str = SOURCE, **meta: Any) -> Request:
    return Request(url, meta={"cited_url": url, **meta})


def record_outcome(archive: Path, record: SourceRecord) -> None:
    with CrawlState.open(archive) as state:
        state.record_source(record)


@pytest.fixture
def archived(tmp_path: Path) -> tuple[Path, SourceRecord, bytes]:
    """An ok source archived gzip-encoded after a redirect, as the state records it."""
    _, source_at, _, source_page = archive_pages(tmp_path)
    record = source_record(
        warc=source_at,
        redirects=(REDIRECTED,),
        content_type="text/html; charset=utf-8",
        fetched_at="2025-03-01T04:05:06+00:00",
    )
    record_outcome(tmp_path, record)
    return tmp_path, record, source_page


def test_a_settled_page_is_answered_with_its_archived_response(
    archived: tuple[Path, SourceRecord, bytes],
) -> None:
    archive, record, page = archived
    middleware = cache(archive)
    request = cited()
    response = middleware.process_request(request)
    assert isinstance(response, HtmlResponse)
    assert FLAG_ARCHIVED in response.flags
    assert (response.url, response.status, response.body) == (SOURCE, 200, page)
    # The payload as the callback was given it: no longer gzip-encoded.
    assert b"Content-Encoding" not in response.headers
    assert response.headers[b"Content-Type"] == b"text/html; charset=utf-8"
    assert request.meta[META_POINTER] == record.warc
    assert request.meta[META_FETCHED_AT] == record.fetched_at
    assert request.meta["redirect_urls"] == [REDIRECTED]
    assert middleware.crawler.stats is not None
    assert middleware.crawler.stats.get_value(SOURCES_ARCHIVED) == 1


def test_the_spider_reads_an_archived_response_as_it_read_the_page(
    archived: tuple[Path, SourceRecord, bytes],
) -> None:
    archive, record, _ = archived
    middleware = cache(archive, BITEXT_PARSE_WORKERS=0)
    spider = middleware.crawler.spider
    assert isinstance(spider, BloggerSpider)
    request = cited()
    response = middleware.process_request(request)
    assert response is not None
    [item] = spider.parse_source(response)
    expected = source_item_from_state(archive, record)
    assert expected.status == "ok" and expected.article is not None
    assert item == dataclasses.replace(expected, from_archive=True)


def test_an_outcome_without_a_page_fails_the_request_with_its_item(tmp_path: Path) -> None:
    gone = source_record("source_not_found", 404, warc=None, error="HTTP 404")
    record_outcome(tmp_path, gone)
    middleware = cache(tmp_path)
    request = cited()
    with pytest.raises(ArchivedOutcome) as raised:
        middleware.process_request(request)
    item = raised.value.item
    assert (item.status, item.http_status, item.error) == ("source_not_found", 404, "HTTP 404")
    assert item.from_archive
    # The spider's errback yields that item, counted as any outcome.
    spider = middleware.crawler.spider
    assert isinstance(spider, BloggerSpider)
    failure = Failure(raised.value)
    failure.request = request  # type: ignore[attr-defined]
    assert list(spider.source_failed(failure)) == [item]


def test_what_is_not_settled_goes_to_the_network(
    archived: tuple[Path, SourceRecord, bytes],
) -> None:
    archive, _, _ = archived
    middleware = cache(archive)
    assert middleware.process_request(cited(dont_cache=True)) is None
    assert middleware.process_request(Request(SOURCE)) is None  # not a cited page
    hop = Request(REDIRECTED, meta={"cited_url": SOURCE})
    assert middleware.process_request(hop) is None  # a redirect hop is a fetch of its own
    assert middleware.process_request(cited("https://never.example/")) is None
    other = "https://breakingdefense.com/2025/02/story"
    record_outcome(archive, source_record("source_http_error", 503, cited_url=other, warc=None))
    assert middleware.process_request(cited(other)) is None  # passing: tried again
    assert cache(archive, BITEXT_FULL_CRAWL=True).process_request(cited()) is None


def test_an_archive_without_a_crawl_state_answers_nothing(tmp_path: Path) -> None:
    assert cache(tmp_path).process_request(cited()) is None
    assert list(tmp_path.iterdir()) == []  # nothing created


def test_a_page_that_does_not_read_back_is_fetched(
    archived: tuple[Path, SourceRecord, bytes], caplog: pytest.LogCaptureFixture
) -> None:
    archive, record, _ = archived
    assert record.warc is not None
    lost = WarcPointer(record.warc.filename, record.warc.offset + 1, record.warc.record_id)
    with CrawlState.open(archive) as state:
        state.forget([record.warc])  # an ok page is kept once recorded: the state forgets it
        state.record_source(dataclasses.replace(record, warc=lost))
    middleware = cache(archive)
    with caplog.at_level(logging.WARNING):
        assert middleware.process_request(cited()) is None
    assert f"archived source {SOURCE} cannot be read back" in caplog.text
    assert middleware.crawler.stats is not None
    assert middleware.crawler.stats.get_value(SOURCES_UNREADABLE) == 1


def test_it_can_be_switched_off(tmp_path: Path) -> None:
    crawler = get_crawler(BloggerSpider, {"ARCHIVE_CACHE_ENABLED": False})
    with pytest.raises(NotConfigured):
        ArchiveCacheMiddleware.from_crawler(crawler)


def test_a_settled_page_last_fetched_long_ago_is_fetched_again(
    archived: tuple[Path, SourceRecord, bytes],
) -> None:
    archive, record, _ = archived
    middleware = cache(archive, SOURCE_RECHECK_DAYS=30)
    assert middleware.process_request(cited()) is None  # fetched 2025-03-01: due
    assert middleware.crawler.stats is not None
    assert middleware.crawler.stats.get_value(SOURCES_RECHECKED) == 1
    assert middleware.crawler.stats.get_value(SOURCES_ARCHIVED) is None
    recent = dataclasses.replace(record, fetched_at=datetime.now(UTC).isoformat())
    with CrawlState.open(archive) as state:
        state.forget([recent.warc] if recent.warc else [])
        state.record_source(recent)
    assert cache(archive, SOURCE_RECHECK_DAYS=30).process_request(cited()) is not None
