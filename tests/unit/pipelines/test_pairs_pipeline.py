"""The pairs pipeline never drops a pair silently, even one the manifest schema refuses."""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.manifest import read_manifest
from crawler.pairing import compose_pair, crawler_info
from crawler.pipelines.pairs import PairsPipeline
from tests.unit.test_pairing import SOURCE_URL, _post, _post_item, _source


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


def test_a_pair_the_schema_refuses_is_kept_and_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    pipeline = _pipeline(tmp_path)
    good = compose_pair(_post_item(_post()), SOURCE_URL, {SOURCE_URL: _source()}, crawler_info())
    bad = dataclasses.replace(good, status="no_such_status")
    with caplog.at_level(logging.ERROR, logger="crawler.pipelines.pairs"):
        pipeline._journal(bad)
    pipeline.close_spider()
    [line] = (tmp_path / "rejected-pairs.jsonl").read_text(encoding="utf-8").splitlines()
    kept = json.loads(line)
    assert kept["pair"]["status"] == "no_such_status"
    assert kept["pair"]["pair_id"] == good.pair_id
    assert "status" in kept["error"]
    assert any("rejected by the manifest schema" in r.getMessage() for r in caplog.records)
    assert pipeline.crawler.stats is not None
    assert pipeline.crawler.stats.get_value("bitext/pairs/rejected") == 1
