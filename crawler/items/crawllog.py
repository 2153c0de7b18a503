"""The crawl-log record format: what a ``metadata`` record says about one post or source item.

The crawl-log extension (``crawler/extensions/crawl_log.py``) writes one record per item; the
rebuild (``crawler/rebuild.py``) reads them back. The block holds what the response records
cannot say: which capture is a post and which a source, the cited URL and its redirect hops, the
feed's date, the outcomes that had no page (unreachable, refused, blocked by robots.txt), and the
payload pointer the crawl read.

The block is ``application/warc-fields``, one ``name: JSON value`` line per field: the indexers
(cdxj-indexer, pywb) skip metadata records of that type, so a crawl-log record never stands in
for the page it describes at replay.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from warcio.archiveiterator import ArchiveIterator

from crawler.archive.pointer import WarcPointer
from crawler.archive.reader import where
from crawler.items import PostItem, SourceItem
from crawler.manifest import STATUS_OK, STATUS_SOURCE_NOT_HTML, STATUS_SOURCE_PAYWALLED
from crawler.state.rules import PARSED, UNAVAILABLE, PostRecord, SourceRecord

CRAWL_LOG_CONTENT_TYPE = "application/warc-fields"
CRAWL_LOG_FORMAT = 1  # bumped when a field changes meaning; readers refuse a newer one

Item = PostItem | SourceItem

# The source statuses ``read_source_page`` decides from what a page says. The others come from
# how the fetch went (not found, HTTP error, unreachable, refused, robots.txt) or from the body
# being cut short (truncated: nothing in it can change that), and are kept as recorded.
STATUSES_FROM_PAGE = frozenset({STATUS_OK, STATUS_SOURCE_PAYWALLED, STATUS_SOURCE_NOT_HTML})


class CrawlLogError(ValueError):
    """A crawl-log record cannot be read."""


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
            "feed_published": item.feed_published,
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
        # Read from a web archive's capture (``warc``): the capture, and the live URL's outcome.
        "memento": item.memento,
        "live": item.live,
        # This fetch found the archived page changed (crawler/state/drift.py): the paragraph
        # summary the crawl state's history keeps, which a rebuild cannot compute again.
        "drift": item.drift,
    }


def read_from_page(item: Item) -> bool:
    """Whether the reading code made ``item`` from an archived page: a post page is read only
    when it came with a 2xx answer (any other went to the errback)."""
    if item.warc is None:
        return False
    if isinstance(item, PostItem):
        return 200 <= item.http_status < 300
    return item.status in STATUSES_FROM_PAGE


def log_record(fields: Mapping[str, Any]) -> PostRecord | SourceRecord:
    """The crawl-state record of the item a crawl-log record describes: the item is made again
    from it by crawler/items/codec.py. Raises KeyError, TypeError or ValueError when a field it
    needs is missing or malformed."""
    warc = WarcPointer.from_dict(fields["warc"]) if fields.get("warc") else None
    if fields.get("kind") == "post":
        return PostRecord(
            url=fields["url"],
            fetched_url=fields["fetched_url"],
            http_status=int(fields["http_status"]),
            # Provisional for a page: reading it again tells PARSED from UNPARSABLE.
            parse_status=PARSED if fields.get("from_page") else UNAVAILABLE,
            error=fields.get("error"),
            warc=warc,
            payload_digest=None,
            fetched_at=fields["crawled_at"],
            feed_published=fields.get("feed_published"),
        )
    http_status = fields.get("http_status")
    return SourceRecord(
        cited_url=fields["cited_url"],
        status=fields["status"],
        error=fields.get("error"),
        url=fields.get("url"),
        redirects=tuple(fields.get("redirects") or ()),
        http_status=int(http_status) if http_status is not None else None,
        content_type=fields.get("content_type"),
        warc=warc,
        payload_digest=None,
        fetched_at=fields["crawled_at"],
        memento=fields.get("memento"),
        live=fields.get("live"),
        drift=fields.get("drift"),
    )


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
            raise CrawlLogError(f"not a 'name: value' line: {line[:80]!r}")
        try:
            fields[name.strip()] = json.loads(value)
        except json.JSONDecodeError as exc:
            raise CrawlLogError(f"field {name.strip()!r} is not JSON ({exc.msg})") from None
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

    @property
    def where(self) -> str:
        return where(self.record)


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
            except (CrawlLogError, UnicodeDecodeError) as exc:
                raise CrawlLogError(f"{where(pointer)}: {exc}") from None
            if fields.get("kind") not in ("post", "source"):
                continue
            if int(fields.get("log_format") or 0) > CRAWL_LOG_FORMAT:
                raise CrawlLogError(f"{where(pointer)}: written by newer code (log_format)")
            entries.append(LogEntry(fields, pointer))
    return entries
