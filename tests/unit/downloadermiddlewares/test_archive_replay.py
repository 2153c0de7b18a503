"""Replaying: the archive cache and the replay middleware answer every request from the archive."""

from __future__ import annotations

import asyncio
import gzip
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.archive import WarcArchive
from crawler.archive.storage import ArchiveStorage
from crawler.downloadermiddlewares.archive_cache import (
    ArchiveCacheMiddleware,
    ArchivedOutcome,
    ArchivedPostOutcome,
    ArchiveReplayMiddleware,
    NotArchived,
)
from crawler.downloadermiddlewares.archived_responses import FLAG_REPLAYED
from crawler.downloadhandlers.offline import (
    HANDLER_REACHED,
    OfflineDownloadError,
    OfflineDownloadHandler,
)
from crawler.extensions.warc_capture import META_FETCHED_AT, META_PAYLOAD_DIGEST, META_POINTER
from crawler.items import PostItem, SourceItem
from crawler.items.crawllog import CRAWL_LOG_CONTENT_TYPE, crawl_log_fields, encode_crawl_log
from crawler.spiders.blogger import BloggerSpider
from tests.unit.archive.builders import WARCINFO, fixed_clock, id_factory, make_exchange

POST = "https://blog.example/2025/03/post.html"
GONE_POST = "https://blog.example/2025/03/gone.html"
SOURCE = "https://news.example.com/story"
REFUSED = "https://news.example.com/robots-says-no"
PAGE = b"<html><body><p>the story</p></body></html>"


def _log(archive: WarcArchive, item: PostItem | SourceItem) -> None:
    fields = crawl_log_fields(item, crawl="c1", spider="t2")
    target = item.url if isinstance(item, PostItem) else item.cited_url
    archive.write_metadata(target, encode_crawl_log(fields), CRAWL_LOG_CONTENT_TYPE)


@pytest.fixture
def storage(tmp_path: Path) -> ArchiveStorage:
    headers = (("Content-Type", "text/html"), ("Content-Encoding", "gzip"))
    with WarcArchive(
        tmp_path, warcinfo=WARCINFO, clock=fixed_clock(), new_record_id=id_factory()
    ) as archive:
        written = archive.write_exchange(
            make_exchange(url=SOURCE, response_headers=headers, body=gzip.compress(PAGE))
        )
        _log(archive, SourceItem(SOURCE, "ok", "t", url=SOURCE, warc=written.payload))
        _log(archive, SourceItem(REFUSED, "source_blocked_by_robots", "2025-03-01T04:00:09+00:00"))
        _log(archive, PostItem(GONE_POST, GONE_POST, 0, None, None, "t", error="TimeoutError"))
    return ArchiveStorage.scan(tmp_path)


def _middleware(
    cls: type[ArchiveCacheMiddleware], tmp_path: Path, **settings: Any
) -> ArchiveCacheMiddleware:
    crawler = get_crawler(BloggerSpider, {"ARCHIVE_DIR": str(tmp_path / "run"), **settings})
    crawler.spider = crawler._create_spider(blog="https://blog.example/")
    middleware = cls.from_crawler(crawler)
    middleware.spider_opened(crawler.spider)
    return middleware


def test_a_capture_is_answered_last_as_received(storage: ArchiveStorage, tmp_path: Path) -> None:
    first = _middleware(ArchiveCacheMiddleware, tmp_path, ARCHIVE_CACHE_REPLAY=storage)
    last = _middleware(ArchiveReplayMiddleware, tmp_path, ARCHIVE_CACHE_REPLAY=storage)
    request = Request(SOURCE, meta={"cited_url": SOURCE})
    # Before robots.txt only the crawl log's outcomes are answered.
    assert first.process_request(request) is None
    response = last.process_request(request)
    assert isinstance(response, Response)
    assert FLAG_REPLAYED in response.flags
    assert (response.url, response.status) == (SOURCE, 200)
    # Still gzip-encoded: the crawl's decompression middleware decodes it, as it did.
    assert response.headers[b"Content-Encoding"] == b"gzip"
    assert gzip.decompress(response.body) == PAGE
    assert request.meta[META_POINTER].filename.endswith(".warc.gz")
    assert request.meta[META_FETCHED_AT] == "2025-03-01T04:05:06+00:00"
    assert str(request.meta[META_PAYLOAD_DIGEST]).startswith("sha1:")


def test_logged_outcomes_are_answered_before_robots_txt(
    storage: ArchiveStorage, tmp_path: Path
) -> None:
    first = _middleware(ArchiveCacheMiddleware, tmp_path, ARCHIVE_CACHE_REPLAY=storage)
    with pytest.raises(ArchivedOutcome) as source:
        first.process_request(Request(REFUSED, meta={"cited_url": REFUSED}))
    assert source.value.item.status == "source_blocked_by_robots"
    assert source.value.item.crawled_at == "2025-03-01T04:00:09+00:00"  # the crawl's, not now
    with pytest.raises(ArchivedPostOutcome) as post:
        first.process_request(Request(GONE_POST, meta={"post_url": GONE_POST}))
    assert post.value.item.error == "TimeoutError"


def test_a_request_the_archive_cannot_answer_fails_and_is_never_let_through(
    storage: ArchiveStorage, tmp_path: Path
) -> None:
    last = _middleware(ArchiveReplayMiddleware, tmp_path, ARCHIVE_CACHE_REPLAY=storage)
    for request in (
        Request("https://news.example.com/robots.txt"),  # never fetched by the crawl
        Request(POST, meta={"post_url": POST}),  # no item of it in the crawl log
        Request(SOURCE + "?hop", meta={"cited_url": SOURCE, "redirect_urls": [SOURCE]}),
    ):
        with pytest.raises(NotArchived):
            last.process_request(request)


def test_the_replay_middleware_is_off_in_a_crawl_of_the_web(tmp_path: Path) -> None:
    with pytest.raises(NotConfigured):
        _middleware(ArchiveReplayMiddleware, tmp_path)


def test_the_offline_download_handler_never_downloads(tmp_path: Path) -> None:
    crawler = get_crawler(BloggerSpider, {"ARCHIVE_DIR": str(tmp_path)})
    assert crawler.stats is not None
    crawler.stats.open_spider()
    handler = OfflineDownloadHandler.from_crawler(crawler)
    with pytest.raises(OfflineDownloadError):
        asyncio.run(handler.download_request(Request(SOURCE)))
    assert crawler.stats is not None and crawler.stats.get_value(HANDLER_REACHED) == 1
