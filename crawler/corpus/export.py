"""Parallel segments from pairs, written as JSON Lines, Bitextor-style TSV or TMX 1.4b (Parquet:
crawler/corpus/arrow.py).

A segment is one English/Japanese unit: a whole document pair, an aligned paragraph group or an
aligned sentence group. Beads with an empty side (a paragraph the translator added or omitted)
are not parallel data and are left out of every format.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import BinaryIO, TextIO

import crawler
from crawler.corpus.align import Aligner, BeadLike, default_aligner
from crawler.manifest import Pair

LEVELS = ("document", "paragraph", "sentence")
FORMATS = ("jsonl", "tsv", "tmx", "parquet")
# What to run when pyarrow, which only Parquet needs, is not installed.
PARQUET_INSTALL = "pip install 'bitext-crawler[parquet]' (or: pip install pyarrow)"
SOURCE_LANGUAGE = "en"
TARGET_LANGUAGE = "ja"
# TMX 1.4b segtype for each level ("block" is its word for a unit larger than a paragraph).
_SEGTYPES = {"document": "block", "paragraph": "paragraph", "sentence": "sentence"}
# Text inside one segment: English parts take a space, Japanese is written without one.
_JOINERS = {"en": " ", "ja": ""}

_TSV_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_TSV_SPECIAL = re.compile(r"[\\\t\n\r]")
_TSV_ESCAPED = re.compile(r"\\(.)", re.DOTALL)
_TSV_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
# JSON allows these raw, but str.splitlines() and many editors break lines at them.
_LINE_BREAKERS = {0x85: "\\u0085", 0x2028: "\\u2028", 0x2029: "\\u2029"}


@dataclass(frozen=True, kw_only=True)
class Segment:
    pair_id: str
    number: int  # 1-based position within its pair
    kind: str  # "document", or the bead kind ("1-1", "2-1", "1-2")
    en_url: str  # the English page the text was extracted from (after redirects)
    ja_url: str  # the translation's permalink
    en: str
    ja: str
    score: float | None  # pair confidence for documents, the aligner's bead score below
    confidence: float | None  # the pair's confidence, on every segment

    def to_json(self) -> dict[str, object]:
        return {
            "pair_id": self.pair_id,
            "segment": self.number,
            "kind": self.kind,
            "score": self.score,
            "confidence": self.confidence,
            "en_url": self.en_url,
            "ja_url": self.ja_url,
            "en": self.en,
            "ja": self.ja,
        }


def exportable(pair: Pair) -> bool:
    """Whether the pair has text on both sides (always true of an ``ok`` pair)."""
    return bool(pair.translation.text) and pair.source is not None and bool(pair.source.text)


def segments(
    pairs: Iterable[Pair], level: str = "document", aligner: Aligner | None = None
) -> Iterator[Segment]:
    """The segments of every pair with text on both sides, in the order given.

    ``aligner`` is used below the document level; by default the project's aligner.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; expected one of {LEVELS}")
    if level != "document" and aligner is None:
        aligner = default_aligner()
    for pair in pairs:
        if not exportable(pair):
            continue
        if aligner is None or level == "document":
            assert pair.source is not None
            yield _segment(pair, 1, "document", pair.source.text or "", pair.translation.text or "")
        else:
            yield from _aligned_segments(pair, level, aligner)


def _aligned_segments(pair: Pair, level: str, aligner: Aligner) -> Iterator[Segment]:
    assert pair.source is not None
    ja, en = pair.translation.paragraphs, pair.source.paragraphs
    number = 0
    for bead in aligner.paragraphs(ja, en):
        if not (bead.ja and bead.en):
            continue
        if level == "paragraph":
            number += 1
            yield _bead_segment(pair, number, bead, ja, en)
            continue
        group = aligner.sentences([ja[i] for i in bead.ja], [en[i] for i in bead.en])
        for sentence_bead in group.beads:
            if sentence_bead.ja and sentence_bead.en:
                number += 1
                yield _bead_segment(pair, number, sentence_bead, group.ja, group.en)


def _bead_segment(
    pair: Pair, number: int, bead: BeadLike, ja: Sequence[str], en: Sequence[str]
) -> Segment:
    segment = _segment(
        pair,
        number,
        bead.kind,
        _JOINERS["en"].join(en[i] for i in bead.en),
        _JOINERS["ja"].join(ja[i] for i in bead.ja),
    )
    return replace(segment, score=float(bead.score))


def _segment(pair: Pair, number: int, kind: str, en: str, ja: str) -> Segment:
    assert pair.source is not None
    return Segment(
        pair_id=pair.pair_id,
        number=number,
        kind=kind,
        en_url=pair.source.url,
        ja_url=pair.translation.url,
        en=en,
        ja=ja,
        score=pair.confidence,
        confidence=pair.confidence,
    )


def write_jsonl(items: Iterable[Segment], out: TextIO) -> int:
    """One JSON object per segment and line, UTF-8 text as is; returns the number written."""
    count = 0
    for segment in items:
        text = json.dumps(segment.to_json(), ensure_ascii=False, allow_nan=False)
        out.write(text.translate(_LINE_BREAKERS) + "\n")
        count += 1
    return count


def escape_tsv(text: str) -> str:
    """Backslash, tab, newline and carriage return as ``\\\\``, ``\\t``, ``\\n``, ``\\r``."""
    return _TSV_SPECIAL.sub(lambda m: _TSV_ESCAPES[m.group()], text)


def unescape_tsv(field: str) -> str:
    """The inverse of :func:`escape_tsv`."""
    return _TSV_ESCAPED.sub(lambda m: _TSV_UNESCAPES.get(m.group(1), m.group()), field)


def tsv_row(segment: Segment) -> list[str]:
    """Bitextor's column order: source URL, target URL, source text, target text, score."""
    score = "" if segment.score is None else f"{segment.score:.4f}"
    return [
        segment.en_url,
        segment.ja_url,
        escape_tsv(segment.en),
        escape_tsv(segment.ja),
        score,
    ]


def write_tsv(items: Iterable[Segment], out: TextIO) -> int:
    """One tab-separated line per segment, no header; returns the number written."""
    count = 0
    for segment in items:
        out.write("\t".join(tsv_row(segment)) + "\n")
        count += 1
    return count


def write_tmx(items: Iterable[Segment], out: BinaryIO, level: str = "document") -> int:
    """A TMX 1.4b file (``srclang="en"``): one ``<tu>`` per segment with the English and Japanese
    ``<tuv>`` and ``<prop>``s for the pair id, both URLs, the score and the bead kind."""
    # Imported here: only TMX exports need translate-toolkit.
    from lxml import etree
    from translate.storage import tmx

    store = tmx.tmxfile(sourcelanguage=SOURCE_LANGUAGE, targetlanguage=TARGET_LANGUAGE)
    store.addheader()
    header = store.document.getroot().find(store.namespaced("header"))
    header.set("creationtool", "bitext-crawler")
    header.set("creationtoolversion", crawler.__version__)
    header.set("segtype", _SEGTYPES.get(level, "block"))
    count = 0
    for segment in items:
        unit = store.addsourceunit(segment.en)
        unit.settarget(segment.ja, TARGET_LANGUAGE)
        unit.xmlelement.set("tuid", f"{segment.pair_id}-{segment.number}")
        # The DTD puts <prop> before <tuv>: insert in front, in order.
        for position, (name, value) in enumerate(_tmx_props(segment)):
            prop = etree.Element(unit.namespaced("prop"))
            prop.set("type", name)
            prop.text = value
            unit.xmlelement.insert(position, prop)
        count += 1
    out.write(bytes(store))
    return count


def _tmx_props(segment: Segment) -> list[tuple[str, str]]:
    props = [
        ("x-pair-id", segment.pair_id),
        ("x-segment", str(segment.number)),
        ("x-kind", segment.kind),
        ("x-source-url", segment.en_url),
        ("x-target-url", segment.ja_url),
    ]
    if segment.score is not None:
        props.append(("x-score", f"{segment.score:.4f}"))
    if segment.confidence is not None:
        props.append(("x-confidence", f"{segment.confidence:.4f}"))
    return props
