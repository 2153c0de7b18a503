"""Progress lines and the closing summary: counts from the crawl's stats, text a person reads."""

from __future__ import annotations

import logging
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from crawler.archive.naming import default_crawl_host, warc_filename
from crawler.extensions.progress import (
    Progress,
    Snapshot,
    WarcFiles,
    eta_seconds,
    format_bytes,
    format_duration,
    format_progress,
    format_summary,
    snapshot,
)

MID_CRAWL: dict[str, Any] = {
    "bitext/discovery/sitemap": 30,
    "bitext/discovery/feed": 5,
    "bitext/discovery/not_a_post": 4,  # static pages: not posts
    "bitext/posts/parsed": 10,
    "bitext/posts/unavailable": 1,
    "bitext/posts/outside_window": 1,
    "bitext/sources/ok": 8,
    "bitext/sources/source_not_found": 1,
    "response_received_count": 40,
}


MID_CRAWL_PAIRS = {**MID_CRAWL, "bitext/pairs/source_not_found": 1, "bitext/pairs/ok": 7}


def test_snapshot_counts_posts_sources_and_pairs() -> None:
    snap = snapshot(MID_CRAWL_PAIRS, elapsed=60.0, sources_requested=12, pages_per_minute=40.0)
    assert snap == Snapshot(
        elapsed=60.0,
        posts_found=35,
        posts_done=12,
        posts_failed=1,
        sources_fetched=9,
        sources_pending=3,
        pages_per_minute=40.0,
        sources={"ok": 8, "source_not_found": 1},
        pairs={"ok": 7, "source_not_found": 1},
    )


def test_pair_counts_come_from_the_stats_the_pipeline_keeps() -> None:
    stats = {**MID_CRAWL, "bitext/pairs/ok": 9, "bitext/pairs/source_not_fetched": 2}
    snap = snapshot(stats, elapsed=1, sources_requested=0, pages_per_minute=0)
    assert snap.pairs == {"ok": 9, "source_not_fetched": 2}
    assert snap.sources_pending == 0  # never negative


def test_eta_follows_the_rate_of_posts_done() -> None:
    snap = snapshot(MID_CRAWL, elapsed=60.0, sources_requested=9, pages_per_minute=0)
    assert eta_seconds(snap) == pytest.approx((35 - 12) * 60 / 12)


@pytest.mark.parametrize(
    "stats",
    [
        {},  # nothing discovered yet
        {"bitext/discovery/sitemap": 30},  # found, none done: no rate yet
        {"bitext/discovery/sitemap": 3, "bitext/posts/parsed": 3},  # all done
    ],
)
def test_no_eta_without_a_total_and_a_rate(stats: dict[str, Any]) -> None:
    snap = snapshot(stats, elapsed=30.0, sources_requested=0, pages_per_minute=0)
    assert eta_seconds(snap) is None


def test_progress_line() -> None:
    snap = snapshot(MID_CRAWL_PAIRS, elapsed=60.0, sources_requested=12, pages_per_minute=42.4)
    assert format_progress(snap) == (
        "progress: posts 12/35 done (1 failed) | sources 9 fetched, 3 pending"
        " | pairs ok 7, source_not_found 1 | 42 pages/min | ETA 1m55s"
    )


def test_progress_line_before_anything_is_known() -> None:
    snap = snapshot({}, elapsed=30.0, sources_requested=0, pages_per_minute=0)
    assert format_progress(snap) == (
        "progress: posts 0/0 done (0 failed) | sources 0 fetched, 0 pending"
        " | pairs none yet | 0 pages/min | ETA unknown"
    )


def test_summary_block() -> None:
    stats = {
        **MID_CRAWL,
        "bitext/pairs/ok": 7,
        "bitext/pairs/source_not_found": 1,
        "warc/responses": 52,
        "warc/revisits": 1,
        "downloader/request_count": 60,
        "downloader/response_bytes": 3 * 1024 * 1024,
    }
    snap = snapshot(stats, elapsed=3725.0, sources_requested=9, pages_per_minute=0)
    text = format_summary("t2", "finished", snap, WarcFiles(1, 1536), stats)
    assert text.splitlines() == [
        "crawl summary: t2, closed (finished) after 1h02m",
        "  posts    35 found, 12 done, 1 failed",
        "  sources  9 fetched: ok 8, source_not_found 1",
        "  pairs    8: ok 7, source_not_found 1",
        "  WARC     1 file written, 1.5 KiB, 52 responses, 1 revisit",
        "  network  60 requests, 3.0 MiB received",
    ]


def test_an_unchanged_post_is_done_without_being_fetched() -> None:
    # An incremental run requests every listed post; the archive cache answers the unchanged
    # ones (their archived copies stand): found, and done.
    stats = {**MID_CRAWL, "bitext/incremental/posts_unchanged": 20}
    snap = snapshot(stats, elapsed=60.0, sources_requested=9, pages_per_minute=0)
    assert (snap.posts_found, snap.posts_done, snap.posts_unchanged) == (35, 32, 20)
    assert eta_seconds(snap) == pytest.approx((35 - 32) * 60 / 32)
    text = format_summary("t2", "finished", snap, WarcFiles(0, 0), stats)
    assert "  posts    35 found, 32 done (20 unchanged), 1 failed" in text.splitlines()


def test_summary_of_a_crawl_that_fetched_nothing() -> None:
    snap = snapshot({}, elapsed=0.4, sources_requested=0, pages_per_minute=0)
    text = format_summary("t2", "warc_open_error", snap, WarcFiles(0, 0), {})
    assert "closed (warc_open_error) after 0s" in text
    assert "  pairs    0: none" in text.splitlines()
    assert "  WARC     0 files written, 0 B, 0 responses, 0 revisits" in text.splitlines()


def test_summary_ends_with_the_manifest_lines_the_schema_refused() -> None:
    stats = {"bitext/manifest/repaired": 1}
    snap = snapshot(stats, elapsed=1, sources_requested=0, pages_per_minute=0)
    last = format_summary("t2", "finished", snap, WarcFiles(0, 0), stats).splitlines()[-1]
    assert last.startswith("  FAILED   the manifest schema refused lines (a bug in the crawler)")
    assert "1 pair line written repaired" in last and "rejected-pairs.jsonl" in last


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0.4, "0s"), (59.6, "1m00s"), (61, "1m01s"), (3600, "1h00m"), (90061, "25h01m")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (5 * 1024**3, "5.0 GiB"),
        (2**50, "1048576.0 GiB"),
    ],
)
def test_format_bytes(size: int, text: str) -> None:
    assert format_bytes(size) == text


def test_switched_off() -> None:
    with pytest.raises(NotConfigured):
        Progress.from_crawler(get_crawler(Spider, {"PROGRESS_ENABLED": False}))


def test_the_extension_counts_sources_once_and_sums_up_this_run_s_warc_files(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    crawler = get_crawler(Spider, {"ARCHIVE_DIR": str(tmp_path), "PROGRESS_INTERVAL": 0})
    progress = Progress.from_crawler(crawler)
    spider = Spider("t2")
    progress.spider_opened(spider)
    # This process's file, another process's file, and this host and pid's file of long ago.
    now = datetime.now(UTC)
    mine = tmp_path / warc_filename("BITEXT", now, 1, default_crawl_host())
    mine.write_bytes(b"x" * 2048)
    (tmp_path / warc_filename("BITEXT", now, 1, "otherhost-1")).write_bytes(b"x" * 100)
    old = tmp_path / warc_filename("BITEXT", now, 0, default_crawl_host())
    old.write_bytes(b"x" * 100)
    os.utime(old, (time.time() - 86400, time.time() - 86400))

    cited = "https://www.twz.com/a"
    progress.request_scheduled(Request(cited, meta={"cited_url": cited}), spider)
    progress.request_scheduled(Request(cited + "-moved", meta={"cited_url": cited}), spider)
    progress.request_scheduled(Request("https://blog.example/p.html"), spider)
    assert progress.cited_urls == {cited}

    assert crawler.stats is not None
    crawler.stats.set_value("bitext/pairs/ok", 1)
    with caplog.at_level(logging.INFO, logger="crawler.extensions.progress"):
        progress.spider_closed(spider, "finished")
    summary = caplog.records[-1].getMessage().splitlines()
    assert summary[0].startswith("crawl summary: t2, closed (finished) after ")
    assert "  pairs    1: ok 1" in summary
    assert "  WARC     1 file written, 2.0 KiB, 0 responses, 0 revisits" in summary
