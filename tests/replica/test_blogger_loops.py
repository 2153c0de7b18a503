"""The replica's looping lists: a sitemap index that lists itself or an ever deeper index, and a
feed that ignores ``start-index``; everything else is the wrapped blog's own answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from lxml import etree

from replica.model import TranslationPost
from replica.sites.blogger import BloggerSite
from replica.sites.blogger_loops import LoopingLists

JST = timezone(timedelta(hours=9))
HOST = "looping-lists-synthetic.blogspot.com"
BASE = f"https://{HOST}"
POST = TranslationPost(
    path="/2025/07/blog-post_1.html",
    title="（合成の投稿）",
    publication="The War Zone",
    comment="",
    published=datetime(2025, 7, 1, 8, 0, tzinfo=JST),
    updated=datetime(2025, 7, 1, 8, 0, tzinfo=JST),
    labels=("試験",),
    paragraphs=("合成の本文です。",),
    citation_lines=(),
    citations=(),
)


def _blog() -> BloggerSite:
    posts = [replace(POST, path=f"/2025/07/blog-post_{n}.html") for n in range(1, 6)]
    return BloggerSite(HOST, "合成ブログ", posts, sitemap_page_size=2)


def _locs(site: LoopingLists, path: str) -> list[str]:
    resource = site.resolve(path, {})
    assert resource is not None and resource.status == 200
    root = etree.fromstring(resource.body)
    return [el.text or "" for el in root.iter("{*}loc")]


def _feed_entries(site: LoopingLists | BloggerSite, path: str) -> tuple[str, list[str]]:
    resource = site.resolve(path, {})
    assert resource is not None and resource.status == 200
    root = etree.fromstring(resource.body)
    start = root.findtext("{*}startIndex") or ""
    links = [
        link.get("href") or ""
        for link in root.iter("{http://www.w3.org/2005/Atom}link")
        if link.get("rel") == "alternate" and link.getparent() is not root
    ]
    return start, links


def test_a_sitemap_index_that_lists_itself() -> None:
    site = LoopingLists(_blog(), sitemap="self")
    pages = [f"{BASE}/sitemap.xml?page={n}" for n in (1, 2, 3)]
    assert _locs(site, "/sitemap.xml") == [f"{BASE}/sitemap.xml", *pages]
    assert len(_locs(site, "/sitemap.xml?page=1")) == 2  # the pages are the blog's own


def test_a_sitemap_index_that_lists_an_ever_deeper_index() -> None:
    site = LoopingLists(_blog(), sitemap="deeper")
    assert _locs(site, "/sitemap.xml")[0] == f"{BASE}/sitemap.xml?index=1"
    assert _locs(site, "/sitemap.xml?index=41")[0] == f"{BASE}/sitemap.xml?index=42"
    assert _locs(site, "/sitemap.xml?index=41")[1:] == _locs(site, "/sitemap.xml")[1:]


def test_a_feed_that_ignores_start_index_gives_its_first_page_every_time() -> None:
    blog = _blog()
    site = LoopingLists(blog, feed_ignores_start=True)
    first = _feed_entries(site, "/feeds/posts/summary?max-results=2")
    assert first[0] == "1" and len(first[1]) == 2
    assert _feed_entries(site, "/feeds/posts/summary?start-index=3&max-results=2") == first
    assert _feed_entries(blog, "/feeds/posts/summary?start-index=3&max-results=2") != first
    assert site.resolve(POST.path, {}) is not None  # posts are served as by the blog


def test_an_unknown_loop_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown sitemap loop"):
        LoopingLists(_blog(), sitemap="sideways")
