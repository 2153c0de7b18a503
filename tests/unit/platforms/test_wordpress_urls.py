"""WordPress permalinks of every structure, and the pages that are not posts."""

from __future__ import annotations

import pytest

from crawler.platforms.wordpress.urls import (
    blog_root,
    canonical_post_url,
    feed_url,
    rest_posts_url,
    sitemap_urls,
)

BLOG = "https://example-blog.jp/"


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        ("https://example-blog.jp/2025/03/29/f-47/", "https://example-blog.jp/2025/03/29/f-47/"),
        ("https://example-blog.jp/2025/03/f-47/", "https://example-blog.jp/2025/03/f-47/"),
        ("https://example-blog.jp/archives/123", "https://example-blog.jp/archives/123"),
        (
            "https://example-blog.jp/f-47-first-flight/",
            "https://example-blog.jp/f-47-first-flight/",
        ),
        ("https://example-blog.jp/?p=123", "https://example-blog.jp/?p=123"),
        ("https://example-blog.jp/index.php?p=9&utm_source=x", "https://example-blog.jp/?p=9"),
        # Tracking queries and fragments go; www. and http are the blog's own host and scheme.
        ("https://example-blog.jp/slug/?utm_source=x#comments", "https://example-blog.jp/slug/"),
        ("http://www.example-blog.jp/slug/", "https://example-blog.jp/slug/"),
    ],
)
def test_permalinks_of_any_structure(url: str, canonical: str) -> None:
    assert canonical_post_url(url, BLOG) == canonical


@pytest.mark.parametrize(
    "url",
    [
        "https://example-blog.jp/",
        "https://example-blog.jp/?s=F-47",
        "https://example-blog.jp/?page_id=2",
        "https://example-blog.jp/wp-admin/edit.php",
        "https://example-blog.jp/wp-json/wp/v2/posts",
        "https://example-blog.jp/wp-content/uploads/2025/03/a.jpg",
        "https://example-blog.jp/feed/",
        "https://example-blog.jp/slug/feed/",
        "https://example-blog.jp/category/news/",
        "https://example-blog.jp/tag/f-47/",
        "https://example-blog.jp/author/admin/",
        "https://example-blog.jp/page/2/",
        "https://example-blog.jp/wp-sitemap-posts-post-1.xml",
        "https://example-blog.jp/slug/?replytocom=12",
        "https://another-blog.jp/2025/03/29/f-47/",
        "mailto:someone@example-blog.jp",
    ],
)
def test_what_is_not_a_post(url: str) -> None:
    assert canonical_post_url(url, BLOG) is None


def test_a_blog_under_a_path() -> None:
    blog = blog_root("https://example.org/blog/")
    assert blog == "https://example.org/blog/"
    assert canonical_post_url("https://example.org/blog/2025/01/x/", blog) == (
        "https://example.org/blog/2025/01/x/"
    )
    assert canonical_post_url("https://example.org/shop/item/", blog) is None
    assert (
        canonical_post_url("https://example.org/blog/?p=4", blog) == "https://example.org/blog/?p=4"
    )


def test_blog_root_of_a_bare_host_and_of_a_page() -> None:
    assert blog_root("example-blog.jp") == "https://example-blog.jp/"
    assert blog_root("http://example-blog.jp/about") == "http://example-blog.jp/"


def test_list_endpoints() -> None:
    assert sitemap_urls(BLOG) == (f"{BLOG}wp-sitemap.xml", f"{BLOG}sitemap_index.xml")
    assert feed_url(BLOG) == f"{BLOG}feed/"
    assert feed_url(BLOG, 3) == f"{BLOG}feed/?paged=3"
    assert feed_url(BLOG, 2, plain=True) == f"{BLOG}?feed=rss2&paged=2"
    assert rest_posts_url(BLOG, 2).startswith(f"{BLOG}wp-json/wp/v2/posts?per_page=100&page=2")
    with pytest.raises(ValueError, match="start at 1"):
        feed_url(BLOG, 0)
