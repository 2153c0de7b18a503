"""Payload digest -> first capture of that payload, so repeated payloads become revisit records."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from crawler.archive.naming import closed_warc_files
from crawler.archive.pointer import WarcPointer
from crawler.archive.records import EMPTY_PAYLOAD_DIGEST
from crawler.util.closeable import Closeable

_SCHEMA = """
CREATE TABLE IF NOT EXISTS captures (
    digest TEXT PRIMARY KEY,
    uri TEXT NOT NULL,
    date TEXT NOT NULL,
    filename TEXT NOT NULL,
    offset INTEGER NOT NULL,
    record_id TEXT NOT NULL
)
"""


@dataclass(frozen=True)
class Capture:
    """The original capture of a payload: what a revisit record refers to."""

    uri: str
    date: str
    pointer: WarcPointer


class DigestIndex(Closeable):
    """Payload digests seen so far, with their first capture.

    Kept in a SQLite file when ``path`` is given, so a later crawl into the same archive revisits
    what an earlier one stored; in memory otherwise. Not for concurrent use from several threads.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        # check_same_thread=False: the owner may open it on one thread and write from a worker.
        self._db = sqlite3.connect(
            ":memory:" if path is None else str(path), check_same_thread=False
        )
        if path is not None:
            # WAL + NORMAL: a commit per capture stays cheap, and a killed process loses at most
            # the last commits, never the file.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(_SCHEMA)
        self._db.commit()

    def lookup(self, digest: str) -> Capture | None:
        row = self._db.execute(
            "SELECT uri, date, filename, offset, record_id FROM captures WHERE digest = ?",
            (digest,),
        ).fetchone()
        if row is None:
            return None
        uri, date, filename, offset, record_id = row
        return Capture(uri, date, WarcPointer(filename, offset, record_id))

    def add(self, digest: str, capture: Capture) -> bool:
        """Record ``capture`` as the original of ``digest`` unless one is already known."""
        added = self._insert(digest, capture)
        self._db.commit()
        return added

    def forget_from(self, filename: str, offset: int) -> int:
        """Drop the captures at or after ``offset`` in ``filename`` (bytes a repair cut off), so no
        revisit refers to them; returns how many were dropped."""
        cursor = self._db.execute(
            "DELETE FROM captures WHERE filename = ? AND offset >= ?", (filename, offset)
        )
        self._db.commit()
        return cursor.rowcount

    def rebuild(self, directory: Path) -> int:
        """Refill the index from the closed WARC files in ``directory`` (for an archive whose index
        was lost); returns how many digests it now holds."""
        self._db.execute("DELETE FROM captures")
        for path in closed_warc_files(directory):
            with path.open("rb") as stream:
                records = ArchiveIterator(stream)
                for record in records:
                    capture = _original_capture(record, path.name, records.get_record_offset())
                    if capture is not None:
                        self._insert(*capture)
        self._db.commit()
        return len(self)

    def _insert(self, digest: str, capture: Capture) -> bool:
        pointer = capture.pointer
        cursor = self._db.execute(
            "INSERT OR IGNORE INTO captures VALUES (?, ?, ?, ?, ?, ?)",
            (
                digest,
                capture.uri,
                capture.date,
                pointer.filename,
                pointer.offset,
                pointer.record_id,
            ),
        )
        return cursor.rowcount == 1

    def __len__(self) -> int:
        (count,) = self._db.execute("SELECT COUNT(*) FROM captures").fetchone()
        return int(count)

    def close(self) -> None:
        self._db.close()


def is_dedup_candidate(status: int, digest: str, truncated: str | None) -> bool:
    """Only complete, non-empty 2xx payloads are deduplicated: an error page or a cut-off body is
    not a payload a later capture should point to."""
    return 200 <= status < 300 and digest != EMPTY_PAYLOAD_DIGEST and truncated is None


def _original_capture(record: Any, filename: str, offset: int) -> tuple[str, Capture] | None:
    if record.rec_type != "response" or not record.http_headers:
        return None
    headers = record.rec_headers
    digest = headers.get_header("WARC-Payload-Digest")
    try:
        status = int(record.http_headers.get_statuscode())
    except ValueError:
        return None
    if not digest or not is_dedup_candidate(status, digest, headers.get_header("WARC-Truncated")):
        return None
    pointer = WarcPointer(filename, offset, headers.get_header("WARC-Record-ID"))
    return digest, Capture(
        headers.get_header("WARC-Target-URI"), headers.get_header("WARC-Date"), pointer
    )
