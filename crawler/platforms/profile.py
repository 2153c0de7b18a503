"""What a platform profile is: the one module a supported blogging platform needs.

A profile says how to recognise the platform from what a site serves, where the blog lists its
posts and how to read those lists, what a post permalink looks like, and how to read a post
page. The ``blog`` spider (crawler/spiders/blog.py) asks the profiles in turn which one a site
is (:mod:`crawler.platforms.detect`), then drives discovery through the profile's lists; the
page reading (crawler/reading/page.py) asks which profile a page is
(:func:`crawler.platforms.read_post`). Nothing here imports Scrapy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from crawler.blogger import BloggerPost

__all__ = ["ListError", "ListPage", "ListRequest", "ListedPost", "Profile"]


class ListError(ValueError):
    """A list page (sitemap, feed, API page) that cannot be read."""


@dataclass(frozen=True)
class ListRequest:
    """A page of one of the blog's lists of posts.

    ``kind`` names the list (``sitemap``, ``feed``, ``rest``: what ``-a discover`` selects and
    the stats count); ``depth`` is how many sitemap indexes lead to it; ``fallback`` are the
    URLs to try in its place, in order, when it is missing (a 404: a plugin's sitemap instead of
    core's, the plain feed of a blog without pretty permalinks).
    """

    url: str
    kind: str
    page: int = 1
    depth: int = 0
    fallback: tuple[str, ...] = ()


@dataclass(frozen=True)
class ListedPost:
    """A post a list names, with the dates the list gives."""

    url: str
    lastmod: datetime | None = None  # a sitemap's
    updated: datetime | None = None  # a feed's or an API's modification time
    published: datetime | None = None


@dataclass(frozen=True)
class ListPage:
    """What one list page gives: posts, and further list pages (children, the next page)."""

    posts: tuple[ListedPost, ...] = ()
    lists: tuple[ListRequest, ...] = ()


class Profile(Protocol):
    """A blogging platform as the crawler knows it."""

    name: str  # the manifest's translation.platform
    list_kinds: frozenset[str]  # the lists it can read: what ``-a discover`` may name
    default_discover: frozenset[str]  # the lists read when ``discover`` is not given

    def site_marks(self, url: str, body: bytes, headers: Mapping[str, str]) -> str | None:
        """Why the site at ``url`` (its home page's response) is this platform, or None."""
        ...

    def page_marks(self, body: bytes) -> str | None:
        """Why a page is one of this platform's, from the page alone, or None."""
        ...

    def blog_root(self, url: str) -> str:
        """The blog's root URL for a URL of it."""
        ...

    def canonical_post_url(self, url: str, blog: str) -> str | None:
        """The one form of a post permalink of ``blog``, or None for another page."""
        ...

    def start_lists(self, blog: str, discover: frozenset[str]) -> list[ListRequest]:
        """The first list pages of the lists named in ``discover``."""
        ...

    def read_list(self, request: ListRequest, body: bytes, headers: Mapping[str, str]) -> ListPage:
        """One list page read (raises ListError)."""
        ...

    def parse_post(self, html: bytes, url: str, *, encoding: str | None = None) -> BloggerPost:
        """A post page read (raises crawler.blogger.PostParseError)."""
        ...
