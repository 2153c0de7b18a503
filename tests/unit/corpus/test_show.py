"""``show``: column arithmetic for Japanese, and provenance read from a real WARC record."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from crawler.archive.pointer import WarcPointer
from crawler.corpus import ProvenanceError, read_provenance, render_pair
from crawler.corpus.textwidth import display_width, pad, wrap
from crawler.state import CrawlState, SourceRecord
from tests.unit.corpus.builders import WARC_DATE, CorpusFixture, PositionalAligner


def test_display_width_counts_wide_characters_twice() -> None:
    assert display_width("F-35A") == 5
    assert display_width("航空宇宙") == 8
    assert display_width("ＡＢ（1）") == 9  # full-width letters and brackets, narrow digit
    assert display_width("e\u0301") == 1  # a combining accent takes no column
    assert display_width(pad("日本", 7)) == 7


@pytest.mark.parametrize("width", [6, 11, 20, 37])
def test_wrap_keeps_every_character_within_the_width(width: int) -> None:
    text = "米空軍のF-47計画室は、新型第六世代戦闘機の初飛行を2028年に予定していると明らかにした。"
    lines = wrap(text, width)
    assert all(display_width(line) <= width for line in lines)
    assert "".join(lines) == text
    assert not any(line.startswith(("、", "。")) for line in lines)


def test_wrap_breaks_english_at_spaces_and_keeps_designations_whole() -> None:
    lines = wrap("The U.S. Air Force expects to buy more than 185 F-47s.", 16)
    assert lines == ["The U.S. Air", "Force expects to", "buy more than", "185 F-47s."]
    assert wrap("初飛行を2028年に予定", 10) == ["初飛行を", "2028年に予", "定"]
    assert wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"]
    assert wrap("one\ntwo", 10) == ["one", "two"]


def _payloads(path: Path) -> dict[str, tuple[bytes, bytes]]:
    """Every record's payload by record id, read through the whole file: (as stored, decoded)."""
    found: dict[str, tuple[bytes, bytes]] = {}
    for decode in (False, True):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                key = record.rec_headers.get_header("WARC-Record-ID")
                if decode:
                    found[key] = (found[key][0], record.content_stream().read())
                else:
                    found[key] = (record.raw_stream.read(), b"")
    return found


def test_provenance_is_read_from_the_record(corpus: CorpusFixture) -> None:
    pair = corpus.archived
    assert pair.source is not None and pair.source.warc and pair.translation.warc
    records = _payloads(corpus.archive / pair.translation.warc.filename)
    for pointer, url, body, encoding in (
        (pair.translation.warc, pair.translation.url, corpus.translation_body, "gzip"),
        (pair.source.warc, pair.source.url, corpus.source_body, None),
    ):
        provenance = read_provenance(corpus.archive, pointer)
        raw, decoded = records[pointer.record_id]
        digest = "sha1:" + base64.b32encode(hashlib.sha1(raw).digest()).decode()
        assert provenance.record_id == pointer.record_id
        assert provenance.warc_type == "response"
        assert provenance.target_uri == url
        assert provenance.warc_date == WARC_DATE
        assert provenance.payload_digest == digest
        assert provenance.http_status == 200
        assert provenance.content_type == "text/html; charset=UTF-8"
        assert provenance.content_encoding == encoding
        assert decoded == body
        assert provenance.payload_length == len(body)
    # The gzip-encoded response was stored as sent: its raw payload is shorter than its text.
    assert records[pair.translation.warc.record_id][0] != corpus.translation_body


def test_a_pointer_to_another_record_is_refused(corpus: CorpusFixture) -> None:
    pointer = corpus.archived.translation.warc
    assert pointer is not None
    with pytest.raises(ProvenanceError, match="record <urn:uuid:0000> is not there"):
        read_provenance(corpus.archive, replace(pointer, record_id="<urn:uuid:0000>"))
    with pytest.raises(ProvenanceError, match="cannot be read"):
        read_provenance(corpus.archive, WarcPointer("missing.warc.gz", 0, pointer.record_id))
    with pytest.raises(ProvenanceError):
        read_provenance(corpus.archive, replace(pointer, offset=pointer.offset + 7))


def _columns(text: str) -> list[tuple[str, str]]:
    """The side-by-side part of ``render_pair``'s text, unwrapped: (left, right) per row."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Japanese (translation)"))
    rows: list[tuple[list[str], list[str]]] = []
    for line in lines[start + 1 :]:
        if line.startswith("─"):
            rows.append(([], []))
            continue
        left, _, right = line.partition(" │")
        rows[-1][0].append(left.rstrip())
        rows[-1][1].append(right.removeprefix(" "))
    return [("".join(left), " ".join(r for r in right if r)) for left, right in rows]


def test_render_prints_both_texts_and_both_provenances(corpus: CorpusFixture) -> None:
    pair = corpus.archived
    assert pair.source is not None and pair.source.warc and pair.translation.warc
    width = 96
    text, ok = render_pair(pair, corpus.archive, width=width, aligner=None)
    assert ok
    for pointer, url in (
        (pair.translation.warc, pair.translation.url),
        (pair.source.warc, pair.source.url),
    ):
        assert f"{pointer.record_id} (matches the manifest)" in text
        assert f"WARC-Target-URI      {url}" in text
        assert f"@ offset {pointer.offset}" in text
    assert text.count(f"WARC-Date            {WARC_DATE}") == 2
    assert f"Payload              {len(corpus.translation_body)} bytes, decoded from gzip" in text
    assert f"Payload              {len(corpus.source_body)} bytes\n" in text
    body = text[text.index("Japanese (translation)") :].splitlines()
    assert all(display_width(line) <= width for line in body)
    # Without an aligner the rows pair paragraphs by position; unwrapped they give them back.
    columns = _columns(text)
    ja, en = pair.translation.paragraphs, pair.source.paragraphs
    assert len(columns) == max(len(ja), len(en))
    for index, (left, right) in enumerate(columns):
        assert left.replace(" ", "") == (ja[index].replace(" ", "") if index < len(ja) else "")
        assert right == (en[index] if index < len(en) else "")


def test_render_aligned_rows_name_their_beads(corpus: CorpusFixture) -> None:
    pair = corpus.archived
    assert pair.source is not None
    text, _ = render_pair(pair, corpus.archive, width=120, aligner=PositionalAligner())
    columns = _columns(text)
    ja, en = pair.translation.paragraphs, pair.source.paragraphs
    assert columns[0] == ((ja[0] + ja[1]).replace(" ", ""), en[0])
    assert " 2-1 0.25 ─┼─" in text


def test_render_reports_a_broken_pointer(corpus: CorpusFixture) -> None:
    pair = corpus.archived
    assert pair.source is not None and pair.source.warc is not None
    broken = replace(
        pair, source=replace(pair.source, warc=replace(pair.source.warc, record_id="<x>"))
    )
    text, ok = render_pair(broken, corpus.archive, width=80)
    assert not ok
    assert "WARC record cannot be read" in text


def test_render_without_a_source(corpus: CorpusFixture) -> None:
    pair = next(p for p in corpus.pairs if p.source is None and p.cited_url)
    text, ok = render_pair(pair, corpus.archive, width=80)
    assert ok
    assert pair.error is not None and pair.error in text
    assert "not archived" in text
    assert pair.translation.paragraphs[0][:10] in text


def test_render_prints_the_source_history_from_the_crawl_state(corpus: CorpusFixture) -> None:
    pair = corpus.archived
    assert pair.source is not None and pair.source.warc is not None and pair.cited_url
    text, _ = render_pair(pair, corpus.archive, width=100)
    assert "Source history" not in text  # no crawl state: nothing to print
    later = WarcPointer("LATER.warc.gz", 512, "<urn:uuid:later>")
    capture = SourceRecord(
        cited_url=pair.cited_url,
        status="ok",
        error=None,
        url=pair.source.url,
        redirects=(),
        http_status=200,
        content_type="text/html",
        warc=pair.source.warc,
        payload_digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        fetched_at="2025-03-01T04:00:00+00:00",
    )
    edited = replace(
        capture,
        warc=later,
        payload_digest="sha1:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
        fetched_at="2025-04-01T04:00:00+00:00",
        drift={"paragraphs": {"added": 1, "removed": 0, "changed": 2}},
    )
    with CrawlState.open(corpus.archive) as state:
        state.record_source(capture)
        state.record_source(edited)
    changed = replace(pair, source=replace(pair.source, changed_since=edited.fetched_at))
    text, ok = render_pair(changed, corpus.archive, width=100)
    assert ok
    assert "Source changed since 2025-04-01T04:00:00+00:00" in text
    history = text[text.index("Source history") :].splitlines()
    assert (
        history[1]
        == "  2025-03-01T04:00:00+00:00  (first fetch) -> ok (200)  - -> sha1:AAAAAAAAAAAA"
    )
    assert history[4] == (
        "  2025-04-01T04:00:00+00:00  ok (200) -> ok (200)  sha1:AAAAAAAAAAAA -> "
        "sha1:BBBBBBBBBBBB  paragraphs: 1 added, 0 removed, 2 changed"
    )
    assert history[5] == f"    old: {pair.source.warc.filename} @ offset {pair.source.warc.offset}"
    assert history[6] == "    new: LATER.warc.gz @ offset 512"
