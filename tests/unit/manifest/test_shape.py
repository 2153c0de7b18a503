"""Every line has every key, typed the same on every line (pairs/2): the fixed manifest shape."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from crawler.manifest import STATUSES, Pair, load_schema, repair_pair
from crawler.manifest.schema import empty_json, empty_value, validator
from crawler.pairing.compose import compose_pair, crawler_info
from crawler.pairing.matching import COMPONENTS, MatchInputs, score_match
from tests.unit.manifest.builders import BLOG, full_pair, minimal_pair
from tests.unit.pairing.test_compose import OTHER_URL, SOURCE_URL, _post, _post_item, _source


def _leaves(value: Any, path: str = "") -> dict[str, set[str]]:
    """Each key path of a line (list items as ``[]``), with the JSON types seen there."""
    found: dict[str, set[str]] = {}
    if isinstance(value, dict):
        found[path] = {"object"}
        for key, item in value.items():
            for inner, kinds in _leaves(item, f"{path}.{key}" if path else key).items():
                found.setdefault(inner, set()).update(kinds)
        return found
    if isinstance(value, list):
        found[path] = {"array"}
        for item in value:
            for inner, kinds in _leaves(item, f"{path}[]").items():
                found.setdefault(inner, set()).update(kinds)
        return found
    kind = {bool: "boolean", int: "integer", float: "number", str: "string"}
    found[path] = set() if value is None else {kind[type(value)]}
    return found


def _lines() -> list[dict[str, Any]]:
    composed = [
        compose_pair(_post_item(_post()), SOURCE_URL, {SOURCE_URL: _source()}, crawler_info("t2")),
        compose_pair(_post_item(_post()), SOURCE_URL, {}, crawler_info()),
        compose_pair(_post_item(None, 404), None, {}, crawler_info("t2")),
        compose_pair(
            _post_item(_post((SOURCE_URL, OTHER_URL))),
            OTHER_URL,
            {OTHER_URL: _source(OTHER_URL, "Unrelated", "Nothing in common here at all.")},
            crawler_info("t2"),
        ),
    ]
    fallback = repair_pair(dataclasses.replace(full_pair(), status="fine")).pair
    repaired = repair_pair(dataclasses.replace(full_pair(), confidence=1.5)).pair  # 0
    minimal = [minimal_pair(s, f"{BLOG}/2025/01/{s}.html") for s in STATUSES]
    return [p.to_json() for p in [full_pair(), fallback, repaired, *composed, *minimal]]


def test_every_line_has_the_same_keys() -> None:
    lines = _lines()
    first = {path for path in _leaves(lines[0]) if "[]" not in path}
    for line in lines[1:]:
        assert {path for path in _leaves(line) if "[]" not in path} == first, line["status"]


def test_each_key_has_one_type_on_every_line() -> None:
    seen: dict[str, set[str]] = {}
    for line in _lines():
        for path, kinds in _leaves(line).items():
            seen.setdefault(path, set()).update(kinds)
    assert {path: kinds for path, kinds in seen.items() if len(kinds) > 1} == {}


@pytest.mark.parametrize("name", ["citation", "source", "evidence"])
def test_a_side_that_does_not_apply_is_its_empty_object(name: str) -> None:
    line = minimal_pair("translation_unavailable").to_json()
    assert line[name] == empty_json(name)
    assert all(v in (None, []) or isinstance(v, dict) for v in line[name].values())
    assert getattr(Pair.from_json(line), name) is None


def test_the_schema_s_empty_constants_are_the_empty_objects() -> None:
    definitions = load_schema()["$defs"]
    properties = validator().schema["properties"]
    for constant, name in [
        ("noCitation", "citation"),
        ("noSource", "source"),
        ("noEvidence", "evidence"),
    ]:
        assert definitions[constant]["const"] == empty_value(properties[name])
    warc = properties["translation"]["properties"]["warc"]
    assert definitions["noWarc"]["const"] == empty_value(warc)


def test_a_line_without_a_warc_record_has_the_empty_pointer() -> None:
    pair = full_pair(translation=dataclasses.replace(full_pair().translation, warc=None))
    line = pair.to_json()
    assert line["translation"]["warc"] == {"filename": None, "offset": None, "record_id": None}
    assert Pair.from_json(line) == pair


def test_the_components_are_the_matcher_s() -> None:
    schema = load_schema()["$defs"]["evidence"]["properties"]["components"]
    assert list(schema["properties"]) == schema["required"] == list(COMPONENTS)
    evidence = score_match(
        MatchInputs(
            cited_title="F-47 Will Fly",
            cited_author=None,
            cited_published=None,
            translation_published=None,
            translation_text="F-47は2028年に飛ぶ。" * 40,
            source_title="F-47 Will Fly",
            source_author=None,
            source_published=None,
            source_text="The F-47 flies in 2028.",
        )
    )
    assert set(evidence.components) <= set(COMPONENTS)
    assert "length_penalty" in evidence.components  # a penalty applied has its key too


def test_a_composed_pair_has_every_component_key() -> None:
    pair = compose_pair(
        _post_item(_post()), SOURCE_URL, {SOURCE_URL: _source()}, crawler_info("t2")
    )
    assert pair.evidence is not None
    components = pair.evidence["components"]
    assert list(components) == list(COMPONENTS)
    assert components["prior"] is not None and components["source_newer_penalty"] is None
    assert sum(v for v in components.values() if v is not None) == pytest.approx(
        pair.confidence, abs=1e-3
    )


def test_a_crawler_without_a_spider_has_a_null_one() -> None:
    pair = full_pair(crawler={"name": "bitext-crawler", "version": "0.1.0"})
    line = pair.to_json()
    assert line["crawler"] == {"name": "bitext-crawler", "version": "0.1.0", "spider": None}
    assert Pair.from_json(line) == pair
