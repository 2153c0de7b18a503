"""Exports read back: JSON Lines with json, TSV with csv, TMX with translate-toolkit."""

from __future__ import annotations

import csv
import io
import json

import pytest
from translate.storage.tmx import tmxfile

from crawler.corpus import (
    PairFilter,
    escape_tsv,
    segments,
    select_pairs,
    unescape_tsv,
    write_jsonl,
    write_tmx,
    write_tsv,
)
from crawler.manifest import Pair
from tests.unit.corpus.builders import CorpusFixture, PositionalAligner

XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def _ok(corpus: CorpusFixture) -> list[Pair]:
    return list(select_pairs(corpus.pairs, PairFilter(statuses=frozenset({"ok"}))))


def _expected_paragraph_units(pair: Pair) -> list[tuple[str, str, str]]:
    """(kind, en, ja) the positional aligner yields, joined as the export documents."""
    assert pair.source is not None
    ja, en = pair.translation.paragraphs, pair.source.paragraphs
    units = [("2-1", en[0], ja[0] + ja[1])]
    units += [("1-1", en[j], ja[j + 1]) for j in range(1, min(len(ja) - 1, len(en)))]
    return units


def test_document_jsonl_round_trip(corpus: CorpusFixture) -> None:
    ok = _ok(corpus)
    out = io.StringIO()
    assert write_jsonl(segments(ok), out) == len(ok) > 0
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == len(ok)
    for row, pair in zip(rows, ok, strict=True):
        assert pair.source is not None
        assert row["pair_id"] == pair.pair_id
        assert row["en"] == pair.source.text
        assert row["ja"] == pair.translation.text
        assert row["en_url"] == pair.source.url and row["ja_url"] == pair.translation.url
        assert row["score"] == row["confidence"] == pair.confidence
        assert row["kind"] == "document" and row["segment"] == 1


def test_pairs_without_text_on_both_sides_are_not_exported(corpus: CorpusFixture) -> None:
    rows = list(segments(corpus.pairs))
    with_text = [p for p in corpus.pairs if p.source is not None and p.source.text]
    assert [r.pair_id for r in rows] == [p.pair_id for p in with_text]
    assert {p.status for p in with_text} == {"ok", "source_mismatch"}


def test_document_tsv_round_trip(corpus: CorpusFixture) -> None:
    ok = _ok(corpus)
    out = io.StringIO()
    assert write_tsv(segments(ok), out) == len(ok)
    text = out.getvalue()
    assert text.count("\n") == len(ok)
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE))
    assert len(rows) == len(ok)
    for row, pair in zip(rows, ok, strict=True):
        assert pair.source is not None and pair.confidence is not None
        assert len(row) == 5
        assert row[0] == pair.source.url and row[1] == pair.translation.url
        assert unescape_tsv(row[2]) == pair.source.text
        assert unescape_tsv(row[3]) == pair.translation.text
        assert "\n" not in row[2] and "\t" not in row[3]
        assert float(row[4]) == pytest.approx(pair.confidence, abs=5e-5)


@pytest.mark.parametrize(
    "text",
    ["plain", "tab\there", "two\n\nparagraphs", "back\\slash \\n not a newline", "cr\r\n", "\\"],
)
def test_tsv_escaping_is_reversible(text: str) -> None:
    escaped = escape_tsv(text)
    assert not any(c in escaped for c in "\t\n\r")
    assert unescape_tsv(escaped) == text


def _read_tmx(data: bytes) -> tmxfile:
    return tmxfile(io.BytesIO(data))


def _props(unit: object) -> dict[str, str]:
    # TMX 1.4 has no XML namespace: <prop> elements are plain children of <tu>.
    return {p.get("type"): p.text for p in unit.xmlelement.findall("prop")}  # type: ignore[attr-defined]


def test_document_tmx_round_trip(corpus: CorpusFixture) -> None:
    ok = _ok(corpus)
    out = io.BytesIO()
    assert write_tmx(segments(ok), out, level="document") == len(ok)
    store = _read_tmx(out.getvalue())
    header = store.document.getroot().find("header")
    assert header.get("srclang") == "en" and header.get("segtype") == "block"
    assert store.document.getroot().get("version") == "1.4"
    units = store.units
    assert len(units) == len(ok)
    for unit, pair in zip(units, ok, strict=True):
        assert pair.source is not None
        assert [n.get(XML_LANG) for n in unit.getlanguageNodes()] == ["en", "ja"]
        assert unit.source == pair.source.text
        assert unit.target == pair.translation.text
        props = _props(unit)
        assert props["x-pair-id"] == pair.pair_id
        assert props["x-source-url"] == pair.source.url
        assert props["x-target-url"] == pair.translation.url
        assert float(props["x-score"]) == pytest.approx(pair.confidence or 0, abs=5e-5)
        assert unit.getid() == f"{pair.pair_id}-1"


def test_paragraph_tmx_round_trip(corpus: CorpusFixture) -> None:
    ok = _ok(corpus)
    out = io.BytesIO()
    count = write_tmx(segments(ok, "paragraph", PositionalAligner()), out, level="paragraph")
    store = _read_tmx(out.getvalue())
    assert store.document.getroot().find("header").get("segtype") == "paragraph"
    expected = [(p, unit) for p in ok for unit in _expected_paragraph_units(p)]
    assert count == len(store.units) == len(expected)
    for unit, (pair, (kind, en, ja)) in zip(store.units, expected, strict=True):
        assert unit.source == en
        assert unit.target == ja
        assert [n.get(XML_LANG) for n in unit.getlanguageNodes()] == ["en", "ja"]
        props = _props(unit)
        assert props["x-pair-id"] == pair.pair_id
        assert props["x-kind"] == kind
    assert store.units[0].getid().endswith("-1")


def test_paragraph_tsv_and_jsonl_agree(corpus: CorpusFixture) -> None:
    ok = _ok(corpus)[:5]
    tsv, jsonl = io.StringIO(), io.StringIO()
    write_tsv(segments(ok, "paragraph", PositionalAligner()), tsv)
    write_jsonl(segments(ok, "paragraph", PositionalAligner()), jsonl)
    rows = list(csv.reader(io.StringIO(tsv.getvalue()), delimiter="\t", quoting=csv.QUOTE_NONE))
    objects = [json.loads(line) for line in jsonl.getvalue().splitlines()]
    assert len(rows) == len(objects) == sum(len(_expected_paragraph_units(p)) for p in ok)
    for row, item in zip(rows, objects, strict=True):
        assert unescape_tsv(row[2]) == item["en"] and unescape_tsv(row[3]) == item["ja"]
        assert float(row[4]) == pytest.approx(item["score"], abs=5e-5)
    # Below the document level the score is the bead's, the pair's confidence stays alongside.
    assert objects[0]["score"] == 0.25 and objects[0]["confidence"] == ok[0].confidence
    assert [o["segment"] for o in objects if o["pair_id"] == ok[0].pair_id][:3] == [1, 2, 3]


def test_sentence_level_uses_the_aligners_sentences(corpus: CorpusFixture) -> None:
    pair = _ok(corpus)[0]
    rows = list(segments([pair], "sentence", PositionalAligner()))
    assert rows
    assert all(r.kind in ("2-1", "1-1") for r in rows)
    assert all(r.ja.endswith("。") for r in rows)
    assert [r.number for r in rows] == list(range(1, len(rows) + 1))


def test_unknown_level_is_refused(corpus: CorpusFixture) -> None:
    with pytest.raises(ValueError, match="level"):
        list(segments(corpus.pairs, "word"))


def test_project_aligner_paragraph_and_sentence_export(corpus: CorpusFixture) -> None:
    ok = _ok(corpus)[:3]
    paragraphs = list(segments(ok, "paragraph"))
    assert paragraphs
    for row in paragraphs:
        pair = next(p for p in ok if p.pair_id == row.pair_id)
        assert pair.source is not None and pair.source.text is not None
        assert row.kind in ("1-1", "2-1", "1-2")
        assert 0.0 <= (row.score or 0.0) <= 1.0
        # Every exported English paragraph is one of the source's (joined with a space for 1-2).
        assert row.en in pair.source.text or row.kind == "1-2"
    sentences = list(segments(ok, "sentence"))
    assert len(sentences) > len(paragraphs)
    out = io.BytesIO()
    write_tmx(iter(sentences), out, level="sentence")
    assert len(_read_tmx(out.getvalue()).units) == len(sentences)
