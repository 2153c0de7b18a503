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
import contextlib
import logging
import os
import threading
import time
import weakref
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from multiprocessing.connection import wait

from crawler.items import PostItem, SourceItem
from crawler.reading.readings import (
    META_READ_AHEAD,
    PageReading,
    ReadAhead,
    ReadingAbandoned,
    read_page,
)
from crawler.reading.worker import PARENT_POLL_SECONDS, Worker, death_reason

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

START_SECONDS = 120.0  # a worker not ready after this long (imports on a swamped machine) is stuck
START_ATTEMPTS = 3  # consecutive failed starts after which a worker slot gives up


class ParseTimeout(ReadingAbandoned):
    """The reading took longer than the time budget; its worker was killed."""


class WorkerDied(ReadingAbandoned):
    """The worker died while reading (killed from outside, out of memory, a crash)."""


class PoolClosed(RuntimeError):
    """The pool was closed before the reading was done (or was submitted after that)."""


class PoolBroken(RuntimeError):
    """No worker process can be started."""


@dataclass
class _Job:
    reading: PageReading
    future: Future[Item]


@dataclass
class _Slot:
    """One worker slot, as the pool's thread sees it: its worker, and what the worker is doing
    (``starting`` until it says it is ready, then ``idle`` or ``busy`` with ``job``)."""

    index: int
    worker: Worker | None = None
    state: str = "empty"
    job: _Job | None = None
    deadline: float | None = None  # when a start or a reading overruns
    failures: int = 0  # consecutive failed starts
    retry_at: float = 0.0


class ParsingPool:
    """``workers`` processes that run :class:`PageReading`\\ s, ``timeout`` seconds each at most.

    One thread in the crawl process serves every worker: it hands an idle worker the next
    reading, waits on all their pipes at once (``multiprocessing.connection.wait``) with the
    nearest time budget, and kills and replaces a worker that overruns or dies. Workers are new
    interpreters (not forks of the crawl process, which runs an event loop and threads), all
    started by that thread, and end with the crawl process, however it ends
    (``crawler/reading/worker.py``). :meth:`close` ends them within a few seconds, busy or not;
    so does the interpreter's exit.
    """

    def __init__(self, workers: int, *, timeout: float | None = None) -> None:
        if workers < 1:
            raise ValueError(f"a parsing pool needs at least one worker, not {workers}")
        if timeout is not None and timeout <= 0:
            raise ValueError(f"a parse time budget must be positive, not {timeout}")
        self.workers = workers
        self.timeout = timeout
        self._jobs: deque[_Job] = deque()
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._broken: str | None = None
        self._given_up = 0  # worker slots that could not start a worker
        self._running: dict[int, Worker] = {}  # slot -> its worker, while it has one
        self._thread: threading.Thread | None = None
        self._wake_read, self._wake_write = os.pipe()  # a submit or close wakes the thread
        self._wake_open = True
        for fd in (self._wake_read, self._wake_write):
            os.set_blocking(fd, False)
        _POOLS.add(self)

    def start(self) -> None:
        """Start every worker now (each imports the reading code once), not at the first page."""
        with self._lock:
            if self._thread is not None or self._closed.is_set():
                return
            # The thread lives as long as the pool and starts every worker: Linux's
            # parent-death signal follows the thread that started a process.
            self._thread = threading.Thread(target=self._run, name="parse-pool", daemon=True)
            self._thread.start()

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
            self._jobs.append(_Job(reading, future))
            self._wake()
        return future

    def close(self, *, wait: bool = True) -> None:
        """End every worker, busy or not, and fail the readings not done; bounded in time.

        ``wait``: also wait (a few seconds at most) for the pool's thread to finish.
        """
        with self._lock:
            if self._closed.is_set():
                return
            self._closed.set()
            running = list(self._running.values())
        for worker in running:
            if worker.process.poll() is None:
                worker.process.kill()  # the thread fails a busy worker's reading: PoolClosed
        self._fail_queued(PoolClosed("the parsing pool closed before the page was read"))
        with self._lock:
            self._wake()
        if wait and self._thread is not None:
            self._thread.join(timeout=10)
        with self._lock:
            if self._wake_open and not (self._thread and self._thread.is_alive()):
                self._wake_open = False
                os.close(self._wake_read)
                os.close(self._wake_write)
        _POOLS.discard(self)

    def _wake(self) -> None:
        """Wake the pool's thread (with the lock held, so that close() cannot close the pipe)."""
        if self._wake_open:
            with contextlib.suppress(BlockingIOError):  # full: wake-ups are waiting already
                os.write(self._wake_write, b"\0")

    # The pool's thread.

    def _run(self) -> None:
        slots = [_Slot(index) for index in range(self.workers)]
        try:
            while not self._closed.is_set():
                now = time.monotonic()
                for slot in slots:
                    if slot.state == "empty" and slot.retry_at <= now:
                        self._launch(slot)
                    if slot.state == "idle":
                        self._hand_out(slot)
                if all(slot.state == "gave up" for slot in slots):
                    return
                waiting = {s.worker.results: s for s in slots if s.worker is not None}
                moments = [s.deadline for s in slots if s.deadline is not None]
                moments += [s.retry_at for s in slots if s.state == "empty"]
                timeout = max(0.0, min(moments) - time.monotonic()) if moments else None
                ready = wait([self._wake_read, *waiting], timeout)
                if self._wake_read in ready:
                    while _drained(self._wake_read):
                        pass
                for connection in ready:
                    if connection in waiting and not self._closed.is_set():
                        self._answer(waiting[connection])
                now = time.monotonic()
                for slot in slots:
                    if slot.deadline is not None and slot.deadline <= now:
                        self._overrun(slot)
        finally:
            for slot in slots:
                if slot.job is not None:
                    _fail(slot.job, PoolClosed("the parsing pool closed before the page was read"))
                self._retire(slot)

    def _launch(self, slot: _Slot) -> None:
        try:
            worker = Worker()
        except OSError as exc:
            logger.warning("cannot start a parse worker: %s", exc)
            self._failed_start(slot)
            return
        with self._lock:
            self._running[slot.index] = worker
        slot.worker, slot.state = worker, "starting"
        slot.deadline = time.monotonic() + START_SECONDS

    def _hand_out(self, slot: _Slot) -> None:
        assert slot.worker is not None
        while True:
            with self._lock:
                if not self._jobs:
                    return
                job = self._jobs.popleft()
            if job.future.running() or job.future.set_running_or_notify_cancel():
                break  # else cancelled while it waited
        try:
            slot.worker.send(job.reading)
        except OSError:  # the worker died while it was idle: not this page's doing
            with self._lock:
                self._jobs.appendleft(job)
            self._retire(slot)
            return
        except Exception as exc:  # the reading does not pickle
            job.future.set_exception(exc)
            return
        slot.state, slot.job = "busy", job
        slot.deadline = None if self.timeout is None else time.monotonic() + self.timeout

    def _answer(self, slot: _Slot) -> None:
        """What ``slot``'s worker said (or that it died)."""
        assert slot.worker is not None
        if slot.state == "starting":
            if slot.worker.ready(0):
                slot.state, slot.deadline, slot.failures = "idle", None, 0
                return
            if not self._closed.is_set():
                logger.warning(
                    "parse worker %d did not start (exit status %s)",
                    slot.worker.pid,
                    slot.worker.process.poll(),
                )
            self._retire(slot)
            self._failed_start(slot)
            return
        kind, value = slot.worker.outcome(0)
        if kind == "timeout":
            return  # nothing to read after all
        job, slot.job = slot.job, None
        if kind == "died":
            if job is not None:
                job.future.set_exception(WorkerDied(death_reason(value)))
            self._retire(slot)
        elif job is not None:
            slot.state, slot.deadline = "idle", None
            if kind == "ok":
                job.future.set_result(value)
            else:
                job.future.set_exception(value)

    def _overrun(self, slot: _Slot) -> None:
        if slot.state == "starting":
            assert slot.worker is not None
            logger.warning("parse worker %d did not start in time", slot.worker.pid)
            self._retire(slot)
            self._failed_start(slot)
        elif slot.job is not None:
            job, slot.job = slot.job, None
            self._retire(slot)
            job.future.set_exception(ParseTimeout(_timeout_reason(self.timeout)))

    def _retire(self, slot: _Slot) -> None:
        """Kill ``slot``'s worker (idle at close, overdue, or dead already); the slot is empty."""
        if slot.worker is not None:
            with self._lock:
                self._running.pop(slot.index, None)
            slot.worker.kill()
        slot.worker, slot.deadline = None, None
        if slot.state != "gave up":
            slot.state = "empty"

    def _failed_start(self, slot: _Slot) -> None:
        slot.failures += 1
        slot.state = "empty"
        slot.retry_at = time.monotonic() + slot.failures
        if slot.failures < START_ATTEMPTS:
            return
        reason = f"no parse worker could be started ({START_ATTEMPTS} attempts)"
        logger.warning("parse worker slot %d: %s", slot.index, reason)
        slot.state = "gave up"
        with self._lock:
            self._given_up += 1
            if self._given_up < self.workers:
                return
            self._broken = reason
        self._fail_queued(PoolBroken(reason))

    def _fail_queued(self, error: Exception) -> None:
        while True:
            with self._lock:
                if not self._jobs:
                    return
                job = self._jobs.popleft()
            _fail(job, error)


def _drained(fd: int) -> bool:
    try:
        return len(os.read(fd, 4096)) == 4096
    except (BlockingIOError, OSError):
        return False


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


# Pools still open when the interpreter exits (a crawl stopped by a second Ctrl-C never closes
# its spider): their workers are ended before Python's own exit handlers run.
_POOLS: weakref.WeakSet[ParsingPool] = weakref.WeakSet()


@atexit.register
def _close_pools() -> None:
    for pool in list(_POOLS):
        pool.close()
