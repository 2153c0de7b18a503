"""Items from archived records: a post or source item made again from the page a WARC file holds.

The crawl's callbacks turn a response into an item with ``crawler/reading/page.py``; these functions
hand the same code the same bytes, headers and times, read back from the archive, so the item is
the one the crawl made (the payload is decoded from its ``Content-Encoding`` with warcio's
``content_stream()``, as Scrapy's HTTP client decoded it). An incremental crawl uses them for
pages archived by earlier runs; ``python -m crawler rebuild`` reads its pages with
``read_payload`` (it takes every other value from the crawl-log record).

Records are read through crawler/archive/reader.py: a bad pointer is a ``RecordError``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from crawler.archive.pointer import WarcPointer
from crawler.archive.reader import RecordError, read_record, where
from crawler.blogger import canonical_post_url
from crawler.dates import isoformat
from crawler.items import PostItem, SourceItem
from crawler.reading.page import read_post_page, read_source_page
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


def post_item_from_record(
    archive_dir: Path,
    pointer: WarcPointer,
    *,
    url: str | None = None,
    fetched_url: str | None = None,
    crawled_at: str | None = None,
    feed_published: datetime | None = None,
) -> PostItem:
    """The post item of the permalink page archived at ``pointer``.

    ``url`` (the canonical permalink) defaults to the record's target URI made canonical,
    ``fetched_url`` to the target URI and ``crawled_at`` to the record's date. Give the values
    the crawl had when the pointer is the original of a revisit (another URL, an earlier date).
    """
    response = read_response(archive_dir, pointer)
    fetched = fetched_url or response.target_uri
    canonical = url or canonical_post_url(fetched) or fetched
    return read_post_page(
        url=canonical,
        fetched_url=fetched,
        http_status=response.http_status,
        content_type=response.content_type,
        body=response.body,
        warc=pointer,
        crawled_at=crawled_at or response.crawled_at,
        feed_published=feed_published,
    )


def source_item_from_records(
    archive_dir: Path,
    *,
    cited_url: str,
    pointer: WarcPointer,
    url: str | None = None,
    redirects: Sequence[str] = (),
    crawled_at: str | None = None,
    content_type: str | None = None,
) -> SourceItem:
    """The source item of ``cited_url`` whose final answer (after ``redirects``, the hops before
    ``url``) is archived at ``pointer``. Only a 2xx answer is read as a page; any other is
    described by the crawl's error outcome, not by its body. ``url``, ``crawled_at`` and
    ``content_type`` default to the record's."""
    response = read_response(archive_dir, pointer)
    if not 200 <= response.http_status < 300:
        raise RecordError(
            f"{where(pointer)}: HTTP {response.http_status} is an error outcome, not a page"
        )
    return read_source_page(
        cited_url=cited_url,
        url=url or response.target_uri,
        redirects=redirects,
        http_status=response.http_status,
        content_type=content_type or response.content_type,
        body=response.body,
        truncated=response.truncated,
        warc=pointer,
        crawled_at=crawled_at or response.crawled_at,
    )


def post_item_from_state(archive_dir: Path, record: PostRecord) -> PostItem:
    """The item a crawl made of a post it recorded in the crawl state."""
    if record.parse_status in (PARSED, UNPARSABLE) and record.warc is not None:
        published = record.feed_published
        return post_item_from_record(
            archive_dir,
            record.warc,
            url=record.url,
            fetched_url=record.fetched_url,
            crawled_at=record.fetched_at,
            feed_published=datetime.fromisoformat(published) if published else None,
        )
    return PostItem(
        url=record.url,
        fetched_url=record.fetched_url,
        http_status=record.http_status,
        post=None,
        warc=record.warc,
        crawled_at=record.fetched_at,
        error=record.error,
    )


def source_item_from_state(archive_dir: Path, record: SourceRecord) -> SourceItem:
    """The item a crawl made of a source it recorded in the crawl state."""
    if record.status in PAGE_STATUSES and record.warc is not None and record.http_status:
        item = source_item_from_records(
            archive_dir,
            cited_url=record.cited_url,
            pointer=record.warc,
            url=record.url,
            redirects=record.redirects,
            crawled_at=record.fetched_at,
            content_type=record.content_type,
        )
        # This fetch's status: a revisit's original record may have answered another code.
        item.http_status = record.http_status
        return item
    return SourceItem(
        cited_url=record.cited_url,
        status=record.status,
        crawled_at=record.fetched_at,
        url=record.url,
        redirects=list(record.redirects),
        http_status=record.http_status,
        content_type=record.content_type,
        warc=record.warc,
        error=record.error,
    )


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
