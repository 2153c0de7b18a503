"""Several archives' manifests and exports loaded at once with pandas, polars, DuckDB and Hugging
Face ``datasets``: the same columns, typed the same, for every file.

The archives (tests/unit/corpus/builders.py) are made to trip loaders that type columns file by
file: one holds failures only (every nested object empty, every list [] on every line), one
fully populated lines with a defect, one the replica corpus, one 2,000 generated pairs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crawler.corpus import LEVELS, segments, write_jsonl
from crawler.manifest import Pair, read_manifest
from tests.unit.corpus.builders import PositionalAligner, write_archives

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")
arrow = pytest.importorskip("crawler.corpus.arrow")


@pytest.fixture(scope="module")
def manifests(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_archives(tmp_path_factory.mktemp("archives"))


@pytest.fixture(scope="module")
def pairs(manifests: list[Path]) -> dict[Path, list[Pair]]:
    return {manifest: list(read_manifest(manifest)) for manifest in manifests}


@pytest.fixture(scope="module")
def exports(pairs: dict[Path, list[Pair]]) -> dict[str, list[Path]]:
    """Each archive's export at each level, as Parquet and as JSON Lines."""
    found: dict[str, list[Path]] = {}
    for level in LEVELS:
        for manifest, read in pairs.items():
            aligner = PositionalAligner() if level != "document" else None
            parquet = manifest.with_name(f"{level}.parquet")
            arrow.write_parquet(segments(read, level, aligner), parquet, level)
            jsonl = manifest.with_name(f"{level}.jsonl")
            with jsonl.open("w", encoding="utf-8") as out:
                write_jsonl(segments(read, level, aligner), out)
            found.setdefault(level, []).extend([parquet, jsonl])
    return found


def _columns(schema: Any, prefix: str = "") -> Iterator[str]:
    """Dotted leaf names of an Arrow schema or struct, as json_normalize flattens them."""
    for field in schema:
        name = f"{prefix}{field.name}"
        if pa.types.is_struct(field.type):
            yield from _columns(field.type, f"{name}.")
        else:
            yield name


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_the_archives_differ_where_loaders_trip(manifests: list[Path]) -> None:
    failures, full = _lines(manifests[0]), _lines(manifests[1])
    # Every list empty, every source empty, on every line of one file; not in the other.
    assert all(line["source"]["redirects"] == [] for line in failures)
    assert all(line["citation"]["extra_urls"] == [] for line in failures)
    assert all(line["source"]["url"] is None for line in failures)
    assert any(line["source"]["redirects"] and line["defects"] != [] for line in full)
    assert len(_lines(manifests[3])) == 2000


def test_pandas_json_normalize_gives_the_schema_s_columns_for_every_file(
    manifests: list[Path],
) -> None:
    pd = pytest.importorskip("pandas")
    expected = list(_columns(arrow.manifest_schema()))
    for manifest in manifests:
        flat = pd.json_normalize(_lines(manifest))
        assert sorted(flat.columns) == sorted(expected), manifest
        lines = pd.read_json(manifest, lines=True, dtype=False)
        assert list(lines.columns) == arrow.manifest_schema().names
    together = pd.concat([pd.json_normalize(_lines(m)) for m in manifests])
    assert len(together.columns) == len(expected)


def test_pandas_from_the_arrow_table_types_every_file_alike(
    pairs: dict[Path, list[Pair]],
) -> None:
    pytest.importorskip("pandas")
    frames = [arrow.manifest_table(read).to_pandas() for read in pairs.values()]
    assert all(list(f.dtypes.items()) == list(frames[0].dtypes.items()) for f in frames)


def test_polars_reads_every_file_with_the_published_schema_and_concatenates(
    manifests: list[Path],
) -> None:
    pl = pytest.importorskip("polars")
    schema = pl.from_arrow(arrow.manifest_schema().empty_table()).schema
    frames = [pl.read_ndjson(m, schema=schema) for m in manifests]
    assert all(frame.schema == schema for frame in frames)
    together = pl.concat(frames)
    assert together.height == sum(f.height for f in frames)
    # The same with no schema given (inferred from every line, not the first hundred): the
    # column names and struct fields still agree.
    inferred = [pl.read_ndjson(m, infer_schema_length=None) for m in manifests]
    assert all(_polars_names(f.schema) == _polars_names(schema) for f in inferred)
    assert pl.concat(inferred, how="vertical_relaxed").height == together.height


def _polars_names(schema: Any) -> list[str]:
    import polars as pl

    names = []
    for name, kind in schema.items():
        names.append(name)
        if isinstance(kind, pl.Struct):
            names += [f"{name}.{n}" for n in _polars_names(dict(kind.to_schema()))]
    return names


def test_duckdb_reads_all_files_at_once(manifests: list[Path]) -> None:
    duckdb = pytest.importorskip("duckdb")
    files = [str(m) for m in manifests]
    together = duckdb.sql(f"SELECT * FROM read_json_auto({files})")
    assert together.columns == arrow.manifest_schema().names
    count = duckdb.sql(f"SELECT count(*) FROM read_json_auto({files})").fetchall()
    assert count == [(sum(len(_lines(m)) for m in manifests),)]
    ok = duckdb.sql(
        f"SELECT count(*) FROM read_json_auto({files}) "
        "WHERE status = 'ok' AND source.url IS NOT NULL AND len(source.redirects) >= 0"
    ).fetchall()
    assert ok[0][0] > 0
    for manifest in manifests:  # each file alone has the same columns too
        assert duckdb.sql(f"SELECT * FROM read_json_auto('{manifest}')").columns == (
            together.columns
        )


def test_duckdb_reads_manifest_parquet_files_typed_alike(
    pairs: dict[Path, list[Pair]], tmp_path: Path
) -> None:
    duckdb = pytest.importorskip("duckdb")
    files = []
    for n, read in enumerate(pairs.values()):
        path = tmp_path / f"{n}.parquet"
        pq.write_table(arrow.manifest_table(read), path)
        files.append(path)
    described = [
        duckdb.sql(f"DESCRIBE SELECT * FROM read_parquet('{p}')").fetchall() for p in files
    ]
    assert all(d == described[0] for d in described)


def test_datasets_loads_several_manifests_in_any_order_with_the_features(
    manifests: list[Path], tmp_path: Path
) -> None:
    datasets = pytest.importorskip("datasets")
    datasets.disable_progress_bars()
    features = arrow.manifest_features()
    files = [str(m) for m in manifests]
    expected = sum(len(_lines(m)) for m in manifests)
    for order in (files, files[::-1]):
        loaded = datasets.load_dataset(
            "json", data_files=order, features=features, split="train", cache_dir=str(tmp_path)
        )
        assert loaded.features == features
        assert loaded.num_rows == expected
        schema = loaded.data.schema.remove_metadata()
        assert schema.equals(arrow.manifest_schema().remove_metadata(), check_metadata=False)


def test_every_parquet_export_has_its_level_s_schema(exports: dict[str, list[Path]]) -> None:
    for level, paths in exports.items():
        schema = arrow.segment_schema(level)
        for path in paths[::2]:
            assert pq.read_schema(path).equals(schema, check_metadata=True), path
        tables = [pq.read_table(p) for p in paths[::2]]
        assert pa.concat_tables(tables).schema.equals(schema)


def test_the_parquet_export_holds_what_the_jsonl_export_holds(
    exports: dict[str, list[Path]],
) -> None:
    for paths in exports.values():
        for parquet, jsonl in zip(paths[::2], paths[1::2], strict=True):
            assert pq.read_table(parquet).to_pylist() == _lines(jsonl)


def test_exports_load_alike_in_pandas_polars_and_duckdb(exports: dict[str, list[Path]]) -> None:
    pd = pytest.importorskip("pandas")
    pl = pytest.importorskip("polars")
    duckdb = pytest.importorskip("duckdb")
    for paths in exports.values():
        parquet = paths[::2]
        frames = [pd.read_parquet(p) for p in parquet]
        assert all(list(f.dtypes.items()) == list(frames[0].dtypes.items()) for f in frames)
        polars_frames = [pl.read_parquet(p) for p in parquet]
        assert pl.concat(polars_frames).height == sum(len(f) for f in frames)
        files = [str(p) for p in parquet]
        count = duckdb.sql(f"SELECT count(*) FROM read_parquet({files})").fetchall()
        assert count == [(sum(len(f) for f in frames),)]


def test_datasets_loads_the_exports_of_several_archives(
    exports: dict[str, list[Path]], tmp_path: Path
) -> None:
    datasets = pytest.importorskip("datasets")
    datasets.disable_progress_bars()
    for level, paths in exports.items():
        features = arrow.segment_features(level)
        parquet = [str(p) for p in paths[::2]]
        loaded = datasets.load_dataset(
            "parquet", data_files=parquet, split="train", cache_dir=str(tmp_path / level)
        )
        assert loaded.features == features
        jsonl = [str(p) for p in paths[1::2]]
        # The failures archive exports nothing: an empty file among them.
        from_json = datasets.load_dataset(
            "json",
            data_files=jsonl,
            features=features,
            split="train",
            cache_dir=str(tmp_path / f"{level}-json"),
        )
        assert from_json.num_rows == loaded.num_rows
        assert from_json.to_list() == loaded.to_list()
