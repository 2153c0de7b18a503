"""Worker processes that read fetched pages off the crawl's event loop, each within a budget.

Reading a page (``crawler.reading.page``: lxml, trafilatura, dateparser) is most of a crawl's CPU
time per page, and Scrapy runs everything else on one thread. A :class:`PageReading` is one call of
the reading code with every argument it takes, so it can run in another process and give the same
item; :class:`ParsingPool` runs readings in ``BITEXT_PARSE_WORKERS`` processes
(``crawler/reading/worker.py``).

A reading gets ``BITEXT_PARSE_TIMEOUT`` seconds in its worker. A worker still reading after that
is killed and replaced, and the reading ends with :class:`ParseTimeout`; a worker that dies while
reading (the OOM killer) is replaced too, and the reading ends with :class:`WorkerDied`. Either
way the page is recorded with the reason (:meth:`PageReading.abandoned`) and never read again in
the crawl process. The size budget (``BITEXT_PARSE_MAX_BYTES``) is the reading code's own
(``crawler/reading/page.py``), so it holds with or without workers.
"""

from __future__ import annotations

import atexit
import logging
import queue
import signal
import threading
import time
import weakref
from collections.abc import Callable, Mapping, MutableMapping
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from crawler.items import PostItem, SourceItem
from crawler.reading.page import (
    read_post_page,
    read_source_page,
    unread_post_page,
    unread_source_page,
)
from crawler.reading.worker import PARENT_POLL_SECONDS, Worker

__all__ = [
    "META_READ_AHEAD",
    "PARENT_POLL_SECONDS",
    "PageReading",
    "ParseTimeout",
    "ParsingPool",
    "PoolBroken",
    "PoolClosed",
    "ReadAhead",
    "ReadingAbandoned",
    "WorkerDied",
    "read_page",
]

Item = PostItem | SourceItem

logger = logging.getLogger(__name__)

# Request.meta key: the (reading, item) a worker made of the response, for the callback.
META_READ_AHEAD = "bitext_read_ahead"
START_SECONDS = 120.0  # a worker not ready after this long (imports on a swamped machine) is stuck
START_ATTEMPTS = 3  # consecutive failed starts after which a worker slot gives up


class ReadingAbandoned(Exception):
    """A page's reading ended without an item; ``str()`` says why, as a manifest error."""


class ParseTimeout(ReadingAbandoned):
    """The reading took longer than the time budget; its worker was killed."""


class WorkerDied(ReadingAbandoned):
    """The worker died while reading (killed from outside, out of memory, a crash)."""


class PoolClosed(RuntimeError):
    """The pool was closed before the reading was done (or was submitted after that)."""


class PoolBroken(RuntimeError):
    """No worker process can be started."""


@dataclass(frozen=True)
class PageReading:
    """``function(**arguments)``, picklable: a pure function of the response it was made of,
    so what a worker made of it is what the callback would make. ``unread(reason,
    **arguments)`` is the item of the page when it could not be read within its budget.
    """

    function: Callable[..., Item]
    arguments: Mapping[str, Any] = field(default_factory=dict)
    unread: Callable[..., Item] | None = None

    @classmethod
    def post(cls, **arguments: Any) -> PageReading:
        return cls(read_post_page, arguments, unread_post_page)

    @classmethod
    def source(cls, **arguments: Any) -> PageReading:
        return cls(read_source_page, arguments, unread_source_page)

    def run(self) -> Item:
        return self.function(**self.arguments)

    def abandoned(self, reason: str) -> Item:
        """The item of this page when its reading was given up for ``reason``."""
        if self.unread is None:
            raise ReadingAbandoned(reason)
        return self.unread(reason, **self.arguments)


@dataclass(frozen=True)
class ReadAhead:
    """What a worker made of a response, kept in its meta until the callback runs: an item, or
    why the page could not be read (``abandoned``)."""

    reading: PageReading
    item: Item | None
    abandoned: str | None = None

    def __post_init__(self) -> None:
        if (self.item is None) == (self.abandoned is None):
            raise ValueError("a read-ahead holds either an item or why there is none")

    def result(self) -> Item:
        if self.item is not None:
            return self.item
        assert self.abandoned is not None  # __post_init__
        return self.reading.abandoned(self.abandoned)


def read_page(
    meta: MutableMapping[str, Any], reading: Callable[[], PageReading]
) -> tuple[Item, bool]:
    """The item of a response: what a worker made of it (its ``ReadAhead`` in ``meta``), else
    ``reading()`` run now. A page a worker gave up on is not read again: it gets the item that
    says why. Returns the item and whether it came from a worker, whose item is used once.
    """
    ahead = meta.pop(META_READ_AHEAD, None)
    if isinstance(ahead, ReadAhead):
        return ahead.result(), True
    return reading().run(), False


@dataclass
class _Job:
    reading: PageReading
    future: Future[Item]


class ParsingPool:
    """``workers`` processes that run :class:`PageReading`\\ s, ``timeout`` seconds each at most.

    Each worker has a thread in the crawl process that hands it one reading at a time and waits
    for the answer with the time budget; the thread kills and replaces a worker that overruns.
    Workers are new interpreters (not forks of the crawl process, which runs an event loop and
    threads) and end with the crawl process, however it ends (``crawler/reading/worker.py``).
    :meth:`close` ends them within a few seconds, busy or not; so does the interpreter's exit.
    """

    def __init__(self, workers: int, *, timeout: float | None = None) -> None:
        if workers < 1:
            raise ValueError(f"a parsing pool needs at least one worker, not {workers}")
        if timeout is not None and timeout <= 0:
            raise ValueError(f"a parse time budget must be positive, not {timeout}")
        self.workers = workers
        self.timeout = timeout
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._broken: str | None = None
        self._given_up = 0  # worker slots that could not start a worker
        self._running: dict[int, Worker] = {}  # slot -> its worker, while it has one
        self._threads: list[threading.Thread] = []
        _POOLS.add(self)

    def start(self) -> None:
        """Start every worker now (each imports the reading code once), not at the first page."""
        with self._lock:
            if self._threads or self._closed.is_set():
                return
            for slot in range(self.workers):
                # Each worker is started by its slot's thread, which lives as long as the pool:
                # Linux's parent-death signal follows the thread that started a process.
                thread = threading.Thread(
                    target=self._supervise, args=(slot,), name=f"parse-worker-{slot}", daemon=True
                )
                self._threads.append(thread)
                thread.start()

    def submit(self, reading: PageReading) -> Future[Item]:
        if self._closed.is_set():
            raise PoolClosed("the parsing pool is closed")
        if self._broken is not None:
            raise PoolBroken(self._broken)
        self.start()
        future: Future[Item] = Future()
        with self._lock:  # so that close() fails every reading queued before it
            if self._closed.is_set():
                raise PoolClosed("the parsing pool is closed")
            self._jobs.put(_Job(reading, future))
        return future

    def close(self, *, wait: bool = True) -> None:
        """End every worker, busy or not, and fail the readings not done; bounded in time.

        ``wait``: also wait (a few seconds at most) for the workers' threads to finish.
        """
        with self._lock:
            if self._closed.is_set():
                return
            self._closed.set()
            running = list(self._running.values())
        for worker in running:
            # A busy worker's thread sees it die and fails its reading with PoolClosed; an
            # idle one's is woken below.
            if worker.process.poll() is None:
                worker.process.kill()
        self._fail_queued(PoolClosed("the parsing pool closed before the page was read"))
        for _ in self._threads:
            self._jobs.put(None)  # wakes the threads of idle workers
        if wait:
            deadline = time.monotonic() + 10
            for thread in self._threads:
                thread.join(timeout=max(0.0, deadline - time.monotonic()))
        _POOLS.discard(self)

    # The threads, one per worker slot.

    def _supervise(self, slot: int) -> None:
        failures = 0
        job: _Job | None = None
        while not self._closed.is_set():
            worker = self._start_worker(slot)
            if worker is None:
                failures += 1
                if failures >= START_ATTEMPTS:
                    self._give_up(slot, job)
                    return
                self._closed.wait(failures)
                continue
            failures = 0
            try:
                job = self._serve(worker, job)
            finally:
                with self._lock:
                    self._running.pop(slot, None)
                worker.kill()  # idle at close, overdue, or dead already: nothing to wait for
        if job is not None:
            _fail(job, PoolClosed("the parsing pool closed before the page was read"))

    def _start_worker(self, slot: int) -> Worker | None:
        try:
            worker = Worker()
        except OSError as exc:
            logger.warning("cannot start a parse worker: %s", exc)
            return None
        with self._lock:
            if self._closed.is_set():
                worker.kill()
                return None
            self._running[slot] = worker
        if worker.ready(START_SECONDS):
            return worker
        with self._lock:
            self._running.pop(slot, None)
        worker.kill()
        if not self._closed.is_set():
            logger.warning(
                "parse worker %d did not start (exit status %s)", worker.pid, worker.process.poll()
            )
        return None

    def _serve(self, worker: Worker, job: _Job | None) -> _Job | None:
        """Hand ``worker`` readings until it has to be replaced or the pool closes; returns a
        reading it could not even be given (it died while idle), for the next worker."""
        while True:
            if job is None:
                job = self._jobs.get()
                if job is None or self._closed.is_set():
                    return job
                if not (job.future.running() or job.future.set_running_or_notify_cancel()):
                    job = None  # cancelled while it waited
                    continue
            try:
                worker.send(job.reading)
            except OSError:
                return job  # the worker died while it was idle: not this page's doing
            except Exception as exc:  # the reading does not pickle
                job.future.set_exception(exc)
                job = None
                continue
            kind, value = worker.outcome(self.timeout)
            if kind == "ok":
                job.future.set_result(value)
            elif kind == "error":
                job.future.set_exception(value)
            elif self._closed.is_set():
                job.future.set_exception(
                    PoolClosed("the parsing pool closed before the page was read")
                )
                return None
            elif kind == "timeout":
                worker.kill()
                job.future.set_exception(ParseTimeout(_timeout_reason(self.timeout)))
                return None
            else:
                job.future.set_exception(WorkerDied(_death_reason(value)))
                return None
            job = None

    def _give_up(self, slot: int, job: _Job | None) -> None:
        reason = f"no parse worker could be started ({START_ATTEMPTS} attempts)"
        logger.warning("parse worker slot %d: %s", slot, reason)
        if job is not None:
            self._jobs.put(job)  # another slot may still read it
        with self._lock:
            self._given_up += 1
            if self._given_up < self.workers:
                return
            self._broken = reason
        self._fail_queued(PoolBroken(reason))

    def _fail_queued(self, error: Exception) -> None:
        while True:
            try:
                job = self._jobs.get_nowait()
            except queue.Empty:
                return
            if job is not None:
                _fail(job, error)


def _fail(job: _Job, error: Exception) -> None:
    future = job.future
    if future.done():
        return
    if future.running() or future.set_running_or_notify_cancel():
        future.set_exception(error)


def _timeout_reason(timeout: float | None) -> str:
    return (
        f"the page took longer than the parse time budget of {timeout:g} s to read "
        "(BITEXT_PARSE_TIMEOUT): its reading was stopped"
    )


def _death_reason(returncode: int | None) -> str:
    if returncode is not None and returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        how = f"killed by {name}" + ("; out of memory?" if name == "SIGKILL" else "")
    elif returncode is not None:
        how = f"exit status {returncode}"
    else:
        how = "it did not answer"
    return f"the process reading the page died ({how}): the page was not read"


# Pools still open when the interpreter exits (a crawl stopped by a second Ctrl-C never closes
# its spider): their workers are ended before Python's own exit handlers run.
_POOLS: weakref.WeakSet[ParsingPool] = weakref.WeakSet()


@atexit.register
def _close_pools() -> None:
    for pool in list(_POOLS):
        pool.close()
