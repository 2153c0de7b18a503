"""Pages read in worker processes give the items an in-process read gives (synthetic pages)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.archive.pointer import WarcPointer
from crawler.downloadermiddlewares.read_ahead import ReadAheadMiddleware, parse_workers
from crawler.extensions.warc_capture import META_FETCHED_AT, META_POINTER
from crawler.items import PostItem, SourceItem
from crawler.reading.page import read_post_page, read_source_page
from crawler.reading.pool import (
    META_READ_AHEAD,
    PARENT_POLL_SECONDS,
    PageReading,
    ParsingPool,
    ReadAhead,
    read_page,
)
from crawler.spiders.blogger import T2Spider
from replica.sites.news_templates import render_article
from replica.web import Site
from replica.world import T2_BLOG, build_world
from tests.processes import alive
from tests.unit.blogger.pages import blogger_page
from tests.unit.reading.readings import sleep

FETCHED_AT = "2025-04-01T00:00:00Z"
HTML = "text/html; charset=utf-8"


def _post_page() -> tuple[str, bytes, str]:
    """(permalink, page, the URL it cites) of a hand-written t2 case, as the replica serves it."""
    world = build_world()
    case = next(c for c in world.cases[T2_BLOG] if c.post.citation and len(c.sources) == 1)
    site: Site = world.sites[T2_BLOG.split("/")[2]]
    resource = site.resolve(case.post.path, {})
    assert resource is not None and resource.status == 200
    return T2_BLOG.rstrip("/") + case.post.path, resource.body, next(iter(case.sources))


def _source_page() -> tuple[str, bytes]:
    case = next(c for c in build_world().cases[T2_BLOG] if len(c.sources) == 1)
    url, article = next(iter(case.sources.items()))
    return url, render_article(article)


def _readings() -> list[PageReading]:
    post_url, post_body, _ = _post_page()
    source_url, source_body = _source_page()
    warc = WarcPointer("BITEXT-20250401000000000-00000-host.warc.gz", 1234, "<urn:uuid:x>")
    return [
        PageReading.post(
            url=post_url,
            fetched_url=post_url,
            http_status=200,
            content_type=HTML,
            body=post_body,
            warc=warc,
            crawled_at=FETCHED_AT,
        ),
        PageReading.source(
            cited_url=source_url,
            url=source_url,
            redirects=[],
            http_status=200,
            content_type=HTML,
            body=source_body,
            truncated=False,
            warc=warc,
            crawled_at=FETCHED_AT,
        ),
        # A paywalled teaser and an empty body: other statuses, same rule.
        PageReading.source(
            cited_url=source_url,
            url=source_url,
            redirects=["http://short.example/x"],
            http_status=200,
            content_type=HTML,
            body=b"  ",
            truncated=False,
            warc=None,
            crawled_at=FETCHED_AT,
        ),
    ]


@pytest.fixture(scope="module")
def pool() -> Iterator[ParsingPool]:
    workers = ParsingPool(1)
    workers.start()
    yield workers
    workers.close()


def test_a_worker_reads_what_the_crawl_process_reads(pool: ParsingPool) -> None:
    readings = _readings()
    pooled = [pool.submit(reading).result(timeout=60) for reading in readings]
    local = [reading.run() for reading in readings]
    assert pooled == local
    post = pooled[0]
    assert isinstance(post, PostItem) and post.post is not None and post.post.citation
    source = pooled[1]
    assert isinstance(source, SourceItem) and source.status == "ok" and source.article
    assert source.article.text


def test_a_reading_is_the_call_of_the_reading_code() -> None:
    post, source, _ = _readings()
    assert post.function is read_post_page and source.function is read_source_page
    assert post.run() == read_post_page(**post.arguments)
    assert post == PageReading.post(**dict(post.arguments))
    assert post != PageReading.post(**{**post.arguments, "crawled_at": "2025-04-02T00:00:00Z"})


calls: list[str] = []


def _counted(name: str) -> SourceItem:
    calls.append(name)
    return SourceItem(cited_url=name, status="ok", crawled_at=FETCHED_AT)


def test_the_callback_uses_a_workers_item_without_making_its_reading_again() -> None:
    calls.clear()
    reading = PageReading(_counted, {"name": "a"})
    made = SourceItem(cited_url="a", status="source_paywalled", crawled_at=FETCHED_AT)
    meta: dict[str, Any] = {META_READ_AHEAD: ReadAhead(reading, made)}
    asked: list[str] = []

    def callback_reading() -> PageReading:
        asked.append("reading")
        return reading

    assert read_page(meta, callback_reading) == (made, True)
    assert calls == [] and asked == [] and META_READ_AHEAD not in meta  # used once
    # Without a worker's item the callback makes the reading and runs it.
    assert read_page(meta, callback_reading) == (
        SourceItem(cited_url="a", status="ok", crawled_at=FETCHED_AT),
        False,
    )
    assert calls == ["a"] and asked == ["reading"]


def test_a_read_ahead_holds_an_item_or_why_there_is_none() -> None:
    reading = PageReading(_counted, {"name": "a"})
    made = SourceItem(cited_url="a", status="ok", crawled_at=FETCHED_AT)
    with pytest.raises(ValueError, match="either an item or why"):
        ReadAhead(reading, None)
    with pytest.raises(ValueError, match="either an item or why"):
        ReadAhead(reading, made, abandoned="too slow")


def _response(url: str, body: bytes, status: int = 200, **meta: Any) -> HtmlResponse:
    request = Request(url, meta={META_FETCHED_AT: FETCHED_AT, **meta})
    headers = {"Content-Type": HTML}
    return HtmlResponse(url, status=status, body=body, headers=headers, request=request)


def test_the_spider_says_which_reading_its_callbacks_make() -> None:
    crawler = get_crawler(T2Spider, {"PAIRS_ENABLED": False})
    spider = crawler._create_spider()
    post_url, body, cited = _post_page()
    response = _response(post_url, body, post_url=post_url)
    reading = spider.page_reading(response)
    assert reading is not None and reading.function is read_post_page
    assert reading.arguments["body"] is response.body
    # What a worker made of it is what the callback yields; the callback reads nothing itself.
    made = reading.run()
    assert isinstance(made, PostItem)
    response.meta[META_READ_AHEAD] = ReadAhead(reading, made)
    output = list(spider.parse_post(response))
    assert output[0] is made
    assert [r.url for r in output[1:] if isinstance(r, Request)] == [cited]
    assert crawler.stats.get_value("bitext/read_ahead/used") == 1
    # The same page read in-process gives an equal item.
    again = _response(post_url, body, post_url=post_url)
    assert next(iter(spider.parse_post(again))) == made
    assert crawler.stats.get_value("bitext/read_ahead/in_process") == 1


def test_only_pages_the_callbacks_read_are_read_ahead() -> None:
    spider = get_crawler(T2Spider, {"PAIRS_ENABLED": False})._create_spider()
    url, body = _source_page()
    pointer = WarcPointer("f.warc.gz", 0, "<urn:uuid:y>")
    source = spider.page_reading(_response(url, body, cited_url=url, **{META_POINTER: pointer}))
    assert source is not None and source.function is read_source_page
    assert source.arguments["warc"] == pointer
    assert spider.page_reading(_response(url, body, status=404, cited_url=url)) is None
    assert spider.page_reading(_response(T2_BLOG + "sitemap.xml", b"<urlset/>")) is None


def test_workers_default_to_one_per_cpu_and_zero_switches_the_pool_off() -> None:
    assert parse_workers(None) == (os.cpu_count() or 1)
    assert parse_workers(3) == 3
    with pytest.raises(NotConfigured):
        ReadAheadMiddleware.from_crawler(get_crawler(T2Spider, {"BITEXT_PARSE_WORKERS": 0}))
    middleware = ReadAheadMiddleware.from_crawler(get_crawler(T2Spider, {}))
    assert middleware.workers == (os.cpu_count() or 1)
    with pytest.raises(ValueError):
        ParsingPool(0)


def test_the_middleware_reads_ahead_in_the_pool(pool: ParsingPool) -> None:
    crawler = get_crawler(T2Spider, {"PAIRS_ENABLED": False})
    spider = crawler._create_spider()
    crawler.spider = spider
    middleware = ReadAheadMiddleware(crawler, workers=1)
    middleware.pool = pool
    post_url, body, _ = _post_page()
    response = _response(post_url, body, post_url=post_url)
    assert asyncio.run(middleware.process_response(response.request, response)) is response
    ahead = response.meta[META_READ_AHEAD]
    assert ahead.reading == spider.page_reading(response)
    assert ahead.item == ahead.reading.run()
    # A reading that fails in the worker is left to the callback, where it fails as before.
    broken = PageReading(read_post_page, {"url": post_url})
    spider.page_reading = lambda response: broken  # type: ignore[method-assign]
    other = _response(post_url, body, post_url=post_url)
    assert asyncio.run(middleware.process_response(other.request, other)) is other
    assert META_READ_AHEAD not in other.meta
    assert crawler.stats.get_value("bitext/read_ahead/read") == 1
    assert crawler.stats.get_value("bitext/read_ahead/failed") == 1


KILLED_CRAWL = """
import os, signal, sys
from pathlib import Path
from crawler.reading.pool import PageReading, ParsingPool
pool = ParsingPool(1)
Path(sys.argv[1]).write_text(str(pool.submit(PageReading(os.getpid)).result(timeout=60)))
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_workers_exit_when_the_crawl_process_is_killed(tmp_path: Path) -> None:
    # No pipes: a worker left behind would hold them open and hang the test instead of failing it.
    pid_file = tmp_path / "worker.pid"
    done = subprocess.run(
        [sys.executable, "-c", KILLED_CRAWL, str(pid_file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=60,
        check=False,
    )
    assert done.returncode == -signal.SIGKILL
    worker = int(pid_file.read_text())
    deadline = time.monotonic() + 10 * PARENT_POLL_SECONDS
    while alive(worker) and time.monotonic() < deadline:
        time.sleep(0.1)
    survived = alive(worker)
    if survived:
        os.kill(worker, signal.SIGKILL)  # not left running after a failed test
    assert not survived


FLAGGED_CRAWL = """
import os
from pathlib import Path
from crawler.reading.pool import PageReading, ParsingPool
pool = ParsingPool(1)
worker = pool.submit(PageReading(os.getpid)).result(timeout=60)
arguments = Path(f"/proc/{worker}/cmdline").read_bytes().decode().split("\\0")
print(" ".join(arguments[1 : arguments.index("-c")]))
pool.close()
"""


def test_workers_run_with_the_crawl_process_interpreter_flags() -> None:
    # As multiprocessing does: -O, -W, -X ... hold in the workers too.
    done = subprocess.run(
        [sys.executable, "-O", "-W", "error::ResourceWarning", "-c", FLAGGED_CRAWL],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    flags = done.stdout.split()
    assert "-O" in flags and "-Werror::ResourceWarning" in flags, flags


def test_a_feed_date_learnt_after_a_workers_reading_still_dates_the_post() -> None:
    # The reading is of the page alone; the spider applies the feed's date to the worker's item.
    crawler = get_crawler(T2Spider, {"PAIRS_ENABLED": False})
    spider = crawler._create_spider()
    post_url = T2_BLOG + "2025/02/synthetic.html"
    body = blogger_page("<p>合成の段落です。</p>", timestamp=None).encode()
    response = _response(post_url, body, post_url=post_url)
    reading = spider.page_reading(response)
    assert reading is not None
    made = reading.run()
    assert isinstance(made, PostItem) and made.post is not None
    assert made.post.published_from == "date-header"
    response.meta[META_READ_AHEAD] = ReadAhead(reading, made)
    feed = datetime(2025, 2, 7, 18, 30, tzinfo=timezone(timedelta(hours=9)))
    spider.feed_published[post_url] = feed  # the feed page came in while the worker read
    item = next(iter(spider.parse_post(response)))
    assert isinstance(item, PostItem) and item.post is not None
    assert (item.post.published, item.post.published_from) == (feed, "feed")
    assert item.feed_published == feed.isoformat()
    assert crawler.stats.get_value("bitext/read_ahead/used") == 1


def test_one_thread_serves_every_worker() -> None:
    before = set(threading.enumerate())
    pool = ParsingPool(3)
    try:
        futures = [pool.submit(PageReading(sleep, {"seconds": 0.1})) for _ in range(9)]
        statuses = {getattr(future.result(timeout=120), "status", None) for future in futures}
        started = set(threading.enumerate()) - before
    finally:
        pool.close()
    assert statuses == {"ok"}
    assert [thread.name for thread in started] == ["parse-pool"]
