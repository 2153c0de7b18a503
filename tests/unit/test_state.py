"""The crawl state (what earlier runs archived) and reading items back from archived records."""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from crawler.archive.pointer import WarcPointer
from crawler.archive.reader import RecordError
from crawler.reading.archived import (
    post_item_from_state,
    read_payload_digest,
    read_response,
    source_item_from_state,
)
from crawler.reading.page import read_post_page, read_source_page
from crawler.state import (
    UNAVAILABLE,
    CrawlState,
)
from tests.unit.blogger.pages import POST_URL
from tests.unit.records import (
    DAY,
    POINTER,
    SOURCE,
    archive_pages,
    post_record,
    source_record,
)


@pytest.fixture
def state(tmp_path: Path) -> Iterator[CrawlState]:
    with CrawlState.open(tmp_path) as opened:
        yield opened


def test_posts_their_citations_and_what_they_still_owe(state: CrawlState) -> None:
    other = "https://news.usni.org/2025/02/story"
    state.record_post(post_record(), [(SOURCE, "pair-a"), (other, "pair-b")])
    state.record_post(post_record("https://blog.example/2.html"), [(None, "pair-c")])
    assert state.post(POST_URL) == post_record()
    assert state.cited_urls(POST_URL) == [SOURCE, other]
    assert state.cited_urls("https://blog.example/2.html") == []
    assert state.posts_citing(other) == [POST_URL]
    assert state.pending_posts() == ["https://blog.example/2.html", POST_URL]
    state.record_journaled("pair-a", "ok", "t")
    state.record_journaled("pair-c", "no_citation", "t")
    assert state.pending_posts() == [POST_URL]
    state.record_journaled("pair-b", "ok", "t")
    assert state.pending_posts() == []
    # A post fetched again replaces its citations.
    state.record_post(post_record(), [(other, "pair-b")])
    assert state.cited_urls(POST_URL) == [other] and state.posts_citing(SOURCE) == []


def test_source_history_keeps_every_change(state: CrawlState) -> None:
    first = state.record_source(source_record("source_http_error", 503, warc=None))
    assert first is not None and first.old_status is None
    assert state.record_source(source_record("source_http_error", 503, warc=None)) is None
    ok = state.record_source(source_record())
    gone = state.record_source(source_record("source_not_found", 404, fetched_at="2025-03-01"))
    assert ok is not None and (ok.old_status, ok.new_status) == ("source_http_error", "ok")
    assert gone is not None and gone.old_warc == POINTER
    assert [(c.old_status, c.new_status, c.new_http_status) for c in state.history(SOURCE)] == [
        (None, "source_http_error", 503),
        ("source_http_error", "ok", 200),
        ("ok", "source_not_found", 404),
    ]
    # An ok page stays the source's (its pairs keep it); the 404 is its latest observation.
    kept = state.source(SOURCE)
    assert kept == source_record()
    assert kept is not None and kept.observed is not None
    assert (kept.observed.status, kept.checked_at) == ("source_not_found", "2025-03-01")
    assert state.changed_since(kept) == "2025-03-01"
    assert state.history("https://elsewhere.example/") == []


def test_a_kept_page_fetched_again_records_each_new_version_once(state: CrawlState) -> None:
    first = source_record(payload_digest="sha1:AAAA")
    state.record_source(first)
    later = WarcPointer("B.warc.gz", 10, "<urn:uuid:b>")
    same = source_record(payload_digest="sha1:AAAA", warc=later, fetched_at="2025-03-01")
    assert state.record_source(same) is None  # the same page: no entry
    edited = dataclasses.replace(
        same,
        payload_digest="sha1:BBBB",
        fetched_at="2025-04-01",
        drift={"paragraphs": {"added": 1, "removed": 0, "changed": 2}},
    )
    change = state.record_source(edited)
    assert change is not None
    assert (change.old_payload_digest, change.new_payload_digest) == ("sha1:AAAA", "sha1:BBBB")
    assert change.paragraphs == {"added": 1, "removed": 0, "changed": 2}
    assert state.record_source(dataclasses.replace(edited, fetched_at="2025-05-01")) is None
    # A passing failure says nothing of the page: no entry, and the last check stays.
    assert (
        state.record_source(source_record("source_http_error", 503, fetched_at="2025-06-01"))
        is None
    )
    kept = state.source(SOURCE)
    assert kept == first and kept is not None and kept.checked_at == "2025-05-01"
    assert state.history(SOURCE)[-1] == change
    assert state.changed_since(kept) == "2025-04-01"


def test_listings_keep_the_newest_date_of_either_list(state: CrawlState) -> None:
    assert state.listed_modified(POST_URL) is None
    state.list_post(POST_URL, lastmod=DAY)
    state.list_post(POST_URL, updated=DAY + timedelta(hours=1))
    state.list_post(POST_URL)
    assert state.listed_modified(POST_URL) == DAY + timedelta(hours=1)


def test_forget_from_drops_what_a_repair_cut(state: CrawlState) -> None:
    late = WarcPointer(POINTER.filename, 500, "<urn:uuid:2>")
    state.record_post(post_record(), [])
    state.record_post(post_record("https://blog.example/2.html", warc=late), [])
    state.record_source(source_record(warc=late))
    assert state.forget_from(POINTER.filename, 500) == 2
    assert state.post(POST_URL) is not None
    assert state.post("https://blog.example/2.html") is None and state.source(SOURCE) is None


def test_the_state_survives_reopening(tmp_path: Path) -> None:
    with CrawlState.open(tmp_path) as state:
        state.record_post(post_record(), [(SOURCE, "pair-a")])
        state.record_source(source_record())
    with CrawlState.open(tmp_path) as state:
        assert state.post(POST_URL) == post_record() and state.source(SOURCE) == source_record()
        assert state.counts()["history"] == 1
    assert (tmp_path / "state" / "crawl.sqlite").stat().st_mode & 0o777 == 0o644


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def count_commits(state: CrawlState) -> list[int]:
    """A one-item list that counts the transactions the state's connection commits from now on:
    each COMMIT, and each write made outside a transaction (SQLite commits it by itself)."""
    db = state._db
    commits = [0]

    def traced(sql: str) -> None:
        word = sql.split(None, 1)[0].upper()
        if word == "COMMIT" or (word in _WRITES and not db.in_transaction):
            commits[0] += 1

    db.set_trace_callback(traced)
    return commits


def _committed(tmp_path: Path) -> dict[str, int]:
    """The row counts another connection sees: what is committed."""
    with CrawlState.open(tmp_path) as other:
        return {t: n for t, n in other.counts().items() if n}


def test_a_batch_commits_its_writes_once_when_it_ends(tmp_path: Path) -> None:
    with CrawlState.open(tmp_path) as state:
        commits = count_commits(state)
        with state.batch():
            state.record_post(post_record(), [(SOURCE, "pair-a")])
            state.record_source(source_record())
            state.record_journaled("pair-a", "ok", "t")
            with state.batch():  # part of the outer one
                state.list_post(POST_URL, lastmod=DAY)
            assert _committed(tmp_path) == {}
        rows = {"posts": 1, "sources": 1, "history": 1, "journaled": 1, "listed": 1}
        assert _committed(tmp_path) == rows
        assert commits == [1]
        # Outside a batch each write commits by itself, as before.
        state.record_post(post_record("https://blog.example/2.html"), [])
        state.record_journaled("pair-b", "ok", "t")
        assert commits == [3] and _committed(tmp_path)["journaled"] == 2


def test_a_batch_that_writes_nothing_begins_no_transaction(state: CrawlState) -> None:
    made: list[str] = []
    state._db.set_trace_callback(made.append)
    with state.batch():
        assert state.post(POST_URL) is None
    assert len(made) == 1 and made[0].startswith("SELECT")


def test_an_exception_leaving_a_batch_rolls_all_its_writes_back(tmp_path: Path) -> None:
    with CrawlState.open(tmp_path) as state:
        with pytest.raises(RuntimeError), state.batch():
            state.record_post(post_record(), [(SOURCE, "pair-a")])
            state.record_journaled("pair-a", "ok", "t")
            raise RuntimeError("the item's processing failed")
        assert state.post(POST_URL) is None and state.pending_posts() == []
        assert _committed(tmp_path) == {}
        state.record_journaled("pair-b", "ok", "t")  # the connection is usable again
    assert _committed(tmp_path) == {"journaled": 1}


def test_a_write_that_fails_inside_a_batch_is_undone_whole(tmp_path: Path) -> None:
    with CrawlState.open(tmp_path) as state:
        with state.batch():
            state.record_journaled("pair-a", "ok", "t")
            # The post row is written, then its citation breaks a constraint (no pair id).
            with pytest.raises(sqlite3.IntegrityError):
                state.record_post(post_record(), [(SOURCE, None)])  # type: ignore[list-item]
            state.record_source(source_record())
        assert state.post(POST_URL) is None
    assert _committed(tmp_path) == {"sources": 1, "history": 1, "journaled": 1}


def test_items_read_back_equal_the_crawl_s(tmp_path: Path) -> None:
    post_at, source_at, post_page, source_page = archive_pages(tmp_path)
    response = read_response(tmp_path, source_at)
    assert response.body == source_page  # Content-Encoding removed
    assert response.http_status == 200 and response.target_uri == SOURCE
    assert read_payload_digest(tmp_path, source_at) == response.payload_digest
    crawled_at = response.crawled_at
    assert crawled_at == "2025-03-01T04:05:06+00:00"  # the WARC-Date, to the second

    expected_post = read_post_page(
        url=POST_URL,
        fetched_url=POST_URL,
        http_status=200,
        content_type="text/html; charset=utf-8",
        body=post_page,
        warc=post_at,
        crawled_at=crawled_at,
    )
    assert expected_post.post is not None
    archived_post = post_record(
        warc=post_at, fetched_at=crawled_at, payload_digest=None, modified=None
    )
    assert post_item_from_state(tmp_path, archived_post) == expected_post

    expected_source = read_source_page(
        cited_url=SOURCE + "?utm_source=x",
        url=SOURCE,
        redirects=["https://twz.com/x"],
        http_status=200,
        content_type="text/html; charset=utf-8",
        body=source_page,
        truncated=False,
        warc=source_at,
        crawled_at=crawled_at,
    )
    assert expected_source.status == "ok" and expected_source.article is not None
    archived_source = source_record(
        cited_url=SOURCE + "?utm_source=x",
        redirects=("https://twz.com/x",),
        content_type=None,  # the archived response's is taken
        warc=source_at,
        fetched_at=crawled_at,
    )
    assert source_item_from_state(tmp_path, archived_source) == expected_source
    # The record's payload digest goes with the item, as the crawl's did.
    digested = dataclasses.replace(archived_source, payload_digest=response.payload_digest)
    read_back = source_item_from_state(tmp_path, digested)
    assert read_back == dataclasses.replace(expected_source, payload_digest=response.payload_digest)


def test_items_read_back_from_state_records(tmp_path: Path) -> None:
    post_at, source_at, _, _ = archive_pages(tmp_path)
    post = post_item_from_state(tmp_path, post_record(warc=post_at, fetched_at="T1"))
    assert post.post is not None and post.crawled_at == "T1" and post.warc == post_at
    source = source_item_from_state(tmp_path, source_record(warc=source_at, fetched_at="T2"))
    assert source.status == "ok" and source.crawled_at == "T2" and source.article is not None
    # Outcomes without a page are rebuilt from the record alone.
    failed = post_item_from_state(
        tmp_path, post_record(parse_status=UNAVAILABLE, http_status=404, error="gone", warc=None)
    )
    assert failed.post is None and failed.error == "gone" and failed.http_status == 404
    gone = source_item_from_state(tmp_path, source_record("source_not_found", 404, warc=None))
    assert gone.status == "source_not_found" and gone.article is None


def test_bad_pointers_raise_record_errors(tmp_path: Path) -> None:
    post_at, _, _, _ = archive_pages(tmp_path)
    with pytest.raises(RecordError, match="not there"):
        read_response(tmp_path, WarcPointer(post_at.filename, post_at.offset, "<urn:uuid:x>"))
    with pytest.raises(RecordError, match="No such file"):
        read_response(tmp_path, WarcPointer("missing.warc.gz", 0, "<urn:uuid:1>"))
    with pytest.raises(RecordError, match="not a file of the archive"):
        read_response(tmp_path, WarcPointer("../x.warc.gz", 0, "<urn:uuid:1>"))
