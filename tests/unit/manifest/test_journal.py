"""ManifestJournal: appended lines survive, fold keeps the latest line per pair, torn tails."""

from __future__ import annotations

import dataclasses
import json
import stat
from pathlib import Path

import pytest

from crawler.manifest import (
    ManifestError,
    ManifestJournal,
    Pair,
    encode_line,
    read_manifest,
    write_manifest,
)
from tests.unit.manifest.builders import BLOG, full_pair, minimal_pair


def _at(pair: Pair, crawled_at: str) -> Pair:
    return dataclasses.replace(pair, crawled_at=crawled_at)


def test_appended_lines_are_on_disk_at_once(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with ManifestJournal(path) as journal:
        journal.append(full_pair())
        # Not closed yet: the line must already be whole in the file.
        assert path.read_bytes() == encode_line(full_pair())
        journal.append(minimal_pair("no_citation"))
        assert journal.appended == 2
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    with pytest.raises(ManifestError, match="closed"):
        journal.append(full_pair())


def test_invalid_pair_is_not_appended(tmp_path: Path) -> None:
    path = tmp_path / "journal.jsonl"
    with ManifestJournal(path) as journal, pytest.raises(ManifestError):
        journal.append(full_pair(confidence=2.0))
    assert path.read_bytes() == b""


def test_fold_keeps_the_latest_line_per_pair(tmp_path: Path) -> None:
    manifest = tmp_path / "pairs.jsonl"
    old_ok = _at(full_pair(), "2025-03-01T00:00:00Z")
    untouched = minimal_pair("no_citation", f"{BLOG}/2024/12/old.html")
    write_manifest(manifest, [old_ok, untouched])

    later_error = _at(
        minimal_pair("source_unreachable"), "2025-03-02T00:00:00+00:00"
    )  # same pair as full_pair()
    assert later_error.pair_id == old_ok.pair_id
    stale = _at(full_pair(confidence=0.5), "2025-02-01T00:00:00Z")
    with ManifestJournal(tmp_path / "b.jsonl") as second:
        second.append(later_error)
    with ManifestJournal(tmp_path / "a.jsonl") as first:
        first.append(stale)  # older than the manifest's line: must lose

    # The stale line is read last, so only its older crawled_at can make it lose.
    result = ManifestJournal.fold([tmp_path / "b.jsonl", tmp_path / "a.jsonl"], manifest)
    assert result.warnings == []
    assert {p.pair_id: p for p in result.pairs} == {
        later_error.pair_id: later_error,
        untouched.pair_id: untouched,
    }
    assert result.pairs == sorted(result.pairs, key=Pair.sort_key)


def test_fold_tie_goes_to_the_line_read_last(tmp_path: Path) -> None:
    first, second = full_pair(confidence=0.8), full_pair(confidence=0.9)
    with ManifestJournal(tmp_path / "j.jsonl") as journal:
        journal.append(first)
        journal.append(second)
    assert ManifestJournal.fold([tmp_path / "j.jsonl"]).pairs == [second]


def test_fold_without_an_existing_manifest(tmp_path: Path) -> None:
    with ManifestJournal(tmp_path / "j.jsonl") as journal:
        journal.append(full_pair())
    result = ManifestJournal.fold([tmp_path / "j.jsonl"], tmp_path / "missing.jsonl")
    assert result.pairs == [full_pair()]


def test_torn_last_line_is_ignored_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    whole = encode_line(full_pair())
    torn = encode_line(minimal_pair("no_citation"))[:57]
    path.write_bytes(whole + torn)
    result = ManifestJournal.fold([path])
    assert result.pairs == [full_pair()]
    [warning] = result.warnings
    assert "j.jsonl line 2" in warning and "incomplete last line (57 bytes)" in warning


def test_complete_last_line_without_newline_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_bytes(encode_line(full_pair()).rstrip(b"\n"))
    result = ManifestJournal.fold([path])
    assert result == type(result)([full_pair()], [])


def test_a_complete_line_that_is_not_json_is_listed_not_dropped(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    path.write_bytes(encode_line(full_pair())[:40] + b"\n" + encode_line(full_pair()))
    result = ManifestJournal.fold([path])
    assert result.pairs == [full_pair()]
    [line] = result.unreadable
    assert line.where.endswith("j.jsonl line 1") and "not JSON" in line.error
    assert line.text == encode_line(full_pair())[:40].decode()
    assert result.warnings == [] and result.repaired == []


def test_a_refused_line_of_the_manifest_is_folded_repaired(tmp_path: Path) -> None:
    # An older or damaged manifest: its lines are repaired, not dropped, and listed.
    manifest = tmp_path / "pairs.jsonl"
    refused = full_pair().to_json()
    refused["source"]["language"] = "en_US"
    other = minimal_pair("no_citation", f"{BLOG}/2024/12/old.html").to_json()
    other["crawled_at"] = "yesterday"
    manifest.write_bytes(b"".join(json.dumps(x).encode() + b"\n" for x in (refused, other)))
    with ManifestJournal(tmp_path / "j.jsonl") as journal:  # a newer line of the second pair
        newer = _at(minimal_pair("no_citation", f"{BLOG}/2024/12/old.html"), "2020-01-01T00:00:00Z")
        journal.append(newer)
    result = ManifestJournal.fold([tmp_path / "j.jsonl"], manifest)
    assert [(r.where, r.fields) for r in result.repaired] == [
        (f"{manifest} line 1", ["source.language"]),
        (f"{manifest} line 2", ["crawled_at"]),
    ]
    assert result.repaired[0].original == refused
    by_id = {p.pair_id: p for p in result.pairs}
    assert by_id[full_pair().pair_id].source.language is None  # type: ignore[union-attr]
    assert [d.value for d in by_id[full_pair().pair_id].defects] == ["en_US"]
    # A refused crawled_at counts as the earliest instant: any real line of the pair wins.
    assert by_id[newer.pair_id] == newer


def test_reopening_keeps_a_whole_last_line_the_schema_refuses(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    refused = full_pair().to_json()
    refused["translation"]["language"] = "en_US"
    path.write_bytes(json.dumps(refused).encode())
    with ManifestJournal(path) as journal:
        assert journal.recovered is None
    result = ManifestJournal.fold([path])
    assert [r.fields for r in result.repaired] == [["translation.language"]]
    assert result.warnings == []


def test_reopening_cuts_a_torn_tail_so_new_lines_stay_whole(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    whole = encode_line(full_pair())
    path.write_bytes(whole + b'{"schema": "pairs/1", "pair_')
    with ManifestJournal(path) as journal:
        assert journal.recovered is not None and "incomplete last line" in journal.recovered
        journal.append(minimal_pair("no_citation"))
    assert path.read_bytes() == whole + encode_line(minimal_pair("no_citation"))
    assert ManifestJournal.fold([path]).warnings == []


def test_reopening_completes_a_whole_line_missing_its_newline(tmp_path: Path) -> None:
    path = tmp_path / "j.jsonl"
    whole = encode_line(full_pair())
    path.write_bytes(whole.rstrip(b"\n"))
    with ManifestJournal(path) as journal:
        assert journal.recovered is None
        journal.append(minimal_pair("no_citation"))
    assert path.read_bytes() == whole + encode_line(minimal_pair("no_citation"))


def test_reopening_finds_the_last_newline_beyond_one_read_chunk(tmp_path: Path) -> None:
    # A torn line longer than the 64 KiB chunk the tail search reads at a time.
    path = tmp_path / "j.jsonl"
    whole = encode_line(full_pair())
    path.write_bytes(whole + b"{" + b"x" * 200_000)
    with ManifestJournal(path) as journal:
        assert journal.recovered is not None
    assert path.read_bytes() == whole


def test_folded_pairs_write_a_manifest_that_reads_back(tmp_path: Path) -> None:
    with ManifestJournal(tmp_path / "j.jsonl") as journal:
        for status in ("ok", "source_not_found", "no_citation"):
            journal.append(minimal_pair(status, f"{BLOG}/2025/01/{status}.html"))
    manifest = tmp_path / "pairs.jsonl"
    result = ManifestJournal.fold([tmp_path / "j.jsonl"], manifest)
    assert write_manifest(manifest, result.pairs) == 3
    assert list(read_manifest(manifest)) == result.pairs


def test_a_refused_write_is_cut_back_so_the_next_line_stays_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk that takes half a line and then refuses the rest (ENOSPC), then has room."""
    import errno
    import os

    from crawler.manifest import io

    path = tmp_path / "journal.jsonl"
    real_write = os.write
    refused = []

    def half_then_full(fd: int, data: bytes) -> int:
        if not refused:
            refused.append(True)
            real_write(fd, bytes(data[: len(data) // 2]))
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    first, second = full_pair(), _at(minimal_pair("no_citation"), "2026-01-02T00:00:00+00:00")
    with ManifestJournal(path) as journal:
        monkeypatch.setattr(io.os, "write", half_then_full)
        with pytest.raises(OSError, match="No space"):
            journal.append(first)
        assert path.read_bytes() == b""
        journal.append(second)
        assert journal.appended == 1
    assert path.read_bytes() == encode_line(second)
