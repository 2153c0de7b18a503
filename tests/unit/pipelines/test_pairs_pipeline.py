"""The pairs pipeline never drops a pair silently, even one the manifest schema refuses."""

from __future__ import annotations

import dataclasses
import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import ListedPost, ListingItem, SourceItem
from crawler.manifest import read_manifest
from crawler.outcome import MANIFEST_REPAIRED, MANIFEST_UNWRITABLE, crawl_outcome
from crawler.pairing.compose import compose_pair, crawler_info
from crawler.pipelines.pairs import PairsPipeline
from crawler.state import CrawlState, SourceRecord
from tests.unit.pairing.test_compose import (
    CRAWLED,
    OTHER_URL,
    SOURCE_URL,
    _post,
    _post_item,
    _source,
)
from tests.unit.test_state import count_commits


def _pipeline(archive: Path) -> PairsPipeline:
    crawler = get_crawler(Spider, {"ARCHIVE_DIR": str(archive)})
    crawler.spider = Spider("t")
    pipeline = PairsPipeline.from_crawler(crawler)
    pipeline.open_spider()
    return pipeline


def test_items_become_manifest_lines(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path)
    pipeline.process_item(_post_item(_post()))
    pipeline.process_item(_source())
    pipeline.close_spider()
    [pair] = read_manifest(tmp_path / "pairs.jsonl")
    assert (pair.cited_url, pair.status) == (SOURCE_URL, "ok")
    assert not (tmp_path / "rejected-pairs.jsonl").exists()


def _rejected(archive: Path) -> list[dict[str, Any]]:
    path = archive / "rejected-pairs.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _stat(pipeline: PairsPipeline, name: str) -> object:
    assert pipeline.crawler.stats is not None
    return pipeline.crawler.stats.get_value(name)


def test_a_pair_the_schema_refuses_reaches_the_manifest_repaired(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pipeline = _pipeline(tmp_path)
    good = compose_pair(_post_item(_post()), SOURCE_URL, {SOURCE_URL: _source()}, crawler_info())
    bad = dataclasses.replace(good, status="no_such_status")
    with caplog.at_level(logging.ERROR, logger="crawler.pipelines.pairs"):
        pipeline._journal(bad)
        pipeline.close_spider()
    [pair] = read_manifest(tmp_path / "pairs.jsonl")
    assert (pair.pair_id, pair.translation.url, pair.cited_url) == (
        good.pair_id,
        good.translation.url,
        good.cited_url,
    )
    [defect] = pair.defects
    assert defect.field == "line" and defect.value["status"] == "no_such_status"
    # The line as composed, for the bug report.
    [kept] = _rejected(tmp_path)
    assert kept["pair"] == bad.to_json()
    assert "status" in kept["error"]
    assert [d["field"] for d in kept["defects"]] == ["line"]
    messages = [r.getMessage() for r in caplog.records]
    assert any(good.pair_id in m and "refused by the manifest schema" in m for m in messages)
    assert "THE CRAWL FAILED" in messages[-1]
    assert _stat(pipeline, MANIFEST_REPAIRED) == 1
    assert _stat(pipeline, f"bitext/pairs/{pair.status}") == 1
    assert pipeline.crawler.stats is not None
    assert (
        crawl_outcome(
            {
                **pipeline.crawler.stats.get_stats(),
                **SOMETHING_FETCHED,
                "finish_reason": "finished",
            },
            "t",
        ).code
        == 1
    )


SOMETHING_FETCHED = {"downloader/response_status_count/200": 2, "bitext/posts/parsed": 1}


def test_a_source_with_odd_values_gives_a_line_with_defects(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Through the items, as in a crawl: a redirect hop that is not a URL.
    pipeline = _pipeline(tmp_path)
    source = dataclasses.replace(_source(), redirects=["not a url"])
    with caplog.at_level(logging.ERROR, logger="crawler.pipelines.pairs"):
        pipeline.process_item(_post_item(_post()))
        pipeline.process_item(source)
        pipeline.close_spider()
    [pair] = read_manifest(tmp_path / "pairs.jsonl")
    assert pair.status == "ok" and pair.source is not None and pair.source.redirects == ()
    assert [(d.field, d.value) for d in pair.defects] == [("source.redirects", ["not a url"])]
    assert any("source.redirects" in r.getMessage() for r in caplog.records)
    [kept] = _rejected(tmp_path)
    assert kept["pair"]["source"]["redirects"] == ["not a url"]
    assert _stat(pipeline, MANIFEST_REPAIRED) == 1


def test_a_valid_crawl_counts_no_repairs(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path)
    pipeline.process_item(_post_item(_post()))
    pipeline.process_item(_source())
    pipeline.close_spider()
    assert _stat(pipeline, MANIFEST_REPAIRED) is None
    assert _stat(pipeline, MANIFEST_UNWRITABLE) is None


def test_damaged_lines_of_the_existing_manifest_are_kept(tmp_path: Path) -> None:
    old = compose_pair(_post_item(_post()), SOURCE_URL, {SOURCE_URL: _source()}, crawler_info())
    refused = old.to_json()
    refused["source"]["published"] = "February 4"
    (tmp_path / "pairs.jsonl").write_text(
        json.dumps(refused) + "\n" + "{not json\n", encoding="utf-8"
    )
    pipeline = _pipeline(tmp_path)
    pipeline.close_spider()
    [pair] = read_manifest(tmp_path / "pairs.jsonl")
    assert [(d.field, d.value) for d in pair.defects] == [("source.published", "February 4")]
    repaired, unreadable = _rejected(tmp_path)
    assert repaired["pair"] == refused and repaired["where"].endswith("pairs.jsonl line 1")
    assert unreadable["line"] == "{not json" and unreadable["where"].endswith("line 2")
    assert _stat(pipeline, MANIFEST_REPAIRED) == 1
    assert _stat(pipeline, MANIFEST_UNWRITABLE) == 1
    # Once written repaired, the lines are valid: the next crawl has nothing to repair.
    again = _pipeline(tmp_path)
    again.close_spider()
    assert _stat(again, MANIFEST_REPAIRED) is None
    assert list(read_manifest(tmp_path / "pairs.jsonl")) == [pair]


def test_a_pair_without_a_translation_url_is_kept_and_counted(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path)
    good = compose_pair(_post_item(_post()), SOURCE_URL, {SOURCE_URL: _source()}, crawler_info())
    bad = dataclasses.replace(
        good,
        status="no_such_status",
        translation=dataclasses.replace(good.translation, url="not a url"),
    )
    pipeline._journal(bad)
    pipeline.close_spider()
    assert list(read_manifest(tmp_path / "pairs.jsonl")) == []
    [kept] = _rejected(tmp_path)
    assert kept["pair"]["translation"]["url"] == "not a url"
    assert _stat(pipeline, MANIFEST_UNWRITABLE) == 1


def test_a_fetched_post_waits_for_the_archive_s_item_which_is_not_recorded_again(
    tmp_path: Path,
) -> None:
    gone = SourceItem(
        cited_url=SOURCE_URL,
        status="source_not_found",
        crawled_at=CRAWLED,
        url=SOURCE_URL,
        http_status=404,
        error="HTTP 404",
    )
    with CrawlState.open(tmp_path) as state:
        state.record_source(
            SourceRecord(
                cited_url=SOURCE_URL,
                status=gone.status,
                error=gone.error,
                url=SOURCE_URL,
                redirects=(),
                http_status=404,
                content_type=None,
                warc=None,
                payload_digest=None,
                fetched_at=CRAWLED,
            )
        )
    pipeline = _pipeline(tmp_path)
    pipeline.process_item(_post_item(_post()))
    # The spider requests the cited URL; the state is not read behind the archive cache's back.
    assert sum(pipeline.journalled.values()) == 0
    pipeline.process_item(dataclasses.replace(gone, from_archive=True))
    assert pipeline.journalled == {"source_not_found": 1}
    pipeline.close_spider()
    [pair] = read_manifest(tmp_path / "pairs.jsonl")
    assert (pair.cited_url, pair.status) == (SOURCE_URL, "source_not_found")
    with CrawlState.open(tmp_path) as state:
        assert len(state.history(SOURCE_URL)) == 1  # recorded by the crawl that fetched it


def test_each_pair_is_counted_in_the_stats_as_it_is_journalled(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path)
    pipeline.process_item(_post_item(_post()))
    assert _stat(pipeline, "bitext/pairs/ok") in (None, 0)
    pipeline.process_item(_source())
    # Before the close: what the progress lines report mid-crawl.
    assert _stat(pipeline, "bitext/pairs/ok") == 1
    pipeline.close_spider()
    assert _stat(pipeline, "bitext/pairs/ok") == 1  # not counted twice at the close


def test_the_state_rows_of_one_item_commit_in_one_transaction(tmp_path: Path) -> None:
    pipeline = _pipeline(tmp_path)
    assert pipeline.state is not None
    commits = count_commits(pipeline.state)
    other = _post_item(_post((SOURCE_URL, OTHER_URL)))
    pipeline.process_item(_source())  # the source and its history
    assert commits == [1]
    pipeline.process_item(_source(OTHER_URL))
    assert commits == [2]
    pipeline.process_item(other)  # two pairs journalled, the post and its citations
    assert commits == [3]
    assert sum(pipeline.journalled.values()) == 2
    with CrawlState.open(tmp_path) as state:
        assert state.post(other.url) is not None and state.pending_posts() == []
    pipeline.close_spider()


def test_the_journal_fsync_interval_is_the_setting(tmp_path: Path) -> None:
    def interval(**settings: object) -> float:
        crawler = get_crawler(Spider, {"ARCHIVE_DIR": str(tmp_path), **settings})
        crawler.spider = Spider("t")
        pipeline = PairsPipeline.from_crawler(crawler)
        pipeline.open_spider()
        assert pipeline.journal is not None
        try:
            return pipeline.journal.fsync_interval
        finally:
            pipeline.close_spider()

    assert interval() == 0.5
    assert interval(PAIRS_JOURNAL_FSYNC_INTERVAL="0") == 0.0
    assert interval(PAIRS_JOURNAL_FSYNC_INTERVAL=2) == 2.0
    assert interval(PAIRS_JOURNAL_FSYNC_INTERVAL=-1) == 0.0  # an fsync per line


def test_a_list_s_dates_are_noted_and_the_listing_goes_no_further(tmp_path: Path) -> None:
    # A feed export (scrapy crawl -O) and later pipelines get posts and sources only.
    pipeline = _pipeline(tmp_path)
    lastmod = datetime(2025, 2, 7, 9, 30, tzinfo=UTC)
    listing = ListingItem([ListedPost("https://blog.example/2025/02/a.html", lastmod=lastmod)])
    with pytest.raises(DropItem) as dropped:
        pipeline.process_item(listing)
    assert dropped.value.log_level == "DEBUG"  # one per list page: not a warning each
    assert pipeline.state is not None
    assert pipeline.state.listed_modified("https://blog.example/2025/02/a.html") == lastmod
    assert pipeline.process_item(_source()).cited_url == SOURCE_URL  # the others pass on
    pipeline.close_spider()
    with CrawlState.open(tmp_path) as state:  # committed, not rolled back by the drop
        assert state.listed_modified("https://blog.example/2025/02/a.html") == lastmod
