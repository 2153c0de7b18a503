"""The archive as a cache's storage: each URL's latest capture, each item's crawl-log record."""

from __future__ import annotations

import gzip
from datetime import timedelta
from pathlib import Path

from crawler.archive import WarcArchive
from crawler.archive.dedup import DigestIndex
from crawler.archive.storage import ArchiveStorage, blog_of
from crawler.items import SourceItem
from crawler.items.crawllog import CRAWL_LOG_CONTENT_TYPE, crawl_log_fields, encode_crawl_log
from tests.unit.archive.builders import STARTED, fixed_clock, id_factory, make_exchange

URL = "https://news.example.com/a"
WARCINFO = {"isPartOf": "t2", "description": "t2 crawl of https://blog.example/"}


def _log(archive: WarcArchive, item: SourceItem, crawl: str = "c1") -> None:
    fields = crawl_log_fields(item, crawl=crawl, spider="t2")
    archive.write_metadata(item.cited_url, encode_crawl_log(fields), CRAWL_LOG_CONTENT_TYPE)


def _archive(directory: Path, *, dedup: DigestIndex | None = None) -> WarcArchive:
    return WarcArchive(
        directory,
        warcinfo=WARCINFO,
        clock=fixed_clock(),
        new_record_id=id_factory(),
        digest_index=dedup,
    )


def test_the_latest_capture_of_a_url_wins_and_keeps_its_encoding(tmp_path: Path) -> None:
    first, second = b"<p>one</p>", b"<p>two</p>"
    headers = (("Content-Type", "text/html"), ("Content-Encoding", "gzip"))
    with _archive(tmp_path) as archive:
        archive.write_exchange(make_exchange(url=URL, status=503, body=first))
        later = archive.write_exchange(
            make_exchange(
                url=URL,
                response_headers=headers,
                body=gzip.compress(second),
                started_at=STARTED + timedelta(seconds=5),
            )
        )
    storage = ArchiveStorage.scan(tmp_path)
    capture = storage.capture(URL + "#part")  # a fragment is never sent
    assert capture is not None and capture.pointer == later.record
    stored = storage.read(capture)
    assert stored.http_status == 200
    # As the HTTP client received it: the crawl's decompression decodes it again.
    assert gzip.decompress(stored.body) == second
    assert ("Content-Encoding", "gzip") in stored.headers
    assert stored.payload == later.payload
    assert storage.capture("https://news.example.com/other") is None


def test_a_revisit_is_read_with_its_originals_payload(tmp_path: Path) -> None:
    body = b"<p>the same page</p>"
    with DigestIndex() as dedup, _archive(tmp_path, dedup=dedup) as archive:
        original = archive.write_exchange(make_exchange(url=URL, body=body))
        revisit = archive.write_exchange(
            make_exchange(
                url="https://news.example.com/b", body=body, started_at=STARTED.replace(hour=5)
            )
        )
    assert revisit.record != revisit.payload  # a revisit was written
    storage = ArchiveStorage.scan(tmp_path)
    capture = storage.capture("https://news.example.com/b")
    assert capture is not None and capture.revisit
    stored = storage.read(capture)
    assert (stored.body, stored.payload) == (body, original.record)


def test_scanning_writes_nothing_and_finds_the_crawl_log(tmp_path: Path) -> None:
    with _archive(tmp_path) as archive:
        archive.write_exchange(make_exchange(url=URL))
        _log(archive, SourceItem(cited_url=URL, status="source_unreachable", crawled_at="x"))
        _log(archive, SourceItem(cited_url=URL, status="ok", crawled_at="y"), crawl="c2")
    before = sorted(str(path) for path in tmp_path.rglob("*"))
    storage = ArchiveStorage.scan(tmp_path)
    assert sorted(str(path) for path in tmp_path.rglob("*")) == before
    entry = storage.logged_item("source", URL)
    assert entry is not None and entry.fields["status"] == "ok"  # the later record wins
    last = storage.crawl_of()
    assert last is not None and last.crawl == "c2"
    assert blog_of(storage.warcinfo[last.record.filename], "t2") == "https://blog.example/"
    assert blog_of(storage.warcinfo[last.record.filename], "blog") is None
