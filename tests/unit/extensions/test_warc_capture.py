"""The exchange the WARC capture writes, from what Scrapy kept of a request and its response;
the reasons it gives when the archive cannot be opened."""

from __future__ import annotations

import base64
import logging
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler.archive.records import RecordSerializer
from crawler.extensions.warc_capture import WarcCapture, exchange_from, is_proxy_header
from crawler.truncation import FLAG_STOPPED, FLAG_TIME

URL = "https://www.example-news.test/2025/04/article/"
CREDENTIALS = b"Basic " + base64.b64encode(b"synthetic-user:synthetic-secret")


def _exchange(flags: list[str] | None = None, **headers: bytes) -> tuple[Request, HtmlResponse]:
    request = Request(URL, headers={"User-Agent": "bitext-crawler/test", **headers})
    response = HtmlResponse(URL, body=b"<html></html>", flags=flags, request=request)
    return request, response


def test_the_request_record_holds_no_header_of_the_crawler_s_proxy() -> None:
    # HttpProxyMiddleware puts the proxy's credentials on every request, from
    # https_proxy=http://user:secret@host:port; they go on CONNECT (or to a plain http proxy),
    # never to the origin.
    request, response = _exchange(
        **{"Proxy-Authorization": CREDENTIALS, "Proxy-Connection": b"keep-alive"}
    )
    exchange = exchange_from(request, response)
    assert [name for name, _ in exchange.request_headers] == ["Host", "User-Agent"]
    record = RecordSerializer().request(
        exchange, record_id="<urn:uuid:1>", warcinfo_id="<urn:uuid:0>", concurrent_to="<x>"
    )
    assert b"Proxy-" not in record and b"synthetic-secret" not in record
    assert base64.b64encode(b"synthetic-user:synthetic-secret") not in record
    assert request.headers[b"Proxy-Authorization"] == CREDENTIALS  # Scrapy still sends it


def test_proxy_headers_are_told_by_name() -> None:
    assert is_proxy_header(b"Proxy-Authorization") and is_proxy_header("proxy-connection")
    assert not is_proxy_header(b"Authorization") and not is_proxy_header(b"X-Proxy")


def test_the_truncation_reason_follows_the_response_flags() -> None:
    assert exchange_from(*_exchange()).truncated is None
    assert exchange_from(*_exchange(["dataloss"])).truncated == "length"
    assert exchange_from(*_exchange([FLAG_STOPPED])).truncated == "length"
    assert exchange_from(*_exchange([FLAG_TIME, FLAG_STOPPED])).truncated == "time"


def _opened_with(settings: dict[str, object], caplog: pytest.LogCaptureFixture) -> list[str]:
    """Open the capture for a crawl with ``settings``; the reasons it closed the crawl for."""
    crawler = get_crawler(Spider, settings)
    closed: list[str] = []
    crawler.engine = SimpleNamespace(  # type: ignore[assignment]
        close_spider=lambda spider, reason: closed.append(reason)
    )
    capture = WarcCapture.from_crawler(crawler)
    with caplog.at_level(logging.ERROR):
        capture.spider_opened(Spider("t2"))
    if capture.archive is not None:
        capture.archive.close()
    return closed


def test_a_damaged_digest_index_is_named_with_what_to_do(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "digests.sqlite").write_bytes(b"not a database, " * 100)
    assert _opened_with({"ARCHIVE_DIR": str(tmp_path)}, caplog) == ["warc_open_error"]
    (message,) = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert message.startswith(f"the digest index {tmp_path / 'state' / 'digests.sqlite'} ")
    assert "move it aside" in message and "cannot open the WARC archive" not in message
    assert not list(tmp_path.glob("*.warc.gz*"))  # nothing archived, nothing fetched


def test_a_bad_warc_prefix_is_named(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    settings = {"ARCHIVE_DIR": str(tmp_path), "WARC_PREFIX": "T2/../x"}
    assert _opened_with(settings, caplog) == ["warc_open_error"]
    (message,) = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert message.startswith("WARC_PREFIX='T2/../x' cannot start a file name")
    assert _opened_with({"ARCHIVE_DIR": str(tmp_path / "fine")}, caplog) == []
