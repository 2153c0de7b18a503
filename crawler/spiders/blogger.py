"""Spiders for Blogger-hosted translation blogs: discover every post once, follow its sources.

Discovery never touches ``/search`` (Blogger's robots.txt disallows it): permalinks come from the
sitemap index (``/sitemap.xml`` and its ``?page=N`` children) and from the Atom feed, paged by
``start-index`` until a page comes back empty, each list read once per crawl however the lists
name it (crawler/spiders/discovery.py). Whatever found a post, its text is always parsed from the
permalink page, exactly once. Parsing, dates and extraction live in the core modules; this module
only routes responses to them and turns outcomes into items.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import scrapy

from crawler import defaults
from crawler.blogger import blog_root, canonical_post_url
from crawler.downloadermiddlewares import archive_cache as cache
from crawler.downloadermiddlewares.archived_responses import FLAG_ARCHIVED
from crawler.extensions.warc_capture import META_PAYLOAD_DIGEST, META_POINTER
from crawler.items import ListedPost, ListingItem, PostItem, SourceItem
from crawler.reading.page import dated_by_feed
from crawler.reading.pool import PageReading, read_page
from crawler.spiders.archive_fallback import ArchiveFallback, published_meta
from crawler.spiders.cited_fetches import CitedFetchGuards
from crawler.spiders.discovery import BlogDiscovery
from crawler.spiders.failures import failure_status, url_too_long
from crawler.spiders.identity import identify
from crawler.spiders.options import parse_day, parse_limit
from crawler.spiders.responses import archived_as, fetched_at, header, now
from crawler.truncation import META_BUDGET, is_truncated

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)


class BloggerSpider(ArchiveFallback, CitedFetchGuards, BlogDiscovery, scrapy.Spider):
    """``scrapy crawl blogger -a blog=https://HOST/`` for any Blogger blog, any theme.

    Options (``-a name=value``): ``since``/``until`` (YYYY-MM-DD, inclusive, by publication
    date), ``limit`` (at most this many posts), ``post`` (crawl this one permalink only),
    ``discover`` (``sitemap``, ``feed`` or ``sitemap,feed``, the default), ``full`` (``1``:
    fetch every post and source again; by default a run into an archive fetches only new or
    changed posts and sources without a final outcome, see docs/incremental.md).
    """

    name = "blogger"
    default_blog: str | None = None

    def __init__(
        self,
        blog: str | None = None,
        since: str | None = None,
        until: str | None = None,
        limit: str | int | None = None,
        post: str | None = None,
        discover: str = "sitemap,feed",
        full: str | bool | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        target = blog or (post and blog_root(post)) or self.default_blog
        if not target:
            raise ValueError("give the blog to crawl: scrapy crawl blogger -a blog=https://HOST/")
        self.blog = blog_root(target)
        self.since = parse_day(since, "since")
        self.until = parse_day(until, "until")
        self.limit = parse_limit(limit)
        self.single_post = post
        self.discover = {part.strip() for part in discover.split(",") if part.strip()}
        if not self.discover or not self.discover <= {"sitemap", "feed"}:
            raise ValueError("discover takes sitemap, feed or sitemap,feed")
        self.scheduled: set[str] = set()
        self.cited: set[str] = set()  # cited URLs requested: each is fetched once, for all posts
        self.feed_published: dict[str, datetime] = {}
        self.full = str(full).strip().lower() in ("1", "true", "yes", "on")

    @classmethod
    def update_settings(cls, settings: BaseSettings) -> None:
        super().update_settings(settings)
        identify(settings)  # the User-Agent and the WARC files' operator (spiders/identity.py)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.connect_fetch_guards(crawler)
        # -a full=1 becomes the setting, so the pipeline composes from this run's fetches only.
        if spider.full:
            crawler.settings.set("BITEXT_FULL_CRAWL", True, priority="spider")
        spider.full = crawler.settings.getbool("BITEXT_FULL_CRAWL", defaults.BITEXT_FULL_CRAWL)
        return spider

    async def start(self) -> AsyncIterator[scrapy.Request]:
        self._restore_job_state()
        # The blog's sitemap and first feed page, or the one post asked for (BlogDiscovery).
        for request in self.discovery_requests():
            yield request

    def parse_post(self, response: Response) -> Iterator[PostItem | SourceItem | scrapy.Request]:
        item = self._read(response, self._post_reading)
        assert isinstance(item, PostItem)
        # The feed may have dated the post after its page was read (in a worker).
        post = dated_by_feed(item, self.feed_published.get(item.url)).post
        if post is None:
            self._inc("bitext/posts/unparsable")
            yield item
            return
        if post.published and not self._in_window(post.published.date()):
            self._inc("bitext/posts/outside_window")
            return
        if not item.from_archive:  # one read again from the archive was counted unchanged
            self._inc("bitext/posts/parsed")
        yield item
        # Every cited URL is requested once per run; one an earlier run settled is answered
        # from the archive (crawler/downloadermiddlewares/archive_cache.py).
        # The translation's time picks an archive's capture should the page be gone; a URL
        # cited by several posts carries the first one's.
        for url in post.citation.repaired_urls if post.citation else ():
            if url not in self.cited:
                self.cited.add(url)
                yield self._fetch_source(url, published=post.published)

    def post_failed(self, failure: Failure) -> Iterator[PostItem | SourceItem | scrapy.Request]:
        if failure.check(cache.ArchivedPost):  # unchanged: its archived copy and pairs stand
            return
        if failure.check(cache.ArchivedPostOutcome):  # replaying: the archived crawl's outcome
            yield failure.value.item
            return
        if failure.check(cache.NotArchived):  # replaying: the archived crawl made no item of it
            return
        request = failure.request  # type: ignore[attr-defined]
        # The status words are a source's (source_not_found...); a post's error is the sentence.
        _, error, response = failure_status(failure)
        self._inc("bitext/posts/unavailable")
        archived = archived_as(response)
        yield PostItem(
            url=request.meta["post_url"],
            fetched_url=request.url,
            http_status=response.status if response is not None else 0,
            post=None,
            warc=archived.get(META_POINTER),
            crawled_at=now(),
            error=error,
            payload_digest=archived.get(META_PAYLOAD_DIGEST),
        )

    def parse_source(self, response: Response) -> Iterator[SourceItem | scrapy.Request]:
        item = self._read(response, self._source_reading)
        assert isinstance(item, SourceItem)
        self._inc(f"bitext/sources/{item.status}")
        # Gone or paywalled: a web archive's capture may stand in (archive_fallback.py).
        yield from self.archive_fallback(item, response.meta)

    def page_reading(self, response: Response) -> PageReading | None:
        """The reading ``parse_post`` or ``parse_source`` will make of ``response``, as far as it
        can be told before the callback runs (for the read-ahead middleware); None for others."""
        if not 200 <= response.status < 300:
            return None  # the HttpError middleware sends it to the errback, which reads nothing
        if "post_url" in response.meta:
            return self._post_reading(response)
        if "cited_url" in response.meta:
            return self._source_reading(response)
        return None

    def _post_reading(self, response: Response) -> PageReading:
        return PageReading.post(
            url=response.meta["post_url"],
            fetched_url=response.url,
            http_status=response.status,
            content_type=header(response, b"Content-Type"),
            body=response.body,
            warc=response.meta.get(META_POINTER),
            crawled_at=fetched_at(response),
            max_bytes=self._parse_max_bytes(),
        )

    def _source_reading(self, response: Response) -> PageReading:
        return PageReading.source(
            cited_url=response.meta["cited_url"],
            url=response.url,
            redirects=response.meta.get("redirect_urls", []),
            http_status=response.status,
            content_type=header(response, b"Content-Type"),
            body=response.body,
            truncated=is_truncated(response.flags),
            warc=response.meta.get(META_POINTER),
            crawled_at=fetched_at(response),
            cutoff=self.cutoff(response),
            max_bytes=self._parse_max_bytes(),
        )

    def _parse_max_bytes(self) -> int:
        return self.settings.getint("BITEXT_PARSE_MAX_BYTES", defaults.BITEXT_PARSE_MAX_BYTES)

    def _read(
        self, response: Response, reading: Callable[[Response], PageReading]
    ) -> PostItem | SourceItem:
        item, pooled = read_page(response.meta, lambda: reading(response))
        self._inc("bitext/read_ahead/used" if pooled else "bitext/read_ahead/in_process")
        # What the archive says of the page, beside what the page says of itself.
        item.payload_digest = response.meta.get(META_PAYLOAD_DIGEST)
        item.from_archive = FLAG_ARCHIVED in response.flags
        return item

    def source_failed(self, failure: Failure) -> Iterator[SourceItem | scrapy.Request]:
        if failure.check(cache.ArchivedOutcome):
            outcome: SourceItem = failure.value.item
            self._inc(f"bitext/sources/{outcome.status}")
            if failure.value.then_archives:  # replaying: the live outcome, asked of the archives
                yield from self.archive_fallback(outcome, failure.request.meta)  # type: ignore[attr-defined]
                return
            yield outcome
            return
        if failure.check(cache.NotArchived):  # replaying: its post ends source_not_fetched
            return
        request = failure.request  # type: ignore[attr-defined]
        status, error, response = failure_status(failure, maxsize=self._maxsize(request.meta))
        self._inc(f"bitext/sources/{status}")
        archived = archived_as(response)
        item = SourceItem(
            cited_url=request.meta["cited_url"],
            status=status,
            # An answer's capture time (its WARC-Date), as for a page read; else the failure's.
            crawled_at=fetched_at(response) if response is not None else now(),
            url=response.url if response is not None else None,
            redirects=list(request.meta.get("redirect_urls", [])),
            http_status=response.status if response is not None else None,
            content_type=header(response, b"Content-Type") if response is not None else None,
            warc=archived.get(META_POINTER),
            error=error,
            payload_digest=archived.get(META_PAYLOAD_DIGEST),
        )
        yield from self.archive_fallback(
            item, response.meta if response is not None else request.meta
        )

    def _restore_job_state(self) -> None:
        saved = getattr(self, "state", None)
        if isinstance(saved, dict):
            # With a JOBDIR, Scrapy's SpiderState pickles this dict when the crawl stops and
            # gives it back when it resumes, with the requests still queued.
            self.scheduled = saved.setdefault("scheduled", self.scheduled)
            self.cited = saved.setdefault("cited", self.cited)
            self.feed_published = saved.setdefault("feed_published", self.feed_published)

    def closed(self, reason: str) -> None:
        saved = getattr(self, "state", None)
        if reason == "finished" and isinstance(saved, dict):
            # A finished job leaves nothing to resume: a later run with this JOBDIR starts anew.
            saved.clear()

    def _listed_posts(
        self, found_by: str, listed: Sequence[ListedPost]
    ) -> Iterator[ListingItem | scrapy.Request]:
        """What the posts of a list page lead to: their dates (when the list gives any), for
        the crawl state, and a request for each post not requested yet. A post may be named
        by any URL of it. Whether its archived copy stands is the archive cache's to say."""
        dated = [
            ListedPost(canonical, post.lastmod, post.updated)
            for post in listed
            if (post.lastmod or post.updated) and (canonical := self.post_key(post.url))
        ]
        if dated:
            yield ListingItem(dated)
        for post in listed:
            request = self._post_request(
                post.url, found_by, listed=True, modified=post.lastmod or post.updated
            )
            if request is not None:
                yield request

    def _fetch_source(
        self, url: str, *, published: datetime | None = None
    ) -> scrapy.Request | SourceItem:
        """The request for a cited URL, or its outcome when it cannot be requested."""
        max_length = self.settings.getint("URLLENGTH_LIMIT")
        if max_length and len(url) > max_length:
            # Scrapy's UrlLengthMiddleware would drop the request without a trace.
            status, error = url_too_long(url, max_length)
            self._inc(f"bitext/sources/{status}")
            return SourceItem(cited_url=url, status=status, crawled_at=now(), error=error)
        return self._source_request(url, published=published)

    def _source_request(self, url: str, *, published: datetime | None = None) -> scrapy.Request:
        # META_BUDGET: a page cut off at a budget (size, time, decoded size) is kept and
        # recorded as truncated, not dropped (crawler/truncation.py).
        meta: dict[str, Any] = {"cited_url": url, META_BUDGET: True, **published_meta(published)}
        return scrapy.Request(
            url, callback=self.parse_source, errback=self.source_failed, meta=meta
        )

    def post_key(self, url: str) -> str | None:
        """The canonical permalink of a post URL of this blog, or None for another page (the
        ``blog`` spider asks its platform's profile)."""
        return canonical_post_url(url)

    def _post_request(
        self, url: str, found_by: str, *, listed: bool = False, modified: datetime | None = None
    ) -> scrapy.Request | None:
        """The request for a post, unless it is not one, is requested already or is past the
        limit. ``listed``: a list gave it (``modified``: the list's date for it); the archive
        cache may then answer that its archived copy stands."""
        canonical = self.post_key(url)
        if canonical is None:
            self._inc("bitext/discovery/not_a_post")  # static pages, archives, labels
            return None
        if canonical in self.scheduled:
            return None
        if not self._within_limit():
            return None
        self.scheduled.add(canonical)
        self._inc(f"bitext/discovery/{found_by}")
        meta: dict[str, Any] = {"post_url": canonical}
        if listed:
            meta[cache.META_LISTED] = modified.isoformat() if modified is not None else None
        return self._permalink_request(canonical, meta)

    def archived_post_request(self, url: str) -> scrapy.Request:
        """The request for an archived post no list of this run gave, whose pairs the archive
        cache has this run compose again (it answers the request with the archived copy)."""
        self.scheduled.add(url)
        return self._permalink_request(url, {"post_url": url})

    def _permalink_request(self, url: str, meta: dict[str, Any]) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_post,
            errback=self.post_failed,
            meta=meta,
            dont_filter=True,  # self.scheduled and the archive cache decide, not a JOBDIR's memory
        )

    def _within_limit(self) -> bool:
        """Whether one more post is this run's: ``limit`` counts every post a run takes up,
        fetched or found unchanged, so an incremental run covers the posts a full one would."""
        return self.limit is None or len(self.scheduled) < self.limit

    def _in_window(self, day: date) -> bool:
        return not ((self.since and day < self.since) or (self.until and day > self.until))

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)


class T2Spider(BloggerSpider):
    """航空宇宙ビジネス短信・T2: defence news translated from The War Zone, Breaking Defense, ..."""

    name = "t2"
    default_blog = "https://aviation-space-business.blogspot.com/"


class T1Spider(BloggerSpider):
    """The same translator's civil-aviation blog."""

    name = "t1"
    default_blog = "https://aviationspacebusiness-civilaviation.blogspot.com/"
