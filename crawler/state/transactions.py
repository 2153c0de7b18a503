"""The transactions of a crawl state connection: one per write, or one per batch of writes."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from crawler.state.errors import StateError


class Transactions:
    """On an autocommit connection (``isolation_level=None``): each :meth:`write` commits by
    itself, except inside a :meth:`batch`, where the writes commit together."""

    def __init__(self, db: sqlite3.Connection, path: Path) -> None:
        self._db = db
        self.path = path  # named by the errors of a commit
        self._batching = False

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Every write made inside commits in one transaction when the block ends; an exception
        leaving the block rolls them all back. The transaction begins at the first write: a
        block that writes nothing costs nothing. A batch inside a batch is part of it."""
        if self._batching:
            yield
            return
        self._batching = True
        try:
            yield
        except BaseException:
            self._rollback()
            raise
        finally:
            self._batching = False
        if self._db.in_transaction:
            try:
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as error:  # a full disk, say
                self._rollback()
                raise StateError(self.path, error) from error

    @contextmanager
    def write(self, *, one_statement: bool = False) -> Iterator[None]:
        """One write, whole or not at all: a transaction of its own (none for ``one_statement``,
        which SQLite makes one), or a savepoint of the batch's, undone if the write raises even
        when the caller goes on."""
        if not self._batching:
            if one_statement:
                yield
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._rollback()
                raise
            self._db.execute("COMMIT")
            return
        if not self._db.in_transaction:
            self._db.execute("BEGIN IMMEDIATE")
        self._db.execute("SAVEPOINT write")
        try:
            yield
        except BaseException:
            with suppress(sqlite3.Error):  # what made the write fail is the error to report
                self._db.execute("ROLLBACK TO write")
                self._db.execute("RELEASE write")
            raise
        self._db.execute("RELEASE write")

    def _rollback(self) -> None:
        if self._db.in_transaction:
            with suppress(sqlite3.Error):  # what made it fail is the error to report
                self._db.execute("ROLLBACK")
