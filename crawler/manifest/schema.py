"""The JSON Schema of one manifest line, and the checks it cannot express.

``pairs.schema.json`` (package data) is the source of truth for field names and types. Rules the
schema language cannot state (one field equal to another, the pair id recipe, real calendar
dates) are checked here too, so a line that passes is a line researchers can trust.

Lines of the previous versions (``pairs/1``, ``pairs/2``) are read through
crawler/manifest/upgrade.py.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from datetime import date, datetime
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from crawler.manifest.ids import pair_id as make_pair_id

SCHEMA_VERSION = "pairs/4"
SCHEMA_RESOURCE = "pairs.schema.json"


class ManifestError(ValueError):
    """A manifest line that does not follow the schema, or a manifest file that cannot be read."""


def parse_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def load_schema() -> dict[str, Any]:
    """The JSON Schema of one line, read from the package data (a fresh copy each call)."""
    schema: dict[str, Any] = json.loads(_schema_text())
    return schema


@cache
def _schema_text() -> str:
    return resources.files("crawler.manifest").joinpath(SCHEMA_RESOURCE).read_text("utf-8")


def validator() -> Draft202012Validator:
    """The validator of one line (references inlined); its ``schema`` is the inlined schema."""
    return _validator()


@cache
def _validator() -> Draft202012Validator:
    # Resolving "$ref" costs more than checking the line itself (measured: 2.5 ms vs 1.0 ms per
    # line), and the schema's references are all local and acyclic, so they are inlined once.
    schema = load_schema()
    return Draft202012Validator(_inline_refs(schema, schema["$defs"]))


def _inline_refs(node: Any, definitions: Mapping[str, Any]) -> Any:
    if isinstance(node, dict):
        reference = node.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/$defs/"):
            target = definitions[reference.removeprefix("#/$defs/")]
            merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            return _inline_refs(merged, definitions)
        return {k: _inline_refs(v, definitions) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline_refs(item, definitions) for item in node]
    return node


def validate_line(data: object) -> None:
    """Check one parsed manifest line; raises ManifestError naming the offending field."""
    if not isinstance(data, dict):
        raise ManifestError(f"a line must be a JSON object, not {type(data).__name__}")
    error = best_match(_validator().iter_errors(data))
    if error is not None:
        raise ManifestError(_describe(error, data))
    _check_cross_fields(data)


def _describe(error: ValidationError, data: Mapping[str, Any]) -> str:
    where, message = describe_error(error, data)
    return f"{where}: {message}"


def describe_error(error: ValidationError, data: Mapping[str, Any]) -> tuple[str, str]:
    """The field a schema error is about (``source.published``; ``line`` for the whole line) and
    the message a reader understands."""
    where = ".".join(str(part) for part in error.absolute_path) or "line"
    message = error.message
    if error.validator in ("pattern", "const") and "title" in error.schema:
        # The regular expression (or the whole empty object) means little to a reader; the
        # schema names the format.
        message = f"{_abbreviate(error.instance)} is not {error.schema['title']}"
    elif error.validator == "not" and "title" in error.validator_value:
        message = f"{_abbreviate(error.instance)} must not be {error.validator_value['title']}"
    shown = repr(error.instance)
    if len(shown) > 80 and message.startswith(shown):
        message = _abbreviate(error.instance) + message[len(shown) :]
    if len(message) > 300:
        message = message[:297] + "..."
    # A conditional rule reads as arbitrary unless the message says which value triggered it.
    schema_path = list(error.absolute_schema_path)
    if len(schema_path) > 2 and schema_path[0] == "allOf" and schema_path[2] in ("then", "else"):
        condition = _validator().schema["allOf"][schema_path[1]]["if"]
        message += "".join(
            f" (rule for {name} {value!r})" for name, value in _condition_values(condition, data)
        )
    return where, message


def _condition_values(condition: Mapping[str, Any], data: Any) -> list[tuple[str, Any]]:
    """The fields a rule's condition looks at (``source.url``), with their values in ``data``."""
    found = []
    for name, node in condition.get("properties", {}).items():
        value = data.get(name) if isinstance(data, Mapping) else None
        if isinstance(node, Mapping) and "properties" in node:
            found += [(f"{name}.{inner}", v) for inner, v in _condition_values(node, value)]
        else:
            found.append((name, value))
    return found


def empty_value(node: Mapping[str, Any]) -> Any:
    """The value of a field of this (inlined) schema when it does not apply: an object with
    every key empty, [] for a list, else null. What the line holds for no citation, no source,
    no evidence or no WARC record (the schema's ``no...`` constants are this value)."""
    if "properties" in node:
        return {name: empty_value(inner) for name, inner in node["properties"].items()}
    return [] if node.get("type") == "array" else None


@cache
def _empty_objects() -> Mapping[str, Any]:
    properties = _validator().schema["properties"]
    empty = {name: empty_value(properties[name]) for name in ("citation", "source", "evidence")}
    empty["warc"] = empty_value(properties["source"]["properties"]["warc"])
    return MappingProxyType(empty)


def empty_json(name: str) -> Any:
    """What a line holds for a ``citation``, ``source``, ``evidence`` or ``warc`` that does not
    apply: every key empty (a fresh copy)."""
    return copy.deepcopy(_empty_objects()[name])


def is_empty(name: str, value: object) -> bool:
    """Whether ``value`` is the empty ``citation``, ``source``, ``evidence`` or ``warc``."""
    return value == _empty_objects()[name]


def object_keys(name: str) -> tuple[str, ...]:
    """The keys of a ``citation``, ``source``, ``evidence`` or ``warc``, in line order."""
    return tuple(_empty_objects()[name])


def _abbreviate(value: object) -> str:
    if len(repr(value)) <= 80:
        return repr(value)
    if isinstance(value, dict):
        return "an object {" + ", ".join(map(repr, list(value)[:4])) + ", ...}"
    if isinstance(value, list):
        return f"a list of {len(value)} items"
    return repr(value)[:77] + "..."


def _check_cross_fields(data: Mapping[str, Any]) -> None:
    for where, message in cross_field_errors(data)[:1]:
        raise ManifestError(f"{where}: {message}")


def cross_field_errors(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, message) of each rule outside the schema that a schema-valid line breaks."""
    found = []
    source = data["source"]
    # An empty source (no response) has no cited_url of its own.
    if source["url"] is not None and source["cited_url"] != data["cited_url"]:
        found.append(
            (
                "source.cited_url",
                f"{source['cited_url']!r} differs from cited_url {data['cited_url']!r}",
            )
        )
    expected = make_pair_id(data["translation"]["url"], data["cited_url"])
    if data["pair_id"] != expected:
        found.append(
            (
                "pair_id",
                f"{data['pair_id']!r} is not the id of this translation URL and cited URL "
                f"(expected {expected!r})",
            )
        )
    for where, value in (
        ("crawled_at", data["crawled_at"]),
        ("translation.published", data["translation"]["published"]),
        ("citation.published", data["citation"]["published"]),
        ("source.published", source["published"]),
    ):
        if value is not None:
            try:
                # source.published may be a bare date (the page gives only the day); the pattern
                # allows that form there alone.
                date.fromisoformat(value) if len(value) == 10 else parse_iso(value)
            except ValueError:
                found.append((where, f"{value!r} is not a valid date and time"))
    return found
