"""Rebuild the pairs manifest from the WARC files alone: the crawl log and the archived pages.

``python -m crawler rebuild --from-log`` and ``merge`` rebuild so, and ``rebuild`` does when the
archive's crawls cannot be run again (crawler/commands/rebuild_crawl.py runs them otherwise).

A crawl writes one crawl-log ``metadata`` record per post and source item (the format is in
``crawler/items/crawllog.py``). Rebuilding re-reads every page an item was read from (through
``crawler/reading/archived.py``) with today's ``crawler.reading.page`` (so better code gives better
results), takes the recorded outcomes of the others as they are, and composes pairs as the pairs
pipeline did, run by run (``compose_runs``), folded across runs with the latest ``crawled_at``
winning (the rule of ``ManifestJournal.fold``).

An archive that lost records (a damaged file, or records its manifest or index name that are
not there: ``crawler/archive/evidence.py``) is refused before any page is read: what is left would
compose fewer pairs, or ``source_not_fetched`` ones, for pages that were archived.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections import ChainMap
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from crawler.archive.damage import WarcCheck, check_warc
from crawler.archive.evidence import MANIFEST, archive_losses, page_lost, present_files
from crawler.archive.naming import closed_warc_files, open_warc_files
from crawler.archive.pointer import WarcPointer
from crawler.archive.reader import RecordError
from crawler.items import PostItem, SourceItem
from crawler.items.codec import ArchivedPage, post_item, source_item, source_record
from crawler.items.crawllog import CrawlLogError, Item, LogEntry, log_record, scan_crawl_log
from crawler.manifest import Pair
from crawler.pairing.compose import cited_urls, compose_pairs
from crawler.reading.archived import read_payload
from crawler.state import PostRecord
from crawler.state.drift import keeps_capture


class RebuildError(Exception):
    """A crawl-log record or the record it points to cannot be read."""


REMEDY = (
    "Restore the damaged file from a copy, or run a crawl into this archive: it keeps each "
    "damaged file's whole records, sets the file as it was aside (NAME.warc.gz.damaged) and "
    "fetches again what was lost; then rebuild (docs/archive.md)."
)
_SHOWN = 10  # pair ids named in a message


class DamagedArchiveError(RebuildError):
    """The archive lost records: a manifest rebuilt from it would lose or downgrade the pairs
    naming them. ``problems``: one line per damage; ``pairs``: the ids of the archive's manifest
    pairs whose records are lost."""

    def __init__(self, problems: list[str], pairs: list[str]) -> None:
        self.problems = problems
        self.pairs = pairs
        lines = ["the archive lost records, so a manifest rebuilt from it would lose pairs:"]
        lines += [f"  - {problem}" for problem in problems]
        if pairs:
            lines.append(f"  {len(pairs)} pair(s) of {MANIFEST} name lost records: {_shown(pairs)}")
        lines.append(REMEDY)
        super().__init__("\n".join(lines))


def _shown(pair_ids: Sequence[str]) -> str:
    more = f", and {len(pair_ids) - _SHOWN} more" if len(pair_ids) > _SHOWN else ""
    return ", ".join(pair_ids[:_SHOWN]) + more


def scan_file(path: Path) -> tuple[list[LogEntry], WarcCheck]:
    """Pool task: the crawl-log records of one WARC file that lie in whole records, and the
    file's check (crawler/archive/damage.py)."""
    check = check_warc(path)
    try:
        entries = scan_crawl_log(path)
    except CrawlLogError as exc:
        if not check.damaged:
            raise RebuildError(str(exc)) from None
        entries = []
    except Exception:  # a damaged file may trip the reader anywhere; the check says where
        if not check.damaged:
            raise
        entries = []
    return [entry for entry in entries if entry.record.offset in check.records], check


def item_from_entry(entry: LogEntry, body: bytes | None) -> Item:
    """The item of one crawl-log record; ``body``: the payload of the page it was read from."""
    try:
        record = log_record(entry.fields)
        # The reading code is given what the crawl gave it: the content type and truncation
        # the record names, nothing the archived response would say otherwise.
        truncated = bool(entry.fields.get("truncated"))
        if isinstance(record, PostRecord):
            content_type = entry.fields.get("content_type")
            return post_item(record, ArchivedPage(body, content_type) if body is not None else None)
        return source_item(
            record, ArchivedPage(body, truncated=truncated) if body is not None else None
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RebuildError(f"{entry.where}: incomplete crawl-log record ({exc!r})") from None


def reads_page(entry: LogEntry) -> bool:
    return bool(entry.fields.get("from_page")) and bool(entry.fields.get("warc"))


def read_entry(job: tuple[str, LogEntry]) -> tuple[Item, int]:
    """Pool task: open the WARC file, read the page, call the reading code; returns the item and
    the worker's pid. Takes a pointer, not bytes, so little crosses between processes."""
    directory, entry = job
    # A truncated source is decided before its body is looked at, and a cut-off body may not
    # even decode.
    truncated = entry.kind == "source" and bool(entry.fields.get("truncated"))
    pointer = WarcPointer.from_dict(entry.fields["warc"])
    try:
        body = b"" if truncated else read_payload(Path(directory), pointer)
    except RecordError as exc:
        raise RebuildError(str(exc)) from None
    return item_from_entry(entry, body), os.getpid()


@dataclass
class RebuildResult:
    pairs: list[Pair]
    files: int = 0
    open_files: int = 0  # left out: still being written, or left by a killed crawl
    crawls: int = 0
    posts: int = 0
    sources: int = 0
    pages_read: int = 0
    parse_seconds: float = 0.0
    workers_used: set[int] = field(default_factory=set)
    # With allow_damaged: what the archive lost (the pairs naming it are left out or downgraded).
    damage: DamagedArchiveError | None = None

    @property
    def pages_per_second(self) -> float:
        return self.pages_read / self.parse_seconds if self.parse_seconds > 0 else 0.0


def rebuild_pairs(
    directory: Path, *, workers: int | None = None, allow_damaged: bool = False
) -> RebuildResult:
    """Every pair the crawls of ``directory`` composed, from its closed WARC files alone.

    ``workers`` processes scan the files and read the pages (default: one per CPU); with 1,
    everything runs in this process. Raises DamagedArchiveError when a file is damaged or lost
    records that the manifest or the index of ``directory`` name, unless ``allow_damaged``: then
    the pairs are composed from the records that are whole.
    """
    with page_readers(workers) as (pool, count):
        read = read_archive(Path(directory), pool, count, allow_damaged=allow_damaged)
    result = RebuildResult(
        pairs=[],
        files=read.files,
        open_files=read.open_files,
        pages_read=read.pages_read,
        parse_seconds=read.parse_seconds,
        workers_used=read.workers_used,
        damage=read.damage,
    )
    by_crawl: dict[str, list[tuple[LogEntry, Item]]] = {}
    for entry, item in read.logged:
        by_crawl.setdefault(entry.crawl, []).append((entry, item))
    result.crawls = len(by_crawl)
    result.posts = sum(isinstance(item, PostItem) for _, item in read.logged)
    result.sources = len(read.logged) - result.posts
    result.pairs = fold_pairs(compose_runs(list(by_crawl.values())))
    return result


@contextmanager
def page_readers(workers: int | None = None) -> Iterator[tuple[Executor, int]]:
    """The pool that scans files and reads pages, and its size: ``workers`` processes (default:
    one per CPU), or this process alone for 1."""
    count = max(1, workers or os.cpu_count() or 1)
    if count == 1:
        yield _InProcess(), 1
        return
    with ProcessPoolExecutor(max_workers=count) as pool:
        yield pool, count


@dataclass
class ArchiveRead:
    """The item of every crawl-log record of an archive's closed WARC files, in file order, made
    again by the reading code; the check of each file; and what reading them took."""

    logged: list[tuple[LogEntry, Item]]
    checks: dict[str, WarcCheck]
    files: int = 0
    open_files: int = 0  # left out: still being written, or left by a killed crawl
    pages_read: int = 0
    parse_seconds: float = 0.0
    workers_used: set[int] = field(default_factory=set)
    damage: DamagedArchiveError | None = None  # with allow_damaged: what the archive lost


def read_archive(
    directory: Path, pool: Executor, workers: int = 1, *, allow_damaged: bool = False
) -> ArchiveRead:
    """Scan the closed WARC files of ``directory`` in ``pool`` and make the item of each of their
    crawl-log records (reading its page again where it was read from one). Raises
    DamagedArchiveError before any page is read when the archive lost records, unless
    ``allow_damaged``: then the records whose page is lost are left out."""
    files = closed_warc_files(directory)
    scanned = list(pool.map(scan_file, files))
    checks = {check.filename: check for _, check in scanned}
    read = ArchiveRead([], checks, files=len(files), open_files=len(open_warc_files(directory)))
    entries = [entry for found, _ in scanned for entry in found]
    # Before any page is read: a damaged archive is reported, not rebuilt into fewer pairs.
    losses = archive_losses(directory, checks, entries)
    if losses is not None:
        read.damage = DamagedArchiveError(losses.problems, losses.pairs)
        if not allow_damaged:
            raise read.damage
        present = present_files(directory, checks)
        entries = [e for e in entries if not (reads_page(e) and page_lost(e, checks, present))]
    items: list[Item | None] = [None] * len(entries)
    jobs = []
    for index, entry in enumerate(entries):
        if reads_page(entry):
            jobs.append(index)
        else:
            items[index] = item_from_entry(entry, None)
    started = time.perf_counter()
    # Chunks amortise the round trips; several per worker keep both busy to the end.
    chunksize = max(1, min(32, len(jobs) // (workers * 4)))
    tasks = [(str(directory), entries[index]) for index in jobs]
    for index, (item, pid) in zip(
        jobs, pool.map(read_entry, tasks, chunksize=chunksize), strict=True
    ):
        items[index] = item
        read.workers_used.add(pid)
    read.parse_seconds = time.perf_counter() - started
    read.pages_read = len(jobs)
    for entry, made in zip(entries, items, strict=True):
        assert made is not None
        read.logged.append((entry, made))
    return read


def compose_runs(runs: Sequence[list[tuple[LogEntry, Item]]]) -> Iterator[list[Pair]]:
    """The pairs each crawl run composed, in run order, as the pairs pipeline does.

    A run composes its posts with the sources it fetched, and a cited URL it did not fetch with
    the latest outcome of an earlier run (an incremental run fetches again only what was not
    final). An incremental run that fetched a cited URL again also composes again the earlier
    runs' posts citing it. Within a run the last item of a URL wins.
    """
    posts: dict[str, PostItem] = {}
    sources: dict[str, SourceItem] = {}
    for run in runs:
        own_posts = {i.url: i for _, i in run if isinstance(i, PostItem)}
        own_sources = _paired_sources(run, sources)
        fields = run[0][0].fields
        again: list[PostItem] = []
        if not fields.get("full_crawl"):
            again = [
                post
                for url, post in posts.items()
                if url not in own_posts and own_sources.keys() & set(cited_urls(post))
            ]
        view = ChainMap(own_sources, sources)
        spider = str(fields.get("spider") or "")
        yield list(compose_pairs([*own_posts.values(), *again], view, spider=spider))
        posts.update(own_posts)
        sources.update(own_sources)


def _paired_sources(
    run: list[tuple[LogEntry, Item]], earlier: dict[str, SourceItem]
) -> dict[str, SourceItem]:
    """The outcome each source of a run gives its pairs: its own, or the ok page captured earlier
    that the source keeps, dated by the first fetch that found it changed (the rule of
    crawler/state/drift.py, as the pairs pipeline applies it)."""
    own: dict[str, SourceItem] = {}
    for _, item in run:
        if not isinstance(item, SourceItem):
            continue
        capture = own.get(item.cited_url) or earlier.get(item.cited_url)
        if capture is None or not keeps_capture(source_record(capture)):
            own[item.cited_url] = item
            continue
        if item.drift is not None and capture.changed_since is None:
            capture = dataclasses.replace(capture, changed_since=item.crawled_at)
        own[item.cited_url] = capture
    return own


def fold_pairs(crawls: Iterable[list[Pair]]) -> list[Pair]:
    """One pair per pair_id: the latest ``crawled_at`` wins, a tie goes to the later crawl.

    A pair the schema would refuse is folded too (a date that is not one counts as the earliest,
    or as none); write_manifest writes it repaired."""
    latest: dict[str, Pair] = {}
    for pairs in crawls:
        for pair in pairs:
            current = latest.get(pair.pair_id)
            if current is None or _crawled(pair) >= _crawled(current):
                latest[pair.pair_id] = pair
    return sorted(latest.values(), key=_order)


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def _crawled(pair: Pair) -> datetime:
    try:
        return pair.crawled_at_datetime
    except (AttributeError, TypeError, ValueError):
        return _EARLIEST


def _order(pair: Pair) -> tuple[bool, datetime, str, str]:
    try:
        return pair.sort_key()
    except (AttributeError, TypeError, ValueError):
        return (True, datetime.max.replace(tzinfo=UTC), str(pair.translation.url), "")


class _InProcess(Executor):
    """``Executor.map`` run in this process, for ``workers=1``."""

    def map(
        self, fn: Any, *iterables: Iterable[Any], timeout: float | None = None, chunksize: int = 1
    ) -> Iterator[Any]:
        return map(fn, *iterables)
