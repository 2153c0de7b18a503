"""``WarcArchive.write_metadata``: metadata records read back through warcio, checked, indexed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive import WarcPointer, build_cdxj_index, verify_archive
from tests.unit.archive.builders import (
    fixed_clock,
    id_factory,
    make_exchange,
    read_records,
    warcio_check,
)
from tests.unit.archive.conftest import ArchiveFactory

LOG_BLOCK = (
    b'kind: "source"\r\nerror: "line one\\nline two"\r\nnote: "\xe5\x90\x88\xe6\x88\x90"\r\n'
)


def _record_at(directory: Path, pointer: WarcPointer) -> tuple[str, str, bytes]:
    with (directory / pointer.filename).open("rb") as stream:
        stream.seek(pointer.offset)
        record = next(iter(ArchiveIterator(stream)))
        return (
            record.rec_type,
            record.rec_headers.get_header("WARC-Record-ID"),
            record.content_stream().read(),
        )


def test_metadata_record_reads_back_with_its_links(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    archive = make_archive()
    written = archive.write_exchange(make_exchange())
    pointer = archive.write_metadata(
        "https://news.example.com/cited",
        LOG_BLOCK,
        "application/warc-fields",
        written.record.record_id,
    )
    archive.close()
    path = tmp_path / "warcs" / pointer.filename
    records = read_records(path)
    assert [r.type for r in records] == ["warcinfo", "response", "request", "metadata"]
    warcinfo, metadata = records[0], records[-1]
    headers = metadata.headers
    assert headers.get_header("WARC-Target-URI") == "https://news.example.com/cited"
    assert headers.get_header("WARC-Refers-To") == written.record.record_id
    assert headers.get_header("Content-Type") == "application/warc-fields"
    assert headers.get_header("WARC-Warcinfo-ID") == warcinfo.headers.get_header("WARC-Record-ID")
    assert headers.get_header("WARC-Record-ID") == pointer.record_id
    # The fixed clock ticks once per call: the file's creation, then this record.
    assert headers.get_header("WARC-Date") == "2025-03-01T04:00:01Z"
    assert metadata.http is None
    assert metadata.payload == LOG_BLOCK
    assert metadata.offset == pointer.offset
    assert _record_at(tmp_path / "warcs", pointer) == ("metadata", pointer.record_id, LOG_BLOCK)
    assert warcio_check(path) == 0


def test_metadata_without_a_record_to_refer_to(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    archive = make_archive()
    # A crawl whose first item had no response (an unreachable host) opens the file itself.
    pointer = archive.write_metadata(
        "https://gone.example.com/", b"x: 1\r\n", "application/warc-fields"
    )
    archive.close()
    records = read_records(tmp_path / "warcs" / pointer.filename)
    assert [r.type for r in records] == ["warcinfo", "metadata"]
    assert records[1].headers.get_header("WARC-Refers-To") is None
    assert verify_archive(tmp_path / "warcs").ok


def test_the_same_inputs_give_the_same_bytes(make_archive: ArchiveFactory, tmp_path: Path) -> None:
    paths = []
    for name in ("one", "two"):
        archive = make_archive(tmp_path / name, clock=fixed_clock(), new_record_id=id_factory())
        pointer = archive.write_metadata("https://a.example/", LOG_BLOCK, "application/warc-fields")
        archive.close()
        paths.append(tmp_path / name / pointer.filename)
    assert paths[0].read_bytes() == paths[1].read_bytes()


def test_metadata_rotates_with_the_file(make_archive: ArchiveFactory) -> None:
    archive = make_archive(max_file_size=1)
    first = archive.write_exchange(make_exchange())
    pointer = archive.write_metadata(
        "https://a.example/", LOG_BLOCK, "application/warc-fields", first.record.record_id
    )
    assert pointer.filename != first.record.filename
    assert archive.closed_files == [first.record.filename]


def test_writing_to_a_closed_archive_is_refused(make_archive: ArchiveFactory) -> None:
    archive = make_archive()
    archive.close()
    with pytest.raises(ValueError, match="closed"):
        archive.write_metadata("https://a.example/", LOG_BLOCK, "application/warc-fields")


def test_verify_accepts_metadata_and_flags_a_dangling_reference(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    archive = make_archive()
    written = archive.write_exchange(make_exchange())
    archive.write_metadata(
        "https://a.example/", LOG_BLOCK, "application/warc-fields", written.record.record_id
    )
    missing = "<urn:uuid:00000000-0000-4000-8000-999999999999>"
    archive.write_metadata("https://b.example/", LOG_BLOCK, "application/warc-fields", missing)
    archive.close()
    report = verify_archive(tmp_path / "warcs")
    assert report.records == 5
    assert len(report.problems) == 1
    assert missing in report.problems[0] and "https://b.example/" in report.problems[0]


def test_the_cdxj_index_leaves_warc_fields_metadata_out(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    archive = make_archive()
    written = archive.write_exchange(make_exchange())
    # The same URI as the response: what a crawl-log record of a source page is about.
    uri = make_exchange().target_uri
    archive.write_metadata(uri, LOG_BLOCK, "application/warc-fields", written.record.record_id)
    archive.write_metadata(uri, b"{}", "application/json", written.record.record_id)
    archive.close()
    lines = build_cdxj_index(tmp_path / "warcs").read_text(encoding="utf-8").splitlines()
    offsets = [json.loads(line.split(" ", 2)[2])["offset"] for line in lines]
    # The response and the JSON record are indexed, the warc-fields one is not: at replay a
    # crawl-log record never stands in for the page it describes.
    assert len(lines) == 2
    assert str(written.record.offset) in {str(offset) for offset in offsets}
