"""One codec between items and the records that remember them.

A crawl remembers each item twice: as a row of the crawl state (crawler/state/: what the next run
decides from) and as a crawl-log record in the WARC files (``crawllog.py``: what ``rebuild``
reads). Both say the same of an item, in :class:`~crawler.state.PostRecord` and
:class:`~crawler.state.SourceRecord` terms: the row is made here (``post_record``,
``source_record``), the crawl-log format decodes into the same records, and an item is made
again from a record here (``post_item``, ``source_item``), by the crawl's own reading code
(crawler/reading/page.py) where the item was read from a page, so it is the item the crawl made.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from crawler.items import PostItem, SourceItem
from crawler.reading.page import dated_by_feed, read_post_page, read_source_page
from crawler.state import PARSED, UNAVAILABLE, UNPARSABLE, PostRecord, SourceRecord


@dataclass(frozen=True)
class ArchivedPage:
    """The page an item was read from, as archived: the payload decoded from its
    ``Content-Encoding`` (what the crawl's callback was given)."""

    body: bytes
    content_type: str | None = None  # the archived response's, for a record that has none
    truncated: bool = False  # cut short on the wire (WARC-Truncated)


def parse_status(item: PostItem) -> str:
    """PARSED; UNPARSABLE (a page came, and held no post: final); UNAVAILABLE (no usable page)."""
    if item.post is not None:
        return PARSED
    return UNAVAILABLE if item.http_status == 0 or item.http_status >= 400 else UNPARSABLE


def post_record(item: PostItem, *, modified: datetime | None = None) -> PostRecord:
    """The crawl-state row of a post item; ``modified``: the newest date the blog's lists gave
    the post when it was fetched."""
    return PostRecord(
        url=item.url,
        fetched_url=item.fetched_url,
        http_status=item.http_status,
        parse_status=parse_status(item),
        error=item.error,
        warc=item.warc,
        payload_digest=item.payload_digest,
        fetched_at=item.crawled_at,
        modified=modified.isoformat() if modified else None,
        feed_published=item.feed_published,
    )


def source_record(item: SourceItem) -> SourceRecord:
    """The crawl-state row of a source item."""
    return SourceRecord(
        cited_url=item.cited_url,
        status=item.status,
        error=item.error,
        url=item.url,
        redirects=tuple(item.redirects),
        http_status=item.http_status,
        content_type=item.content_type,
        warc=item.warc,
        payload_digest=item.payload_digest,
        fetched_at=item.crawled_at,
        memento=item.memento,
        live=item.live,
        drift=item.drift,
    )


def post_item(record: PostRecord, page: ArchivedPage | None = None) -> PostItem:
    """The post item ``record`` describes: read again from ``page``, or, for an outcome without a
    page, from the record alone."""
    if page is None:
        return PostItem(
            url=record.url,
            fetched_url=record.fetched_url,
            http_status=record.http_status,
            post=None,
            warc=record.warc,
            crawled_at=record.fetched_at,
            error=record.error,
            payload_digest=record.payload_digest,
        )
    published = record.feed_published
    item = read_post_page(
        url=record.url,
        fetched_url=record.fetched_url,
        http_status=record.http_status,
        content_type=page.content_type,
        body=page.body,
        warc=record.warc,
        crawled_at=record.fetched_at,
    )
    dated_by_feed(item, datetime.fromisoformat(published) if published else None)
    item.payload_digest = record.payload_digest
    return item


def source_item(record: SourceRecord, page: ArchivedPage | None = None) -> SourceItem:
    """The source item ``record`` describes: read again from ``page``, or, for an outcome
    without a page, from the record alone."""
    if page is None:
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
            payload_digest=record.payload_digest,
            memento=record.memento,
            live=record.live,
            drift=record.drift,
        )
    if record.url is None or record.http_status is None:
        raise ValueError(f"{record.cited_url}: a source read from a page has its URL and status")
    item = read_source_page(
        cited_url=record.cited_url,
        url=record.url,
        redirects=record.redirects,
        http_status=record.http_status,
        content_type=record.content_type or page.content_type,
        body=page.body,
        truncated=page.truncated,
        warc=record.warc,
        crawled_at=record.fetched_at,
    )
    item.payload_digest = record.payload_digest
    item.drift = record.drift
    if record.live is not None:
        # Read from a web archive's capture: the capture stands in for the live URL, unless it
        # reads as no article today, when the live URL's outcome is the source's.
        item.memento, item.live = record.memento, record.live
        if item.status != "ok":
            live = item.live_item()
            live.drift = record.drift
            return live
    return item
