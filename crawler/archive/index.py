"""The archive's CDXJ index (what pywb and ReplayWeb.page look captures up in), via cdxj-indexer.

Each closed WARC file is indexed once, into its fragment ``index/NAME.cdxj``
(crawler/archive/layout.py): cdxj-indexer's sorted lines for that file, after a header line that
names the file's size and modification time when it was indexed. A crawl's writer indexes each
record as it writes it (crawler/archive/index_part.py): the fragment of a file it finished is its
complete part, sorted as cdxj-indexer sorts; any other file is read back (crawler/archive/cdxj.py
makes the lines of both, the same bytes). ``index.cdxj`` is the merge of the fragments, which is
what cdxj-indexer writes for all the files at once: it sorts whole lines and drops a line equal to
the one before, and so does the merge. A fragment whose file has changed since (a repair set its
damaged end aside, a copy replaced it) is made again; one whose file is gone is removed.
"""

from __future__ import annotations

import heapq
import json
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import IO

from crawler.archive.cdxj import index_warc_files, indexer_version, sorting_writer
from crawler.archive.layout import (
    INDEX_NAME,
    fragment_warc_name,
    index_fragment,
    index_fragments,
    index_part,
    index_parts,
    part_warc_name,
)
from crawler.archive.naming import OPEN_SUFFIX, closed_warc_files
from crawler.util.atomic import atomic_write
from crawler.util.filemodes import shared_directory

# The first line of a fragment ("!" sorts before any SURT key, as in a CDXJ "!meta" line).
FRAGMENT_HEADER = "!warc "
# The last line of a complete part: what the header of its fragment says.
PART_END = "!end "
# Fragments merged at once: each is an open file. More are merged in groups of this many into
# temporary files first (two levels cover 65,536 WARC files).
_FAN_IN = 256


def _indexer_version() -> str:
    return indexer_version()


def _source(warc: Path, name: str) -> str:
    stat = warc.stat()
    source = {
        "filename": name,
        "size": stat.st_size,
        "mtime_ns": stat.st_mtime_ns,
        "indexer": _indexer_version(),
    }
    return json.dumps(source) + "\n"


def fragment_header(warc: Path) -> str:
    """The header line a fragment of ``warc`` as it is now starts with: a fragment with another
    one was made from other bytes, or by another version of cdxj-indexer."""
    return FRAGMENT_HEADER + _source(warc, warc.name)


def part_end(written: Path, name: str) -> str:
    """The last line of the part of the file ``written``, to be renamed ``name``: its fragment's
    header once renamed (a rename keeps the size and time)."""
    return PART_END + _source(written, name)


def write_fragment(archive_dir: Path, warc: Path) -> Path:
    """Make the fragment of the closed WARC file ``warc`` of ``archive_dir``, from its complete
    part if it has one, else by reading it; return its path."""
    fragment = index_fragment(archive_dir, warc.name)
    part = index_part(archive_dir, warc.name)
    # Stated before reading: a file that changes while it is indexed no longer matches.
    header = fragment_header(warc)
    shared_directory(fragment.parent)
    # Durable: a fragment is kept for as long as its WARC file is unchanged.
    with atomic_write(fragment, text=True) as out:
        out.write(header)
        if not _sort_part(part, PART_END + header.removeprefix(FRAGMENT_HEADER), out):
            index_warc_files([warc], out)
    part.unlink(missing_ok=True)
    return fragment


def _sort_part(part: Path, end: str, out: IO[str]) -> bool:
    """Write the lines of ``part`` sorted to ``out`` if it is complete, its last line being
    ``end``; whether it did (nothing is written otherwise)."""
    if not _ends_with_line(part, end.encode()):
        return False
    sorter = sorting_writer(out)
    with _open(part) as stream:
        previous = next(stream)
        for line in stream:  # every line but the last one, ``end``
            sorter.write(previous)
            previous = line
    sorter.flush()
    return True


def _ends_with_line(path: Path, line: bytes) -> bool:
    try:
        with path.open("rb") as stream:
            size = stream.seek(0, os.SEEK_END)
            stream.seek(max(0, size - len(line) - 1))
            tail = stream.read()
    except OSError:
        return False
    return tail == line or tail == b"\n" + line


def fragment_is_current(fragment: Path, warc: Path) -> bool:
    """Whether ``fragment`` indexes ``warc`` as it is now."""
    try:
        with fragment.open(encoding="utf-8", newline="\n") as stream:
            return stream.readline() == fragment_header(warc)
    except (OSError, UnicodeDecodeError):
        return False


def stale_fragments(directory: Path) -> list[Path]:
    """The fragments under ``directory`` that the next index build makes again or removes."""
    warcs = {path.name: path for path in closed_warc_files(Path(directory))}
    stale = []
    for fragment in index_fragments(directory):
        warc = warcs.get(fragment_warc_name(fragment))
        if warc is None or not fragment_is_current(fragment, warc):
            stale.append(fragment)
    return stale


def update_fragments(directory: Path) -> list[Path]:
    """Make the fragment of every closed WARC file in ``directory`` that has no current one, and
    remove the fragments of files no longer there; return the fragments, in WARC file order."""
    directory = Path(directory)
    warcs = closed_warc_files(directory)
    fragments = []
    for warc in warcs:
        fragment = index_fragment(directory, warc.name)
        if not fragment_is_current(fragment, warc):
            write_fragment(directory, warc)
        fragments.append(fragment)
    kept = set(fragments)
    for fragment in index_fragments(directory):
        if fragment not in kept:
            fragment.unlink(missing_ok=True)
    # A part is of use only to a file still open (left by a killed writer, recovered whole).
    for part in index_parts(directory):
        if not (directory / (part_warc_name(part) + OPEN_SUFFIX)).exists():
            part.unlink(missing_ok=True)
    return fragments


def build_cdxj_index(directory: Path, output: Path | None = None) -> Path:
    """Index every closed ``*.warc.gz`` in ``directory`` into a sorted CDXJ file (by default
    ``directory/index.cdxj``) and return its path.

    Files still being written (``*.warc.gz.open``) are left out: they are renamed when closed.
    Only files without a current fragment are read (see the module's docstring); the fragments
    are kept under ``directory`` whatever ``output`` is. The index goes to a temporary file moved
    into place, so a reader never sees half of one. Call it only while holding the archive lock.
    """
    directory = Path(directory)
    target = Path(output) if output is not None else directory / INDEX_NAME
    fragments = update_fragments(directory)
    with atomic_write(target, text=True, durable=False) as out:
        _merge_into(out, fragments, target.parent)
    return target


def _merge_into(out: IO[str], fragments: Sequence[Path], spill: Path) -> None:
    if len(fragments) <= _FAN_IN:
        with ExitStack() as stack:
            streams = [_entries(stack.enter_context(_open(path))) for path in fragments]
            _write_unique(heapq.merge(*streams), out)
        return
    with ExitStack() as stack:
        parts = []
        for start in range(0, len(fragments), _FAN_IN):
            # Unnamed where the platform allows: nothing is left behind by a killed process.
            part = stack.enter_context(
                tempfile.TemporaryFile("w+", encoding="utf-8", newline="\n", dir=spill)
            )
            _merge_into(part, fragments[start : start + _FAN_IN], spill)
            part.seek(0)
            parts.append(part)
        _write_unique(heapq.merge(*parts), out)


def _open(path: Path) -> IO[str]:
    # Lines end in "\n" only: splitting on nothing else keeps them as cdxj-indexer wrote them.
    return path.open(encoding="utf-8", newline="\n")


def _entries(stream: IO[str]) -> Iterator[str]:
    next(stream, None)  # the header: a fragment is merged only once found current
    yield from stream


def _write_unique(lines: Iterable[str], out: IO[str]) -> None:
    # As cdxj-indexer's SortingWriter does: a line equal to the one before is left out.
    last = None
    for line in lines:
        if line != last:
            out.write(line)
        last = line
