"""rejected-pairs.jsonl, and the commands that write a manifest (rebuild, merge): a line the
schema refuses is written repaired, kept as it was, printed, and the command exits 1."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from crawler.cli import main
from crawler.manifest import read_manifest, repair_pair
from crawler.manifest.rejected import REJECTED_NAME, append_rejected, repaired_record
from crawler.rebuild import RebuildResult
from tests.unit.manifest.builders import full_pair, minimal_pair

NODE_FILE = "BITEXT-20250301000000000-00000-host-a-101.warc.gz"


def _refused() -> Any:
    pair = full_pair()
    return dataclasses.replace(
        pair, translation=dataclasses.replace(pair.translation, language="en_US")
    )


def _rejected(directory: Path) -> list[dict[str, Any]]:
    text = (directory / REJECTED_NAME).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def test_the_record_keeps_the_line_as_it_was(tmp_path: Path) -> None:
    repair = repair_pair(_refused())
    path = append_rejected(tmp_path, [repaired_record(repair)])
    append_rejected(tmp_path, [{"error": "second", "line": "{not json"}])
    assert path == tmp_path / REJECTED_NAME
    first, second = _rejected(tmp_path)
    assert first["pair"] == _refused().to_json()
    assert first["error"].startswith("translation.language:")
    assert first["defects"] == [d.to_json() for d in repair.defects]
    assert "where" not in first and second == {"error": "second", "line": "{not json"}
    assert oct(path.stat().st_mode & 0o777) == "0o644"


def _rebuilt(monkeypatch: pytest.MonkeyPatch, module: str) -> None:
    def rebuild_pairs(directory: Path, *, workers: int | None = None) -> RebuildResult:
        return RebuildResult(pairs=[_refused(), minimal_pair("no_citation")], posts=2)

    monkeypatch.setattr(module, rebuild_pairs)


def test_rebuild_writes_a_refused_pair_repaired_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _rebuilt(monkeypatch, "crawler.rebuild.rebuild_pairs")
    output = tmp_path / "out" / "pairs.jsonl"
    output.parent.mkdir()
    assert main(["rebuild", "--from-log", str(tmp_path), "-o", str(output), "--workers", "1"]) == 1
    pairs = {p.pair_id: p for p in read_manifest(output)}
    assert len(pairs) == 2
    assert [d.field for d in pairs[full_pair().pair_id].defects] == ["translation.language"]
    [kept] = _rejected(output.parent)
    assert kept["pair"]["translation"]["language"] == "en_US"
    err = capsys.readouterr().err
    assert f"rebuild: pair {full_pair().pair_id}" in err and "translation.language" in err
    assert "rebuild: failed, 1 pair line(s) refused by the manifest schema" in err


def test_merge_writes_a_refused_pair_repaired_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _rebuilt(monkeypatch, "crawler.merge.rebuild_pairs")
    monkeypatch.setattr("crawler.merge.build_cdxj_index", lambda out: out / "index.cdxj")
    node = tmp_path / "node-A"
    node.mkdir()
    (node / NODE_FILE).write_bytes(b"synthetic")
    out = tmp_path / "merged"
    assert main(["merge", str(out), str(node), "--workers", "1"]) == 1
    [line] = [p for p in read_manifest(out / "pairs.jsonl") if p.defects]
    assert line.translation.language is None
    assert _rejected(out)[0]["pair"]["translation"]["language"] == "en_US"
    assert "merge: failed, 1 pair line(s)" in capsys.readouterr().err
