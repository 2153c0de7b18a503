"""Read post and source pages in worker processes before their callbacks run.

Scrapy runs callbacks on its one thread; reading a page there leaves the machine's other cores
idle while the crawl waits on it. This middleware sees each final response last (after redirects,
decompression and retries), asks the spider which reading its callback will make
(``spider.page_reading(response)``), runs it in the :class:`~crawler.reading.pool.ParsingPool` and
keeps the item in ``response.meta``. A reading is a pure function of the response (the feed's
date is applied after it, by the callback), so the callback uses the worker's item as it is
(``crawler.reading.pool.read_page``) and the items are those of an in-process crawl. A reading
that raises in a worker is read again by the callback, where the error surfaces as before.

A reading over the time budget (``BITEXT_PARSE_TIMEOUT``) is stopped by killing its worker, which
is replaced; so is a worker that dies while it reads. The page is then not read again by the
callback, in the crawl process and without a budget: it is recorded with the reason
(``source_truncated`` for a source, ``translation_unparsable`` for a post).

``BITEXT_PARSE_WORKERS`` sets the number of processes (default: one per CPU); 0 switches the
middleware off. It needs Scrapy's asyncio reactor (the default).

The workers are ended when the crawl goes idle (``spider_idle``: nothing left to download or to
read), before the engine closes the spider: the pairs pipeline's close folds the whole manifest
in memory, and idle workers would only add to that peak. Should the crawl go on after all (a
``spider_idle`` handler that raises ``DontCloseSpider`` and schedules more requests, as a
distributed crawl's), the next page to read starts a new pool.
"""

from __future__ import annotations

import asyncio
import logging
import os
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured

from crawler import defaults
from crawler.reading.pool import (
    META_READ_AHEAD,
    ParseTimeout,
    ParsingPool,
    PoolBroken,
    PoolClosed,
    ReadAhead,
    ReadingAbandoned,
)

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def parse_workers(value: int | None) -> int:
    """BITEXT_PARSE_WORKERS as a number of processes (None: one per CPU)."""
    return (os.cpu_count() or 1) if value is None else max(0, value)


def parse_timeout(value: object) -> float | None:
    """BITEXT_PARSE_TIMEOUT in seconds (None: no limit)."""
    seconds = float(value) if value not in (None, "") else 0.0  # type: ignore[arg-type]
    return seconds if seconds > 0 else None


class ReadAheadMiddleware:
    def __init__(
        self,
        crawler: Crawler,
        workers: int,
        timeout: float | None = defaults.BITEXT_PARSE_TIMEOUT,
    ) -> None:
        self.crawler = crawler
        self.workers = workers
        self.timeout = timeout
        self.pool: ParsingPool | None = None
        self.idle_closed = False  # the pool was ended at spider_idle: a page to read restarts it

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReadAheadMiddleware:
        configured = crawler.settings.get("BITEXT_PARSE_WORKERS", defaults.BITEXT_PARSE_WORKERS)
        workers = parse_workers(None if configured in (None, "") else int(configured))
        if workers == 0:
            raise NotConfigured("BITEXT_PARSE_WORKERS is 0: pages are read in the crawl process")
        timeout = parse_timeout(
            crawler.settings.get("BITEXT_PARSE_TIMEOUT", defaults.BITEXT_PARSE_TIMEOUT)
        )
        middleware = cls(crawler, workers, timeout)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        from scrapy.utils.reactor import is_asyncio_reactor_installed

        if not hasattr(spider, "page_reading"):
            return
        if not is_asyncio_reactor_installed():
            logger.warning("BITEXT_PARSE_WORKERS needs the asyncio reactor; reading in-process")
            return
        self._start_pool()
        budget = f"{self.timeout:g} s" if self.timeout is not None else "no time limit"
        logger.info("reading pages in %d worker process(es), %s per page", self.workers, budget)

    def spider_idle(self, spider: Spider) -> None:
        # Nothing is being downloaded or read: the workers have nothing left to do.
        if self.pool is not None:
            self.pool.close()
            self.pool = None
            self.idle_closed = True
            logger.debug("the crawl is idle: its parse workers were ended")

    def spider_closed(self, spider: Spider) -> None:
        self.idle_closed = False
        if self.pool is not None:
            self.pool.close()
            self.pool = None

    def _start_pool(self) -> None:
        self.pool = ParsingPool(self.workers, timeout=self.timeout)
        self.pool.start()

    async def process_response(self, request: Request, response: Response) -> Response:
        spider = self.crawler.spider
        if spider is None or (self.pool is None and not self.idle_closed):
            return response
        if response.request is None:
            # As the engine does once the middlewares are done: the spider reads response.meta.
            response.request = request
        reading = spider.page_reading(response)  # type: ignore[attr-defined]
        if reading is None:
            return response
        if self.pool is None:  # ended while the crawl was idle, which it is no longer
            self.idle_closed = False
            self._start_pool()
        assert self.pool is not None
        try:
            item = await asyncio.wrap_future(self.pool.submit(reading))
        except ReadingAbandoned as exc:
            # Over the time budget, or the worker died on it: the page is recorded as not read.
            timed_out = isinstance(exc, ParseTimeout)
            logger.warning("%s: %s; the worker was replaced", response.url, exc)
            response.meta[META_READ_AHEAD] = ReadAhead(reading, None, abandoned=str(exc))
            self._inc("bitext/read_ahead/timed_out" if timed_out else "bitext/read_ahead/died")
            return response
        except PoolBroken:
            # No worker can be started: the rest of the crawl reads in-process.
            if self.pool is not None:
                logger.warning("the parsing pool broke; reading pages in the crawl process")
                self.pool.close(wait=False)
                self.pool = None
            self._inc("bitext/read_ahead/failed")
            return response
        except PoolClosed:
            return response  # the crawl is ending; the callback reads it (size budget only)
        except Exception as exc:
            # The callback reads the page itself: the error surfaces there, as without the pool.
            logger.debug("read-ahead of %s failed: %r", response.url, exc)
            self._inc("bitext/read_ahead/failed")
            return response
        response.meta[META_READ_AHEAD] = ReadAhead(reading, item)
        self._inc("bitext/read_ahead/read")
        return response

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)
