"""Lines of pairs/1 and pairs/3 still read, and a fold rewrites them in the current shape."""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from crawler.manifest import (
    STATUSES,
    Defect,
    ManifestError,
    Pair,
    fold_lines,
    read_manifest,
    repair_pair,
    validate_line,
    write_manifest,
)
from crawler.manifest.upgrade import upgrade_line
from tests.unit.manifest.builders import BLOG, full_pair, minimal_pair


def pairs_1_line(pair: Pair) -> dict[str, Any]:
    """The line pairs/1 wrote for ``pair``: null for what did not apply, only the components
    computed, no spider key unless one was named, defect values as JSON values."""
    line = copy.deepcopy(pair.to_json())
    line["schema"] = "pairs/1"
    line["citation"] = None if pair.citation is None else line["citation"]
    line["source"] = None if pair.source is None else line["source"]
    if pair.evidence is None:
        line["evidence"] = None
    else:
        components = line["evidence"]["components"]
        line["evidence"]["components"] = {k: v for k, v in components.items() if v is not None}
    for side in ("translation", "source"):
        if line[side] is not None and line[side]["warc"]["filename"] is None:
            line[side]["warc"] = None
    if line["crawler"]["spider"] is None:
        del line["crawler"]["spider"]
    for defect in line["defects"]:
        defect["value"] = json.loads(defect["value"])
    return line


def _pairs() -> list[Pair]:
    refused = dataclasses.replace(minimal_pair("ok", f"{BLOG}/2025/03/x.html"), confidence=1.5)
    bad = repair_pair(refused).pair  # a line with a defect
    return [full_pair(), bad, *(minimal_pair(s, f"{BLOG}/2025/01/{s}.html") for s in STATUSES)]


@pytest.mark.parametrize("pair", _pairs(), ids=lambda p: p.status)
def test_a_pairs_1_line_reads_as_the_same_pair(pair: Pair) -> None:
    old = pairs_1_line(pair)
    assert Pair.from_json(old) == pair
    upgraded = upgrade_line(old)
    validate_line(upgraded)
    assert upgraded == pair.to_json()


def test_keys_added_after_pairs_1_may_be_missing() -> None:
    old = pairs_1_line(full_pair())
    del old["defects"]
    del old["translation"]["notes"]
    del old["citation"]["publication"], old["citation"]["language"]
    del old["source"]["published_basis"]
    for key in ("cited_date_gap_days", "publication_agrees_site"):
        del old["evidence"][key]
    old["evidence"]["confidence"] = 0.93  # written by some pairs/1 lines: the pair's own
    pair = Pair.from_json(old)
    assert pair.defects == () and pair.translation.notes == ()
    assert pair.source is not None and pair.source.published_basis is None
    assert pair.evidence is not None
    assert pair.evidence["cited_date_gap_days"] is None and "confidence" not in pair.evidence


def test_a_key_pairs_1_required_is_still_required() -> None:
    old = pairs_1_line(full_pair())
    del old["source"]["site_name"]
    with pytest.raises(ManifestError, match="'site_name' is a required property"):
        Pair.from_json(old)


def test_a_component_the_matcher_never_made_is_named() -> None:
    old = pairs_1_line(full_pair())
    old["evidence"]["components"]["length"] = 0.06
    with pytest.raises(ManifestError, match=r"evidence.components: .*'length' was unexpected"):
        Pair.from_json(old)


def test_the_upgrade_leaves_its_argument_and_other_lines_alone() -> None:
    old = pairs_1_line(minimal_pair("no_citation"))
    kept = copy.deepcopy(old)
    upgrade_line(old)
    assert old == kept
    current = full_pair().to_json()
    assert upgrade_line(current) is current
    assert upgrade_line([1]) == [1]


def test_a_fold_rewrites_a_pairs_1_manifest_in_the_current_shape(tmp_path: Path) -> None:
    pairs = _pairs()
    old = tmp_path / "old.jsonl"
    old.write_text(
        "".join(json.dumps(pairs_1_line(p), ensure_ascii=False) + "\n" for p in pairs),
        encoding="utf-8",
    )
    assert {p.pair_id for p in read_manifest(old)} == {p.pair_id for p in pairs}
    result = fold_lines([], old)
    assert result.repaired == [] and result.unreadable == [] and result.warnings == []
    folded, fresh = tmp_path / "folded.jsonl", tmp_path / "fresh.jsonl"
    write_manifest(folded, result.pairs, validated=True)
    write_manifest(fresh, pairs)
    # Byte for byte what the current crawler writes for the same pairs.
    assert folded.read_bytes() == fresh.read_bytes()
    assert {json.loads(line)["schema"] for line in folded.read_text().splitlines()} == {"pairs/4"}


@pytest.mark.parametrize("pair", _pairs(), ids=lambda p: p.status)
def test_a_pairs_3_line_reads_as_the_pair_never_seen_changed(pair: Pair) -> None:
    old = copy.deepcopy(pair.to_json())
    old["schema"] = "pairs/3"
    del old["source"]["changed_since"]
    unchanged = pair.source and dataclasses.replace(pair.source, changed_since=None)
    assert Pair.from_json(old) == dataclasses.replace(pair, source=unchanged)
    upgraded = upgrade_line(old)
    validate_line(upgraded)
    assert upgraded["schema"] == "pairs/4" and upgraded["source"]["changed_since"] is None


def test_a_defect_value_is_json_text_in_the_line() -> None:
    defect = Defect(field="line", value={"status": "fine", "n": [1, None]}, error="synthetic")
    line = full_pair(defects=(defect,)).to_json()
    assert line["defects"] == [
        {"field": "line", "value": '{"status":"fine","n":[1,null]}', "error": "synthetic"}
    ]
    assert Pair.from_json(line).defects == (defect,)
