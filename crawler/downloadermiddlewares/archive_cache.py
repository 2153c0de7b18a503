"""Answer requests for cited pages from the WARC archive when an earlier crawl settled them.

Scrapy's HttpCacheMiddleware keeps responses in a storage of its own and asks a policy whether
a stored one may be used. Here the storage is the archive itself (its WARC records, found
through the crawl state's pointers) and the policy is the refetch policy
(crawler/policy/refetch.py): a cited URL whose last outcome was final is not fetched again.

- An outcome read from a page (``ok``, ``source_paywalled``, ``source_not_html``) is answered
  with the archived response: the final URL, the HTTP status and content type of that fetch,
  the payload as the crawl's callback was given it (``Content-Encoding`` removed), the flag
  ``archived``, and in ``meta`` the WARC pointer, the capture's date and the redirect hops. The
  callback reads it as it read the page the first time.
- An outcome without a page (``source_not_found``, ``source_blocked_by_robots``, ...) fails the
  request with :class:`ArchivedOutcome`, which carries the item made from the state's record.
- A page that does not read back (a damaged file) is fetched again, with a WARNING.

Nothing answered here reaches the network or the WARC capture (the downloader never sends
``response_downloaded`` for it). Only requests with ``meta["cited_url"]`` equal to their URL are
looked up (a redirect hop is a fetch of its own); ``meta["dont_cache"]`` opts one out.
``ARCHIVE_CACHE_ENABLED`` switches it off, and a full crawl (``BITEXT_FULL_CRAWL``) fetches all.
It sits after the URL guard, so a URL refused today is refused whatever the archive says, and
before robots.txt, so an archived page costs no robots.txt fetch.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

from crawler import defaults
from crawler.archive.layout import STATE_DIR, STATE_NAME
from crawler.archive.reader import RecordError
from crawler.extensions.warc_capture import META_FETCHED_AT, META_PAYLOAD_DIGEST, META_POINTER
from crawler.items import SourceItem
from crawler.policy.refetch import SOURCES_ARCHIVED, RefetchPolicy
from crawler.reading.archived import read_response, source_item_from_state
from crawler.state import PAGE_STATUSES, CrawlState, SourceRecord

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

FLAG_ARCHIVED = "archived"
# Headers that described the bytes on the wire, not the decoded payload the response carries.
_WIRE_HEADERS = frozenset({b"content-encoding", b"content-length", b"transfer-encoding"})


class ArchivedOutcome(IgnoreRequest):
    """The request is not made: an earlier crawl's final outcome, without a page, stands."""

    def __init__(self, item: SourceItem) -> None:
        super().__init__(f"{item.cited_url}: {item.status} (archived)")
        self.item = item


class ArchiveCacheMiddleware:
    def __init__(self, crawler: Crawler, archive_dir: Path, *, full: bool = False) -> None:
        self.crawler = crawler
        self.archive_dir = archive_dir
        self.full = full
        self.policy: RefetchPolicy | None = None
        self._state: CrawlState | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveCacheMiddleware:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_CACHE_ENABLED", defaults.ARCHIVE_CACHE_ENABLED):
            raise NotConfigured("ARCHIVE_CACHE_ENABLED is off")
        archive_dir = Path(settings.get("ARCHIVE_DIR", defaults.ARCHIVE_DIR))
        full = settings.getbool("BITEXT_FULL_CRAWL", defaults.BITEXT_FULL_CRAWL)
        middleware = cls(crawler, archive_dir, full=full)
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        # An archive no crawl has recorded into has nothing to answer: nothing is created.
        if not self.full and (self.archive_dir / STATE_DIR / STATE_NAME).exists():
            self._state = CrawlState.open(self.archive_dir)
        self.policy = RefetchPolicy(
            self._state, self.archive_dir, full=self.full, stats=self.crawler.stats
        )

    def spider_closed(self, spider: Spider) -> None:
        if self._state is not None:
            self._state.close()
            self._state = None
        self.policy = None

    def process_request(self, request: Request) -> Response | None:
        url = request.meta.get("cited_url")
        if self.policy is None or url != request.url or request.meta.get("dont_cache"):
            return None
        record = self.policy.archived_source(url)
        if record is None:
            return None
        if record.status not in PAGE_STATUSES or record.warc is None or not record.http_status:
            self.policy.count(SOURCES_ARCHIVED)
            raise ArchivedOutcome(self._outcome(record))
        try:
            response = self._archived_response(request, record)
        except RecordError as exc:
            self.policy.unreadable(url, exc)
            return None
        self.policy.count(SOURCES_ARCHIVED)
        return response

    def _outcome(self, record: SourceRecord) -> SourceItem:
        item = source_item_from_state(self.archive_dir, record)
        item.from_archive = True
        return item

    def _archived_response(self, request: Request, record: SourceRecord) -> Response:
        assert record.warc is not None and record.http_status is not None
        archived = read_response(self.archive_dir, record.warc)
        headers = Headers()
        for name, value in archived.headers:
            if name.encode("latin-1").lower() not in _WIRE_HEADERS:
                headers.appendlist(name, value)
        if record.content_type:
            # This fetch's: a revisit's original record may have been served with another.
            headers[b"Content-Type"] = record.content_type
        url = record.url or request.url
        cls = responsetypes.from_args(headers=headers, url=url, body=archived.body)
        request.meta[META_POINTER] = record.warc
        request.meta[META_FETCHED_AT] = record.fetched_at
        request.meta[META_PAYLOAD_DIGEST] = record.payload_digest
        if record.redirects:
            request.meta["redirect_urls"] = list(record.redirects)
        return cls(
            url=url,
            status=record.http_status,
            headers=headers,
            body=archived.body,
            flags=[FLAG_ARCHIVED],
            request=request,
        )
