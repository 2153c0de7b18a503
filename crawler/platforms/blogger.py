"""The Blogger profile: the platform of crawler/blogger/, seen through the profile seam.

Blogger's lists (sitemap index, Atom feed paged by ``start-index``) are read by the Blogger
spiders' own discovery (crawler/spiders/discovery.py), which the ``blog`` spider uses as it is
for a Blogger site; this profile recognises the platform and reads its posts.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from crawler.blogger import BloggerPost, blog_root, canonical_post_url, parse_post
from crawler.platforms.profile import ListPage, ListRequest

__all__ = ["BLOGGER", "BloggerProfile"]

HEAD_BYTES = 262_144
BLOGSPOT = re.compile(r"(?:^|\.)blogspot\.[a-z.]+$")
PAGE_MARKS = (
    (re.compile(rb"""content=["']blogger["']\s+name=["']generator["']""", re.I), "generator meta"),
    (re.compile(rb"""name=["']generator["']\s+content=["']blogger["']""", re.I), "generator meta"),
    (re.compile(rb"_WidgetManager\._Init"), "Blogger widget manager"),
    (re.compile(rb"//www\.blogger\.com/(?:static|dyn-css|feeds)/"), "www.blogger.com assets"),
)


class BloggerProfile:
    name = "blogger"
    list_kinds = frozenset({"sitemap", "feed"})
    default_discover = list_kinds

    def site_marks(self, url: str, body: bytes, headers: Mapping[str, str]) -> str | None:
        if BLOGSPOT.search((urlsplit(url).hostname or "").lower()):
            return "a blogspot host"
        return self.page_marks(body)

    def page_marks(self, body: bytes) -> str | None:
        head = body[:HEAD_BYTES]
        for pattern, evidence in PAGE_MARKS:
            if pattern.search(head):
                return evidence
        return None

    def blog_root(self, url: str) -> str:
        return blog_root(url)

    def canonical_post_url(self, url: str, blog: str) -> str | None:
        return canonical_post_url(url)

    def start_lists(self, blog: str, discover: frozenset[str]) -> list[ListRequest]:
        raise NotImplementedError("Blogger lists are read by crawler/spiders/discovery.py")

    def read_list(self, request: ListRequest, body: bytes, headers: Mapping[str, str]) -> ListPage:
        raise NotImplementedError("Blogger lists are read by crawler/spiders/discovery.py")

    def parse_post(self, html: bytes, url: str, *, encoding: str | None = None) -> BloggerPost:
        return parse_post(html, url, encoding=encoding)


BLOGGER = BloggerProfile()
