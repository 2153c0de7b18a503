"""A response cut short (WARC-Truncated): its header block says the bytes kept, so a replay tool
that serves it as written serves what was received; the announced length is kept beside it."""

from __future__ import annotations

import gzip
import random
from pathlib import Path
from types import SimpleNamespace

import pytest

from crawler.archive import build_cdxj_index, verify_archive
from crawler.archive.records import ORIG_CONTENT_LENGTH, archived_response_headers
from crawler.reading.archived import read_payload, read_response
from tests.unit.archive.builders import (
    SYNTHETIC_HTML,
    gzip_members,
    make_exchange,
    read_records,
    warcio_check,
)
from tests.unit.archive.conftest import ArchiveFactory

HTML = ("Content-Type", "text/html; charset=utf-8")
# Hex text compresses to about half, so half of its gzip member holds a good part of it.
PAGE = b"<!DOCTYPE html><html><body><p>" + random.Random(5).randbytes(4000).hex().encode()
PAGE_GZIP = gzip.compress(PAGE, mtime=0)


def write_one(make_archive: ArchiveFactory, tmp_path: Path, **changes: object) -> SimpleNamespace:
    archive = make_archive()
    written = archive.write_exchange(make_exchange(**changes))
    archive.close()
    (path,) = (tmp_path / "warcs").glob("*.warc.gz")
    assert warcio_check(path) == 0
    response = read_records(path)[1]
    response.path = path
    response.pointer = written.record
    return response


def http_values(response: SimpleNamespace, name: str) -> list[str]:
    return [value for key, value in response.http.headers if key.lower() == name.lower()]


@pytest.mark.parametrize("reason", ["length", "time", "disconnect", "unspecified"])
def test_the_header_block_says_the_bytes_kept_and_keeps_the_announced_length(
    make_archive: ArchiveFactory, tmp_path: Path, reason: str
) -> None:
    kept = SYNTHETIC_HTML[:17]
    announced = str(len(SYNTHETIC_HTML))
    response = write_one(
        make_archive,
        tmp_path,
        response_headers=(HTML, ("Content-Length", announced), ("X-Synthetic", "1")),
        body=kept,
        truncated=reason,
    )
    assert response.headers["WARC-Truncated"] == reason
    assert response.payload == kept
    assert http_values(response, "Content-Length") == ["17"]
    assert http_values(response, ORIG_CONTENT_LENGTH) == [announced]
    # In the place of the original header, the other headers as they were.
    assert response.http.headers == [
        HTML,
        ("Content-Length", "17"),
        (ORIG_CONTENT_LENGTH, announced),
        ("X-Synthetic", "1"),
    ]
    raw = gzip_members(response.path)[1]
    assert f"\r\nContent-Length: 17\r\n{ORIG_CONTENT_LENGTH}: {announced}\r\n".encode() in raw
    # The record's own length covers exactly that header block and the bytes kept.
    http_block = raw.split(b"\r\n\r\n", 1)[1]
    assert int(response.headers["Content-Length"]) == len(http_block) - len(b"\r\n\r\n")


def test_a_gzip_body_cut_short_is_counted_as_stored_still_encoded(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    stored = PAGE_GZIP[: len(PAGE_GZIP) // 2]
    response = write_one(
        make_archive,
        tmp_path,
        response_headers=(
            HTML,
            ("Content-Encoding", "gzip"),
            ("Content-Length", str(len(PAGE_GZIP))),
        ),
        body=stored,
        truncated="length",
    )
    assert response.payload == stored
    assert http_values(response, "Content-Encoding") == ["gzip"]
    assert http_values(response, "Content-Length") == [str(len(stored))]
    assert http_values(response, ORIG_CONTENT_LENGTH) == [str(len(PAGE_GZIP))]
    # What the crawl's callback was given: the part that decodes, a prefix of the page.
    decoded = read_payload(tmp_path / "warcs", response.pointer)
    assert 0 < len(decoded) < len(PAGE) and PAGE.startswith(decoded)


def test_a_response_stopped_at_its_headers_says_it_holds_nothing(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    response = write_one(
        make_archive,
        tmp_path,
        response_headers=(HTML, ("Content-Length", "123456789")),
        body=b"",
        truncated="length",
    )
    assert response.payload == b""
    assert http_values(response, "Content-Length") == ["0"]
    assert http_values(response, ORIG_CONTENT_LENGTH) == ["123456789"]
    archived = read_response(tmp_path / "warcs", response.pointer)
    assert archived.truncated and archived.body == b"" and archived.http_status == 200
    assert ("X-Archive-Orig-Content-Length", "123456789") in archived.headers


def test_a_body_without_a_length_gets_none(make_archive: ArchiveFactory, tmp_path: Path) -> None:
    # Chunked (or ended by the connection): nothing announced a length, so none is made up.
    response = write_one(
        make_archive,
        tmp_path,
        response_headers=(HTML, ("Transfer-Encoding", "chunked")),
        body=SYNTHETIC_HTML[:20],
        truncated="time",
    )
    assert response.payload == SYNTHETIC_HTML[:20]
    assert http_values(response, "Content-Length") == []
    assert http_values(response, ORIG_CONTENT_LENGTH) == []
    assert http_values(response, "X-Archive-Orig-Transfer-Encoding") == ["chunked"]


def test_a_whole_response_keeps_its_content_length(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    response = write_one(
        make_archive,
        tmp_path,
        response_headers=(HTML, ("Content-Length", str(len(SYNTHETIC_HTML)))),
    )
    assert response.headers.get_header("WARC-Truncated") is None
    assert http_values(response, "Content-Length") == [str(len(SYNTHETIC_HTML))]
    assert http_values(response, ORIG_CONTENT_LENGTH) == []


def test_headers_already_right_are_left_as_they_are() -> None:
    headers = (HTML, ("Content-Length", "17"))
    assert archived_response_headers(headers, kept=17) == list(headers)
    # Not cut short: the header block is the one received, whatever it says.
    assert archived_response_headers((("Content-Length", "99"),)) == [("Content-Length", "99")]


def test_every_announced_length_is_kept_and_one_says_the_bytes_kept() -> None:
    headers = (("Content-Length", "500"), HTML, ("content-length", "500, 500"))
    assert archived_response_headers(headers, kept=12) == [
        ("Content-Length", "12"),
        (ORIG_CONTENT_LENGTH, "500"),
        HTML,
        (ORIG_CONTENT_LENGTH, "500, 500"),
    ]


def test_a_truncated_capture_verifies_is_indexed_and_is_never_a_dedup_original(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    directory = tmp_path / "warcs"
    archive = make_archive(directory)
    cut = make_exchange(
        response_headers=(HTML, ("Content-Length", str(len(SYNTHETIC_HTML)))),
        body=SYNTHETIC_HTML[:10],
        truncated="length",
    )
    first = archive.write_exchange(cut)
    again = archive.write_exchange(cut)
    archive.close()
    assert not first.is_revisit and not again.is_revisit
    build_cdxj_index(directory)
    report = verify_archive(directory)
    assert report.ok, report.format()
