"""Rebuild the pairs manifest from the WARC files alone: the crawl log and the archived pages.

A crawl writes one crawl-log ``metadata`` record per post and source item (see
``crawler/extensions/crawl_log.py``). Its block holds what the response records cannot say: which
capture is a post and which a source, the cited URL and its redirect hops, the feed's date, the
outcomes that had no page (unreachable, refused, blocked by robots.txt), and the payload pointer
the crawl read. Rebuilding re-reads every page an item was read from with today's
``crawler.reading`` (so better code gives better results), takes the recorded outcomes of the
others as they are, and composes pairs as the pairs pipeline did, run by run (``compose_runs``),
folded across runs with the latest ``crawled_at`` winning (the rule of ``ManifestJournal.fold``).

The block is ``application/warc-fields``, one ``name: JSON value`` line per field: the indexers
(cdxj-indexer, pywb) skip metadata records of that type, so a crawl-log record never stands in
for the page it describes at replay.
"""

from __future__ import annotations

import json
import os
import time
from collections import ChainMap
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from crawler.archive.naming import closed_warc_files, open_warc_files
from crawler.archive.pointer import WarcPointer
from crawler.items import PostItem, SourceItem
from crawler.manifest import STATUS_OK, STATUS_SOURCE_NOT_HTML, STATUS_SOURCE_PAYWALLED, Pair
from crawler.pairing import cited_urls, compose_pairs
from crawler.reading import read_post_page, read_source_page

CRAWL_LOG_CONTENT_TYPE = "application/warc-fields"
CRAWL_LOG_FORMAT = 1  # bumped when a field changes meaning; readers refuse a newer one

Item = PostItem | SourceItem

# The source statuses ``read_source_page`` decides from what a page says. The others come from
# how the fetch went (not found, HTTP error, unreachable, refused, robots.txt) or from the body
# being cut short (truncated: nothing in it can change that), and are kept as recorded.
PAGE_STATUSES = frozenset({STATUS_OK, STATUS_SOURCE_PAYWALLED, STATUS_SOURCE_NOT_HTML})


class RebuildError(Exception):
    """A crawl-log record or the record it points to cannot be read."""


def crawl_log_fields(
    item: Item,
    *,
    crawl: str,
    spider: str,
    content_type: str | None = None,
    truncated: bool = False,
    full_crawl: bool = False,
) -> dict[str, Any]:
    """What one crawl-log record says about ``item``.

    ``content_type`` (posts) and ``truncated`` (sources) are what the reading code was given;
    ``full_crawl``: the run fetched every source again rather than only what was not final.
    ``from_page`` says whether the item was read from its page (rebuilding reads it again) or
    its outcome came from a failed fetch (kept as recorded); it is written down, so a later
    version of the rules never misreads an older record.
    """
    common = {
        "log_format": CRAWL_LOG_FORMAT,
        "crawl": crawl,
        "spider": spider,
        "full_crawl": full_crawl,
    }
    from_page = read_from_page(item)
    warc = item.warc.to_dict() if item.warc is not None else None
    if isinstance(item, PostItem):
        return {
            "kind": "post",
            **common,
            "url": item.url,
            "fetched_url": item.fetched_url,
            "http_status": item.http_status,
            "content_type": content_type,
            "feed_published": _feed_published(item),
            "crawled_at": item.crawled_at,
            "error": item.error,
            "from_page": from_page,
            "warc": warc,
        }
    return {
        "kind": "source",
        **common,
        "cited_url": item.cited_url,
        "url": item.url,
        "redirects": list(item.redirects),
        "http_status": item.http_status,
        "content_type": item.content_type,
        "status": item.status,
        "error": item.error,
        "truncated": truncated,
        "crawled_at": item.crawled_at,
        "from_page": from_page,
        "warc": warc,
    }


def read_from_page(item: Item) -> bool:
    """Whether the reading code made ``item`` from an archived page: a post page is read only
    when it came with a 2xx answer (any other went to the errback)."""
    if item.warc is None:
        return False
    if isinstance(item, PostItem):
        return 200 <= item.http_status < 300
    return item.status in PAGE_STATUSES


def _feed_published(item: PostItem) -> str | None:
    # The feed's date shapes a parse only where the post's date came from it, and then it is
    # that date. Taken from the parse, not from the spider's feed map, which may have learnt it
    # only after the page was read.
    post = item.post
    if post is None or post.published_from != "feed" or post.published is None:
        return None
    return post.published.isoformat()


def encode_crawl_log(fields: Mapping[str, Any]) -> bytes:
    """``name: JSON`` lines: JSON escapes CR and LF, so any value stays on its line."""
    lines = (
        f"{name}: {json.dumps(value, ensure_ascii=False, separators=(',', ':'))}\r\n"
        for name, value in fields.items()
    )
    return "".join(lines).encode("utf-8")


def decode_crawl_log(block: bytes) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for line in block.decode("utf-8").split("\r\n"):
        if not line:
            continue
        name, colon, value = line.partition(":")
        if not colon:
            raise RebuildError(f"not a 'name: value' line: {line[:80]!r}")
        try:
            fields[name.strip()] = json.loads(value)
        except json.JSONDecodeError as exc:
            raise RebuildError(f"field {name.strip()!r} is not JSON ({exc.msg})") from None
    return fields


@dataclass(frozen=True)
class LogEntry:
    """One crawl-log record: its fields and where it is."""

    fields: dict[str, Any]
    record: WarcPointer

    @property
    def kind(self) -> str:
        return str(self.fields.get("kind"))

    @property
    def crawl(self) -> str:
        return str(self.fields.get("crawl") or "")


def scan_crawl_log(path: Path) -> list[LogEntry]:
    """The crawl-log records of one WARC file, in file order."""
    entries = []
    with path.open("rb") as stream:
        # No HTTP header parsing: only metadata records are read, and that parse is most of the
        # cost of a pass over a file.
        records = ArchiveIterator(stream, no_record_parse=True)
        for record in records:
            if record.rec_type != "metadata":
                continue
            headers = record.rec_headers
            content_type = headers.get_header("Content-Type") or ""
            block = record.content_stream().read()
            if not content_type.startswith(CRAWL_LOG_CONTENT_TYPE) or b"kind:" not in block:
                continue  # some other tool's metadata
            pointer = WarcPointer(
                path.name, records.get_record_offset(), headers.get_header("WARC-Record-ID")
            )
            try:
                fields = decode_crawl_log(block)
            except (RebuildError, UnicodeDecodeError) as exc:
                raise RebuildError(f"{_where(pointer)}: {exc}") from None
            if fields.get("kind") not in ("post", "source"):
                continue
            if int(fields.get("log_format") or 0) > CRAWL_LOG_FORMAT:
                raise RebuildError(f"{_where(pointer)}: written by newer code (log_format)")
            entries.append(LogEntry(fields, pointer))
    return entries


def read_payload(directory: Path, pointer: WarcPointer) -> bytes:
    """The payload of the record at ``pointer``, decoded from its Content-Encoding (the HTTP client
    gave the crawl's callbacks the decoded body)."""
    if Path(pointer.filename).name != pointer.filename:
        raise RebuildError(f"{_where(pointer)}: not a file of the archive directory")
    with (directory / pointer.filename).open("rb") as stream:
        stream.seek(pointer.offset)
        record = next(iter(ArchiveIterator(stream)), None)
        if record is None or record.rec_headers.get_header("WARC-Record-ID") != pointer.record_id:
            raise RebuildError(f"{_where(pointer)}: record {pointer.record_id} is not there")
        return bytes(record.content_stream().read())


def item_from_entry(entry: LogEntry, body: bytes | None) -> Item:
    """The item of one crawl-log record; ``body``: the payload of the page it was read from."""
    f = entry.fields
    try:
        warc = WarcPointer.from_dict(f["warc"]) if f.get("warc") else None
        if entry.kind == "post":
            if body is not None:
                published = f.get("feed_published")
                return read_post_page(
                    url=f["url"],
                    fetched_url=f["fetched_url"],
                    http_status=int(f["http_status"]),
                    content_type=f.get("content_type"),
                    body=body,
                    warc=warc,
                    crawled_at=f["crawled_at"],
                    feed_published=datetime.fromisoformat(published) if published else None,
                )
            return PostItem(
                url=f["url"],
                fetched_url=f["fetched_url"],
                http_status=int(f["http_status"]),
                post=None,
                warc=warc,
                crawled_at=f["crawled_at"],
                error=f.get("error"),
            )
        if body is not None:
            return read_source_page(
                cited_url=f["cited_url"],
                url=f["url"],
                redirects=f.get("redirects") or [],
                http_status=int(f["http_status"]),
                content_type=f.get("content_type"),
                body=body,
                truncated=bool(f.get("truncated")),
                warc=warc,
                crawled_at=f["crawled_at"],
            )
        return SourceItem(
            cited_url=f["cited_url"],
            status=f["status"],
            crawled_at=f["crawled_at"],
            url=f.get("url"),
            redirects=list(f.get("redirects") or []),
            http_status=f.get("http_status"),
            content_type=f.get("content_type"),
            warc=warc,
            error=f.get("error"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        where = _where(entry.record)
        raise RebuildError(f"{where}: incomplete crawl-log record ({exc!r})") from None


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
    body = b"" if truncated else read_payload(Path(directory), pointer)
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

    @property
    def pages_per_second(self) -> float:
        return self.pages_read / self.parse_seconds if self.parse_seconds > 0 else 0.0


def rebuild_pairs(directory: Path, *, workers: int | None = None) -> RebuildResult:
    """Every pair the crawls of ``directory`` composed, from its closed WARC files alone.

    ``workers`` processes scan the files and read the pages (default: one per CPU); with 1,
    everything runs in this process.
    """
    directory = Path(directory)
    files = closed_warc_files(directory)
    workers = max(1, workers or os.cpu_count() or 1)
    if workers == 1:
        return _rebuild(directory, files, _InProcess())
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return _rebuild(directory, files, pool, workers)


def _rebuild(
    directory: Path, files: Sequence[Path], pool: Executor, workers: int = 1
) -> RebuildResult:
    result = RebuildResult(pairs=[], files=len(files), open_files=len(open_warc_files(directory)))
    entries = [entry for found in pool.map(scan_crawl_log, files) for entry in found]
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
        result.workers_used.add(pid)
    result.parse_seconds = time.perf_counter() - started
    result.pages_read = len(jobs)
    by_crawl: dict[str, list[tuple[LogEntry, Item]]] = {}
    for entry, read in zip(entries, items, strict=True):
        assert read is not None
        by_crawl.setdefault(entry.crawl, []).append((entry, read))
    result.crawls = len(by_crawl)
    result.posts = sum(isinstance(item, PostItem) for item in items)
    result.sources = len(items) - result.posts
    result.pairs = fold_pairs(compose_runs(list(by_crawl.values())))
    return result


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
        own_sources = {i.cited_url: i for _, i in run if isinstance(i, SourceItem)}
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


def fold_pairs(crawls: Iterable[list[Pair]]) -> list[Pair]:
    """One pair per pair_id: the latest ``crawled_at`` wins, a tie goes to the later crawl."""
    latest: dict[str, Pair] = {}
    for pairs in crawls:
        for pair in pairs:
            current = latest.get(pair.pair_id)
            if current is None or pair.crawled_at_datetime >= current.crawled_at_datetime:
                latest[pair.pair_id] = pair
    return sorted(latest.values(), key=Pair.sort_key)


class _InProcess(Executor):
    """``Executor.map`` run in this process, for ``workers=1``."""

    def map(
        self, fn: Any, *iterables: Iterable[Any], timeout: float | None = None, chunksize: int = 1
    ) -> Iterator[Any]:
        return map(fn, *iterables)


def _where(pointer: WarcPointer) -> str:
    return f"{pointer.filename}, offset {pointer.offset}"
