"""The archive cache: listed posts and cited pages an earlier crawl settled are answered from the
WARC archive."""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.archive.pointer import WarcPointer
from crawler.downloadermiddlewares.archive_cache import (
    META_LISTED,
    ArchiveCacheMiddleware,
    ArchivedOutcome,
    ArchivedPost,
)
from crawler.downloadermiddlewares.archived_responses import FLAG_ARCHIVED
from crawler.extensions.warc_capture import META_FETCHED_AT, META_POINTER
from crawler.items import PostItem
from crawler.policy.refetch import (
    POSTS_REREAD,
    POSTS_UNCHANGED,
    SOURCES_ARCHIVED,
    SOURCES_RECHECKED,
    SOURCES_UNREADABLE,
)
from crawler.reading.archived import source_item_from_state
from crawler.spiders.blogger import BloggerSpider
from crawler.state import CrawlState, SourceRecord
from tests.unit.blogger.pages import POST_URL
from tests.unit.records import DAY, SOURCE, archive_pages, post_record, source_record

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


def test_a_page_read_from_a_capture_comes_back_with_its_memento_and_live_outcome(
    tmp_path: Path,
) -> None:
    """An earlier crawl read the page from a web archive's capture: the spider's item carries
    the capture and what the live URL answered, as the crawl state kept them."""
    _, source_at, _, _ = archive_pages(tmp_path)
    memento = {"url": "https://web.archive.org/web/2025/x", "datetime": "2025-02-01"}
    live = {"status": "source_not_found", "http_status": 404, "url": SOURCE, "error": "HTTP 404"}
    record_outcome(tmp_path, source_record(warc=source_at, memento=memento, live=live))
    middleware = cache(tmp_path, BITEXT_PARSE_WORKERS=0)
    response = middleware.process_request(cited())
    assert response is not None
    spider = middleware.crawler.spider
    assert isinstance(spider, BloggerSpider)
    [item] = spider.parse_source(response)
    assert (item.memento, item.live, item.from_archive) == (memento, live, True)


# Listed posts

UNREACHABLE = "https://www.synthetic-unreachable.com/2025/02/story/"
GONE = "https://breakingdefense.com/2025/02/synthetic-budget/"
USNI = "https://news.usni.org/2025/02/03/synthetic"
OTHER_POST = "https://synthetic-example.blogspot.com/2025/02/blog-post_8.html"


@pytest.fixture
def archived_post(tmp_path: Path) -> Path:
    """An archive holding the post, parsed, and its four cited sources' last outcomes."""
    post_at, source_at, _, _ = archive_pages(tmp_path)
    with CrawlState.open(tmp_path) as state:
        pairs = [(SOURCE, "p0"), (USNI, "p1"), (UNREACHABLE, "p2"), (GONE, "p3"), (None, "p4")]
        state.record_post(post_record(warc=post_at), pairs)
        state.record_source(source_record(warc=source_at))  # ok, its page readable
        state.record_source(
            source_record("source_http_error", 503, cited_url=USNI, url=USNI, warc=None)
        )
        state.record_source(
            source_record("source_unreachable", None, cited_url=UNREACHABLE, url=None, warc=None)
        )
        state.record_source(
            source_record("source_not_found", 404, cited_url=GONE, url=GONE, warc=None)
        )
    return tmp_path


def listed(url: str = POST_URL, modified: datetime | None = DAY) -> Request:
    meta = {"post_url": url, META_LISTED: modified.isoformat() if modified else None}
    return Request(url, meta=meta)


def _stat(middleware: ArchiveCacheMiddleware, key: str) -> int:
    assert middleware.crawler.stats is not None
    return int(middleware.crawler.stats.get_value(key) or 0)


def journal_all(archive: Path) -> None:
    """The archived post's pairs noted as journalled: nothing is owed."""
    with CrawlState.open(archive) as state:
        for pair_id in ("p0", "p1", "p2", "p3", "p4"):
            state.record_journaled(pair_id, "ok", DAY.isoformat())


def test_a_listed_post_citing_a_url_fetched_again_is_answered_with_its_archived_copy(
    archived_post: Path,
) -> None:
    """Listed with its archived date, its copy stands; two of its sources (the 503, the
    unreachable one) are fetched again, so its pairs are composed again: the archived copy is
    the answer, and the spider reads it as it read the page."""
    journal_all(archived_post)
    middleware = cache(archived_post, BITEXT_PARSE_WORKERS=0)
    request = listed()
    response = middleware.process_request(request)
    assert isinstance(response, HtmlResponse) and FLAG_ARCHIVED in response.flags
    with CrawlState.open(archived_post) as state:
        archived_copy = state.post(POST_URL)
    assert archived_copy is not None and archived_copy.warc is not None
    assert (response.url, response.status) == (POST_URL, 200)
    assert request.meta[META_POINTER] == archived_copy.warc
    assert _stat(middleware, POSTS_UNCHANGED) == 1 and _stat(middleware, POSTS_REREAD) == 1
    spider = middleware.crawler.spider
    assert isinstance(spider, BloggerSpider)
    item, *requests = spider.parse_post(response)
    assert isinstance(item, PostItem) and item.from_archive and item.post is not None
    assert [r.url for r in requests] == [SOURCE]  # each cited URL requested; the cache decides
    assert _stat(middleware, "bitext/posts/parsed") == 0  # counted unchanged, not fetched


def test_an_unchanged_post_whose_sources_stand_is_not_fetched(archived_post: Path) -> None:
    journal_all(archived_post)
    for url, status, code in (
        (USNI, "source_not_found", 404),
        (UNREACHABLE, "source_refused", None),
    ):
        record_outcome(
            archived_post, source_record(status, code, cited_url=url, url=url, warc=None)
        )
    middleware = cache(archived_post)
    with pytest.raises(ArchivedPost) as raised:
        middleware.process_request(listed())
    assert raised.value.url == POST_URL
    # A post listed without a date: its copy cannot be shown older, so it stands too.
    with pytest.raises(ArchivedPost):
        middleware.process_request(listed(modified=None))
    assert _stat(middleware, POSTS_UNCHANGED) == 2 and _stat(middleware, POSTS_REREAD) == 0
    assert _stat(middleware, SOURCES_ARCHIVED) == 4  # each judged once: ok, 404, 404, refused


def test_a_post_the_archive_cannot_answer_is_fetched(archived_post: Path) -> None:
    """A newer list date, a post never archived, one asked for by URL, a redirect hop, an
    opted-out request, a full crawl: each goes to the network."""
    middleware = cache(archived_post)
    assert middleware.process_request(listed(modified=DAY + timedelta(hours=1))) is None
    assert middleware.process_request(listed(OTHER_POST)) is None
    assert middleware.process_request(Request(POST_URL, meta={"post_url": POST_URL})) is None
    hop = Request(POST_URL + "?m=1", meta={"post_url": POST_URL, META_LISTED: None})
    assert middleware.process_request(hop) is None
    opted_out = listed()
    opted_out.meta["dont_cache"] = True
    assert middleware.process_request(opted_out) is None
    assert _stat(middleware, POSTS_UNCHANGED) == 0
    assert cache(archived_post, BITEXT_FULL_CRAWL=True).process_request(listed()) is None


class _Engine:
    def __init__(self) -> None:
        self.crawled: list[Request] = []

    def crawl(self, request: Request) -> None:
        self.crawled.append(request)


def test_before_the_crawl_ends_the_posts_owed_pairs_are_read_again(archived_post: Path) -> None:
    """A killed run recorded the post without journalling its pairs; this run's lists did not
    give it: when the crawl would end, it is requested, and answered with its archived copy."""
    middleware = cache(archived_post)
    engine = _Engine()
    middleware.crawler.engine = engine  # type: ignore[assignment]
    spider = middleware.crawler.spider
    assert spider is not None
    with pytest.raises(DontCloseSpider):
        middleware.spider_idle(spider)
    [request] = engine.crawled
    assert request.url == POST_URL and request.meta["post_url"] == POST_URL
    response = middleware.process_request(request)
    assert isinstance(response, HtmlResponse) and FLAG_ARCHIVED in response.flags
    middleware.spider_idle(spider)  # asked once: the crawl may end
    assert len(engine.crawled) == 1


def test_a_post_a_list_gave_is_not_asked_for_again_when_the_crawl_would_end(
    archived_post: Path,
) -> None:
    middleware = cache(archived_post)
    engine = _Engine()
    middleware.crawler.engine = engine  # type: ignore[assignment]
    assert middleware.process_request(listed()) is not None  # owed: read again
    assert middleware.crawler.spider is not None
    middleware.spider_idle(middleware.crawler.spider)
    assert engine.crawled == []


def test_a_post_requested_past_the_cache_is_not_asked_for_again_when_the_crawl_would_end(
    archived_post: Path,
) -> None:
    """Owed pairs, but this run requested it already (here opted out of the cache, so fetched):
    its pairs come from that request."""
    middleware = cache(archived_post)
    engine = _Engine()
    middleware.crawler.engine = engine  # type: ignore[assignment]
    opted_out = Request(POST_URL, meta={"post_url": POST_URL, "dont_cache": True})
    assert middleware.process_request(opted_out) is None
    assert middleware.crawler.spider is not None
    middleware.spider_idle(middleware.crawler.spider)
    assert engine.crawled == []
