"""The ``blog`` spider: the platform found from the home page, discovery through the profile's
lists, and the unsupported sites refused; driven with fake responses (no network, no reactor)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import CloseSpider
from scrapy.http import HtmlResponse, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.platforms import PROFILES, ListRequest
from crawler.platforms.detect import known_host_platform
from crawler.spiders.blog import UNSUPPORTED, BlogSpider
from crawler.spiders.lists import META_LIST

BLOG = "https://example-blog.jp/"
HOME = b'<html><head><meta name="generator" content="WordPress 6.5.2" /></head><body></body></html>'


def _spider(tmp_path: Path, **args: Any) -> BlogSpider:
    settings = {"BITEXT_PARSE_WORKERS": 0, "ARCHIVE_DIR": str(tmp_path), "PAIRS_ENABLED": False}
    crawler = get_crawler(BlogSpider, settings)
    crawler.spider = crawler._create_spider(**{"blog": BLOG, **args})
    assert isinstance(crawler.spider, BlogSpider)
    return crawler.spider


def _home(spider: BlogSpider, url: str = BLOG, body: bytes = HOME) -> list[Request]:
    response = HtmlResponse(url, body=body, request=Request(url))
    return list(spider.parse_home(response))


def _list_response(request: Request, body: bytes, **headers: str) -> TextResponse:
    return TextResponse(request.url, body=body, headers=headers, request=request)


def test_a_wordpress_home_page_starts_the_wordpress_lists(tmp_path: Path) -> None:
    spider = _spider(tmp_path)
    requests = _home(spider)
    assert spider.platform == "wordpress"
    assert spider.crawler.stats is not None
    assert spider.crawler.stats.get_value("bitext/platform/wordpress") == 1
    assert [r.meta[META_LIST].kind for r in requests] == ["sitemap", "feed", "rest"]
    assert requests[0].url == f"{BLOG}wp-sitemap.xml"
    assert all(r.errback == spider.list_failed for r in requests)


def test_discover_chooses_the_lists(tmp_path: Path) -> None:
    spider = _spider(tmp_path, discover="feed")
    assert [r.meta[META_LIST].kind for r in _home(spider)] == ["feed"]
    with pytest.raises(ValueError, match="discover takes"):
        _spider(tmp_path, discover="search")


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("https://someone.blog.fc2.com/", HOME),
        (BLOG, b'<html><head><meta name="generator" content="Hugo 0.125"></head></html>'),
    ],
)
def test_an_unsupported_site_closes_the_crawl(tmp_path: Path, url: str, body: bytes) -> None:
    spider = _spider(tmp_path, blog=url)
    with pytest.raises(CloseSpider) as raised:
        _home(spider, url, body)
    assert raised.value.reason == UNSUPPORTED


def test_a_blogspot_host_is_blogger_without_fetching_its_home(tmp_path: Path) -> None:
    spider = _spider(tmp_path, blog="https://someone.blogspot.com/")
    detection = known_host_platform(spider.target, PROFILES)
    assert detection is not None
    requests = spider._begin(detection)
    assert spider.platform == "blogger"
    assert requests[0].url == "https://someone.blogspot.com/sitemap.xml"
    assert spider.post_key("https://someone.blogspot.com/2025/02/x.html?m=1") == (
        "https://someone.blogspot.com/2025/02/x.html"
    )


def test_a_sitemap_lists_posts_by_their_canonical_permalinks(tmp_path: Path) -> None:
    spider = _spider(tmp_path)
    _home(spider)
    request = Request(f"{BLOG}wp-sitemap-posts-post-1.xml", meta={META_LIST: _sitemap_list()})
    body = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{BLOG}2025/03/29/a/?utm_source=x</loc></url>"
        f"<url><loc>{BLOG}category/news/</loc></url></urlset>"
    ).encode()
    out = list(spider.parse_list(_list_response(request, body)))
    assert [r.url for r in out if isinstance(r, Request)] == [f"{BLOG}2025/03/29/a/"]


def _sitemap_list() -> ListRequest:
    return ListRequest(f"{BLOG}wp-sitemap-posts-post-1.xml", "sitemap", depth=1)


def _feed(page: int, links: list[str]) -> tuple[Request, bytes]:
    url = f"{BLOG}feed/" + (f"?paged={page}" if page > 1 else "")
    items = "".join(f"<item><link>{link}</link></item>" for link in links)
    body = f'<rss version="2.0"><channel>{items}</channel></rss>'.encode()
    return Request(url, meta={META_LIST: ListRequest(url, "feed", page=page)}), body


def test_a_feed_page_listing_nothing_new_ends_the_feed(tmp_path: Path) -> None:
    spider = _spider(tmp_path)
    _home(spider)
    first, body = _feed(1, [f"{BLOG}a/", f"{BLOG}b/"])
    out = list(spider.parse_list(_list_response(first, body)))
    assert f"{BLOG}feed/?paged=2" in [r.url for r in out if isinstance(r, Request)]
    # A server ignoring ?paged= answers page 1 again: nothing new, no page 3.
    second, body = _feed(2, [f"{BLOG}a/", f"{BLOG}b/"])
    out = list(spider.parse_list(_list_response(second, body)))
    assert [r.url for r in out if isinstance(r, Request)] == []
    assert spider.crawler.stats is not None
    assert spider.crawler.stats.get_value("bitext/discovery/feed_nothing_new") == 1


def _failure(request: Request, status: int) -> Failure:
    response = TextResponse(request.url, status=status, body=b"", request=request)
    failure = Failure(HttpError(response))
    failure.request = request  # type: ignore[attr-defined]
    return failure


def test_a_missing_list_gives_way_to_its_fallback_and_a_page_past_the_end_to_nothing(
    tmp_path: Path,
) -> None:
    spider = _spider(tmp_path)
    sitemap, _feed_list, rest = _home(spider)
    [fallback] = spider.list_failed(_failure(sitemap, 404))
    assert fallback.url == f"{BLOG}sitemap_index.xml"
    assert list(spider.list_failed(_failure(fallback, 404))) == []
    assert spider.crawler.stats is not None
    assert spider.crawler.stats.get_value("bitext/discovery/sitemap_unavailable") == 1
    assert list(spider.list_failed(_failure(rest, 401))) == []
    page_two, _ = _feed(2, [])
    assert list(spider.list_failed(_failure(page_two, 404))) == []


def test_a_failed_post_is_of_the_blogs_platform(tmp_path: Path) -> None:
    spider = _spider(tmp_path)
    _home(spider)
    request = spider._post_request(f"{BLOG}2025/03/29/a/", "sitemap")
    assert request is not None
    [item] = spider.post_failed(_failure(request, 404))
    assert item.platform == "wordpress"
    assert item.post is None


def test_one_post_of_a_wordpress_blog(tmp_path: Path) -> None:
    post = f"{BLOG}2025/03/29/a/"
    spider = _spider(tmp_path, blog=None, post=post)
    assert spider.target == BLOG
    [request] = _home(spider)
    assert request.url == post
    assert request.meta["post_url"] == post
