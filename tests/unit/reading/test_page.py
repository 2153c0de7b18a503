"""What a fetched page, or a failed fetch, means: statuses and texts for bad inputs.

Every page here is synthetic: built by the replica's renderers from the corpus or written inline.
"""

from __future__ import annotations

import time

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadCancelledError, IgnoreRequest
from scrapy.http import HtmlResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawler.items import SourceItem
from crawler.reading.page import Cutoff, read_post_page, read_source_page
from crawler.spiders.failures import failure_status, url_too_long
from replica.corpus import load_cases
from replica.model import SourceArticle
from replica.sites.news_faults import (
    in_windows_1252,
    malformed,
    on_one_line,
    png_image,
    with_invalid_utf8,
)
from replica.sites.news_templates import render_article
from tests.unit.blogger.pages import POST_URL, blogger_page

URL = "https://www.example-news.test/2025/04/article/"
HTML_UTF8 = "text/html; charset=utf-8"


def _article() -> SourceArticle:
    """A corpus article whose text has curly quotes, an em dash and accents."""
    case = next(c for c in load_cases("t2") if c.post.path == "/2025/03/cv90.html")
    return next(iter(case.sources.values()))


def _source(body: bytes, content_type: str | None = HTML_UTF8, **kwargs: object) -> SourceItem:
    fields: dict[str, object] = {
        "cited_url": URL,
        "url": URL,
        "redirects": [],
        "http_status": 200,
        "content_type": content_type,
        "body": body,
        "truncated": False,
        "warc": None,
        "crawled_at": "2025-04-01T00:00:00Z",
    }
    fields.update(kwargs)
    return read_source_page(**fields)  # type: ignore[arg-type]


def _golden(article: SourceArticle) -> str:
    return "\n\n".join(article.paragraphs)


def test_a_truncated_response_is_source_truncated_whatever_it_holds() -> None:
    page = render_article(_article())
    item = _source(page[: len(page) // 3], truncated=True)
    assert (item.status, item.error) == ("source_truncated", "the response was cut short")
    assert item.article is None


@pytest.mark.parametrize("body", [b"", b"  \r\n\t "])
def test_an_empty_body_is_not_html(body: bytes) -> None:
    item = _source(body)
    assert item.status == "source_not_html"
    assert item.error == "the cited URL answered with an empty body"


@pytest.mark.parametrize("content_type", ["image/png", "text/html", None])
def test_an_image_is_not_html_even_when_labelled_html(content_type: str | None) -> None:
    item = _source(png_image(), content_type)
    assert item.status == "source_not_html"
    assert item.article is None


def test_invalid_utf8_bytes_leave_the_article_intact() -> None:
    article = _article()
    page = with_invalid_utf8(render_article(article))
    with pytest.raises(UnicodeDecodeError):
        page.decode("utf-8")
    for content_type in (HTML_UTF8, "text/html", None):
        item = _source(page, content_type)
        assert item.status == "ok"
        assert item.article is not None and item.article.text == _golden(article)


def test_a_windows_1252_page_declared_only_in_meta_decodes() -> None:
    article = _article()
    page = in_windows_1252(render_article(article))
    assert b"charset=windows-1252" in page and "\u201c".encode() not in page
    item = _source(page, "text/html")
    assert item.status == "ok" and item.article is not None
    assert item.article.text == _golden(article)
    assert "\u20ac2.2 billion" in item.article.text and "Tom\u00e1\u0161" in item.article.text
    assert item.article.author == "Pavel Nov\u00e1k"


SJIS_TEXT = "①海上自衛隊の護衛艦～㈱髙田造船が建造"


@pytest.mark.parametrize("label", ["Shift_JIS", "shift_jis", "x-sjis", "windows-31j", "MS932"])
def test_a_shift_jis_page_decodes_as_browsers_do(label: str) -> None:
    # Pages labelled Shift_JIS are written in windows-31j: ①, ㈱ and 髙 are not in strict Shift_JIS,
    # and a strict decoder also loses the characters that follow them.
    paragraphs = [SJIS_TEXT + "。" + "同艦は来年就役する予定で、長期の試験を続けている。" * 6] * 3
    html = (
        "<!DOCTYPE html><html lang='ja'><head>"
        f"<meta http-equiv='Content-Type' content='text/html; charset={label}'>"
        "<title>合成記事</title></head><body><article><h1>合成記事</h1>"
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</article></body></html>"
    )
    item = _source(html.encode("cp932"), "text/html")
    assert item.status == "ok" and item.article is not None
    assert SJIS_TEXT in item.article.text
    assert "\ufffd" not in item.article.text


def test_malformed_html_is_still_extracted() -> None:
    article = _article()
    page = malformed(render_article(article))
    assert b"</p>" not in page and b"</body>" not in page
    item = _source(page)
    assert item.status == "ok" and item.article is not None
    assert item.article.text == _golden(article)


def test_a_five_megabyte_single_line_page_is_extracted_in_reasonable_time() -> None:
    article = _article()
    page = on_one_line(render_article(article))
    assert len(page) >= 5_000_000 and b"\n" not in page
    started = time.perf_counter()
    item = _source(page)
    elapsed = time.perf_counter() - started
    assert item.status == "ok" and item.article is not None
    assert item.article.text == _golden(article)
    assert elapsed < 10, f"extraction took {elapsed:.1f} s"


def _post(body_html: str, content_type: str | None = HTML_UTF8, body: bytes | None = None) -> str:
    page = body if body is not None else blogger_page(body_html).encode("utf-8")
    item = read_post_page(
        url=POST_URL,
        fetched_url=POST_URL,
        http_status=200,
        content_type=content_type,
        body=page,
        warc=None,
        crawled_at="2025-04-01T00:00:00Z",
    )
    return item.error if item.post is None else "\n".join(item.post.paragraphs)


@pytest.mark.parametrize("body_html", ["", "\n<br />\n<div><br /></div>\n", "<p>&nbsp;</p>"])
def test_an_empty_post_body_is_unparsable(body_html: str) -> None:
    assert "the post body is empty" in _post(body_html)


def test_invalid_utf8_in_a_post_page_spoils_one_character_only() -> None:
    page = blogger_page("<p>前半の段落です。</p><p>後半の段落です。</p>").encode("utf-8")
    broken = page.replace("前半".encode(), "前".encode() + b"\xff", 1)
    assert _post("", body=broken) == "前\ufffdの段落です。\n後半の段落です。"


@pytest.mark.parametrize(("label", "codec"), [("x-sjis", "cp932"), ("bogus", "utf-8")])
def test_a_post_page_with_an_odd_charset_label_still_parses(label: str, codec: str) -> None:
    # libxml2 raised LookupError on labels it does not know; an unknown one falls back to UTF-8.
    page = blogger_page("<p>本文の段落です。</p>").encode(codec)
    assert _post("", f"text/html; charset={label}", body=page) == "本文の段落です。"


def _failure(exc: Exception, url: str = URL, **meta: object) -> Failure:
    failure = Failure(exc)
    failure.request = Request(url, meta=meta)  # type: ignore[attr-defined]
    return failure


def test_a_download_scrapy_cancelled_for_its_size_names_the_limit() -> None:
    request = Request(URL)
    message = (
        "Expected to receive 12000000 bytes which is larger than download max size (8000000) "
        f"in request {request}."
    )
    status, error, response = failure_status(
        _failure(DownloadCancelledError(message)), maxsize=8_000_000
    )
    # No response survives Scrapy's cancel, so there is no source side to call truncated.
    assert (status, response) == ("source_unreachable", None)
    assert error == (
        "the response is larger than the download size limit of 8000000 bytes "
        "(DOWNLOAD_MAXSIZE): Expected to receive 12000000 bytes which is larger than download "
        "max size (8000000); nothing was kept"
    )
    # While streaming a body without Content-Length, Scrapy cancels with no message at all.
    status, error, _ = failure_status(_failure(DownloadCancelledError()), maxsize=1024)
    assert error == (
        "the response is larger than the download size limit of 1024 bytes (DOWNLOAD_MAXSIZE); "
        "nothing was kept"
    )


def test_a_body_stopped_at_the_size_limit_is_source_truncated() -> None:
    page = render_article(_article())
    item = _source(page[:1000], truncated=True, cutoff=Cutoff("size", 1000, 1003))
    assert (item.status, item.article) == ("source_truncated", None)
    # The count is of the bytes received on the wire (the archived payload), not of the body
    # the reading code is given, which decompression may have changed.
    assert item.error == (
        "the response is larger than the download size limit of 1000 bytes (DOWNLOAD_MAXSIZE); "
        "the first 1003 bytes were kept"
    )


def test_a_response_announcing_too_much_says_none_of_its_body_was_kept() -> None:
    item = _source(b"", truncated=True, cutoff=Cutoff("size", 1000, 0, announced=52_428_800))
    assert item.status == "source_truncated"
    assert item.error == (
        "the response announced 52428800 bytes (Content-Length), over the download size limit "
        "of 1000 bytes (DOWNLOAD_MAXSIZE); it was stopped at its headers and none of its body "
        "was kept"
    )


def test_a_body_stopped_at_the_time_budget_names_it() -> None:
    page = render_article(_article())
    item = _source(page[:500], truncated=True, cutoff=Cutoff("time", 30.0, 500))
    assert (item.status, item.article) == ("source_truncated", None)
    assert item.error == (
        "the response took longer than the time budget of 30 seconds (RESPONSE_BUDGET_SECONDS); "
        "the first 500 bytes were kept"
    )


def test_a_body_too_large_once_decoded_is_source_truncated_and_not_read() -> None:
    page = render_article(_article())  # would read as the article, were it read
    item = _source(page, truncated=True, cutoff=Cutoff("decoded", 1000, 321, encoding="gzip"))
    assert (item.status, item.article) == ("source_truncated", None)
    assert item.error == (
        "decompressed size over the limit of 1000 bytes (DOWNLOAD_MAXSIZE): the 321 bytes "
        "received (gzip) decode to more; they were archived as received and not read"
    )


def test_a_redirect_loop_names_its_hops() -> None:
    a, b = URL, URL.rstrip("/")
    failure = _failure(IgnoreRequest("max redirections reached"), a, redirect_urls=[a, b])
    assert failure_status(failure) == (
        "source_http_error",
        f"redirect loop: {a} -> {b} -> {a}",
        None,
    )
    # A loop entered after a first hop starts at the repeated URL.
    c = "https://www.example-news.test/short"
    failure = _failure(IgnoreRequest("max redirections reached"), a, redirect_urls=[c, a, b])
    assert failure_status(failure)[1] == f"redirect loop: {a} -> {b} -> {a}"


def test_a_redirect_not_followed_into_a_loop_names_the_loop() -> None:
    a, b = URL, URL.rstrip("/")
    request = Request(a, meta={"redirect_urls": [a, b], "dont_redirect": True})
    response = HtmlResponse(a, status=301, headers={"Location": b}, request=request)
    failure = Failure(HttpError(response))
    failure.request = request  # type: ignore[attr-defined]
    assert failure_status(failure) == (
        "source_http_error",
        f"redirect loop: {a} -> {b} -> {a}",
        response,
    )
    # A plain 3xx that reached the errback is no loop.
    failure.request = Request(a)  # type: ignore[attr-defined]
    assert failure_status(failure)[:2] == ("source_http_error", "HTTP 301 Moved Permanently")


def test_a_long_redirect_chain_says_how_long() -> None:
    hops = [f"https://www.example-news.test/{n}" for n in range(21)]
    failure = _failure(IgnoreRequest("max redirections reached"), hops[-1], redirect_urls=hops[:-1])
    status, error, _ = failure_status(failure)
    assert status == "source_http_error"
    assert error.startswith("too many redirects: gave up after 20 (https://www.example-news.test/0")


def test_a_url_over_the_length_limit_is_refused_with_its_length() -> None:
    url = URL + "?token=" + "x" * 3000
    assert url_too_long(url, 2083) == (
        "source_refused",
        f"the URL is {len(url)} characters long, over the crawl's limit of 2083 "
        "(URLLENGTH_LIMIT); it was not fetched",
    )


def test_the_corpus_article_used_here_has_the_characters_it_should() -> None:
    # The checks above prove decoding only if the text holds non-ASCII characters of windows-1252.
    text = _golden(_article())
    assert {"\u201c", "\u2019", "\u20ac", "\u00e1", "\u0161", "\u2013"} <= set(text)
