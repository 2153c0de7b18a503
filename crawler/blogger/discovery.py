"""The blog's own lists of its posts: ``sitemap.xml`` and the paged Atom feed.

Both are parsed with entity expansion and network access off; element names are matched by
local name so that the namespace spellings seen in the wild (OpenSearch 1.0 and 1.1, sitemap
0.9 with or without a prefix) all read the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree

from crawler.blogger import selectors as sel
from crawler.blogger.urls import canonical_post_url
from crawler.dates import parse_timestamp

__all__ = [
    "DiscoveryError",
    "FeedEntry",
    "FeedPage",
    "Sitemap",
    "SitemapEntry",
    "parse_feed",
    "parse_sitemap",
]


class DiscoveryError(ValueError):
    """The document is not a readable sitemap or Atom feed."""


@dataclass(frozen=True)
class SitemapEntry:
    loc: str
    lastmod: datetime | None


@dataclass(frozen=True)
class Sitemap:
    is_index: bool
    entries: tuple[SitemapEntry, ...]


@dataclass(frozen=True)
class FeedEntry:
    url: str
    post_id: str | None
    title: str
    published: datetime | None
    updated: datetime | None
    labels: tuple[str, ...]
    has_full_content: bool


@dataclass(frozen=True)
class FeedPage:
    entries: tuple[FeedEntry, ...]
    total_results: int | None
    start_index: int | None
    items_per_page: int | None
    next_url: str | None


def parse_sitemap(xml: bytes) -> Sitemap:
    """A ``<urlset>`` (post URLs) or a ``<sitemapindex>`` (further sitemap pages)."""
    root = _parse(xml)
    kind = etree.QName(root).localname
    if kind not in ("urlset", "sitemapindex"):
        raise DiscoveryError(f"not a sitemap: root element <{kind}>")
    child = "sitemap" if kind == "sitemapindex" else "url"
    entries = []
    for item in _children(root, child):
        loc = _child_text(item, "loc")
        if loc:
            entries.append(SitemapEntry(loc, parse_timestamp(_child_text(item, "lastmod"))))
    return Sitemap(is_index=kind == "sitemapindex", entries=tuple(entries))


def parse_feed(xml: bytes) -> FeedPage:
    """One page of Blogger's Atom feed (``/feeds/posts/default`` or ``/summary``)."""
    root = _parse(xml)
    if etree.QName(root).localname != "feed":
        raise DiscoveryError(f"not an Atom feed: root element <{etree.QName(root).localname}>")
    entries = []
    for entry in _children(root, "entry"):
        href = _link(entry, "alternate")
        if not href:
            continue
        post_id = sel.FEED_POST_ID.search(_child_text(entry, "id") or "")
        content = _children(entry, "content")
        entries.append(
            FeedEntry(
                url=canonical_post_url(href) or href,
                post_id=post_id.group(1) if post_id else None,
                title=" ".join((_child_text(entry, "title") or "").split()),
                published=parse_timestamp(_child_text(entry, "published")),
                updated=parse_timestamp(_child_text(entry, "updated")),
                labels=tuple(
                    term
                    for category in _children(entry, "category")
                    if (term := (category.get("term") or "").strip())
                ),
                has_full_content=any((c.text or "").strip() or len(c) for c in content),
            )
        )
    return FeedPage(
        entries=tuple(entries),
        total_results=_int(_child_text(root, "totalResults")),
        start_index=_int(_child_text(root, "startIndex")),
        items_per_page=_int(_child_text(root, "itemsPerPage")),
        next_url=_link(root, "next"),
    )


def _parse(xml: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.fromstring(xml, parser=parser)
    except (etree.XMLSyntaxError, ValueError) as error:
        raise DiscoveryError(f"unreadable XML: {error}") from error
    if root is None:
        raise DiscoveryError("empty XML document")
    return root


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [
        child
        for child in element
        if isinstance(child.tag, str) and etree.QName(child).localname == name
    ]


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in _children(element, name):
        text = (child.text or "").strip()
        if text:
            return text
    return None


def _link(element: etree._Element, rel: str) -> str | None:
    for link in _children(element, "link"):
        if link.get("rel", "alternate") == rel and link.get("href"):
            return link.get("href")
    return None


def _int(text: str | None) -> int | None:
    try:
        return int(text) if text is not None else None
    except ValueError:
        return None
