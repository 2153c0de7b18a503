"""The web-archive fallback's requests and callbacks (crawler/spiders/archive_fallback.py), driven
through the Blogger spider with fake responses (no network, no reactor)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError, TCPTimedOutError
from twisted.python.failure import Failure

from crawler.archive.pointer import WarcPointer
from crawler.extensions.crawl_log import META_ITEM_RECORD
from crawler.extensions.warc_capture import META_PAYLOAD_DIGEST, META_POINTER, META_RECORD
from crawler.items import SourceItem
from crawler.policy.webarchive import Capture, cdx_url
from crawler.spiders.archive_fallback import META_FALLBACK, META_PUBLISHED, Fallback
from crawler.spiders.blogger import BloggerSpider
from replica.sites.webarchive_cases import ArchiveCase, archive_cases
from tests.unit.records import POINTER

BLOG = "https://synthetic-example.blogspot.com/"
WAYBACK = "https://web.archive.org"
MIRROR = "https://archive.example.org"
PUBLISHED = "2017-03-04T09:30:00+09:00"


def _spider(tmp_path: Path, **settings: Any) -> BloggerSpider:
    base = {"BITEXT_PARSE_WORKERS": 0, "ARCHIVE_DIR": str(tmp_path), "PAIRS_ENABLED": False}
    crawler = get_crawler(BloggerSpider, {**base, **settings})
    crawler.spider = crawler._create_spider(blog=BLOG)
    assert isinstance(crawler.spider, BloggerSpider)
    return crawler.spider


def _gone() -> ArchiveCase:
    (case,) = [c for c in archive_cases() if c.case.post.path == "/2017/03/f-35b.html"]
    return case


def _cited() -> str:
    (url,) = _gone().case.expected_status
    return url


def _failure(exc: Exception, request: Request) -> Failure:
    failure = Failure(exc)
    failure.request = request  # type: ignore[attr-defined]
    return failure


def _not_found(spider: BloggerSpider, **meta: Any) -> list[Any]:
    cited = _cited()
    request = Request(cited, meta={"cited_url": cited, META_POINTER: POINTER, **meta})
    response = HtmlResponse(cited, status=404, body=b"<p>gone</p>", request=request)
    return list(spider.source_failed(_failure(HttpError(response, "Ignoring"), request)))


def _live(status: str = "source_not_found") -> SourceItem:
    cited = _cited()
    return SourceItem(
        cited, status, "2026-01-01T00:00:00+00:00", url=cited, http_status=404, error="HTTP 404"
    )


def _cdx(request: Request, rows: list[list[str]]) -> TextResponse:
    fields = ["timestamp", "original", "statuscode", "mimetype"]
    body = json.dumps([fields, *rows] if rows else []).encode()
    return TextResponse(request.url, body=body, request=request)


def _stat(spider: BloggerSpider, key: str) -> int:
    assert spider.crawler.stats is not None
    return int(spider.crawler.stats.get_value(key) or 0)


def test_a_gone_source_asks_the_archive_in_a_request_of_its_own(tmp_path: Path) -> None:
    spider = _spider(tmp_path)
    (lookup,) = _not_found(spider, **{META_PUBLISHED: PUBLISHED})
    assert isinstance(lookup, Request)
    assert lookup.url == cdx_url(WAYBACK, _cited())
    # Not a cited fetch: the archive cache and the read-ahead key on cited_url.
    assert "cited_url" not in lookup.meta and lookup.dont_filter
    fallback = lookup.meta[META_FALLBACK]
    assert isinstance(fallback, Fallback)
    assert (fallback.live.status, fallback.live.http_status, fallback.published) == (
        "source_not_found",
        404,
        PUBLISHED,
    )
    assert _stat(spider, "bitext/sources/source_not_found") == 1


def test_what_a_capture_cannot_stand_for_is_not_asked(tmp_path: Path) -> None:
    spider = _spider(tmp_path)
    cited = _cited()
    request = Request(cited, meta={"cited_url": cited})
    timeout = TCPTimedOutError()
    (item,) = spider.source_failed(_failure(timeout, request))
    assert isinstance(item, SourceItem) and item.status == "source_unreachable"
    (lookup,) = spider.source_failed(_failure(DNSLookupError("no such host"), request))
    assert isinstance(lookup, Request)  # a dead domain is asked


def test_switched_off_the_live_outcome_stands(tmp_path: Path) -> None:
    spider = _spider(tmp_path, SOURCE_ARCHIVE_FALLBACK=False)
    (item,) = _not_found(spider)
    assert isinstance(item, SourceItem) and item.status == "source_not_found"


def test_the_capture_before_the_translation_is_fetched_raw(tmp_path: Path) -> None:
    spider = _spider(tmp_path)
    (lookup,) = _not_found(spider, **{META_PUBLISHED: PUBLISHED})
    cited = _cited()
    rows = [
        [ts, cited, "200", "text/html"]
        for ts in ("20170101000000", "20170302184000", "20170401000000")
    ] + [["20170303000000", cited, "404", "text/html"]]
    (capture,) = spider.archive_listed(_cdx(lookup, rows))
    assert isinstance(capture, Request)
    assert capture.url == f"{WAYBACK}/web/20170302184000id_/{cited}"
    assert capture.meta[META_FALLBACK].capture == Capture(
        WAYBACK, cited, "20170302184000", 200, "text/html"
    )
    assert "cited_url" not in capture.meta


def test_without_a_capture_the_next_archive_then_the_live_outcome(tmp_path: Path) -> None:
    spider = _spider(tmp_path, SOURCE_ARCHIVES=f"{WAYBACK}, {MIRROR}/")
    (lookup,) = _not_found(spider)
    (second,) = spider.archive_listed(_cdx(lookup, []))
    assert isinstance(second, Request) and second.url == cdx_url(MIRROR, _cited())
    broken = TextResponse(second.url, body=b"<html>not json</html>", request=second)
    (item,) = spider.archive_listed(broken)
    assert isinstance(item, SourceItem)
    assert (item.status, item.memento, item.live) == ("source_not_found", None, None)
    assert _stat(spider, "bitext/archive_fallback/not_archived") == 1
    assert _stat(spider, "bitext/archive_fallback/unreadable") == 1


def test_a_failed_lookup_leaves_the_live_outcome(tmp_path: Path) -> None:
    spider = _spider(tmp_path)
    (lookup,) = _not_found(spider)
    (item,) = spider.archive_failed(_failure(TCPTimedOutError(), lookup))
    assert isinstance(item, SourceItem) and item.status == "source_not_found"


def test_the_live_outcome_names_its_own_record_for_the_crawl_log(tmp_path: Path) -> None:
    """Yielded with the lookup's response, the live outcome's crawl-log record still refers to
    the live page's record (crawler/extensions/crawl_log.py reads META_ITEM_RECORD)."""
    spider = _spider(tmp_path)
    written = WarcPointer(POINTER.filename, POINTER.offset + 1, "<urn:uuid:revisit>")
    (lookup,) = _not_found(spider, **{META_RECORD: written})
    answer = _cdx(lookup, [])
    (item,) = spider.archive_listed(answer)
    assert isinstance(item, SourceItem)
    assert answer.meta[META_ITEM_RECORD] == (POINTER, written)


def _captured(
    spider: BloggerSpider, final_url: str, body: bytes, timestamp: str = "20170302184000"
) -> list[Any]:
    cited = _cited()
    capture = Capture(WAYBACK, cited, timestamp, 200, "text/html")
    fallback = Fallback(_live(), PUBLISHED, WAYBACK, (), capture)
    meta = {META_FALLBACK: fallback, META_POINTER: POINTER, META_PAYLOAD_DIGEST: "sha1:DDDD"}
    request = Request(capture.raw_url, meta=meta)
    headers = {"Content-Type": "text/html; charset=utf-8"}
    response = HtmlResponse(final_url, body=body, headers=headers, request=request)
    return list(spider.archive_captured(response))


def test_a_capture_of_the_article_is_the_source_with_its_memento(tmp_path: Path) -> None:
    spider = _spider(tmp_path)
    case, cited = _gone(), _cited()
    (memento,) = case.mementos
    (item,) = _captured(spider, f"{WAYBACK}/web/20170302184000id_/{cited}", memento.body)
    assert isinstance(item, SourceItem)
    assert (item.status, item.cited_url, item.warc, item.payload_digest) == (
        "ok",
        cited,
        POINTER,
        "sha1:DDDD",
    )
    assert item.article is not None and item.article.title == case.case.sources[cited].title
    assert item.memento == {
        "url": f"{WAYBACK}/web/20170302184000/{cited}",
        "datetime": datetime(2017, 3, 2, 18, 40, tzinfo=UTC).isoformat(),
        "archive": WAYBACK,
    }
    assert item.live is not None
    assert (item.live["status"], item.live["http_status"], item.live["url"]) == (
        "source_not_found",
        404,
        cited,
    )
    assert item.live_item().status == "source_not_found"


@pytest.mark.parametrize(
    ("final", "body"),
    [
        ("{wayback}/web/20170302184000id_/https://breakingdefense.com/", None),  # a homepage
        ("{wayback}/web/20170302184000id_/{cited}", b""),  # an empty capture
    ],
)
def test_a_capture_that_is_not_the_page_leaves_the_live_outcome(
    tmp_path: Path, final: str, body: bytes | None
) -> None:
    spider = _spider(tmp_path)
    (memento,) = _gone().mementos
    url = final.format(wayback=WAYBACK, cited=_cited())
    (item,) = _captured(spider, url, memento.body if body is None else body)
    assert isinstance(item, SourceItem)
    assert (item.status, item.memento, item.live) == ("source_not_found", None, None)
    assert _stat(spider, "bitext/archive_fallback/refused") == 1


def test_the_publication_time_goes_with_the_cited_request(tmp_path: Path) -> None:
    spider = _spider(tmp_path)
    request = spider._source_request(_cited(), published=datetime.fromisoformat(PUBLISHED))
    assert request.meta[META_PUBLISHED] == PUBLISHED
    assert META_PUBLISHED not in spider._source_request(_cited()).meta
