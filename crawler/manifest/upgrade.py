"""Lines of an earlier schema version in the shape of the current one, so that old manifests
still read and are rewritten in the current shape when a crawl folds them.

``pairs/3`` lines differ from ``pairs/4`` only in the source's ``changed_since`` (when a later
crawl found the cited page changed), which is added null: no pairs/3 crawl looked.

``pairs/2`` lines differ from ``pairs/3`` only in the source's ``memento`` and ``live`` (a source
read from a web archive's capture), which are added empty.

``pairs/1`` lines (upgraded to the current shape at once) differ from ``pairs/2`` in shape only: an
object that did not apply was null (now every key null, lists empty), keys added after pairs/1
was published may be missing, evidence components were only the ones computed (now one key per
component), ``crawler`` had no ``spider`` when none was named, ``evidence.confidence``
repeated the pair's confidence, and a defect's value was any JSON (now JSON text). Nothing else
changes, so the upgrade never makes a valid line invalid; a value of an unexpected type is left
as it is, for the schema to name.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from crawler.manifest.schema import SCHEMA_VERSION, empty_value, validator

PREVIOUS_VERSIONS = ("pairs/1", "pairs/2", "pairs/3")
# The keys pairs/1 required: a line lacking one was not valid, and stays without it for the
# schema to name. Any other key (added since, or optional) is added empty when missing.
_REQUIRED_IN_PAIRS_1 = {
    "translation": frozenset(
        {"url", "post_id", "title", "raw_title", "publication", "comment", "published"}
        | {"labels", "language", "text", "captions", "warc"}
    ),
    "citation": frozenset(
        {"title", "subtitle", "author", "date", "published", "url", "extra_urls", "raw"}
    ),
    "source": frozenset(
        {"cited_url", "url", "redirects", "http_status", "content_type", "title", "author"}
        | {"published", "site_name", "language", "text", "warc"}
    ),
    "evidence": frozenset(
        {"title_similarity", "author_match", "date_gap_days", "shared_anchors", "length_ratio"}
        | {"components"}
    ),
}


def upgrade_line(data: Any) -> Any:
    """``data`` in the current shape (a copy) when it is a line of an earlier version; any other
    value is returned as it is."""
    if not isinstance(data, dict) or data.get("schema") not in PREVIOUS_VERSIONS:
        return data
    line = copy.deepcopy(data)
    if data["schema"] == "pairs/3":
        return _upgrade_source(line, ("changed_since",))
    if data["schema"] == "pairs/2":
        return _upgrade_source(line, ("memento", "live", "changed_since"))
    line["schema"] = SCHEMA_VERSION
    properties = validator().schema["properties"]
    fill_empty_sides(line)
    for side in ("translation", "citation", "source"):
        _add_missing(line.get(side), properties[side], _REQUIRED_IN_PAIRS_1[side])
    evidence = line.get("evidence")
    if isinstance(evidence, dict):
        # The pair's confidence before rounding: the line's own confidence says it.
        evidence.pop("confidence", None)
        _add_missing(evidence, properties["evidence"], _REQUIRED_IN_PAIRS_1["evidence"])
        components = evidence.get("components")
        if isinstance(components, dict):
            # Only the components computed were written; the names were the same.
            schema = properties["evidence"]["properties"]["components"]
            _add_missing(components, schema, frozenset())
    defects = line.setdefault("defects", [])
    if isinstance(defects, list):
        for defect in defects:
            if isinstance(defect, dict) and "value" in defect:
                defect["value"] = json.dumps(defect["value"], ensure_ascii=False)
    return line


def _upgrade_source(line: dict[str, Any], added: tuple[str, ...]) -> dict[str, Any]:
    """A pairs/2 or pairs/3 line lacks only the source keys ``added`` since (added empty: a
    pairs/2 source was always the live page, and no pairs/3 crawl looked for changes)."""
    line["schema"] = SCHEMA_VERSION
    source = line.get("source")
    if isinstance(source, dict):
        node = validator().schema["properties"]["source"]["properties"]
        for name in added:
            if name not in source:
                source[name] = empty_value(node[name])
    return line


def fill_empty_sides(line: dict[str, Any]) -> None:
    """In place: a citation, source, evidence, WARC pointer, memento or live outcome that is
    null becomes its empty object, and a crawler without a spider gets a null one (how pairs/1,
    and a pair's own values, say that they do not apply)."""
    properties = validator().schema["properties"]
    for name in ("citation", "source", "evidence"):
        if name in line and line[name] is None:
            line[name] = empty_value(properties[name])
    for side in ("translation", "source"):
        if isinstance(line.get(side), dict) and line[side].get("warc", ...) is None:
            line[side]["warc"] = empty_value(properties[side]["properties"]["warc"])
    source = line.get("source")
    for name in ("memento", "live"):
        if isinstance(source, dict) and source.get(name, ...) is None:
            source[name] = empty_value(properties["source"]["properties"][name])
    if isinstance(line.get("crawler"), dict):
        line["crawler"].setdefault("spider", None)


def _add_missing(target: Any, node: Mapping[str, Any], required: frozenset[str]) -> None:
    """Add each key of ``node`` that ``target`` lacks, empty, unless pairs/1 ``required`` it."""
    if isinstance(target, dict):
        for name, inner in node["properties"].items():
            if name not in target and name not in required:
                target[name] = empty_value(inner)
