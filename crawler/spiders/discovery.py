"""How the Blogger spiders read a blog's lists of posts: its sitemaps and its feed pages.

Discovery cannot loop. A sitemap index that lists itself, or an ever deeper index, and a feed
server that ignores ``start-index`` would each keep a crawl going until it is killed, so within
one crawl:

- every sitemap or feed URL is requested at most once (``bitext/discovery/repeated_url``);
- sitemap indexes nest at most ``BITEXT_SITEMAP_MAX_DEPTH`` deep (``.../depth_cap``);
- at most ``BITEXT_DISCOVERY_MAX_PAGES`` sitemap and feed pages are read (``.../page_cap``);
- the feed pager stops at a page that lists no post it has not listed before
  (``.../feed_nothing_new``) or that leads back to where it was (``.../feed_backwards``).

Each is logged as a WARNING naming the URL. The requests keep ``dont_filter``: the lists are read
on every run, even with a JOBDIR that saw them; the memory is the crawl's own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

import scrapy
from w3lib.url import canonicalize_url

from crawler import defaults
from crawler.blogger import (
    DiscoveryError,
    canonical_post_url,
    feed_url,
    parse_feed,
    parse_sitemap,
    sitemap_url,
)
from crawler.items import ListedPost, ListingItem

if TYPE_CHECKING:
    from scrapy.http import Response

logger = logging.getLogger(__name__)

FEED_PAGE_SIZE = 150  # Blogger's cap; the pager does not rely on getting that many
META_DEPTH = "bitext_sitemap_depth"  # sitemap indexes above this one: the blog's own is 0
META_START = "start_index"  # the feed page a request asks for

# Why a discovery URL is not requested: the stat (bitext/discovery/...) and what the log says.
REPEATED = "repeated_url"
DEPTH_CAP = "depth_cap"
PAGE_CAP = "page_cap"
START = "the start of the crawl"  # what lists the blog's own sitemap and first feed page


@dataclass
class DiscoveryGuard:
    """What this crawl's discovery requested and listed, and its caps (0: no page cap)."""

    max_depth: int = defaults.BITEXT_SITEMAP_MAX_DEPTH
    max_pages: int = defaults.BITEXT_DISCOVERY_MAX_PAGES
    requested: set[str] = field(default_factory=set)  # canonical URLs
    feed_posts: set[str] = field(default_factory=set)  # post URLs the feed listed

    @classmethod
    def from_settings(cls, settings: Any) -> DiscoveryGuard:
        if settings is None:  # a spider built without a crawler (the seed command's)
            return cls()
        return cls(
            max_depth=settings.getint(
                "BITEXT_SITEMAP_MAX_DEPTH", defaults.BITEXT_SITEMAP_MAX_DEPTH
            ),
            max_pages=settings.getint(
                "BITEXT_DISCOVERY_MAX_PAGES", defaults.BITEXT_DISCOVERY_MAX_PAGES
            ),
        )

    def admit(self, url: str, depth: int = 0) -> str | None:
        """None if ``url`` may be requested (it is remembered), else why not (a stat name)."""
        key = canonicalize_url(url)
        if key in self.requested:
            return REPEATED
        if depth > self.max_depth:
            return DEPTH_CAP
        if self.max_pages and len(self.requested) >= self.max_pages:
            return PAGE_CAP
        self.requested.add(key)
        return None

    def read(self, url: str) -> None:
        """Remember a page being read that this guard did not admit: a redirect's target, or a
        seed another node of a distributed crawl requested."""
        self.requested.add(canonicalize_url(url))

    def new_in_feed(self, posts: Iterable[str]) -> int:
        """How many of a feed page's posts the feed had not listed before (now remembered)."""
        before = len(self.feed_posts)
        self.feed_posts.update(posts)
        return len(self.feed_posts) - before


class BlogDiscovery:
    """Spider mixin: the discovery requests of ``BloggerSpider`` and their callbacks."""

    blog: str
    discover: set[str]
    since: date | None
    single_post: str | None
    feed_published: dict[str, datetime]

    if TYPE_CHECKING:  # provided by the spider

        def _listed_posts(
            self, found_by: str, listed: Sequence[ListedPost]
        ) -> Iterator[ListingItem | scrapy.Request]: ...

        def _post_request(
            self,
            url: str,
            found_by: str,
            *,
            listed: bool = False,
            modified: datetime | None = None,
        ) -> scrapy.Request | None: ...

        def _in_window(self, day: date) -> bool: ...

        def _inc(self, key: str) -> None: ...

    @cached_property
    def discovery_guard(self) -> DiscoveryGuard:
        return DiscoveryGuard.from_settings(getattr(self, "settings", None))

    def discovery_requests(self) -> list[scrapy.Request]:
        """What a crawl starts from: the one post asked for, or the blog's sitemap and feed."""
        if self.single_post:
            request = self._post_request(self.single_post, found_by="argument")
            if request is None:
                raise ValueError(f"not a Blogger post permalink: {self.single_post}")
            return [request]
        requests = []
        if "sitemap" in self.discover:
            requests += self._sitemap_requests(START, [sitemap_url(self.blog)], depth=0)
        if "feed" in self.discover:
            requests += self._feed_request(1, START)
        return requests

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request | ListingItem]:
        self.discovery_guard.read(response.url)
        try:
            sitemap = parse_sitemap(response.body)
        except DiscoveryError as exc:
            logger.error("unusable sitemap %s: %s", response.url, exc)
            self._inc("bitext/discovery/bad_sitemap")
            return
        if sitemap.is_index:
            depth = response.meta.get(META_DEPTH, 0) + 1
            yield from self._sitemap_requests(response.url, [e.loc for e in sitemap.entries], depth)
            return
        # A post last modified before the window opened was also published before it.
        listed = [
            ListedPost(entry.loc, lastmod=entry.lastmod)
            for entry in sitemap.entries
            if not (self.since and entry.lastmod and entry.lastmod.date() < self.since)
        ]
        yield from self._listed_posts("sitemap", listed)

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request | ListingItem]:
        self.discovery_guard.read(response.url)
        try:
            page = parse_feed(response.body)
        except DiscoveryError as exc:
            logger.error("unusable feed page %s: %s", response.url, exc)
            self._inc("bitext/discovery/bad_feed")
            return
        if not page.entries:
            return  # past the last page
        new = self.discovery_guard.new_in_feed(
            canonical_post_url(entry.url) or entry.url for entry in page.entries
        )
        listed = []
        for entry in page.entries:
            canonical = canonical_post_url(entry.url)
            if canonical and entry.published:
                self.feed_published[canonical] = entry.published
                if not self._in_window(entry.published.date()):
                    continue
            listed.append(ListedPost(entry.url, updated=entry.updated))
        yield from self._listed_posts("feed", listed)
        if not new:
            # A server that ignores start-index gives its first page for every page.
            logger.warning(
                "feed page %s lists nothing new (every post on it was listed before): "
                "the feed is not read further",
                response.url,
            )
            self._inc("bitext/discovery/feed_nothing_new")
            return
        asked = response.meta.get(META_START, 1)
        following = (page.start_index or asked) + len(page.entries)
        if following <= asked:
            logger.warning(
                "feed page %s says it starts at %d, which leads back to start-index %d: "
                "the feed is not read further",
                response.url,
                page.start_index,
                following,
            )
            self._inc("bitext/discovery/feed_backwards")
            return
        yield from self._feed_request(following, response.url)

    def _feed_request(self, start_index: int, listed_by: str) -> list[scrapy.Request]:
        url = feed_url(self.blog, start_index=start_index, max_results=FEED_PAGE_SIZE, summary=True)
        return self._discovery_requests(
            listed_by, [url], self.parse_feed, {META_START: start_index}
        )

    def _sitemap_requests(
        self, listed_by: str, urls: list[str], depth: int
    ) -> list[scrapy.Request]:
        return self._discovery_requests(
            listed_by, urls, self.parse_sitemap, {META_DEPTH: depth}, depth=depth
        )

    def _discovery_requests(
        self,
        listed_by: str,
        urls: Iterable[str],
        callback: Callable[[Response], Iterator[scrapy.Request | ListingItem]],
        meta: dict[str, Any],
        *,
        depth: int = 0,
    ) -> list[scrapy.Request]:
        """Requests for the discovery ``urls`` that ``listed_by`` gave, through the guard; one
        WARNING per reason for the others, naming the first."""
        requests = []
        refused: dict[str, list[str]] = {}
        for url in urls:
            reason = self.discovery_guard.admit(url, depth)
            if reason is not None:
                refused.setdefault(reason, []).append(url)
                self._inc(f"bitext/discovery/{reason}")
                continue
            requests.append(
                scrapy.Request(
                    url,
                    callback=callback,
                    meta=dict(meta),
                    # The lists are read on every run, even with a JOBDIR that saw them.
                    dont_filter=True,
                )
            )
        for reason, skipped in refused.items():
            self._warn_refused(listed_by, reason, skipped)
        return requests

    def _warn_refused(self, listed_by: str, reason: str, skipped: list[str]) -> None:
        why = {
            REPEATED: "already requested in this crawl",
            DEPTH_CAP: "a sitemap nested deeper than BITEXT_SITEMAP_MAX_DEPTH="
            f"{self.discovery_guard.max_depth}",
            PAGE_CAP: "past BITEXT_DISCOVERY_MAX_PAGES="
            f"{self.discovery_guard.max_pages} sitemap and feed pages",
        }[reason]
        more = f" (and {len(skipped) - 1} more)" if len(skipped) > 1 else ""
        logger.warning("%s lists %s%s, %s: not requested", listed_by, skipped[0], more, why)
