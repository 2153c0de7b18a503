"""The archive as the storage of a cache: each URL's archived response, and each item's record.

A crawl replayed from its archive (``python -m crawler rebuild``) asks this storage for every
response it would fetch. The captures come from the CDXJ index (``crawler/archive/index.py``: a
current fragment is read, any other file is indexed in memory, so the archive is only read), the
whole records and their ids from the damage check of each file (``crawler/archive/damage.py``),
and the crawl-log records (``crawler/items/crawllog.py``) say which item each crawl made of a
post or a cited URL. Where a URL was fetched more than once (a retry), the latest capture wins,
as the manifest fold lets the latest pair win; a tie in time goes to the later record in file
order. An archive several crawls wrote into is replayed crawl by crawl (:meth:`runs`,
:meth:`of_run`: the files and records each crawl wrote). Records are read through
``crawler/archive/reader.py``.
"""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crawler.archive.damage import WarcCheck, check_warc
from crawler.archive.index import fragment_is_current, index_warc_files
from crawler.archive.layout import index_fragment
from crawler.archive.naming import closed_warc_files, open_warc_files
from crawler.archive.pointer import WarcPointer
from crawler.archive.reader import RecordError, read_record, where
from crawler.items.crawllog import CrawlLogError, LogEntry, scan_crawl_log

_REVISIT_MIME = "warc/revisit"


class StorageError(ValueError):
    """A WARC file of the archive cannot be read as a whole."""


@dataclass(frozen=True)
class Capture:
    """One archived response or revisit of a URL, as the index names it."""

    url: str
    timestamp: str  # 14 digits, UTC
    pointer: WarcPointer  # the record this fetch wrote
    revisit: bool
    digest: str | None  # WARC-Payload-Digest (sha1:BASE32)
    order: tuple[int, int] = (0, 0)  # (file, offset): which of two captures came later


@dataclass(frozen=True)
class StoredResponse:
    """A capture read back as the HTTP client gave it to the crawl: the status, the headers and
    the payload as received (still content-encoded), and where the payload lies."""

    capture: Capture
    date: str  # WARC-Date, as written
    http_status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    truncated: str | None  # WARC-Truncated: ``length`` or ``time``
    payload: WarcPointer  # the record holding the payload: a revisit's original
    payload_digest: str | None


@dataclass(frozen=True)
class Run:
    """One crawl into the archive: its id, spider, kind and the WARC files it wrote."""

    crawl: str
    spider: str
    full: bool  # a full crawl (-a full=1): it fetched everything again
    files: tuple[str, ...]


@dataclass
class ArchiveStorage:
    """The captures and crawl-log records of an archive's closed WARC files."""

    directory: Path
    checks: dict[str, WarcCheck]
    entries: list[LogEntry]  # every crawl-log record in whole records, in file order
    captures: dict[str, Capture] = field(default_factory=dict)  # latest capture of each URL
    originals: dict[str, WarcPointer] = field(default_factory=dict)  # record id -> pointer
    logged: dict[tuple[str, str], LogEntry] = field(default_factory=dict)  # (kind, url) -> latest
    warcinfo: dict[str, dict[str, str]] = field(default_factory=dict)  # file -> its fields
    open_files: int = 0  # left out: still being written, or left by a killed crawl
    index_lines: dict[str, list[str]] = field(default_factory=dict)  # file -> its CDXJ lines
    # A replay's own: the (kind, url) of the logged items it has requested (crawler/commands/
    # rebuild_crawl.py checks it reached every item the crawl log records).
    reached: set[tuple[str, str]] = field(default_factory=set)

    def __deepcopy__(self, memo: dict[int, Any]) -> ArchiveStorage:
        # Read-only once scanned: Scrapy's copies of the settings that carry it share it.
        return self

    @classmethod
    def scan(cls, directory: Path) -> ArchiveStorage:
        """Read the closed WARC files of ``directory`` once: their check, crawl log and index.
        Only whole records are taken; what a damaged file lost is not there."""
        directory = Path(directory)
        files = closed_warc_files(directory)
        checks: dict[str, WarcCheck] = {}
        entries: list[LogEntry] = []
        for path in files:
            check = check_warc(path)
            checks[path.name] = check
            entries += [e for e in _crawl_log(path, check) if e.record.offset in check.records]
        storage = cls(directory, checks, entries, open_files=len(open_warc_files(directory)))
        for path in files:
            storage._add_records(path, checks[path.name])
            storage.index_lines[path.name] = list(_index_lines(directory, path))
        storage._take(files, entries)
        return storage

    def _take(self, files: list[Path], entries: list[LogEntry]) -> None:
        for number, path in enumerate(files):
            self._add_captures(number, path.name, self.checks[path.name])
        for entry in entries:
            url = entry.fields.get("url") if entry.kind == "post" else entry.fields.get("cited_url")
            if url:
                self.logged[(entry.kind, str(url))] = entry  # file order: the latest wins

    def runs(self) -> list[Run]:
        """The crawls that wrote the archive, in the order they wrote it. A file without
        crawl-log records (a crawl that found nothing new writes only its lists) goes with the
        crawl of the file before it (by name: by creation time)."""
        crawl_of_file = {entry.record.filename: entry for entry in self.entries}
        runs: dict[str, tuple[LogEntry, list[str]]] = {}
        current: str | None = None
        orphans: list[str] = []
        for name in self.checks:
            entry = crawl_of_file.get(name)
            if entry is not None:
                current = entry.crawl
                runs.setdefault(current, (entry, []))[1].extend([*orphans, name])
                orphans = []
            elif current is None:
                orphans.append(name)  # before the first crawl's first record: with it
            else:
                runs[current][1].append(name)
        return [
            Run(
                crawl,
                str(first.fields.get("spider") or ""),
                bool(first.fields.get("full_crawl")),
                tuple(names),
            )
            for crawl, (first, names) in runs.items()
        ]

    def of_run(self, run: Run) -> ArchiveStorage:
        """The storage of what ``run`` wrote: its files' captures and its crawl-log records
        (a revisit's original and the warcinfo of any file are still found)."""
        files = [self.directory / name for name in run.files]
        entries = [entry for entry in self.entries if entry.crawl == run.crawl]
        view = ArchiveStorage(
            self.directory,
            self.checks,
            entries,
            originals=self.originals,
            warcinfo=self.warcinfo,
            open_files=self.open_files,
            index_lines=self.index_lines,
        )
        view._take(files, entries)
        return view

    def capture(self, url: str) -> Capture | None:
        """The latest capture of ``url`` (without its fragment, which is never sent)."""
        return self.captures.get(url.partition("#")[0])

    def logged_item(self, kind: str, url: str) -> LogEntry | None:
        """The latest crawl-log record of the ``kind`` (post, source) item of ``url``."""
        return self.logged.get((kind, url))

    def unreached(self) -> list[tuple[str, str]]:
        """The (kind, url) of the logged items a replay of this storage did not request."""
        return sorted(set(self.logged).difference(self.reached))

    def logged_source(self, url: str) -> bool:
        """Whether the archived crawl made an item of the cited URL (it fetched it)."""
        return ("source", url) in self.logged

    def crawl_of(self) -> LogEntry | None:
        """The latest crawl-log record: it names the spider of the archive's last crawl."""
        return self.entries[-1] if self.entries else None

    def read(self, capture: Capture) -> StoredResponse:
        """The response ``capture`` names; a revisit's payload is its original's. Raises
        RecordError when a record does not read back."""
        head = read_record(self.directory, capture.pointer, _head, kinds=("response", "revisit"))
        payload, body = capture.pointer, head.body
        if capture.revisit:
            original = self.originals.get(head.refers_to or "")
            if original is None:
                raise RecordError(
                    f"{where(capture.pointer)}: the revisit's original {head.refers_to} is not "
                    "in the archive"
                )
            payload, body = original, read_record(self.directory, original, _raw_body)
        return StoredResponse(
            capture=capture,
            date=head.date,
            http_status=head.http_status,
            headers=head.headers,
            body=body,
            truncated=head.truncated,
            payload=payload,
            payload_digest=head.digest,
        )

    def _add_records(self, path: Path, check: WarcCheck) -> None:
        for offset, seen in check.records.items():
            pointer = WarcPointer(path.name, offset, seen.record_id)
            if seen.rec_type == "response":
                self.originals[seen.record_id] = pointer
            elif seen.rec_type == "warcinfo":
                self.warcinfo.setdefault(path.name, _warcinfo(self.directory, pointer))

    def _add_captures(self, number: int, name: str, check: WarcCheck) -> None:
        for line in self.index_lines[name]:
            capture = _capture(line, number, check)
            if capture is None:
                continue
            current = self.captures.get(capture.url)
            if current is None or (capture.timestamp, capture.order) >= (
                current.timestamp,
                current.order,
            ):
                self.captures[capture.url] = capture


def _crawl_log(path: Path, check: WarcCheck) -> list[LogEntry]:
    try:
        return scan_crawl_log(path)
    except CrawlLogError as exc:
        if not check.damaged:
            raise StorageError(str(exc)) from None
    except Exception:  # a damaged file may trip the reader anywhere; the check says where
        if not check.damaged:
            raise
    return []


def _index_lines(directory: Path, warc: Path) -> Iterable[str]:
    fragment = index_fragment(directory, warc.name)
    if fragment_is_current(fragment, warc):
        with fragment.open(encoding="utf-8", newline="\n") as stream:
            next(stream, None)  # the fragment's header
            return list(stream)
    out = io.StringIO()
    # A damaged file may stop the indexer anywhere: its whole records are those the check found.
    with contextlib.suppress(Exception):
        index_warc_files([warc], out)
    return out.getvalue().splitlines()


def _capture(line: str, number: int, check: WarcCheck) -> Capture | None:
    _, timestamp, rest = line.split(" ", 2)
    fields: dict[str, Any] = json.loads(rest)
    offset = int(fields["offset"])
    seen = check.records.get(offset)
    if seen is None or seen.rec_type not in ("response", "revisit"):
        return None  # in the damaged part of its file
    return Capture(
        url=str(fields["url"]),
        timestamp=timestamp,
        pointer=WarcPointer(check.filename, offset, seen.record_id),
        revisit=fields.get("mime") == _REVISIT_MIME or seen.rec_type == "revisit",
        digest=fields.get("digest"),
        order=(number, offset),
    )


@dataclass(frozen=True)
class _Head:
    date: str
    http_status: int
    headers: tuple[tuple[str, str], ...]
    truncated: str | None
    digest: str | None
    refers_to: str | None
    body: bytes


def _head(record: Any) -> _Head:
    headers = record.rec_headers
    http = record.http_headers
    if http is None:
        raise RecordError("a capture without HTTP headers")
    return _Head(
        date=str(headers.get_header("WARC-Date")),
        http_status=int(http.get_statuscode()),
        headers=tuple((str(name), str(value)) for name, value in http.headers),
        truncated=headers.get_header("WARC-Truncated"),
        digest=headers.get_header("WARC-Payload-Digest"),
        refers_to=headers.get_header("WARC-Refers-To"),
        body=bytes(record.raw_stream.read()),
    )


def _raw_body(record: Any) -> bytes:
    return bytes(record.raw_stream.read())


def _warcinfo(directory: Path, pointer: WarcPointer) -> dict[str, str]:
    def fields(record: Any) -> dict[str, str]:
        found: dict[str, str] = {}
        for line in record.content_stream().read().decode("utf-8", "replace").splitlines():
            name, colon, value = line.partition(":")
            if colon:
                found[name.strip()] = value.strip()
        return found

    try:
        return read_record(directory, pointer, fields, kinds=("warcinfo",))
    except RecordError:
        return {}


def blog_of(warcinfo: Mapping[str, str], spider: str) -> str | None:
    """The blog a crawl's warcinfo names (``description: SPIDER crawl of URL``)."""
    prefix = f"{spider} crawl of "
    description = warcinfo.get("description", "")
    return (
        description.removeprefix(prefix).strip() or None if description.startswith(prefix) else None
    )
