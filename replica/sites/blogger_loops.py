"""Blogger lists that never end on their own: hostile variants of a replica blog's discovery.

A sitemap index that lists itself, one that lists an ever deeper index, and a feed that ignores
``start-index`` (every page is the first one, and says so) have all been seen on misconfigured
hosts and proxies. A crawler that trusts them reads them forever. Each variant wraps a replica
blog and answers as it does for everything else.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit

from replica.sites.blogger import BloggerSite
from replica.sites.blogger_feeds import sitemap_index
from replica.web import Resource, Site

SITEMAP_LOOPS = ("self", "deeper")
INDEX_PARAM = "index"  # /sitemap.xml?index=N: the N-th index of the "deeper" chain


class LoopingLists:
    """``blog`` with a looping sitemap index (``sitemap``: "self" or "deeper") and/or a feed
    that ignores ``start-index`` (``feed_ignores_start``)."""

    def __init__(
        self, blog: BloggerSite, *, sitemap: str | None = None, feed_ignores_start: bool = False
    ) -> None:
        if sitemap is not None and sitemap not in SITEMAP_LOOPS:
            raise ValueError(f"unknown sitemap loop {sitemap!r}; expected one of {SITEMAP_LOOPS}")
        self.blog = blog
        self.sitemap = sitemap
        self.feed_ignores_start = feed_ignores_start

    def resolve(self, path: str, headers: Mapping[str, str]) -> Resource | None:
        split = urlsplit(path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        if split.path == "/sitemap.xml" and self.sitemap and "page" not in query:
            return self._index(query)
        if split.path.startswith("/feeds/posts/") and self.feed_ignores_start:
            query.pop("start-index", None)
            path = split.path + (f"?{urlencode(query)}" if query else "")
        return self.blog.resolve(path, headers)

    def _index(self, query: Mapping[str, str]) -> Resource | None:
        base = self.blog.blog.base
        pages = max(1, -(-len(self.blog.refs) // self.blog.sitemap_page_size))
        real = [f"{base}/sitemap.xml?page={n}" for n in range(1, pages + 1)]
        if self.sitemap == "self":
            listed = [f"{base}/sitemap.xml", *real]
        else:
            try:
                level = int(query.get(INDEX_PARAM, "0"))
            except ValueError:
                return None
            listed = [f"{base}/sitemap.xml?{INDEX_PARAM}={level + 1}", *real]
        body = sitemap_index(listed).encode()
        return Resource(200, (("Content-Type", "application/xml; charset=UTF-8"),), body)

    def aliases(self) -> dict[str, Site]:
        return self.blog.aliases()
