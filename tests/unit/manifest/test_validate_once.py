"""Validate once, at the journal boundary: a fold trusts the journal this process appended to,
and write_manifest trusts the folded pairs; the manifest written is the same as before."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from crawler.manifest import (
    ManifestError,
    ManifestJournal,
    Pair,
    encode_line,
    write_manifest,
)
from crawler.manifest import io as manifest_io
from crawler.manifest import model as manifest_model
from crawler.manifest import repair as manifest_repair
from tests.unit.manifest.builders import full_pair, minimal_pair, numbered_pair, write_journal


def _pair(number: int, crawled_at: str = "2025-03-01T04:05:06Z", **changes: object) -> Pair:
    return numbered_pair(number, crawled_at, **changes)


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every call of validate_line from the manifest modules, counted where each looks it up."""
    calls: list[object] = []
    real = manifest_io.validate_line

    def counting(data: object) -> None:
        calls.append(data)
        real(data)

    for module in (manifest_io, manifest_model, manifest_repair):
        monkeypatch.setattr(module, "validate_line", counting)
    return calls


def _manifest(path: Path, pairs: list[Pair]) -> Path:
    path.write_bytes(b"".join(encode_line(p) for p in pairs))
    return path


def _journal(path: Path, pairs: list[Pair]) -> Path:
    return write_journal(path, pairs)


def test_new_lines_are_validated_once_and_the_manifest_is_unchanged(
    tmp_path: Path, validations: list[object]
) -> None:
    old = [_pair(n, "2025-02-01T00:00:00Z") for n in range(5)]  # M = 5
    new = [_pair(n, "2025-03-01T00:00:00Z", confidence=0.5) for n in range(3, 7)]  # N = 4
    manifest = _manifest(tmp_path / "pairs.jsonl", old)
    validations.clear()  # only what the crawl does from here on is counted

    (tmp_path / "journal").mkdir()
    own = _journal(tmp_path / "journal" / "own.jsonl", new)
    assert len(validations) == len(new)

    # The journal named by another spelling of its path is still this process's.
    folded = ManifestJournal.fold(
        [own], manifest, trusted=[str(tmp_path / "journal/../journal/own.jsonl")]
    )
    assert len(validations) == len(new) + len(old)
    written = write_manifest(tmp_path / "new.jsonl", folded.pairs, validated=True)
    assert len(validations) == len(new) + len(old)
    assert written == 7

    # Today's path, same inputs: the new lines validated three times, the old ones twice.
    validations.clear()
    today = ManifestJournal.fold([own], manifest)
    write_manifest(tmp_path / "today.jsonl", today.pairs, repaired=[])
    assert len(validations) == (len(old) + len(new)) + written
    assert folded == today
    assert (tmp_path / "new.jsonl").read_bytes() == (tmp_path / "today.jsonl").read_bytes()
    assert sorted(p.confidence for p in folded.pairs) == [0.5] * 4 + [0.93] * 3


def test_only_the_trusted_journal_skips_validation(
    tmp_path: Path, validations: list[object]
) -> None:
    killed = _journal(tmp_path / "killed.jsonl", [_pair(n) for n in range(3)])  # another run's
    manifest = _manifest(
        tmp_path / "pairs.jsonl", [_pair(n, "2025-01-01T00:00:00Z") for n in (8, 9)]
    )
    validations.clear()
    own = _journal(tmp_path / "own.jsonl", [_pair(n) for n in range(2, 6)])
    ManifestJournal.fold([killed, own], manifest, trusted=[own])
    assert len(validations) == 4 + 2 + 3  # own's appends, the manifest, the killed run's journal
    validations.clear()
    # Trust names a journal of the fold; it adds none.
    result = ManifestJournal.fold([killed], manifest, trusted=[own])
    assert len(validations) == 2 + 3
    assert {p.pair_id for p in result.pairs} == {_pair(n).pair_id for n in (0, 1, 2, 8, 9)}


def _compact(data: object) -> bytes:
    """A line in the form append writes (compact JSON), whatever it holds."""
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n").encode()


def _damaged_journal(path: Path) -> Path:
    """Hand-written lines no append wrote, between good ones, and a torn last line."""
    missing_key = _pair(1).to_json()
    del missing_key["translation"]["labels"]  # building the pair fails
    refused = _pair(2).to_json()
    refused["source"]["language"] = "en_US"  # built, but the schema refuses it
    bad_date = _pair(3).to_json()
    bad_date["crawled_at"] = "yesterday"  # built, but cannot be ordered
    naive = _pair(0).to_json()
    naive["crawled_at"] = "2025-03-09T00:00:00"  # no offset: cannot be compared with _pair(0)
    coerced = _pair(4).to_json()
    coerced["translation"]["warc"]["offset"] = "1234"  # built as 1234: not what append wrote
    no_url = _pair(5).to_json()
    no_url["translation"]["url"] = 7
    lines = [
        encode_line(_pair(0)),
        _compact(missing_key),
        json.dumps(refused).encode() + b"\n",
        _compact(bad_date),
        _compact(naive),
        _compact(coerced),
        _compact(no_url),
        _compact([1, 2, 3]),
        encode_line(_pair(6))[:60] + b"\n",  # a complete line that is not JSON
        encode_line(_pair(7)),
        encode_line(_pair(8))[:80],  # torn
    ]
    path.write_bytes(b"".join(lines))
    return path


def test_a_damaged_trusted_journal_folds_as_an_untrusted_one(
    tmp_path: Path, validations: list[object]
) -> None:
    journal = _damaged_journal(tmp_path / "own.jsonl")
    manifest = _manifest(
        tmp_path / "pairs.jsonl", [_pair(n, "2025-01-01T00:00:00Z") for n in (7, 9)]
    )
    validations.clear()
    trusted = ManifestJournal.fold([journal], manifest, trusted=[journal])
    skipped = -len(validations)
    validations.clear()
    untrusted = ManifestJournal.fold([journal], manifest)
    skipped += len(validations)
    assert trusted == untrusted
    assert skipped == 2  # the two lines append wrote, 1 and 10; the others validated as before
    # The damage is all there to be reported.
    assert [r.where.rsplit(" ", 1)[1] for r in trusted.repaired] == ["2", "3", "4", "5", "6"]
    assert [u.where.rsplit(" ", 1)[1] for u in trusted.unreadable] == ["7", "8", "9"]
    [torn] = trusted.warnings
    assert "line 11" in torn and "incomplete last line (80 bytes)" in torn
    write_manifest(tmp_path / "new.jsonl", trusted.pairs, validated=True)
    write_manifest(tmp_path / "today.jsonl", untrusted.pairs)
    assert (tmp_path / "new.jsonl").read_bytes() == (tmp_path / "today.jsonl").read_bytes()


@pytest.mark.parametrize(
    "write",
    [
        lambda path, pairs: write_manifest(path, pairs, validated=True),
        lambda path, pairs: write_manifest(path, pairs),
    ],
    ids=["validated", "default"],
)
def test_two_pairs_with_one_id_are_refused_and_nothing_is_replaced(
    tmp_path: Path, write: Callable[[Path, list[Pair]], int]
) -> None:
    path = _manifest(tmp_path / "pairs.jsonl", [minimal_pair("no_citation")])
    before = path.read_bytes()
    twice = [_pair(1), full_pair(), dataclasses.replace(full_pair(), confidence=0.5)]
    with pytest.raises(ManifestError, match=f"pair_id {full_pair().pair_id} appears twice"):
        write(path, twice)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.jsonl"]


def test_validated_pairs_are_written_sorted_without_validation(
    tmp_path: Path, validations: list[object]
) -> None:
    pairs = [_pair(n) for n in (5, 1, 3)]
    validations.clear()
    assert write_manifest(tmp_path / "pairs.jsonl", pairs, validated=True) == 3
    assert validations == []
    expected = b"".join(encode_line(p) for p in sorted(pairs, key=Pair.sort_key))
    assert (tmp_path / "pairs.jsonl").read_bytes() == expected


def test_line_breakers_are_escaped_byte_for_byte() -> None:
    # The trusted fold compares a line with what append writes for its pair: the escaping must
    # be exactly the one append has always written.
    source = dataclasses.replace(full_pair().source, text="一\u2028two\u2029three\x85四")  # type: ignore[arg-type]
    line = encode_line(full_pair(source=source))
    assert b'"text":"\xe4\xb8\x80\\u2028two\\u2029three\\u0085\xe5\x9b\x9b"' in line
    assert line.count(b"\n") == 1 and line.endswith(b"}\n")
