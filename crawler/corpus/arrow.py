"""Arrow schemas of the manifest and of the exports, Parquet files, and ``datasets.Features``.

JSON cannot type a value that is null, or a list that is empty, on every line of a file, so
loaders that infer types per file (Hugging Face ``datasets``, polars) disagree between files.
These schemas are the types to give them instead, and the types of the Parquet export:

- :func:`manifest_schema`: one row per manifest line, derived from ``pairs.schema.json`` (the
  source of truth for names and types), so that a key added there is a column here: a nested
  object is a struct, a list a list, a string, integer, number or boolean a string, int64,
  float64 or bool column; every field is nullable. ``defects[].value`` is JSON text.
- :func:`segment_schema`: one row per exported segment at a level (document, paragraph,
  sentence), the columns of ``pairs export --format jsonl`` in the same order.

Needs pyarrow (the ``parquet`` extra); :func:`manifest_features` and :func:`segment_features`
need ``datasets`` as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq

from crawler.corpus.export import LEVELS, Segment
from crawler.manifest import SCHEMA_VERSION, Pair
from crawler.manifest.schema import validator

if TYPE_CHECKING:
    from datasets import Features

# Schema metadata: which line format, and which export level, a table holds.
SCHEMA_KEY = b"bitext_crawler.schema"
LEVEL_KEY = b"bitext_crawler.level"
SEGMENTS_VERSION = "segments/1"
_BATCH_ROWS = 1024  # rows per Parquet write: bounded memory on a corpus of any size

_SCALARS = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
}
_ENUM_TYPES = {str: "string", bool: "boolean", int: "integer", float: "number"}

_SEGMENT_FIELDS: tuple[tuple[str, pa.DataType, str], ...] = (
    ("pair_id", pa.string(), "The pair's pair_id in the manifest."),
    ("segment", pa.int64(), "1-based position of the segment within its pair."),
    ("kind", pa.string(), "document, or the bead kind: 1-1, 2-1, 1-2."),
    (
        "score",
        pa.float64(),
        "The pair's confidence at document level; the aligner's bead score (exp(-cost)) below.",
    ),
    ("confidence", pa.float64(), "The pair's confidence, on every segment."),
    ("en_url", pa.string(), "The English page the text was extracted from (after redirects)."),
    ("ja_url", pa.string(), "The translation's permalink."),
    ("en", pa.string(), "The English text of the segment."),
    ("ja", pa.string(), "The Japanese text of the segment."),
)


def manifest_schema() -> pa.Schema:
    """The Arrow schema of a manifest line (its keys in line order, nested as in the line)."""
    schema = validator().schema
    return pa.schema(
        [_field(name, node) for name, node in schema["properties"].items()],
        metadata={SCHEMA_KEY: SCHEMA_VERSION.encode()},
    )


def _field(name: str, node: Mapping[str, Any]) -> pa.Field:
    metadata = {b"description": node["description"].encode()} if "description" in node else None
    return pa.field(name, arrow_type(node), nullable=True, metadata=metadata)


def arrow_type(node: Mapping[str, Any]) -> pa.DataType:
    """The Arrow type of a value of this (inlined) JSON Schema node."""
    if "properties" in node:
        return pa.struct([_field(name, inner) for name, inner in node["properties"].items()])
    kinds = _json_types(node)
    if kinds == ["array"]:
        return pa.list_(arrow_type(node["items"]))
    if len(kinds) == 1 and kinds[0] in _SCALARS:
        return _SCALARS[kinds[0]]
    raise ValueError(f"no Arrow type for the JSON Schema {dict(node)!r}")


def _json_types(node: Mapping[str, Any]) -> list[str]:
    if "type" in node:
        declared = node["type"]
        kinds = [declared] if isinstance(declared, str) else list(declared)
    else:  # an enum or a constant: the type of its values
        values = node.get("enum", [node["const"]] if "const" in node else [])
        kinds = sorted({_ENUM_TYPES[type(v)] for v in values if v is not None})
    return [kind for kind in kinds if kind != "null"]


def manifest_table(pairs: Iterable[Pair]) -> pa.Table:
    """The pairs as one table of :func:`manifest_schema` (lines of any version, as read)."""
    schema = manifest_schema()
    return pa.Table.from_pylist([pair.to_json() for pair in pairs], schema=schema)


def segment_schema(level: str) -> pa.Schema:
    """The Arrow schema of the segments exported at ``level``."""
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; expected one of {LEVELS}")
    fields = [
        pa.field(
            name, kind, nullable=name in ("score", "confidence"), metadata={"description": text}
        )
        for name, kind, text in _SEGMENT_FIELDS
    ]
    return pa.schema(fields, metadata={SCHEMA_KEY: SEGMENTS_VERSION, LEVEL_KEY: level})


def segment_table(items: Iterable[Segment], level: str) -> pa.Table:
    """The segments as one table of :func:`segment_schema`."""
    return pa.Table.from_pylist([s.to_json() for s in items], schema=segment_schema(level))


def write_parquet(items: Iterable[Segment], path: str | Path, level: str = "document") -> int:
    """Write the segments to a Parquet file of :func:`segment_schema` (zstd-compressed, in
    batches); returns the number written."""
    schema = segment_schema(level)
    count = 0
    batch: list[dict[str, object]] = []
    with pq.ParquetWriter(str(path), schema, compression="zstd") as writer:
        for segment in items:
            batch.append(segment.to_json())
            if len(batch) == _BATCH_ROWS:
                writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
                count, batch = count + len(batch), []
        if batch:  # none at all: a file with the schema and no row group
            writer.write_batch(pa.RecordBatch.from_pylist(batch, schema=schema))
            count += len(batch)
    return count


def manifest_features() -> Features:
    """The ``datasets.Features`` of a manifest line: ``load_dataset("json", data_files=...,
    features=manifest_features())`` types every file alike."""
    return _features(manifest_schema())


def segment_features(level: str) -> Features:
    """The ``datasets.Features`` of the segments exported at ``level``."""
    return _features(segment_schema(level))


def _features(schema: pa.Schema) -> Features:
    from datasets import Features  # imported here: only these two functions need datasets

    features: Features = Features.from_arrow_schema(schema)
    return features
