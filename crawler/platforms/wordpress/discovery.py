"""A WordPress blog's lists of posts: sitemaps, the RSS feed and the REST API.

- Sitemaps: core's ``/wp-sitemap.xml`` (WordPress 5.5+) is an index of
  ``wp-sitemap-posts-post-N.xml``, ``-posts-page-``, ``-taxonomies-``, ``-users-`` sitemaps;
  Yoast SEO and Rank Math serve ``/sitemap_index.xml`` with ``post-sitemap.xml``,
  ``post-sitemap2.xml``, ``page-sitemap.xml``, ``category-sitemap.xml``. Only post sitemaps
  are read: a page, a category or an author URL has the shape of a ``/slug/`` permalink.
- The RSS 2.0 feed ``/feed/``, paged with ``?paged=N`` (a page past the last is a 404). Each
  item's ``<link>`` is the permalink (``<guid>`` is the ``?p=N`` form, which redirects).
- The REST API ``/wp-json/wp/v2/posts?per_page=100&page=N``: ``X-WP-TotalPages`` says how
  many pages there are. Many blogs close it (401, 403, 404): the other lists suffice.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

from lxml import etree

from crawler.blogger import DiscoveryError
from crawler.dates import parse_timestamp
from crawler.platforms.profile import ListedPost, ListError, ListPage, ListRequest
from crawler.platforms.sitemaps import SITEMAP, sitemap_page
from crawler.platforms.wordpress.urls import feed_url, rest_posts_url, sitemap_urls

__all__ = ["read_list", "start_lists"]

FEED, REST = "feed", "rest"
KINDS = frozenset({SITEMAP, FEED, REST})
POST_SITEMAP = re.compile(r"(?:^|/)(?:wp-sitemap-posts-post-\d+|post-sitemap\d*)\.xml$")
OTHER_SITEMAP = re.compile(
    r"(?:^|/)(?:wp-sitemap-(?:posts-(?!post-)|taxonomies-|users-)[^/]*|"
    r"(?:page|category|post_tag|tag|author|attachment|product|portfolio|news|video|image|local)"
    r"[-_]sitemap\d*)\.xml$"
)
TOTAL_PAGES = "x-wp-totalpages"


def start_lists(blog: str, discover: frozenset[str]) -> list[ListRequest]:
    requests = []
    if SITEMAP in discover:
        core, *plugins = sitemap_urls(blog)
        requests.append(ListRequest(core, SITEMAP, fallback=tuple(plugins)))
    if FEED in discover:
        requests.append(ListRequest(feed_url(blog), FEED, fallback=(feed_url(blog, plain=True),)))
    if REST in discover:
        requests.append(ListRequest(rest_posts_url(blog), REST))
    return requests


def read_list(request: ListRequest, body: bytes, headers: Mapping[str, str]) -> ListPage:
    try:
        if request.kind == SITEMAP:
            return _sitemap(request, body)
        if request.kind == FEED:
            return _feed(request, body)
        if request.kind == REST:
            return _rest(request, body, headers)
    except DiscoveryError as error:
        raise ListError(str(error)) from error
    raise ListError(f"no such WordPress list: {request.kind}")


def _sitemap(request: ListRequest, body: bytes) -> ListPage:
    return sitemap_page(request, body, lists_posts=POST_SITEMAP, lists_none=OTHER_SITEMAP)


def _feed(request: ListRequest, body: bytes) -> ListPage:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(body, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as error:
        raise ListError(f"unreadable XML: {error}") from error
    channel = root.find("channel") if root is not None else None
    if root is None or root.tag != "rss" or channel is None:
        raise ListError("not an RSS 2.0 feed (no <rss><channel>)")
    posts = []
    for item in channel.iterfind("item"):
        link = (item.findtext("link") or "").strip()
        if not link:
            continue
        published = _rfc822((item.findtext("pubDate") or "").strip())
        posts.append(ListedPost(link, updated=published, published=published))
    lists: tuple[ListRequest, ...] = ()
    if posts:
        # The next page until one is missing (404) or lists nothing new (the spider's guard).
        url = request.url
        plain = "feed=rss2" in url
        blog = url.split("?")[0] if plain else url.split("feed/")[0]
        following = feed_url(blog, request.page + 1, plain=plain)
        lists = (ListRequest(following, FEED, page=request.page + 1),)
    return ListPage(posts=tuple(posts), lists=lists)


def _rest(request: ListRequest, body: bytes, headers: Mapping[str, str]) -> ListPage:
    try:
        data = json.loads(body)
    except ValueError as error:
        raise ListError(f"not JSON: {error}") from error
    if not isinstance(data, list):
        raise ListError("the REST API answered with something else than a list of posts")
    posts = []
    for entry in data:
        if isinstance(entry, dict) and isinstance(entry.get("link"), str):
            posts.append(
                ListedPost(
                    entry["link"],
                    updated=_gmt(entry.get("modified_gmt")),
                    published=_gmt(entry.get("date_gmt")),
                )
            )
    total = _int(headers.get(TOTAL_PAGES))
    lists: tuple[ListRequest, ...] = ()
    if posts and total is not None and request.page < total:
        blog = request.url.split("wp-json/")[0]
        lists = (ListRequest(rest_posts_url(blog, request.page + 1), REST, page=request.page + 1),)
    return ListPage(posts=tuple(posts), lists=lists)


def _gmt(value: object) -> datetime | None:
    # The API's *_gmt fields are UTC without an offset.
    return parse_timestamp(f"{value}Z") if isinstance(value, str) and value else None


def _rfc822(text: str) -> datetime | None:
    # RSS 2.0 writes dates as RFC 822 ("Sat, 29 Mar 2025 01:05:00 +0000").
    try:
        return parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError):
        return parse_timestamp(text)


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
