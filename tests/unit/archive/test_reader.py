"""crawler/archive/reader.py: one way into an archived record, with one guard on the file name."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from crawler.archive import WarcArchive, WrittenExchange
from crawler.archive.pointer import WarcPointer
from crawler.archive.reader import ANY_KIND, RecordError, read_record, warc_path
from tests.unit.archive.builders import WARCINFO, fixed_clock, id_factory, make_exchange


@pytest.fixture
def written(tmp_path: Path) -> WrittenExchange:
    with WarcArchive(
        tmp_path, warcinfo=WARCINFO, clock=fixed_clock(), new_record_id=id_factory()
    ) as archive:
        return archive.write_exchange(make_exchange(body=b"<p>Synthetic page.</p>"))


@pytest.fixture
def pointer(written: WrittenExchange) -> WarcPointer:
    return written.record


def target(record: object) -> str:
    return str(record.rec_headers.get_header("WARC-Target-URI"))  # type: ignore[attr-defined]


def test_the_record_at_a_pointer_is_read(tmp_path: Path, pointer: WarcPointer) -> None:
    assert target_uri_of(tmp_path, pointer).startswith("http")


def target_uri_of(directory: Path, pointer: WarcPointer) -> str:
    return read_record(directory, pointer, target)


@pytest.mark.parametrize(
    "name", ["../x.warc.gz", "/etc/passwd", "sub/x.warc.gz", "..", ".", "", "a\\..\\b.warc.gz"]
)
def test_a_file_name_that_leaves_the_directory_is_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(RecordError, match="not a file of the archive directory"):
        warc_path(tmp_path, WarcPointer(name, 0, "<urn:uuid:1>"))


def test_every_failure_is_a_record_error_naming_the_place(
    tmp_path: Path, pointer: WarcPointer, written: WrittenExchange
) -> None:
    where = f"{pointer.filename} at offset"
    with pytest.raises(RecordError, match="is not there") as other:
        read_record(tmp_path, replace(pointer, record_id="<urn:uuid:x>"), target)
    assert str(other.value).startswith(where)
    with pytest.raises(RecordError, match="cannot be read"):
        read_record(tmp_path, replace(pointer, filename="missing.warc.gz"), target)
    with pytest.raises(RecordError, match=r"not a readable WARC record|is not there"):
        read_record(tmp_path, replace(pointer, offset=pointer.offset + 7), target)
    with pytest.raises(RecordError, match="a request record, not a response"):
        read_record(tmp_path, written.request, target)
    assert read_record(tmp_path, written.request, target, kinds=ANY_KIND) == (
        target_uri_of(tmp_path, pointer)
    )


def test_any_kind_reads_other_records_and_an_open_file_is_read_too(
    tmp_path: Path, pointer: WarcPointer
) -> None:
    path = tmp_path / pointer.filename
    path.rename(path.with_name(path.name + ".open"))
    assert warc_path(tmp_path, pointer).name == pointer.filename + ".open"
    assert target_uri_of(tmp_path, pointer).startswith("http")
    with pytest.raises(RecordError, match="is not there"):
        read_record(tmp_path, replace(pointer, offset=0), target, kinds=ANY_KIND)
