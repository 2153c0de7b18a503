"""The exchange the WARC capture writes, from what Scrapy kept of a request and its response;
the reasons it gives when the archive cannot be opened."""

from __future__ import annotations

import base64
import errno
import logging
from concurrent.futures import Future
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from crawler.archive import WarcPointer, WrittenExchange
from crawler.archive.background import PendingExchange, PendingPointer
from crawler.archive.records import RecordSerializer, payload_digest
from crawler.extensions.warc_capture import (
    META_FETCHED_AT,
    META_PAYLOAD_DIGEST,
    META_POINTER,
    META_RECORD,
    WarcCapture,
    exchange_from,
    is_proxy_header,
    settle,
)
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


# The records are written by a thread; the meta gets the written pointers on response_received.


def _capture(tmp_path: Path, **settings: object) -> tuple[WarcCapture, list[str], Spider]:
    crawler = get_crawler(Spider, {"ARCHIVE_DIR": str(tmp_path), **settings})
    closed: list[str] = []
    crawler.engine = SimpleNamespace(  # type: ignore[assignment]
        close_spider=lambda spider, reason: closed.append(reason)
    )
    crawler.stats.open_spider()  # type: ignore[union-attr]
    capture = WarcCapture.from_crawler(crawler)
    spider = Spider("t2")
    capture.spider_opened(spider)
    return capture, closed, spider


def _download(capture: WarcCapture, spider: Spider, body: bytes = b"<html></html>") -> Request:
    request, response = _exchange()
    response = response.replace(body=body)
    capture.response_downloaded(response, request, spider)
    return request


def test_the_meta_holds_pending_pointers_until_the_response_is_received(tmp_path: Path) -> None:
    capture, closed, spider = _capture(tmp_path)
    request = _download(capture, spider)
    assert isinstance(request.meta[META_POINTER], PendingPointer)
    assert isinstance(request.meta[META_RECORD], PendingPointer)
    assert META_PAYLOAD_DIGEST not in request.meta and META_FETCHED_AT in request.meta

    capture.response_received(HtmlResponse(URL, request=request), request, spider)
    pointer, record = request.meta[META_POINTER], request.meta[META_RECORD]
    assert type(pointer) is WarcPointer and pointer == record and pointer.offset > 0
    assert request.meta[META_PAYLOAD_DIGEST] == payload_digest(b"<html></html>")
    capture.spider_closed(spider, "finished")
    assert closed == []
    assert capture.crawler.stats.get_value("warc/responses") == 1  # type: ignore[union-attr]
    (path,) = tmp_path.glob("*.warc.gz")  # closed and renamed
    with path.open("rb") as stream:
        types = [record.rec_type for record in ArchiveIterator(stream)]
    assert types == ["warcinfo", "response", "request"]


def test_a_revisit_points_at_the_original_payload(tmp_path: Path) -> None:
    capture, _, spider = _capture(tmp_path, WARC_DEDUP=False)
    first = _download(capture, spider, b"<html>same</html>")
    again = _download(capture, spider, b"<html>same</html>")
    for request in (first, again):
        settle(request.meta)
    assert again.meta[META_POINTER] == first.meta[META_POINTER] != again.meta[META_RECORD]
    capture.spider_closed(spider, "finished")
    assert capture.crawler.stats.get_value("warc/revisits") == 1  # type: ignore[union-attr]


def test_what_others_set_since_is_left_alone() -> None:
    # A redirect's last hop answered from the archive: its pointer and digest are the
    # archive cache's; the meta still holds the redirect hop's record.
    future: Future[object] = Future()
    written = WrittenExchange(
        record=WarcPointer("A", 10, "<r>"),
        request=WarcPointer("A", 20, "<q>"),
        payload=WarcPointer("A", 10, "<r>"),
        payload_digest="sha1:HOP",
        is_revisit=False,
    )
    future.set_result(written)
    pending = PendingExchange.of(future)
    archived = WarcPointer("OLD", 5, "<old>")
    meta = {META_POINTER: archived, META_RECORD: pending.record, META_PAYLOAD_DIGEST: "sha1:OLD"}
    settle(meta)
    assert meta == {
        META_POINTER: archived,
        META_RECORD: written.record,
        META_PAYLOAD_DIGEST: "sha1:OLD",
    }


def _full_disk(capture: WarcCapture) -> None:
    assert capture.archive is not None
    assert capture.archive.flush(5)

    def full(data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    capture.archive.archive._write = full  # type: ignore[method-assign]


def test_an_exchange_that_cannot_be_written_closes_the_crawl_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    capture, closed, spider = _capture(tmp_path)
    _download(capture, spider)
    _full_disk(capture)
    failed = [_download(capture, spider) for _ in range(3)]
    with caplog.at_level(logging.ERROR):
        capture.response_received(HtmlResponse(URL, request=failed[0]), failed[0], spider)
        assert closed == ["warc_write_error"]
        assert capture.write_metadata(URL, b"{}", "application/json", None) is None
        assert _download(capture, spider).meta.get(META_POINTER) is None  # nothing more written
        for request in failed[1:]:
            capture.response_received(HtmlResponse(URL, request=request), request, spider)
        capture.spider_closed(spider, "warc_write_error")
    for request in failed:
        assert not {META_POINTER, META_RECORD, META_PAYLOAD_DIGEST} & set(request.meta)
    assert closed == ["warc_write_error"]
    (message,) = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert message.startswith(f"cannot write WARC record for {URL}: [Errno 28] No space left")
    assert capture.crawler.stats.get_value("warc/write_errors") == 1  # type: ignore[union-attr]
    # The file is left open, as a killed crawl leaves it: the next crawl recovers it.
    assert [p.name.endswith(".warc.gz.open") for p in tmp_path.glob("*.warc.gz*")] == [True]


def test_a_metadata_record_that_cannot_be_written_is_an_error_and_the_crawl_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    capture, closed, spider = _capture(tmp_path)
    _download(capture, spider)
    _full_disk(capture)
    with caplog.at_level(logging.ERROR):
        capture.write_metadata(URL, b"{}", "application/json", None)
        capture.spider_closed(spider, "finished")
    assert closed == []
    (message,) = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert (
        message
        == f"cannot write the metadata record about {URL}: [Errno 28] No space left on device"
    )
