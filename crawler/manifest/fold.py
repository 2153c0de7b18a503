"""Folding journals into a manifest: one pair per pair_id, the latest crawl of each winning."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, NamedTuple, Protocol

from crawler.manifest.io import StrPath, decode_line, dump_line
from crawler.manifest.model import Pair
from crawler.manifest.repair import Repair, repair_data
from crawler.manifest.schema import ManifestError


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


def fold_lines(
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
    this process appended, hence validated (``ManifestJournal.append`` validates each): their
    lines are parsed and built without the schema. A trusted line that is not exactly what
    ``append`` writes for the pair it makes (or not a pair the fold can order) is read as any
    other line, validated, so it is reported, repaired or listed as it would be from an
    untrusted journal. Name only a journal nothing else wrote to: a line in append's exact form
    that the schema would refuse is not checked. Every pair of the result is then valid, and
    ``write_manifest(..., validated=True)`` writes them.

    Every pair is held in memory; crawler/manifest/streamfold.py folds and writes a manifest
    holding only a few values per pair_id.
    """
    result = FoldResult([], [])
    latest: dict[str, Pair] = {}
    for source in fold_sources(journals, existing_manifest, trusted):
        with source.path.open("rb") as lines:
            for read in read_lines(lines, source, result):
                pair = read.pair
                current = latest.get(pair.pair_id)
                if current is None or pair.crawled_at_datetime >= current.crawled_at_datetime:
                    latest[pair.pair_id] = pair
    result.pairs.extend(sorted(latest.values(), key=Pair.sort_key))
    return result


class FoldDamage(Protocol):
    """Where reading the lines reports what it skipped, repaired or could not read."""

    @property
    def warnings(self) -> list[str]: ...
    @property
    def repaired(self) -> list[Repair]: ...
    @property
    def unreadable(self) -> list[UnreadableLine]: ...


@dataclass(frozen=True)
class FoldSource:
    """A file a fold reads: the existing manifest, or a journal (``trusted``: see fold_lines)."""

    path: Path
    journal: bool
    trusted: bool = False


class FoldedLine(NamedTuple):
    """A line read as a pair, with where it is in its file."""

    pair: Pair
    line: bytes  # as read
    offset: int  # of the line in its file
    exact: bool  # known to be ``dump_line(pair.to_json(), pair.pair_id)`` byte for byte


def fold_sources(
    journals: Iterable[StrPath],
    existing_manifest: StrPath | None,
    trusted: Iterable[StrPath] = (),
) -> list[FoldSource]:
    """The files of a fold in the order they are read: the manifest (if the file exists), then
    the journals in the order given."""
    vouched = {os.path.realpath(p) for p in trusted}
    sources = []
    if existing_manifest is not None and Path(existing_manifest).exists():
        sources.append(FoldSource(Path(existing_manifest), journal=False))
    for journal in journals:
        sources.append(FoldSource(Path(journal), True, os.path.realpath(journal) in vouched))
    return sources


_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)


def read_lines(lines: BinaryIO, source: FoldSource, damage: FoldDamage) -> Iterator[FoldedLine]:
    """The pairs of the open file ``lines`` (``source`` names it), one at a time, in file order;
    what cannot be read as it is goes to ``damage`` (the rules: fold_lines)."""
    path, journal = source.path, source.journal
    first_seen: dict[str, str] = {}
    end = 0
    for number, line in enumerate(lines, 1):
        offset, end = end, end + len(line)
        where = f"{path} line {number}"
        if source.trusted:
            vouched = _decode_trusted(line, where)
            if vouched is not None:
                yield FoldedLine(vouched, line, offset, exact=True)
                continue
        try:
            pair = decode_line(line, where)
        except ManifestError as exc:
            error = exc
        else:
            if not journal:  # a manifest has one line per pair; the fold keeps the latest
                if pair.pair_id in first_seen:
                    damage.warnings.append(
                        f"{where}: pair_id {pair.pair_id} already on "
                        f"{first_seen[pair.pair_id]}; the latest crawled_at is kept"
                    )
                first_seen.setdefault(pair.pair_id, where)
            yield FoldedLine(pair, line, offset, exact=False)
            continue
        try:
            data = json.loads(line.decode("utf-8", "surrogateescape"))
        except ValueError:  # not JSON (a UnicodeDecodeError cannot happen here)
            # Only the last line of a journal can lack its newline: a write cut short by a
            # killed process.
            if journal and not line.endswith(b"\n"):
                damage.warnings.append(
                    f"{where}: ignored an incomplete last line ({len(line)} bytes): {error}"
                )
            else:
                text = line.rstrip(b"\n").decode("utf-8", "backslashreplace")
                damage.unreadable.append(UnreadableLine(where, text, str(error)))
            continue
        try:
            repair = repair_data(data, now=_EARLIEST, where=where)
        except ManifestError as exc:
            text = line.rstrip(b"\n").decode("utf-8", "backslashreplace")
            damage.unreadable.append(UnreadableLine(where, text, f"{error}; {exc}"))
            continue
        damage.repaired.append(repair)
        yield FoldedLine(repair.pair, line, offset, exact=False)


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
        if foldable and dump_line(pair.to_json(), pair.pair_id) == line:
            return pair
    except Exception:  # whatever a line append did not write makes building it raise
        pass
    return None
