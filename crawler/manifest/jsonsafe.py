"""Any value as a manifest line can hold it: what JSON cannot hold is replaced, and recorded.

A composed pair may carry values no JSON document can (NaN, a lone surrogate, an object of the
wrong type): :func:`sanitized` gives a copy JSON can hold and a :class:`Defect` per value that
had to change, the first step of crawler/manifest/repair.py.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Mapping
from typing import Any

from crawler.manifest.model import Defect, Pair
from crawler.manifest.schema import SCHEMA_VERSION

WHOLE_LINE = "line"  # the defect field of the whole line (one that could not be repaired)
_SURROGATES = re.compile("[\ud800-\udfff]")

FieldPath = list[str | int]


def field_name(path: FieldPath) -> str:
    """``source.published``; ``line`` for the whole line."""
    return ".".join(str(part) for part in path) or WHOLE_LINE


def line_of(pair: Pair) -> Any:
    """The line of a pair; a pair whose values are of the wrong types still gives one."""
    try:
        return pair.to_json()
    except Exception:  # a value of the wrong type: any error its conversion raises
        return {"schema": SCHEMA_VERSION, **_plain(pair)}


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def sanitized(data: Any) -> tuple[Any, list[Defect]]:
    """``data`` as JSON can hold it (a copy), and a defect for each value that had to change."""
    defects: list[Defect] = []
    return _json_value(data, [], defects), defects


def _json_value(value: Any, path: FieldPath, defects: list[Defect]) -> Any:
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        defects.append(
            Defect(
                field=field_name(path), value=repr(value), error=f"{value!r} is not a JSON number"
            )
        )
        return None
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            shown = value.encode("utf-8", "backslashreplace").decode("utf-8")
            defects.append(
                Defect(
                    field=field_name(path),
                    value=shown,
                    error="not valid Unicode (lone surrogates, written as U+FFFD)",
                )
            )
            return _SURROGATES.sub("\ufffd", value)
        return value
    if isinstance(value, Mapping):
        result = {}
        for key, item in value.items():
            name = key if isinstance(key, str) else str(key)
            if name is not key:
                defects.append(
                    Defect(
                        field=field_name([*path, name]),
                        value=name,
                        error=f"the key {key!r} is not a string",
                    )
                )
            result[name] = _json_value(item, [*path, name], defects)
        return result
    if isinstance(value, list | tuple):
        return [_json_value(item, [*path, n], defects) for n, item in enumerate(value)]
    defects.append(
        Defect(
            field=field_name(path),
            value=repr(value),
            error=f"a {type(value).__name__} cannot be written as JSON",
        )
    )
    return None
