"""The crawl process's collector: frozen start-up heap, thresholds, the cost in the stats."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

from crawler.extensions.gc_tuning import GcTuning, parse_threshold


@pytest.fixture(autouse=True)
def _collector_as_it_was() -> Iterator[None]:
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_the_threshold_setting_is_three_numbers_or_nothing() -> None:
    assert parse_threshold("50000, 20,100") == (50000, 20, 100)
    assert parse_threshold([1000, 10, 10]) == (1000, 10, 10)
    assert parse_threshold("") is None and parse_threshold(None) is None
    for bad in ("50000,20", "a,b,c", "0,10,10", "10,-1,10", 5):
        with pytest.raises(ValueError, match="GC_THRESHOLD must be three whole numbers"):
            parse_threshold(bad)


def _tuning(**settings: object) -> GcTuning:
    crawler = get_crawler(Spider, settings)
    assert crawler.stats is not None
    crawler.stats.open_spider()
    return GcTuning.from_crawler(crawler)


def test_once_started_the_heap_is_frozen_and_collections_are_rarer_then_as_before() -> None:
    before = gc.get_threshold()
    tuning = _tuning(GC_THRESHOLD="40000,30,90")
    kept = [[index] for index in range(1000)]  # start-up's objects
    tuning.tune()
    assert gc.get_freeze_count() >= len(kept)
    assert gc.get_threshold() == (40000, 30, 90)
    gc.collect(0)
    gc.collect()
    tuning.spider_closed(Spider("t2"))
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0
    stats = tuning.crawler.stats
    assert stats is not None
    assert stats.get_value("gc/collections/0") >= 1 and stats.get_value("gc/collections/2") >= 1
    assert stats.get_value("gc/cpu_seconds") >= 0
    full = stats.get_value("gc/collections/2")
    gc.collect()
    assert stats.get_value("gc/collections/2") == full  # counted while the crawl runs only


def test_either_tuning_can_be_left_out() -> None:
    before = gc.get_threshold()
    tuning = _tuning(GC_FREEZE=False, GC_THRESHOLD="")
    tuning.tune()
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before
    gc.collect()
    tuning.spider_closed(Spider("t2"))
    assert tuning.crawler.stats is not None
    assert tuning.crawler.stats.get_value("gc/collections/2") >= 1
