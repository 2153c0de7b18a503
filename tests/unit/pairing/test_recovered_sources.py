"""A source read from a web archive's capture: its pair, its crawl-state row, its crawl-log record
and its manifest line keep the memento and the live outcome; a refused capture leaves the live
outcome."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path

from crawler.archive.pointer import WarcPointer
from crawler.items import SourceItem, live_outcome
from crawler.items.codec import source_item, source_record
from crawler.items.crawllog import crawl_log_fields, log_record
from crawler.manifest import Pair, validate_line
from crawler.manifest.upgrade import upgrade_line
from crawler.pairing.compose import compose_pair, crawler_info
from crawler.state import CrawlState
from tests.unit.pairing.test_compose import SOURCE_URL, _post, _post_item, _source

ARCHIVE = "https://web.archive.org"
RAW = f"{ARCHIVE}/web/20250205120000id_/{SOURCE_URL}"
MEMENTO = {
    "url": f"{ARCHIVE}/web/20250205120000/{SOURCE_URL}",
    "datetime": "2025-02-05T12:00:00+00:00",
    "archive": ARCHIVE,
}
LIVE_WARC = WarcPointer("A.warc.gz", 50, "<urn:uuid:live>")


def _live() -> SourceItem:
    return SourceItem(
        cited_url=SOURCE_URL,
        status="source_not_found",
        crawled_at="2025-02-10T00:00:00+00:00",
        url=SOURCE_URL,
        http_status=404,
        content_type="text/html",
        warc=LIVE_WARC,
        error="HTTP 404 Not Found",
        payload_digest="sha1:LIVE",
    )


def _recovered(**changes: object) -> SourceItem:
    item = replace(_source(), url=RAW, **changes)  # type: ignore[arg-type]
    item.memento, item.live = dict(MEMENTO), live_outcome(_live())
    return item


def test_a_recovered_source_is_an_ok_pair_with_its_memento_and_live_outcome() -> None:
    pair = compose_pair(
        _post_item(_post()), SOURCE_URL, {SOURCE_URL: _recovered()}, crawler_info("t2")
    )
    pair.validate()
    assert pair.status == "ok"
    line = pair.to_json()
    assert line["source"]["memento"] == MEMENTO
    assert line["source"]["live"] == {
        "status": "source_not_found",
        "url": SOURCE_URL,
        "http_status": 404,
    }
    assert line["source"]["url"] == RAW
    assert Pair.from_json(line).to_json() == line


def test_a_refused_capture_leaves_the_live_outcome_not_a_mismatch() -> None:
    other = _recovered()
    assert other.article is not None
    other.article = replace(
        other.article,
        title="Navy Picks New Frigate Design",
        text="The Navy chose a new frigate hull after years of delays.",
        paragraphs=("The Navy chose a new frigate hull after years of delays.",),
    )
    pair = compose_pair(_post_item(_post()), SOURCE_URL, {SOURCE_URL: other}, crawler_info())
    pair.validate()
    assert (pair.status, pair.error, pair.confidence) == (
        "source_not_found",
        "HTTP 404 Not Found",
        None,
    )
    assert pair.source is not None
    assert (pair.source.url, pair.source.http_status, pair.source.warc) == (
        SOURCE_URL,
        404,
        LIVE_WARC,
    )
    line = pair.to_json()
    assert line["source"]["memento"] == {"url": None, "datetime": None, "archive": None}


def test_a_live_source_has_an_empty_memento_and_live_outcome() -> None:
    pair = compose_pair(_post_item(_post()), SOURCE_URL, {SOURCE_URL: _source()}, crawler_info())
    source = pair.to_json()["source"]
    assert source["memento"] == {"url": None, "datetime": None, "archive": None}
    assert source["live"] == {"status": None, "url": None, "http_status": None}


def test_the_crawl_state_keeps_the_memento_and_the_live_outcome(tmp_path: Path) -> None:
    state = CrawlState.open(tmp_path)
    try:
        record = source_record(_recovered())
        state.record_source(record)
        kept = state.source(SOURCE_URL)
        assert kept is not None
        assert (kept.memento, kept.live) == (MEMENTO, live_outcome(_live()))
        state.record_source(source_record(_source()))
        again = state.source(SOURCE_URL)
        assert again is not None and (again.memento, again.live) == (None, None)
    finally:
        state.close()


def test_an_older_state_file_gets_the_new_column(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "state" / "crawl.sqlite"
    path.parent.mkdir()
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE sources (cited_url TEXT PRIMARY KEY, status TEXT NOT NULL, error TEXT, "
        "url TEXT, redirects TEXT NOT NULL, http_status INTEGER, content_type TEXT, warc TEXT, "
        "payload_digest TEXT, fetched_at TEXT NOT NULL)"
    )
    db.execute(
        "INSERT INTO sources VALUES (?, 'ok', NULL, ?, '[]', 200, NULL, NULL, NULL, ?)",
        (SOURCE_URL, SOURCE_URL, "2025-02-10T00:00:00+00:00"),
    )
    db.commit()
    db.close()
    state = CrawlState(path)
    try:
        kept = state.source(SOURCE_URL)
        assert kept is not None and (kept.status, kept.memento, kept.live) == ("ok", None, None)
    finally:
        state.close()


def test_the_crawl_log_record_says_what_the_state_says() -> None:
    item = _recovered()
    fields = json.loads(json.dumps(crawl_log_fields(item, crawl="c", spider="t2")))
    logged = log_record(fields)
    assert (logged.memento, logged.live) == (item.memento, item.live)  # type: ignore[union-attr]


def test_an_outcome_without_a_page_keeps_them_too() -> None:
    record = replace(source_record(_recovered()), warc=None)
    item = source_item(record)
    assert (item.memento, item.live) == (MEMENTO, live_outcome(_live()))
    assert item.live_item().payload_digest == "sha1:LIVE"


def test_a_pairs_2_line_gets_an_empty_memento_and_live_outcome() -> None:
    pair = compose_pair(_post_item(_post()), SOURCE_URL, {SOURCE_URL: _source()}, crawler_info())
    line = pair.to_json()
    old = copy.deepcopy(line)
    old["schema"] = "pairs/2"
    del old["source"]["memento"], old["source"]["live"]
    upgraded = upgrade_line(old)
    validate_line(upgraded)
    assert upgraded == line
