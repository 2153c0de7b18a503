"""The journal a crawl appends each finished pair to as it goes (``ARCHIVE_DIR/journal/``).

One whole line at a time, so a killed process loses at most the line it was writing; fsync'd in
groups; at the end the journals are folded into the manifest (crawler/manifest/fold.py).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import BinaryIO

from crawler.manifest.fold import fold_lines
from crawler.manifest.io import StrPath, decode_line, encode_line
from crawler.manifest.model import Pair
from crawler.manifest.schema import ManifestError
from crawler.util.closeable import Closeable
from crawler.util.filemodes import FILE_MODE, share_file

logger = logging.getLogger(__name__)

_TAIL_CHUNK = 1 << 16


class ManifestJournal(Closeable):
    """An append-only JSONL file of manifest lines, written while a crawl runs.

    Each :meth:`append` writes one whole line at once (``os.write``): once it returns, the
    kernel has the line, and a killed process loses nothing appended. ``fsync_interval`` says
    how often the lines reach the disk itself: ``0`` fsyncs each line before ``append`` returns;
    more fsyncs in a background thread at most that often (seconds) while lines are waiting, so
    the writer never waits on the disk, and a power cut or kernel crash may lose the lines of
    the last interval. :meth:`close` fsyncs what is left. A journal left with a torn last line
    by a killed process is repaired when reopened: the torn bytes are cut (see ``recovered``),
    or the missing newline is added when the line itself is complete. One writer per file.
    """

    def __init__(self, path: StrPath, *, fsync_interval: float = 0.0) -> None:
        if not fsync_interval >= 0:  # NaN too
            raise ValueError(f"fsync_interval must be 0 or more seconds, not {fsync_interval!r}")
        self.path = Path(path)
        self.recovered: str | None = _repair_tail(self.path) if self.path.exists() else None
        self.appended = 0
        self.fsync_interval = fsync_interval
        self._fd: int | None = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        share_file(self._fd)
        self._dirty = threading.Event()  # lines written since the last fsync began
        self._closing = threading.Event()
        self._flusher: threading.Thread | None = None
        if fsync_interval > 0:
            self._flusher = threading.Thread(
                target=self._flush_loop, name="journal-fsync", daemon=True
            )
            self._flusher.start()

    def append(self, pair: Pair) -> None:
        if self._fd is None:
            raise ManifestError(f"{self.path}: journal is closed")
        view = memoryview(encode_line(pair))
        start = os.lseek(self._fd, 0, os.SEEK_END)
        try:
            while view:
                view = view[os.write(self._fd, view) :]
            if self._flusher is None:
                os.fsync(self._fd)
        except OSError:
            # A refused write (a full disk) may have written part of the line: cut it back, or
            # the next line would be glued to it and both lost when the journal is folded.
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, start)
            raise
        self._dirty.set()
        self.appended += 1

    def flush(self) -> None:
        """fsync now: every line appended so far is on the disk when this returns."""
        if self._fd is not None:
            self._dirty.clear()  # before the fsync: a line written during it waits for the next
            os.fsync(self._fd)

    def _flush_loop(self) -> None:
        while not self._closing.is_set():
            self._dirty.wait()
            if not self._closing.is_set():  # else close() fsyncs what is left
                self._flush_logged()
                self._closing.wait(self.fsync_interval)  # at most one fsync per interval

    def _flush_logged(self) -> None:
        try:
            self.flush()
        except OSError as exc:
            # The lines are in the kernel's hands (the fold reads them): only a power cut before
            # they are written back could lose them. An ERROR fails the crawl's command.
            logger.error("cannot fsync the journal %s: %s", self.path, exc)

    def close(self) -> None:
        if self._fd is None:
            return
        if self._flusher is not None:
            self._closing.set()
            self._dirty.set()  # wakes the flusher if it waits for lines
            self._flusher.join()
            self._flusher = None
            self._flush_logged()
        os.close(self._fd)
        self._fd = None

    fold = staticmethod(fold_lines)


def _repair_tail(path: Path) -> str | None:
    """Make the journal end with a newline; returns a warning when torn bytes were cut."""
    with path.open("rb") as f:
        end = f.seek(0, os.SEEK_END)
        cut = _after_last_newline(f, end)
        if cut == end:
            return None
        f.seek(cut)
        tail = f.read()
    try:
        decode_line(tail, f"{path} line at byte {cut}")
    except ManifestError as exc:
        # A whole line the schema refuses is not a torn one: the fold repairs it.
        if not _is_json(tail):
            os.truncate(path, cut)
            return f"{path}: cut an incomplete last line ({len(tail)} bytes at byte {cut}): {exc}"
    with path.open("ab") as f:
        f.write(b"\n")
        f.flush()
        os.fsync(f.fileno())
    return None


def _is_json(line: bytes) -> bool:
    try:
        json.loads(line.decode("utf-8", "surrogateescape"))
    except ValueError:
        return False
    return True


def _after_last_newline(f: BinaryIO, end: int) -> int:
    position = end
    while position > 0:
        start = max(0, position - _TAIL_CHUNK)
        f.seek(start)
        newline = f.read(position - start).rfind(b"\n")
        if newline >= 0:
            return start + newline + 1
        position = start
    return 0
