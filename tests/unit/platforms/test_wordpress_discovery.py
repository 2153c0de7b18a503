"""WordPress lists: core's and the SEO plugins' sitemaps, the RSS feed, the REST API."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from crawler.platforms import ListError, ListRequest
from crawler.platforms.wordpress.discovery import read_list, start_lists

BLOG = "https://example-blog.jp/"


def _index(*names: str) -> bytes:
    entries = "".join(f"<sitemap><loc>{BLOG}{n}</loc></sitemap>" for n in names)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
        f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    ).encode()


def test_the_lists_a_crawl_starts_from() -> None:
    lists = start_lists(BLOG, frozenset({"sitemap", "feed", "rest"}))
    assert [(r.kind, r.url) for r in lists] == [
        ("sitemap", f"{BLOG}wp-sitemap.xml"),
        ("feed", f"{BLOG}feed/"),
        (
            "rest",
            f"{BLOG}wp-json/wp/v2/posts?per_page=100&page=1&_fields=id%2Clink%2Cdate_gmt%2Cmodified_gmt",
        ),
    ]
    assert lists[0].fallback == (f"{BLOG}sitemap_index.xml",)
    assert lists[1].fallback == (f"{BLOG}?feed=rss2",)
    assert [r.kind for r in start_lists(BLOG, frozenset({"feed"}))] == ["feed"]


def test_core_sitemap_index_leads_to_post_sitemaps_only() -> None:
    body = _index(
        "wp-sitemap-posts-post-1.xml",
        "wp-sitemap-posts-post-2.xml",
        "wp-sitemap-posts-page-1.xml",
        "wp-sitemap-taxonomies-category-1.xml",
        "wp-sitemap-users-1.xml",
    )
    page = read_list(ListRequest(f"{BLOG}wp-sitemap.xml", "sitemap"), body, {})
    assert [r.url for r in page.lists] == [
        f"{BLOG}wp-sitemap-posts-post-1.xml",
        f"{BLOG}wp-sitemap-posts-post-2.xml",
    ]
    assert {r.depth for r in page.lists} == {1}
    assert page.posts == ()


def test_yoast_and_rank_math_index() -> None:
    body = _index(
        "post-sitemap.xml", "post-sitemap2.xml", "page-sitemap.xml", "category-sitemap.xml"
    )
    page = read_list(ListRequest(f"{BLOG}sitemap_index.xml", "sitemap"), body, {})
    assert [r.url.rsplit("/", 1)[1] for r in page.lists] == [
        "post-sitemap.xml",
        "post-sitemap2.xml",
    ]


def test_an_unknown_plugins_index_is_followed_but_for_the_known_non_post_sitemaps() -> None:
    body = _index("sitemap-articles-1.xml", "page-sitemap.xml", "author-sitemap.xml")
    page = read_list(ListRequest(f"{BLOG}sitemap.xml", "sitemap"), body, {})
    assert [r.url.rsplit("/", 1)[1] for r in page.lists] == ["sitemap-articles-1.xml"]


def test_a_posts_sitemap_gives_posts_with_lastmod() -> None:
    body = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url>'
        f"<loc>{BLOG}2025/03/29/a/</loc><lastmod>2025-03-29T10:05:00+09:00</lastmod></url>"
        f"<url><loc>{BLOG}2025/03/30/b/</loc></url></urlset>"
    ).encode()
    page = read_list(ListRequest(f"{BLOG}wp-sitemap-posts-post-1.xml", "sitemap"), body, {})
    assert [p.url for p in page.posts] == [f"{BLOG}2025/03/29/a/", f"{BLOG}2025/03/30/b/"]
    assert page.posts[0].lastmod == datetime(2025, 3, 29, 1, 5, tzinfo=UTC)


def _rss(*items: tuple[str, str]) -> bytes:
    rows = "".join(
        f"<item><title>t</title><link>{link}</link><pubDate>{date}</pubDate>"
        f'<guid isPermaLink="false">{BLOG}?p=1</guid></item>'
        for link, date in items
    )
    channel = f"<channel><title>b</title>{rows}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


def test_feed_items_give_the_permalink_not_the_guid_and_the_next_page() -> None:
    body = _rss((f"{BLOG}2025/03/29/a/", "Sat, 29 Mar 2025 01:05:00 +0000"))
    page = read_list(ListRequest(f"{BLOG}feed/", "feed"), body, {})
    [post] = page.posts
    assert post.url == f"{BLOG}2025/03/29/a/"
    assert post.published == datetime(2025, 3, 29, 1, 5, tzinfo=UTC)
    assert [(r.url, r.page) for r in page.lists] == [(f"{BLOG}feed/?paged=2", 2)]
    plain = read_list(ListRequest(f"{BLOG}?feed=rss2&paged=2", "feed", page=2), body, {})
    assert [r.url for r in plain.lists] == [f"{BLOG}?feed=rss2&paged=3"]


def test_an_empty_feed_page_ends_the_feed() -> None:
    assert read_list(ListRequest(f"{BLOG}feed/", "feed"), _rss(), {}).lists == ()


def test_rest_pages_follow_the_total_pages_header() -> None:
    data = [
        {
            "id": 5,
            "link": f"{BLOG}x/",
            "date_gmt": "2025-03-29T01:05:00",
            "modified_gmt": "2025-04-01T00:00:00",
        }
    ]
    url = f"{BLOG}wp-json/wp/v2/posts?per_page=100&page=1"
    page = read_list(ListRequest(url, "rest"), json.dumps(data).encode(), {"x-wp-totalpages": "3"})
    assert page.posts[0].url == f"{BLOG}x/"
    assert page.posts[0].published == datetime(2025, 3, 29, 1, 5, tzinfo=UTC)
    assert page.posts[0].updated == datetime(2025, 4, 1, tzinfo=UTC)
    assert [r.page for r in page.lists] == [2]
    last = read_list(
        ListRequest(url, "rest", page=3), json.dumps(data).encode(), {"x-wp-totalpages": "3"}
    )
    assert last.lists == ()


@pytest.mark.parametrize(
    ("kind", "body"),
    [
        ("sitemap", b"<html>not xml"),
        ("feed", b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"/>'),
        ("rest", b'{"code": "rest_forbidden"}'),
        ("rest", b"<html>"),
    ],
)
def test_unreadable_lists_raise_list_error(kind: str, body: bytes) -> None:
    with pytest.raises(ListError):
        read_list(ListRequest(f"{BLOG}x", kind), body, {})
