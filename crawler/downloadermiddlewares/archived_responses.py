"""Responses made from archived records, for the archive cache
(crawler/downloadermiddlewares/archive_cache.py).

- :func:`archived_response`: a fetch an earlier crawl settled, as its callback was given it (the
  payload decoded from its ``Content-Encoding``), flag ``archived``, described by the crawl
  state's record (:class:`ArchivedFetch`: a post's or a source's).
- :func:`stored_response`: a capture of the archive a crawl is replayed from, as it was received
  (still content-encoded), flag ``replayed``, with the flags of a body cut short.

Either way the WARC pointers, the capture's date and the payload digest go into
``request.meta``, as the WARC capture puts them for a response it writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from crawler.archive.pointer import WarcPointer
from crawler.archive.storage import StoredResponse
from crawler.dates import isoformat
from crawler.extensions.warc_capture import (
    META_FETCHED_AT,
    META_PAYLOAD_DIGEST,
    META_POINTER,
    META_RECORD,
)
from crawler.reading.archived import read_response
from crawler.state import PostRecord, SourceRecord
from crawler.truncation import FLAG_DATALOSS, FLAG_STOPPED, FLAG_TIME

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.http import Response

FLAG_ARCHIVED = "archived"  # answered from what an earlier crawl archived
FLAG_REPLAYED = "replayed"  # answered from the archive a crawl is replayed from
META_RECOVERED = "bitext_recovered"  # memento and live outcome of a page read from a capture
# Headers that described the bytes on the wire, not the decoded payload the response carries.
_WIRE_HEADERS = frozenset({b"content-encoding", b"content-length", b"transfer-encoding"})


@dataclass(frozen=True)
class ArchivedFetch:
    """What the crawl state says of an archived fetch, to answer a request with its response."""

    warc: WarcPointer
    url: str | None
    http_status: int
    content_type: str | None
    fetched_at: str
    payload_digest: str | None
    redirects: tuple[str, ...] = ()
    recovered: tuple[Any, Any] | None = None  # a web archive's capture: memento, live outcome

    @classmethod
    def of_source(cls, record: SourceRecord) -> ArchivedFetch:
        assert record.warc is not None and record.http_status is not None
        recovered = (record.memento, record.live) if record.live is not None else None
        return cls(
            record.warc, record.url, record.http_status, record.content_type,
            record.fetched_at, record.payload_digest, tuple(record.redirects), recovered,
        )  # fmt: skip

    @classmethod
    def of_post(cls, record: PostRecord) -> ArchivedFetch:
        assert record.warc is not None
        return cls(
            record.warc, record.fetched_url, record.http_status, None, record.fetched_at,
            record.payload_digest,
        )  # fmt: skip


def archived_response(archive_dir: Path, request: Request, fetch: ArchivedFetch) -> Response:
    """The response of an archived fetch as the crawl's callback was given it (the payload
    decoded), flag ``archived``; its pointers and date in ``request.meta``."""
    archived = read_response(archive_dir, fetch.warc)
    headers = Headers()
    for name, value in archived.headers:
        if name.encode("latin-1").lower() not in _WIRE_HEADERS:
            headers.appendlist(name, value)
    if fetch.content_type:
        # This fetch's: a revisit's original record may have been served with another.
        headers[b"Content-Type"] = fetch.content_type
    url = fetch.url or request.url
    cls = responsetypes.from_args(headers=headers, url=url, body=archived.body)
    request.meta[META_POINTER] = fetch.warc
    request.meta[META_FETCHED_AT] = fetch.fetched_at
    request.meta[META_PAYLOAD_DIGEST] = fetch.payload_digest
    if fetch.redirects:
        request.meta["redirect_urls"] = list(fetch.redirects)
    if fetch.recovered is not None:
        request.meta[META_RECOVERED] = fetch.recovered
    return cls(
        url=url,
        status=fetch.http_status,
        headers=headers,
        body=archived.body,
        flags=[FLAG_ARCHIVED],
        request=request,
    )


def stored_response(request: Request, stored: StoredResponse) -> Response:
    """A replayed capture as it was received (still content-encoded), flag ``replayed``."""
    headers = Headers()
    for name, value in stored.headers:
        headers.appendlist(name, value)
    url = stored.capture.url
    cls = responsetypes.from_args(headers=headers, url=url, body=stored.body)
    request.meta[META_POINTER] = stored.payload
    request.meta[META_RECORD] = stored.capture.pointer
    request.meta[META_FETCHED_AT] = isoformat(
        datetime.fromisoformat(stored.date.replace("Z", "+00:00"))
    )
    request.meta[META_PAYLOAD_DIGEST] = stored.payload_digest
    return cls(
        url=request.url.partition("#")[0],  # as the download handler gives it
        status=stored.http_status,
        headers=headers,
        body=stored.body,
        flags=[FLAG_REPLAYED, *truncation_flags(stored.truncated)],
        request=request,
    )


def truncation_flags(truncated: str | None) -> list[str]:
    """The flags the downloader put on a response the archive says was cut short."""
    if truncated == "time":
        return [FLAG_STOPPED, FLAG_TIME]
    return [FLAG_DATALOSS] if truncated else []
