"""The Hatena Blog profile: blogs on ``*.hatenablog.com`` and the service's other hosts, and
on custom domains (recognised by the markup every Hatena page has)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from crawler.blogger import BloggerPost
from crawler.platforms.hatena import discovery, urls
from crawler.platforms.hatena import selectors as sel
from crawler.platforms.hatena.post import parse_hatena_post
from crawler.platforms.profile import ListPage, ListRequest

__all__ = ["HATENA", "HatenaProfile"]

HEAD_BYTES = 262_144  # the marks stand on <html> and in the head


class HatenaProfile:
    name = "hatena"
    list_kinds = discovery.KINDS
    default_discover = frozenset(discovery.KINDS)

    def site_marks(self, url: str, body: bytes, headers: Mapping[str, str]) -> str | None:
        if urls.HATENA_HOST.search((urlsplit(url).hostname or "").lower()):
            return "a Hatena Blog host"
        return self.page_marks(body)

    def page_marks(self, body: bytes) -> str | None:
        head = body[:HEAD_BYTES]
        for pattern, evidence in sel.PAGE_MARKS:
            if pattern.search(head):
                return evidence
        if sel.FEED_GENERATOR.search(head):
            return "the Atom feed's generator"
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
        return parse_hatena_post(html, url, encoding=encoding)


HATENA = HatenaProfile()
