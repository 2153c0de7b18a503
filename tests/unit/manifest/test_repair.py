"""repair_pair and repair_data: any line becomes a valid one, and what it lost is in ``defects``."""

from __future__ import annotations

import copy
import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from crawler.manifest import (
    Defect,
    Pair,
    UnrepairableError,
    pair_id,
    read_manifest,
    repair_data,
    repair_pair,
    validate_line,
    write_manifest,
)
from tests.unit.manifest.builders import (
    CITED_URL,
    TRANSLATION_URL,
    full_pair,
    minimal_pair,
)
from tests.unit.manifest.test_model import INVALID_FULL_LINES

NOW = datetime(2025, 3, 2, 1, 2, 3, tzinfo=UTC)


def _translation(**changes: Any) -> Pair:
    pair = full_pair()
    return dataclasses.replace(pair, translation=dataclasses.replace(pair.translation, **changes))


def _source(**changes: Any) -> Pair:
    pair = full_pair()
    assert pair.source is not None
    return dataclasses.replace(pair, source=dataclasses.replace(pair.source, **changes))


def _only_defect(pair: Pair) -> Defect:
    repair = repair_pair(pair, now=NOW)
    assert repair.needed
    validate_line(repair.pair.to_json())
    [defect] = repair.pair.defects
    assert repair.defects == (defect,)
    assert repair.error is not None
    return defect


def _without(pair: Pair, **fields: Any) -> dict[str, Any]:
    """The line of ``pair`` but for its defects and the given fields."""
    line = pair.to_json()
    del line["defects"]
    for name, value in fields.items():
        line[name] = value
    return line


def test_a_valid_pair_is_returned_as_it_is() -> None:
    pair = full_pair()
    repair = repair_pair(pair)
    assert repair.pair is pair
    assert not repair.needed and repair.defects == () and repair.error is None


def test_a_date_that_is_not_one_becomes_null() -> None:
    defect = _only_defect(_source(published="February 4"))
    assert (defect.field, defect.value) == ("source.published", "February 4")
    assert "'February 4' is not an ISO 8601 date and time" in defect.error
    repaired = repair_pair(_source(published="February 4")).pair
    assert repaired.source is not None and repaired.source.published is None
    # Nothing else changed.
    expected = full_pair().to_json()
    expected["source"]["published"] = None
    assert _without(repaired) == _without(Pair.from_json(expected))


def test_an_impossible_calendar_date_becomes_null() -> None:
    # The pattern accepts it; the check outside the schema does not.
    pair = full_pair()
    assert pair.citation is not None
    bad = dataclasses.replace(
        pair, citation=dataclasses.replace(pair.citation, published="2025-02-30T10:00:00-05:00")
    )
    defect = _only_defect(bad)
    assert defect == Defect(
        field="citation.published",
        value="2025-02-30T10:00:00-05:00",
        error="'2025-02-30T10:00:00-05:00' is not a valid date and time",
    )


def test_a_bad_language_tag_becomes_null() -> None:
    assert repair_pair(_translation(language="en_US")).original == (
        _translation(language="en_US").to_json()
    )
    defect = _only_defect(_translation(language="en_US"))
    assert defect == Defect(
        field="translation.language",
        value="en_US",
        error="'en_US' is not a language tag such as ja or en-US",
    )
    assert repair_pair(_translation(language="en_US")).pair.translation.language is None


def test_a_value_of_the_wrong_type_becomes_null_or_the_empty_value_of_its_type() -> None:
    defect = _only_defect(_translation(title=42))
    assert (defect.field, defect.value, defect.error) == (
        "translation.title",
        42,
        "42 is not of type 'string', 'null'",
    )
    # labels cannot be null: an empty list. The pair's own to_json fails on it (list(None)).
    defect = _only_defect(_translation(labels=None))
    assert (defect.field, defect.value) == ("translation.labels", None)
    repair = repair_pair(_translation(labels=None))
    assert repair.pair.translation.labels == ()
    assert repair.original["translation"]["labels"] is None  # the line as it was


def test_an_ok_line_whose_required_field_is_null_gets_the_empty_value_of_its_type() -> None:
    # The status says ok, so a null text or confidence is what is wrong, not the status: the
    # nearest valid value is the empty one, which no filter on text or confidence lets through.
    defect = _only_defect(_source(text=None))
    assert (defect.field, defect.value) == ("source.text", None)
    assert "rule for status 'ok'" in defect.error
    repaired = repair_pair(_source(text=None)).pair
    assert (repaired.status, repaired.source and repaired.source.text) == ("ok", "")

    no_confidence = dataclasses.replace(full_pair(), confidence=None)
    defect = _only_defect(no_confidence)
    assert (defect.field, defect.value) == ("confidence", None)
    repaired = repair_pair(no_confidence).pair
    # The evidence of the line stays as it was: the confidence is repaired, not the evidence.
    assert (repaired.confidence, repaired.evidence) == (0, full_pair().evidence)


def test_a_value_out_of_range_is_replaced_once_by_one_every_rule_accepts() -> None:
    # Null would pass the range but not the ok rule: one defect, with the refused value.
    defect = _only_defect(dataclasses.replace(full_pair(), confidence=1.5))
    assert (defect.field, defect.value) == ("confidence", 1.5)
    assert repair_pair(dataclasses.replace(full_pair(), confidence=1.5)).pair.confidence == 0


def test_a_wrong_pair_id_is_recomputed_from_the_urls() -> None:
    # The id is derived from the two URLs; the URLs are the pair.
    defect = _only_defect(dataclasses.replace(full_pair(), pair_id="0123456789abcdef"))
    assert (defect.field, defect.value) == ("pair_id", "0123456789abcdef")
    assert "is not the id of this translation URL and cited URL" in defect.error
    repaired = repair_pair(dataclasses.replace(full_pair(), pair_id="0123456789abcdef")).pair
    assert repaired.pair_id == full_pair().pair_id == pair_id(TRANSLATION_URL, CITED_URL)


def test_a_source_of_another_url_takes_the_pair_s_cited_url() -> None:
    defect = _only_defect(_source(cited_url="https://www.twz.com/other"))
    assert (defect.field, defect.value) == ("source.cited_url", "https://www.twz.com/other")
    repaired = repair_pair(_source(cited_url="https://www.twz.com/other")).pair
    assert repaired.source is not None and repaired.source.cited_url == CITED_URL


def test_an_error_message_on_an_ok_line_moves_to_defects() -> None:
    defect = _only_defect(dataclasses.replace(full_pair(), error="HTTP 404 Not Found"))
    assert (defect.field, defect.value) == ("error", "HTTP 404 Not Found")


def test_a_missing_error_message_is_said_to_be_missing() -> None:
    pair = dataclasses.replace(minimal_pair("source_not_found"), error=None)
    assert _only_defect(pair).field == "error"
    repaired = repair_pair(pair).pair
    assert repaired.error is not None and "no error message was recorded" in repaired.error


def test_a_crawled_at_that_is_not_utc_becomes_the_time_of_the_repair() -> None:
    pair = dataclasses.replace(full_pair(), crawled_at="2025-03-01T13:05:06+09:00")
    assert _only_defect(pair).value == "2025-03-01T13:05:06+09:00"
    assert repair_pair(pair, now=NOW).pair.crawled_at == "2025-03-02T01:02:03Z"


def test_values_json_cannot_hold_are_replaced() -> None:
    pair = full_pair()
    assert pair.evidence is not None
    nan = dataclasses.replace(pair, evidence=pair.evidence | {"length_ratio": float("nan")})
    assert _defects(nan) == [("evidence.length_ratio", "nan")]
    assert repair_pair(nan).pair.evidence == pair.evidence | {"length_ratio": None}
    surrogate = _translation(text="本文\ud800です")
    assert _defects(surrogate) == [("translation.text", "本文\\ud800です")]
    assert repair_pair(surrogate).pair.translation.text == "本文\ufffdです"


def _defects(pair: Pair) -> list[tuple[str, Any]]:
    return [(d.field, d.value) for d in repair_pair(pair).pair.defects]


def test_an_unknown_status_gives_a_minimal_line_of_the_same_pair_keeping_the_whole_line() -> None:
    bad = dataclasses.replace(full_pair(), status="fine")
    repair = repair_pair(bad, now=NOW)
    pair = repair.pair
    validate_line(pair.to_json())
    assert (pair.pair_id, pair.translation.url, pair.cited_url) == (
        full_pair().pair_id,
        TRANSLATION_URL,
        CITED_URL,
    )
    assert pair.status == "source_not_fetched"
    assert pair.error is not None and "could not make a valid manifest line" in pair.error
    # What is valid on its own is kept: the post, its citation block, when it was crawled.
    assert (pair.translation, pair.citation) == (full_pair().translation, full_pair().citation)
    assert pair.crawled_at == full_pair().crawled_at
    assert (pair.source, pair.confidence, pair.evidence) == (None, None, None)
    [defect] = pair.defects
    assert defect.field == "line"
    assert defect.value == bad.to_json()
    assert defect.error.startswith("status: 'fine' is not one of")


def test_a_value_no_empty_value_fits_gives_the_minimal_line_too() -> None:
    repair = repair_pair(_source(http_status="200"))
    assert repair.pair.status == "source_not_fetched"
    assert [d.field for d in repair.defects] == ["line"]
    assert repair.defects[0].value["source"]["http_status"] == "200"


def test_a_post_without_a_cited_url_falls_back_to_no_citation() -> None:
    bad = dataclasses.replace(minimal_pair("no_citation"), status="fine")
    pair = repair_pair(bad).pair
    assert (pair.status, pair.cited_url, pair.pair_id) == ("no_citation", None, bad.pair_id)


def test_a_line_without_a_translation_url_cannot_be_a_pair() -> None:
    line = full_pair().to_json()
    line["translation"]["url"] = "not a url"
    line["status"] = "fine"
    with pytest.raises(UnrepairableError, match="no http") as raised:
        repair_data(line)
    assert raised.value.line == line
    with pytest.raises(UnrepairableError):
        repair_data([1, 2])


def test_missing_keys_are_added_and_unknown_keys_removed() -> None:
    line = full_pair().to_json()
    line["colour"] = "red"
    del line["source"]["site_name"]
    repair = repair_data(line)
    assert {(d.field, d.value) for d in repair.defects} == {
        ("colour", "red"),
        ("source.site_name", None),
    }
    assert repair.pair.source is not None and repair.pair.source.site_name is None


def test_a_pairs_1_line_is_upgraded_not_repaired() -> None:
    # Written before defects existed, with the null objects of pairs/1.
    line = minimal_pair("source_unreachable").to_json()
    old = line | {"schema": "pairs/1", "source": None, "evidence": None}
    del old["defects"]
    repair = repair_data(old)
    assert not repair.needed and repair.original == old
    assert repair.pair == minimal_pair("source_unreachable")


def test_a_pairs_2_line_without_defects_gets_the_key() -> None:
    line = full_pair().to_json()
    del line["defects"]
    repair = repair_data(line)
    assert [(d.field, d.value) for d in repair.defects] == [("defects", None)]


def test_defects_already_recorded_are_kept_and_new_ones_added() -> None:
    once = repair_pair(_translation(language="en_US")).pair
    line = once.to_json()
    line["source"]["language"] = "en_GB"
    twice = repair_data(line).pair
    assert [d.field for d in twice.defects] == ["translation.language", "source.language"]


@pytest.mark.parametrize(
    "mutate", [pytest.param(m, id=name) for name, m, _expected in INVALID_FULL_LINES]
)
def test_every_kind_of_refused_line_is_repaired_and_keeps_its_pair(mutate: Any) -> None:
    line = full_pair().to_json()
    mutate(line)
    refused = copy.deepcopy(line)
    repair = repair_data(line, now=NOW)
    assert line == refused  # the caller's line is left as it was
    validate_line(repair.pair.to_json())
    assert repair.needed and repair.pair.defects == repair.defects
    assert repair.pair.pair_id == full_pair().pair_id
    assert repair.pair.translation.url == TRANSLATION_URL
    assert repair.original == refused


def test_repaired_pairs_make_a_manifest_that_reads_back(tmp_path: Path) -> None:
    pairs = [repair_pair(_source(published="February 4")).pair, minimal_pair("no_citation")]
    path = tmp_path / "pairs.jsonl"
    write_manifest(path, pairs)
    read = {p.pair_id: p for p in read_manifest(path)}
    assert read[pairs[0].pair_id].defects == pairs[0].defects
    assert read[pairs[1].pair_id].defects == ()
    first, second = map(json.loads, path.read_text(encoding="utf-8").splitlines())
    assert first["defects"] == [pairs[0].defects[0].to_json()]
    assert second["defects"] == []
