"""Hatena Blog URLs: the blog's root, the two permalink forms, and what is not a post."""

from __future__ import annotations

import pytest

from crawler.platforms.hatena.urls import (
    blog_root,
    canonical_post_url,
    feed_url,
    is_dated_entry,
    sitemap_urls,
)

BLOG = "https://someone.hatenablog.com/"


def test_the_root_of_a_blog_is_its_host() -> None:
    assert blog_root("someone.hatenablog.com") == BLOG
    assert blog_root("https://SomeOne.hatenablog.com/entry/2025/02/07/123456") == BLOG
    assert blog_root("http://news.example.jp:8080/about") == "http://news.example.jp:8080/"
    with pytest.raises(ValueError, match="no host"):
        blog_root("https://")


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (f"{BLOG}entry/2025/02/07/123456", f"{BLOG}entry/2025/02/07/123456"),
        (f"{BLOG}entry/2025/02/07/123456?utm_source=feed#more", f"{BLOG}entry/2025/02/07/123456"),
        (f"{BLOG}entry/f35-tr3-delay/", f"{BLOG}entry/f35-tr3-delay"),
        (f"{BLOG}entry/2025/series/part-1", f"{BLOG}entry/2025/series/part-1"),  # slug with /
        (f"{BLOG}entry/翻訳メモ", f"{BLOG}entry/%E7%BF%BB%E8%A8%B3%E3%83%A1%E3%83%A2"),
        ("http://someone.hatenablog.com/entry/x", f"{BLOG}entry/x"),  # the blog's scheme
    ],
)
def test_permalinks_in_their_one_form(url: str, canonical: str) -> None:
    assert canonical_post_url(url, BLOG) == canonical


@pytest.mark.parametrize(
    "url",
    [
        BLOG,
        f"{BLOG}about",
        f"{BLOG}archive",
        f"{BLOG}archive/2025/02/07",
        f"{BLOG}archive/category/%E7%BF%BB%E8%A8%B3",
        f"{BLOG}feed",
        f"{BLOG}rss",
        f"{BLOG}sitemap.xml",
        f"{BLOG}amp/entry/2025/02/07/123456",
        f"{BLOG}entry/",
        f"{BLOG}search?q=F-35",
        "https://other.hatenablog.com/entry/2025/02/07/123456",  # another blog of the service
        "ftp://someone.hatenablog.com/entry/x",
    ],
)
def test_what_is_not_a_post(url: str) -> None:
    assert canonical_post_url(url, BLOG) is None


def test_the_dated_form_is_told_from_a_slug() -> None:
    assert is_dated_entry(f"{BLOG}entry/2025/02/07/123456")
    assert not is_dated_entry(f"{BLOG}entry/2025/02/07/slug")
    assert not is_dated_entry(f"{BLOG}entry/f35-tr3-delay")


def test_the_list_endpoints() -> None:
    assert sitemap_urls(BLOG) == (f"{BLOG}sitemap.xml", f"{BLOG}sitemap_index.xml")
    assert feed_url(BLOG) == f"{BLOG}feed"
