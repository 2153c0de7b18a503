"""A Hatena blog's lists of posts: the sitemap index and the Atom feed.

- Sitemaps: ``/sitemap.xml`` is an index of ``sitemap_common.xml`` (the top page, ``/about``,
  the archive: no posts) and one ``sitemap_periodical.xml?year=YYYY&month=M`` per month with
  posts, each a ``<urlset>`` of that month's permalinks with their ``<lastmod>``. Only the
  periodical sitemaps are read.
- The Atom feed ``/feed``: the newest entries, and a ``<link rel="next">`` to the next page
  (``/feed?page=EPOCH``, the entries older than that time) until the last page, which has
  none. Each entry's ``<link rel="alternate">`` is the permalink.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from crawler.blogger import DiscoveryError, parse_feed
from crawler.platforms.hatena.urls import feed_url, sitemap_urls
from crawler.platforms.profile import ListedPost, ListError, ListPage, ListRequest
from crawler.platforms.sitemaps import SITEMAP, sitemap_page

__all__ = ["KINDS", "read_list", "start_lists"]

FEED = "feed"
KINDS = frozenset({SITEMAP, FEED})
PERIODICAL = re.compile(r"(?:^|/)sitemap_periodical\.xml$")
NO_POSTS = re.compile(r"(?:^|/)sitemap_common\.xml$")


def start_lists(blog: str, discover: frozenset[str]) -> list[ListRequest]:
    requests = []
    if SITEMAP in discover:
        index, *others = sitemap_urls(blog)
        requests.append(ListRequest(index, SITEMAP, fallback=tuple(others)))
    if FEED in discover:
        requests.append(ListRequest(feed_url(blog), FEED))
    return requests


def read_list(request: ListRequest, body: bytes, headers: Mapping[str, str]) -> ListPage:
    try:
        if request.kind == SITEMAP:
            return _sitemap(request, body)
        if request.kind == FEED:
            return _feed(request, body)
    except DiscoveryError as error:
        raise ListError(str(error)) from error
    raise ListError(f"no such Hatena Blog list: {request.kind}")


def _sitemap(request: ListRequest, body: bytes) -> ListPage:
    return sitemap_page(request, body, lists_posts=PERIODICAL, lists_none=NO_POSTS)


def _feed(request: ListRequest, body: bytes) -> ListPage:
    page = parse_feed(body)
    posts = tuple(
        ListedPost(entry.url, updated=entry.updated, published=entry.published)
        for entry in page.entries
    )
    lists: tuple[ListRequest, ...] = ()
    if posts and page.next_url and page.next_url != request.url:
        lists = (ListRequest(page.next_url, FEED, page=request.page + 1),)
    return ListPage(posts=posts, lists=lists)
