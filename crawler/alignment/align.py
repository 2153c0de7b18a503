"""Monotonic Japanese–English alignment of paragraphs and sentences (Gale–Church with anchors).

A dynamic program picks the cheapest sequence of beads 1-1, 1-0 (added by the translator), 0-1
(omitted), 2-1 (two Japanese units for one English) and 1-2. A bead's cost adds three terms:
the Gale–Church length cost (English runs about 2.5 characters per Japanese character, more
per kanji and fewer per kana), the bead kind's prior, and how little the two sides share
(numbers, designations, names, words), each shared item weighted down by how many units of its
side carry it. A bead's score is the probability that it is correct, a logistic map of those
terms fitted on golden beads (:mod:`crawler.alignment.calibration`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from crawler.alignment.anchors import Features, en_features, ja_features, shared
from crawler.alignment.calibration import CostTerms, bead_probability
from crawler.alignment.segment import is_translator_note, split_sentences_en, split_sentences_ja

__all__ = [
    "Bead",
    "BeadKind",
    "CostModel",
    "align",
    "align_paragraphs",
    "align_sentences",
    "group_sentences",
]

BeadKind = Literal["1-1", "1-0", "0-1", "2-1", "1-2"]

# Length model, fitted by bench/alignment_accuracy.py (calibrate) on the 129 golden 1-1 paragraph
# beads of the replica's t2 corpus (synthetic pairs). Plainly, English has 2.52 characters per
# Japanese character (ratio of sums; per-bead mean 2.56, sd 0.36). Scripts carry different loads,
# so a Japanese unit's length is measured in expected English characters, by least squares over
# its counts of kanji, hiragana, katakana, Latin letters and digits, and other marks (punctuation
# mostly); that cuts the spread of the ratio from 0.144 to 0.117. LENGTH_VARIANCE is the variance
# of English characters per expected English character.
SCRIPT_WEIGHTS = (3.82, 1.62, 1.52, 1.10, 3.63)
LENGTH_VARIANCE = 2.16
# Bead kind frequencies of the same golden beads, smoothed (add-one).
KIND_PRIORS: dict[str, float] = {
    "1-1": 0.823,
    "1-0": 0.051,
    "0-1": 0.076,
    "2-1": 0.025,
    "1-2": 0.025,
}
# Weight of each anchor kind, set by hand (not fitted): a dictionary word is weak evidence, a
# designation strong.
KIND_WEIGHTS: dict[str, float] = {
    "number": 1.0,
    "date": 1.5,
    "designation": 1.5,
    "name": 1.0,
    "word": 0.4,
    "capital": 0.6,
}


@dataclass(frozen=True)
class CostModel:
    """The weights of the bead cost.

    The first five were set by hand before any search; ``bench/alignment_accuracy.py --fit``
    grid-searches them with two-fold cross-validation to show how much they matter.
    """

    anchor: float = 6.0  # cost of sharing nothing, relative to sharing everything
    smoothing: float = 1.0  # anchor weight added to the denominator: few anchors, little trust
    rarity: float = 1.0  # exponent of the document frequency that divides an item's weight
    skip: float = 1.5  # extra cost of leaving a unit unaligned (1-0 or 0-1)
    note: float = 8.0  # cost of aligning a unit marked as a translator's note
    script_weights: tuple[float, ...] = SCRIPT_WEIGHTS
    variance: float = LENGTH_VARIANCE
    kind_weights: dict[str, float] = field(default_factory=lambda: dict(KIND_WEIGHTS))


DEFAULT_MODEL = CostModel()


@dataclass(frozen=True)
class Bead:
    """Japanese unit indices aligned with English unit indices; an empty side is 1-0 or 0-1."""

    ja: tuple[int, ...]
    en: tuple[int, ...]
    kind: BeadKind
    score: float  # the probability that the bead is correct (crawler.alignment.calibration)
    anchors: tuple[str, ...]  # shared items, "as written in Japanese=English token"
    terms: CostTerms | None = None  # the parts of the cost the score was computed from


_MOVES: tuple[tuple[int, int, BeadKind], ...] = (
    (1, 1, "1-1"),
    (1, 0, "1-0"),
    (0, 1, "0-1"),
    (2, 1, "2-1"),
    (1, 2, "1-2"),
)


def _script(char: str) -> int:
    code = ord(char)
    if 0x4E00 <= code <= 0x9FFF or char == "々":
        return 0
    if 0x3041 <= code <= 0x309F:
        return 1
    if 0x30A0 <= code <= 0x30FF:
        return 2
    if (char.isascii() and char.isalnum()) or 0xFF10 <= code <= 0xFF5A:
        return 3
    return 4


def script_counts(text: str) -> tuple[int, int, int, int, int]:
    """Counts of kanji, hiragana, katakana, Latin letters and digits, and other characters."""
    counts = [0, 0, 0, 0, 0]
    for char in text:
        if not char.isspace():
            counts[_script(char)] += 1
    return counts[0], counts[1], counts[2], counts[3], counts[4]


def expected_english(text: str, weights: Sequence[float] = SCRIPT_WEIGHTS) -> float:
    """A Japanese text's length in the English characters a translation of it would have."""
    return sum(w * c for w, c in zip(weights, script_counts(text), strict=True))


def _length_cost(expected: float, english: float, variance: float) -> float:
    mean = (expected + english) / 2
    if mean <= 0:
        return 0.0
    delta = (english - expected) / math.sqrt(variance * mean)
    # Two-tailed probability of a deviation at least this large under the normal model.
    tail = math.erfc(abs(delta) / math.sqrt(2))
    return -math.log(max(tail, 1e-12))


@lru_cache(maxsize=8192)
def _ja(text: str) -> Features:
    return ja_features(text)


@lru_cache(maxsize=8192)
def _en(text: str) -> Features:
    return en_features(text)


def _weights(features: Sequence[Features], model: CostModel) -> list[dict[str, float]]:
    frequency: Counter[str] = Counter(key for f in features for key in {i.key for i in f.items})
    kinds = model.kind_weights
    return [
        {i.key: kinds[i.kind] / frequency[i.key] ** model.rarity for i in f.items} for f in features
    ]


def align(
    ja: Sequence[str],
    en: Sequence[str],
    model: CostModel = DEFAULT_MODEL,
    notes: Sequence[bool] | None = None,
) -> list[Bead]:
    """Align two sequences of text units (paragraphs or sentences) of one document pair."""
    n, m = len(ja), len(en)
    ja_f = [_ja(t) for t in ja]
    en_f = [_en(t) for t in en]
    ja_w = _weights(ja_f, model)
    en_w = _weights(en_f, model)
    pair = [[shared(a, b) for b in en_f] for a in ja_f]
    is_note = list(notes) if notes is not None else [False] * n
    ja_len = [expected_english(t, model.script_weights) for t in ja]
    en_len = [len(t) for t in en]

    def cost(i: int, j: int, di: int, dj: int, kind: str) -> tuple[CostTerms, tuple[str, ...]]:
        prior = -math.log(KIND_PRIORS[kind])
        if di == 0 or dj == 0:
            noted = di == 1 and is_note[i]
            total = prior + (0.0 if noted else model.skip)
            return CostTerms(total, True, False, 0.0, 1.0, 0.0, int(noted)), ()
        rows = range(i, i + di)
        cols = range(j, j + dj)
        links = [pair[r][c] for r in rows for c in cols]
        ja_hit = frozenset().union(*(s.ja for s in links))
        en_hit = frozenset().union(*(s.en for s in links))
        ja_total = {k: w for r in rows for k, w in ja_w[r].items()}
        en_total = {k: w for c in cols for k, w in en_w[c].items()}
        found = sum(ja_total[k] for k in ja_hit) + sum(en_total[k] for k in en_hit)
        offered = sum(ja_total.values()) + sum(en_total.values()) + model.smoothing
        share = found / offered
        expected = sum(ja_len[r] for r in rows)
        length = _length_cost(expected, sum(en_len[c] for c in cols), model.variance)
        notes = sum(is_note[r] for r in rows)
        labels = tuple(dict.fromkeys(label for s in links for label in s.labels))
        total = prior + length + model.anchor * (1 - share) + model.note * notes
        evidence = offered - model.smoothing
        terms = CostTerms(total, False, di + dj > 2, length, 1 - share, evidence, notes)
        return terms, labels

    best = [[math.inf] * (m + 1) for _ in range(n + 1)]
    back: list[list[tuple[int, int, BeadKind, CostTerms, tuple[str, ...]] | None]] = [
        [None] * (m + 1) for _ in range(n + 1)
    ]
    best[0][0] = 0.0
    for i in range(n + 1):
        for j in range(m + 1):
            if best[i][j] == math.inf:
                continue
            for di, dj, kind in _MOVES:
                if i + di > n or j + dj > m:
                    continue
                step, labels = cost(i, j, di, dj, kind)
                total = best[i][j] + step.cost
                if total < best[i + di][j + dj]:
                    best[i + di][j + dj] = total
                    back[i + di][j + dj] = (di, dj, kind, step, labels)
    beads: list[Bead] = []
    i, j = n, m
    while i or j:
        entry = back[i][j]
        assert entry is not None  # every cell is reachable through 1-0 and 0-1 moves
        di, dj, kind, step, labels = entry
        i, j = i - di, j - dj
        ja_ix = tuple(range(i, i + di))
        en_ix = tuple(range(j, j + dj))
        beads.append(Bead(ja_ix, en_ix, kind, bead_probability(step), labels, step))
    beads.reverse()
    return beads


def align_paragraphs(
    ja: Sequence[str], en: Sequence[str], model: CostModel = DEFAULT_MODEL
) -> list[Bead]:
    """Align the paragraphs of a Japanese translation with those of its English source."""
    return align(ja, en, model, [is_translator_note(p) for p in ja])


def group_sentences(
    ja_paragraphs: Sequence[str], en_paragraphs: Sequence[str]
) -> tuple[list[str], list[str]]:
    """The sentences of a paragraph group, numbered across its paragraphs in order."""
    ja = [s for p in ja_paragraphs for s in split_sentences_ja(p)]
    en = [s for p in en_paragraphs for s in split_sentences_en(p)]
    return ja, en


def align_sentences(
    ja_paragraphs: Sequence[str], en_paragraphs: Sequence[str], model: CostModel = DEFAULT_MODEL
) -> list[Bead]:
    """Align the sentences inside an aligned paragraph bead.

    Indices refer to the sentences of :func:`group_sentences` (numbered across the group).
    """
    ja, en = group_sentences(ja_paragraphs, en_paragraphs)
    return align(ja, en, model, [is_translator_note(s) for s in ja])
