"""Reading and writing ``pairs.jsonl``, and the journal a crawl appends to as it goes.

A crawl appends each finished pair to a journal (one fsync'd line at a time, so a killed process
loses at most the line it was writing); at the end the journals are folded into the manifest,
which is rewritten atomically in a stable order so that two crawls diff line by line.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from crawler.closeable import Closeable
from crawler.manifest.model import Pair
from crawler.manifest.schema import ManifestError, validate_line
from crawler.sharing import FILE_MODE, share_file

StrPath = str | os.PathLike[str]

_TAIL_CHUNK = 1 << 16

# JSON allows these raw inside strings, but str.splitlines() and many editors break lines at
# them; escaped, one manifest line is one line for every tool.
_LINE_BREAKERS = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}


def encode_line(pair: Pair) -> bytes:
    """One validated manifest line, UTF-8, newline-terminated."""
    data = pair.to_json()
    validate_line(data)
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        return (text.translate(_LINE_BREAKERS) + "\n").encode("utf-8")
    # NaN or infinity, a lone surrogate that UTF-8 cannot encode, or a value JSON has no type for.
    except (TypeError, ValueError) as exc:
        raise ManifestError(f"pair {pair.pair_id}: cannot be written as JSON: {exc}") from None


def decode_line(line: bytes, where: str) -> Pair:
    """Parse and validate one line; errors name ``where`` (file and line number)."""
    try:
        data = json.loads(line.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        raise ManifestError(f"{where}: not UTF-8 (byte {exc.start + 1})") from None
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{where}: not JSON ({exc.msg} at column {exc.colno})") from None
    except ValueError as exc:
        raise ManifestError(f"{where}: {exc}") from None
    try:
        return Pair.from_json(data)
    except ManifestError as exc:
        raise ManifestError(f"{where}: {exc}") from None


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not allowed in a manifest (JSON has no such number)")


def read_manifest(path: StrPath) -> Iterator[Pair]:
    """Every pair of a manifest, in file order; raises ManifestError naming the bad line."""
    path = Path(path)
    first_seen: dict[str, int] = {}
    with path.open("rb") as lines:
        for number, line in enumerate(lines, 1):
            pair = decode_line(line, f"{path} line {number}")
            if pair.pair_id in first_seen:
                raise ManifestError(
                    f"{path} line {number}: pair_id {pair.pair_id} already on line "
                    f"{first_seen[pair.pair_id]}"
                )
            first_seen[pair.pair_id] = number
            yield pair


def write_manifest(path: StrPath, pairs: Iterable[Pair]) -> int:
    """Write the manifest atomically, sorted, one line per pair; returns the number of lines.

    The old file stays in place until the new one is complete and on disk, and an invalid pair
    raises ManifestError before anything is replaced.
    """
    path = Path(path)
    ordered = sorted(pairs, key=Pair.sort_key)
    seen: set[str] = set()
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            for pair in ordered:
                if pair.pair_id in seen:
                    raise ManifestError(
                        f"pair_id {pair.pair_id} appears twice ({pair.translation.url}, "
                        f"{pair.cited_url})"
                    )
                seen.add(pair.pair_id)
                out.write(encode_line(pair))
            out.flush()
            os.fsync(out.fileno())
            share_file(out.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    _fsync_directory(path.parent)
    return len(ordered)


def _fsync_directory(directory: Path) -> None:
    # Makes the rename itself durable; some platforms cannot open a directory, which is harmless.
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@dataclass(frozen=True)
class FoldResult:
    """The folded pairs (one per pair_id, in manifest order) and what was skipped, as sentences."""

    pairs: list[Pair]
    warnings: list[str]


class ManifestJournal(Closeable):
    """An append-only JSONL file of manifest lines, written while a crawl runs.

    Each :meth:`append` writes one whole line and fsyncs it. A journal left with a torn last line
    by a killed process is repaired when reopened: the torn bytes are cut (see ``recovered``), or
    the missing newline is added when the line itself is complete. One writer per file.
    """

    def __init__(self, path: StrPath) -> None:
        self.path = Path(path)
        self.recovered: str | None = _repair_tail(self.path) if self.path.exists() else None
        self.appended = 0
        self._fd: int | None = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, FILE_MODE)
        share_file(self._fd)

    def append(self, pair: Pair) -> None:
        if self._fd is None:
            raise ManifestError(f"{self.path}: journal is closed")
        view = memoryview(encode_line(pair))
        while view:
            view = view[os.write(self._fd, view) :]
        os.fsync(self._fd)
        self.appended += 1

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    @staticmethod
    def fold(journals: Iterable[StrPath], existing_manifest: StrPath | None = None) -> FoldResult:
        """One pair per pair_id from the existing manifest (if the file exists) and the journals.

        The line with the latest ``crawled_at`` wins; on a tie the later one read wins (journals
        after the manifest, in the order given). A torn last line of a journal is ignored and
        reported in ``warnings``; any other bad line raises ManifestError.
        """
        latest: dict[str, Pair] = {}
        warnings: list[str] = []

        def offer(pair: Pair) -> None:
            current = latest.get(pair.pair_id)
            if current is None or pair.crawled_at_datetime >= current.crawled_at_datetime:
                latest[pair.pair_id] = pair

        if existing_manifest is not None and Path(existing_manifest).exists():
            for pair in read_manifest(existing_manifest):
                offer(pair)
        for journal in journals:
            for pair in _read_journal(Path(journal), warnings):
                offer(pair)
        return FoldResult(sorted(latest.values(), key=Pair.sort_key), warnings)


def _read_journal(path: Path, warnings: list[str]) -> Iterator[Pair]:
    with path.open("rb") as lines:
        for number, line in enumerate(lines, 1):
            where = f"{path} line {number}"
            if line.endswith(b"\n"):
                yield decode_line(line, where)
                continue
            # Only the last line can lack its newline: a write cut short by a killed process.
            try:
                yield decode_line(line, where)
            except ManifestError as exc:
                warnings.append(
                    f"{where}: ignored an incomplete last line ({len(line)} bytes): {exc}"
                )


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
        os.truncate(path, cut)
        return f"{path}: cut an incomplete last line ({len(tail)} bytes at byte {cut}): {exc}"
    with path.open("ab") as f:
        f.write(b"\n")
        f.flush()
        os.fsync(f.fileno())
    return None


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
