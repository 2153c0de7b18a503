"""Files that appear whole or not at all: write a temporary file beside the target, rename it over.

A reader sees the old file or the new one, never half of one. A process killed mid-write leaves
its temporary file, ``.TARGET.XXXXXXXX.tmp`` beside TARGET; the target is untouched. ``verify``
reports such leftovers (:func:`leftover_temporaries`), and the crawl, which holds the archive lock,
removes those of the files only a lock holder writes.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from crawler.util.filemodes import share_file

TEMP_SUFFIX = ".tmp"
# tempfile.mkstemp's names: the prefix, eight characters of [a-z0-9_], the suffix.
_TEMP_NAME = re.compile(r"^\.?(?P<target>.+)\.[a-z0-9_]{8}\.tmp$")


def temporary_file(target: Path) -> tuple[int, Path]:
    """An open descriptor and the path of a new temporary file for ``target``, beside it."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent)
    return fd, Path(name)


@contextlib.contextmanager
def atomic_write(
    target: Path, *, text: bool = False, durable: bool = True, shared: bool = True
) -> Iterator[IO[Any]]:
    """Yield a file to write ``target``'s new content to; on a clean exit it replaces ``target``.

    ``durable`` fsyncs the file and then the directory (the rename itself survives a power cut);
    ``shared`` makes the file world-readable (crawler/util/filemodes.py). On an exception the
    temporary file is removed and ``target`` is as it was.
    """
    fd, temp = temporary_file(target)
    try:
        with (
            os.fdopen(fd, "w", encoding="utf-8", newline="\n") if text else os.fdopen(fd, "wb")
        ) as out:
            yield out
            out.flush()
            if durable:
                os.fsync(out.fileno())
            if shared:
                share_file(out.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if durable:
        fsync_directory(target.parent)


@contextlib.contextmanager
def atomic_path(target: Path, *, shared: bool = True) -> Iterator[Path]:
    """Yield the path of an empty temporary file for a writer that wants a name (a subprocess, a
    copy); on a clean exit the file replaces ``target``, on an exception it is removed."""
    fd, temp = temporary_file(target)
    os.close(fd)
    try:
        yield temp
        if shared:
            share_file(temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def fsync_directory(directory: Path) -> None:
    # Makes a rename durable; some platforms cannot open a directory, which is harmless.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass(frozen=True)
class Leftover:
    """A temporary file no write will rename: ``target`` is the name it was to replace (None
    when the name is not one this module makes)."""

    path: Path
    target: str | None


def leftover_temporaries(directory: Path, *, recursive: bool = True) -> list[Leftover]:
    """The ``*.tmp`` files under ``directory``, sorted. Only call it a leftover where no write
    can be under way (the archive lock is held), or say that it may be one."""
    found = directory.rglob("*" + TEMP_SUFFIX) if recursive else directory.glob("*" + TEMP_SUFFIX)
    leftovers = []
    for path in sorted(found):
        if path.is_file():
            match = _TEMP_NAME.match(path.name)
            leftovers.append(Leftover(path, match.group("target") if match else None))
    return leftovers
