"""How the ``blog`` spider reads a blog's lists through its platform's profile.

The profile names the first list pages and reads each page into posts and further list pages
(crawler/platforms/profile.py); this mixin requests them through the same guard as the Blogger
discovery (crawler/spiders/discovery.py: each URL once, sitemap depth and page caps), and stops
a paged list at a page that lists nothing it had not listed before, or at a missing page past
the first (WordPress answers 404 past the feed's last page, 400 past the API's). A list that is
missing altogether gives way to its fallback (core's sitemap to a plugin's, the pretty feed to
the plain one); a list closed on this blog (the REST API behind a login) is logged and left.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.items import ListedPost, ListingItem
from crawler.platforms import ListError, ListRequest, Profile
from crawler.spiders.discovery import START, DiscoveryGuard

if TYPE_CHECKING:
    from scrapy.http import Response
    from twisted.python.failure import Failure


logger = logging.getLogger(__name__)

META_LIST = "bitext_list"  # the ListRequest a response answers
PAST_THE_END = frozenset({400, 404})  # a page past a paged list's last


class ProfileDiscovery:
    """Spider mixin: discovery of a blog's posts through its platform profile's lists."""

    blog: str
    discover: set[str]
    since: date | None
    single_post: str | None
    feed_published: dict[str, datetime]
    profile: Profile

    if TYPE_CHECKING:  # provided by the spider
        discovery_guard: DiscoveryGuard

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

        def post_key(self, url: str) -> str | None: ...

        def _discovery_requests(
            self,
            listed_by: str,
            urls: Iterable[str],
            callback: Any,
            meta: dict[str, Any],
            *,
            depth: int = 0,
        ) -> list[scrapy.Request]: ...

    def profile_requests(self) -> list[scrapy.Request]:
        """What the crawl starts from: the one post asked for, or the profile's first lists."""
        if self.single_post:
            request = self._post_request(self.single_post, found_by="argument")
            if request is None:
                raise ValueError(f"not a {self.profile.name} post permalink: {self.single_post}")
            return [request]
        lists = self.profile.start_lists(self.blog, frozenset(self.discover))
        return self._list_requests(START, lists)

    def parse_list(self, response: Response) -> Iterator[scrapy.Request | ListingItem]:
        self.discovery_guard.read(response.url)
        listed: ListRequest = response.meta[META_LIST]
        headers = {
            key.decode("latin-1").lower(): b", ".join(values).decode("latin-1")
            for key, values in response.headers.items()
        }
        try:
            page = self.profile.read_list(listed, response.body, headers)
        except ListError as exc:
            logger.error("unusable %s list page %s: %s", listed.kind, response.url, exc)
            self._inc(f"bitext/discovery/bad_{listed.kind}")
            return
        posts = [post for post in page.posts if self.post_key(post.url)]
        new = self._new_in_list(listed.kind, [self.post_key(p.url) or p.url for p in posts])
        in_window = []
        for post in page.posts:
            canonical = self.post_key(post.url)
            if canonical and post.published:
                self.feed_published.setdefault(canonical, post.published)
                if not self._in_window(post.published.date()):
                    continue
            # A post last modified before the window opened was also published before it.
            if self.since and post.lastmod and post.lastmod.date() < self.since:
                continue
            in_window.append(ListedPost(post.url, post.lastmod, post.updated))
        yield from self._listed_posts(listed.kind, in_window)
        following = [nxt for nxt in page.lists if nxt.page > listed.page]
        if following and page.posts and not new:
            logger.warning(
                "%s page %s lists nothing new (every post on it was listed before): "
                "the list is not read further",
                listed.kind,
                response.url,
            )
            self._inc(f"bitext/discovery/{listed.kind}_nothing_new")
            page_lists: tuple[ListRequest, ...] = tuple(
                nxt for nxt in page.lists if nxt not in following
            )
        else:
            page_lists = page.lists
        yield from self._list_requests(response.url, page_lists)

    def list_failed(self, failure: Failure) -> Iterator[scrapy.Request]:
        request = failure.request  # type: ignore[attr-defined]
        listed: ListRequest = request.meta[META_LIST]
        status = failure.value.response.status if failure.check(HttpError) else None
        if listed.page > 1 and status in PAST_THE_END:
            return  # past the last page of a paged list
        if listed.fallback:
            first, *rest = listed.fallback
            logger.info(
                "%s list %s missing (%s): trying %s", listed.kind, request.url, status, first
            )
            replacement = ListRequest(
                first, listed.kind, page=listed.page, depth=listed.depth, fallback=tuple(rest)
            )
            yield from self._list_requests(request.url, [replacement])
            return
        why = f"HTTP {status}" if status is not None else repr(failure.value)
        logger.warning(
            "the %s list %s is not available (%s): discovery goes on with the other lists",
            listed.kind,
            request.url,
            why,
        )
        self._inc(f"bitext/discovery/{listed.kind}_unavailable")

    def _list_requests(self, listed_by: str, lists: Iterable[ListRequest]) -> list[scrapy.Request]:
        requests = []
        for listed in lists:
            for request in self._discovery_requests(
                listed_by, [listed.url], self.parse_list, {META_LIST: listed}, depth=listed.depth
            ):
                requests.append(request.replace(errback=self.list_failed))
        return requests

    def _new_in_list(self, kind: str, posts: list[str]) -> int:
        """How many of a list page's posts that list had not listed before (now remembered)."""
        seen: dict[str, set[str]] = self.__dict__.setdefault("_listed_by_kind", {})
        listed = seen.setdefault(kind, set())
        before = len(listed)
        listed.update(posts)
        return len(listed) - before
