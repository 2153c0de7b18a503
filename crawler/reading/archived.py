"""Items from archived records: a post or source item made again from the page a WARC file holds.

The crawl's callbacks turn a response into an item with ``crawler/reading/page.py``; these functions
hand the same code the same bytes, headers and times, read back from the archive (through the
item codec, crawler/items/codec.py), so the item is the one the crawl made (the payload is decoded
from its ``Content-Encoding`` with warcio's ``content_stream()``, as Scrapy's HTTP client decoded
it). The archive cache answers requests with ``read_response``; ``post_item_from_state`` and
``source_item_from_state`` make the item of a state record; ``python -m crawler rebuild`` reads its
pages with ``read_payload`` (it takes every other value from the crawl-log record); a crawl replayed
from the archive takes the outcomes that were not read from a page with ``item_from_log``.

Records are read through crawler/archive/reader.py: a bad pointer is a ``RecordError``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.archive.pointer import WarcPointer
from crawler.archive.reader import RecordError, read_record, where
from crawler.dates import isoformat
from crawler.items import PostItem, SourceItem
from crawler.items.codec import ArchivedPage, post_item, source_item
from crawler.items.crawllog import log_record
from crawler.state import PAGE_STATUSES, PARSED, UNPARSABLE, PostRecord, SourceRecord


@dataclass(frozen=True)
class ArchivedResponse:
    """A response record read back: what a callback would have been given."""

    pointer: WarcPointer
    target_uri: str
    date: datetime  # WARC-Date
    http_status: int
    content_type: str | None
    headers: tuple[tuple[str, str], ...]  # the HTTP headers as archived (as received)
    payload_digest: str | None
    truncated: bool  # WARC-Truncated: the body was cut short on the wire
    body: bytes  # the payload, Content-Encoding removed (empty when truncated)

    @property
    def crawled_at(self) -> str:
        """The crawl's time for this fetch: the WARC-Date to the second, as the spider wrote it."""
        return isoformat(self.date) or ""


def read_response(archive_dir: Path, pointer: WarcPointer) -> ArchivedResponse:
    """The response record at ``pointer``, its payload decoded."""
    return read_record(archive_dir, pointer, lambda record: _archived_response(pointer, record))


def read_payload(archive_dir: Path, pointer: WarcPointer) -> bytes:
    """The payload of the response record at ``pointer``, decoded, even where it was cut short:
    the crawl's callbacks were given what arrived."""
    return read_record(archive_dir, pointer, lambda record: bytes(record.content_stream().read()))


def read_payload_digest(archive_dir: Path, pointer: WarcPointer) -> str | None:
    """The ``WARC-Payload-Digest`` of the record at ``pointer`` (its headers only are read)."""
    digest = read_record(
        archive_dir, pointer, lambda record: record.rec_headers.get_header("WARC-Payload-Digest")
    )
    return str(digest) if digest else None


def post_item_from_state(archive_dir: Path, record: PostRecord) -> PostItem:
    """The item a crawl made of a post it recorded in the crawl state."""
    if record.parse_status not in (PARSED, UNPARSABLE) or record.warc is None:
        return post_item(record)  # an outcome without a page: the record is all there is
    response = read_response(archive_dir, record.warc)
    return post_item(record, ArchivedPage(response.body, response.content_type))


def source_item_from_state(archive_dir: Path, record: SourceRecord) -> SourceItem:
    """The item a crawl made of a source it recorded in the crawl state. Only a 2xx answer is
    read as a page; any other is described by the crawl's error outcome, not by its body."""
    if record.status not in PAGE_STATUSES or record.warc is None or not record.http_status:
        return source_item(record)
    response = read_response(archive_dir, record.warc)
    if not 200 <= response.http_status < 300:
        raise RecordError(
            f"{where(record.warc)}: HTTP {response.http_status} is an error outcome, not a page"
        )
    page = ArchivedPage(response.body, response.content_type, truncated=response.truncated)
    # The record's status is this fetch's: a revisit's original record may have answered another.
    return source_item(replace(record, url=record.url or response.target_uri), page)


def item_from_log(fields: dict[str, Any]) -> PostItem | SourceItem:
    """The item a crawl-log record describes, without reading any page: an outcome the crawl
    did not read from one (a failed fetch, a body cut short), as the crawl made it."""
    record = log_record(fields)
    if isinstance(record, PostRecord):
        return post_item(record)
    return source_item(record)


def _archived_response(pointer: WarcPointer, record: Any) -> ArchivedResponse:
    headers = record.rec_headers
    truncated = bool(headers.get_header("WARC-Truncated"))
    # A body cut short may not even decode; the reading code does not look at it.
    body = b"" if truncated else bytes(record.content_stream().read())
    http = record.http_headers
    return ArchivedResponse(
        pointer=pointer,
        target_uri=str(headers.get_header("WARC-Target-URI")),
        date=datetime.fromisoformat(headers.get_header("WARC-Date").replace("Z", "+00:00")),
        http_status=int(http.get_statuscode()),
        content_type=http.get_header("Content-Type"),
        headers=tuple((str(name), str(value)) for name, value in http.headers),
        payload_digest=headers.get_header("WARC-Payload-Digest"),
        truncated=truncated,
        body=body,
    )
