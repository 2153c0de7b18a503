"""The background writer: the bytes and pointers of a synchronous archive, from a thread; its
pending pointers; what a failed write stops and what it does not."""

from __future__ import annotations

import errno
import pickle
import random
import threading
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pytest

from crawler.archive import WarcArchive, WarcPointer
from crawler.archive.background import (
    BackgroundWriter,
    PendingExchange,
    PendingPointer,
    WriterStopped,
)
from crawler.archive.naming import OPEN_SUFFIX
from crawler.archive.writer import recover_open_files
from tests.unit.archive.builders import WARCINFO, fixed_clock, id_factory, make_exchange

# Bytes that do not compress: a few exchanges fill a file.
PAGE = b"<html><body>" + random.Random(7).randbytes(9000).hex().encode() + b"</body></html>"


def _archive(directory: Path, closed: list[str] | None = None, **options: Any) -> WarcArchive:
    settings: dict[str, Any] = {
        "warcinfo": WARCINFO,
        "clock": fixed_clock(),
        "new_record_id": id_factory(),
        "crawl_host": "testhost",
        "max_file_size": 15_000,  # a few exchanges per file: rotation happens in the thread
    }
    if closed is not None:
        settings["on_file_closed"] = lambda path: closed.append(
            # renamed before it is handed over
            f"{path.name} {path.exists()} {path.with_name(path.name + OPEN_SUFFIX).exists()}"
        )
    settings.update(options)
    return WarcArchive(directory, **settings)


def _writes(archive: Any) -> list[Any]:
    """The same calls, in the same order: pages, a repeated payload (a revisit), a 304, and
    metadata records between them."""
    results = []
    for number in range(12):
        body = PAGE + str(number % 5).encode()  # every fifth payload repeats an earlier one
        exchange = make_exchange(url=f"https://news.example.com/a/{number}", body=body)
        results.append(archive.write_exchange(exchange))
        if number % 3 == 0:
            results.append(archive.write_metadata(exchange.url, b'{"n": 1}', "application/json"))
    results.append(archive.write_exchange(make_exchange(status=304, body=b"")))
    return results


def _files(directory: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(directory.iterdir())}


def test_the_thread_writes_the_bytes_and_pointers_of_a_synchronous_archive(tmp_path: Path) -> None:
    closed_sync: list[str] = []
    closed_thread: list[str] = []
    with _archive(tmp_path / "sync", closed_sync) as archive:
        expected = _writes(archive)
    writer = BackgroundWriter(_archive(tmp_path / "thread", closed_thread))
    pending = _writes(writer)
    writer.close()

    assert len(_files(tmp_path / "sync")) > 2  # the files rotated
    assert _files(tmp_path / "thread") == _files(tmp_path / "sync")
    assert closed_thread == closed_sync
    assert all(line.endswith(" True False") for line in closed_thread)
    for want, got in zip(expected, pending, strict=True):
        if isinstance(got, PendingExchange):
            assert got.written.result() == want
            assert (got.record, got.request, got.payload) == (
                want.record,
                want.request,
                want.payload,
            )
        else:
            assert got.resolved() == want
    assert any(p.written.result().is_revisit for p in pending if isinstance(p, PendingExchange))


def test_writes_are_made_by_one_other_thread_in_order(tmp_path: Path) -> None:
    seen: list[str] = []
    archive = _archive(tmp_path)
    write = archive.write_metadata

    def recording(target_uri: str, *args: Any) -> WarcPointer:
        seen.append(f"{target_uri} {threading.current_thread().name}")
        return write(target_uri, *args)

    archive.write_metadata = recording  # type: ignore[method-assign]
    with BackgroundWriter(archive) as writer:
        for number in range(20):
            writer.write_metadata(f"urn:x:{number}", b"{}", "application/json")
    assert seen == [f"urn:x:{number} warc-writer" for number in range(20)]


def _future(value: Any = None, error: BaseException | None = None) -> Future[Any]:
    future: Future[Any] = Future()
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(value)
    return future


def test_a_pending_pointer_is_its_written_pointer() -> None:
    plain = WarcPointer("A.warc.gz", 1234, "<urn:uuid:1>")
    pending = PendingPointer(_future(plain), lambda pointer: pointer)
    assert (pending.filename, pending.offset, pending.record_id) == (
        "A.warc.gz",
        1234,
        "<urn:uuid:1>",
    )
    assert pending == plain and plain == pending and hash(pending) == hash(plain)
    assert pending != WarcPointer("A.warc.gz", 1235, "<urn:uuid:1>")
    assert pending.to_dict() == plain.to_dict()
    assert isinstance(pending, WarcPointer) and repr(pending) == repr(plain)
    copy = pickle.loads(pickle.dumps(pending))
    assert type(copy) is WarcPointer and copy == plain


def test_a_pending_pointer_waits_for_its_write() -> None:
    future: Future[Any] = Future()
    pending = PendingPointer(future, lambda pointer: pointer)
    assert not pending.done() and "not written yet" in repr(pending)
    with pytest.raises(TimeoutError):
        pending.resolved(timeout=0.01)
    threading.Timer(0.05, future.set_result, [WarcPointer("B", 7, "<x>")]).start()
    assert pending.offset == 7  # waited


def test_a_pointer_whose_write_failed_raises_where_it_is_read_and_pickles_as_none() -> None:
    error = OSError(errno.ENOSPC, "No space left on device")
    pending = PendingPointer(_future(error=error), lambda pointer: pointer)
    assert pending.failed() and "failed" in repr(pending)
    with pytest.raises(OSError, match="No space left"):
        _ = pending.offset
    assert pickle.loads(pickle.dumps({"warc": pending})) == {"warc": None}


def _failing_write(archive: WarcArchive, failures: int, error: Exception) -> list[int]:
    """The archive's next ``failures`` writes of bytes raise ``error``; the calls counted."""
    write = archive._write
    calls: list[int] = []

    def failing(data: bytes) -> int:
        calls.append(len(data))
        if len(calls) <= failures:
            raise error
        return write(data)

    archive._write = failing  # type: ignore[method-assign]
    return calls


def test_after_an_exchange_that_cannot_be_written_nothing_more_is(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    writer = BackgroundWriter(archive)
    first = writer.write_exchange(make_exchange())
    assert writer.flush(5)
    calls = _failing_write(archive, 1, OSError(errno.ENOSPC, "No space left on device"))
    failed = writer.write_exchange(make_exchange(body=PAGE))
    later = [
        writer.write_exchange(make_exchange(body=PAGE + b"2")),
        writer.write_metadata("urn:x", b"{}", "application/json"),
    ]
    writer.close()

    assert first.record.offset > 0
    assert isinstance(failed.written.exception(), OSError)
    assert isinstance(writer.stopped, OSError)
    for pending in later:
        assert isinstance(pending.written.exception(), WriterStopped)
    assert len(calls) == 1  # nothing written after the failure
    # The file is left as a crawl stopped by a full disk leaves it: open, for the next crawl.
    assert [path.name.endswith(OPEN_SUFFIX) for path in tmp_path.iterdir()] == [True]


def test_a_metadata_record_that_cannot_be_written_does_not_stop_the_writing(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    writer = BackgroundWriter(archive)
    writer.write_exchange(make_exchange())
    assert writer.flush(5)
    _failing_write(archive, 1, OSError(errno.ENOSPC, "No space left on device"))
    failed = writer.write_metadata("urn:x", b"{}", "application/json")
    after = writer.write_exchange(make_exchange(body=PAGE))
    writer.close()
    assert isinstance(failed.written.exception(), OSError)
    assert after.written.exception() is None and writer.stopped is None
    assert [path.name.endswith(".warc.gz") for path in tmp_path.iterdir()] == [True]


def test_an_error_other_than_the_disk_s_fails_its_write_only(tmp_path: Path) -> None:
    archive = _archive(tmp_path)
    writer = BackgroundWriter(archive)
    _failing_write(archive, 1, RuntimeError("a bug"))
    failed = writer.write_exchange(make_exchange())
    after = writer.write_exchange(make_exchange(body=PAGE))
    writer.close()
    assert isinstance(failed.written.exception(), RuntimeError)
    assert after.written.exception() is None and writer.stopped is None


def test_close_raises_what_closing_the_archive_raised_and_refuses_writes(tmp_path: Path) -> None:
    def refuse(path: Path) -> None:
        raise OSError(errno.EIO, "Input/output error")

    archive = _archive(tmp_path)
    archive._close_file = lambda: refuse(tmp_path)  # type: ignore[method-assign]
    writer = BackgroundWriter(archive)
    writer.write_exchange(make_exchange())
    with pytest.raises(OSError, match="Input/output"):
        writer.close()
    assert archive._file is not None
    archive._file.close()
    writer.close()  # once raised, closing again is a no-op
    with pytest.raises(ValueError, match="closed"):
        writer.write_exchange(make_exchange())


def test_flush_waits_for_every_write_given(tmp_path: Path) -> None:
    archive = _archive(tmp_path, max_file_size=10**9)
    gate = threading.Event()
    write = archive.write_exchange
    archive.write_exchange = lambda exchange: (gate.wait(5), write(exchange))[1]  # type: ignore[method-assign]
    writer = BackgroundWriter(archive)
    pending = writer.write_exchange(make_exchange())
    assert not writer.flush(0.05) and not pending.record.done()
    gate.set()
    assert writer.flush(5) and pending.record.done()
    writer.close()


def test_an_abandoned_archive_leaves_its_file_open_for_the_next_crawl(tmp_path: Path) -> None:
    closed: list[str] = []
    archive = _archive(tmp_path, closed)
    archive.write_exchange(make_exchange())
    archive.abandon()
    archive.abandon()
    (path,) = tmp_path.iterdir()
    assert path.name.endswith(OPEN_SUFFIX) and closed == []
    (recovered,) = recover_open_files(tmp_path)
    assert recovered.records == 3 and recovered.cut == 0  # warcinfo, response, request: whole
