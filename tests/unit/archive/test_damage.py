"""A damaged WARC file: what the shared check finds, what names lost records, and setting a
damaged file aside (all content synthetic)."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from crawler.archive import WarcPointer, build_cdxj_index, verify_archive
from crawler.archive.damage import Named, check_warc, index_names, lost_records
from crawler.archive.recover import damaged_files, set_aside
from tests.unit.archive.builders import compressed_members, make_exchange, read_records
from tests.unit.archive.conftest import ArchiveFactory

PAGES = [f"https://news.example.com/page-{n}" for n in range(4)]


@pytest.fixture
def warc(make_archive: ArchiveFactory, tmp_path: Path) -> Path:
    """One closed file: warcinfo, then four exchanges (a response and a request each)."""
    archive = make_archive(tmp_path / "warcs")
    for number, url in enumerate(PAGES):
        archive.write_exchange(make_exchange(url=url, body=f"synthetic page {number}".encode()))
    archive.close()
    (path,) = sorted((tmp_path / "warcs").glob("*.warc.gz"))
    return path


def offsets(path: Path) -> list[int]:
    return [record.offset for record in read_records(path)]


def test_a_whole_file_has_every_record_and_no_problem(warc: Path) -> None:
    check = check_warc(warc)
    assert not check.damaged and check.problem is None
    assert check.whole == check.size == warc.stat().st_size
    assert sorted(check.records) == offsets(warc)
    records = [record.headers.get_header("WARC-Record-ID") for record in read_records(warc)]
    assert [check.records[o].record_id for o in sorted(check.records)] == records
    assert [check.records[o].rec_type for o in sorted(check.records)][:3] == [
        "warcinfo",
        "response",
        "request",
    ]


def test_a_file_cut_inside_a_member(warc: Path) -> None:
    starts = offsets(warc)
    os.truncate(warc, starts[5] + 10)  # ten bytes into the third exchange's response
    check = check_warc(warc)
    assert check.damaged
    assert check.problem == "the gzip member is cut short (the file ends inside it)"
    assert check.whole == starts[5]
    assert sorted(check.records) == starts[:5]
    assert check.problem_at == starts[5]
    assert f"offset {starts[5]}: the gzip member is cut short" in check.describe()
    assert f"the 5 records before offset {starts[5]}" in check.describe()


def test_a_file_cut_inside_a_request_loses_its_response_too(warc: Path) -> None:
    """The response before the cut is whole, but without its request it is no whole exchange:
    what is kept ends before it."""
    starts = offsets(warc)
    os.truncate(warc, starts[6] + 10)  # ten bytes into the third exchange's request
    check = check_warc(warc)
    assert (check.problem_at, check.whole) == (starts[6], starts[5])
    assert sorted(check.records) == starts[:5]
    assert f"the capture at offset {starts[5]} lost its request record there" in check.describe()
    set_aside(warc, check.whole)
    assert verify_archive(warc.parent).ok


def test_a_file_cut_at_a_record_boundary_looks_whole(warc: Path) -> None:
    """Only what names the lost records shows the loss."""
    starts = offsets(warc)
    response = read_records(warc)[5]
    pointer = WarcPointer(warc.name, response.offset, response.headers["WARC-Record-ID"])
    os.truncate(warc, starts[5])
    check = check_warc(warc)
    assert not check.damaged and sorted(check.records) == starts[:5]
    kept = WarcPointer(warc.name, starts[1], check.records[starts[1]].record_id)
    named = [Named.pointer("test", "lost", pointer), Named.pointer("test", "kept", kept)]
    lost = lost_records({warc.name: check}, named, {warc.name})
    assert [name.label for name in lost] == ["lost"]


def test_a_file_cut_between_the_records_of_an_exchange(warc: Path) -> None:
    """A response is always followed by its request: one at the very end was cut from it."""
    starts = offsets(warc)
    os.truncate(warc, starts[6])  # the third exchange's request
    check = check_warc(warc)
    assert check.damaged and check.whole == starts[5]
    assert check.problem == (
        "the file ends with this response record, without the request record written after it "
        "(it was cut between the two)"
    )
    assert sorted(check.records) == starts[:5]
    assert (
        f"{warc.name}, offset {starts[5]}: {check.problem}." in verify_archive(warc.parent).problems
    )


def test_a_record_shorter_than_its_content_length(warc: Path) -> None:
    members = compressed_members(warc)
    record = gzip.decompress(members[3])
    members[3] = gzip.compress(record[:-30] + b"\r\n\r\n", mtime=0)  # its block cut short
    warc.write_bytes(b"".join(members))
    check = check_warc(warc)
    assert check.whole == sum(len(m) for m in members[:3])
    assert check.problem is not None
    assert check.problem.startswith(
        "the gzip member holds a record shorter than its Content-Length"
    )
    problems = verify_archive(warc.parent).problems
    assert f"{warc.name}, offset {check.whole}: {check.problem}." in problems


def test_a_member_holding_two_records(warc: Path) -> None:
    members = compressed_members(warc)
    both = gzip.decompress(members[1]) + gzip.decompress(members[2])
    warc.write_bytes(b"".join([members[0], gzip.compress(both, mtime=0), *members[3:]]))
    check = check_warc(warc)
    assert check.whole == len(members[0])
    assert check.problem == "the gzip member holds more than one record, or bytes after its record"


def test_bytes_that_are_not_gzip_after_the_last_member(warc: Path) -> None:
    size = warc.stat().st_size
    with warc.open("ab") as out:
        out.write(b"not gzip at all")
    check = check_warc(warc)
    assert check.whole == size and len(check.records) == 9
    assert check.problem is not None and check.problem.startswith(
        "the gzip member does not decompress"
    )


def test_lost_records_of_files_missing_checked_or_not(warc: Path) -> None:
    check = check_warc(warc)
    good = Named("test", "good", warc.name, offsets(warc)[1])  # no record id: only the offset
    off = Named("test", "between", warc.name, offsets(warc)[1] + 1)
    missing = Named("test", "missing", "BITEXT-gone.warc.gz", 0)
    writing = Named("test", "writing", "BITEXT-open.warc.gz", 0)
    unchecked = Named("test", "unchecked", "BITEXT-other.warc.gz", 5)
    present = {warc.name, "BITEXT-open.warc.gz", "BITEXT-other.warc.gz"}
    lost = lost_records({warc.name: check}, [good, off, missing, writing, unchecked], present)
    assert [name.label for name in lost] == ["between", "missing"]


def test_index_names_every_entry(warc: Path) -> None:
    build_cdxj_index(warc.parent)
    names = list(index_names(warc.parent))
    assert len(names) == len(PAGES)
    assert {name.offset for name in names} == set(offsets(warc)[1::2])  # the responses
    assert names[0].source == "index.cdxj" and names[0].label == "line 1"
    assert not lost_records({warc.name: check_warc(warc)}, names, {warc.name})
    (warc.parent / "index.cdxj").unlink()
    assert list(index_names(warc.parent)) == []


def test_set_aside_keeps_the_whole_records_under_the_name(warc: Path) -> None:
    original = warc.read_bytes()
    starts = offsets(warc)
    os.truncate(warc, starts[5] + 10)
    damaged = warc.read_bytes()
    check = check_warc(warc)
    aside = set_aside(warc, check.whole)
    assert aside == warc.with_name(warc.name + ".damaged")
    assert aside.read_bytes() == damaged  # the file as it was, untouched
    assert warc.read_bytes() == original[: starts[5]]
    again = check_warc(warc)
    assert not again.damaged and again.records == check.records  # same offsets, same records
    assert oct(warc.stat().st_mode & 0o777) == "0o644"
    assert damaged_files(warc.parent) == [aside]
    report = verify_archive(warc.parent)
    assert report.ok, report.format()
    assert [note.split(":")[0] for note in report.notes] == [aside.name]


def test_set_aside_twice_and_with_nothing_whole(warc: Path) -> None:
    first = warc.read_bytes()
    (warc.parent / (warc.name + ".damaged")).write_bytes(b"an earlier repair")
    aside = set_aside(warc, 0)  # not even the warcinfo record is whole
    assert aside.name == warc.name + ".damaged-2"
    assert aside.read_bytes() == first
    assert not warc.exists()
    assert len(damaged_files(warc.parent)) == 2
    assert not list(warc.parent.glob("*.tmp"))
