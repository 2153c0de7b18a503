"""The WordPress profile: self-hosted WordPress and WordPress.com blogs, any theme."""

from __future__ import annotations

from collections.abc import Mapping

from crawler.blogger import BloggerPost
from crawler.platforms.profile import ListPage, ListRequest
from crawler.platforms.wordpress import discovery, urls
from crawler.platforms.wordpress import selectors as sel
from crawler.platforms.wordpress.post import parse_wordpress_post

__all__ = ["WORDPRESS", "WordPressProfile"]

HEAD_BYTES = 262_144  # the marks stand in the head and the first markup of the page


class WordPressProfile:
    name = "wordpress"
    list_kinds = discovery.KINDS
    default_discover = frozenset(discovery.KINDS)

    def site_marks(self, url: str, body: bytes, headers: Mapping[str, str]) -> str | None:
        link = headers.get("link") or ""
        if sel.API_LINK_HEADER.search(link):
            return "REST API Link header"
        return self.page_marks(body)

    def page_marks(self, body: bytes) -> str | None:
        head = body[:HEAD_BYTES]
        for pattern, evidence in sel.PAGE_MARKS:
            if pattern.search(head):
                return evidence
        return None

    def blog_root(self, url: str) -> str:
        return urls.blog_root(url)

    def canonical_post_url(self, url: str, blog: str) -> str | None:
        return urls.canonical_post_url(url, blog)

    def start_lists(self, blog: str, discover: frozenset[str]) -> list[ListRequest]:
        return discovery.start_lists(blog, discover)

    def read_list(self, request: ListRequest, body: bytes, headers: Mapping[str, str]) -> ListPage:
        return discovery.read_list(request, body, headers)

    def parse_post(self, html: bytes, url: str, *, encoding: str | None = None) -> BloggerPost:
        return parse_wordpress_post(html, url, encoding=encoding)


WORDPRESS = WordPressProfile()
