"""Folding journals into a manifest in two passes, holding a few values per pair_id, not its texts.

Pass 1 reads every line of the manifest and the journals, one pair at a time, by the rules of
``fold_lines`` (crawler/manifest/fold.py reads the lines for both folds), and keeps for each
pair_id only what orders it and where the winning line's bytes are: the line itself, in its file,
when it is already what the manifest writer writes for its pair; else the line re-encoded (an
older schema's line upgraded, a refused one repaired), spooled to a temporary file. Pass 2 writes
the manifest atomically in manifest order, copying those bytes. The manifest written is byte for
byte ``write_manifest(path, fold_lines(...).pairs, validated=True)``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO, NamedTuple

from crawler.manifest.fold import FoldedLine, UnreadableLine, fold_sources, read_lines
from crawler.manifest.io import StrPath, dump_line
from crawler.manifest.repair import Repair
from crawler.manifest.schema import ManifestError
from crawler.util.atomic import TEMP_SUFFIX, atomic_write
from crawler.util.closeable import Closeable

# Where a winner's bytes are, when not in one of the files read (an index of ManifestFold._files).
_SPOOL = -1
_UNWRITABLE = -2  # the write raises what encoding the pair raised (ManifestFold._unwritable)
_NOT_LOCATED = -3  # a fold read for its pairs only

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


class KeptPair(NamedTuple):
    """What the crawl state notes of a pair the manifest holds."""

    pair_id: str
    status: str
    crawled_at: str


@dataclass(frozen=True)
class FoldSummary:
    """What a fold wrote: the number of lines, and the damage found as ``fold_lines`` reports
    it (``warnings``, ``repaired``, ``unreadable``); ``pairs`` in manifest order."""

    written: int
    warnings: list[str]
    repaired: list[Repair]
    unreadable: list[UnreadableLine]
    pairs: list[KeptPair]


class _Winner:
    """The line of a pair_id that wins so far: its order, and where its output bytes are."""

    __slots__ = ("crawled", "crawled_at", "file", "length", "offset", "order", "status")

    def __init__(
        self,
        crawled: int,
        order: tuple[object, ...],
        status: str,
        crawled_at: str,
        where: tuple[int, int, int],
    ) -> None:
        self.crawled, self.order, self.status, self.crawled_at = crawled, order, status, crawled_at
        self.file, self.offset, self.length = where


class ManifestFold(Closeable):
    """The fold of ``journals`` into the manifest at ``manifest_path``, read (pass 1) when made;
    :meth:`write` writes it (pass 2). ``trusted``: as ``fold_lines``.

    ``warnings``, ``repaired`` and ``unreadable`` are there as soon as it is made, as in a
    ``FoldResult``, so that the caller can keep the damage whether or not the write succeeds.
    ``writing=False`` reads the pairs for :meth:`kept` only: nothing is spooled nor kept open.
    The files read stay open until :meth:`close`, so that the write copies from what was read.
    """

    def __init__(
        self,
        journals: Iterable[StrPath],
        manifest_path: StrPath,
        *,
        trusted: Iterable[StrPath] = (),
        writing: bool = True,
    ) -> None:
        self.manifest_path = Path(manifest_path)
        self.warnings: list[str] = []
        self.repaired: list[Repair] = []
        self.unreadable: list[UnreadableLine] = []
        self._writing = writing
        self._files: list[BinaryIO] = []
        self._spool: BinaryIO | None = None
        self._spooled = 0
        self._winners: dict[str, _Winner] = {}
        self._unwritable: dict[str, Exception] = {}
        self._statuses: dict[str, str] = {}  # one string per status, shared by its pairs
        try:
            for source in fold_sources(journals, self.manifest_path, trusted):
                lines = source.path.open("rb")
                self._files.append(lines)
                for read in read_lines(lines, source, self):
                    self._offer(read, len(self._files) - 1)
                if not writing:
                    lines.close()
        except BaseException:
            self.close()
            raise

    def _offer(self, read: FoldedLine, file: int) -> None:
        pair = read.pair
        crawled = _instant(pair.crawled_at_datetime)
        current = self._winners.get(pair.pair_id)
        if current is not None and crawled < current.crawled:
            return
        self._unwritable.pop(pair.pair_id, None)
        # Pair.sort_key with its datetimes as integers: the same order and ties, less memory.
        order = tuple(_instant(v) if isinstance(v, datetime) else v for v in pair.sort_key())
        status = self._statuses.setdefault(pair.status, pair.status)
        where = self._locate(read, file)
        self._winners[pair.pair_id] = _Winner(crawled, order, status, pair.crawled_at, where)

    def _locate(self, read: FoldedLine, file: int) -> tuple[int, int, int]:
        """Where the bytes the manifest writer writes for this line's pair are: (file, offset,
        length)."""
        if not self._writing:
            return _NOT_LOCATED, 0, 0
        if read.exact:
            return file, read.offset, len(read.line)
        pair = read.pair
        try:
            encoded = dump_line(pair.to_json(), pair.pair_id)
        except Exception as exc:  # write_manifest raises it, once writing this pair: so does write
            self._unwritable[pair.pair_id] = exc.with_traceback(None)
            return _UNWRITABLE, 0, 0
        if encoded == read.line:
            return file, read.offset, len(read.line)
        if self._spool is None:
            # Beside the manifest (its file system, not a /tmp that may be held in memory), and
            # nameless where the system allows it: nothing is left behind by a killed process.
            self._spool = tempfile.TemporaryFile(  # noqa: SIM115 (closed by close())
                dir=self.manifest_path.parent,
                prefix=f".{self.manifest_path.name}.",
                suffix=TEMP_SUFFIX,
            )
        offset = self._spooled
        self._spool.write(encoded)
        self._spooled += len(encoded)
        return _SPOOL, offset, len(encoded)

    def _manifest_order(self) -> list[str]:
        # A stable sort of the pair_ids in the order first read: fold_lines's ties, broken alike.
        winners = self._winners
        return sorted(winners, key=lambda pair_id: winners[pair_id].order)

    def kept(self) -> list[KeptPair]:
        """Each pair the manifest holds once folded, in manifest order."""
        winners = self._winners
        return [
            KeptPair(pair_id, winners[pair_id].status, winners[pair_id].crawled_at)
            for pair_id in self._manifest_order()
        ]

    def write(self, path: StrPath | None = None) -> FoldSummary:
        """Write the manifest (at ``path``, default the one folded) atomically, as
        ``write_manifest`` does: the old file stays in place until the new one is complete and
        on disk. Raises OSError, or ManifestError (a pair that cannot be written as JSON)."""
        if not self._writing:
            raise ValueError("a fold read with writing=False cannot write")
        target = Path(path) if path is not None else self.manifest_path
        if self._spool is not None:
            self._spool.flush()
        order = self._manifest_order()
        with atomic_write(target) as out:
            for pair_id in order:
                out.write(self._output_line(pair_id))
        winners = self._winners
        kept = [KeptPair(p, winners[p].status, winners[p].crawled_at) for p in order]
        return FoldSummary(len(order), self.warnings, self.repaired, self.unreadable, kept)

    def _output_line(self, pair_id: str) -> bytes:
        winner = self._winners[pair_id]
        if winner.file == _UNWRITABLE:
            raise self._unwritable[pair_id]
        if winner.file == _SPOOL:
            assert self._spool is not None
            source, name = self._spool, "the fold's spool file"
        else:
            source = self._files[winner.file]
            name = source.name
        line = os.pread(source.fileno(), winner.length, winner.offset)
        if len(line) != winner.length:
            raise ManifestError(f"{name}: changed while it was folded (pair {pair_id})")
        return line

    def close(self) -> None:
        for opened in (*self._files, self._spool):
            if opened is not None:
                opened.close()
        self._files, self._spool = [], None


def fold_manifest(
    journals: Iterable[StrPath], manifest_path: StrPath, *, trusted: Iterable[StrPath] = ()
) -> FoldSummary:
    """Fold ``journals`` into the manifest at ``manifest_path`` and write it: ``fold_lines``
    then ``write_manifest(..., validated=True)``, with the same result, in memory that grows
    with the number of pair_ids, not with their texts. The damage is reported only when the
    write succeeds: a caller that keeps it either way uses :class:`ManifestFold`."""
    with ManifestFold(journals, manifest_path, trusted=trusted) as fold:
        return fold.write()


def _instant(moment: datetime) -> int:
    """Microseconds since the epoch, which order and tie as the aware datetimes do."""
    return (moment - _EPOCH) // _MICROSECOND
