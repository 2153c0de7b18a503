"""``CrawlState``: the crawl state database, ``ARCHIVE_DIR/state/crawl.sqlite`` (its tables are
described in the package's docstring)."""

from __future__ import annotations

import dataclasses
import json
import sqlite3
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.archive.layout import STATE_DIR, STATE_NAME
from crawler.archive.pointer import WarcPointer
from crawler.state.drift import assess, changed_since
from crawler.state.errors import StateError
from crawler.state.errors import naming_the_file as _naming_the_file
from crawler.state.rules import (
    CheckedFile,
    Observation,
    PostRecord,
    SourceRecord,
    StatusChange,
)
from crawler.state.tables import create_tables
from crawler.state.transactions import Transactions
from crawler.util.closeable import Closeable
from crawler.util.filemodes import share_file, shared_directory

__all__ = ["STATE_DIR", "STATE_NAME", "CrawlState", "StateError"]


class CrawlState(Closeable):
    """The crawl state database. Not for concurrent use from several threads; several
    connections (the spider's, the pipeline's) may share the file."""

    @_naming_the_file
    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        shared_directory(self.path.parent)
        self._db = sqlite3.connect(str(self.path), isolation_level=None)
        try:
            share_file(self.path)
            # WAL: readers never block the writer; NORMAL: a commit is not fsync'd until
            # checkpoint, which survives a killed process (the OS has the pages), not a power cut.
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA busy_timeout=10000")
            create_tables(self._db)
        except BaseException:
            self._db.close()
            raise
        self._transactions = Transactions(self._db, self.path)

    @classmethod
    def open(cls, archive_dir: Path) -> CrawlState:
        return cls(Path(archive_dir) / STATE_DIR / STATE_NAME)

    def close(self) -> None:
        self._db.close()

    def batch(self) -> AbstractContextManager[None]:
        """``with state.batch():`` the writes made inside commit together, when the block ends
        (one commit per item the pipeline processes); an exception rolls them all back."""
        return self._transactions.batch()

    @_naming_the_file
    def list_post(
        self, url: str, *, lastmod: datetime | None = None, updated: datetime | None = None
    ) -> None:
        """Note the date a sitemap (``lastmod``) or the feed (``updated``) gives a post."""
        if lastmod is None and updated is None:
            return
        with self._transactions.write(one_statement=True):
            self._db.execute(
                "INSERT INTO listed (url, lastmod, updated) VALUES (?, ?, ?) ON CONFLICT (url) "
                "DO UPDATE SET lastmod = coalesce(excluded.lastmod, lastmod), "
                "updated = coalesce(excluded.updated, updated)",
                (url, _iso(lastmod), _iso(updated)),
            )

    @_naming_the_file
    def listed_modified(self, url: str) -> datetime | None:
        """The newest date the lists gave this post."""
        row = self._db.execute(
            "SELECT lastmod, updated FROM listed WHERE url = ?", (url,)
        ).fetchone()
        dates = [datetime.fromisoformat(v) for v in row or () if v]
        return max(dates) if dates else None

    @_naming_the_file
    def post(self, url: str) -> PostRecord | None:
        row = self._db.execute(
            "SELECT url, fetched_url, http_status, parse_status, error, warc, payload_digest, "
            "fetched_at, modified, feed_published FROM posts WHERE url = ?",
            (url,),
        ).fetchone()
        return None if row is None else PostRecord(*_decoded(row, pointer=5))

    @_naming_the_file
    def record_post(self, record: PostRecord, pairs: Sequence[tuple[str | None, str]]) -> None:
        """Store a fetched post and the pairs it owes: (cited URL or None, pair id) each."""
        with self._transactions.write():
            self._db.execute(
                "INSERT OR REPLACE INTO posts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.url,
                    record.fetched_url,
                    record.http_status,
                    record.parse_status,
                    record.error,
                    _pointer_json(record.warc),
                    record.payload_digest,
                    record.fetched_at,
                    record.modified,
                    record.feed_published,
                ),
            )
            self._db.execute("DELETE FROM citations WHERE post_url = ?", (record.url,))
            self._db.executemany(
                "INSERT INTO citations VALUES (?, ?, ?, ?)",
                [(record.url, n, url, pair_id) for n, (url, pair_id) in enumerate(pairs)],
            )

    @_naming_the_file
    def cited_urls(self, post_url: str) -> list[str]:
        rows = self._db.execute(
            "SELECT cited_url FROM citations WHERE post_url = ? AND cited_url IS NOT NULL "
            "ORDER BY position",
            (post_url,),
        )
        return [url for (url,) in rows]

    @_naming_the_file
    def posts_citing(self, cited_url: str) -> list[str]:
        rows = self._db.execute(
            "SELECT DISTINCT post_url FROM citations WHERE cited_url = ? ORDER BY post_url",
            (cited_url,),
        )
        return [url for (url,) in rows]

    @_naming_the_file
    def source(self, cited_url: str) -> SourceRecord | None:
        row = self._db.execute(
            "SELECT cited_url, status, error, url, redirects, http_status, content_type, warc, "
            "payload_digest, fetched_at, recovered, observed FROM sources WHERE cited_url = ?",
            (cited_url,),
        ).fetchone()
        if row is None:
            return None
        recovered = json.loads(row[10]) if row[10] else {}
        record = SourceRecord(*_decoded(row[:10], pointer=7, redirects=4))
        memento, live = recovered.get("memento"), recovered.get("live")
        observed = Observation.from_dict(json.loads(row[11])) if row[11] else None
        return dataclasses.replace(record, memento=memento, live=live, observed=observed)

    @_naming_the_file
    def record_source(self, record: SourceRecord) -> StatusChange | None:
        """Store a source's outcome; returns (and keeps in ``history``) a change of it, the first
        outcome included. A source whose capture is an ok page keeps it, and the new outcome is
        only observed (crawler/state/drift.py); ``record.drift`` gives the paragraph summary of a
        change, as the crawl computed it."""
        old = self.source(record.cited_url)
        assessment = assess(old, record)
        change = assessment.change
        if change is not None and record.drift is not None:
            change = dataclasses.replace(change, paragraphs=record.drift.get("paragraphs"))
        with self._transactions.write():
            if not assessment.keeps_capture:
                self._write_source(record)
            elif assessment.observed is not None:
                observed = json.dumps(assessment.observed.to_dict(), sort_keys=True)
                self._db.execute(
                    "UPDATE sources SET observed = ? WHERE cited_url = ?",
                    (observed, record.cited_url),
                )
            if change is not None:
                self._write_change(change)
        return change

    def _write_source(self, record: SourceRecord) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL)",
            (
                record.cited_url,
                record.status,
                record.error,
                record.url,
                json.dumps(list(record.redirects)),
                record.http_status,
                record.content_type,
                _pointer_json(record.warc),
                record.payload_digest,
                record.fetched_at,
                _recovered_json(record),
            ),
        )

    def _write_change(self, change: StatusChange) -> None:
        self._db.execute(
            "INSERT INTO history (cited_url, fetched_at, old_status, new_status, "
            "old_http_status, new_http_status, old_warc, new_warc, old_payload_digest, "
            "new_payload_digest, paragraphs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                change.cited_url,
                change.fetched_at,
                change.old_status,
                change.new_status,
                change.old_http_status,
                change.new_http_status,
                _pointer_json(change.old_warc),
                _pointer_json(change.new_warc),
                change.old_payload_digest,
                change.new_payload_digest,
                json.dumps(change.paragraphs, sort_keys=True) if change.paragraphs else None,
            ),
        )

    @_naming_the_file
    def history(self, cited_url: str | None = None) -> list[StatusChange]:
        """Changes of sources, oldest first (of one cited URL, or of all)."""
        query = (
            "SELECT cited_url, fetched_at, old_status, new_status, old_http_status, "
            "new_http_status, old_warc, new_warc, old_payload_digest, new_payload_digest, "
            "paragraphs FROM history"
        )
        args: tuple[str, ...] = ()
        if cited_url is not None:
            query += " WHERE cited_url = ?"
            args = (cited_url,)
        rows = self._db.execute(query + " ORDER BY id", args)
        return [
            StatusChange(
                cited_url=r[0],
                fetched_at=r[1],
                old_status=r[2],
                new_status=r[3],
                old_http_status=r[4],
                new_http_status=r[5],
                old_warc=_pointer(r[6]),
                new_warc=_pointer(r[7]),
                old_payload_digest=r[8],
                new_payload_digest=r[9],
                paragraphs=json.loads(r[10]) if r[10] else None,
            )
            for r in rows
        ]

    @_naming_the_file
    def changed_since(self, record: SourceRecord) -> str | None:
        """When the source of ``record`` (the capture its pairs take) was first seen changed
        after that capture, or None."""
        return changed_since(self.history(record.cited_url), record.fetched_at)

    @_naming_the_file
    def record_journaled(self, pair_id: str, status: str, crawled_at: str) -> None:
        with self._transactions.write(one_statement=True):
            self._db.execute(
                "INSERT OR REPLACE INTO journaled VALUES (?, ?, ?)", (pair_id, status, crawled_at)
            )

    @_naming_the_file
    def pending_posts(self) -> list[str]:
        """Posts recorded whose pairs are not all journaled: a killed crawl's unfinished work."""
        rows = self._db.execute(
            "SELECT DISTINCT c.post_url FROM citations c LEFT JOIN journaled j "
            "ON j.pair_id = c.pair_id WHERE j.pair_id IS NULL ORDER BY c.post_url"
        )
        return [url for (url,) in rows]

    @_naming_the_file
    def forget_from(self, filename: str, offset: int) -> int:
        """Drop the posts and sources whose page is at or after ``offset`` of ``filename`` (a WARC
        file cut there by its repair), so they are fetched again; returns how many."""
        return self._forget(
            lambda p, _: p is not None and p.filename == filename and p.offset >= offset
        )

    @_naming_the_file
    def forget(
        self, pointers: Collection[WarcPointer], *, unarchived_since: datetime | None = None
    ) -> int:
        """Drop the posts and sources whose page is one of ``pointers`` (records a damaged WARC
        file lost) and, with ``unarchived_since``, those without a page recorded since then (a
        crawl-log record is all the archive has of them, and it may be lost too), so they are
        fetched again; returns how many."""
        since = unarchived_since

        def lost(pointer: WarcPointer | None, fetched_at: str) -> bool:
            if pointer is None:
                return since is not None and _aware(fetched_at) >= since
            return pointer in pointers

        return self._forget(lost)

    def _forget(self, lost: Callable[[WarcPointer | None, str], bool]) -> int:
        dropped = 0
        with self._transactions.write():
            for table, key in (("posts", "url"), ("sources", "cited_url")):
                rows = self._db.execute(f"SELECT {key}, warc, fetched_at FROM {table}").fetchall()
                for value, warc, fetched_at in rows:
                    if lost(_pointer(warc), fetched_at):
                        self._db.execute(f"DELETE FROM {table} WHERE {key} = ?", (value,))
                        dropped += 1
        return dropped

    @_naming_the_file
    def pointers(self) -> list[tuple[str, WarcPointer]]:
        """Every archived page the state names: ("post URL" or "source URL", its pointer)."""
        found = []
        for table, key in (("posts", "url"), ("sources", "cited_url")):
            query = f"SELECT {key}, warc FROM {table} WHERE warc IS NOT NULL ORDER BY 1"
            for value, warc in self._db.execute(query).fetchall():
                found.append((f"{table[:-1]} {value}", WarcPointer.from_dict(json.loads(warc))))
        return found

    @_naming_the_file
    def checked_file(self, filename: str) -> CheckedFile | None:
        """What a WARC file was when a crawl last read it whole (crawler/state/repair.py)."""
        query = "SELECT * FROM checked_files WHERE filename = ?"
        row = self._db.execute(query, (filename,)).fetchone()
        return None if row is None else CheckedFile(*row)

    @_naming_the_file
    def record_checked(self, checked: CheckedFile) -> None:
        values = dataclasses.astuple(checked)
        with self._transactions.write(one_statement=True):
            self._db.execute("INSERT OR REPLACE INTO checked_files VALUES (?, ?, ?, ?, ?)", values)

    @_naming_the_file
    def counts(self) -> dict[str, int]:
        tables = ("posts", "sources", "history", "journaled", "listed")
        return {t: self._db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _aware(text: str) -> datetime:
    """A recorded time; one without an offset is UTC, one that is not a time the latest (what
    cannot be dated is forgotten, and fetched again, rather than kept)."""
    try:
        moment = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return datetime.max.replace(tzinfo=UTC)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _recovered_json(record: SourceRecord) -> str | None:
    """A source read from a web archive's capture: its memento and the live URL's outcome."""
    if record.memento is None and record.live is None:
        return None
    return json.dumps({"memento": record.memento, "live": record.live}, sort_keys=True)


def _pointer_json(pointer: WarcPointer | None) -> str | None:
    return json.dumps(pointer.to_dict()) if pointer is not None else None


def _pointer(text: str | None) -> WarcPointer | None:
    return WarcPointer.from_dict(json.loads(text)) if text else None


def _decoded(row: Sequence[Any], *, pointer: int, redirects: int | None = None) -> list[Any]:
    """A row's values with its WARC pointer column (and redirect list column) decoded."""
    values = list(row)
    values[pointer] = _pointer(values[pointer])
    if redirects is not None:
        values[redirects] = tuple(json.loads(values[redirects]))
    return values
