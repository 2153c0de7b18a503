"""``BackgroundWriter``: a :class:`~crawler.archive.writer.WarcArchive` written by a thread of
its own, so that whoever hands it exchanges does not wait for their records to be compressed.

Building a record and compressing it (zlib, which releases the GIL while it deflates) cost about a
millisecond per page; a crawl's event loop hands the exchange over and goes on. The thread calls
the archive's own ``write_exchange`` and ``write_metadata``, one at a time, in the order they were
given, so the files, their records and every offset are the bytes a synchronous archive makes of
the same calls, and its guarantees stay (whole gzip members, ``.open`` until closed, rotation,
``on_file_closed`` after each rename).

What a write will return is known only once it is done: the offsets follow from the compressed
sizes before them. Each write gives back a :class:`concurrent.futures.Future`, and its pointers as
:class:`PendingPointer`\\ s, which wait for it when a field is read.

A write that fails fails its future. After an *exchange* that could not be written (an
``OSError``: a full disk, a lost mount) the thread writes nothing more: later writes fail with
:class:`WriterStopped`, and ``close()`` leaves the file as it is (``.open``, for the next crawl to
recover), as a crawl does that stops at such an error. A failed *metadata* record does not stop
the writing.
"""

from __future__ import annotations

import atexit
import threading
import weakref
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from queue import Queue
from typing import Any

from crawler.archive.exchange import HttpExchange
from crawler.archive.pointer import WarcPointer
from crawler.archive.writer import WarcArchive, WrittenExchange
from crawler.util.closeable import Closeable

BACKLOG = 64  # writes waiting at most; one more makes the caller wait (memory stays bounded)
DRAIN_SECONDS = 30.0  # how long the interpreter's exit waits for the writes still queued


class WriterStopped(OSError):
    """The write was not made: an earlier exchange could not be written."""


class PendingPointer(WarcPointer):
    """A :class:`WarcPointer` to a record given to a :class:`BackgroundWriter`: reading a field
    waits until the record is written (and raises the write's error if it failed).

    Pickled, it is the plain pointer once written, or ``None`` when the write failed: what is
    sent to another process never waits there.
    """

    written: Future[Any]  # the write's: a WrittenExchange, or the metadata record's pointer

    def __init__(self, written: Future[Any], pick: Callable[[Any], WarcPointer]) -> None:
        # WarcPointer is frozen (its fields are properties here): attributes set through object.
        object.__setattr__(self, "written", written)
        object.__setattr__(self, "_pick", pick)

    def resolved(self, timeout: float | None = None) -> WarcPointer:
        """The plain pointer, once the record is written (raises the write's error)."""
        pick: Callable[[Any], WarcPointer] = self._pick  # type: ignore[attr-defined]
        return pick(self.written.result(timeout))

    def done(self) -> bool:
        return self.written.done()

    def failed(self) -> bool:
        """Whether the write failed, waiting for it if it is not done."""
        return self.written.exception() is not None

    @property
    def filename(self) -> str:
        return self.resolved().filename

    @property
    def offset(self) -> int:
        return self.resolved().offset

    @property
    def record_id(self) -> str:
        return self.resolved().record_id

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PendingPointer):
            other = other.resolved()
        return isinstance(other, WarcPointer) and self.resolved() == other

    def __hash__(self) -> int:
        return hash(self.resolved())

    def __repr__(self) -> str:
        if not self.done():
            return "PendingPointer(<not written yet>)"
        return "PendingPointer(<failed>)" if self.failed() else repr(self.resolved())

    def __reduce__(self) -> tuple[Any, ...]:
        if self.failed():
            return (_nothing, ())
        pointer = self.resolved()
        return (WarcPointer, (pointer.filename, pointer.offset, pointer.record_id))


def _nothing() -> None:
    return None


@dataclass(frozen=True)
class PendingExchange:
    """What :meth:`BackgroundWriter.write_exchange` gives back at once: the write's future, and
    the pointers of :class:`WrittenExchange` as :class:`PendingPointer`\\ s."""

    written: Future[WrittenExchange]
    record: PendingPointer
    request: PendingPointer
    payload: PendingPointer

    @classmethod
    def of(cls, written: Future[WrittenExchange]) -> PendingExchange:
        return cls(
            written,
            record=PendingPointer(written, _record),
            request=PendingPointer(written, _request),
            payload=PendingPointer(written, _payload),
        )


def _record(written: WrittenExchange) -> WarcPointer:
    return written.record


def _request(written: WrittenExchange) -> WarcPointer:
    return written.request


def _payload(written: WrittenExchange) -> WarcPointer:
    return written.payload


def _metadata(pointer: WarcPointer) -> WarcPointer:
    return pointer


@dataclass
class _Job:
    write: Callable[[WarcArchive], Any]
    future: Future[Any]
    stops_on_error: bool  # an exchange's OSError ends the writing; a metadata record's does not


class BackgroundWriter(Closeable):
    """Writes into ``archive`` from a thread of its own, in the order the writes are given.

    Call it from one thread (a crawl's event loop). The archive belongs to the thread from now
    on: nothing else may call it.
    """

    def __init__(self, archive: WarcArchive, *, backlog: int = BACKLOG) -> None:
        self.archive = archive
        self._jobs: Queue[_Job | None] = Queue(maxsize=backlog)
        self._closed = False
        self._stopped: BaseException | None = None  # the error of the exchange that stopped it
        self._close_error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="warc-writer", daemon=True)
        self._thread.start()
        _WRITERS.add(self)

    @property
    def closed_files(self) -> list[str]:
        """The files the archive has closed so far (all of them once ``close()`` returned)."""
        return list(self.archive.closed_files)

    @property
    def stopped(self) -> BaseException | None:
        """The error of the exchange after which nothing more is written, if one failed."""
        return self._stopped

    def write_exchange(self, exchange: HttpExchange) -> PendingExchange:
        written: Future[WrittenExchange] = self._submit(
            lambda archive: archive.write_exchange(exchange), stops_on_error=True
        )
        return PendingExchange.of(written)

    def write_metadata(
        self,
        target_uri: str,
        payload: bytes,
        content_type: str,
        refers_to: str | None = None,
    ) -> PendingPointer:
        written: Future[WarcPointer] = self._submit(
            lambda archive: archive.write_metadata(target_uri, payload, content_type, refers_to),
            stops_on_error=False,
        )
        return PendingPointer(written, _metadata)

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every write given so far is done; whether they all were within
        ``timeout``."""
        if self._closed:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        done: Future[None] = self._submit(lambda archive: None, stops_on_error=False)
        try:
            done.exception(timeout)
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        """Write what was given, then close the archive (its file renamed, ``on_file_closed``
        called), unless an exchange failed: then the file stays as it is. Raises what closing
        the archive raised."""
        if not self._closed:
            self._closed = True
            self._jobs.put(None)
            _WRITERS.discard(self)
        self._thread.join()
        if self._close_error is not None:
            error, self._close_error = self._close_error, None
            raise error

    def _submit(self, write: Callable[[WarcArchive], Any], *, stops_on_error: bool) -> Future[Any]:
        if self._closed:
            raise ValueError("write on a closed BackgroundWriter")
        future: Future[Any] = Future()
        self._jobs.put(_Job(write, future, stops_on_error))
        return future

    # The thread.

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            if self._stopped is not None:
                job.future.set_exception(
                    WriterStopped(f"not written: an earlier write failed ({self._stopped})")
                )
                continue
            try:
                result = job.write(self.archive)
            except BaseException as exc:
                if job.stops_on_error and isinstance(exc, OSError):
                    self._stopped = exc
                job.future.set_exception(exc)
            else:
                job.future.set_result(result)
        try:
            if self._stopped is None:
                self.archive.close()
            else:
                self.archive.abandon()
        except BaseException as exc:
            self._close_error = exc


# Writers still open when the interpreter exits (a crawl stopped without its close): the writes
# given are made, as a synchronous archive would have made them; the file stays ``.open``.
_WRITERS: weakref.WeakSet[BackgroundWriter] = weakref.WeakSet()


@atexit.register
def _drain_writers() -> None:
    for writer in list(_WRITERS):
        writer.flush(DRAIN_SECONDS)
