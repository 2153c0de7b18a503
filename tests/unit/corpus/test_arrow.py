"""The published Arrow schemas and ``datasets.Features``, and the Parquet export of segments."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import pytest

from crawler.cli import main
from crawler.corpus import LEVELS, Segment, segments
from crawler.manifest import STATUSES, Pair, repair_pair
from tests.unit.corpus.builders import CorpusFixture, PositionalAligner
from tests.unit.manifest.builders import BLOG, full_pair, minimal_pair

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
arrow = pytest.importorskip("crawler.corpus.arrow")


def _pairs() -> list[Pair]:
    repaired = repair_pair(dataclasses.replace(full_pair(), confidence=1.5)).pair
    minimal = [minimal_pair(s, f"{BLOG}/2025/01/{s}.html") for s in STATUSES]
    return [full_pair(), repaired, *minimal]


def _names(value: Any) -> Any:
    """The key tree of a line: names in order, nested for objects (and lists of objects)."""
    if isinstance(value, dict):
        return [(key, _names(item)) for key, item in value.items()]
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return [_names(value[0])]
    return None


def _arrow_names(kind: Any) -> Any:
    if pa.types.is_struct(kind):
        return [(field.name, _arrow_names(field.type)) for field in kind]
    if pa.types.is_list(kind) and pa.types.is_struct(kind.value_type):
        return [_arrow_names(kind.value_type)]
    return None


def test_the_manifest_schema_has_the_line_s_keys_in_order() -> None:
    schema = arrow.manifest_schema()
    line = _pairs()[1].to_json()  # a repaired line: its defects list is not empty
    assert line["defects"] != []
    assert _arrow_names(pa.struct(list(schema))) == _names(line)
    assert schema.metadata[arrow.SCHEMA_KEY] == b"pairs/4"


def test_the_manifest_schema_types_follow_the_json_schema() -> None:
    schema = arrow.manifest_schema()
    assert schema.field("pair_id").type == pa.string()
    assert schema.field("confidence").type == pa.float64()
    source = schema.field("source").type
    assert source.field("http_status").type == pa.int64()
    assert source.field("redirects").type == pa.list_(pa.string())
    assert source.field("warc").type.field("offset").type == pa.int64()
    evidence = schema.field("evidence").type
    assert evidence.field("source_newer_than_translation").type == pa.bool_()
    assert evidence.field("components").type.field("prior").type == pa.float64()
    defects = schema.field("defects").type.value_type
    assert [f.name for f in defects] == ["field", "value", "error"]
    assert defects.field("value").type == pa.string()  # JSON text
    assert b"description" in schema.field("pair_id").metadata


def test_a_json_schema_node_without_a_type_is_refused() -> None:
    with pytest.raises(ValueError, match="no Arrow type"):
        arrow.arrow_type({"description": "anything"})
    with pytest.raises(ValueError, match="no Arrow type"):
        arrow.arrow_type({"type": ["string", "integer"]})


def test_the_manifest_table_round_trips_every_kind_of_line() -> None:
    pairs = _pairs()
    table = arrow.manifest_table(pairs)
    assert table.schema.equals(arrow.manifest_schema(), check_metadata=True)
    rows = table.to_pylist()
    assert rows == [pair.to_json() for pair in pairs]
    assert [Pair.from_json(row) for row in rows] == pairs


@pytest.mark.parametrize("level", LEVELS)
def test_the_segment_schema_is_the_jsonl_export_s_columns(level: str) -> None:
    schema = arrow.segment_schema(level)
    segment = Segment(
        pair_id="0" * 16, number=1, kind="1-1", en_url="u", ja_url="v", en="a", ja="b",
        score=None, confidence=None,
    )  # fmt: skip
    assert schema.names == list(segment.to_json())
    assert schema.metadata[arrow.LEVEL_KEY] == level.encode()
    assert arrow.segment_table([segment], level).to_pylist() == [segment.to_json()]
    with pytest.raises(ValueError, match="level"):
        arrow.segment_schema("word")


def test_features_are_the_schemas() -> None:
    datasets = pytest.importorskip("datasets")
    features = arrow.manifest_features()
    assert isinstance(features, datasets.Features)
    assert features.arrow_schema.remove_metadata().equals(
        arrow.manifest_schema().remove_metadata(), check_metadata=False
    )
    for level in LEVELS:
        assert set(arrow.segment_features(level)) == set(arrow.segment_schema(level).names)


def test_parquet_in_batches_keeps_every_segment_in_order(tmp_path: Path) -> None:
    many = [
        Segment(
            pair_id=f"{n:016x}",
            number=1 + n % 3,
            kind="1-1",
            en_url=f"https://e/{n}",
            ja_url=f"https://j/{n}",
            en=f"text {n}",
            ja=f"本文{n}",
            score=n / 3000,
            confidence=None if n % 7 == 0 else 0.5,
        )
        for n in range(2500)
    ]
    path = tmp_path / "many.parquet"
    assert arrow.write_parquet(iter(many), path, "sentence") == 2500
    table = pq.read_table(path)
    assert table.schema.equals(arrow.segment_schema("sentence"), check_metadata=True)
    assert table.to_pylist() == [s.to_json() for s in many]
    assert pq.ParquetFile(path).metadata.num_row_groups > 1


def test_no_segments_make_a_file_with_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "none.parquet"
    assert arrow.write_parquet(iter(()), path, "paragraph") == 0
    assert pq.read_table(path).num_rows == 0
    assert pq.read_schema(path).equals(arrow.segment_schema("paragraph"), check_metadata=True)


@pytest.mark.parametrize("level", LEVELS)
def test_export_parquet_command_at_each_level(
    corpus: CorpusFixture,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    level: str,
) -> None:
    monkeypatch.setattr("crawler.corpus.export.default_aligner", PositionalAligner)
    target = tmp_path / f"{level}.parquet"
    argv = ["pairs", "export", str(corpus.archive), "--format", "parquet"]
    assert main([*argv, "--level", level, "-o", str(target)]) == 0
    table = pq.read_table(target)
    assert table.schema.equals(arrow.segment_schema(level), check_metadata=True)
    ok = [p for p in corpus.pairs if p.status == "ok"]
    expected = list(segments(ok, level, PositionalAligner() if level != "document" else None))
    assert table.to_pylist() == [s.to_json() for s in expected]
    assert f"{table.num_rows} {level} segments written to {target}" in capsys.readouterr().err


def test_export_parquet_needs_a_file(
    corpus: CorpusFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["pairs", "export", str(corpus.archive), "--format", "parquet"]
    assert main(argv) == 2
    assert "give -o FILE" in capsys.readouterr().err


def test_export_parquet_without_pyarrow_says_what_to_install(
    corpus: CorpusFixture,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # As if pyarrow were not installed: importing it fails.
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.delitem(sys.modules, "crawler.corpus.arrow")
    target = tmp_path / "out.parquet"
    argv = ["pairs", "export", str(corpus.archive), "--format", "parquet"]
    assert main([*argv, "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "needs pyarrow" in err and "pip install 'bitext-crawler[parquet]'" in err
    assert "Traceback" not in err and not target.exists()
