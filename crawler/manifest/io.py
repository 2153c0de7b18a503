"""Reading and writing ``pairs.jsonl``, and the journal a crawl appends to as it goes.

A crawl appends each finished pair to a journal (one fsync'd line at a time, so a killed process
loses at most the line it was writing); at the end the journals are folded into the manifest,
which is rewritten atomically in a stable order so that two crawls diff line by line.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from crawler.manifest.model import Pair
from crawler.manifest.repair import Repair, repair_data, repair_pair
from crawler.manifest.schema import ManifestError, validate_line
from crawler.util.atomic import atomic_write
from crawler.util.closeable import Closeable
from crawler.util.filemodes import FILE_MODE, share_file

StrPath = str | os.PathLike[str]

logger = logging.getLogger(__name__)

_TAIL_CHUNK = 1 << 16

# JSON allows these raw inside strings, but str.splitlines() and many editors break lines at
# them; escaped, one manifest line is one line for every tool.
# (str.replace per character, not str.translate: a tenth of the time on a line of a few KB.)
_LINE_BREAKERS = (("\x85", "\\u0085"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def encode_line(pair: Pair) -> bytes:
    """One validated manifest line, UTF-8, newline-terminated; raises ManifestError only."""
    try:
        data = pair.to_json()
    except Exception as exc:  # a value of the wrong type: whatever its conversion raises
        raise ManifestError(f"pair {pair.pair_id}: cannot be made a line: {exc!r}") from None
    validate_line(data)
    return _dump(data, pair.pair_id)


def _dump(data: dict[str, object], pair_id: str) -> bytes:
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        for breaker, escaped in _LINE_BREAKERS:
            if breaker in text:
                text = text.replace(breaker, escaped)
        return (text + "\n").encode("utf-8")
    # NaN or infinity, a lone surrogate that UTF-8 cannot encode, or a value JSON has no type for.
    except (TypeError, ValueError) as exc:
        raise ManifestError(f"pair {pair_id}: cannot be written as JSON: {exc}") from None


def decode_line(line: bytes, where: str, *, validate: bool = True) -> Pair:
    """Parse and validate one line; errors name ``where`` (file and line number).

    ``validate=False``: see :meth:`Pair.from_json` (a line that is not valid may raise anything).
    """
    try:
        data = json.loads(line.decode("utf-8"), parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        raise ManifestError(f"{where}: not UTF-8 (byte {exc.start + 1})") from None
    except json.JSONDecodeError as exc:
        raise ManifestError(f"{where}: not JSON ({exc.msg} at column {exc.colno})") from None
    except ValueError as exc:
        raise ManifestError(f"{where}: {exc}") from None
    try:
        return Pair.from_json(data, validate=validate)
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


def write_manifest(
    path: StrPath,
    pairs: Iterable[Pair],
    *,
    repaired: list[Repair] | None = None,
    validated: bool = False,
) -> int:
    """Write the manifest atomically, sorted, one line per pair; returns the number of lines.

    The old file stays in place until the new one is complete and on disk. A pair the schema
    refuses is written repaired, with its defects (crawler/manifest/repair.py): each repair is
    appended to ``repaired`` when given, else logged as an ERROR. Two pairs with one pair_id
    raise ManifestError before anything is replaced.

    ``validated=True``: the caller vouches that every pair is valid (each pair of
    :meth:`ManifestJournal.fold` is), so none is validated again nor repaired; a pair that
    cannot be written as JSON at all still raises ManifestError before anything is replaced.
    """
    path = Path(path)
    writable = pairs if validated else (_writable(pair, repaired) for pair in pairs)
    ordered = sorted(writable, key=Pair.sort_key)
    seen: set[str] = set()
    with atomic_write(path) as out:
        for pair in ordered:
            if pair.pair_id in seen:
                raise ManifestError(
                    f"pair_id {pair.pair_id} appears twice ({pair.translation.url}, "
                    f"{pair.cited_url})"
                )
            seen.add(pair.pair_id)
            out.write(_dump(pair.to_json(), pair.pair_id))  # validated by _writable or before
    return len(ordered)


def _writable(pair: Pair, repaired: list[Repair] | None) -> Pair:
    try:
        encode_line(pair)
        return pair
    except ManifestError:
        repair = repair_pair(pair)
    if repaired is not None:
        repaired.append(repair)
    else:
        logger.error(
            "pair %s refused by the manifest schema (%s): written repaired, defects in %s",
            pair.pair_id,
            repair.error,
            ", ".join(repair.fields),
        )
    return repair.pair


@dataclass(frozen=True)
class UnreadableLine:
    """A complete line that cannot be made a pair (not JSON, or no translation URL)."""

    where: str  # file and line number
    text: str  # the line as read (bytes that are not UTF-8 as backslash escapes)
    error: str


@dataclass(frozen=True)
class FoldResult:
    """The folded pairs (one per pair_id, in manifest order), what was skipped, as sentences,
    the lines the schema refused, folded repaired (``repaired``), and the complete lines that
    could not be folded at all (``unreadable``): the caller keeps those."""

    pairs: list[Pair]
    warnings: list[str]
    repaired: list[Repair] = field(default_factory=list)
    unreadable: list[UnreadableLine] = field(default_factory=list)


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
        start = os.lseek(self._fd, 0, os.SEEK_END)
        try:
            while view:
                view = view[os.write(self._fd, view) :]
            os.fsync(self._fd)
        except OSError:
            # A refused write (a full disk) may have written part of the line: cut it back, or
            # the next line would be glued to it and both lost when the journal is folded.
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, start)
            raise
        self.appended += 1

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    @staticmethod
    def fold(
        journals: Iterable[StrPath],
        existing_manifest: StrPath | None = None,
        *,
        trusted: Iterable[StrPath] = (),
    ) -> FoldResult:
        """One pair per pair_id from the existing manifest (if the file exists) and the journals.

        The line with the latest ``crawled_at`` wins; on a tie the later one read wins (journals
        after the manifest, in the order given). A torn last line of a journal (not JSON) is
        ignored and reported in ``warnings``. Any other line the schema refuses (an older or
        damaged file) is folded repaired, with its defects, and listed in ``repaired``; a
        refused ``crawled_at`` becomes the earliest instant, so that it loses to any real line
        of its pair. A complete line that cannot be a pair at all is listed in ``unreadable``.

        The journals named in ``trusted`` (as well as in ``journals``) are ones whose every line
        this process appended, hence validated: their lines are parsed and built without the
        schema. A trusted line that is not exactly what :meth:`append` writes for the pair it
        makes (or not a pair the fold can order) is read as any other line, validated, so it is
        reported, repaired or listed as it would be from an untrusted journal. Name only a
        journal nothing else wrote to: a line in append's exact form that the schema would
        refuse is not checked. Every pair of the result is then valid, and
        ``write_manifest(..., validated=True)`` writes them.
        """
        vouched = {os.path.realpath(p) for p in trusted}
        result = FoldResult([], [])
        latest: dict[str, Pair] = {}

        def offer(pair: Pair) -> None:
            current = latest.get(pair.pair_id)
            if current is None or pair.crawled_at_datetime >= current.crawled_at_datetime:
                latest[pair.pair_id] = pair

        if existing_manifest is not None and Path(existing_manifest).exists():
            for pair in _read_lines(Path(existing_manifest), result, journal=False):
                offer(pair)
        for journal in journals:
            own = os.path.realpath(journal) in vouched
            for pair in _read_lines(Path(journal), result, journal=True, trusted=own):
                offer(pair)
        result.pairs.extend(sorted(latest.values(), key=Pair.sort_key))
        return result


_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def _read_lines(
    path: Path, result: FoldResult, *, journal: bool, trusted: bool = False
) -> Iterator[Pair]:
    first_seen: dict[str, str] = {}
    with path.open("rb") as lines:
        for number, line in enumerate(lines, 1):
            where = f"{path} line {number}"
            if trusted:
                vouched = _decode_trusted(line, where)
                if vouched is not None:
                    yield vouched
                    continue
            try:
                pair = decode_line(line, where)
            except ManifestError as exc:
                error = exc
            else:
                if not journal:  # a manifest has one line per pair; the fold keeps the latest
                    if pair.pair_id in first_seen:
                        result.warnings.append(
                            f"{where}: pair_id {pair.pair_id} already on "
                            f"{first_seen[pair.pair_id]}; the latest crawled_at is kept"
                        )
                    first_seen.setdefault(pair.pair_id, where)
                yield pair
                continue
            try:
                data = json.loads(line.decode("utf-8", "surrogateescape"))
            except ValueError:  # not JSON (a UnicodeDecodeError cannot happen here)
                # Only the last line of a journal can lack its newline: a write cut short by a
                # killed process.
                if journal and not line.endswith(b"\n"):
                    result.warnings.append(
                        f"{where}: ignored an incomplete last line ({len(line)} bytes): {error}"
                    )
                else:
                    text = line.rstrip(b"\n").decode("utf-8", "backslashreplace")
                    result.unreadable.append(UnreadableLine(where, text, str(error)))
                continue
            try:
                repair = repair_data(data, now=_EARLIEST, where=where)
            except ManifestError as exc:
                text = line.rstrip(b"\n").decode("utf-8", "backslashreplace")
                result.unreadable.append(UnreadableLine(where, text, f"{error}; {exc}"))
                continue
            result.repaired.append(repair)
            yield repair.pair


def _decode_trusted(line: bytes, where: str) -> Pair | None:
    """The pair of a line that :meth:`ManifestJournal.append` validated, built without the
    schema; None unless the line is byte for byte what ``append`` writes for that pair and the
    fold can compare and order it (then the caller reads it validated)."""
    try:
        pair = decode_line(line, where, validate=False)
        crawled, key = pair.crawled_at_datetime, pair.sort_key()
        foldable = (
            isinstance(pair.pair_id, str)
            and isinstance(key[2], str)
            and isinstance(key[3], str)
            and crawled.tzinfo is not None
            and key[1].tzinfo is not None
        )
        if foldable and _dump(pair.to_json(), pair.pair_id) == line:
            return pair
    except Exception:  # whatever a line append did not write makes building it raise
        pass
    return None


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
