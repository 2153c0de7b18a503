"""Answer requests for listed posts and cited pages from the WARC archive when an earlier crawl
settled them.

Scrapy's HttpCacheMiddleware keeps responses in a storage of its own and asks a policy whether
a stored one may be used. Here the storage is the archive itself (its WARC records, found
through the crawl state's pointers) and the policy is the refetch policy
(crawler/policy/refetch.py): a listed post whose archived copy stands and a cited URL whose last
outcome was final are not fetched again. The spiders request every post their lists give and
every URL a post cites; what is archived is decided here alone.

- A post a list gave (``meta[META_LISTED]``: the list's date for it, or None) whose archived copy
  is as new as the lists say is not fetched. When its pairs are composed again (its copy cites a
  URL this run fetches all the same, or a killed run did not journal them all), it is answered
  with its archived copy, as a settled page is (below), and the spider reads it and requests what
  it cites; otherwise the request fails with :class:`ArchivedPost`. A post requested otherwise
  (``-a post=URL``) is fetched. When the crawl would end (``spider_idle``), the archived posts
  owed so that no list gave are requested through the spider's ``archived_post_request``
  (``meta[META_REREAD]``) and answered with their copies.
- An outcome read from a page (``ok``, ``source_paywalled``, ``source_not_html``) is answered
  with the archived response: the final URL, the HTTP status and content type of that fetch,
  the payload as the crawl's callback was given it (``Content-Encoding`` removed), the flag
  ``archived``, and in ``meta`` the WARC pointer, the capture's date and the redirect hops (and
  for a page an earlier crawl read from a web archive's capture, ``META_RECOVERED``: the capture
  and the live outcome). The callback reads it as it read the page the first time.
- An outcome without a page (``source_not_found``, ``source_blocked_by_robots``, ...) fails the
  request with :class:`ArchivedOutcome`, which carries the item made from the state's record.
- A page that does not read back (a damaged file) is fetched again, with a WARNING.

The responses are made by crawler/downloadermiddlewares/archived_responses.py. Nothing answered
here reaches the network or the WARC capture (the downloader never sends
``response_downloaded`` for it). Only requests with ``meta["cited_url"]`` equal to their URL are
looked up (a redirect hop is a fetch of its own); ``meta["dont_cache"]`` opts one out.
``ARCHIVE_CACHE_ENABLED`` switches it off, and a full crawl (``BITEXT_FULL_CRAWL``) fetches all.
It sits after the URL guard, so a URL refused today is refused whatever the archive says, and
before robots.txt, so an archived page costs no robots.txt fetch.

**Replay.** With ``ARCHIVE_CACHE_REPLAY`` (an archive directory, or the
:class:`~crawler.archive.storage.ArchiveStorage` the rebuild command opened) the storage is that
archive and the policy is the replay policy (crawler/policy/offline.py): EVERY request is answered
from the archive, none is fetched. An archived response comes back as it was received (still
content-encoded: the crawl's decompression, redirect and retry middlewares handle it again), flag
``replayed``, with the WARC pointers and date of the capture in ``meta``; an outcome not read
from a page fails the request with :class:`ArchivedOutcome` or :class:`ArchivedPostOutcome`
(the crawl-log record's item); anything else fails with :class:`NotArchived`. In its place
(before robots.txt, as the crawl's outcomes came first) this middleware answers only with those
outcomes; :class:`ArchiveReplayMiddleware`, last before the download handler as Scrapy's
HttpCacheMiddleware sits, answers with the responses, so robots.txt, retries and every redirect
hop run as in the crawl. ``python -m crawler rebuild --via-crawl`` sets both up
(crawler/commands/rebuild_crawl.py).
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest, NotConfigured

from crawler import defaults
from crawler.archive.layout import STATE_DIR, STATE_NAME
from crawler.archive.reader import RecordError
from crawler.archive.storage import ArchiveStorage
from crawler.downloadermiddlewares.archived_responses import (
    ArchivedFetch,
    archived_response,
    stored_response,
)
from crawler.items import PostItem, SourceItem
from crawler.policy.offline import Answer, replay_request
from crawler.policy.refetch import POSTS_REREAD, PostAnswer, RefetchPolicy
from crawler.reading.archived import item_from_log, source_item_from_state
from crawler.state import PAGE_STATUSES, CrawlState, SourceRecord

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

META_LISTED = "bitext_listed"  # on a listed post's request: the list's date for it (ISO) or None
META_REREAD = "bitext_reread"  # on an owed post's request: answered with its archived copy
REPLAYED = "archive_cache/replay"  # stats prefix: one count per answer (capture, logged, ...)


class ArchivedOutcome(IgnoreRequest):
    """The request is not made: an earlier crawl's final outcome, without a page, stands.
    ``then_archives``: replaying, the live outcome of a page the crawl read from a web archive's
    capture, which the spider asks the web archives about again."""

    def __init__(self, item: SourceItem, *, then_archives: bool = False) -> None:
        super().__init__(f"{item.cited_url}: {item.status} (archived)")
        self.item = item
        self.then_archives = then_archives


class ArchivedPost(IgnoreRequest):
    """The listed post is not fetched: its archived copy and its pairs stand."""

    def __init__(self, url: str) -> None:
        super().__init__(f"{url}: unchanged since it was archived")
        self.url = url


class ArchivedPostOutcome(IgnoreRequest):
    """Replaying: the post's request is not made; the archived crawl's outcome without a page
    (its crawl-log record) stands."""

    def __init__(self, item: PostItem) -> None:
        super().__init__(f"{item.url}: {item.error or 'no page'} (archived)")
        self.item = item


class NotArchived(IgnoreRequest):
    """Replaying: the archive holds no answer to this request, and nothing is fetched."""


class ArchiveCacheMiddleware:
    # Replaying, this one (before robots.txt, as the crawl's own outcomes came first) answers
    # with the outcomes of the crawl log; ArchiveReplayMiddleware, last, with the responses.
    answers_responses = False

    def __init__(
        self,
        crawler: Crawler,
        archive_dir: Path,
        *,
        full: bool = False,
        replay: ArchiveStorage | None = None,
    ) -> None:
        self.crawler = crawler
        self.archive_dir = archive_dir
        self.full = full
        self.policy: RefetchPolicy | None = None
        self._state: CrawlState | None = None
        self.replay = replay
        self.requested_posts: set[str] = set()  # this run's, read again from the archive or not

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveCacheMiddleware:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_CACHE_ENABLED", defaults.ARCHIVE_CACHE_ENABLED):
            raise NotConfigured("ARCHIVE_CACHE_ENABLED is off")
        archive_dir = Path(settings.get("ARCHIVE_DIR", defaults.ARCHIVE_DIR))
        full = settings.getbool("BITEXT_FULL_CRAWL", defaults.BITEXT_FULL_CRAWL)
        replay = settings.get("ARCHIVE_CACHE_REPLAY", defaults.ARCHIVE_CACHE_REPLAY)
        storage = None
        if replay:
            storage = replay if isinstance(replay, ArchiveStorage) else ArchiveStorage.scan(replay)
        middleware = cls(crawler, archive_dir, full=full, replay=storage)
        if not cls.answers_responses:
            crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
            crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
            crawler.signals.connect(middleware.spider_idle, signal=signals.spider_idle)
        return middleware

    def spider_opened(self, spider: Spider) -> None:
        # An archive no crawl has recorded into has nothing to answer: nothing is created.
        if not self.full and (self.archive_dir / STATE_DIR / STATE_NAME).exists():
            self._state = CrawlState.open(self.archive_dir)
        recheck = self.crawler.settings.getfloat(
            "SOURCE_RECHECK_DAYS", defaults.SOURCE_RECHECK_DAYS
        )
        self.policy = RefetchPolicy(
            self._state,
            self.archive_dir,
            full=self.full,
            stats=self.crawler.stats,
            recheck_days=recheck,
            refetched=self.replay.logged_source if self.replay is not None else None,
        )

    def spider_closed(self, spider: Spider) -> None:
        if self._state is not None:
            self._state.close()
            self._state = None
        self.policy = None

    def process_request(self, request: Request) -> Response | None:
        if request.meta.get("post_url") == request.url:
            self.requested_posts.add(request.url)  # however answered: not asked for at the end
        if self.replay is not None:
            return self._replayed(request, self.replay)
        return self._from_state(request)

    def _from_state(self, request: Request) -> Response | None:
        """The answer of what an earlier run settled, as the crawl state records it (None: the
        request is made)."""
        meta = request.meta
        if self.policy is None or meta.get("dont_cache"):
            return None
        post_url = meta.get("post_url")
        if post_url == request.url:
            if META_REREAD in meta:
                return self._reread(request, post_url)
            if META_LISTED not in meta:
                return None  # asked for by URL: fetched
            listed = meta[META_LISTED]
            modified = datetime.fromisoformat(listed) if listed else None
            answer = self.policy.listed_post(request.url, modified)
            if answer is PostAnswer.UNCHANGED:
                raise ArchivedPost(request.url)
            return self._reread(request, post_url) if answer is PostAnswer.REREAD else None
        url = meta.get("cited_url")
        if url != request.url:
            return None
        record = self.policy.source_outcome(url)
        if record is None:
            return None
        if record.status not in PAGE_STATUSES or record.warc is None or not record.http_status:
            raise ArchivedOutcome(self._outcome(record))
        try:
            return archived_response(self.archive_dir, request, ArchivedFetch.of_source(record))
        except RecordError as exc:
            self.policy.unreadable(url, exc)
            return None

    def _reread(self, request: Request, url: str) -> Response | None:
        """The archived copy of a post whose pairs this run composes again (None: it is fetched,
        there being no copy that reads back)."""
        assert self.policy is not None
        record = self.policy.archived_post(url)
        if record is None or record.warc is None or not record.http_status:
            return None
        try:
            response = archived_response(self.archive_dir, request, ArchivedFetch.of_post(record))
        except RecordError as exc:
            logger.warning("archived post %s cannot be read back (%s): fetching it", url, exc)
            return None
        self._count(POSTS_REREAD)
        return response

    def spider_idle(self, spider: Spider) -> None:
        """Before the crawl ends, the archived posts it has not requested whose pairs it owes
        (a killed run's, or citing a URL this run fetched) are requested, to be read again."""
        build = getattr(spider, "archived_post_request", None)
        if self.policy is None or self.crawler.engine is None or not callable(build):
            return  # a spider without the method reads nothing again
        owed = self.policy.owed_posts(self.requested_posts)
        for url in owed:
            self.requested_posts.add(url)
            request = build(url)
            request.meta[META_REREAD] = True
            self.crawler.engine.crawl(request)
        if owed:
            logger.info("reading %d archived posts again, whose pairs this crawl owes", len(owed))
            raise DontCloseSpider

    def _outcome(self, record: SourceRecord) -> SourceItem:
        item = source_item_from_state(self.archive_dir, record)
        item.from_archive = True
        return item

    def _replayed(self, request: Request, storage: ArchiveStorage) -> Response | None:
        meta = request.meta
        first = not meta.get("redirect_urls")  # a redirect hop is a fetch of its own URL
        post_url = meta.get("post_url") if first and meta.get("post_url") == request.url else None
        cited = meta.get("cited_url") if first and meta.get("cited_url") == request.url else None
        replay = replay_request(storage, request.url, post_url=post_url, cited_url=cited)
        item_request = post_url is not None or cited is not None
        if replay.entry is not None and replay.answer is not Answer.MISSING:
            kind, url = ("post", post_url) if post_url is not None else ("source", cited)
            storage.reached.add((kind, str(url)))
        if not self.answers_responses and (
            replay.answer is Answer.CAPTURE
            or (replay.answer is Answer.MISSING and not item_request)
        ):
            return None  # answered last, after robots.txt, retries and redirects
        if replay.answer is Answer.MISSING and item_request and not self.answers_responses:
            answered = self._settled_earlier(request)
            if answered is not None:
                return answered
        self._count(f"{REPLAYED}/{replay.answer.value}")
        if replay.answer is Answer.CAPTURE:
            assert replay.capture is not None
            try:
                stored = storage.read(replay.capture)
            except RecordError as exc:
                raise NotArchived(
                    f"{request.url}: the archived response does not read back ({exc})"
                ) from None
            return stored_response(request, stored)
        if replay.answer is Answer.MISSING:
            raise NotArchived(f"{request.url}: not in the archive ({replay.reason}); not fetched")
        assert replay.entry is not None
        item = item_from_log(replay.entry.fields)
        if isinstance(item, PostItem):
            raise ArchivedPostOutcome(item)
        if replay.answer is Answer.LIVE_THEN_ARCHIVES:
            raise ArchivedOutcome(item.live_item(), then_archives=True)
        raise ArchivedOutcome(item)

    def _settled_earlier(self, request: Request) -> Response | None:
        """Replaying, a post or cited URL the replayed run did not fetch: what an earlier run of
        the archive settled, from the crawl state of the runs replayed before, as that run was
        answered then (None: nothing is)."""
        try:
            answered = self._from_state(request)
        except IgnoreRequest:
            self._count(f"{REPLAYED}/settled")
            raise
        if answered is not None:
            self._count(f"{REPLAYED}/settled")
        return answered

    def _count(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)


class ArchiveReplayMiddleware(ArchiveCacheMiddleware):
    """Replaying only, last before the download handler: every request still unanswered gets
    its archived response, or fails with :class:`NotArchived`."""

    answers_responses = True

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchiveCacheMiddleware:
        if not crawler.settings.get("ARCHIVE_CACHE_REPLAY", defaults.ARCHIVE_CACHE_REPLAY):
            raise NotConfigured("ARCHIVE_CACHE_REPLAY is not set: the crawl fetches")
        return super().from_crawler(crawler)
