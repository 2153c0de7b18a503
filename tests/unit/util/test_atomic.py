"""crawler/util/atomic.py: a target is replaced whole or not at all, and what a killed write leaves
behind is found by name."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from crawler.util.atomic import atomic_path, atomic_write, leftover_temporaries, temporary_file


def test_a_clean_write_replaces_the_target_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "pairs.jsonl"
    target.write_text("old\n", encoding="utf-8")
    with atomic_write(target, text=True) as out:
        out.write("new\n")
        assert target.read_text(encoding="utf-8") == "old\n"  # not before the rename
    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert list(tmp_path.iterdir()) == [target]


def test_a_failed_write_keeps_the_target_and_removes_its_temporary(tmp_path: Path) -> None:
    target = tmp_path / "index.cdxj"
    target.write_bytes(b"old\n")
    with pytest.raises(OSError, match="No space"), atomic_write(target) as out:
        out.write(b"half a li")
        raise OSError(28, "No space left on device")
    assert target.read_bytes() == b"old\n"
    assert list(tmp_path.iterdir()) == [target]
    assert leftover_temporaries(tmp_path) == []


def test_a_path_for_another_writer_becomes_the_target_only_on_success(tmp_path: Path) -> None:
    target = tmp_path / "crawl.wacz"
    with atomic_path(target) as temp:
        assert temp.parent == tmp_path and temp.name.startswith(".crawl.wacz.")
        temp.write_bytes(b"zip")
    assert target.read_bytes() == b"zip"
    with pytest.raises(RuntimeError), atomic_path(target) as temp:
        temp.write_bytes(b"half")
        raise RuntimeError("the packer failed")
    assert target.read_bytes() == b"zip"
    assert list(tmp_path.iterdir()) == [target]


def test_a_killed_writes_temporary_is_found_with_the_name_it_was_to_replace(
    tmp_path: Path,
) -> None:
    fd, manifest_temp = temporary_file(tmp_path / "pairs.jsonl")
    (tmp_path / "state").mkdir()
    fd2, warc_temp = temporary_file(tmp_path / "state" / "T2-00001.warc.gz")
    os.close(fd)
    os.close(fd2)
    stranger = tmp_path / "notes.tmp"
    stranger.write_text("someone else's", encoding="utf-8")

    found = {(leftover.path, leftover.target) for leftover in leftover_temporaries(tmp_path)}
    assert found == {
        (manifest_temp, "pairs.jsonl"),
        (warc_temp, "T2-00001.warc.gz"),
        (stranger, None),
    }
    top = leftover_temporaries(tmp_path, recursive=False)
    assert {leftover.path for leftover in top} == {manifest_temp, stranger}
