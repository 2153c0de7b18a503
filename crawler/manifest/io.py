"""Manifest lines and ``pairs.jsonl``: one line's encoding and decoding, reading a manifest, and
writing it atomically in a stable order so that two crawls diff line by line.

The journal a crawl appends to is crawler/manifest/journal.py; folding journals into a manifest
is crawler/manifest/fold.py.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from crawler.manifest.model import Pair
from crawler.manifest.repair import Repair, repair_pair
from crawler.manifest.schema import ManifestError, validate_line
from crawler.util.atomic import atomic_write

StrPath = str | os.PathLike[str]

logger = logging.getLogger(__name__)

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
    return dump_line(data, pair.pair_id)


def dump_line(data: dict[str, object], pair_id: str) -> bytes:
    """The line of ``data`` (a pair's JSON, not validated here); raises ManifestError only."""
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

    ``validated=True``: the caller vouches that every pair is valid (each pair a fold returns
    is: crawler/manifest/fold.py), so none is validated again nor repaired; a pair that cannot
    be written as JSON at all still raises ManifestError before anything is replaced.
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
            out.write(dump_line(pair.to_json(), pair.pair_id))  # validated by _writable or before
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
