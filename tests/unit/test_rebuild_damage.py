"""``rebuild`` over a damaged archive: it refuses, naming the file and the pairs that would be
lost, and never writes a manifest with fewer or downgraded pairs (all content synthetic)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from crawler.archive import build_cdxj_index
from crawler.archive.lock import ArchiveLock
from crawler.archive.naming import closed_warc_files
from crawler.cli import main
from crawler.manifest import encode_line, read_manifest
from crawler.rebuild import DamagedArchiveError, rebuild_pairs
from tests.unit.archive.builders import read_records
from tests.unit.test_rebuild import _pipeline_manifest, _two_crawls


def from_log(*args: str) -> int:
    """``python -m crawler rebuild --from-log ARGS``, in this process (a crawl run again would
    start a reactor here)."""
    return main(["rebuild", "--from-log", *args])


@pytest.fixture
def archive_dir(tmp_path: Path) -> Path:
    """The two synthetic crawls of tests/unit/test_rebuild.py, with the manifest their pipelines
    wrote and their index, as a crawl leaves them."""
    directory = tmp_path / "archive"
    crawls = _two_crawls(directory)
    (directory / "pairs.jsonl").write_bytes(b"".join(_pipeline_manifest(crawls, tmp_path)))
    build_cdxj_index(directory)
    return directory


def first_file(directory: Path) -> Path:
    return closed_warc_files(directory)[0]


def offset_of(path: Path, rec_type: str, number: int = 0) -> int:
    """The offset of the ``number``-th record of that type in ``path``."""
    return [r.offset for r in read_records(path) if r.type == rec_type][number]


def pair_ids(directory: Path) -> set[str]:
    return {pair.pair_id for pair in read_manifest(directory / "pairs.jsonl")}


def test_an_undamaged_archive_rebuilds(archive_dir: Path) -> None:
    result = rebuild_pairs(archive_dir, workers=1)
    assert result.damage is None
    assert [encode_line(p) for p in result.pairs] == (
        archive_dir / "pairs.jsonl"
    ).read_bytes().splitlines(keepends=True)


def test_a_file_cut_inside_a_record_is_refused(archive_dir: Path) -> None:
    path = first_file(archive_dir)
    source = offset_of(path, "response", 2)  # the source page, after the first post and a hop
    os.truncate(path, source + 40)
    with pytest.raises(DamagedArchiveError) as raised:
        rebuild_pairs(archive_dir, workers=1)
    error = raised.value
    assert error.problems[0].startswith(
        f"{path.name}, offset {source}: the gzip member is cut short (the file ends inside it)"
    )
    assert f"{path.name}: " in error.problems[1] and "index.cdxj" in error.problems[1]
    # Every pair whose page or source page was in the lost part, and only those.
    lost = {
        pair.pair_id
        for pair in read_manifest(archive_dir / "pairs.jsonl")
        if any(
            w is not None and w.filename == path.name and w.offset >= source
            for w in (pair.translation.warc, pair.source.warc if pair.source else None)
        )
    }
    assert lost and set(error.pairs) == lost
    assert "run a crawl into this archive" in str(error)


def test_a_file_cut_at_a_record_boundary_is_refused(archive_dir: Path) -> None:
    """The file looks whole; the manifest and the index still name what it lost."""
    path = first_file(archive_dir)
    os.truncate(path, offset_of(path, "response", 3))  # before the second post's page
    with pytest.raises(DamagedArchiveError) as raised:
        rebuild_pairs(archive_dir, workers=1)
    [problem] = raised.value.problems
    assert problem.startswith(f"{path.name}: ") and "pairs.jsonl" in problem
    assert raised.value.pairs


def test_a_lost_crawl_log_record_is_refused(archive_dir: Path) -> None:
    """Cut off with the end of a file, the crawl-log record of a page the manifest names."""
    path = first_file(archive_dir)
    os.truncate(path, offset_of(path, "metadata", -1))  # the last one: the 404 post's
    (archive_dir / "index.cdxj").unlink()
    with pytest.raises(DamagedArchiveError) as raised:
        rebuild_pairs(archive_dir, workers=1)
    [problem] = raised.value.problems
    assert "1 record(s) pairs.jsonl names have no crawl-log record" in problem
    assert len(raised.value.pairs) == 1


def test_allow_damaged_rebuilds_from_the_whole_records(archive_dir: Path) -> None:
    path = first_file(archive_dir)
    os.truncate(path, offset_of(path, "response", 3) + 40)
    result = rebuild_pairs(archive_dir, workers=1, allow_damaged=True)
    assert result.damage is not None and result.damage.pairs
    assert {p.pair_id for p in result.pairs} < pair_ids(archive_dir)


def test_the_command_never_replaces_the_manifest_with_a_damaged_rebuild(
    archive_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = (archive_dir / "pairs.jsonl").read_bytes()
    path = first_file(archive_dir)
    os.truncate(path, int(path.stat().st_size * 0.6))
    assert from_log(str(archive_dir), "--in-place", "--workers", "1") == 1
    err = capsys.readouterr().err
    assert "rebuild: the archive lost records" in err and path.name in err
    assert "nothing was written" in err
    assert (archive_dir / "pairs.jsonl").read_bytes() == manifest
    output = archive_dir.parent / "rebuilt.jsonl"
    assert from_log(str(archive_dir), "-o", str(output), "--workers", "1") == 1
    assert not output.exists()
    assert from_log(str(archive_dir), "--in-place", "--allow-damaged") == 2
    assert (
        main(
            [
                "rebuild",
                "--from-log",
                str(archive_dir),
                "-o",
                str(archive_dir / "pairs.jsonl"),
                "--allow-damaged",
            ]
        )
        == 2
    )
    assert (archive_dir / "pairs.jsonl").read_bytes() == manifest
    capsys.readouterr()
    assert (
        main(
            [
                "rebuild",
                "--from-log",
                str(archive_dir),
                "-o",
                str(output),
                "--allow-damaged",
                "--workers",
                "1",
            ]
        )
        == 0
    )
    assert "rebuild: --allow-damaged: the archive lost records" in capsys.readouterr().err
    assert output.exists()


def test_in_place_is_refused_while_a_crawl_holds_the_archive(
    archive_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    manifest = (archive_dir / "pairs.jsonl").read_bytes()
    with ArchiveLock(archive_dir):
        assert from_log(str(archive_dir), "--in-place", "--workers", "1") == 3
        err = capsys.readouterr().err
        assert "rebuild: " in err and "nothing was written" in err
        # Writing elsewhere does not touch what the crawl writes: no lock needed.
        output = archive_dir.parent / "rebuilt.jsonl"
        assert from_log(str(archive_dir), "-o", str(output), "--workers", "1") == 0
    assert (archive_dir / "pairs.jsonl").read_bytes() == manifest
    assert from_log(str(archive_dir), "--in-place", "--workers", "1") == 0
