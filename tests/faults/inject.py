"""Faults injected inside a crawl process, at points named in the code's own terms.

Loaded only by the fault matrix, as an extension on the crawl's command line (:func:`settings`);
nothing in ``crawler/`` knows about it. The setting ``BITEXT_TEST_FAULT`` says what to do and
when, as ``ACTION@POINT``:

actions
    ``kill``    SIGKILL the crawl process (its parse workers are left to end by themselves)
    ``term``    SIGTERM, ``int`` SIGINT, to the crawl's process group (what systemd and a
                terminal's Ctrl-C do): the workers get it too
    ``pause``   take no new request, write ``BITEXT_TEST_FAULT_DIR/paused`` and wait until
                ``BITEXT_TEST_FAULT_DIR/resume`` exists (the test acts in between)
    ``torn``    put part of the write at POINT on disk, then SIGKILL: a process killed inside
                a write (the kernel stops a large write at a pending SIGKILL)
    ``full``    the archive's disk fills up inside a write (``full@WRITE:N``, below)
    ``enospc``  one write fails as on a full disk (``enospc@WRITE:N``); the space is back for
                the next one

points
    ``exchange:N``    after the N-th HTTP exchange is archived (the WARC record is on disk, the
                      crawl state does not know it yet), in the thread that writes the WARC
                      records; ``torn``: inside its WARC write
    ``journal:N``     ``torn`` only: inside the N-th journal line
    ``bytes:URL``     when the first body bytes of URL arrive (the download is in progress)
    ``post:URL``      once the pairs pipeline has recorded the post at URL, before the items its
                      page gave next (a source it cites, refused without a fetch, say)
    ``workers``       just after the first parse worker process is started (it is still
                      importing the reading code)
    ``close:STEP``    a step of the crawl's close, in the order it runs (:data:`CLOSE_STEPS`)

``full@WRITE:N`` fills the disk inside the N-th write of a kind (:data:`DISK_WRITES`): a file
write puts part of its bytes on disk (a WARC write all its gzip members but half of the last, a
journal line half of it) and raises ``OSError(ENOSPC)``, a manifest or index write
leaves no temporary file and the old file in place (what the atomic writers do when their write
fails), a SQLite statement raises ``database or disk is full``. From then on every write fails
the same way (nothing of it reaches the disk), as on a disk that stays full. The point is a
write rather than a byte count: which write a byte count falls in depends on the order the
downloads finish in.
"""

from __future__ import annotations

import errno
import json
import os
import signal
import sqlite3
import subprocess
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from scrapy import signals

import crawler.archive.dedup
import crawler.extensions.warc_capture
import crawler.manifest.journal
import crawler.manifest.streamfold
import crawler.pipelines.pairs
import crawler.state.store
from crawler.archive import WarcArchive
from crawler.extensions.archive_lock import ArchiveLockExtension
from crawler.items import PostItem
from crawler.manifest import ManifestFold, ManifestJournal
from crawler.manifest.io import encode_line
from crawler.pipelines.pairs import PairsPipeline

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

FAULT = "BITEXT_TEST_FAULT"
FAULT_DIR = "BITEXT_TEST_FAULT_DIR"
PAUSED, RESUME = "paused", "resume"
STRUCK = "struck"  # written in BITEXT_TEST_FAULT_DIR when the fault happens: it did happen
PAUSE_LIMIT = 120.0  # seconds a paused crawl waits for the test before it goes on

# The steps of a crawl's close, in order (crawler/pipelines/pairs.py, then the spider_closed
# handlers of crawler/extensions/warc_capture.py, then crawler/extensions/archive_lock.py).
CLOSE_STEPS = {
    "pipeline": "the pairs pipeline starts closing: pairs still waiting are not journalled",
    "fold": "every pair is journalled and the journal closed; the fold has not started",
    "manifest-tmp": "the new manifest is complete in its temporary file, not yet renamed",
    "manifest": "pairs.jsonl is replaced; the folded journals are not yet removed",
    "state": "the journals are removed; the crawl state database is still open",
    "warc": "the manifest is done; the WARC file is still .open",
    "index": "the WARC file is closed and renamed; index.cdxj is not rebuilt yet",
    "index-tmp": "the new index is complete in its temporary file, not yet renamed",
    "lock": "everything is written; the lock's note is not cleared yet",
}

_FULL_DB = "database or disk is full"
DISK_WRITES = {
    "warcinfo": "the record that opens a WARC file",
    "exchange": "the response (or revisit) and request records of one HTTP exchange",
    "metadata": "a crawl-log metadata record",
    "journal": "a journal line",
    "sqlite": "a statement that writes the crawl state or the digest index",
    "manifest": "pairs.jsonl, rewritten when the crawl closes",
    "index": "index.cdxj, rebuilt when the crawl closes",
}


def settings(fault: str, fault_dir: Path) -> dict[str, str]:
    """The ``-s`` settings that load the injector into a crawl with ``fault``."""
    from crawler import settings as project

    extensions = {**project.EXTENSIONS, f"{__name__}.{FaultInjector.__name__}": 1}
    return {"EXTENSIONS": json.dumps(extensions), FAULT: fault, FAULT_DIR: str(fault_dir)}


def _mark(directory: Path) -> None:
    (directory / STRUCK).write_text(f"{os.getpid()}\n")


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(60)  # never reached: SIGKILL cannot be caught


class FaultInjector:
    def __init__(self, crawler: Crawler, action: str, point: str, directory: Path) -> None:
        self.crawler = crawler
        self.action = action
        self.point = point
        self.directory = directory
        self.done = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FaultInjector:
        action, _, point = str(crawler.settings.get(FAULT, "")).partition("@")
        directory = Path(crawler.settings.get(FAULT_DIR, "."))
        injector = cls(crawler, action, point, directory)
        injector.install()
        return injector

    # What happens at the point.

    def strike(self) -> None:
        if self.done:
            return
        self.done = True
        _mark(self.directory)
        if self.action == "kill":
            _die()
        elif self.action in ("term", "int"):
            number = signal.SIGTERM if self.action == "term" else signal.SIGINT
            if os.getpgrp() == os.getpid():  # a group of its own: the crawl and its workers
                os.killpg(os.getpgrp(), number)
            else:
                os.kill(os.getpid(), number)
        elif self.action == "pause":
            # WARC records are written by a thread of their own; the engine is the loop's.
            if threading.current_thread() is threading.main_thread():
                self._pause()
            else:
                from twisted.internet import reactor

                cast(Any, reactor).callFromThread(self._pause)
        else:
            raise ValueError(f"{FAULT}: no action {self.action!r} at {self.point!r}")

    def _pause(self) -> None:
        """Stop taking new requests until the test says so; downloads under way go on, within
        their budgets (the event loop is not blocked), and the crawl cannot close meanwhile."""
        from twisted.internet import reactor

        engine = self.crawler.engine
        assert engine is not None
        engine.pause()
        (self.directory / PAUSED).write_text(f"{os.getpid()}\n")
        deadline = time.monotonic() + PAUSE_LIMIT

        def poll() -> None:
            if (self.directory / RESUME).exists() or time.monotonic() > deadline:
                engine.unpause()
            else:
                cast(Any, reactor).callLater(0.05, poll)

        poll()

    # Where it happens.

    def install(self) -> None:
        kind, _, argument = self.point.partition(":")
        if self.action in ("full", "enospc"):
            transient = self.action == "enospc"
            DiskFull(kind, int(argument or 1), self.directory, transient=transient).install()
        elif kind == "exchange":
            self._at_exchange(int(argument))
        elif kind == "journal" and self.action == "torn":
            self._torn_journal_line(int(argument))
        elif kind == "bytes":
            self.crawler.signals.connect(self._bytes_received, signal=signals.bytes_received)
        elif kind == "post":
            self._after_post(argument)
        elif kind == "workers":
            self._after_first_worker()
        elif kind == "close" and argument in CLOSE_STEPS:
            self._at_close(argument)
        else:
            raise ValueError(f"{FAULT}: no point {self.point!r} for {self.action!r}")

    def _at_exchange(self, number: int) -> None:
        original = WarcArchive.write_exchange
        count = 0
        injector = self

        def write_exchange(archive: WarcArchive, exchange: Any) -> Any:
            nonlocal count
            count += 1
            if count == number and injector.action == "torn":
                _tear_next_write(archive, injector.directory)
            written = original(archive, exchange)
            if count == number:
                injector.strike()
            return written

        _patch(WarcArchive, "write_exchange", write_exchange)

    def _torn_journal_line(self, number: int) -> None:
        original = ManifestJournal.append
        count = 0

        def append(journal: ManifestJournal, pair: Any) -> None:
            nonlocal count
            count += 1
            if count < number or journal._fd is None:
                original(journal, pair)
                return
            line = encode_line(pair)
            _mark(self.directory)
            os.write(journal._fd, line[: len(line) // 2])
            os.fsync(journal._fd)
            _die()

        _patch(ManifestJournal, "append", append)

    def _after_post(self, url: str) -> None:
        original = PairsPipeline.process_item

        def process_item(pipeline: PairsPipeline, item: Any, *args: Any) -> Any:
            result = original(pipeline, item, *args)
            if isinstance(item, PostItem) and item.url == url:
                self.strike()
            return result

        _patch(PairsPipeline, "process_item", process_item)

    def _bytes_received(self, data: bytes, request: Request, spider: Spider) -> None:
        if request.url == self.point.partition(":")[2]:
            self.strike()

    def _after_first_worker(self) -> None:
        # At the process's start, whatever code starts it: a parse worker is a "python -c"
        # child whose bootstrap imports crawler.reading.worker.
        popen = subprocess.Popen

        class Started(popen):  # type: ignore[misc,valid-type]
            def __init__(started, args: Any, *rest: Any, **kwargs: Any) -> None:
                super().__init__(args, *rest, **kwargs)
                if any("crawler.reading.worker" in str(arg) for arg in args):
                    self.strike()

        _patch(subprocess, "Popen", Started)

    def _at_close(self, step: str) -> None:
        before: dict[str, tuple[Any, str]] = {
            "pipeline": (PairsPipeline, "close_spider"),
            "fold": (ManifestFold, "__init__"),
            "warc": (WarcArchive, "close"),
            "index": (crawler.extensions.warc_capture, "build_cdxj_index"),
            "lock": (ArchiveLockExtension, "engine_stopped"),
        }
        if step in before:
            owner, name = before[step]
            _wrap(owner, name, before=self.strike)
        elif step == "state":
            self._at_pipeline_state_close()
        elif step == "manifest":
            _wrap(ManifestFold, "write", after=self.strike)
        else:  # a temporary file complete, not yet renamed over its target
            target = "pairs.jsonl" if step == "manifest-tmp" else "index.cdxj"
            replace = os.replace

            def replacing(source: Any, destination: Any, **kwargs: Any) -> None:
                if Path(destination).name == target:
                    self.strike()
                replace(source, destination, **kwargs)

            _patch(os, "replace", replacing)

    def _at_pipeline_state_close(self) -> None:
        # The pipeline's own connection: other code opens and closes the state too.
        opened = PairsPipeline.open_spider

        def open_spider(pipeline: PairsPipeline, *args: Any) -> None:
            opened(pipeline, *args)
            assert pipeline.state is not None
            _wrap(pipeline.state, "close", before=self.strike, instance=True)

        _patch(PairsPipeline, "open_spider", open_spider)


class _FullDiskOs:
    """The ``os`` module as a writer on a full disk sees it: a write stores ``kept`` bytes of
    what it is given, the next one fails with ``error``."""

    def __init__(self, kept: int, error: OSError) -> None:
        self.kept = kept
        self.error = error

    def write(self, fd: int, data: Any) -> int:
        if self.kept:
            written = os.write(fd, bytes(data[: self.kept]))
            self.kept = 0
            return written
        raise self.error

    def __getattr__(self, name: str) -> Any:
        return getattr(os, name)


def _patch(owner: Any, name: str, value: Any) -> None:
    """Replace an attribute of a class or module of the crawl process, for its whole life."""
    setattr(owner, name, value)


def _wrap(
    owner: Any,
    name: str,
    *,
    before: Callable[[], None] | None = None,
    after: Callable[[], None] | None = None,
    instance: bool = False,
) -> None:
    original = getattr(owner, name) if instance else owner.__dict__[name]
    function = original.__func__ if isinstance(original, staticmethod) else original

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if before is not None:
            before()
        result = function(*args, **kwargs)
        if after is not None:
            after()
        return result

    _patch(owner, name, staticmethod(wrapped) if isinstance(original, staticmethod) else wrapped)


def torn_size(data: bytes) -> int:
    """Where a write of gzip members is torn: inside its last member, after the others. An
    exchange is written as two members, its response (or revisit) record then its request
    record: torn, the response is whole and its request is not."""
    start = 0
    while True:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        try:
            inflater.decompress(data[start:])
        except zlib.error:
            break
        end = len(data) - len(inflater.unused_data)
        if not inflater.eof or end >= len(data):
            return start + (end - start) // 2
        start = end
    return len(data) // 2


def _tear_next_write(archive: WarcArchive, directory: Path) -> None:
    """The archive's next write puts part of its bytes on disk (:func:`torn_size`), then the
    process dies."""

    def torn(data: bytes) -> int:
        _mark(directory)
        assert archive._file is not None
        archive._file.write(data[: torn_size(data)])
        archive._file.flush()
        _die()
        return 0

    _patch(archive, "_write", torn)


class DiskFull:
    """The archive's disk fills up inside one write (see the module's doc)."""

    def __init__(self, kind: str, number: int, directory: Path, *, transient: bool = False) -> None:
        if kind not in DISK_WRITES:
            raise ValueError(f"{FAULT}: no write {kind!r} to fill the disk in")
        self.directory = directory
        self.kind = kind
        self.number = number
        self.transient = transient
        self.counts: dict[str, int] = dict.fromkeys(DISK_WRITES, 0)
        self.full = False
        self.current = ""  # the WARC write under way: "exchange" or "metadata"

    def fits(self, kind: str, size: int) -> int:
        """How many bytes of this write of ``size`` reach the disk before it is full (-1: the
        disk fills up inside it)."""
        if self.full:
            return 0
        self.counts[kind] += 1
        if kind != self.kind or self.counts[kind] != self.number:
            return size
        self.full = not self.transient
        _mark(self.directory)
        return -1  # the caller tears the write where a torn write of its kind would stop

    def error(self, path: object) -> OSError:
        return OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    def install(self) -> None:
        self._warc()
        self._journal()
        self._atomic(crawler.manifest.streamfold, "atomic_write", "manifest")
        self._atomic(crawler.extensions.warc_capture, "build_cdxj_index", "index")
        for module in (crawler.state.store, crawler.archive.dedup):
            _patch(module, "sqlite3", _FullSqlite(self))

    def _warc(self) -> None:
        disk = self
        write, exchange, metadata = (
            WarcArchive._write,
            WarcArchive.write_exchange,
            WarcArchive.write_metadata,
        )

        def warc_write(archive: WarcArchive, data: bytes) -> int:
            # A file's first write is its warcinfo record, whatever made the archive open it.
            kind = "warcinfo" if archive._size == 0 else disk.current
            fits = disk.fits(kind, len(data))
            if fits < len(data):
                assert archive._file is not None
                archive._file.write(data[: torn_size(data) if fits < 0 else fits])
                archive._file.flush()
                raise disk.error(archive.directory / (archive._filename + ".open"))
            return write(archive, data)

        def writing(kind: str, method: Callable[..., Any]) -> Callable[..., Any]:
            def wrapped(archive: WarcArchive, *args: Any) -> Any:
                disk.current = kind
                try:
                    return method(archive, *args)
                finally:
                    disk.current = ""

            return wrapped

        _patch(WarcArchive, "_write", warc_write)
        _patch(WarcArchive, "write_exchange", writing("exchange", exchange))
        _patch(WarcArchive, "write_metadata", writing("metadata", metadata))

    def _journal(self) -> None:
        disk = self
        append = ManifestJournal.append

        def journal_append(journal: ManifestJournal, pair: Any) -> None:
            line = encode_line(pair)
            fits = disk.fits("journal", len(line))
            if fits >= len(line):
                append(journal, pair)
                return
            # The journal's own append runs, and its write reaches the disk only in part.
            kept = len(line) // 2 if fits < 0 else fits
            crawler.manifest.journal.os = _FullDiskOs(kept, disk.error(journal.path))
            try:
                append(journal, pair)
            finally:
                crawler.manifest.journal.os = os

        _patch(ManifestJournal, "append", journal_append)

    def _atomic(self, module: Any, name: str, kind: str) -> None:
        """A writer of a temporary file renamed over its target: on a full disk it fails, removes
        its temporary file and leaves the target as it was."""
        original = getattr(module, name)

        def writer(target: Any, *args: Any, **kwargs: Any) -> Any:
            if self.fits(kind, 2) < 2:
                raise self.error(target)
            return original(target, *args, **kwargs)

        _patch(module, name, writer)


class _FullSqlite:
    """The ``sqlite3`` module as the crawler's stores see it, on a disk that may fill up."""

    def __init__(self, disk: DiskFull) -> None:
        self._disk = disk

    def __getattr__(self, name: str) -> Any:
        return getattr(sqlite3, name)

    def connect(self, *args: Any, **kwargs: Any) -> _FullConnection:
        return _FullConnection(sqlite3.connect(*args, **kwargs), self._disk)


class _FullConnection:
    """A connection whose writing statements fail as SQLite's do once the disk is full."""

    def __init__(self, db: sqlite3.Connection, disk: DiskFull) -> None:
        self._db = db
        self._disk = disk

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    def _check(self, statement: str) -> None:
        words = statement.lstrip().split(None, 1)
        if words and words[0].upper() in ("SELECT", "BEGIN", "ROLLBACK"):
            return
        if self._disk.fits("sqlite", 2) < 2:
            raise sqlite3.OperationalError(_FULL_DB)

    def execute(self, statement: str, *args: Any) -> sqlite3.Cursor:
        self._check(statement)
        return self._db.execute(statement, *args)

    def executemany(self, statement: str, *args: Any) -> sqlite3.Cursor:
        self._check(statement)
        return self._db.executemany(statement, *args)

    def executescript(self, script: str) -> sqlite3.Cursor:
        self._check(script)
        return self._db.executescript(script)

    def commit(self) -> None:
        self._check("COMMIT")
        self._db.commit()
