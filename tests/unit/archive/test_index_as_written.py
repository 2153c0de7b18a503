"""The index of a WARC file made as its records are written (index/NAME.cdxj.part): the same
bytes as reading the file back, used only when complete and for the file as it still is."""

from __future__ import annotations

import io
import os
import random
from pathlib import Path

import pytest

import crawler.archive.index as index
from crawler.archive import build_cdxj_index
from crawler.archive.background import BackgroundWriter
from crawler.archive.cdxj import RecordIndexer, index_warc_files
from crawler.archive.layout import index_fragment, index_part, index_parts
from crawler.archive.naming import OPEN_SUFFIX, closed_warc_files
from crawler.archive.recover import set_aside
from crawler.archive.writer import WarcArchive, recover_open_files
from tests.unit.archive.builders import make_exchange
from tests.unit.archive.conftest import ArchiveFactory

# Bytes that do not compress: a few exchanges fill a file.
PAGE = b"<html><body>" + random.Random(3).randbytes(3000).hex().encode() + b"</body></html>"


def read_back(warc: Path) -> str:
    """cdxj-indexer's sorted lines of ``warc``, read from the file."""
    out = io.StringIO()
    index_warc_files([warc], out)
    return out.getvalue()


def full_index(directory: Path) -> str:
    """cdxj-indexer over every closed file at once."""
    out = io.StringIO()
    index_warc_files(closed_warc_files(directory), out)
    return out.getvalue()


def fragment_lines(directory: Path, name: str) -> str:
    return index_fragment(directory, name).read_text(encoding="utf-8").split("\n", 1)[1]


def write_every_kind(archive: WarcArchive | BackgroundWriter, count: int) -> None:
    """Responses, identical-payload and 304 revisits, an error page, a crawl-log-like metadata
    record and an application/warc-fields one (which cdxj-indexer leaves out), a POST, and a URL
    written twice in the same second."""
    for number in range(count):
        url = f"https://alpha.example.com/page-{number % 7}?q={number}"
        kind = number % 6
        if kind == 0:
            archive.write_exchange(make_exchange(url=url, body=PAGE + str(number).encode()))
        elif kind == 1:
            archive.write_exchange(make_exchange(url=url, body=PAGE + b"0"))  # a revisit
        elif kind == 2:
            archive.write_exchange(make_exchange(url=url, status=304, body=b""))
        elif kind == 3:
            archive.write_exchange(make_exchange(url=url, method="POST", request_body=b"a=1"))
            archive.write_exchange(make_exchange(url=url, method="POST", request_body=b"a=1"))
        else:
            written = archive.write_exchange(make_exchange(url=url, status=404))
            refers_to = written.record.record_id
            archive.write_metadata(url, b'{"status": "gone"}', "application/json", refers_to)
            archive.write_metadata(url, b"a: b\r\n", "application/warc-fields", refers_to)


@pytest.fixture
def read_files(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files read back to make their fragments."""
    calls: list[str] = []
    original = index.index_warc_files

    def counting(inputs, out):  # type: ignore[no-untyped-def]
        inputs = list(inputs)
        calls.extend(Path(path).name for path in inputs)
        original(inputs, out)

    monkeypatch.setattr(index, "index_warc_files", counting)
    return calls


def test_a_file_indexed_as_written_gives_the_bytes_of_reading_it_back(
    make_archive: ArchiveFactory, tmp_path: Path, read_files: list[str]
) -> None:
    directory = tmp_path / "warcs"
    archive = make_archive(directory, max_file_size=20_000, index_as_written=True)
    write_every_kind(archive, 30)
    archive.close()
    names = archive.closed_files
    assert len(names) > 2
    assert index_parts(directory) == [index_part(directory, name) for name in names]
    for name in names:
        index.write_fragment(directory, directory / name)
    assert read_files == []  # every fragment from its part
    assert index_parts(directory) == []
    for name in names:
        assert fragment_lines(directory, name) == read_back(directory / name)
        assert index.fragment_is_current(index_fragment(directory, name), directory / name)
    assert build_cdxj_index(directory).read_text(encoding="utf-8") == full_index(directory)
    assert read_files == []
    merged = (directory / "index.cdxj").read_text(encoding="utf-8")
    assert '"mime": "warc/revisit"' in merged and '"mime": "application/json"' in merged


def test_the_lines_of_one_record_are_those_read_back(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    archive = make_archive(tmp_path / "warcs", index_as_written=True)
    write_every_kind(archive, 6)
    archive.close()
    (name,) = archive.closed_files
    part = index_part(tmp_path / "warcs", name).read_text(encoding="utf-8").splitlines(True)
    # Unsorted, in record order, then the end line.
    assert part[-1].startswith(index.PART_END)
    assert "".join(sorted(part[:-1])) == read_back(tmp_path / "warcs" / name)
    offsets = [int(first_offset_from_part(line)) for line in part[:-1]]
    assert offsets == sorted(offsets) and len(offsets) == 7 + 2  # 7 exchanges, 2 metadata


def test_the_writer_thread_indexes_as_it_writes(tmp_path: Path, read_files: list[str]) -> None:
    closed: list[Path] = []
    archive = WarcArchive(
        tmp_path,
        warcinfo={"operator": "test"},
        max_file_size=20_000,
        crawl_host="thread",
        index_as_written=True,
        on_file_closed=lambda path: closed.append(index.write_fragment(tmp_path, path)),
    )
    writer = BackgroundWriter(archive)
    write_every_kind(writer, 18)
    writer.close()
    assert len(closed) == len(writer.closed_files) > 1
    assert read_files == [] and index_parts(tmp_path) == []
    for name in writer.closed_files:
        assert fragment_lines(tmp_path, name) == read_back(tmp_path / name)


def test_a_file_left_open_by_a_killed_writer_is_read_back(
    make_archive: ArchiveFactory, tmp_path: Path, read_files: list[str]
) -> None:
    directory = tmp_path / "warcs"
    archive = make_archive(directory, index_as_written=True)
    write_every_kind(archive, 6)
    name = archive.current_filename
    assert name is not None
    part = index_part(directory, name)
    # What a kill leaves: the file's bytes so far, cut in its first record, and a part with
    # the lines it had written (its buffer is lost with the process), without its end line.
    warc_bytes = (directory / (name + OPEN_SUFFIX)).read_bytes()
    archive.close()
    part_lines = part.read_text(encoding="utf-8").splitlines(True)[:-1]
    (directory / name).unlink()
    second_capture = sorted(first_offset_from_part(line) for line in part_lines)[1]
    (directory / (name + OPEN_SUFFIX)).write_bytes(warc_bytes[: second_capture + 10])
    part.write_text("".join(part_lines), encoding="utf-8")
    (recovered,) = recover_open_files(directory)
    assert recovered.filename == name and recovered.kept == second_capture
    built = build_cdxj_index(directory).read_text(encoding="utf-8")
    assert read_files == [name]
    assert built == full_index(directory) and built.count("\n") == 1  # the first capture
    assert index_parts(directory) == []


def test_a_part_ended_by_a_clean_close_survives_a_kill_before_the_rename(
    make_archive: ArchiveFactory, tmp_path: Path, read_files: list[str]
) -> None:
    directory = tmp_path / "warcs"
    archive = make_archive(directory, index_as_written=True)
    write_every_kind(archive, 6)
    archive.close()
    (name,) = archive.closed_files
    # As if killed between the part's end and the rename: the file is whole, recovery keeps it.
    os.replace(directory / name, directory / (name + OPEN_SUFFIX))
    (recovered,) = recover_open_files(directory)
    assert recovered.cut == 0
    assert build_cdxj_index(directory).read_text(encoding="utf-8") == full_index(directory)
    assert read_files == []


def test_a_part_of_a_file_changed_since_is_not_used(
    make_archive: ArchiveFactory, tmp_path: Path, read_files: list[str]
) -> None:
    directory = tmp_path / "warcs"
    archive = make_archive(directory, max_file_size=1, index_as_written=True)
    write_every_kind(archive, 4)
    archive.close()
    cut, touched, *rest = archive.closed_files
    # The repair keeps a damaged file's whole records under its name: here, its warcinfo only.
    part = index_part(directory, cut).read_text(encoding="utf-8")
    set_aside(directory / cut, first_offset_from_part(part))
    stat = (directory / touched).stat()
    os.utime(directory / touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    built = build_cdxj_index(directory).read_text(encoding="utf-8")
    assert sorted(read_files) == sorted([cut, touched])
    assert built == full_index(directory)
    assert cut not in built and touched in built and rest[0] in built


def first_offset_from_part(part: str) -> int:
    return int(part.split('"offset": "', 1)[1].split('"', 1)[0])


def test_a_part_without_its_end_line_is_not_used(
    make_archive: ArchiveFactory, tmp_path: Path, read_files: list[str]
) -> None:
    directory = tmp_path / "warcs"
    archive = make_archive(directory, index_as_written=True)
    write_every_kind(archive, 6)
    archive.close()
    (name,) = archive.closed_files
    part = index_part(directory, name)
    lines = part.read_text(encoding="utf-8").splitlines(True)
    assert lines[-1].startswith(index.PART_END)
    part.write_text("".join(lines[:-1]), encoding="utf-8")  # as a writer killed before its end
    assert build_cdxj_index(directory).read_text(encoding="utf-8") == full_index(directory)
    assert read_files == [name]


def test_only_parts_of_files_still_open_are_kept(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    directory = tmp_path / "warcs"
    archive = make_archive(directory, index_as_written=True)
    archive.write_exchange(make_exchange())
    still_open = archive.current_filename
    assert still_open is not None
    orphan = index_part(directory, "BITEXT-20250301040000000-00009-gone.warc.gz")
    orphan.write_text("", encoding="utf-8")
    build_cdxj_index(directory)
    assert index_parts(directory) == [index_part(directory, still_open)]
    archive.close()
    build_cdxj_index(directory)
    assert index_parts(directory) == []


def test_a_record_that_cannot_be_indexed_ends_the_part_not_the_writing(
    make_archive: ArchiveFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    read_files: list[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    directory = tmp_path / "warcs"
    archive = make_archive(directory, index_as_written=True)
    archive.write_exchange(make_exchange(url="https://a.example.com/"))

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(RecordIndexer, "write_lines", broken)
        archive.write_exchange(make_exchange(url="https://b.example.com/"))
    archive.write_exchange(make_exchange(url="https://c.example.com/"))
    archive.close()
    (name,) = archive.closed_files
    assert "cannot index" in caplog.text and index_parts(directory) == []
    built = build_cdxj_index(directory).read_text(encoding="utf-8")
    assert read_files == [name]
    assert built == full_index(directory) and built.count("\n") == 3


def test_an_abandoned_file_leaves_no_part(make_archive: ArchiveFactory, tmp_path: Path) -> None:
    directory = tmp_path / "warcs"
    archive = make_archive(directory, index_as_written=True)
    archive.write_exchange(make_exchange())
    archive.abandon()
    assert index_parts(directory) == []
    assert closed_warc_files(directory) == []


def test_without_indexing_as_written_no_part_is_made(
    make_archive: ArchiveFactory, tmp_path: Path, read_files: list[str]
) -> None:
    directory = tmp_path / "warcs"
    archive = make_archive(directory)
    archive.write_exchange(make_exchange())
    archive.close()
    assert not (directory / "index").exists()
    assert build_cdxj_index(directory).read_text(encoding="utf-8") == full_index(directory)
    assert read_files == archive.closed_files
