"""Sitemaps and Atom feeds (small synthetic documents in Blogger's shapes)."""

from __future__ import annotations

from datetime import datetime

import pytest

from crawler.blogger.discovery import DiscoveryError, parse_feed, parse_sitemap

BLOG = "https://synthetic-example.blogspot.com"

SITEMAP_INDEX = f"""<?xml version='1.0' encoding='UTF-8'?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>{BLOG}/sitemap.xml?page=1</loc></sitemap>
<sitemap><loc>{BLOG}/sitemap.xml?page=2</loc></sitemap>
</sitemapindex>""".encode()

URLSET = f"""<?xml version='1.0' encoding='UTF-8'?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>{BLOG}/2025/02/blog-post_7.html</loc><lastmod>2025-02-07T09:30:00Z</lastmod></url>
<url><loc>{BLOG}/2025/02/blog-post.html</loc></url>
</urlset>""".encode()

FEED = f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns='http://www.w3.org/2005/Atom'
 xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/'
 xmlns:blogger='http://schemas.google.com/blogger/2008'>
<id>tag:blogger.com,1999:blog-1111111111111111111</id>
<updated>2025-02-08T10:00:00.000+09:00</updated>
<title type='text'>合成ブログ</title>
<link rel='alternate' type='text/html' href='{BLOG}/'/>
<link rel='next' type='application/atom+xml'
 href='{BLOG}/feeds/posts/default?start-index=3&amp;max-results=2'/>
<openSearch:totalResults>5</openSearch:totalResults>
<openSearch:startIndex>1</openSearch:startIndex>
<openSearch:itemsPerPage>2</openSearch:itemsPerPage>
<entry>
<id>tag:blogger.com,1999:blog-1111111111111111111.post-2222222222222222222</id>
<published>2025-02-07T18:30:00.000+09:00</published>
<updated>2025-02-07T19:00:00.000+09:00</updated>
<category scheme='http://www.blogger.com/atom/ns#' term='米海軍'/>
<category scheme='http://www.blogger.com/atom/ns#' term='フリゲート'/>
<title type='text'>合成記事―論評(The War Zone)</title>
<content type='html'>&lt;p&gt;合成の本文。&lt;/p&gt;</content>
<link rel='replies' type='text/html' href='{BLOG}/2025/02/blog-post_7.html#comment-form'/>
<link rel='alternate' type='text/html' href='{BLOG}/2025/02/blog-post_7.html?m=1'
 title='合成記事'/>
</entry>
<entry>
<id>tag:blogger.com,1999:blog-1111111111111111111.post-3333333333333333333</id>
<published>2025-02-06T08:00:00.000+09:00</published>
<updated>2025-02-06T08:00:00.000+09:00</updated>
<title type='text'>要約だけの合成記事</title>
<summary type='text'>合成の要約。</summary>
<link rel='alternate' type='text/html' href='{BLOG}/2025/02/blog-post.html'/>
</entry>
</feed>""".encode()


def test_sitemap_index() -> None:
    sitemap = parse_sitemap(SITEMAP_INDEX)
    assert sitemap.is_index
    assert [entry.loc for entry in sitemap.entries] == [
        f"{BLOG}/sitemap.xml?page=1",
        f"{BLOG}/sitemap.xml?page=2",
    ]


def test_sitemap_urlset() -> None:
    sitemap = parse_sitemap(URLSET)
    assert not sitemap.is_index
    assert sitemap.entries[0].loc == f"{BLOG}/2025/02/blog-post_7.html"
    assert sitemap.entries[0].lastmod == datetime.fromisoformat("2025-02-07T09:30:00+00:00")
    assert sitemap.entries[1].lastmod is None


def test_feed_page() -> None:
    page = parse_feed(FEED)
    assert (page.total_results, page.start_index, page.items_per_page) == (5, 1, 2)
    assert page.next_url == f"{BLOG}/feeds/posts/default?start-index=3&max-results=2"
    first, second = page.entries
    assert first.url == f"{BLOG}/2025/02/blog-post_7.html"
    assert first.post_id == "2222222222222222222"
    assert first.title == "合成記事―論評(The War Zone)"
    assert first.published == datetime.fromisoformat("2025-02-07T18:30:00+09:00")
    assert first.updated == datetime.fromisoformat("2025-02-07T19:00:00+09:00")
    assert first.labels == ("米海軍", "フリゲート")
    assert first.has_full_content
    assert second.post_id == "3333333333333333333"
    assert second.labels == ()
    assert not second.has_full_content


def test_last_feed_page_has_no_next() -> None:
    last = FEED.replace(b"<link rel='next'", b"<link rel='self'")
    assert parse_feed(last).next_url is None


@pytest.mark.parametrize(
    "document",
    [
        b"",
        b"<urlset><url><loc>unclosed",
        b"<!DOCTYPE html><html><body>Not found</body></html>",
        b"<?xml version='1.0'?><rss version='2.0'><channel/></rss>",
    ],
)
def test_bad_documents(document: bytes) -> None:
    with pytest.raises(DiscoveryError):
        parse_sitemap(document)
    with pytest.raises(DiscoveryError):
        parse_feed(document)


def test_entities_are_not_expanded() -> None:
    bomb = (
        b"<?xml version='1.0'?><!DOCTYPE urlset [<!ENTITY x SYSTEM 'file:///etc/hostname'>]>"
        b"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        b"<url><loc>https://a.example/&x;</loc></url></urlset>"
    )
    entries = parse_sitemap(bomb).entries
    assert all("\n" not in entry.loc for entry in entries)
    assert all(entry.loc.startswith("https://a.example/") for entry in entries)
