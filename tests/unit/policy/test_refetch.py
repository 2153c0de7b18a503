"""The refetch policy: which posts and sources an incremental run fetches again."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from crawler.archive.pointer import WarcPointer
from crawler.policy.refetch import (
    POSTS_UNCHANGED,
    SOURCES_ARCHIVED,
    SOURCES_RECHECKED,
    SOURCES_UNREADABLE,
    PostAnswer,
    RefetchPolicy,
    is_final,
    is_final_record,
    needs_recheck,
    post_needs_fetch,
)
from crawler.state import UNAVAILABLE, UNPARSABLE, CrawlState, Observation
from tests.unit.blogger.pages import POST_URL
from tests.unit.records import DAY, SOURCE, archive_pages, post_record, source_record

# Two days after the records' fetches: nothing is due for a re-check unless a test says so.
SOON = DAY + timedelta(days=2)


def test_which_posts_are_fetched_again() -> None:
    assert post_needs_fetch(None, DAY)  # new
    assert not post_needs_fetch(post_record(), DAY)  # the same date
    assert not post_needs_fetch(post_record(), DAY - timedelta(days=1))
    assert post_needs_fetch(post_record(), DAY + timedelta(seconds=1))  # edited since
    # Another offset, the same moment: unchanged.
    assert not post_needs_fetch(post_record(), DAY.astimezone(datetime.now().astimezone().tzinfo))
    assert not post_needs_fetch(post_record(), None)  # a list without dates shows no change
    assert post_needs_fetch(post_record(modified=None), DAY)  # archived without a date
    assert post_needs_fetch(post_record(parse_status=UNAVAILABLE), DAY)  # no page last time
    assert not post_needs_fetch(post_record(parse_status=UNPARSABLE), DAY)
    assert post_needs_fetch(post_record(warc=None), DAY)  # not archived at all
    # A list date without an offset is read as UTC.
    assert not post_needs_fetch(post_record(), DAY.replace(tzinfo=None))
    assert post_needs_fetch(post_record(), DAY.replace(tzinfo=None) + timedelta(minutes=1))


def test_which_source_outcomes_are_final() -> None:
    for status in ("ok", "source_not_found", "source_blocked_by_robots", "source_not_html"):
        assert is_final(status, 200)
    assert is_final("source_refused", None) and is_final("source_paywalled", 200)
    assert is_final("source_http_error", 403)
    for code in (500, 503, 429, 408):
        assert not is_final("source_http_error", code)
    assert not is_final("source_http_error", None)
    assert not is_final("source_unreachable", None)
    assert not is_final("source_truncated", 200)
    assert is_final_record(source_record())
    assert not is_final_record(source_record(warc=None))  # an ok page that is not archived
    assert is_final_record(source_record("source_refused", None, warc=None))


@pytest.fixture
def stats() -> MemoryStatsCollector:
    return MemoryStatsCollector(get_crawler())


def test_the_policy_reads_the_crawl_state(tmp_path: Path, stats: MemoryStatsCollector) -> None:
    other = "https://breakingdefense.com/2025/02/story"
    with CrawlState.open(tmp_path) as state:
        state.record_post(post_record(), [(SOURCE, "pair-a")])
        state.record_source(source_record("source_not_found", 404, warc=None))
        state.record_source(source_record("source_unreachable", None, cited_url=other))
        policy = RefetchPolicy(state, tmp_path, stats=stats, now=lambda: SOON)
        assert not policy.post_needs_fetch(POST_URL, DAY)
        assert policy.post_needs_fetch(POST_URL, DAY + timedelta(days=1))
        assert policy.post_needs_fetch("https://blog.example/new.html", DAY)
        gone = policy.archived_source(SOURCE)
        assert gone is not None and gone.status == "source_not_found"
        assert policy.archived_source(other) is None  # not final: fetched again
        assert policy.archived_source("https://never.example/") is None
        # Read without a page: readable as it is, and counted as taken from the archive.
        assert policy.readable_archived_source(SOURCE) == gone
        assert stats.get_value(SOURCES_ARCHIVED) == 1

        full = RefetchPolicy(state, tmp_path, full=True)
        assert full.post_needs_fetch(POST_URL, DAY) and full.archived_source(SOURCE) is None
    nothing = RefetchPolicy(None, tmp_path)
    assert nothing.post_needs_fetch(POST_URL, None) and nothing.archived_source(SOURCE) is None


def test_a_source_taken_from_the_archive_is_counted_once(
    tmp_path: Path, stats: MemoryStatsCollector
) -> None:
    # Judged for an unchanged post while a fetched post's request for it waits in the queue,
    # then answered by the archive cache when that request comes: one decision, one count.
    with CrawlState.open(tmp_path) as state:
        state.record_post(post_record(), [(SOURCE, "pair-a")])
        state.record_journaled("pair-a", "source_not_found", DAY.isoformat())
        state.record_source(source_record("source_not_found", 404, warc=None))
        policy = RefetchPolicy(state, tmp_path, stats=stats, now=lambda: SOON)
        assert policy.listed_post(POST_URL, DAY) is PostAnswer.UNCHANGED
        assert policy.source_outcome(SOURCE) is not None
        policy.taken_from_archive(SOURCE)
        assert policy.readable_archived_source(SOURCE) is not None
    assert stats.get_value(SOURCES_ARCHIVED) == 1
    assert stats.get_value(POSTS_UNCHANGED) == 1


def test_a_listed_post_is_fetched_read_again_or_left(
    tmp_path: Path, stats: MemoryStatsCollector
) -> None:
    """Fetched when new or changed; read again from the archive when a killed run did not
    journal all its pairs, or when it cites a URL this run fetches; else left as it is."""
    unreachable = "https://breakingdefense.com/2025/02/story"
    other_post = "https://blog.example/2025/02/other.html"
    with CrawlState.open(tmp_path) as state:
        state.record_post(post_record(), [(SOURCE, "pair-a")])
        state.record_source(source_record("source_not_found", 404, warc=None))
        owed = RefetchPolicy(state, tmp_path, stats=stats, now=lambda: SOON)
        assert owed.listed_post(POST_URL, DAY) is PostAnswer.REREAD  # pair-a not journalled
        assert owed.owed_posts(set()) == [POST_URL]
        assert owed.owed_posts({POST_URL}) == []  # requested: not asked for again

        state.record_journaled("pair-a", "source_not_found", DAY.isoformat())
        state.record_post(post_record(other_post), [(SOURCE, "pair-b"), (unreachable, "pair-c")])
        state.record_journaled("pair-b", "source_not_found", DAY.isoformat())
        state.record_journaled("pair-c", "source_unreachable", DAY.isoformat())
        state.record_source(source_record("source_unreachable", None, cited_url=unreachable))
        policy = RefetchPolicy(state, tmp_path, stats=stats, now=lambda: SOON)
        assert policy.listed_post(POST_URL, DAY + timedelta(days=1)) is PostAnswer.FETCH
        assert policy.listed_post(POST_URL, DAY) is PostAnswer.UNCHANGED
        assert policy.owed_posts(set()) == []  # nothing fetched yet that an archived post cites
        # Its unreachable source is fetched again this run: its pairs are composed again.
        assert policy.listed_post(other_post, DAY) is PostAnswer.REREAD
        assert policy.source_outcome(unreachable) is None
        assert policy.owed_posts({POST_URL}) == [other_post]
        assert policy.archived_post(other_post) == post_record(other_post)
        full = RefetchPolicy(state, tmp_path, full=True)
        assert full.listed_post(other_post, DAY) is PostAnswer.FETCH
        assert full.owed_posts(set()) == [] and full.archived_post(other_post) is None
    assert stats.get_value(POSTS_UNCHANGED) == 3  # the three answers that fetched no post


def test_an_archived_page_that_does_not_read_back_is_fetched(
    tmp_path: Path, stats: MemoryStatsCollector, caplog: pytest.LogCaptureFixture
) -> None:
    _, source_at, _, _ = archive_pages(tmp_path)
    with CrawlState.open(tmp_path) as state:
        state.record_source(source_record(warc=source_at))
        policy = RefetchPolicy(state, tmp_path, stats=stats, now=lambda: SOON)
        assert policy.readable_archived_source(SOURCE) == source_record(warc=source_at)
        lost = WarcPointer(source_at.filename, source_at.offset + 1, source_at.record_id)
        state.forget([source_at])  # an ok page is kept once recorded: the state forgets it
        state.record_source(source_record(warc=lost))
        assert policy.archived_source(SOURCE) is not None  # final, as the state says
        with caplog.at_level(logging.WARNING):
            assert policy.readable_archived_source(SOURCE) is None
    assert f"archived source {SOURCE} cannot be read back" in caplog.text
    assert stats.get_value(SOURCES_ARCHIVED) == 1
    assert stats.get_value(SOURCES_UNREADABLE) == 1


def test_a_settled_source_is_due_for_a_recheck_after_the_set_days() -> None:
    fetched = source_record()  # fetched 2025-02-08T00:00:00+00:00
    at = datetime.fromisoformat(fetched.fetched_at)
    assert not needs_recheck(fetched, 30.0, at + timedelta(days=30))
    assert needs_recheck(fetched, 30.0, at + timedelta(days=30, seconds=1))
    assert needs_recheck(fetched, 1e-6, at + timedelta(seconds=1))
    for never in (0.0, -1.0, float("nan")):
        assert not needs_recheck(fetched, never, at + timedelta(days=9999))
    # A later fetch that kept the capture (crawler/state/drift.py) is the last check.
    observed = Observation("ok", 200, None, None, (at + timedelta(days=20)).isoformat())
    checked = dataclasses.replace(fetched, observed=observed)
    assert not needs_recheck(checked, 30.0, at + timedelta(days=31))
    assert needs_recheck(dataclasses.replace(fetched, fetched_at="not a time"), 30.0, at)


def test_a_source_due_for_a_recheck_is_fetched_and_counted(
    tmp_path: Path, stats: MemoryStatsCollector
) -> None:
    _, source_at, _, _ = archive_pages(tmp_path)
    late = DAY + timedelta(days=40)
    with CrawlState.open(tmp_path) as state:
        state.record_source(source_record(warc=source_at))
        policy = RefetchPolicy(state, tmp_path, stats=stats, recheck_days=30, now=lambda: late)
        # The spider's question and the archive cache's each count the fetch they cause.
        assert policy.readable_archived_source(SOURCE) is None
        assert stats.get_value(SOURCES_RECHECKED) == 1
        assert policy.archived_source(SOURCE) is None
        assert stats.get_value(SOURCES_RECHECKED) == 2
        assert stats.get_value(SOURCES_ARCHIVED) is None
        never = RefetchPolicy(state, tmp_path, recheck_days=0, now=lambda: late)
        assert never.readable_archived_source(SOURCE) == source_record(warc=source_at)
