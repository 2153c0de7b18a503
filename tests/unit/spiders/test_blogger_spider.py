"""The Blogger spider's routing: options, posts to items and source requests, errbacks, windows
and the incremental listing, driven with fake responses (no network, no reactor).

Discovery (sitemaps, feeds) is covered by test_discovery.py; the archive cache's side of
archived sources by tests/unit/downloadermiddlewares/test_archive_cache.py.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler, get_reactor_settings
from twisted.internet.error import DNSLookupError
from twisted.python.failure import Failure

from crawler.downloadermiddlewares.archive_cache import (
    META_LISTED,
    ArchivedOutcome,
    ArchivedPost,
)
from crawler.downloadermiddlewares.archived_responses import FLAG_ARCHIVED
from crawler.extensions.warc_capture import META_FETCHED_AT, META_PAYLOAD_DIGEST, META_POINTER
from crawler.items import ListedPost, ListingItem, PostItem, SourceItem
from crawler.spiders.blogger import BloggerSpider
from crawler.truncation import META_BUDGET
from replica.corpus import load_cases
from replica.sites.news_templates import render_article
from tests.unit.blogger.pages import CITATION_TWZ, POST_URL, blogger_page
from tests.unit.records import DAY, POINTER, SOURCE

BLOG = "https://synthetic-example.blogspot.com/"
OTHER_POST = f"{BLOG}2025/02/blog-post_8.html"
USNI = "https://news.usni.org/2025/02/03/synthetic"
# Two articles in one block, the first URL with a tracking query the repair removes.
CITATION_TWO = (
    "■<br>Synthetic Headline<br>By Synthetic Writer<br>February 3, 2025 6:33 PM<br>"
    f"{USNI}?utm_source=newsletter<br>{SOURCE}"
)
TEXT = "<p>米海軍の計画は遅れている。</p>"
UNREACHABLE = "https://www.synthetic-unreachable.com/2025/02/story/"
GONE = "https://breakingdefense.com/2025/02/synthetic-budget/"


def _spider(tmp_path: Path, **args: Any) -> BloggerSpider:
    settings = {"BITEXT_PARSE_WORKERS": 0, "ARCHIVE_DIR": str(tmp_path), "PAIRS_ENABLED": False}
    crawler = get_crawler(BloggerSpider, {**settings, **args.pop("settings", {})})
    crawler.spider = crawler._create_spider(**{"blog": BLOG, **args})
    assert isinstance(crawler.spider, BloggerSpider)
    return crawler.spider


def _spider_as_crawl_builds_it(settings: dict[str, Any], **args: Any) -> BloggerSpider:
    """As Crawler.crawl does: the spider is made before the settings freeze (get_crawler
    freezes them first, and from_crawler's ``full=1`` must set BITEXT_FULL_CRAWL)."""
    crawler = Crawler(BloggerSpider, {**get_reactor_settings(), **settings})
    crawler.spider = crawler._create_spider(**{"blog": BLOG, **args})
    crawler._apply_settings()
    assert isinstance(crawler.spider, BloggerSpider)
    return crawler.spider


def _stat(spider: BloggerSpider, key: str) -> int:
    assert spider.crawler.stats is not None
    return int(spider.crawler.stats.get_value(key) or 0)


def _post_response(body: str, url: str = POST_URL) -> HtmlResponse:
    request = Request(url, meta={"post_url": url})
    return HtmlResponse(url=url, body=blogger_page(body).encode(), request=request)


def _failure(exc: Exception, request: Request) -> Failure:
    failure = Failure(exc)
    failure.request = request  # type: ignore[attr-defined]  # as Scrapy's errbacks get it
    return failure


# Construction


def test_a_blog_or_a_post_is_required(tmp_path: Path) -> None:
    """Without a target the spider refuses to start; a post alone names its blog."""
    with pytest.raises(ValueError, match="give the blog to crawl"):
        _spider(tmp_path, blog=None)
    spider = _spider(tmp_path, blog=None, post=POST_URL + "?m=1")
    assert (spider.blog, spider.single_post) == (BLOG, POST_URL + "?m=1")


@pytest.mark.parametrize("option", ["since", "until"])
def test_a_bad_date_names_its_option(tmp_path: Path, option: str) -> None:
    """The error says which of since/until is wrong, and what was given."""
    with pytest.raises(ValueError, match=f"^{option} must be a date like .*'2025-13-01'"):
        _spider(tmp_path, **{option: "2025-13-01"})


@pytest.mark.parametrize("limit", ["0", "-3", 0])
def test_limit_must_be_positive(tmp_path: Path, limit: str | int) -> None:
    """``limit=0`` would crawl nothing silently: it is refused."""
    with pytest.raises(ValueError, match="limit must be a positive number"):
        _spider(tmp_path, limit=limit)
    with pytest.raises(ValueError, match="limit must be a positive number of posts, not 'ten'"):
        _spider(tmp_path, limit="ten")
    assert _spider(tmp_path, limit="3").limit == 3
    assert _spider(tmp_path, limit="").limit is None


def test_discover_takes_only_sitemap_and_feed(tmp_path: Path) -> None:
    """An unknown list kind is refused; spaces around the names are allowed."""
    with pytest.raises(ValueError, match="discover takes sitemap, feed"):
        _spider(tmp_path, discover="sitemap,atom")
    for nothing in ("", ","):  # a crawl that would request nothing at all
        with pytest.raises(ValueError, match="discover takes sitemap, feed"):
            _spider(tmp_path, discover=nothing)
    assert _spider(tmp_path, discover=" feed ").discover == {"feed"}
    assert _spider(tmp_path, discover="sitemap , feed").discover == {"sitemap", "feed"}


def test_full_sets_the_full_crawl_setting(tmp_path: Path) -> None:
    """``-a full=1`` becomes BITEXT_FULL_CRAWL, which the pipeline composes from."""
    settings = {"BITEXT_PARSE_WORKERS": 0, "ARCHIVE_DIR": str(tmp_path)}
    spider = _spider_as_crawl_builds_it(settings, full="1")
    assert spider.full and spider.settings.getbool("BITEXT_FULL_CRAWL")
    spider = _spider_as_crawl_builds_it(settings, full="0")
    assert not spider.full and not spider.settings.getbool("BITEXT_FULL_CRAWL")
    # The setting alone makes the spider a full one too.
    assert _spider(tmp_path, settings={"BITEXT_FULL_CRAWL": True}).full


# parse_post


def test_a_post_yields_its_item_then_one_request_per_repaired_cited_url(tmp_path: Path) -> None:
    """The PostItem comes first, then each cited URL as repaired, requested once per run."""
    spider = _spider(tmp_path)
    item, *requests = spider.parse_post(_post_response(TEXT + CITATION_TWO))
    assert isinstance(item, PostItem) and item.post is not None and item.url == POST_URL
    assert [r.url for r in requests] == [USNI, SOURCE]  # the utm_source query removed
    for request in requests:
        assert isinstance(request, Request)
        assert request.callback == spider.parse_source
        assert request.errback == spider.source_failed
        assert request.meta["cited_url"] == request.url
        assert request.meta[META_BUDGET] is True
        assert "dont_cache" not in request.meta
    # Another post citing one of them: its item, and no second request.
    assert [
        type(x) for x in spider.parse_post(_post_response(TEXT + CITATION_TWZ, OTHER_POST))
    ] == [PostItem]
    assert _stat(spider, "bitext/posts/parsed") == 2


@pytest.mark.parametrize(
    ("since", "until", "inside"),
    [
        ("2025-02-08", None, False),
        (None, "2025-02-06", False),
        ("2025-02-07", "2025-02-07", True),  # both ends inclusive
    ],
)
def test_the_window_keeps_posts_published_inside_it(
    tmp_path: Path, since: str | None, until: str | None, inside: bool
) -> None:
    """A post published (2025-02-07) outside since/until yields nothing, not even requests."""
    spider = _spider(tmp_path, since=since, until=until)
    out = list(spider.parse_post(_post_response(TEXT + CITATION_TWZ)))
    if inside:
        assert [type(x) for x in out] == [PostItem, Request]
        assert _stat(spider, "bitext/posts/parsed") == 1
    else:
        assert out == []
        assert _stat(spider, "bitext/posts/outside_window") == 1
        assert _stat(spider, "bitext/posts/parsed") == 0


def test_an_unparsable_page_yields_an_item_without_a_post(tmp_path: Path) -> None:
    """A permalink page with no post text still gets its item, saying why."""
    spider = _spider(tmp_path)
    (item,) = spider.parse_post(_post_response(""))
    assert isinstance(item, PostItem)
    assert (item.url, item.http_status, item.post) == (POST_URL, 200, None)
    assert item.error is not None and "post body is empty" in item.error
    assert _stat(spider, "bitext/posts/unparsable") == 1
    assert _stat(spider, "bitext/posts/parsed") == 0


def test_a_cited_url_over_the_length_limit_is_an_outcome_not_a_request(tmp_path: Path) -> None:
    """Scrapy would drop it without a trace: it ends as a SourceItem with a status."""
    spider = _spider(tmp_path, settings={"URLLENGTH_LIMIT": 60})
    assert len(SOURCE) > 60 >= len(USNI)
    post, request, too_long = spider.parse_post(_post_response(TEXT + CITATION_TWO))
    assert isinstance(post, PostItem)
    assert isinstance(request, Request) and request.url == USNI
    assert isinstance(too_long, SourceItem)
    assert (too_long.cited_url, too_long.status) == (SOURCE, "source_refused")
    assert too_long.error is not None and "URLLENGTH_LIMIT" in too_long.error
    assert _stat(spider, "bitext/sources/source_refused") == 1


# Post requests


def test_post_requests_are_canonical_once_each_and_within_the_limit(tmp_path: Path) -> None:
    """Static and label pages are not posts; a permalink in two spellings is one post."""
    spider = _spider(tmp_path, limit=2)
    assert spider._post_request(f"{BLOG}p/about.html", "sitemap") is None
    assert spider._post_request(f"{BLOG}search/label/米海軍", "feed") is None
    assert _stat(spider, "bitext/discovery/not_a_post") == 2
    first = spider._post_request(
        "http://synthetic-example.blogspot.jp/2025/02/blog-post_7.html?m=1", "feed"
    )
    assert first is not None and first.url == POST_URL
    assert first.meta == {"post_url": POST_URL} and first.dont_filter
    assert (first.callback, first.errback) == (spider.parse_post, spider.post_failed)
    assert spider._post_request(POST_URL, "sitemap") is None  # the same post
    assert spider._post_request(OTHER_POST, "sitemap") is not None
    assert spider._post_request(f"{BLOG}2025/02/blog-post_9.html", "sitemap") is None  # limit
    assert (_stat(spider, "bitext/discovery/feed"), _stat(spider, "bitext/discovery/sitemap")) == (
        1,
        1,
    )


# Errbacks


def test_a_post_that_failed_gets_an_item_with_its_archived_response(tmp_path: Path) -> None:
    """A 404 keeps the WARC pointer and digest of the response; a DNS error has neither."""
    spider = _spider(tmp_path)
    meta = {"post_url": POST_URL, META_POINTER: POINTER, META_PAYLOAD_DIGEST: "sha1:BBBB"}
    request = Request(POST_URL + "?m=1", meta=meta)
    response = HtmlResponse(request.url, status=404, body=b"<html></html>", request=request)
    (item,) = spider.post_failed(_failure(HttpError(response, "Ignoring non-200"), request))
    assert (item.url, item.fetched_url, item.http_status, item.post) == (
        POST_URL,
        request.url,
        404,
        None,
    )
    assert (item.warc, item.payload_digest) == (POINTER, "sha1:BBBB")
    assert item.error == "HTTP 404 Not Found"  # no source status words for a post
    lookup = DNSLookupError("no results for hostname lookup: synthetic-example.blogspot.com")
    (item,) = spider.post_failed(_failure(lookup, Request(POST_URL, meta={"post_url": POST_URL})))
    assert (item.http_status, item.warc, item.payload_digest) == (0, None, None)
    assert item.error is not None and item.error.startswith("DNSLookupError")
    assert _stat(spider, "bitext/posts/unavailable") == 2


@pytest.mark.parametrize(
    ("code", "status"), [(404, "source_not_found"), (503, "source_http_error")]
)
def test_a_source_http_error_is_described_from_its_response(
    tmp_path: Path, code: int, status: str
) -> None:
    """The item has the response's status, type, WARC pointer and digest (the live outcome:
    tests/unit/spiders/test_archive_fallback.py asks the archives)."""
    spider = _spider(tmp_path, settings={"SOURCE_ARCHIVE_FALLBACK": False})
    meta = {"cited_url": SOURCE, META_POINTER: POINTER, META_PAYLOAD_DIGEST: "sha1:CCCC"}
    meta[META_FETCHED_AT] = "2025-02-07T03:04:05Z"  # the capture's WARC-Date
    request = Request(SOURCE, meta=meta)
    headers = {"Content-Type": "text/html; charset=utf-8"}
    response = HtmlResponse(SOURCE, status=code, headers=headers, body=b"<p>", request=request)
    (item,) = spider.source_failed(_failure(HttpError(response, "Ignoring"), request))
    assert item.crawled_at == "2025-02-07T03:04:05Z"  # when it was fetched, as for a page read
    assert (item.cited_url, item.status, item.http_status, item.url) == (
        SOURCE,
        status,
        code,
        SOURCE,
    )
    assert (item.warc, item.payload_digest) == (POINTER, "sha1:CCCC")
    assert item.content_type == "text/html; charset=utf-8"
    assert item.error is not None and item.error.startswith(f"HTTP {code} ")
    assert _stat(spider, f"bitext/sources/{status}") == 1


def test_an_unreachable_source_and_an_archived_outcome(tmp_path: Path) -> None:
    """A DNS error has no response to describe; an archived outcome is yielded as it is."""
    spider = _spider(tmp_path, settings={"SOURCE_ARCHIVE_FALLBACK": False})
    request = Request(SOURCE, meta={"cited_url": SOURCE})
    lookup = DNSLookupError("no results for hostname lookup: www.twz.com")
    (item,) = spider.source_failed(_failure(lookup, request))
    assert (item.status, item.url, item.http_status, item.warc) == (
        "source_unreachable",
        None,
        None,
        None,
    )
    assert item.error is not None and item.error.startswith("DNSLookupError")
    archived = SourceItem(SOURCE, "source_not_found", "2025-02-08T00:00:00+00:00", http_status=404)
    archived.from_archive = True
    assert list(spider.source_failed(_failure(ArchivedOutcome(archived), request))) == [archived]
    assert _stat(spider, "bitext/sources/source_unreachable") == 1
    assert _stat(spider, "bitext/sources/source_not_found") == 1


# parse_source


@pytest.mark.parametrize("flags", [[FLAG_ARCHIVED], []])
def test_a_source_page_says_whether_it_came_from_the_archive(
    tmp_path: Path, flags: list[str]
) -> None:
    """``from_archive`` follows the archive cache's flag; the digest comes from the capture."""
    article = next(iter(load_cases("t2")[0].sources.values()))
    url = article.url
    request = Request(url, meta={"cited_url": url, META_PAYLOAD_DIGEST: "sha1:DDDD"})
    headers = {"Content-Type": "text/html; charset=utf-8"}
    body = render_article(article)
    response = HtmlResponse(url, body=body, headers=headers, flags=flags, request=request)
    spider = _spider(tmp_path)
    (item,) = spider.parse_source(response)
    assert (item.cited_url, item.status, item.url) == (url, "ok", url)
    assert item.article is not None and item.article.title == article.title
    assert item.from_archive is bool(flags)
    assert item.payload_digest == "sha1:DDDD"
    assert _stat(spider, "bitext/sources/ok") == 1


# Incremental listing: the spider requests every listed post; the archive cache answers the
# unchanged ones (tests/unit/downloadermiddlewares/test_archive_cache.py).


def test_a_list_page_gives_its_dates_then_a_request_per_post(tmp_path: Path) -> None:
    """The dates first (for the crawl state, by canonical permalink), then each post not yet
    requested, with the list's date for the archive cache; a post listed again adds a date,
    not a request."""
    spider = _spider(tmp_path)
    later = DAY + timedelta(hours=1)
    first = [ListedPost(POST_URL + "?m=1", lastmod=DAY), ListedPost(OTHER_POST)]
    listing, *requests = spider._listed_posts("sitemap", first)
    assert listing == ListingItem([ListedPost(POST_URL, lastmod=DAY)])  # OTHER_POST: no date
    assert [r.url for r in requests] == [POST_URL, OTHER_POST]
    assert requests[0].meta == {"post_url": POST_URL, META_LISTED: DAY.isoformat()}
    assert requests[1].meta == {"post_url": OTHER_POST, META_LISTED: None}
    assert all(r.callback == spider.parse_post and r.dont_filter for r in requests)
    again = list(spider._listed_posts("feed", [ListedPost(POST_URL, updated=later)]))
    assert again == [ListingItem([ListedPost(POST_URL, updated=later)])]
    assert _stat(spider, "bitext/discovery/sitemap") == 2
    assert _stat(spider, "bitext/discovery/feed") == 0


def test_a_post_asked_for_by_url_is_not_a_listed_one(tmp_path: Path) -> None:
    """``-a post=URL``: no list date, so the archive cache never answers it from the archive."""
    spider = _spider(tmp_path, post=POST_URL)
    (request,) = spider.discovery_requests()
    assert request.meta == {"post_url": POST_URL}


def test_an_unchanged_post_makes_nothing_and_one_read_again_is_a_post(tmp_path: Path) -> None:
    """Its copy and its pairs stand: no item, no request. A copy the archive cache answers with
    (flag ``archived``) is read as the page was: an item, and a request for each cited URL not
    requested yet, counted as unchanged rather than parsed."""
    spider = _spider(tmp_path)
    request = Request(POST_URL, meta={"post_url": POST_URL, META_LISTED: DAY.isoformat()})
    assert list(spider.post_failed(_failure(ArchivedPost(POST_URL), request))) == []
    assert _stat(spider, "bitext/posts/unavailable") == 0
    archived = _post_response(TEXT + CITATION_TWO).replace(flags=[FLAG_ARCHIVED])
    item, *requests = spider.parse_post(archived)
    assert isinstance(item, PostItem) and item.from_archive
    assert [r.url for r in requests] == [USNI, SOURCE]
    assert all("dont_cache" not in r.meta for r in requests)  # the archive cache decides each
    assert _stat(spider, "bitext/posts/parsed") == 0


def test_a_post_past_the_limit_is_not_requested(tmp_path: Path) -> None:
    """``limit`` counts the posts a run takes up, unchanged ones too (the cache answers them):
    past it, a listed post is not requested, so none of its sources is retried either."""
    spider = _spider(tmp_path, limit=1)
    listed = [ListedPost(OTHER_POST, lastmod=DAY), ListedPost(POST_URL, lastmod=DAY)]
    listing, *requests = spider._listed_posts("sitemap", listed)
    assert isinstance(listing, ListingItem) and len(listing.posts) == 2
    assert [r.url for r in requests] == [OTHER_POST]
