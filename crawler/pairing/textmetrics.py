"""Token-overlap scores for comparing an extracted text with a reference text.

``token_f1`` is the measure the extraction tests and benchmark use: whitespace tokens compared as
multisets, so a paragraph extracted twice costs precision and a dropped one costs recall.
``shingle_f1`` is the stricter variant of the article-extraction-benchmark's own evaluation
(``\\w+`` tokens grouped in 4-grams), which also punishes reordered or spliced text.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Hashable
from typing import TypeVar

__all__ = ["shingle_f1", "token_f1"]

_WORD = re.compile(r"\w+")
_T = TypeVar("_T", bound=Hashable)


def token_f1(predicted: str, reference: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``predicted`` against ``reference`` on whitespace tokens."""
    return _multiset_f1(Counter(predicted.split()), Counter(reference.split()))


def shingle_f1(predicted: str, reference: str, n: int = 4) -> tuple[float, float, float]:
    """Precision, recall and F1 on ``n``-grams of word tokens."""
    return _multiset_f1(_shingles(predicted, n), _shingles(reference, n))


def _shingles(text: str, n: int) -> Counter[tuple[str, ...]]:
    tokens = _WORD.findall(text)
    if len(tokens) < n:
        return Counter([tuple(tokens)] if tokens else [])
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def _multiset_f1(predicted: Counter[_T], reference: Counter[_T]) -> tuple[float, float, float]:
    # Two empty texts agree perfectly; one empty side scores zero rather than dividing by zero.
    if not predicted and not reference:
        return 1.0, 1.0, 1.0
    overlap = sum((predicted & reference).values())
    precision = overlap / sum(predicted.values()) if predicted else 0.0
    recall = overlap / sum(reference.values()) if reference else 0.0
    if precision + recall == 0:
        return precision, recall, 0.0
    return precision, recall, 2 * precision * recall / (precision + recall)
