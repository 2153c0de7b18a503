"""The size of the corpus as a paper reports it: documents, paragraphs, sentences and tokens per
language, and the segments of each export level.

The corpus is what ``pairs export`` exports by default: the ``ok`` pairs with text on both sides.
Units are counted as the project makes them: paragraphs are the manifest's (blank-line
separated), sentences those of :mod:`crawler.alignment.segment`, Japanese tokens the short units
of UniDic (MeCab through fugashi with unidic-lite, the analyser cutlet wraps) and English tokens
words; a token is counted when it holds a letter or a digit, so punctuation is never a token.

Japanese sentences and tokens are cheap (under a microsecond a character). English sentences
(pysbd, about 3.5 µs a character) and the paragraph and sentence levels (the aligner, 50 to 120
milliseconds a pair) are counted only when an aligner is given.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from crawler.alignment.segment import split_sentences_en, split_sentences_ja
from crawler.corpus.align import Aligner, BeadLike, SentenceAlignment
from crawler.corpus.export import Segment, exportable, segments
from crawler.manifest import STATUS_OK, Pair

# A word: letters and digits, with inner apostrophes, hyphens and dots ("don't", "F-35A", "U.S").
_WORD = re.compile(r"[^\W_]+(?:['’.\-][^\W_]+)*")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


@dataclass(frozen=True)
class LanguageFigures:
    """One side of the corpus. ``sentences`` or ``tokens`` is None when it was not counted."""

    language: str
    documents: int
    paragraphs: int
    sentences: int | None
    tokens: int | None
    characters: int


@dataclass(frozen=True)
class LevelFigures:
    """The segments one export level makes and the units and tokens inside them: a paragraph
    bead ``2-1`` holds two Japanese paragraphs and one English one."""

    level: str
    segments: int
    ja_units: int
    en_units: int
    ja_tokens: int | None
    en_tokens: int


@dataclass(frozen=True)
class CorpusFigures:
    pairs: int  # ok pairs with text on both sides: the documents
    ja: LanguageFigures
    en: LanguageFigures
    levels: tuple[LevelFigures, ...]  # document, then paragraph and sentence when aligned
    aligned: bool


def english_words(text: str) -> int:
    """The words of an English text."""
    return len(_WORD.findall(text))


@cache
def _wakati_tagger() -> Any | None:
    try:
        import fugashi  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError:
        return None
    # "-Owakati" writes the tokens separated by spaces: a third faster than reading nodes.
    return fugashi.Tagger("-Owakati")


def japanese_tokens(text: str) -> int | None:
    """The UniDic short units of a Japanese text that hold a letter or a digit (None when the
    analyser is not installed)."""
    tagger = _wakati_tagger()
    if tagger is None:
        return None
    return sum(1 for token in tagger.parse(text).split() if _LETTER_OR_DIGIT.search(token))


def corpus_pairs(pairs: Iterable[Pair]) -> list[Pair]:
    """The pairs the figures describe: those ``pairs export`` exports by default."""
    return [pair for pair in pairs if pair.status == STATUS_OK and exportable(pair)]


class _RememberingAligner:
    """Aligns the paragraphs of a pair once for both levels (the sentence level aligns the
    sentences inside the paragraph beads)."""

    def __init__(self, inner: Aligner) -> None:
        self._inner = inner
        self._key: tuple[tuple[str, ...], tuple[str, ...]] | None = None
        self._beads: Sequence[BeadLike] = ()

    def paragraphs(self, ja: Sequence[str], en: Sequence[str]) -> Sequence[BeadLike]:
        key = (tuple(ja), tuple(en))
        if key != self._key:
            self._key, self._beads = key, self._inner.paragraphs(ja, en)
        return self._beads

    def sentences(self, ja: Sequence[str], en: Sequence[str]) -> SentenceAlignment:
        return self._inner.sentences(ja, en)


class _LevelCounter:
    def __init__(self, level: str) -> None:
        self.level = level
        self.segments = self.ja_units = self.en_units = self.en_tokens = 0
        self.ja_tokens: int | None = 0

    def add(self, segment: Segment) -> None:
        self.segments += 1
        ja_units, _, en_units = segment.kind.partition("-")
        self.ja_units += int(ja_units)
        self.en_units += int(en_units)
        self.en_tokens += english_words(segment.en)
        self.ja_tokens = _plus(self.ja_tokens, japanese_tokens(segment.ja))

    def figures(self) -> LevelFigures:
        return LevelFigures(
            self.level, self.segments, self.ja_units, self.en_units, self.ja_tokens, self.en_tokens
        )


def _plus(total: int | None, count: int | None) -> int | None:
    return None if total is None or count is None else total + count


def compute_figures(pairs: Iterable[Pair], aligner: Aligner | None = None) -> CorpusFigures:
    """The figures of the corpus ``pairs`` hold; with ``aligner``, also English sentences and the
    paragraph and sentence levels as ``pairs export --level`` makes them with that aligner."""
    chosen = corpus_pairs(pairs)
    ja_paragraphs = en_paragraphs = ja_sentences = ja_characters = en_characters = 0
    en_sentences: int | None = 0 if aligner is not None else None
    ja_tokens: int | None = 0
    en_tokens = 0
    for pair in chosen:
        assert pair.source is not None and pair.source.text and pair.translation.text
        ja, en = pair.translation.paragraphs, pair.source.paragraphs
        ja_paragraphs += len(ja)
        en_paragraphs += len(en)
        ja_sentences += sum(len(split_sentences_ja(p)) for p in ja)
        if en_sentences is not None:
            en_sentences += sum(len(split_sentences_en(p)) for p in en)
        ja_characters += len(pair.translation.text)
        en_characters += len(pair.source.text)
        ja_tokens = _plus(ja_tokens, japanese_tokens(pair.translation.text))
        en_tokens += english_words(pair.source.text)
    documents = len(chosen)
    levels = [LevelFigures("document", documents, documents, documents, ja_tokens, en_tokens)]
    if aligner is not None:
        levels += _aligned_levels(chosen, aligner)
    return CorpusFigures(
        pairs=documents,
        ja=LanguageFigures("ja", documents, ja_paragraphs, ja_sentences, ja_tokens, ja_characters),
        en=LanguageFigures("en", documents, en_paragraphs, en_sentences, en_tokens, en_characters),
        levels=tuple(levels),
        aligned=aligner is not None,
    )


def _aligned_levels(pairs: Sequence[Pair], aligner: Aligner) -> list[LevelFigures]:
    paragraph, sentence = _LevelCounter("paragraph"), _LevelCounter("sentence")
    for pair in pairs:
        remembering = _RememberingAligner(aligner)
        for segment in segments([pair], "paragraph", remembering):
            paragraph.add(segment)
        for segment in segments([pair], "sentence", remembering):
            sentence.add(segment)
    return [paragraph.figures(), sentence.figures()]
