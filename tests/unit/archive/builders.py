"""Synthetic exchanges, deterministic seams and read-back helpers for the archive tests."""

from __future__ import annotations

import gzip
import itertools
import zlib
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from warcio.archiveiterator import ArchiveIterator
from warcio.checker import Checker

from crawler.archive import HttpExchange

STARTED = datetime(2025, 3, 1, 4, 5, 6, 789012, tzinfo=UTC)
SYNTHETIC_HTML = b"<html><body><p>Synthetic test page.</p></body></html>"
WARCINFO = {"operator": "synthetic test operator", "isPartOf": "synthetic-test-crawl"}


def make_exchange(**changes: Any) -> HttpExchange:
    exchange = HttpExchange(
        url="https://news.example.com/article?id=7&lang=en",
        method="GET",
        request_headers=(
            ("Host", "news.example.com"),
            ("User-Agent", "bitext-crawler-test"),
            ("Accept-Encoding", "gzip, deflate"),
        ),
        request_body=b"",
        protocol="HTTP/1.1",
        status=200,
        reason="",
        response_headers=(("Content-Type", "text/html; charset=utf-8"),),
        body=SYNTHETIC_HTML,
        started_at=STARTED,
        ip_address="127.0.0.1",
        truncated=None,
    )
    return replace(exchange, **changes)


def id_factory(start: int = 1) -> Callable[[], str]:
    counter = itertools.count(start)
    return lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(counter):012d}>"


def fixed_clock(
    start: datetime = datetime(2025, 3, 1, 4, 0, 0, tzinfo=UTC),
) -> Callable[[], datetime]:
    """Each call is one second later, so files opened in turn get distinct names."""
    ticks = itertools.count()
    return lambda: start + timedelta(seconds=next(ticks))


def read_records(path: Path) -> list[SimpleNamespace]:
    """Every record of a WARC file through warcio: type, headers, HTTP headers, raw payload,
    offset."""
    found = []
    with path.open("rb") as stream:
        iterator = ArchiveIterator(stream)
        for record in iterator:
            payload = record.raw_stream.read()
            found.append(
                SimpleNamespace(
                    type=record.rec_type,
                    headers=record.rec_headers,
                    http=record.http_headers,
                    payload=payload,
                    offset=iterator.get_record_offset(),
                )
            )
    return found


def warcio_check(path: Path) -> int:
    """Exit status of ``warcio check`` on one file (0 when every digest verifies)."""
    return int(Checker(SimpleNamespace(inputs=[str(path)], verbose=False)).process_all())


def gzip_members(path: Path) -> list[bytes]:
    """The file's gzip members, each decompressed on its own."""
    data = path.read_bytes()
    members = []
    while data:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        members.append(inflater.decompress(data))
        assert inflater.eof
        data = inflater.unused_data
    return members


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def compressed_members(path: Path) -> list[bytes]:
    """The file's gzip members as stored (compressed), to rebuild damaged copies in tests."""
    data = path.read_bytes()
    members = []
    while data:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        inflater.decompress(data)
        rest = inflater.unused_data
        members.append(data[: len(data) - len(rest)])
        data = rest
    return members
