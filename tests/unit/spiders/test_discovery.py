"""Discovery that cannot loop: each sitemap or feed URL once per crawl, capped depth and pages,
and a feed pager that stops at a page that lists nothing new.

The spider is driven by a small loop that answers each discovery request from a dict of
synthetic documents (no network) and stops on its own after ``FETCH_LIMIT`` fetches, so that a
spider that loops fails instead of hanging.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy import Request
from scrapy.http import XmlResponse
from scrapy.utils.test import get_crawler

from crawler.spiders.blogger import BloggerSpider

BLOG = "https://synthetic-lists.blogspot.com/"
SITEMAP = f"{BLOG}sitemap.xml"
FETCH_LIMIT = 500  # far above what any of these crawls needs once it cannot loop


def _index(*locations: str) -> bytes:
    entries = "".join(f"<sitemap><loc>{loc}</loc></sitemap>" for loc in locations)
    return (
        "<?xml version='1.0' encoding='UTF-8'?><sitemapindex "
        f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</sitemapindex>'
    ).encode()


def _post(number: int) -> str:
    return f"{BLOG}2025/02/synthetic-post-{number}.html"


def _urlset(*numbers: int) -> bytes:
    entries = "".join(
        f"<url><loc>{_post(n)}</loc><lastmod>2025-02-07T09:30:00Z</lastmod></url>" for n in numbers
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><urlset "
        f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    ).encode()


def _feed(numbers: Sequence[int], start_index: int | None) -> bytes:
    entries = "".join(
        f"<entry><id>tag:blogger.com,1999:blog-1.post-{n}</id>"
        "<published>2025-02-07T18:30:00.000+09:00</published>"
        "<updated>2025-02-07T19:00:00.000+09:00</updated><title type='text'>合成</title>"
        f"<link rel='alternate' type='text/html' href='{_post(n)}'/></entry>"
        for n in numbers
    )
    opensearch = "xmlns:openSearch='http://a9.com/-/spec/opensearchrss/1.0/'"
    header = (
        ""
        if start_index is None
        else f"<openSearch:startIndex>{start_index}</openSearch:startIndex>"
    )
    return (
        f"<?xml version='1.0' encoding='UTF-8'?><feed xmlns='http://www.w3.org/2005/Atom' "
        f"{opensearch}><id>tag:blogger.com,1999:blog-1</id>{header}{entries}</feed>"
    ).encode()


def _start_index(url: str) -> int:
    return int(parse_qs(urlsplit(url).query)["start-index"][0])


@dataclass
class Crawl:
    fetched: list[str] = field(default_factory=list)  # discovery URLs, in order
    posts: list[str] = field(default_factory=list)  # post URLs requested

    @property
    def repeated(self) -> list[str]:
        return [url for url, count in Counter(self.fetched).items() if count > 1]


def _spider(discover: str = "sitemap,feed", **settings: Any) -> BloggerSpider:
    crawler = get_crawler(BloggerSpider, {"PAIRS_ENABLED": False, **settings})
    crawler.spider = BloggerSpider.from_crawler(crawler, blog=BLOG, discover=discover)
    return crawler.spider


def _start(spider: BloggerSpider) -> list[Request]:
    async def collect() -> list[Request]:
        return [request async for request in spider.start()]

    return asyncio.run(collect())


def _crawl(spider: BloggerSpider, answer: Callable[[str], bytes]) -> Crawl:
    """Run the spider's discovery against ``answer`` (URL -> document), breadth first."""
    crawl = Crawl()
    queue = _start(spider)
    while queue and len(crawl.fetched) < FETCH_LIMIT:
        request = queue.pop(0)
        if "post_url" in request.meta:
            crawl.posts.append(request.url)
            continue
        crawl.fetched.append(request.url)
        response = XmlResponse(request.url, body=answer(request.url), request=request)
        assert request.callback is not None
        queue.extend(r for r in request.callback(response) if isinstance(r, Request))
    ended = len(crawl.fetched) < FETCH_LIMIT
    assert ended, f"discovery did not end: {Counter(crawl.fetched).most_common(3)}"
    return crawl


def _stat(spider: BloggerSpider, key: str) -> int:
    assert spider.crawler.stats is not None
    return int(spider.crawler.stats.get_value(key) or 0)


def _warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]


def test_a_sitemap_index_that_lists_itself_is_read_once(caplog: pytest.LogCaptureFixture) -> None:
    pages = {
        SITEMAP: _index(SITEMAP, f"{SITEMAP}?page=1", f"{SITEMAP}?page=2"),
        f"{SITEMAP}?page=1": _urlset(1, 2),
        f"{SITEMAP}?page=2": _urlset(3),
    }
    spider = _spider("sitemap")
    with caplog.at_level(logging.WARNING):
        crawl = _crawl(spider, pages.__getitem__)
    assert crawl.fetched == [SITEMAP, f"{SITEMAP}?page=1", f"{SITEMAP}?page=2"]
    assert crawl.posts == [_post(1), _post(2), _post(3)]
    assert _stat(spider, "bitext/discovery/repeated_url") == 1
    (warning,) = _warnings(caplog)
    assert SITEMAP in warning and "already requested" in warning


def test_sitemaps_listed_by_several_indexes_are_read_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Two indexes listing each other and the same pages, one of them in another spelling.
    other = f"{SITEMAP}?index=b"
    pages = {
        SITEMAP: _index(other, f"{SITEMAP}?page=1", f"{SITEMAP}?page=2"),
        other: _index(SITEMAP, f"{SITEMAP}?page=2", f"{SITEMAP}?page=1#again"),
        f"{SITEMAP}?page=1": _urlset(1),
        f"{SITEMAP}?page=2": _urlset(2),
    }
    spider = _spider("sitemap")
    with caplog.at_level(logging.WARNING):
        crawl = _crawl(spider, lambda url: pages[url.split("#")[0]])
    assert crawl.repeated == []
    assert sorted(crawl.fetched) == sorted(pages)
    assert _stat(spider, "bitext/discovery/repeated_url") == 3
    # One line for the page that listed them, naming the first URL skipped.
    (warning,) = _warnings(caplog)
    assert warning.startswith(f"{other} lists {SITEMAP} (and 2 more)")


def test_sitemap_children_are_read_on_every_run_even_with_a_jobdir() -> None:
    pages = {SITEMAP: _index(f"{SITEMAP}?page=1"), f"{SITEMAP}?page=1": _urlset(1)}
    spider = _spider("sitemap")
    (root,) = _start(spider)
    assert root.dont_filter
    (child,) = list(spider.parse_sitemap(XmlResponse(SITEMAP, body=pages[SITEMAP], request=root)))
    assert child.url == f"{SITEMAP}?page=1" and child.dont_filter


def test_ever_deeper_sitemap_indexes_stop_at_the_depth_cap(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def answer(url: str) -> bytes:
        level = int(parse_qs(urlsplit(url).query).get("index", ["0"])[0])
        return _index(f"{SITEMAP}?index={level + 1}", f"{SITEMAP}?page=1")

    spider = _spider("sitemap", BITEXT_SITEMAP_MAX_DEPTH=2)
    with caplog.at_level(logging.WARNING):
        crawl = _crawl(spider, lambda url: _urlset(1) if "page=" in url else answer(url))
    # The blog's own sitemap is depth 0; what an index at depth 2 lists is not read.
    assert crawl.fetched == [
        SITEMAP,
        f"{SITEMAP}?index=1",
        f"{SITEMAP}?page=1",
        f"{SITEMAP}?index=2",
    ]
    assert crawl.posts == [_post(1)]
    assert _stat(spider, "bitext/discovery/depth_cap") == 1
    deep = [w for w in _warnings(caplog) if "BITEXT_SITEMAP_MAX_DEPTH" in w]
    assert len(deep) == 1 and f"{SITEMAP}?index=3" in deep[0]


def test_discovery_stops_at_the_page_cap(caplog: pytest.LogCaptureFixture) -> None:
    children = [f"{SITEMAP}?page={n}" for n in range(1, 21)]
    pages = {SITEMAP: _index(*children), **{url: _urlset(n) for n, url in enumerate(children)}}
    spider = _spider("sitemap,feed", BITEXT_DISCOVERY_MAX_PAGES=5)
    with caplog.at_level(logging.WARNING):
        crawl = _crawl(spider, lambda url: pages.get(url) or _feed([], 1))
    # The sitemap, the feed's first page and three of the twenty sitemap pages.
    assert len(crawl.fetched) == 5
    assert _stat(spider, "bitext/discovery/page_cap") == 17
    capped = [w for w in _warnings(caplog) if "BITEXT_DISCOVERY_MAX_PAGES" in w]
    assert len(capped) == 1 and children[3] in capped[0]


def test_a_feed_that_gives_the_same_page_whatever_the_start_index_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The page says it starts where it was asked to, and lists the same posts every time.
    spider = _spider("feed")
    with caplog.at_level(logging.WARNING):
        crawl = _crawl(spider, lambda url: _feed([1, 2, 3], _start_index(url)))
    assert [_start_index(url) for url in crawl.fetched] == [1, 4]
    assert crawl.posts == [_post(1), _post(2), _post(3)]
    assert _stat(spider, "bitext/discovery/feed_nothing_new") == 1
    (warning,) = _warnings(caplog)
    assert crawl.fetched[1] in warning and "nothing new" in warning


def test_a_feed_that_ignores_the_start_index_ends(caplog: pytest.LogCaptureFixture) -> None:
    # The first page whatever was asked for, and it says so.
    spider = _spider("feed")
    with caplog.at_level(logging.WARNING):
        crawl = _crawl(spider, lambda url: _feed(range(1, 151), 1))
    assert [_start_index(url) for url in crawl.fetched] == [1, 151]
    assert len(crawl.posts) == 150
    assert _warnings(caplog) and crawl.fetched[1] in _warnings(caplog)[0]


def test_a_feed_page_that_points_back_to_itself_or_earlier_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # New posts on every page, but each page says it starts at 1: the next page would be the
    # one just read.
    spider = _spider("feed")
    with caplog.at_level(logging.WARNING):
        crawl = _crawl(
            spider, lambda url: _feed(range(_start_index(url), _start_index(url) + 150), 1)
        )
    assert [_start_index(url) for url in crawl.fetched] == [1, 151]
    assert len(crawl.posts) == 300
    assert _stat(spider, "bitext/discovery/feed_backwards") == 1
    (warning,) = _warnings(caplog)
    assert crawl.fetched[1] in warning and "start-index 151" in warning

    # A page that says it starts before the last one: back to a page already read.
    spider = _spider("feed")
    answers = {1: _feed(range(1, 151), 1), 151: _feed(range(151, 161), 10)}
    crawl = _crawl(spider, lambda url: answers[_start_index(url)])
    assert [_start_index(url) for url in crawl.fetched] == [1, 151]
    assert _stat(spider, "bitext/discovery/feed_backwards") == 1


def test_a_well_behaved_feed_is_read_to_its_empty_page(caplog: pytest.LogCaptureFixture) -> None:
    posts = list(range(1, 321))

    def answer(url: str) -> bytes:
        start = _start_index(url)
        return _feed(posts[start - 1 : start - 1 + 150], start)

    spider = _spider("feed")
    with caplog.at_level(logging.WARNING):
        crawl = _crawl(spider, answer)
    assert [_start_index(url) for url in crawl.fetched] == [1, 151, 301, 321]
    assert crawl.posts == [_post(n) for n in posts]
    assert _warnings(caplog) == []


def test_feed_pages_listing_only_posts_outside_the_window_do_not_end_the_pager() -> None:
    # Nothing scheduled from the first pages (all after ``until``), yet they list new posts.
    posts = list(range(1, 321))

    def answer(url: str) -> bytes:
        start = _start_index(url)
        return _feed(posts[start - 1 : start - 1 + 150], start)

    crawler = get_crawler(BloggerSpider, {"PAIRS_ENABLED": False})
    spider = BloggerSpider.from_crawler(crawler, blog=BLOG, discover="feed", until="2020-01-01")
    crawler.spider = spider
    crawl = _crawl(spider, answer)
    assert [_start_index(url) for url in crawl.fetched] == [1, 151, 301, 321]
    assert crawl.posts == []


def test_the_distributed_spider_reads_the_lists_as_the_blogger_spider_does(
    caplog: pytest.LogCaptureFixture,
) -> None:
    from crawler.spiders.distributed import T2RedisSpider

    node = T2RedisSpider()  # as the seed command builds it: no crawler
    sitemap, feed = node.seed_requests()
    own = f"{node.blog}sitemap.xml"
    assert (sitemap.url, sitemap.dont_filter, _start_index(feed.url)) == (own, True, 1)
    # A node reads a seed it did not request itself: what it reads counts as requested.
    index = XmlResponse(own, body=_index(own, f"{own}?page=1"), request=sitemap)
    with caplog.at_level(logging.WARNING):
        assert [r.url for r in node.parse_sitemap(index)] == [f"{own}?page=1"]
    assert own in _warnings(caplog)[0]
