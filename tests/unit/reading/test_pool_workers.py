"""What a reading carries to the parse workers."""

from __future__ import annotations

from concurrent.futures import Future

from crawler.archive.background import PendingPointer
from crawler.archive.pointer import WarcPointer
from crawler.reading.pool import PageReading, ParsingPool
from tests.unit.reading.test_pool import _readings


def test_a_pointer_not_yet_written_reaches_the_worker_written() -> None:
    # The WARC record of a page may still be in the writer thread when its reading is handed to
    # the pool: the worker gets the pointer once it is written, never a pending one.
    reading = _readings()[1]
    plain = reading.arguments["warc"]
    assert isinstance(plain, WarcPointer)
    written: Future[WarcPointer] = Future()
    pending = PageReading(
        reading.function,
        {**reading.arguments, "warc": PendingPointer(written, lambda pointer: pointer)},
        reading.unread,
    )
    pool = ParsingPool(1)
    try:
        item = pool.submit(pending)
        written.set_result(plain)
        assert item.result(timeout=60) == reading.run()
        assert type(item.result().warc) is WarcPointer
    finally:
        pool.close()
