"""Readings for the parsing pool's tests, in a module a worker imports in no time (the test
modules import Scrapy and the replica: importing one would eat a tight time budget)."""

from __future__ import annotations

import os
import signal
import time

from crawler.items import SourceItem

URL = "https://www.example-news.test/2025/04/article/"
FETCHED_AT = "2025-04-01T00:00:00Z"


def sleep(seconds: float) -> SourceItem:
    time.sleep(seconds)
    return SourceItem(cited_url=URL, status="ok", crawled_at=FETCHED_AT)


def die() -> SourceItem:
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")
