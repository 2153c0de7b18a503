"""The exchange the WARC capture writes, from what Scrapy kept of a request and its response."""

from __future__ import annotations

import base64

from scrapy import Request
from scrapy.http import HtmlResponse

from crawler.archive.records import RecordSerializer
from crawler.extensions.warc_capture import exchange_from, is_proxy_header
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
