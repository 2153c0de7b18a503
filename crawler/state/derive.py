"""The crawl state made again from the archive alone: ``python -m crawler state rebuild``.

The crawl state (``ARCHIVE_DIR/state/crawl.sqlite``) is an index of the archive, as
``index.cdxj`` is: every row the pairs pipeline writes comes from an item that the crawl also
wrote down as a crawl-log record, and from the blog's lists and the journals. :func:`derive_state`
writes a new database from them:

- ``posts``, ``citations``, ``sources``, ``history``: the crawl-log records replayed in archive
  order (file by file, record by record: the order the pipeline recorded them in), each item made
  again by the codec as ``rebuild`` makes it (crawler/rebuild.py: ``read_archive``) and recorded
  as the pipeline records it (crawler/state/recording.py); the payload digest is the
  ``WARC-Payload-Digest`` of the record the item points to, and the paragraph summary of a
  source's change (crawler/state/drift.py) is its record's ``drift``;
- ``listed``: the sitemap and feed pages archived (a response to a ``.../*sitemap*.xml`` or
  ``/feeds/...`` URL that no crawl-log record describes), parsed by crawler/blogger/discovery.py
  and replayed in the same order, so a post's ``modified`` is the newest date its lists gave it
  before it was recorded;
- ``journaled``: the pairs of the manifest folded with the journals left in ``journal/``;
- ``checked_files``: every closed WARC file, each read whole here.

What cannot be derived: ``checked_at`` (the time of this reading), the ``history`` ids (their
order is kept), and the list entries a crawl left out by its ``-a since``/``until`` window (the
derived ``listed`` holds them too; a date there never makes a post outside the window fetched).
An archive that lost records is refused (``DamagedArchiveError``), as ``rebuild`` refuses it.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator

from crawler.archive.layout import MANIFEST_NAME, STATE_DIR, STATE_NAME, journals
from crawler.archive.pointer import WarcPointer
from crawler.archive.reader import RecordError
from crawler.blogger.discovery import DiscoveryError, parse_feed, parse_sitemap
from crawler.blogger.urls import canonical_post_url
from crawler.dates import isoformat
from crawler.items import PostItem, SourceItem
from crawler.manifest import ManifestFold
from crawler.reading.archived import read_payload, read_payload_digest
from crawler.rebuild import ArchiveRead, page_readers, read_archive
from crawler.state.recording import record_post_item, record_source_item
from crawler.state.rules import CheckedFile
from crawler.state.store import CrawlState
from crawler.util.atomic import atomic_path
from crawler.util.filemodes import shared_directory

SITEMAP = "sitemap"
FEED = "feed"


@dataclass(frozen=True)
class Listing:
    """One post a list gives, by its canonical permalink, with the list's date."""

    url: str
    lastmod: datetime | None = None  # a sitemap's
    updated: datetime | None = None  # the feed's


@dataclass(frozen=True)
class ListPage:
    """A sitemap or feed page archived, or a revisit of one (``entries`` None: they are those of
    the record it ``refers_to``)."""

    pointer: WarcPointer
    kind: str  # SITEMAP or FEED
    refers_to: str | None
    entries: tuple[Listing, ...] | None


def list_kind(url: str) -> str | None:
    """Whether a URL is one of a blog's lists as the spider requests them (the sitemap, the
    pages of a sitemap index, the feed's pages), and which."""
    path = urlsplit(url).path
    if path.startswith("/feeds/"):
        return FEED
    name = path.rsplit("/", 1)[-1]
    return SITEMAP if "sitemap" in name and name.endswith(".xml") else None


def listings(kind: str, body: bytes) -> tuple[Listing, ...]:
    """The posts a list page gives, as the spider lists them: a sitemap index lists none, a page
    that does not parse lists none (the crawl logged it)."""
    found: list[tuple[str, datetime | None, datetime | None]]
    try:
        if kind == SITEMAP:
            sitemap = parse_sitemap(body)
            found = [] if sitemap.is_index else [(e.loc, e.lastmod, None) for e in sitemap.entries]
        else:
            found = [(e.url, None, e.updated) for e in parse_feed(body).entries]
    except DiscoveryError:
        return ()
    return tuple(
        Listing(canonical, lastmod, updated)
        for url, lastmod, updated in found
        if (canonical := canonical_post_url(url)) is not None
    )


def scan_lists(path: Path) -> list[ListPage]:
    """Pool task: the list pages of one WARC file that the crawl read (a 2xx answer), in order."""
    pages = []
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type not in ("response", "revisit") or not record.http_headers:
                continue
            headers = record.rec_headers
            kind = list_kind(headers.get_header("WARC-Target-URI") or "")
            if kind is None or not 200 <= int(record.http_headers.get_statuscode() or 0) < 300:
                continue
            # The block first: asking for the offset before reading it leaves it unread.
            body = record.content_stream().read() if record.rec_type == "response" else b""
            pointer = WarcPointer(
                path.name, records.get_record_offset(), headers.get_header("WARC-Record-ID")
            )
            if record.rec_type == "revisit":
                pages.append(ListPage(pointer, kind, headers.get_header("WARC-Refers-To"), None))
            else:
                pages.append(ListPage(pointer, kind, None, listings(kind, body)))
    return pages


@dataclass
class DerivedState:
    """What :func:`derive_state` wrote, and what it read."""

    path: Path
    read: ArchiveRead
    list_pages: int = 0
    journal_warnings: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # rows of the main tables


def derive_state(
    archive_dir: Path, target: Path | None = None, *, workers: int | None = None
) -> DerivedState:
    """Write a new crawl state database for ``archive_dir`` at ``target`` (default: the
    archive's own, replaced) from its closed WARC files, manifest and journals (see the module's
    docstring). The database is written beside ``target`` and moved into place whole. Raises
    DamagedArchiveError (the archive lost records) before anything is written, RebuildError
    (a crawl-log record or its page does not read), OSError and StateError."""
    directory = Path(archive_dir)
    target = Path(target) if target is not None else directory / STATE_DIR / STATE_NAME
    with page_readers(workers) as (pool, count):
        read = read_archive(directory, pool, count)
        files = [directory / name for name in read.checks]  # in file order
        pages = [page for found in pool.map(scan_lists, files) for page in found]
    pages = _lists_read(directory, read, pages)
    result = DerivedState(target, read, list_pages=len(pages))
    shared_directory(target.parent)
    with atomic_path(target) as temp:
        try:
            with CrawlState(temp) as state:
                with state.batch():  # one commit: nothing is read before the file is whole
                    _replay(state, directory, read, pages)
                    result.journal_warnings = _journaled(state, directory)
                    _checked(state, files, read)
                result.counts = state.counts()
        finally:
            _remove_sidecars(temp)
        # The file replaced leaves its write-ahead log, which SQLite would apply to the new one.
        _remove_sidecars(target)
    return result


def _lists_read(directory: Path, read: ArchiveRead, pages: list[ListPage]) -> list[ListPage]:
    """The list pages with their entries: a revisit takes those of the record it refers to (the
    payload the crawl was given, archived once, maybe under another URL). A page a crawl-log
    record describes was read as a post or a source, not as a list."""
    described = {
        seen.refers_to
        for check in read.checks.values()
        for seen in check.records.values()
        if seen.rec_type == "metadata" and seen.refers_to
    }
    located = {
        seen.record_id: WarcPointer(check.filename, offset, seen.record_id)
        for check in read.checks.values()
        for offset, seen in check.records.items()
    }
    found = []
    for page in pages:
        if page.pointer.record_id in described:
            continue
        entries = page.entries
        original = located.get(page.refers_to) if page.refers_to else None
        if entries is None and original is not None:
            try:
                entries = listings(page.kind, read_payload(directory, original))
            except RecordError:
                entries = None  # not a page: the crawl read nothing from it either
        if entries:
            found.append(ListPage(page.pointer, page.kind, None, entries))
    return found


def _replay(state: CrawlState, directory: Path, read: ArchiveRead, pages: list[ListPage]) -> None:
    """The lists and the items in the order the crawls archived them."""
    order = {name: number for number, name in enumerate(read.checks)}

    def position(pointer: WarcPointer) -> tuple[int, int]:
        return order.get(pointer.filename, len(order)), pointer.offset

    events: list[tuple[tuple[int, int], ListPage | PostItem | SourceItem]] = [
        (position(page.pointer), page) for page in pages
    ]
    events += [(position(entry.record), item) for entry, item in read.logged]
    events.sort(key=lambda event: event[0])
    for _, event in events:
        if isinstance(event, ListPage):
            for listing in event.entries or ():
                state.list_post(listing.url, lastmod=listing.lastmod, updated=listing.updated)
            continue
        # The digest the WARC capture handed the spider: the one its record carries.
        event.payload_digest = _payload_digest(directory, event.warc)
        if isinstance(event, PostItem):
            record_post_item(state, event)
        else:
            record_source_item(state, event)


def _payload_digest(directory: Path, pointer: WarcPointer | None) -> str | None:
    if pointer is None:
        return None
    try:
        return read_payload_digest(directory, pointer)
    except RecordError:
        return None  # a 304 revisit: no payload, and no digest


def _journaled(state: CrawlState, directory: Path) -> list[str]:
    """Note the pairs of the manifest and of the journals not folded into it yet."""
    # Read only (nothing is written), a few values per pair: not every pair's texts at once.
    with ManifestFold(journals(directory), directory / MANIFEST_NAME, writing=False) as folded:
        for kept in folded.kept():
            state.record_journaled(kept.pair_id, kept.status, kept.crawled_at)
        return folded.warnings


def _checked(state: CrawlState, files: Iterable[Path], read: ArchiveRead) -> None:
    now = isoformat(datetime.now(UTC)) or ""
    for path in files:
        stat = path.stat()
        records = len(read.checks[path.name].records)
        state.record_checked(CheckedFile(path.name, stat.st_size, stat.st_mtime_ns, records, now))


def _remove_sidecars(database: Path) -> None:
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(f"{database}{suffix}")
