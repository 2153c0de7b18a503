"""Fewer and cheaper garbage collections in the crawl process.

A crawl allocates a great many short-lived objects per page (responses, requests, items, their
dicts) and keeps a large, stable heap: Scrapy, Twisted, lxml's and trafilatura's modules, the
crawl state's caches. With CPython's default thresholds (700, 10, 10) the collector runs thousands
of times in a crawl of a few thousand pages, and each full collection walks that whole heap.
Once the crawl has started (the spider, its state and the parse workers are up), this extension

- freezes the objects made so far (``gc.freeze()``, ``GC_FREEZE``): they are never examined again,
  so a full collection only walks what the crawl made since;
- sets the thresholds ``GC_THRESHOLD`` (``"gen0,gen1,gen2"``; empty: CPython's own), so that
  fewer collections run, each over more objects.

Reference cycles are still collected, less often. Either setting can be turned off on its own;
with both off the collector is CPython's. Either way the collections are counted in the crawl's
stats (``gc/collections/N``) with the CPU time they took (``gc/cpu_seconds``), so a crawl says
what its collector cost.
"""

from __future__ import annotations

import gc
import logging
import time
from typing import TYPE_CHECKING, Any, cast

from scrapy import signals

from crawler import defaults

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def parse_threshold(value: object) -> tuple[int, int, int] | None:
    """``GC_THRESHOLD`` (``"gen0,gen1,gen2"``, or a sequence of three) as ``gc.set_threshold``'s
    arguments; None (empty) for CPython's own."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parts = value.split(",") if isinstance(value, str) else value
    try:
        numbers = [int(str(part).strip()) for part in parts]  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        numbers = []
    if len(numbers) != 3 or numbers[0] < 1 or min(numbers) < 0:
        raise ValueError(
            f"GC_THRESHOLD must be three whole numbers like '10000,20,20', not {value!r}"
        )
    return numbers[0], numbers[1], numbers[2]


class GcTuning:
    def __init__(self, crawler: Crawler, freeze: bool, threshold: tuple[int, int, int] | None):
        self.crawler = crawler
        self.freeze = freeze
        self.threshold = threshold
        self._previous: tuple[int, int, int] | None = None
        self._started: float | None = None
        self._spent = 0.0
        self._collections = [0, 0, 0]

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GcTuning:
        settings = crawler.settings
        freeze = settings.getbool("GC_FREEZE", defaults.GC_FREEZE)
        threshold = parse_threshold(settings.get("GC_THRESHOLD", defaults.GC_THRESHOLD))
        extension = cls(crawler, freeze, threshold)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider: Spider) -> None:
        # After every spider_opened handler (the parse workers are started by one): what
        # start-up made is the heap to freeze.
        from twisted.internet import reactor

        cast(Any, reactor).callLater(0, self.tune)

    def tune(self) -> None:
        if self.freeze:
            gc.collect()  # start-up's garbage is not kept for ever
            gc.freeze()
        gc.callbacks.append(self._timed)
        if self.threshold is not None:
            self._previous = gc.get_threshold()
            gc.set_threshold(*self.threshold)
        logger.debug(
            "gc: %d objects frozen, thresholds %s", gc.get_freeze_count(), gc.get_threshold()
        )

    def spider_closed(self, spider: Spider) -> None:
        if self._timed in gc.callbacks:
            gc.callbacks.remove(self._timed)
        if self._previous is not None:
            gc.set_threshold(*self._previous)
        if self.freeze:
            gc.unfreeze()  # the close's garbage and the rest collected as usual from now on
        stats = self.crawler.stats
        if stats is not None:
            for generation, count in enumerate(self._collections):
                stats.set_value(f"gc/collections/{generation}", count)
            stats.set_value("gc/cpu_seconds", round(self._spent, 3))

    def _timed(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.thread_time()
        elif self._started is not None:
            self._spent += time.thread_time() - self._started
            self._collections[info["generation"]] += 1
            self._started = None
