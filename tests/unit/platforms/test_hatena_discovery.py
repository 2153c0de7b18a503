"""Hatena Blog lists: the sitemap index and its periodical sitemaps, the Atom feed by rel=next."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from crawler.platforms import ListError, ListRequest
from crawler.platforms.hatena.discovery import read_list, start_lists

BLOG = "https://someone.hatenablog.com/"
JST = timezone(timedelta(hours=9))
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _index(*locs: str) -> bytes:
    entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locs)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="{SITEMAP_NS}">{entries}'
        "</sitemapindex>"
    ).encode()


def _feed(entries: list[tuple[str, str]], next_url: str | None) -> bytes:
    following = f'<link rel="next" href="{next_url}" />' if next_url else ""
    items = "".join(
        f'<entry><title>t</title><link href="{url}"/><id>hatenablog://entry/1</id>'
        f"<published>{when}</published><updated>{when}</updated></entry>"
        for url, when in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        f'xml:lang="ja"><title>b</title><link href="{BLOG}"/>'
        '<generator uri="https://blog.hatena.ne.jp/" version="1">Hatena::Blog</generator>'
        f"{following}{items}</feed>"
    ).encode()


def test_the_lists_a_crawl_starts_from() -> None:
    lists = start_lists(BLOG, frozenset({"sitemap", "feed"}))
    assert [(r.kind, r.url) for r in lists] == [
        ("sitemap", f"{BLOG}sitemap.xml"),
        ("feed", f"{BLOG}feed"),
    ]
    assert lists[0].fallback == (f"{BLOG}sitemap_index.xml",)
    assert [r.kind for r in start_lists(BLOG, frozenset({"feed"}))] == ["feed"]


def test_the_index_leads_to_the_periodical_sitemaps_only() -> None:
    body = _index(
        f"{BLOG}sitemap_common.xml",
        f"{BLOG}sitemap_periodical.xml?year=2025&amp;month=2",
        f"{BLOG}sitemap_periodical.xml?year=2025&amp;month=1",
    )
    page = read_list(ListRequest(f"{BLOG}sitemap.xml", "sitemap"), body, {})
    assert page.posts == ()
    assert [(r.url, r.depth) for r in page.lists] == [
        (f"{BLOG}sitemap_periodical.xml?year=2025&month=2", 1),
        (f"{BLOG}sitemap_periodical.xml?year=2025&month=1", 1),
    ]


def test_an_index_of_other_names_is_followed_but_for_the_common_sitemap() -> None:
    body = _index(f"{BLOG}sitemap_common.xml", f"{BLOG}sitemap_entries_2025.xml")
    page = read_list(ListRequest(f"{BLOG}sitemap.xml", "sitemap"), body, {})
    assert [r.url for r in page.lists] == [f"{BLOG}sitemap_entries_2025.xml"]


def test_a_periodical_sitemap_lists_posts_with_their_lastmod() -> None:
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="{SITEMAP_NS}">'
        f"<url><loc>{BLOG}entry/2025/02/07/123456</loc>"
        "<lastmod>2025-02-08T10:00:00+09:00</lastmod></url>"
        f"<url><loc>{BLOG}entry/slug</loc></url></urlset>"
    ).encode()
    request = ListRequest(f"{BLOG}sitemap_periodical.xml?year=2025&month=2", "sitemap", depth=1)
    page = read_list(request, body, {})
    assert [(p.url, p.lastmod) for p in page.posts] == [
        (f"{BLOG}entry/2025/02/07/123456", datetime(2025, 2, 8, 10, tzinfo=JST)),
        (f"{BLOG}entry/slug", None),
    ]
    assert page.lists == ()


def test_the_feed_gives_posts_with_dates_and_its_next_page() -> None:
    next_url = f"{BLOG}feed?page=1738900000"
    body = _feed([(f"{BLOG}entry/2025/02/07/123456", "2025-02-07T12:34:56+09:00")], next_url)
    page = read_list(ListRequest(f"{BLOG}feed", "feed"), body, {})
    [post] = page.posts
    assert post.url == f"{BLOG}entry/2025/02/07/123456"
    assert post.published == datetime(2025, 2, 7, 3, 34, 56, tzinfo=UTC)
    assert post.updated == post.published
    assert [(r.url, r.kind, r.page) for r in page.lists] == [(next_url, "feed", 2)]


def test_the_last_feed_page_has_no_next_and_an_empty_page_ends_the_list() -> None:
    last = _feed([(f"{BLOG}entry/x", "2025-01-01T00:00:00+09:00")], None)
    assert read_list(ListRequest(f"{BLOG}feed?page=1", "feed", page=3), last, {}).lists == ()
    empty = _feed([], f"{BLOG}feed?page=1")
    assert read_list(ListRequest(f"{BLOG}feed", "feed"), empty, {}).lists == ()
    # A next link to the page itself is no next page.
    looping = _feed([(f"{BLOG}entry/x", "2025-01-01T00:00:00+09:00")], f"{BLOG}feed")
    assert read_list(ListRequest(f"{BLOG}feed", "feed"), looping, {}).lists == ()


@pytest.mark.parametrize(
    ("kind", "body", "message"),
    [
        ("feed", b"<html><body>maintenance</body></html>", "not an Atom feed"),
        ("feed", b"<feed", "unreadable XML"),
        ("sitemap", b"<rss/>", "not a sitemap"),
        ("rest", b"[]", "no such Hatena Blog list"),
    ],
)
def test_an_unreadable_list_page_is_a_list_error(kind: str, body: bytes, message: str) -> None:
    with pytest.raises(ListError, match=message):
        read_list(ListRequest(f"{BLOG}x", kind), body, {})
