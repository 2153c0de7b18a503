"""Folding journals into a manifest: one pair per pair_id, the latest crawl of each winning."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

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
        if foldable and dump_line(pair.to_json(), pair.pair_id) == line:
            return pair
    except Exception:  # whatever a line append did not write makes building it raise
        pass
    return None
