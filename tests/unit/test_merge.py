"""Merging node archives: which files go where, and what is refused before anything is written."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from crawler.archive.lock import LOCK_NAME, ArchiveLock
from crawler.merge import MergeError, merge_nodes, plan_merge
from crawler.merge import _place as place

NAME_A = "BITEXT-20250301000000000-00000-host-a-101.warc.gz"
NAME_B = "BITEXT-20250301000000000-00000-host-b-202.warc.gz"


def _node(base: Path, name: str, files: dict[str, bytes]) -> Path:
    node = base / name
    node.mkdir()
    for filename, data in files.items():
        (node / filename).write_bytes(data)
    return node


def test_the_same_name_in_two_nodes_is_refused_before_anything_is_linked(tmp_path: Path) -> None:
    a = _node(tmp_path, "node-A", {NAME_A: b"one", NAME_B: b"two"})
    b = _node(tmp_path, "node-B", {NAME_B: b"other"})
    out = tmp_path / "merged"
    with pytest.raises(MergeError, match="name clash") as raised:
        merge_nodes(out, [a, b])
    assert NAME_B in str(raised.value)
    assert not out.exists() or not list(out.glob("*.warc.gz"))


def test_a_different_file_of_the_same_name_in_the_output_is_refused(tmp_path: Path) -> None:
    a = _node(tmp_path, "node-A", {NAME_A: b"one"})
    out = _node(tmp_path, "merged", {NAME_A: b"not the same bytes"})
    with pytest.raises(MergeError, match="name clash"):
        plan_merge(out, [a])
    assert (out / NAME_A).read_bytes() == b"not the same bytes"


def test_files_of_an_earlier_merge_are_kept_and_new_ones_placed(tmp_path: Path) -> None:
    a = _node(tmp_path, "node-A", {NAME_A: b"one"})
    b = _node(tmp_path, "node-B", {NAME_B: b"two", NAME_B + ".open": b"half"})
    out = tmp_path / "merged"
    out.mkdir()
    os.link(a / NAME_A, out / NAME_A)
    plan = plan_merge(out, [a, b])
    assert plan.present == [out / NAME_A]
    assert [(p.source, p.target) for p in plan.place] == [(b / NAME_B, out / NAME_B)]
    assert plan.left_open == [b / (NAME_B + ".open")]


def test_a_node_being_crawled_is_refused_and_its_lock_left_alone(tmp_path: Path) -> None:
    a = _node(tmp_path, "node-A", {NAME_A: b"one"})
    with ArchiveLock(a) as held:
        note = (a / LOCK_NAME).read_text()
        with pytest.raises(MergeError, match="being crawled"):
            merge_nodes(tmp_path / "merged", [a])
        assert held.held
        assert (a / LOCK_NAME).read_text() == note
    assert not (tmp_path / "merged" / NAME_A).exists()


def test_the_output_must_not_be_a_node_nor_a_node_given_twice(tmp_path: Path) -> None:
    a = _node(tmp_path, "node-A", {NAME_A: b"one"})
    with pytest.raises(MergeError, match="output directory"):
        plan_merge(a, [a])
    with pytest.raises(MergeError, match="twice"):
        plan_merge(tmp_path / "merged", [a, tmp_path / "node-A" / ".." / "node-A"])


def test_a_file_on_another_file_system_is_copied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = _node(tmp_path, "node-A", {NAME_A: b"one"})
    out = tmp_path / "merged"
    out.mkdir()

    def cross_device(source: Path, target: Path) -> None:
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cross_device)
    assert place(a / NAME_A, out / NAME_A) is False
    assert (out / NAME_A).read_bytes() == b"one"
    assert not os.path.samefile(a / NAME_A, out / NAME_A)
    assert (out / NAME_A).stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in out.iterdir()) == [NAME_A]
