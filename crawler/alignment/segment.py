"""Paragraph and sentence splitting for Japanese and English text.

Japanese sentences end at 。！？ (and their ASCII forms) outside quotation brackets, so a quoted
sentence 「…。…」と述べた stays whole. English uses pysbd's rules (abbreviations such as "U.S.",
"Gen." and "No. 5" do not end a sentence), loaded once on first use.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

__all__ = ["is_translator_note", "split_paragraphs", "split_sentences_en", "split_sentences_ja"]

_BLANK_LINES = re.compile(r"\n\s*\n|\r\n\s*\r\n")
_JA_END = frozenset("。！？!?")
_JA_OPEN = frozenset("「『（(【〈《")
_JA_CLOSE = frozenset("」』）)】〉》")
# Marks that open a sentence: the real T2 blog runs points together in one paragraph, each opened
# by ▶ ("…を配備した▶次に…"), so the mark ends the sentence before it.
_JA_START = frozenset("▶►▷")
# Closing marks that belong to the sentence they follow.
_JA_TRAILING = frozenset("」』）)】〉》…")
# Translator's notes as Japanese translation blogs write them: a reference mark ※, or 訳注
# (translator's note), alone or in brackets.
_NOTE = re.compile(r"^\s*(?:※|[（(【\[]?\s*訳注|[（(【\[]?\s*訳者注)")


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines, stripped; single newlines stay inside a paragraph."""
    return [part.strip() for part in _BLANK_LINES.split(text) if part.strip()]


def split_sentences_ja(text: str) -> list[str]:
    """Japanese sentences: an end mark outside brackets ends a sentence, with its closing marks;
    a ▶ outside brackets starts one."""
    sentences: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(text):
        char = text[i]
        if char in _JA_OPEN:
            depth += 1
        elif char in _JA_CLOSE:
            depth = max(0, depth - 1)
        elif char in _JA_START and depth == 0 and text[start:i].strip():
            sentences.append(text[start:i])
            start = i
        elif char in _JA_END and depth == 0:
            end = i + 1
            while end < len(text) and (text[end] in _JA_END or text[end] in _JA_TRAILING):
                end += 1
            sentences.append(text[start:end])
            start = i = end
            continue
        i += 1
    sentences.append(text[start:])
    return [s.strip() for s in sentences if s.strip()]


@cache
def _english_segmenter() -> Any:
    import pysbd  # type: ignore[import-not-found,import-untyped,unused-ignore]

    return pysbd.Segmenter(language="en", clean=False)


def split_sentences_en(text: str) -> list[str]:
    """English sentences by pysbd's rules, stripped."""
    if not text.strip():
        return []
    return [s.strip() for s in _english_segmenter().segment(text) if s.strip()]


def is_translator_note(paragraph: str) -> bool:
    """Whether a Japanese paragraph is marked as the translator's own note (※, 訳注)."""
    return _NOTE.match(paragraph) is not None
