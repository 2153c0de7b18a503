"""A cited page that is gone or paywalled, read from a web archive's capture instead.

When a cited URL's outcome is one a capture may stand in for (``wants_archive``: 404/410, also at
the end of a redirect chain, a domain that no longer resolves, a paywalled teaser), each archive
of ``SOURCE_ARCHIVES`` is asked in turn: its CDX API lists the captures, the one closest before
the translation's publication (else the closest after) is fetched raw, and the capture is read
with the source reading for the cited URL (crawler/reading/page.py). A capture that reads as the
article becomes the source, with its memento and the live URL's outcome; anything else (no
capture, an answer that is not the API's, a capture that redirects to another page or does not
read as an article) passes to the next archive, and after the last the live outcome stands.

The lookups and the captures are ordinary requests: archived by the WARC capture, subject to
robots.txt and the URL guard. They carry ``meta[META_FALLBACK]``, never ``meta["cited_url"]``,
so that the archive cache and the read-ahead (which key on it) leave them alone. The decisions
are crawler/policy/webarchive.py's; whether a capture is the cited article is the match
evidence's, in crawler/pairing/compose.py.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

import scrapy

from crawler import defaults
from crawler.archive.pointer import WarcPointer
from crawler.dates import isoformat
from crawler.downloadermiddlewares.archived_responses import META_RECOVERED
from crawler.extensions.crawl_log import META_ITEM_RECORD
from crawler.extensions.warc_capture import (
    META_FETCHED_AT,
    META_PAYLOAD_DIGEST,
    META_POINTER,
    META_RECORD,
)
from crawler.items import SourceItem, live_outcome
from crawler.policy.webarchive import (
    ArchiveAnswerError,
    Capture,
    archive_bases,
    captured_page,
    cdx_url,
    choose_capture,
    parse_cdx,
    parse_timestamp,
    wants_archive,
)
from crawler.reading.pool import PageReading
from crawler.spiders.responses import header
from crawler.truncation import is_truncated

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

META_FALLBACK = "bitext_archive_fallback"  # a lookup's or a capture's Fallback
META_PUBLISHED = "bitext_cited_published"  # on a cited URL's request: the translation's time


@dataclass(frozen=True)
class Fallback:
    """What a lookup or a capture fetch carries: the live outcome, and what is left to ask."""

    live: SourceItem
    published: str | None  # ISO: the publication time of the first post citing the URL
    archive: str  # the archive asked now
    remaining: tuple[str, ...]  # the archives to ask after it
    capture: Capture | None = None
    # The record the live fetch wrote: the live outcome's crawl-log record refers to it.
    live_record: WarcPointer | None = None


class ArchiveFallback:
    """Spider mixin: the requests and callbacks of the web-archive fallback."""

    crawler: Crawler
    settings: Any

    def archive_fallback(
        self, item: SourceItem, meta: dict[str, Any]
    ) -> Iterator[SourceItem | scrapy.Request]:
        """``item``, or the first lookup of the archives when a capture may stand in for it."""
        if item.from_archive:
            yield recovered_as_recorded(item, meta)
            return
        if not self._fallback_enabled() or not wants_archive(item.status, item.error):
            yield item
            return
        archives = archive_bases(self.settings.get("SOURCE_ARCHIVES", defaults.SOURCE_ARCHIVES))
        if not archives:
            yield item
            return
        self._inc_archive("asked")
        published = meta.get(META_PUBLISHED)
        own = item.warc is not None and meta.get(META_POINTER) == item.warc
        record = meta.get(META_RECORD) if own else None
        yield self._lookup(Fallback(item, published, archives[0], archives[1:], None, record))

    def archive_listed(self, response: Response) -> Iterator[SourceItem | scrapy.Request]:
        fallback: Fallback = response.meta[META_FALLBACK]
        try:
            captures = parse_cdx(response.body, fallback.archive)
        except ArchiveAnswerError as error:
            logger.warning("%s: %s", response.url, error)
            yield from self._next_archive(fallback, "unreadable", response.meta)
            return
        published = datetime.fromisoformat(fallback.published) if fallback.published else None
        capture = choose_capture(captures, published)
        if capture is None:
            yield from self._next_archive(fallback, "not_archived", response.meta)
            return
        yield scrapy.Request(
            capture.raw_url,
            callback=self.archive_captured,
            errback=self.archive_failed,
            meta={META_FALLBACK: replace(fallback, capture=capture)},
            dont_filter=True,
        )

    def archive_captured(self, response: Response) -> Iterator[SourceItem | scrapy.Request]:
        fallback: Fallback = response.meta[META_FALLBACK]
        live = fallback.live
        # After the archive's redirects: a capture of the cited page, not of where it went.
        found = captured_page(response.url, fallback.archive, live.cited_url)
        if found is None:
            yield from self._next_archive(fallback, "refused", response.meta)
            return
        timestamp, original = found
        item = PageReading.source(
            cited_url=live.cited_url,
            url=response.url,
            redirects=response.meta.get("redirect_urls", []),
            http_status=response.status,
            content_type=header(response, b"Content-Type"),
            body=response.body,
            truncated=is_truncated(response.flags),
            warc=response.meta.get(META_POINTER),
            crawled_at=str(response.meta.get(META_FETCHED_AT) or live.crawled_at),
            max_bytes=self.settings.getint(
                "BITEXT_PARSE_MAX_BYTES", defaults.BITEXT_PARSE_MAX_BYTES
            ),
        ).run()
        assert isinstance(item, SourceItem)
        if item.status != "ok":
            yield from self._next_archive(fallback, "refused", response.meta)
            return
        item.payload_digest = response.meta.get(META_PAYLOAD_DIGEST)
        capture = Capture(fallback.archive, original, timestamp)
        item.memento = {
            "url": capture.memento_url,
            "datetime": isoformat(parse_timestamp(timestamp)) or "",
            "archive": fallback.archive,
        }
        item.live = live_outcome(live)
        self._inc_archive("captured")
        yield item

    def archive_failed(self, failure: Failure) -> Iterator[SourceItem | scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        fallback: Fallback = request.meta[META_FALLBACK]
        logger.info("%s: %s", request.url, failure.getErrorMessage())
        yield from self._next_archive(fallback, "failed", request.meta)

    def _lookup(self, fallback: Fallback) -> scrapy.Request:
        return scrapy.Request(
            cdx_url(fallback.archive, fallback.live.cited_url),
            callback=self.archive_listed,
            errback=self.archive_failed,
            meta={META_FALLBACK: fallback},
            dont_filter=True,
        )

    def _next_archive(
        self, fallback: Fallback, outcome: str, meta: dict[str, Any]
    ) -> Iterator[SourceItem | scrapy.Request]:
        """The lookup of the next archive, or, after the last, the live outcome (``meta``: the
        response's or failed request's it comes with, where the crawl log finds its page)."""
        self._inc_archive(outcome)
        if fallback.remaining:
            following = fallback.remaining
            yield self._lookup(
                replace(fallback, archive=following[0], remaining=following[1:], capture=None)
            )
            return
        if fallback.live_record is not None:
            meta[META_ITEM_RECORD] = (fallback.live.warc, fallback.live_record)
        yield fallback.live

    def _fallback_enabled(self) -> bool:
        return bool(
            self.settings.getbool("SOURCE_ARCHIVE_FALLBACK", defaults.SOURCE_ARCHIVE_FALLBACK)
        )

    def _inc_archive(self, outcome: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"bitext/archive_fallback/{outcome}")


def published_meta(published: datetime | None) -> dict[str, str]:
    """What a cited URL's request carries of the citing translation's publication time."""
    text = isoformat(published) if published is not None and published.tzinfo else None
    return {META_PUBLISHED: text} if text else {}


def recovered_as_recorded(item: SourceItem, meta: dict[str, Any]) -> SourceItem:
    """A page the archive cache answered: when an earlier crawl read it from a capture, the
    capture's memento and the live outcome the cache found recorded with it."""
    recovered = meta.get(META_RECOVERED)
    if recovered is not None and item.memento is None:
        item.memento, item.live = recovered
    return item
