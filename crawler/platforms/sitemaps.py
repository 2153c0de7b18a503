"""A platform's sitemap page as a list page: its posts, or the sitemaps of an index that list
posts (WordPress's post sitemaps, Hatena Blog's periodical ones), never those that list none."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from crawler.blogger import parse_sitemap
from crawler.platforms.profile import ListedPost, ListPage, ListRequest

SITEMAP = "sitemap"


def sitemap_page(
    request: ListRequest, body: bytes, *, lists_posts: re.Pattern[str], lists_none: re.Pattern[str]
) -> ListPage:
    """The posts of a sitemap (with their lastmod), or for an index the children whose path
    ``lists_posts`` matches; an index naming its sitemaps otherwise (a plugin's): every child
    but those ``lists_none`` matches. Raises DiscoveryError for a page that is no sitemap."""
    sitemap = parse_sitemap(body)
    if not sitemap.is_index:
        return ListPage(posts=tuple(ListedPost(e.loc, lastmod=e.lastmod) for e in sitemap.entries))
    children = [e.loc for e in sitemap.entries]
    wanted = [url for url in children if lists_posts.search(urlsplit(url).path)]
    if not wanted:
        wanted = [url for url in children if not lists_none.search(urlsplit(url).path)]
    return ListPage(
        lists=tuple(ListRequest(url, SITEMAP, depth=request.depth + 1) for url in wanted)
    )
