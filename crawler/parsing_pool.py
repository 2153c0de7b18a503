"""Worker processes that read fetched pages off the crawl's event loop.

Reading a page (``crawler.reading``: lxml, trafilatura, dateparser) is most of a crawl's CPU time
per page, and Scrapy runs everything else on one thread. A :class:`PageReading` is one call of the
reading code with every argument it takes, so it can run in another process and give the same
item; :class:`ParsingPool` runs readings in ``BITEXT_PARSE_WORKERS`` processes.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Mapping, MutableMapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from crawler.items import PostItem, SourceItem
from crawler.reading import read_post_page, read_source_page

Item = PostItem | SourceItem

# Request.meta key: the (reading, item) a worker made of the response, for the callback.
META_READ_AHEAD = "bitext_read_ahead"
PARENT_POLL_SECONDS = 1.0  # how soon a worker notices that the crawl process is gone


@dataclass(frozen=True)
class PageReading:
    """``function(**arguments)``, picklable and comparable.

    Two readings with equal arguments give equal items: a callback uses a worker's item only when
    the reading it would make itself equals the one the worker made.
    """

    function: Callable[..., Item]
    arguments: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def post(cls, **arguments: Any) -> PageReading:
        return cls(read_post_page, arguments)

    @classmethod
    def source(cls, **arguments: Any) -> PageReading:
        return cls(read_source_page, arguments)

    def run(self) -> Item:
        return self.function(**self.arguments)


@dataclass(frozen=True)
class ReadAhead:
    """What a worker made of a response, kept in its meta until the callback runs."""

    reading: PageReading
    item: Item

    def item_for(self, reading: PageReading) -> Item | None:
        return self.item if reading == self.reading else None


def read_page(reading: PageReading, meta: MutableMapping[str, Any]) -> tuple[Item, bool]:
    """The item of ``reading``: a worker's, when it read these very arguments, else read now.

    Returns the item and whether it came from a worker. A worker's item is used once.
    """
    ahead = meta.pop(META_READ_AHEAD, None)
    if isinstance(ahead, ReadAhead):
        item = ahead.item_for(reading)
        if item is not None:
            return item, True
    return reading.run(), False


class ParsingPool:
    """``workers`` processes that run :class:`PageReading`\\ s.

    Spawned, not forked: the crawl process runs an event loop and threads, which a fork would
    copy in whatever state they were in. Workers ignore SIGINT (a Ctrl-C stops the crawl, which
    then shuts them down) and exit on their own when the crawl process is gone.
    """

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ValueError(f"a parsing pool needs at least one worker, not {workers}")
        self.workers = workers
        self._executor = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
        )

    def start(self) -> None:
        """Start every worker now (each imports the reading code once), not at the first page."""
        for _ in range(self.workers):
            self._executor.submit(_ready)

    def submit(self, reading: PageReading) -> Future[Item]:
        return self._executor.submit(_run, reading)

    def close(self, *, wait: bool = True) -> None:
        self._executor.shutdown(wait=wait, cancel_futures=True)


def _start_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A worker holds both ends of its task queue, so it never sees the crawl process die: a
    # crawl killed with SIGKILL (or by the OOM killer) would leave it waiting for ever.
    parent = os.getppid()
    threading.Thread(target=_exit_with, args=(parent,), daemon=True).start()


def _exit_with(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def _ready() -> None:
    return None


def _run(reading: PageReading) -> Item:
    return reading.run()
