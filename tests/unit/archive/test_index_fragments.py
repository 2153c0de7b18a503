"""The index of each closed WARC file, made once and merged into index.cdxj: the same bytes as
cdxj-indexer over every file at once, made again when its file changes, removed with it (the
index made as a file is written: test_index_as_written.py)."""

from __future__ import annotations

import io
import json
import math
import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from scrapy import Spider
from scrapy.utils.test import get_crawler

import crawler.archive.index as index
from crawler.archive import build_cdxj_index, verify_archive
from crawler.archive.layout import index_fragment, index_fragments
from crawler.archive.naming import closed_warc_files
from crawler.archive.recover import set_aside
from crawler.extensions.warc_capture import WarcCapture
from tests.unit.archive.builders import make_exchange
from tests.unit.archive.conftest import ArchiveFactory


def full_index(directory: Path) -> str:
    """What build_cdxj_index wrote before fragments: cdxj-indexer over every file at once."""
    out = io.StringIO()
    index.index_warc_files(closed_warc_files(directory), out)
    return out.getvalue()


def fill(make_archive: ArchiveFactory, directory: Path, host: str, count: int) -> list[str]:
    """``count`` exchanges into files of one exchange each: responses, identical-payload and
    304 revisits, an error page and a crawl-log-like metadata record."""
    archive = make_archive(directory, max_file_size=1, crawl_host=host)
    for number in range(count):
        kind = number % 4
        url = f"https://{host}.example.com/page-{number}"
        if kind == 0:
            archive.write_exchange(make_exchange(url=url, body=f"page {number}".encode()))
        elif kind == 1:
            archive.write_exchange(make_exchange(url=url))  # a revisit after the first
        elif kind == 2:
            archive.write_exchange(make_exchange(url=url, status=304, body=b""))
        else:
            written = archive.write_exchange(make_exchange(url=url, status=404))
            archive.write_metadata(
                url, b'{"status": "gone"}', "application/json", written.record.record_id
            )
    archive.close()
    return archive.closed_files


def first_offset(fragment: Path) -> int:
    """Where the first indexed record of a fragment's file starts (its warcinfo ends there)."""
    first_entry = fragment.read_text(encoding="utf-8").splitlines()[1]
    return int(json.loads(first_entry.split(" ", 2)[2])["offset"])


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The files cdxj-indexer reads, call by call."""
    calls: list[list[str]] = []
    original = index.index_warc_files

    def counting(inputs, out):  # type: ignore[no-untyped-def]
        inputs = list(inputs)
        calls.append([Path(path).name for path in inputs])
        original(inputs, out)

    monkeypatch.setattr(index, "index_warc_files", counting)
    return calls


def test_the_merged_index_is_byte_identical_to_a_full_index(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    directory = tmp_path / "warcs"
    first = fill(make_archive, directory, "alpha", 9)
    assert len(first) > 3
    built = build_cdxj_index(directory).read_text(encoding="utf-8")
    assert built == full_index(directory)
    lines = built.splitlines()
    assert len(lines) == 9 + 2  # every capture, and the two metadata records
    assert {json.loads(line.split(" ", 2)[2])["mime"] for line in lines} >= {"warc/revisit"}
    # A file added later (another host's names sort among the first ones') is merged in.
    later = fill(make_archive, directory, "beta", 5)
    assert build_cdxj_index(directory).read_text(encoding="utf-8") == full_index(directory)
    assert [fragment.name for fragment in index_fragments(directory)] == sorted(
        f"{name}.cdxj" for name in first + later
    )


def test_each_closed_file_is_read_once(
    make_archive: ArchiveFactory, tmp_path: Path, counted: list[list[str]]
) -> None:
    directory = tmp_path / "warcs"
    first = fill(make_archive, directory, "alpha", 3)
    build_cdxj_index(directory)
    assert counted == [[name] for name in first]
    counted.clear()
    build_cdxj_index(directory)
    assert counted == []
    later = fill(make_archive, directory, "beta", 1)
    build_cdxj_index(directory)
    assert counted == [later]


def test_the_writer_hands_each_file_over_once_renamed(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    closed: list[Path] = []
    archive = make_archive(max_file_size=1, on_file_closed=lambda path: closed.append(path))
    archive.write_exchange(make_exchange(url="https://a.example.com/"))
    archive.write_exchange(make_exchange(url="https://b.example.com/"))  # rotates
    assert [path.name for path in closed] == archive.closed_files
    assert closed[0].is_file() and not closed[0].with_name(closed[0].name + ".open").exists()
    archive.close()
    assert [path.name for path in closed] == archive.closed_files and len(closed) == 2


def test_a_file_changed_since_is_indexed_again_and_a_removed_one_dropped(
    make_archive: ArchiveFactory, tmp_path: Path, counted: list[list[str]]
) -> None:
    directory = tmp_path / "warcs"
    names = fill(make_archive, directory, "alpha", 4)
    build_cdxj_index(directory)
    counted.clear()
    # The repair keeps a damaged file's whole records under its name: here, its warcinfo only.
    damaged = directory / names[1]
    set_aside(damaged, first_offset(index_fragment(directory, names[1])))
    (directory / names[2]).unlink()
    assert index.stale_fragments(directory) == [
        index_fragment(directory, names[1]),
        index_fragment(directory, names[2]),
    ]
    built = build_cdxj_index(directory).read_text(encoding="utf-8")
    assert counted == [[names[1]]]
    assert built == full_index(directory)
    assert names[1] not in built and names[2] not in built and names[3] in built
    assert not index_fragment(directory, names[2]).exists()
    assert index.stale_fragments(directory) == []


def test_a_fragment_is_current_only_with_its_file_s_size_time_and_indexer(
    make_archive: ArchiveFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "warcs"
    (name,) = fill(make_archive, directory, "alpha", 1)
    warc = directory / name
    fragment = index.write_fragment(directory, warc)
    assert fragment == index_fragment(directory, name)
    assert index.fragment_is_current(fragment, warc)
    stat = warc.stat()
    os.utime(warc, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    assert not index.fragment_is_current(fragment, warc)
    index.write_fragment(directory, warc)
    assert index.fragment_is_current(fragment, warc)
    monkeypatch.setattr(index, "_indexer_version", lambda: "cdxj-indexer 0.0")
    assert not index.fragment_is_current(fragment, warc)
    monkeypatch.undo()
    fragment.write_bytes(b"\xff not a fragment\n")
    assert not index.fragment_is_current(fragment, warc)
    assert build_cdxj_index(directory).read_text(encoding="utf-8") == full_index(directory)
    assert index.fragment_is_current(fragment, warc)


def test_more_fragments_than_open_at_once_merge_the_same(
    make_archive: ArchiveFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = tmp_path / "warcs"
    fill(make_archive, directory, "alpha", 7)
    monkeypatch.setattr(index, "_FAN_IN", 2)
    spilled = []
    temporary_file = index.tempfile.TemporaryFile

    def spilling(*args: Any, **kwargs: Any) -> Any:
        spilled.append(kwargs["dir"])
        return temporary_file(*args, **kwargs)

    monkeypatch.setattr(index.tempfile, "TemporaryFile", spilling)
    assert build_cdxj_index(directory).read_text(encoding="utf-8") == full_index(directory)
    # Merged two by two into temporary files beside the index, which are gone.
    assert spilled == [directory] * math.ceil(len(closed_warc_files(directory)) / 2)
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        [*(p.name for p in closed_warc_files(directory)), "index", "index.cdxj"]
    )


def test_repeated_lines_are_written_once_as_cdxj_indexer_does(tmp_path: Path) -> None:
    out = io.StringIO()
    index._write_unique(iter(["a 1 {}\n", "a 1 {}\n", "b 1 {}\n", "a 1 {}\n"]), out)
    assert out.getvalue() == "a 1 {}\nb 1 {}\na 1 {}\n"


def test_fragments_are_no_problem_for_verify_but_their_leftovers_are(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    directory = tmp_path / "warcs"
    (name, *_) = fill(make_archive, directory, "alpha", 4)
    build_cdxj_index(directory)
    report = verify_archive(directory)
    assert report.ok, report.format()
    assert report.index_entries == 4 + 1
    leftover = directory / "index" / f".{name}.cdxj.abcd1234.tmp"
    leftover.write_text("!warc half\n", encoding="utf-8")
    (problem,) = verify_archive(directory).problems
    assert problem.startswith(f"index/.{name}.cdxj.abcd1234.tmp: the temporary file of an ")


def test_no_fragment_directory_without_warc_files(tmp_path: Path) -> None:
    assert build_cdxj_index(tmp_path).read_text(encoding="utf-8") == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.cdxj"]


def test_fragments_stay_in_the_archive_when_the_index_goes_elsewhere(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    directory = tmp_path / "warcs"
    names = fill(make_archive, directory, "alpha", 2)
    output = build_cdxj_index(directory, tmp_path / "elsewhere.cdxj")
    assert output.read_text(encoding="utf-8") == full_index(directory)
    assert index_fragments(directory) == [index_fragment(directory, n) for n in names]


def test_fragments_are_shared_whatever_the_umask(
    make_archive: ArchiveFactory, tmp_path: Path
) -> None:
    directory = tmp_path / "warcs"
    fill(make_archive, directory, "alpha", 1)
    previous = os.umask(0o077)
    try:
        build_cdxj_index(directory)
    finally:
        os.umask(previous)
    (fragment,) = index_fragments(directory)
    assert fragment.stat().st_mode & 0o777 == 0o644
    assert fragment.parent.stat().st_mode & 0o777 == 0o755


def _capture(archive_dir: Path, **settings: object) -> WarcCapture:
    crawler = get_crawler(
        Spider, {"ARCHIVE_DIR": str(archive_dir), "WARC_DEDUP": False, **settings}
    )
    crawler.engine = SimpleNamespace(close_spider=lambda spider, reason: None)  # type: ignore[assignment]
    capture = WarcCapture.from_crawler(crawler)
    capture.spider_opened(Spider("t2"))
    return capture


def test_the_crawl_indexes_each_file_as_it_writes_it(
    tmp_path: Path, counted: list[list[str]]
) -> None:
    capture = _capture(tmp_path)
    assert capture.archive is not None
    capture.archive.write_exchange(make_exchange())
    capture.archive.close()  # as on rotation
    (name,) = capture.archive.closed_files
    assert index.fragment_is_current(index_fragment(tmp_path, name), tmp_path / name)
    capture.archive = None
    capture.spider_closed(Spider("t2"), "finished")
    assert counted == []  # made from the lines written with the records, not read back
    assert (tmp_path / "index.cdxj").read_text(encoding="utf-8") == full_index(tmp_path)


def test_without_the_index_setting_nothing_is_indexed(tmp_path: Path) -> None:
    capture = _capture(tmp_path, WARC_CDXJ_INDEX=False)
    assert capture.archive is not None
    capture.archive.write_exchange(make_exchange())
    capture.spider_closed(Spider("t2"), "finished")
    assert len(closed_warc_files(tmp_path)) == 1
    assert index_fragments(tmp_path) == [] and not (tmp_path / "index.cdxj").exists()


def test_a_file_the_crawl_could_not_index_is_indexed_at_the_close(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    capture = _capture(tmp_path)
    assert capture.archive is not None
    capture.archive.write_exchange(make_exchange())

    def full_disk(archive_dir: Path, warc: Path) -> Path:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("crawler.extensions.warc_capture.write_fragment", full_disk)
    capture.spider_closed(Spider("t2"), "finished")
    assert "it is indexed at the close" in caplog.text
    assert (tmp_path / "index.cdxj").read_text(encoding="utf-8") == full_index(tmp_path)
    assert len(index_fragments(tmp_path)) == 1
