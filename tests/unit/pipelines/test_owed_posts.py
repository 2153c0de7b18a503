"""Posts a killed crawl left owing pairs: the archive cache has the next crawl read them again
from the archive (crawler/downloadermiddlewares/archive_cache.py), the spider reads the copy as
it read the page, and the pairs pipeline composes them from the items alone."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from crawler.archive.pointer import WarcPointer
from crawler.downloadermiddlewares.archive_cache import ArchiveCacheMiddleware
from crawler.items import PostItem, SourceItem
from crawler.manifest import pair_id, read_manifest
from crawler.pipelines.pairs import PairsPipeline
from crawler.reading.archived import source_item_from_state
from crawler.spiders.blogger import BloggerSpider
from crawler.state import CrawlState, SourceRecord
from tests.unit.blogger.pages import POST_URL
from tests.unit.records import SOURCE, archive_pages, post_record, source_record


@dataclasses.dataclass
class Crawl:
    """A crawl's archive cache, spider and pairs pipeline, the requests answered by hand."""

    cache: ArchiveCacheMiddleware
    pipeline: PairsPipeline
    scheduled: list[Request]

    @property
    def spider(self) -> BloggerSpider:
        spider = self.cache.crawler.spider
        assert isinstance(spider, BloggerSpider)
        return spider

    def crawl(self, request: Request) -> None:
        self.scheduled.append(request)

    def idle(self) -> list[Request]:
        """The requests the cache makes when the crawl would end."""
        self.scheduled.clear()
        with pytest.raises(DontCloseSpider):
            self.cache.spider_idle(self.spider)
        return list(self.scheduled)

    def answer(self, request: Request) -> tuple[list[Any], list[Request]]:
        """The items the spider makes of what the cache answers, fed to the pipeline, and the
        requests left for the network (those the cache did not answer)."""
        response = self.cache.process_request(request)
        if response is None:
            return [], [request]
        assert isinstance(response, Response)
        assert request.callback is not None
        items, fetched = [], []
        for out in request.callback(response):
            if isinstance(out, Request):
                more, network = self.answer(out)
                items += more
                fetched += network
            else:
                self.pipeline.process_item(out)
                items.append(out)
        return items, fetched


def open_crawl(archive: Path, **settings: Any) -> Iterator[Crawl]:
    base = {"ARCHIVE_DIR": str(archive), "BITEXT_PARSE_WORKERS": 0, **settings}
    crawler = get_crawler(BloggerSpider, base)
    crawler.spider = crawler._create_spider(blog="https://blog.example/")
    cache = ArchiveCacheMiddleware.from_crawler(crawler)
    pipeline = PairsPipeline.from_crawler(crawler)
    run = Crawl(cache, pipeline, [])
    crawler.engine = run  # type: ignore[assignment]  # what spider_idle schedules with
    pipeline.open_spider()
    cache.spider_opened(crawler.spider)
    yield run
    cache.spider_closed(crawler.spider)


def killed_crawl(
    archive: Path, source: Callable[[WarcPointer], SourceRecord] = lambda at: source_record(warc=at)
) -> tuple[WarcPointer, WarcPointer]:
    """A crawl that recorded the post and its source (``source``: its record, given where the
    page was archived), then was killed before its pair."""
    post_at, source_at, _, _ = archive_pages(archive)
    with CrawlState.open(archive) as state:
        state.record_post(post_record(warc=post_at), [(SOURCE, pair_id(POST_URL, SOURCE))])
        state.record_source(source(source_at))
        assert state.pending_posts() == [POST_URL]
    return post_at, source_at


def test_a_post_that_still_owes_pairs_is_read_again_and_composed(tmp_path: Path) -> None:
    post_at, source_at = killed_crawl(tmp_path)
    for run in open_crawl(tmp_path, SOURCE_RECHECK_DAYS=0):
        [request] = run.idle()
        items, fetched = run.answer(request)
        assert fetched == []  # the post and its settled source: both from the archive
        post, source = items
        assert isinstance(post, PostItem) and post.from_archive and post.warc == post_at
        assert isinstance(source, SourceItem) and source.from_archive
        assert sum(run.pipeline.journalled.values()) == 1  # composed as soon as both were in
        run.pipeline.close_spider()

    [pair] = read_manifest(tmp_path / "pairs.jsonl")
    assert (pair.pair_id, pair.cited_url) == (pair_id(POST_URL, SOURCE), SOURCE)
    assert pair.source is not None and pair.source.warc == source_at and pair.source.text
    assert pair.translation.warc == post_at
    with CrawlState.open(tmp_path) as state:
        assert state.pending_posts() == []


def test_a_post_read_again_waits_for_a_source_due_for_a_recheck_and_keeps_its_capture(
    tmp_path: Path,
) -> None:
    # Fetched 2025-02-08: due for a re-check after 30 days.
    _, source_at = killed_crawl(
        tmp_path, lambda at: source_record(warc=at, payload_digest="sha1:FIRST")
    )
    captured = source_record(warc=source_at, payload_digest="sha1:FIRST")
    for run in open_crawl(tmp_path, SOURCE_RECHECK_DAYS=30):
        [request] = run.idle()
        [post], [recheck] = run.answer(request)
        assert isinstance(post, PostItem) and recheck.url == SOURCE  # due: to the network
        assert sum(run.pipeline.journalled.values()) == 0  # waiting for it
        # The re-check: another payload (the same text here: nothing changed in the paragraphs).
        rechecked = dataclasses.replace(
            source_item_from_state(tmp_path, captured),
            crawled_at="2026-01-10T00:00:00+00:00",
            payload_digest="sha1:SECOND",
        )
        run.pipeline.process_item(rechecked)
        assert rechecked.drift == {"paragraphs": {"added": 0, "removed": 0, "changed": 0}}
        assert sum(run.pipeline.journalled.values()) == 1
        run.pipeline.close_spider()
    [pair] = read_manifest(tmp_path / "pairs.jsonl")
    assert pair.source is not None and pair.source.warc == source_at
    assert pair.source.changed_since == "2026-01-10T00:00:00+00:00"
    with CrawlState.open(tmp_path) as state:
        change = state.history(SOURCE)[-1]
        kept = state.source(SOURCE)
    assert (change.old_payload_digest, change.new_payload_digest) == ("sha1:FIRST", "sha1:SECOND")
    assert kept == captured and kept is not None
    assert kept.checked_at == "2026-01-10T00:00:00+00:00"


def test_an_archived_post_citing_a_source_this_run_fetched_is_composed_again(
    tmp_path: Path,
) -> None:
    """Its pair was journalled with the source unreachable; no list of this run gives the post,
    but another post's request fetched the source, which answered: the post is read again."""
    unreachable = source_record("source_unreachable", None, url=None, warc=None)
    post_at, page_at = killed_crawl(tmp_path, lambda _: unreachable)
    with CrawlState.open(tmp_path) as state:
        state.record_journaled(pair_id(POST_URL, SOURCE), "source_unreachable", "2025-02-08")
    for run in open_crawl(tmp_path, SOURCE_RECHECK_DAYS=0):
        _, [fetch] = run.answer(run.spider._source_request(SOURCE))
        assert fetch.url == SOURCE  # not final: fetched
        run.spider.cited.add(SOURCE)
        fetched = source_item_from_state(tmp_path, source_record(warc=page_at))
        run.pipeline.process_item(
            dataclasses.replace(fetched, crawled_at="2026-01-10T00:00:00+00:00")
        )
        [request] = run.idle()
        [post], network = run.answer(request)
        assert isinstance(post, PostItem) and post.from_archive and network == []
        run.pipeline.close_spider()
    [pair] = read_manifest(tmp_path / "pairs.jsonl")
    assert pair.source is not None and pair.source.warc == page_at
    assert pair.status != "source_unreachable" and pair.translation.warc == post_at
