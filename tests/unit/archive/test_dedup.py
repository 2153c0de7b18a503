from __future__ import annotations

from pathlib import Path

import pytest

from crawler.archive import Capture, DigestIndex, WarcPointer
from crawler.archive.records import PROFILE_IDENTICAL_PAYLOAD, PROFILE_SERVER_NOT_MODIFIED
from tests.unit.archive.builders import (
    SYNTHETIC_HTML,
    fixed_clock,
    make_exchange,
    read_records,
    warcio_check,
)
from tests.unit.archive.conftest import ArchiveFactory

FIRST = "https://news.example.com/first"
SECOND = "https://mirror.example.org/second?copy=1"


def test_identical_payload_in_same_crawl_becomes_revisit(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    archive = make_archive()
    original = archive.write_exchange(make_exchange(url=FIRST))
    revisit = archive.write_exchange(
        make_exchange(url=SECOND, response_headers=(("Set-Cookie", "synthetic=1"),))
    )
    archive.close()

    assert revisit.is_revisit
    assert revisit.payload == original.record
    assert revisit.payload_digest == original.payload_digest
    path = tmp_path / "warcs" / revisit.record.filename
    assert warcio_check(path) == 0
    records = read_records(path)
    assert [r.type for r in records] == ["warcinfo", "response", "request", "revisit", "request"]
    first, record = records[1], records[3]
    assert record.offset == revisit.record.offset
    assert record.headers["WARC-Profile"] == PROFILE_IDENTICAL_PAYLOAD
    assert record.headers["WARC-Refers-To"] == first.headers["WARC-Record-ID"]
    assert record.headers["WARC-Refers-To-Target-URI"] == FIRST
    assert record.headers["WARC-Refers-To-Date"] == first.headers["WARC-Date"]
    assert record.headers["WARC-Payload-Digest"] == first.headers["WARC-Payload-Digest"]
    assert record.headers["WARC-Target-URI"] == SECOND
    assert record.http.statusline == "200 OK"
    assert record.http.get_header("Set-Cookie") == "synthetic=1"  # HTTP headers kept
    assert record.payload == b""  # no payload
    assert records[4].headers["WARC-Concurrent-To"] == record.headers["WARC-Record-ID"]


def test_second_archive_with_same_sqlite_index_revisits_the_first(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    directory = tmp_path / "warcs"
    index_path = tmp_path / "digests.sqlite"
    with DigestIndex(index_path) as index:
        archive = make_archive(directory, digest_index=index)
        original = archive.write_exchange(make_exchange(url=FIRST))
        archive.close()
    # a later crawl: new process, new index object on the same file, new ids
    with DigestIndex(index_path) as index:
        archive = make_archive(directory, digest_index=index, clock=fixed_clock())
        revisit = archive.write_exchange(make_exchange(url=SECOND))
        archive.close()

    assert revisit.is_revisit
    assert revisit.record.filename != original.record.filename
    assert revisit.payload == original.record
    record = read_records(directory / revisit.record.filename)[1]
    assert record.type == "revisit"
    assert record.headers["WARC-Refers-To"] == original.record.record_id


def test_not_modified_becomes_server_not_modified_revisit(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    archive = make_archive()
    written = archive.write_exchange(
        make_exchange(status=304, body=b"", response_headers=(("ETag", '"synthetic"'),))
    )
    archive.close()
    assert written.is_revisit
    assert written.payload_digest is None
    assert written.payload == written.record
    path = tmp_path / "warcs" / written.record.filename
    record = read_records(path)[1]
    assert record.type == "revisit"
    assert record.headers["WARC-Profile"] == PROFILE_SERVER_NOT_MODIFIED
    assert record.http.statusline == "304 Not Modified"
    assert record.http.get_header("ETag") == '"synthetic"'
    assert warcio_check(path) == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"status": 404},  # error pages are stored each time
        {"body": b""},  # an empty payload says nothing about content
        {"truncated": "length"},  # a cut-off payload is no original to point to
    ],
)
def test_only_complete_non_empty_2xx_payloads_are_deduplicated(
    make_archive: ArchiveFactory, changes: dict[str, object]
) -> None:
    archive = make_archive()
    first = archive.write_exchange(make_exchange(url=FIRST, **changes))
    second = archive.write_exchange(make_exchange(url=SECOND, **changes))
    assert not first.is_revisit
    assert not second.is_revisit
    assert second.payload == second.record


def test_truncated_capture_never_becomes_an_original(make_archive: ArchiveFactory) -> None:
    archive = make_archive()
    archive.write_exchange(make_exchange(url=FIRST, truncated="time"))
    complete = archive.write_exchange(make_exchange(url=SECOND))
    assert not complete.is_revisit


def test_first_capture_wins_and_lookup_round_trips(tmp_path: Path) -> None:
    pointer = WarcPointer("A.warc.gz", 10, "<urn:uuid:1>")
    capture = Capture(FIRST, "2025-03-01T04:05:06Z", pointer)
    with DigestIndex(tmp_path / "d.sqlite") as index:
        assert index.add("sha1:AAAA", capture)
        assert not index.add("sha1:AAAA", Capture(SECOND, "2025-03-02T00:00:00Z", pointer))
        assert len(index) == 1
    with DigestIndex(tmp_path / "d.sqlite") as index:
        assert index.lookup("sha1:AAAA") == capture
        assert index.lookup("sha1:BBBB") is None


def test_rebuild_refills_from_closed_files(make_archive: ArchiveFactory, tmp_path: Path) -> None:
    directory = tmp_path / "warcs"
    archive = make_archive(max_file_size=1)  # one exchange per file
    original = archive.write_exchange(make_exchange(url=FIRST))
    archive.write_exchange(make_exchange(url=SECOND))  # revisit: not an original
    other = archive.write_exchange(make_exchange(url=SECOND, body=b"synthetic other payload"))
    archive.write_exchange(make_exchange(url=FIRST, status=500, body=b"synthetic error"))
    archive.close()

    with DigestIndex(tmp_path / "lost-and-rebuilt.sqlite") as index:
        index.add("sha1:STALE", Capture(FIRST, "2000-01-01T00:00:00Z", original.record))
        assert index.rebuild(directory) == 2
        assert index.lookup("sha1:STALE") is None
        found = index.lookup(str(original.payload_digest))
        assert found is not None
        assert found.pointer == original.record
        assert found.uri == FIRST
        assert found.date == "2025-03-01T04:05:06.789012Z"
        other_found = index.lookup(str(other.payload_digest))
        assert other_found is not None
        assert other_found.pointer == other.record
        # and a new crawl with the rebuilt index revisits
        later = make_archive(directory, digest_index=index)
        assert later.write_exchange(make_exchange(body=SYNTHETIC_HTML)).payload == original.record
