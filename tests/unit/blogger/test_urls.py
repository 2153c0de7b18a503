"""Blogger URL shapes."""

from __future__ import annotations

import pytest

from crawler.blogger import blog_root, canonical_post_url, feed_url, sitemap_url

CANONICAL = "https://synthetic-example.blogspot.com/2025/02/blog-post_7.html"


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (CANONICAL, CANONICAL),
        ("http://synthetic-example.blogspot.com/2025/02/blog-post_7.html", CANONICAL),
        (CANONICAL + "?m=1", CANONICAL),
        (CANONICAL + "?m=0#more", CANONICAL),
        (CANONICAL + "?showComment=1738900000000#c123", CANONICAL),
        ("https://synthetic-example.blogspot.jp/2025/02/blog-post_7.html", CANONICAL),
        ("https://synthetic-example.blogspot.co.uk/2025/02/blog-post_7.html?m=1", CANONICAL),
        ("https://Synthetic-Example.BLOGSPOT.com/2025/02/blog-post_7.html", CANONICAL),
        (
            "http://blog.python.org/2016/12/python-360-is-now-available.html",
            "https://blog.python.org/2016/12/python-360-is-now-available.html",
        ),
        ("https://synthetic-example.blogspot.com/p/about.html", None),
        ("https://synthetic-example.blogspot.com/search?q=F-35", None),
        ("https://synthetic-example.blogspot.com/search/label/%E7%B1%B3%E6%B5%B7%E8%BB%8D", None),
        ("https://synthetic-example.blogspot.com/2025/02/", None),
        ("https://synthetic-example.blogspot.com/2025/", None),
        ("https://synthetic-example.blogspot.com/2025_02_07_archive.html", None),
        ("https://synthetic-example.blogspot.com/feeds/posts/default", None),
        ("https://synthetic-example.blogspot.com/", None),
        ("mailto:someone@example.com", None),
    ],
)
def test_canonical_post_url(url: str, canonical: str | None) -> None:
    assert canonical_post_url(url) == canonical


def test_blog_root_and_endpoints() -> None:
    assert blog_root("http://synthetic-example.blogspot.jp/2025/02/x.html?m=1") == (
        "https://synthetic-example.blogspot.com/"
    )
    assert blog_root("www.luxuryhaven.co") == "https://www.luxuryhaven.co/"
    assert feed_url("synthetic-example.blogspot.com") == (
        "https://synthetic-example.blogspot.com/feeds/posts/default?start-index=1&max-results=25"
    )
    assert feed_url(CANONICAL, start_index=51, max_results=50, summary=True) == (
        "https://synthetic-example.blogspot.com/feeds/posts/summary?start-index=51&max-results=50"
    )
    assert sitemap_url(CANONICAL) == "https://synthetic-example.blogspot.com/sitemap.xml"
    with pytest.raises(ValueError):
        feed_url(CANONICAL, start_index=0)
