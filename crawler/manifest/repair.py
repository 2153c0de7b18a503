"""Make any pair a line that passes the schema, losing nothing: what it refused goes to defects.

A line the schema refuses is a bug in the crawler (or odd metadata of a real page that the
reading code let through), but the pair must still reach ``pairs.jsonl``. :func:`repair_pair`
(a composed pair) and :func:`repair_data` (a parsed line, e.g. of a damaged manifest) validate
the line; while it is refused, the refused value is replaced by the nearest value the schema
accepts (null, else the empty value of its type: an object of empty values, ``""``, ``[]``,
``{}``, ``0``; a missing key is added as null, an unknown key removed; a line of an earlier
schema version is first upgraded; the ids and dates checked outside the schema are
recomputed or nulled) and each replacement is recorded as a :class:`Defect` with the value it
replaced and the schema's message. A line that still cannot be made valid after a bounded number
of repairs (an unknown status, a value no empty value fits) becomes a minimal line of the same
pair (translation URL, cited URL, hence pair_id) that keeps the whole line in one ``line``
defect. Only a line without an http(s) translation URL cannot be made a pair: UnrepairableError.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

from crawler import __version__
from crawler.manifest.ids import pair_id as make_pair_id
from crawler.manifest.jsonsafe import WHOLE_LINE, FieldPath, field_name, line_of, sanitized
from crawler.manifest.model import Defect, Pair
from crawler.manifest.schema import (
    SCHEMA_VERSION,
    ManifestError,
    cross_field_errors,
    describe_error,
    empty_json,
    empty_value,
    validate_line,
    validator,
)
from crawler.manifest.statuses import STATUS_NO_CITATION, STATUS_SOURCE_NOT_FETCHED
from crawler.manifest.upgrade import fill_empty_sides, upgrade_line

MAX_REPAIRS = 64  # a line needing more is structurally damaged: the fallback line is used
NO_ERROR_MESSAGE = "no error message was recorded (a repaired line: see defects)"
_CRAWLER_NAME = "bitext-crawler"
_HTTP_URL = re.compile(r"[Hh][Tt][Tt][Pp][Ss]?://\S+")
_EMPTY_VALUES: tuple[Any, ...] = (None, "", [], {}, 0)


class UnrepairableError(ManifestError):
    """A line that names no http(s) translation URL: it cannot be a pair. ``line``: the line as
    it came, as JSON."""

    def __init__(self, message: str, line: Any) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Repair:
    """A valid pair for a line, the defects this repair added (none when the line was valid),
    the line as it came (JSON, the record of the refused line), and the first refusal."""

    pair: Pair
    defects: tuple[Defect, ...]
    original: Any
    error: str | None
    where: str = ""  # file and line number, for a line read from a file

    @property
    def needed(self) -> bool:
        return bool(self.defects)

    @property
    def fields(self) -> list[str]:
        return [d.field for d in self.defects]


def repair_pair(pair: Pair, *, now: datetime | None = None) -> Repair:
    """``pair`` itself when it makes a valid line, else the repaired pair.

    ``now`` (default: the current time) is what a refused ``crawled_at`` becomes.
    """
    line, defects = sanitized(line_of(pair))
    if isinstance(line, dict):
        fill_empty_sides(line)  # a pair whose to_json failed: its None sides as the line has them
    if not defects:
        try:
            validate_line(line)
        except ManifestError:
            pass
        else:
            return Repair(pair, (), line, None)
    return _repair(line, defects, now=now, where="")


def repair_data(data: object, *, now: datetime | None = None, where: str = "") -> Repair:
    """The valid pair of any parsed line; raises UnrepairableError only for a line that names no
    http(s) translation URL (nothing to pair). ``now``: as for :func:`repair_pair`."""
    line, defects = sanitized(data)
    return _repair(line, defects, now=now, where=where, original=line)


def _repair(
    line: Any,
    defects: list[Defect],
    *,
    now: datetime | None,
    where: str,
    original: Any = None,
) -> Repair:
    """``original``: the line as it came, when ``line`` is to be upgraded from an earlier
    version first (the record keeps what came)."""
    came = line if original is None else original
    line = upgrade_line(line)
    stamp = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        validate_line(line)
        first = None
    except ManifestError as exc:
        first = str(exc)
    if first is None:
        if not defects:
            return Repair(Pair.from_json(line), (), came, None, where)
        first = f"{defects[0].field}: {defects[0].error}"
    fixed = copy.deepcopy(line)
    added = list(defects)
    if isinstance(fixed, dict) and _fix_all(fixed, added, stamp):
        fixed["defects"] = [*fixed.get("defects", []), *(d.to_json() for d in added)]
        try:
            validate_line(fixed)
        except ManifestError:
            pass
        else:
            return Repair(Pair.from_json(fixed), tuple(added), came, first, where)
    fallback, kept = _fallback(line, defects, first, stamp)
    return Repair(Pair.from_json(fallback), kept, came, first, where)


def _fix_all(line: dict[str, Any], defects: list[Defect], stamp: str) -> bool:
    """Repair ``line`` in place, one refusal at a time; False when it cannot be done."""
    for _ in range(MAX_REPAIRS):
        error = _next_error(line)
        if error is not None:
            if not _fix_schema_error(line, error, defects, stamp):
                return False
            continue
        problems = cross_field_errors(line)
        if not problems:
            return True
        where, message = problems[0]
        path: FieldPath = list(where.split("."))
        old = _get(line, path)
        _set(line, path, _derived(line, where, stamp))
        defects.append(Defect(field=where, value=old, error=message))
    return False


def _next_error(line: Mapping[str, Any]) -> ValidationError | None:
    """The refusal to repair first. A rule that a field's value sets for another field (a
    confidence asks for evidence) waits until that field itself is repaired, so that the field
    the status rules refuse (a null confidence of an ok line) is the one replaced."""
    errors = list(validator().iter_errors(line))
    first = [e for e in errors if not _set_by_another_field(e)]
    return best_match(first or errors)


def _set_by_another_field(error: ValidationError) -> bool:
    path = list(error.absolute_schema_path)
    if len(path) < 3 or path[0] != "allOf" or path[2] not in ("then", "else"):
        return False
    return set(validator().schema["allOf"][path[1]]["if"]["properties"]) != {"status"}


def _derived(line: Mapping[str, Any], where: str, stamp: str) -> Any:
    """The value of a field the schema cannot check, when it is wrong: what it is derived from."""
    if where == "pair_id":
        return make_pair_id(line["translation"]["url"], line["cited_url"])
    if where == "source.cited_url":
        return line["cited_url"]  # the URL the pair (and its id) is about
    if where == "crawled_at":
        return stamp
    return None  # a date and time that is not a real one


def _fix_schema_error(
    line: dict[str, Any], error: ValidationError, defects: list[Defect], stamp: str
) -> bool:
    path: FieldPath = list(error.absolute_path)
    message = describe_error(error, line)[1]
    instance = error.instance
    if error.validator == "required" and isinstance(instance, dict):
        for name in error.validator_value:
            if name not in instance:
                instance[name] = _missing_value([*path, name])
                missing = f"{name!r} is a required property"
                defects.append(Defect(field=field_name([*path, name]), value=None, error=missing))
        return True
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = error.schema.get("properties", {})
        for name in [key for key in instance if key not in known]:
            value = instance.pop(name)
            defects.append(Defect(field=field_name([*path, name]), value=value, error=message))
        return True
    # The refused value itself, else the object or list holding it, is replaced; never the line.
    for depth in range(len(path), 0, -1):
        target = path[:depth]
        old = _get(line, target)
        for candidate in _candidates(line, target, stamp):
            _set(line, target, copy.deepcopy(candidate))
            if _accepted(line, target, candidate, error if depth == len(path) else None):
                defects.append(Defect(field=field_name(target), value=old, error=message))
                return True
        _set(line, target, old)
    return False


def _missing_value(path: FieldPath) -> Any:
    """What a missing key is added as: null, else the first empty value its schema accepts."""
    node = _schema_at(path)
    if node is None:
        return None
    empty = empty_value(node) if "properties" in node else None
    candidates: tuple[Any, ...] = (None, empty, [], "")
    for candidate in candidates:
        if _fits(node, candidate):
            return candidate
    return None


def _candidates(line: Mapping[str, Any], path: FieldPath, stamp: str) -> Iterator[Any]:
    name = field_name(path)
    node = _schema_at(path)
    if node is not None and "const" in node:
        yield node["const"]
    if name == "pair_id":
        try:
            computed = make_pair_id(_get(line, ["translation", "url"]), line.get("cited_url"))
        except (KeyError, TypeError, ValueError):  # the URLs are refused too: repaired first
            computed = None
        if computed is not None:
            yield computed
    elif name == "crawled_at":
        yield stamp
    elif name == "error":
        yield NO_ERROR_MESSAGE
    yield None
    if node is not None and "properties" in node:
        yield empty_value(node)  # a citation, source, evidence or WARC pointer that does not apply
    yield from _EMPTY_VALUES[1:]


def _accepted(line: Any, path: FieldPath, value: Any, error: ValidationError | None) -> bool:
    """Whether ``value`` at ``path`` ends the refusal: for the refused value itself, it satisfies
    the rule that refused it, the field's own schema and every other rule for that field (a
    missing key inside is repaired next); for an enclosing value, nothing at or under it is
    refused any more."""
    if error is not None:
        node = _schema_at(path)
        own = None if node is None else {k: v for k, v in node.items() if k != "required"}
        if not _fits(error.schema, value) or (own is not None and not _fits(own, value)):
            return False
        # Nor may another rule refuse it there (a null confidence on an ok line, say).
        return not any(
            list(e.absolute_path) == path and e.validator != "required"
            for e in validator().iter_errors(line)
        )
    size = len(path)
    return not any(list(e.absolute_path)[:size] == path for e in validator().iter_errors(line))


def _fits(schema: Any, value: Any) -> bool:
    return not isinstance(schema, Mapping) or Draft202012Validator(schema).is_valid(value)


def _schema_at(path: FieldPath) -> dict[str, Any] | None:
    """The declared schema of a field (references inlined; conditional rules not applied)."""
    node: Any = validator().schema
    for part in path:
        if not isinstance(node, Mapping):
            return None
        if isinstance(part, int):
            node = node.get("items")
        else:
            properties = node.get("properties", {})
            node = properties[part] if part in properties else node.get("additionalProperties")
    return dict(node) if isinstance(node, Mapping) else None


def _fallback(
    original: Any, defects: Sequence[Defect], first: str, stamp: str
) -> tuple[dict[str, Any], tuple[Defect, ...]]:
    """A minimal valid line of the same pair, keeping the whole line in one defect."""
    data = original if isinstance(original, dict) else {}
    side = data.get("translation")
    url = side.get("url") if isinstance(side, dict) else None
    url = _without_spaces(url) if isinstance(url, str) else None
    if url is None or not _HTTP_URL.fullmatch(url):
        raise UnrepairableError(f"{first}; and the line names no http(s) translation URL", original)
    cited = data.get("cited_url")
    cited = _without_spaces(cited) if isinstance(cited, str) and cited.strip() else None
    schema = validator().schema["properties"]["translation"]
    translation = {name: _empty(schema["properties"][name]) for name in schema["required"]}
    status = STATUS_NO_CITATION if cited is None else STATUS_SOURCE_NOT_FETCHED
    added = (*defects, Defect(field=WHOLE_LINE, value=copy.deepcopy(original), error=first))
    line: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "pair_id": make_pair_id(url, cited),
        "status": status,
        "cited_url": cited,
        "confidence": None,
        "translation": translation | {"url": url, "text": ""},
        "citation": empty_json("citation"),
        "source": empty_json("source"),
        "evidence": empty_json("evidence"),
        "error": (
            f"the crawler could not make a valid manifest line of this pair ({first}); the line "
            "as it was is in defects"
        ),
        "crawled_at": stamp,
        "crawler": {"name": _CRAWLER_NAME, "version": __version__, "spider": None},
        "defects": [d.to_json() for d in added],
    }
    validate_line(line)
    # Whatever of the line is valid on its own stays usable: the post, its citation block.
    for key in ("translation", "citation", "crawled_at", "crawler"):
        if key in data:
            kept = line | {key: copy.deepcopy(data[key])}
            try:
                validate_line(kept)
            except (ManifestError, KeyError, TypeError, AttributeError):
                continue
            line = kept
    return line, added


def _empty(schema: Mapping[str, Any]) -> Any:
    if "properties" in schema:
        return empty_value(schema)
    types = schema.get("type", "null")
    types = [types] if isinstance(types, str) else list(types)
    for kind, value in (("null", None), ("array", []), ("string", ""), ("object", {})):
        if kind in types:
            return value
    return max(0, schema.get("minimum", 0)) if {"integer", "number"} & set(types) else None


def _without_spaces(url: str) -> str:
    return re.sub(r"\s", lambda m: quote(m.group()), url.strip())


def _get(data: Any, path: FieldPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: Any, path: FieldPath, value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value
