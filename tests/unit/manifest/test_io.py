"""write_manifest and read_manifest: order, atomicity, encoding and errors that name the line."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import stat
from pathlib import Path

import pytest

from crawler.manifest import (
    STATUSES,
    Defect,
    ManifestError,
    Pair,
    Repair,
    encode_line,
    read_manifest,
    write_manifest,
)
from tests.unit.manifest.builders import BLOG, EVIDENCE, full_pair, minimal_pair


def _pairs() -> list[Pair]:
    pairs = [full_pair()]
    for number, status in enumerate(STATUSES):
        pair = minimal_pair(status, translation_url=f"{BLOG}/2025/01/post-{number:02d}.html")
        published = f"2025-01-{28 - number:02d}T08:00:00+09:00"
        pairs.append(
            dataclasses.replace(
                pair, translation=dataclasses.replace(pair.translation, published=published)
            )
        )
    return pairs


def test_write_then_read_round_trips_in_stable_order(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    pairs = _pairs()
    assert write_manifest(path, reversed(pairs)) == len(pairs)
    read = list(read_manifest(path))
    assert sorted(read, key=lambda p: p.pair_id) == sorted(pairs, key=lambda p: p.pair_id)
    assert read == sorted(pairs, key=Pair.sort_key)
    published = [p.translation.published for p in read]
    assert published[0] == f"2025-01-{29 - len(STATUSES):02d}T08:00:00+09:00"
    assert published[-1] == "2025-02-07T21:30:00+09:00"
    first = path.read_bytes()
    write_manifest(path, pairs)
    assert path.read_bytes() == first


def test_file_mode_and_no_temporary_files_left(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    write_manifest(path, _pairs())
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert os.listdir(tmp_path) == ["pairs.jsonl"]


def test_a_pair_the_schema_refuses_is_written_repaired(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "pairs.jsonl"
    other_post = f"{BLOG}/2025/01/other.html"
    broken = dataclasses.replace(minimal_pair("source_not_found", other_post), error=None)
    # An undated post with a date that is not one: it must not break the sorting either.
    undated = full_pair(translation=dataclasses.replace(full_pair().translation, published="x"))
    # A value of the wrong type, on which the pair's own conversion fails.
    bare = minimal_pair("no_citation", f"{BLOG}/2025/01/third.html")
    no_list = dataclasses.replace(
        bare, translation=dataclasses.replace(bare.translation, labels=None)
    )
    with pytest.raises(ManifestError, match="cannot be made a line: TypeError"):
        encode_line(no_list)
    repaired: list[Repair] = []
    assert write_manifest(path, [undated, broken, no_list], repaired=repaired) == 3
    assert [r.pair.pair_id for r in repaired] == [undated.pair_id, broken.pair_id, bare.pair_id]
    written = {p.pair_id: p for p in read_manifest(path)}
    assert [d.field for d in written[broken.pair_id].defects] == ["error"]
    assert [d.value for d in written[undated.pair_id].defects] == ["x"]
    assert [d.field for d in written[bare.pair_id].defects] == ["translation.labels"]
    assert not caplog.records  # reported to the caller, who asked for the repairs
    with caplog.at_level(logging.ERROR, logger="crawler.manifest.io"):
        write_manifest(path, [broken])
    [record] = caplog.records
    assert broken.pair_id in record.getMessage() and "error" in record.getMessage()


def test_duplicate_pair_ids_leave_the_old_manifest_in_place(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    write_manifest(path, [full_pair()])
    before = path.read_bytes()
    with pytest.raises(ManifestError, match="appears twice"):
        write_manifest(path, [minimal_pair("no_citation"), full_pair(), full_pair(confidence=0.5)])
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["pairs.jsonl"]


def test_japanese_is_written_as_utf8_and_line_separators_are_escaped(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    source = full_pair().source
    assert source is not None
    odd = dataclasses.replace(source, text="one\u2028two\u2029three\x85four")
    write_manifest(path, [full_pair(source=odd)])
    raw = path.read_bytes()
    assert "米海軍".encode() in raw and b"\\u7c73" not in raw
    text = raw.decode("utf-8")
    assert len(text.splitlines()) == 1 and text.endswith("}\n")
    [pair] = read_manifest(path)
    assert pair.source is not None and pair.source.text == odd.text


def test_nan_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot be written as JSON"):
        encode_line(full_pair(evidence=EVIDENCE | {"length_ratio": float("nan")}))
    # A defect's value is written as JSON text: one JSON cannot hold stops the line.
    unwritable = Defect(field="translation.title", value=object(), error="synthetic")
    with pytest.raises(ManifestError, match="cannot be made a line"):
        encode_line(full_pair(defects=(unwritable,)))
    line = json.dumps(full_pair().to_json()).replace('"length_ratio": 2.9', '"length_ratio": NaN')
    path = tmp_path / "pairs.jsonl"
    path.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(ManifestError, match="line 1: NaN is not allowed"):
        list(read_manifest(path))


@pytest.mark.parametrize(
    ("second_line", "expected"),
    [
        (b"{not json\n", r"pairs.jsonl line 2: not JSON"),
        (b"\n", r"pairs.jsonl line 2: not JSON"),
        (b'{"schema": "pairs/1"}\n', r"pairs.jsonl line 2: line: 'pair_id' is a required"),
        (b'"\xff"\n', r"pairs.jsonl line 2: not UTF-8 \(byte 2\)"),
    ],
)
def test_read_names_the_bad_line(tmp_path: Path, second_line: bytes, expected: str) -> None:
    path = tmp_path / "pairs.jsonl"
    path.write_bytes(encode_line(full_pair()) + second_line)
    lines = read_manifest(path)
    assert next(lines) == full_pair()
    with pytest.raises(ManifestError, match=expected):
        next(lines)


def test_read_refuses_a_repeated_pair_id(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    line = encode_line(full_pair())
    path.write_bytes(line + encode_line(minimal_pair("no_citation")) + line)
    with pytest.raises(ManifestError, match=r"line 3: pair_id \w+ already on line 1"):
        list(read_manifest(path))


def test_empty_manifest(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    assert write_manifest(path, []) == 0
    assert path.read_bytes() == b""
    assert list(read_manifest(path)) == []
