"""Parse budgets and the workers' lifetime (synthetic pages).

A page over the size budget is recorded without being read; a reading over the time budget is
stopped by killing its worker, which is replaced, and the page is recorded with the reason,
never read again in the crawl process. Closing the pool, or the crawl process dying, ends every
worker within a bound.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler import defaults
from crawler.downloadermiddlewares.read_ahead import ReadAheadMiddleware
from crawler.extensions.warc_capture import META_FETCHED_AT
from crawler.items import PostItem, SourceItem
from crawler.pairing.compose import compose_pair, crawler_info
from crawler.reading.page import read_post_page, read_source_page
from crawler.reading.pool import (
    META_READ_AHEAD,
    PARENT_POLL_SECONDS,
    PageReading,
    ParseTimeout,
    ParsingPool,
    PoolClosed,
    ReadAhead,
    WorkerDied,
    read_page,
)
from crawler.spiders.blogger import T2Spider
from replica.corpus import load_cases
from replica.sites.news_templates import render_article
from tests.processes import alive as _alive
from tests.processes import kill_session
from tests.processes import session_processes as _session
from tests.unit.blogger.pages import POST_URL, blogger_page
from tests.unit.reading.readings import FETCHED_AT, URL, die, sleep

HTML = "text/html; charset=utf-8"
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _slow_page(paragraphs: int = 16_000) -> bytes:
    """A corpus article stretched to ``paragraphs`` paragraphs (about 1.3 MB): trafilatura's
    time grows faster than the page, and reads this one in many seconds, never in one."""
    case = next(c for c in load_cases("t2") if c.sources)
    article = next(iter(case.sources.values()))
    text = article.paragraphs[0]
    return render_article(
        replace(article, paragraphs=tuple(f"{text} ({n})" for n in range(paragraphs)))
    )


def _source_arguments(body: bytes, **changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "cited_url": URL,
        "url": URL,
        "redirects": [],
        "http_status": 200,
        "content_type": HTML,
        "body": body,
        "truncated": False,
        "warc": None,
        "crawled_at": FETCHED_AT,
    }
    return {**arguments, **changes}


def _post_arguments(body: bytes, **changes: Any) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "url": POST_URL,
        "fetched_url": POST_URL,
        "http_status": 200,
        "content_type": HTML,
        "body": body,
        "warc": None,
        "crawled_at": FETCHED_AT,
    }
    return {**arguments, **changes}


def _not_read(*args: object, **kwargs: object) -> Any:
    raise AssertionError("the page was read")


# The size budget: decided from the length alone, before any parser sees the page.


def test_a_source_page_over_the_size_budget_is_truncated_without_being_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("crawler.reading.page.extract_article", _not_read)
    body = b"<!DOCTYPE html><html><body>" + b"x" * 2000 + b"</body></html>"
    item = read_source_page(**_source_arguments(body), max_bytes=1000)
    assert item.status == "source_truncated"
    assert item.error == (
        f"the page is {len(body)} bytes, over the parse size budget of 1000 bytes "
        "(BITEXT_PARSE_MAX_BYTES): it was not read"
    )
    assert item.article is None
    assert (item.http_status, item.content_type, item.url) == (200, HTML, URL)


def test_a_post_page_over_the_size_budget_is_translation_unparsable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("crawler.reading.page.read_post", _not_read)
    body = blogger_page("<p>合成の段落です。</p>" * 200).encode()
    item = read_post_page(**_post_arguments(body), max_bytes=1000)
    reason = (
        f"the page is {len(body)} bytes, over the parse size budget of 1000 bytes "
        "(BITEXT_PARSE_MAX_BYTES): it was not read"
    )
    assert (item.post, item.error, item.http_status) == (None, reason, 200)
    pair = compose_pair(item, None, {}, crawler_info("t2"))
    assert (pair.status, pair.error) == ("translation_unparsable", reason)


def test_the_default_size_budget_holds_without_an_argument(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The rebuild and the pipeline's read-backs call the reading code without the setting.
    monkeypatch.setattr("crawler.reading.page.extract_article", _not_read)
    monkeypatch.setattr("crawler.reading.page.read_post", _not_read)
    body = b"<html><body>" + b" " * defaults.BITEXT_PARSE_MAX_BYTES + b"</body></html>"
    assert read_source_page(**_source_arguments(body)).status == "source_truncated"
    assert "BITEXT_PARSE_MAX_BYTES" in str(read_post_page(**_post_arguments(body)).error)
    # Under it, nothing changes; a page that is not HTML keeps its own status.
    assert read_source_page(**_source_arguments(b"%PDF-1.7 " * 300), max_bytes=1000).status == (
        "source_not_html"
    )


def _response(url: str, body: bytes, **meta: Any) -> HtmlResponse:
    request = Request(url, meta={META_FETCHED_AT: FETCHED_AT, **meta})
    headers = {"Content-Type": HTML}
    return HtmlResponse(url, status=200, body=body, headers=headers, request=request)


def test_the_spider_reads_with_the_crawls_size_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    crawler = get_crawler(T2Spider, {"PAIRS_ENABLED": False, "BITEXT_PARSE_MAX_BYTES": 1000})
    spider = crawler._create_spider()
    body = b"<html><body>" + b"<p>text</p>" * 200 + b"</body></html>"
    source = _response(URL, body, cited_url=URL)
    reading = spider.page_reading(source)
    assert reading is not None and reading.arguments["max_bytes"] == 1000
    monkeypatch.setattr("crawler.reading.page.extract_article", _not_read)
    [item] = list(spider.parse_source(source))
    assert isinstance(item, SourceItem) and item.status == "source_truncated"
    post = _response(POST_URL, body, post_url=POST_URL)
    post_reading = spider.page_reading(post)
    assert post_reading is not None and post_reading.arguments["max_bytes"] == 1000


def test_the_time_budget_is_a_setting_and_zero_means_none() -> None:
    assert defaults.BITEXT_PARSE_TIMEOUT > 0
    middleware = ReadAheadMiddleware.from_crawler(get_crawler(T2Spider, {}))
    assert middleware.timeout == defaults.BITEXT_PARSE_TIMEOUT
    middleware = ReadAheadMiddleware.from_crawler(
        get_crawler(T2Spider, {"BITEXT_PARSE_TIMEOUT": "2.5"})
    )
    assert middleware.timeout == 2.5
    middleware = ReadAheadMiddleware.from_crawler(
        get_crawler(T2Spider, {"BITEXT_PARSE_TIMEOUT": 0})
    )
    assert middleware.timeout is None


# The time budget: enforced by killing the worker, which is replaced.


@pytest.fixture
def budget_pool() -> Iterator[ParsingPool]:
    pool = ParsingPool(1, timeout=1.0)
    pool.start()
    yield pool
    pool.close()


def test_a_reading_over_the_time_budget_is_stopped_and_its_worker_replaced(
    budget_pool: ParsingPool,
) -> None:
    first = budget_pool.submit(PageReading(os.getpid)).result(timeout=60)
    started = time.monotonic()
    slow = budget_pool.submit(PageReading(sleep, {"seconds": 60}))
    with pytest.raises(ParseTimeout) as raised:
        slow.result(timeout=30)
    assert time.monotonic() - started < 15
    assert str(raised.value) == (
        "the page took longer than the parse time budget of 1 s to read "
        "(BITEXT_PARSE_TIMEOUT): its reading was stopped"
    )
    assert not _alive(first)
    replacement = budget_pool.submit(PageReading(os.getpid)).result(timeout=60)
    assert replacement != first and _alive(replacement)


def test_other_readings_go_on_while_one_is_over_the_time_budget() -> None:
    pool = ParsingPool(2, timeout=2.0)
    try:
        slow = pool.submit(PageReading(sleep, {"seconds": 60}))
        fast = [pool.submit(PageReading(sleep, {"seconds": 0.05})) for _ in range(6)]
        assert [f.result(timeout=60).status for f in fast] == ["ok"] * 6
        with pytest.raises(ParseTimeout):
            slow.result(timeout=30)
    finally:
        pool.close()


def test_a_worker_that_dies_is_replaced_and_its_page_has_a_reason(
    budget_pool: ParsingPool,
) -> None:
    with pytest.raises(WorkerDied) as raised:
        budget_pool.submit(PageReading(die)).result(timeout=60)
    assert str(raised.value) == (
        "the process reading the page died (killed by SIGKILL; out of memory?): "
        "the page was not read"
    )
    assert budget_pool.submit(PageReading(sleep, {"seconds": 0})).result(timeout=60).status == (
        "ok"
    )


def test_a_page_over_the_time_budget_is_recorded_and_not_read_in_the_crawl_process(
    budget_pool: ParsingPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    crawler = get_crawler(T2Spider, {"PAIRS_ENABLED": False})
    spider = crawler._create_spider()
    crawler.spider = spider
    middleware = ReadAheadMiddleware(crawler, workers=1)
    middleware.pool = budget_pool
    response = _response(URL, _slow_page(), cited_url=URL)
    started = time.monotonic()
    assert asyncio.run(middleware.process_response(response.request, response)) is response
    assert time.monotonic() - started < 15
    # The worker gave up; the callback records that and reads nothing itself.
    monkeypatch.setattr("crawler.reading.page.extract_article", _not_read)
    [item] = list(spider.parse_source(response))
    assert isinstance(item, SourceItem)
    assert item.status == "source_truncated"
    assert item.error == (
        "the page took longer than the parse time budget of 1 s to read "
        "(BITEXT_PARSE_TIMEOUT): its reading was stopped"
    )
    assert (item.http_status, item.url, item.article) == (200, URL, None)
    stats = crawler.stats
    assert stats.get_value("bitext/read_ahead/timed_out") == 1
    assert stats.get_value("bitext/read_ahead/in_process") is None


def test_a_post_a_worker_gave_up_on_is_unparsable_even_if_the_spider_learnt_more(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("crawler.reading.page.read_post", _not_read)
    body = blogger_page("<p>合成の段落です。</p>").encode()
    worker_read = PageReading.post(**_post_arguments(body))
    reason = "the page took longer than the parse time budget of 1 s to read (...)"
    meta: dict[str, Any] = {META_READ_AHEAD: ReadAhead(worker_read, None, abandoned=reason)}
    # Whatever the callback would make of it now, the page is not read again.
    callback_reads = PageReading.post(**_post_arguments(body), max_bytes=9)
    item, pooled = read_page(meta, lambda: callback_reads)
    assert pooled and isinstance(item, PostItem)
    assert (item.url, item.post, item.error, item.http_status) == (POST_URL, None, reason, 200)


# Closing the pool, and the end of the crawl process.


def test_closing_the_pool_is_bounded_while_a_worker_is_busy() -> None:
    pool = ParsingPool(1)
    worker = pool.submit(PageReading(os.getpid)).result(timeout=60)
    busy = pool.submit(PageReading(sleep, {"seconds": 120}))
    deadline = time.monotonic() + 10
    while not busy.running() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # the worker has the reading now
    closer = threading.Thread(target=pool.close, daemon=True)
    started = time.monotonic()
    closer.start()
    closer.join(timeout=10)
    assert not closer.is_alive(), "close() waited for the busy worker"
    assert time.monotonic() - started < 10
    assert not _alive(worker)
    with pytest.raises(PoolClosed):
        busy.result(timeout=1)
    with pytest.raises(PoolClosed):
        pool.submit(PageReading(os.getpid))


STARTED_CRAWL = """
import sys, time
from pathlib import Path
from crawler.reading.pool import ParsingPool
pool = ParsingPool(2)
pool.start()
Path(sys.argv[1]).write_text("started")
time.sleep(60)
"""


def test_no_worker_outlives_a_crawl_process_killed_as_it_starts_its_pool(
    tmp_path: Path,
) -> None:
    # A session of its own: whatever the crawl process started is found by its session id,
    # multiprocessing's resource tracker included. No pipes, so a survivor cannot hang the test.
    flag = tmp_path / "started"
    crawl = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(STARTED_CRAWL), str(flag)],
        cwd=PROJECT_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    session = crawl.pid
    try:
        deadline = time.monotonic() + 30
        while not (flag.exists() and set(_session(session)) - {crawl.pid}):
            assert crawl.poll() is None, "the crawl process ended by itself"
            assert time.monotonic() < deadline, "the pool started no worker"
            time.sleep(0.01)
        os.kill(crawl.pid, signal.SIGKILL)  # while its workers are still starting
        crawl.wait(timeout=10)
        deadline = time.monotonic() + 5 * PARENT_POLL_SECONDS + 5
        while _session(session) and time.monotonic() < deadline:
            time.sleep(0.1)
        survivors = _session(session)
    finally:
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait(timeout=10)
    kill_session(session)  # this test's own leftovers, if any
    assert survivors == {}, survivors
