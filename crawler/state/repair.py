"""What a crawl does about damaged WARC files before it reads anything from the archive.

An incremental run takes what earlier runs archived from their WARC records instead of fetching
it again. A record a damaged file lost would make its pair ``source_not_fetched`` for good (the
crawl state still says the source is archived, so no run fetches it again), so before a run
starts, :func:`repair_archive`:

1. reads every closed WARC file the crawl state has not seen whole as it is now (a new file, or
   one whose size or modification time changed since; ``checked_files``) with the archive's own
   check (crawler/archive/damage.py);
2. sets a damaged one aside (crawler/archive/recover.py): its whole records stay under its name,
   the file as it was becomes ``NAME.warc.gz.damaged``;
3. makes the crawl state forget the posts and sources whose records are lost (after the damage,
   past the end of a file cut at a record boundary, in a file no longer in the archive, or whose
   crawl-log record was lost, which ``rebuild`` needs) and the outcomes without a page recorded
   since the file's last whole crawl-log record (that record is all the archive has of them), so
   this run fetches them again, and the digest index forget the lost captures, so no new revisit
   refers to one;
4. logs a WARNING naming each file.

Nothing here downgrades a pair: a pair keeps its manifest line until it is composed again.
"""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from crawler.archive.damage import Named, WarcCheck, check_warc, lost_records
from crawler.archive.dedup import DigestIndex
from crawler.archive.layout import DIGESTS_NAME
from crawler.archive.naming import OPEN_SUFFIX, closed_warc_files, open_warc_files
from crawler.archive.pointer import WarcPointer
from crawler.archive.reader import RecordError
from crawler.archive.recover import set_aside
from crawler.dates import isoformat
from crawler.reading.archived import read_payload
from crawler.state.rules import PAGE_STATUSES, CheckedFile, SourceRecord
from crawler.state.store import STATE_DIR, CrawlState

logger = logging.getLogger(__name__)

STATE_SOURCE = "crawl state"
_LOG_MARGIN = timedelta(minutes=10)


@dataclass
class DamagedFile:
    """A WARC file that lost records, and what the crawl did about it."""

    filename: str
    check: WarcCheck | None  # None: the file is not in the archive
    lost: list[Named]  # the crawl state's records it lost
    unlogged: list[Named]  # whole records whose crawl-log record it lost
    shrunk_from: CheckedFile | None = None  # it was longer when a crawl last read it whole
    aside: Path | None = None  # the damaged file as it was, set aside
    aside_error: str | None = None  # why it could not be set aside
    forgotten: int = 0  # posts and sources the crawl state forgot: fetched again

    def describe(self) -> str:
        check = self.check
        if check is None:
            return (
                f"WARC file {self.filename} is not in the archive, and the crawl state names "
                f"{len(self.lost)} of its record(s)"
            )
        parts = []
        if check.problem is not None:
            parts.append(
                f"{check.problem} at offset {check.problem_at}; the {len(check.records)} "
                f"records before offset {check.whole} ({check.whole} of {check.size} bytes) "
                "are whole"
            )
        if self.shrunk_from is not None:
            was = self.shrunk_from
            parts.append(
                f"it is {was.size - check.size} bytes shorter than when a crawl read it whole "
                f"at {was.checked_at} ({was.records} records then, {len(check.records)} now)"
            )
        if self.lost:
            parts.append(f"{len(self.lost)} record(s) the crawl state names are not in it")
        if self.unlogged:
            parts.append(
                f"{len(self.unlogged)} of its record(s) have no crawl-log record describing them"
            )
        if self.aside is not None:
            parts.append(f"its whole records were kept, the file as it was is {self.aside.name}")
        elif self.aside_error is not None:
            parts.append(f"the file could not be set aside ({self.aside_error})")
        elif check.damaged:
            parts.append("the file was left as it is (ARCHIVE_LOCK_ENABLED is off)")
        return f"WARC file {self.filename}: " + "; ".join(parts)


def repair_archive(
    archive_dir: Path, state: CrawlState, *, set_damaged_aside: bool
) -> list[DamagedFile]:
    """Check what changed in the archive, repair it and make the state forget what was lost (see
    the module's docstring); ``set_damaged_aside``: only while this crawl holds the archive
    lock, which keeps every other writer out."""
    archive_dir = Path(archive_dir)
    closed = closed_warc_files(archive_dir)
    present = {p.name for p in closed} | {
        p.name.removesuffix(OPEN_SUFFIX) for p in open_warc_files(archive_dir)
    }
    named = [Named.pointer(STATE_SOURCE, label, pointer) for label, pointer in state.pointers()]
    checks: dict[str, WarcCheck] = {}
    earlier: dict[str, CheckedFile | None] = {}
    for path in closed:
        stat = path.stat()
        seen = state.checked_file(path.name)
        if seen is not None and (seen.size, seen.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            continue  # read whole before, and unchanged since
        try:
            checks[path.name] = check_warc(path)
        except OSError as exc:
            logger.error("cannot read WARC file %s to check it: %s", path.name, exc)
            continue
        earlier[path.name] = seen
    lost: dict[str, list[Named]] = {}
    for name in lost_records(checks, named, present):
        lost.setdefault(name.filename, []).append(name)
    # A crawl-log record follows the records it describes, in the same file or the next ones
    # of its run: all of them are read here together.
    described = {r.refers_to for c in checks.values() for r in c.records.values() if r.refers_to}
    damaged = []
    for filename in sorted(checks.keys() | lost.keys()):
        check, seen = checks.get(filename), earlier.get(filename)
        shrunk = seen if check is not None and seen is not None and check.size < seen.size else None
        found = DamagedFile(filename, check, lost.get(filename, []), [], shrunk)
        if check is not None:
            found.unlogged = _unlogged(check, named, found.lost, described)
            if not (check.damaged or found.lost or found.unlogged or shrunk):
                _record_checked(state, archive_dir / filename, check)
                continue
        try:
            _repair(archive_dir, state, found, set_damaged_aside=set_damaged_aside)
        except (sqlite3.Error, OSError) as exc:
            # A full disk, say: the pages the state still calls archived are read back, and
            # those that do not read are fetched again (unreadable_page).
            logger.error("cannot repair after WARC file %s: %s", filename, exc)
            continue
        damaged.append(found)
        logger.warning(
            "%s; %d posts and sources will be fetched again",
            found.describe(),
            found.forgotten,
        )
    return damaged


def unreadable_page(archive_dir: Path, record: SourceRecord) -> str | None:
    """Why the archived page of a source outcome read from a page cannot be read back (a file
    damaged in a way its size does not show), or None when it can, or when there is none."""
    if record.status not in PAGE_STATUSES or record.warc is None:
        return None  # the outcome is made again from the state alone
    try:
        read_payload(archive_dir, record.warc)
    except RecordError as exc:
        return str(exc)
    return None


def _unlogged(
    check: WarcCheck, named: list[Named], lost: list[Named], described: set[str]
) -> list[Named]:
    """The state's whole records in ``check`` that no crawl-log record ``described`` (the
    record was lost with a cut file, or never written by a crawl killed just before):
    ``rebuild`` could not read them back, so they are fetched again. None while no crawl-log
    record was read (the crawl log off)."""
    if not described:
        return []
    gone = set(lost)
    return [
        name
        for name in named
        if name.filename == check.filename
        and name not in gone
        and name.offset in check.records
        and check.records[name.offset].record_id not in described
    ]


def _repair(
    archive_dir: Path, state: CrawlState, found: DamagedFile, *, set_damaged_aside: bool
) -> None:
    check = found.check
    # Where the lost captures start: the damage, the end of a file cut at a record boundary, or
    # the start of a file no longer there.
    cut = 0 if check is None else (check.whole if check.damaged else check.size)
    cut = min([cut, *(name.offset for name in found.lost)])
    digests = archive_dir / STATE_DIR / DIGESTS_NAME
    if digests.exists():
        with DigestIndex(digests) as index:
            index.forget_from(found.filename, cut)
    pointers = {
        WarcPointer(name.filename, name.offset, name.record_id or "")
        for name in (*found.lost, *found.unlogged)
    }
    found.forgotten = state.forget(pointers, unarchived_since=_unarchived_since(check))
    if check is None:
        return
    if check.damaged:
        if not set_damaged_aside:
            return  # read again, and reported, by every run until it is repaired
        try:
            found.aside = set_aside(archive_dir / found.filename, check.whole)
        except OSError as exc:
            found.aside_error = str(exc)
            return
    path = archive_dir / found.filename
    if path.exists():
        # What the file is now: a later run reads it again only if it changes.
        _record_checked(state, path, check)


def _unarchived_since(check: WarcCheck | None) -> datetime:
    """Outcomes without a page recorded after this may have had their crawl-log record in what
    the file lost: the date of its last whole crawl-log record (else of its first record), less
    a margin, since an outcome is recorded a little before it is logged."""
    records = list(check.records.values()) if check is not None else []
    last = [r for r in records if r.rec_type == "metadata"][-1:] or records[:1]
    try:
        return datetime.fromisoformat(last[0].date) - _LOG_MARGIN
    except (IndexError, ValueError):
        return datetime.min.replace(tzinfo=UTC)


def _record_checked(state: CrawlState, path: Path, check: WarcCheck) -> None:
    stat = path.stat()
    now = isoformat(datetime.now(UTC)) or ""
    try:
        state.record_checked(
            CheckedFile(path.name, stat.st_size, stat.st_mtime_ns, len(check.records), now)
        )
    except sqlite3.Error as exc:
        # Costs only a second reading of the file by the next crawl.
        logger.warning("cannot note that %s was checked: %s", path.name, exc)
