"""``StateError``: a crawl state database that cannot be opened or read, named in the message."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, Protocol, TypeVar

_P = ParamSpec("_P")
_T = TypeVar("_T")


class StateError(sqlite3.DatabaseError):
    """The crawl state database cannot be opened or read. The message names the file and says
    what to do; ``path`` is the file, the SQLite error is the ``__cause__``."""

    def __init__(self, path: Path, error: sqlite3.Error) -> None:
        detail = str(error) or type(error).__name__
        if isinstance(error, sqlite3.OperationalError) and "unable to open" in detail:
            advice = (
                "check that it is a readable and writable file on a disk with free space, in a "
                "directory the crawler may write"
            )
        elif isinstance(error, sqlite3.OperationalError) and "locked" in detail:
            advice = "another process holds it: wait for the crawl or command using it to end"
        else:
            advice = (
                "if it is damaged, move it aside (with its -wal and -shm files) or delete it: it "
                "is not part of the archive, and the next crawl starts a new one and will fetch "
                "everything again, like -a full=1 (docs/incremental.md)"
            )
        super().__init__(f"crawl state database {path}: {detail}; {advice}")
        self.path = path


class _OfAFile(Protocol):
    path: Path


_S = TypeVar("_S", bound=_OfAFile)


def naming_the_file(
    method: Callable[Concatenate[_S, _P], _T],
) -> Callable[Concatenate[_S, _P], _T]:
    """SQLite's errors name no file: re-raise those about the database as a StateError."""

    @functools.wraps(method)
    def named(self: _S, *args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            return method(self, *args, **kwargs)
        except StateError:
            raise
        except (sqlite3.ProgrammingError, sqlite3.IntegrityError, sqlite3.InterfaceError):
            raise  # a bug in the caller (a closed database, a broken constraint), not the file
        except sqlite3.DatabaseError as error:
            raise StateError(self.path, error) from error

    return named
