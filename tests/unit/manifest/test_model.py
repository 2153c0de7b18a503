"""The dataclasses against the JSON Schema: field sets, round trips and rejected lines."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from crawler.manifest import (
    SCHEMA_VERSION,
    STATUS_DESCRIPTIONS,
    STATUSES,
    CitationSide,
    ManifestError,
    Pair,
    SourceSide,
    TranslationCaption,
    TranslationSide,
    join_paragraphs,
    load_schema,
    pair_id,
    split_paragraphs,
    validate_line,
)
from crawler.manifest.schema import _validator, empty_json
from tests.unit.manifest.builders import (
    CITED_URL,
    TRANSLATION_URL,
    citation,
    full_pair,
    minimal_pair,
    source,
)


def test_schema_is_valid_draft_2020_12() -> None:
    schema = load_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)
    assert schema["properties"]["schema"]["const"] == SCHEMA_VERSION


def test_status_enum_matches_constants() -> None:
    assert load_schema()["properties"]["status"]["enum"] == list(STATUSES)
    assert all(STATUS_DESCRIPTIONS[s].endswith(".") for s in STATUSES)


@pytest.mark.parametrize(
    ("cls", "definition"),
    [
        (TranslationSide, "translation"),
        (CitationSide, "citation"),
        (SourceSide, "source"),
        (TranslationCaption, "caption"),
    ],
)
def test_dataclass_fields_are_the_schema_properties(cls: type, definition: str) -> None:
    schema = load_schema()["$defs"][definition]
    names = {f.name for f in dataclasses.fields(cls)}
    # Every key is on every line (pairs/2).
    assert names == set(schema["properties"]) == set(schema["required"])
    assert list(schema["properties"]) == schema["required"]


def test_pair_fields_are_the_top_level_properties() -> None:
    schema = load_schema()
    names = {f.name for f in dataclasses.fields(Pair)} | {"schema"}
    assert names == set(schema["properties"]) == set(schema["required"])


def test_full_pair_validates_and_round_trips() -> None:
    pair = full_pair()
    line = pair.to_json()
    validate_line(line)
    assert list(line) == load_schema()["required"]
    assert line["defects"] == []
    assert Pair.from_json(line) == pair
    assert Pair.from_json(line).to_json() == line
    # Every optional value is set, so a round trip that dropped a field would show here.
    assert [key for key, value in line.items() if value is None] == ["error"]
    for side in ("translation", "citation", "source"):
        assert all(v not in (None, [], "") for v in line[side].values()), side


@pytest.mark.parametrize("status", STATUSES)
def test_minimal_pair_of_each_status_validates_and_round_trips(status: str) -> None:
    pair = minimal_pair(status)
    line = pair.to_json()
    validate_line(line)
    assert Pair.from_json(line) == pair
    assert Pair.from_json(line).to_json() == line


def test_to_json_is_a_copy() -> None:
    pair = full_pair()
    line = pair.to_json()
    line["evidence"]["components"]["title"] = 0.0
    line["crawler"]["name"] = "changed"
    assert pair.to_json() != line


def test_paragraphs_are_recovered_from_text() -> None:
    paragraphs = ["  第一段落。 ", "", "第二段落。\n\n\n続き", "third"]
    text = join_paragraphs(paragraphs)
    assert text == "第一段落。\n\n第二段落。\n続き\n\nthird"
    assert split_paragraphs(text) == ("第一段落。", "第二段落。\n続き", "third")
    assert TranslationSide(url=TRANSLATION_URL, text=text).paragraphs == split_paragraphs(text)
    assert split_paragraphs(None) == split_paragraphs("") == ()


def test_sort_key_compares_instants_not_strings() -> None:
    # 21:30+09:00 is 12:30 UTC, earlier than 13:00+00:00 although it sorts later as text.
    tokyo = full_pair().translation
    early = full_pair(translation=dataclasses.replace(tokyo, published="2025-02-07T21:30:00+09:00"))
    late = full_pair(translation=dataclasses.replace(tokyo, published="2025-02-07T13:00:00+00:00"))
    undated = full_pair(translation=dataclasses.replace(tokyo, published=None))
    assert sorted([undated, late, early], key=Pair.sort_key) == [early, late, undated]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def mutate(line: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = line
        for key in parents:
            target = target[key]
        target[last] = value

    return mutate


def _delete(key: str) -> Callable[[dict[str, Any]], None]:
    return lambda line: line.pop(key)


INVALID_FULL_LINES = [
    ("unknown status", _set("status", "fine"), "status"),
    ("wrong schema version", _set("schema", "pairs/9"), "schema"),
    ("missing field", _delete("crawled_at"), "'crawled_at' is a required property"),
    ("extra field", _set("colour", "red"), "colour"),
    ("confidence above 1", _set("confidence", 1.5), "confidence"),
    ("published without offset", _set("translation.published", "2025-02-07T21:30:00"), "published"),
    ("published not a date", _set("source.published", "February 4"), "source.published"),
    ("impossible date", _set("citation.published", "2025-02-30T10:00:00-05:00"), "citation"),
    ("crawled_at not UTC", _set("crawled_at", "2025-03-01T13:05:06+09:00"), "crawled_at"),
    ("ok with an error", _set("error", "HTTP 404 Not Found"), "rule for status 'ok'"),
    ("ok without source", _set("source", None), "source"),
    ("ok without source text", _set("source.text", None), "source.text"),
    ("ok without confidence", _set("confidence", None), "confidence"),
    ("evidence missing a key", lambda line: line["evidence"].pop("length_ratio"), "length_ratio"),
    ("offset negative", _set("source.warc.offset", -1), "source.warc.offset"),
    ("warc filename with a path", _set("translation.warc.filename", "a/b.warc.gz"), "filename"),
    ("labels not a list", _set("translation.labels", "米海軍"), "translation.labels"),
    ("http_status text", _set("source.http_status", "200"), "source.http_status"),
    ("wrong pair id", _set("pair_id", "0123456789abcdef"), "pair_id"),
    ("short pair id", _set("pair_id", "abc"), "pair_id"),
    (
        "source for another URL",
        _set("source.cited_url", "https://www.twz.com/other"),
        "source.cited_url",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [pytest.param(m, e, id=name) for name, m, e in INVALID_FULL_LINES],
)
def test_invalid_lines_are_rejected_with_the_field_named(
    mutate: Callable[[dict[str, Any]], None], expected: str
) -> None:
    line = full_pair().to_json()
    mutate(line)
    with pytest.raises(ManifestError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        Pair.from_json(line)


@pytest.mark.parametrize(
    ("status", "mutate", "expected"),
    [
        ("source_not_found", _set("error", None), "error"),
        ("source_not_found", _set("source.http_status", 500), "http_status"),
        ("source_http_error", _set("source.http_status", 410), "http_status"),
        ("source_http_error", _set("source.http_status", 200), "http_status"),
        ("source_unreachable", _set("source", source().to_json()), "source: .* is not the empty"),
        ("source_not_fetched", _set("source", source().to_json()), "source: .* is not the empty"),
        ("translation_unavailable", _set("citation", citation().to_json()), "citation"),
        ("translation_unavailable", _set("translation.text", "本文"), "translation.text"),
        (
            "source_mismatch",
            lambda line: line.update(confidence=None, evidence=empty_json("evidence")),
            r"confidence: None is not of type 'number' \(rule for status 'source_mismatch'\)",
        ),
        ("no_citation", _set("cited_url", CITED_URL), "cited_url"),
        ("translation_unparsable", _set("translation.text", "本文"), "translation.text"),
        ("source_not_html", _set("source", None), "source"),
        ("source_paywalled", _set("confidence", 0.5), r"evidence.*\(rule for confidence 0.5\)"),
        (
            "source_unreachable",
            lambda line: line.update(confidence=0.5, evidence=full_pair().to_json()["evidence"]),
            r"^confidence: 0.5 is not of type 'null' \(rule for source.url None\)$",
        ),
        ("source_unreachable", _set("source.warc.offset", 3), r"^source: .* is not the empty"),
    ],
)
def test_status_rules(status: str, mutate: Callable[[dict[str, Any]], None], expected: str) -> None:
    line = copy.deepcopy(minimal_pair(status).to_json())
    mutate(line)
    with pytest.raises(ManifestError, match=expected):
        validate_line(line)


def test_no_citation_line_may_keep_a_citation_block_without_url() -> None:
    pair = dataclasses.replace(
        minimal_pair("no_citation"), citation=CitationSide(raw="Some Title (synthetic)")
    )
    pair.validate()


def test_non_object_line() -> None:
    with pytest.raises(ManifestError, match="JSON object"):
        validate_line([1, 2])


def test_pair_id_of_a_no_citation_line_uses_the_empty_string() -> None:
    assert minimal_pair("no_citation").pair_id == pair_id(TRANSLATION_URL, "")


def test_the_validator_in_use_agrees_with_the_published_schema() -> None:
    # validate_line runs on a copy of the schema with its references inlined, for speed.
    plain, inlined = Draft202012Validator(load_schema()), _validator()
    lines = [full_pair().to_json()] + [minimal_pair(s).to_json() for s in STATUSES]
    for _name, mutate, _expected in INVALID_FULL_LINES:
        line = full_pair().to_json()
        mutate(line)
        lines.append(line)
    verdicts = [(plain.is_valid(line), inlined.is_valid(line)) for line in lines]
    assert all(a == b for a, b in verdicts)
    # Three invalid lines break only the checks made outside the schema: impossible date, wrong
    # pair id, source for another URL.
    assert sum(not a for a, _ in verdicts) == len(INVALID_FULL_LINES) - 3
