"""The index of a WARC file made as its records are written: ``index/NAME.warc.gz.cdxj.part``.

The writer (crawler/archive/writer.py) hands each record it has written to a :class:`PartWriter`
with the offset and the compressed length it knows; the record's lines (crawler/archive/cdxj.py)
are appended to the part, unsorted. When the file is closed, a last line states the file's name,
size and modification time and the indexer (:func:`crawler.archive.index.part_end`): the part is
complete, and the file's fragment is made by sorting it instead of reading the file back. A part
without that line (its writer was killed, or stopped at a failed write) or whose file has changed
since (a repair cut it) is not used: its file is read back.

Indexing never fails a write: a record that cannot be indexed here ends the part (it is removed)
and its file is read back when its fragment is made.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import IO

from crawler.archive.cdxj import RecordIndexer
from crawler.archive.index import part_end
from crawler.archive.layout import index_part
from crawler.util.filemodes import FILE_MODE, shared_directory

logger = logging.getLogger(__name__)


class PartWriter:
    """Appends the index lines of the WARC file ``warc_name`` of ``archive_dir`` as it is
    written. Call :meth:`add` for every record, in file order, once it is on disk."""

    def __init__(self, archive_dir: Path, warc_name: str) -> None:
        self.path = index_part(archive_dir, warc_name)
        self.warc_name = warc_name
        self._size = 0  # bytes of the file indexed so far: its records follow one another
        self._out: IO[str] | None = None
        try:
            self._indexer = RecordIndexer(warc_name)
            shared_directory(self.path.parent)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
            self._out = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        except Exception as exc:
            self._give_up(exc)

    @property
    def active(self) -> bool:
        """Whether every record given so far is in the part."""
        return self._out is not None

    def add(self, record: bytes, offset: int, length: int) -> None:
        """Index ``record`` (its uncompressed bytes), written at ``offset`` as a gzip member of
        ``length`` bytes."""
        if self._out is None:
            return
        try:
            if offset != self._size:
                raise ValueError(f"a record at {offset}, where {self._size} was expected")
            self._indexer.write_lines(record, offset, length, self._out)
        except Exception as exc:
            self._give_up(exc)
        else:
            self._size = offset + length

    def finish(self, written: Path) -> None:
        """End the part once the file is closed, ``written`` being its path before its rename
        (which keeps its size and time): the part is then complete."""
        if self._out is None:
            return
        try:
            if written.stat().st_size != self._size:
                raise ValueError(f"{self._size} bytes indexed of {written.stat().st_size}")
            self._out.write(part_end(written, self.warc_name))
            self._out.close()
        except Exception as exc:
            self._give_up(exc)
        self._out = None

    def abandon(self) -> None:
        """Remove the part: its file is left unfinished (it is read back once recovered)."""
        if self._out is not None:
            with contextlib.suppress(OSError):
                self._out.close()
            self._out = None
        self.path.unlink(missing_ok=True)

    def _give_up(self, error: BaseException) -> None:
        logger.warning(
            "cannot index %s as it is written (%s); it is read back once closed",
            self.warc_name,
            error,
        )
        with contextlib.suppress(OSError):
            self.abandon()
