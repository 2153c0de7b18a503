"""The two-pass fold writes, byte for byte, the manifest of fold_lines then write_manifest, and
reports the same damage; a write that fails leaves the old manifest as it was."""

from __future__ import annotations

import copy
import dataclasses
import errno
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler.manifest import (
    FoldResult,
    FoldSummary,
    ManifestError,
    ManifestFold,
    Pair,
    encode_line,
    fold_lines,
    fold_manifest,
    write_manifest,
)
from crawler.manifest.io import dump_line
from crawler.util import atomic
from tests.unit.manifest.builders import numbered_pair, write_journal

OLD = "2025-02-01T00:00:00Z"
NEW = "2025-03-01T00:00:00Z"


def _pair(number: int, crawled_at: str = NEW, **changes: object) -> Pair:
    return numbered_pair(number, crawled_at, **changes)


def _lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(lines))
    return path


def _journal(path: Path, pairs: list[Pair]) -> Path:
    return write_journal(path, pairs)


def _json_line(data: object) -> bytes:
    """A line in another writer's form (json.dumps' spaces): valid JSON, not append's bytes."""
    return json.dumps(data, ensure_ascii=False).encode() + b"\n"


def _refused(number: int) -> bytes:
    data = _pair(number).to_json()
    data["source"]["language"] = "en_US"  # the schema refuses it: folded repaired
    return _json_line(data)


def _pairs_3(pair: Pair) -> bytes:
    data = copy.deepcopy(pair.to_json())
    data["schema"] = "pairs/3"
    del data["source"]["changed_since"]
    return _json_line(data)


# Each fixture makes the files of one fold in tmp_path: (journals, manifest, trusted journals).
Fixture = tuple[list[Path], Path, list[Path]]


def overlapping_journals(tmp: Path) -> Fixture:
    manifest = _lines(tmp / "pairs.jsonl", [encode_line(_pair(n, OLD)) for n in range(6)])
    first = _journal(tmp / "a.jsonl", [_pair(n, confidence=0.5) for n in (2, 3, 4, 7)])
    # The same pair_ids again, the same crawled_at (a tie: the later line read wins) and older.
    second = _journal(
        tmp / "b.jsonl",
        [_pair(3, confidence=0.6), _pair(4, "2025-01-01T00:00:00Z"), _pair(7, confidence=0.7)],
    )
    return [first, second], manifest, []


def damaged_journal(tmp: Path) -> Fixture:
    manifest = _lines(tmp / "pairs.jsonl", [encode_line(_pair(n, OLD)) for n in range(3)])
    journal = _lines(
        tmp / "j.jsonl",
        [
            encode_line(_pair(0)),
            _refused(1),  # and it wins over the manifest's line of pair 1
            encode_line(_pair(5))[:50] + b"\n",  # a complete line that is not JSON
            encode_line(_pair(4)),
            encode_line(_pair(6))[:70],  # torn
        ],
    )
    return [journal], manifest, []


def older_schema_manifest(tmp: Path) -> Fixture:
    lines = [_pairs_3(_pair(n, OLD)) for n in range(4)]
    lines.insert(2, encode_line(_pair(9, OLD)))  # a current line among them
    manifest = _lines(tmp / "pairs.jsonl", lines)
    return [_journal(tmp / "j.jsonl", [_pair(1), _pair(8)])], manifest, []


def duplicates_in_the_manifest(tmp: Path) -> Fixture:
    manifest = _lines(
        tmp / "pairs.jsonl",
        [
            encode_line(_pair(1, NEW)),
            encode_line(_pair(2, OLD)),
            encode_line(_pair(1, OLD, confidence=0.5)),  # older: loses
            encode_line(_pair(2, OLD, confidence=0.6)),  # a tie: wins
        ],
    )
    return [_journal(tmp / "j.jsonl", [_pair(3)])], manifest, []


def altered_trusted_journal(tmp: Path) -> Fixture:
    manifest = _lines(tmp / "pairs.jsonl", [encode_line(_pair(n, OLD)) for n in range(4)])
    own = _journal(tmp / "own.jsonl", [_pair(n) for n in (1, 2, 5)])
    lines = own.read_bytes().splitlines(keepends=True)
    lines[1] = _refused(2)  # altered after append wrote it: validated, hence repaired
    _lines(own, lines)
    return [own], manifest, [own]


def empty_journal(tmp: Path) -> Fixture:
    manifest = _lines(tmp / "pairs.jsonl", [encode_line(_pair(n, OLD)) for n in range(3)])
    own = _journal(tmp / "own.jsonl", [_pair(1)])
    return [_lines(tmp / "empty.jsonl", []), own], manifest, [own]


def no_manifest(tmp: Path) -> Fixture:
    own = _journal(tmp / "own.jsonl", [_pair(n) for n in (4, 2)])
    # A whole last line without its newline: the manifest's line is written with one.
    other = _lines(tmp / "killed.jsonl", [encode_line(_pair(3)), encode_line(_pair(2)).rstrip()])
    return [own, other], tmp / "pairs.jsonl", [own]


def order_ties(tmp: Path) -> Fixture:
    # Lines append wrote for pairs whose ids are not their URLs' (nothing else is checked in a
    # trusted journal): distinct pair_ids that sort alike keep the order they were first read.
    tied = [dataclasses.replace(_pair(1), pair_id=f"{n:016x}") for n in (9, 3, 6)]
    manifest = _lines(tmp / "pairs.jsonl", [encode_line(_pair(2, OLD))])
    lines = [dump_line(p.to_json(), p.pair_id) for p in (*tied, tied[0])]
    own = _lines(tmp / "own.jsonl", lines)
    return [own], manifest, [own]


FIXTURES: list[Callable[[Path], Fixture]] = [
    overlapping_journals,
    damaged_journal,
    older_schema_manifest,
    duplicates_in_the_manifest,
    altered_trusted_journal,
    empty_journal,
    no_manifest,
    order_ties,
]


def _fold_both_ways(
    tmp_path: Path, make: Callable[[Path], Fixture]
) -> tuple[FoldResult, bytes, FoldSummary, bytes]:
    journals, manifest, trusted = make(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    in_memory = fold_lines(journals, manifest, trusted=trusted)
    expected = tmp_path / "expected.out"
    write_manifest(expected, in_memory.pairs, validated=True)
    summary = fold_manifest(journals, manifest, trusted=trusted)
    written = manifest.read_bytes()
    expected_bytes = expected.read_bytes()
    expected.unlink()
    # Nothing left beside the manifest: the spool and the temporary file are gone.
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({*before, manifest.name})
    return in_memory, expected_bytes, summary, written


@pytest.mark.parametrize("make", FIXTURES, ids=lambda make: make.__name__)
def test_the_manifest_and_the_damage_are_those_of_fold_lines(
    tmp_path: Path, make: Callable[[Path], Fixture]
) -> None:
    in_memory, expected, summary, written = _fold_both_ways(tmp_path, make)
    assert written == expected
    assert summary.written == len(in_memory.pairs) == expected.count(b"\n")
    assert summary.warnings == in_memory.warnings
    assert summary.repaired == in_memory.repaired
    assert summary.unreadable == in_memory.unreadable
    assert summary.pairs == [(p.pair_id, p.status, p.crawled_at) for p in in_memory.pairs]


def test_the_fixtures_hold_what_they_are_named_for(tmp_path: Path) -> None:
    # Each comparison above is worth something only if its case really happens in its files.
    def folded(make: Callable[[Path], Fixture]) -> tuple[FoldResult, bytes]:
        directory = tmp_path / make.__name__
        directory.mkdir()
        in_memory, expected, _, _ = _fold_both_ways(directory, make)
        return in_memory, expected

    result, _ = folded(overlapping_journals)
    by_id = {p.pair_id: p for p in result.pairs}
    assert [by_id[_pair(n).pair_id].confidence for n in (2, 3, 4, 7)] == [0.5, 0.6, 0.5, 0.7]
    result, _ = folded(damaged_journal)
    [torn] = result.warnings
    assert "incomplete last line (70 bytes)" in torn
    assert [r.fields for r in result.repaired] == [["source.language"]]
    assert [u.where.rsplit(" ", 1)[1] for u in result.unreadable] == ["3"]
    result, expected = folded(older_schema_manifest)
    assert b'"schema":"pairs/3"' not in expected and len(result.pairs) == 6
    result, _ = folded(duplicates_in_the_manifest)
    assert len(result.warnings) == 2 and "already on" in result.warnings[0]
    assert {p.pair_id: p.confidence for p in result.pairs}[_pair(2).pair_id] == 0.6
    result, _ = folded(altered_trusted_journal)
    assert [r.where.rsplit(" ", 1)[1] for r in result.repaired] == ["2"]
    result, _ = folded(no_manifest)
    assert len(result.pairs) == 3
    result, _ = folded(order_ties)
    assert [p.pair_id for p in result.pairs][:3] == [f"{n:016x}" for n in (9, 3, 6)]


def test_the_damage_is_there_before_the_write(tmp_path: Path) -> None:
    journals, manifest, trusted = damaged_journal(tmp_path)
    with ManifestFold(journals, manifest, trusted=trusted) as fold:
        assert len(fold.warnings) == len(fold.repaired) == len(fold.unreadable) == 1
        assert manifest.read_bytes() == b"".join(encode_line(_pair(n, OLD)) for n in range(3))
        summary = fold.write()
    assert summary.repaired == fold.repaired and summary.written == 4


def test_a_fold_read_for_its_pairs_only_writes_nothing(tmp_path: Path) -> None:
    journals, manifest, trusted = older_schema_manifest(tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    expected = fold_lines(journals, manifest, trusted=trusted)
    with ManifestFold(journals, manifest, trusted=trusted, writing=False) as fold:
        kept = fold.kept()
        with pytest.raises(ValueError, match="cannot write"):
            fold.write()
    assert kept == [(p.pair_id, p.status, p.crawled_at) for p in expected.pairs]
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def _unwritable_line(number: int, crawled_at: str) -> bytes:
    """A valid line whose source text holds a lone surrogate: it reads, but UTF-8 cannot
    encode it again."""
    data = _pair(number, crawled_at).to_json()
    data["source"]["text"] = "\ud800 lone"
    return json.dumps(data).encode() + b"\n"  # escaped: the line itself is UTF-8


def test_an_unwritable_winner_raises_and_the_old_manifest_stays(tmp_path: Path) -> None:
    manifest = _lines(tmp_path / "pairs.jsonl", [encode_line(_pair(n, OLD)) for n in range(3)])
    before = manifest.read_bytes()
    journal = _lines(tmp_path / "j.jsonl", [_unwritable_line(1, NEW), encode_line(_pair(4))])
    in_memory = fold_lines([journal], manifest)
    with pytest.raises(ManifestError) as raised_before:
        write_manifest(tmp_path / "expected.out", in_memory.pairs, validated=True)
    with pytest.raises(ManifestError) as raised:
        fold_manifest([journal], manifest)
    assert str(raised.value) == str(raised_before.value)
    assert "cannot be written as JSON" in str(raised.value)
    assert manifest.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["j.jsonl", "pairs.jsonl"]


def test_an_unwritable_line_that_loses_is_not_written(tmp_path: Path) -> None:
    manifest = _lines(tmp_path / "pairs.jsonl", [_unwritable_line(1, OLD), encode_line(_pair(2))])
    journal = _journal(tmp_path / "j.jsonl", [_pair(1, NEW, confidence=0.5)])
    expected = tmp_path / "expected.out"
    write_manifest(expected, fold_lines([journal], manifest).pairs, validated=True)
    assert fold_manifest([journal], manifest).written == 2
    assert manifest.read_bytes() == expected.read_bytes()


def test_a_failed_write_leaves_the_old_manifest_and_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journals, manifest, trusted = older_schema_manifest(tmp_path)  # a spool is written too
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fsync", disk_full)
    with pytest.raises(OSError, match="No space"):
        fold_manifest(journals, manifest, trusted=trusted)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
